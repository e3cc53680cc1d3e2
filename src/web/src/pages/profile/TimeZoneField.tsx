import { useMemo } from 'react';
import Autocomplete, { createFilterOptions } from '@mui/material/Autocomplete';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import TextField from '@mui/material/TextField';
import { deviceTimeZone, timeZones, utcOffset } from './fields.js';

const readable = (zone: string) => zone.replace(/_/g, ' ');
// "new york", "New_York", "america/new" and "gmt-5" all find America/New_York.
const filter = createFilterOptions<string>({ stringify: (zone) => `${zone} ${readable(zone)} ${utcOffset(zone)}`, limit: 100 });

/**
 * An IANA time zone picked from the browser's list (Intl.supportedValuesOf), searchable by city,
 * with the current offset beside each; empty means none chosen. The device's own zone is one tap.
 */
export function TimeZoneField({
  label,
  name,
  value,
  onChange,
  error,
  helperText,
}: {
  label: string;
  name: string;
  value: string;
  onChange: (zone: string) => void;
  error?: string | undefined;
  helperText?: string;
}) {
  const options = useMemo(() => {
    const known = timeZones();
    return value && !known.includes(value) ? [value, ...known] : [...known];
  }, [value]);
  const device = deviceTimeZone();

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: 0.5 }}>
      <Autocomplete
        options={options}
        value={value || null}
        onChange={(_event, zone) => onChange(zone ?? '')}
        getOptionLabel={readable}
        filterOptions={filter}
        autoHighlight
        fullWidth
        renderOption={(props, zone) => {
          const { key, ...rest } = props;
          return (
            <Box component="li" key={key} {...rest} sx={{ display: 'flex', justifyContent: 'space-between', gap: 2, minHeight: 44 }}>
              <span>{readable(zone)}</span>
              <Box component="span" sx={{ color: 'text.secondary', fontSize: '0.875rem', flexShrink: 0 }}>
                {utcOffset(zone)}
              </Box>
            </Box>
          );
        }}
        renderInput={(params) => (
          <TextField
            {...params}
            label={label}
            name={name}
            error={Boolean(error)}
            helperText={error ?? helperText ?? (value ? `Now ${utcOffset(value) || 'unknown offset'}` : 'Type a city, like Berlin or New York')}
          />
        )}
      />
      {device && device !== value && (
        <Button size="small" onClick={() => onChange(device)} sx={{ ml: -1 }}>
          Use this device&apos;s time zone ({readable(device)})
        </Button>
      )}
    </Box>
  );
}
