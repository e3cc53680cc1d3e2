import { isRouteErrorResponse, Link as RouterLink, useRouteError } from 'react-router';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Typography from '@mui/material/Typography';
import { ErrorIcon, RefreshIcon } from '../components/icons.js';
import { Page } from '../components/Page.js';

/**
 * Shown inside the shell when a screen fails to load or render — most often a code chunk that is
 * gone because a new version was deployed while the tab was open. Reloading fixes that.
 */
export default function RouteErrorPage() {
  const error = useRouteError();
  const detail = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : 'Unknown error';
  return (
    <Page title="Something went wrong">
      <Card role="alert" sx={{ borderColor: 'error.main' }}>
        <CardContent sx={{ display: 'flex', gap: 2, alignItems: 'flex-start' }}>
          <ErrorIcon sx={{ color: 'error.dark', mt: 0.25 }} />
          <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
            <Typography variant="h2" sx={{ fontSize: '1.125rem' }}>
              This screen could not be shown
            </Typography>
            <Typography>
              Reloading the page usually fixes this. If it keeps happening, tell your administrator what it
              says here: <Box component="span" sx={{ fontFamily: 'monospace', wordBreak: 'break-word' }}>{detail}</Box>
            </Typography>
            <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
              <Button variant="contained" startIcon={<RefreshIcon />} onClick={() => window.location.reload()}>
                Reload
              </Button>
              <Button component={RouterLink} to="/" variant="outlined">
                Go to home
              </Button>
            </Box>
          </Box>
        </CardContent>
      </Card>
    </Page>
  );
}
