import Box from '@mui/material/Box';
import type { ReactNode } from 'react';

/**
 * Label and value pairs as a description list: side by side from tablet width, stacked on phones.
 * `strong` sets the values in medium weight and keeps their line breaks (notes, addresses).
 */
export function DetailList({ items, labelWidth = 140, strong = false }: { items: [string, ReactNode][]; labelWidth?: number; strong?: boolean }) {
  return (
    <Box
      component="dl"
      sx={{
        m: 0,
        display: 'grid',
        gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: `minmax(${labelWidth}px, max-content) minmax(0, 1fr)` },
        columnGap: 3,
        rowGap: { xs: 0.25, sm: 1 },
        '& dt': { color: 'text.secondary', fontSize: '0.875rem', pt: { xs: 1, sm: strong ? 0.25 : 0 } },
        '& dd': { m: 0, overflowWrap: 'anywhere', ...(strong ? { fontWeight: 500, whiteSpace: 'pre-line', '& > span': { alignItems: 'flex-start' } } : {}) },
      }}
    >
      {items.map(([label, value]) => (
        <Box key={label} sx={{ display: 'contents' }}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </Box>
      ))}
    </Box>
  );
}
