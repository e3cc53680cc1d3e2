import Box from '@mui/material/Box';
import { alpha } from '@mui/material/styles';
import type { ReactNode } from 'react';

/** The tinted square holding a section's icon on cards (home sections, admin areas). */
export function IconTile({ children }: { children: ReactNode }) {
  return (
    <Box
      sx={(theme) => ({
        flexShrink: 0,
        width: 48,
        height: 48,
        borderRadius: 2,
        display: 'grid',
        placeItems: 'center',
        color: 'primary.dark',
        bgcolor: alpha(theme.palette.primary.main, 0.1),
      })}
    >
      {children}
    </Box>
  );
}
