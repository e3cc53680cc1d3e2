import Box from '@mui/material/Box';
import type { Conflict, ConflictKind } from './types.js';

export const CONFLICT_LABEL: Record<ConflictKind, string> = {
  participant_overlap: 'Double booking',
  venue_overlap: 'Venue in use',
  short_turnaround: 'Short turnaround',
};

/** The API's conflict warnings, each with its kind. */
export function ConflictList({ conflicts }: { conflicts: Conflict[] }) {
  return (
    <Box component="ul" aria-label="Conflicts" sx={{ m: 0, mt: 1, pl: 2.5, display: 'flex', flexDirection: 'column', gap: 0.5 }}>
      {conflicts.map((c, i) => (
        <li key={`${c.kind}-${i}`}>
          <Box component="span" sx={{ fontWeight: 600 }}>{CONFLICT_LABEL[c.kind] ?? 'Conflict'}:</Box> {c.message}
        </li>
      ))}
    </Box>
  );
}
