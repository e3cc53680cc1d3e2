import { Link as RouterLink } from 'react-router';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Typography from '@mui/material/Typography';
import { SecurityIcon } from './icons.js';

/** Shown instead of a screen the person's role does not open (the API would refuse it anyway). */
export function NoAccess({ what = 'this page' }: { what?: string }) {
  return (
    <Card>
      <CardContent sx={{ display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: 2 }}>
        <SecurityIcon sx={{ fontSize: 48, color: 'text.secondary' }} />
        <Typography variant="h2" sx={{ fontSize: '1.25rem' }}>
          You do not have access to {what}
        </Typography>
        <Typography>Your role in this organization does not include it. If you need it, ask an administrator.</Typography>
        <Button component={RouterLink} to="/" variant="contained">
          Go to home
        </Button>
      </CardContent>
    </Card>
  );
}
