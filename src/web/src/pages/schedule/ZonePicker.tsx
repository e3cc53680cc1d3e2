import { useMemo } from 'react';
import Autocomplete, { createFilterOptions } from '@mui/material/Autocomplete';
import Box from '@mui/material/Box';
import TextField from '@mui/material/TextField';
import { deviceTimeZone, timeZones, utcOffset } from '../profile/fields.js';
import { readableZone } from './dates.js';

/** Zones a touring company often needs, offered first. */
export const COMMON_ZONES = [
  'Europe/London', 'Europe/Dublin', 'Europe/Paris', 'Europe/Berlin', 'Europe/Madrid', 'Europe/Rome', 'Europe/Vienna', 'Europe/Stockholm',
  'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'America/Toronto', 'America/Mexico_City', 'America/Sao_Paulo',
  'Asia/Tokyo', 'Asia/Singapore', 'Asia/Hong_Kong', 'Australia/Sydney', 'Pacific/Auckland', 'UTC',
] as const;

const filter = createFilterOptions<string>({ stringify: (zone) => `${zone} ${readableZone(zone)} ${utcOffset(zone)}`, limit: 150 });

/**
 * The zone the calendar is shown in: this device's, the zones of the events on screen and the
 * common ones first, then every zone the browser knows; searchable by city or offset.
 */
export function ZonePicker({ value, onChange, eventZones }: { value: string; onChange: (zone: string) => void; eventZones: string[] }) {
  const { options, suggested } = useMemo(() => {
    const device = deviceTimeZone();
    const first = [...new Set([value, device, ...eventZones].filter((z): z is string => Boolean(z)))];
    const suggestedSet = new Set([...first, ...COMMON_ZONES]);
    const rest = timeZones().filter((z) => !suggestedSet.has(z));
    return { options: [...suggestedSet, ...rest], suggested: suggestedSet };
  }, [value, eventZones]);
  return (
    <Autocomplete
      options={options}
      value={value}
      disableClearable
      autoHighlight
      onChange={(_event, zone) => zone && onChange(zone)}
      getOptionLabel={readableZone}
      groupBy={(zone) => (suggested.has(zone) ? 'Suggested' : 'All time zones')}
      filterOptions={filter}
      sx={{ minWidth: { sm: 280 } }}
      renderOption={(props, zone) => {
        const { key, ...rest } = props;
        return (
          <Box component="li" key={key} {...rest} sx={{ display: 'flex', justifyContent: 'space-between', gap: 2, minHeight: 44 }}>
            <span>{readableZone(zone)}</span>
            <Box component="span" sx={{ color: 'text.secondary', fontSize: '0.875rem', flexShrink: 0 }}>
              {utcOffset(zone)}
            </Box>
          </Box>
        );
      }}
      renderInput={(params) => <TextField {...params} label="Time zone" name="view_time_zone" size="small" />}
    />
  );
}
