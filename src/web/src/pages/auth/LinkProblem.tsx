import type { ReactNode } from 'react';
import { Link as RouterLink } from 'react-router';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { PublicHeading } from '../../components/forms.js';
import { ErrorIcon } from '../../components/icons.js';

/** A link from an e-mail that no longer works: what happened and the way forward. */
export function LinkProblem({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
      <ErrorIcon sx={{ fontSize: 48, color: 'error.dark' }} />
      <PublicHeading title={title} />
      <Typography sx={{ mt: -2 }}>{children}</Typography>
      <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
        {action}
        <Button component={RouterLink} to="/sign-in" variant={action ? 'outlined' : 'contained'}>
          Go to sign in
        </Button>
      </Box>
    </Box>
  );
}
