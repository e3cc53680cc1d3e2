import Box from '@mui/material/Box';
import Skeleton from '@mui/material/Skeleton';

/** Placeholder while a screen's code is loading. */
export function PageSkeleton() {
  return (
    <Box role="progressbar" aria-label="Loading page" aria-busy="true" sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
      <Skeleton variant="text" sx={{ fontSize: '2rem', width: { xs: '60%', sm: 280 } }} />
      <Skeleton variant="text" sx={{ width: { xs: '90%', sm: 480 } }} />
      <Skeleton variant="rounded" height={200} sx={{ borderRadius: 2 }} />
    </Box>
  );
}
