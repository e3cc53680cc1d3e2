import { useState } from 'react';
import Autocomplete from '@mui/material/Autocomplete';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import IconButton from '@mui/material/IconButton';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { Field } from '../../components/forms.js';
import { CloseIcon } from '../../components/icons.js';
import { useDebounced } from '../../components/useDebounced.js';
import { memberName } from '../contracts/ArtistPicker.js';
import type { Member } from '../contracts/types.js';
import { useArtists } from './data.js';

/** Someone invited to an event, with their role in it ("Violin", "Understudy"). */
export interface Invitee {
  user_id: string;
  name: string;
  email: string;
  role: string;
}

const fromMember = (m: Member): Invitee => ({ user_id: m.user_id, name: memberName(m), email: m.email, role: '' });

/**
 * The artists invited: found by name or e-mail (the API is asked once per pause in typing), then
 * listed below with a role each.
 */
export function ParticipantsField({ value, onChange, error, disabled }: {
  value: Invitee[];
  onChange: (next: Invitee[]) => void;
  error?: string | undefined;
  disabled?: boolean;
}) {
  const [input, setInput] = useState('');
  const q = useDebounced(input.trim(), 250);
  const artists = useArtists(q);
  const chosen = new Set(value.map((v) => v.user_id));
  const options = (artists.data?.data ?? []).filter((m) => !chosen.has(m.user_id));

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1.5 }}>
      <Autocomplete
        disabled={disabled}
        options={options}
        value={null}
        filterOptions={(o) => o}
        loading={artists.isFetching}
        getOptionLabel={(m) => memberName(m)}
        isOptionEqualToValue={(a, b) => a.user_id === b.user_id}
        inputValue={input}
        onInputChange={(_event, text, reason) => {
          if (reason !== 'reset') setInput(text);
        }}
        onChange={(_event, m) => {
          if (m) onChange([...value, fromMember(m)]);
          setInput('');
        }}
        blurOnSelect={false}
        clearOnBlur
        noOptionsText={artists.isError ? 'The artists could not be loaded' : q ? 'No artist matches' : 'No more artists'}
        renderOption={(props, m) => {
          const { key, ...rest } = props as typeof props & { key: string };
          return (
            <li key={key} {...rest}>
              <Box sx={{ minWidth: 0 }}>
                <Typography sx={{ fontWeight: 500 }}>{memberName(m)}</Typography>
                <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary', overflowWrap: 'anywhere' }}>{m.email}</Typography>
              </Box>
            </li>
          );
        }}
        renderInput={(params) => (
          <TextField
            {...params}
            label="Invite artists"
            name="participants"
            error={Boolean(error)}
            helperText={error ?? 'Type a name or e-mail address, then pick each artist.'}
          />
        )}
      />
      {value.length > 0 && (
        <Box component="ul" aria-label="Invited" sx={{ listStyle: 'none', m: 0, p: 0, display: 'flex', flexDirection: 'column', gap: 1 }}>
          {value.map((p, i) => (
            <Box component="li" key={p.user_id} sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr auto', sm: 'minmax(0, 1fr) 200px auto' }, gap: 1, alignItems: 'center' }}>
              <Chip label={p.name || p.email} sx={{ justifySelf: 'start', maxWidth: '100%' }} />
              <Field
                label="Role (optional)"
                name={`participants.${i}.role`}
                value={p.role}
                size="small"
                onChange={(e) => onChange(value.map((v) => (v.user_id === p.user_id ? { ...v, role: e.target.value } : v)))}
                inputProps={{ maxLength: 100, 'aria-label': `Role of ${p.name || p.email} (optional)` }}
                sx={{ gridColumn: { xs: '1 / -1', sm: 'auto' }, gridRow: { xs: 2, sm: 'auto' } }}
              />
              <IconButton aria-label={`Remove ${p.name || p.email}`} onClick={() => onChange(value.filter((v) => v.user_id !== p.user_id))} disabled={disabled}>
                <CloseIcon />
              </IconButton>
            </Box>
          ))}
        </Box>
      )}
    </Box>
  );
}
