import Box from '@mui/material/Box';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';
import { IconTile } from './IconTile.js';

/** Three placeholder rows while a list loads, announced as busy to assistive technology. */
export function ListSkeleton({ label, rowHeight = 64 }: { label: string; rowHeight?: number }) {
  return (
    <Box role="progressbar" aria-label={label} aria-busy="true">
      {[0, 1, 2].map((i) => (
        <Skeleton key={i} variant="rounded" height={rowHeight} sx={{ mb: 1 }} />
      ))}
    </Box>
  );
}

/** What an empty list says: an icon, a line in bold, a hint, and optionally the first step to take. */
export function EmptyState({ icon, title, children, action, py = 4 }: { icon: ReactNode; title: string; children: ReactNode; action?: ReactNode; py?: number }) {
  return (
    <Box sx={{ py, display: 'flex', flexDirection: 'column', alignItems: 'center', textAlign: 'center', gap: 1.5 }}>
      <IconTile>{icon}</IconTile>
      <Typography sx={{ fontWeight: 600 }}>{title}</Typography>
      <Typography sx={{ color: 'text.secondary', maxWidth: '50ch' }}>{children}</Typography>
      {action}
    </Box>
  );
}
