import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Autocomplete from '@mui/material/Autocomplete';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { apiGet, type Paged } from '../../api.js';
import { ROLE_LABEL } from '../../auth/types.js';
import { useDebounced } from '../../components/useDebounced.js';
import type { Member } from './types.js';

export const memberName = (m: Pick<Member, 'first_name' | 'last_name' | 'email'>) => `${m.first_name} ${m.last_name}`.trim() || m.email;

/**
 * People to assign, found by name or e-mail among the organization's active members (their role
 * is shown beside each). Chosen people stay as chips; the search asks the API once per pause in
 * typing.
 */
export function ArtistPicker({ value, onChange, error, disabled, label = 'People to assign' }: {
  value: Member[];
  onChange: (members: Member[]) => void;
  error?: string | undefined;
  disabled?: boolean;
  label?: string;
}) {
  const [input, setInput] = useState('');
  const q = useDebounced(input.trim(), 250);
  const members = useQuery({
    queryKey: ['members', 'pick', q],
    queryFn: ({ signal }) => {
      const params = new URLSearchParams({ active: 'true', limit: '25' });
      if (q) params.set('q', q);
      return apiGet<Paged<Member>>(`/api/v1/members?${params}`, { signal });
    },
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
  const options = members.data?.data ?? [];
  return (
    <Autocomplete
      multiple
      disabled={disabled}
      options={options}
      value={value}
      filterOptions={(o) => o}
      filterSelectedOptions
      loading={members.isFetching}
      isOptionEqualToValue={(a, b) => a.user_id === b.user_id}
      getOptionLabel={(m) => memberName(m)}
      inputValue={input}
      onInputChange={(_event, text, reason) => {
        if (reason !== 'reset') setInput(text);
      }}
      onChange={(_event, next) => {
        onChange(next);
        setInput('');
      }}
      noOptionsText={members.isError ? 'The people could not be loaded' : q ? 'Nobody matches' : 'No members yet'}
      renderOption={(props, m) => {
        const { key, ...rest } = props as typeof props & { key: string };
        return (
          <li key={key} {...rest}>
            <Box sx={{ minWidth: 0 }}>
              <Typography sx={{ fontWeight: 500 }}>{memberName(m)}</Typography>
              <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary', overflowWrap: 'anywhere' }}>
                {m.email} · {ROLE_LABEL[m.role]}
              </Typography>
            </Box>
          </li>
        );
      }}
      renderValue={(chosen, getItemProps) =>
        chosen.map((m, index) => {
          const { key, ...itemProps } = getItemProps({ index });
          return <Chip key={key} label={memberName(m)} {...itemProps} />;
        })
      }
      renderInput={(params) => (
        <TextField
          {...params}
          label={label}
          name="artist_ids"
          error={Boolean(error)}
          helperText={error ?? 'Type a name or e-mail address, then pick each person.'}
        />
      )}
    />
  );
}
