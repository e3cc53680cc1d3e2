import { isRouteErrorResponse, Link as RouterLink, useRouteError } from 'react-router';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import { RefreshIcon } from '../components/icons.js';
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
      <Alert severity="error" role="alert">
        <AlertTitle>This screen could not be shown</AlertTitle>
        Reloading the page usually fixes this. If it keeps happening, tell your administrator: “{detail}”.
      </Alert>
      <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
        <Button variant="contained" startIcon={<RefreshIcon />} onClick={() => window.location.reload()}>
          Reload
        </Button>
        <Button component={RouterLink} to="/" variant="outlined">
          Go to home
        </Button>
      </Box>
    </Page>
  );
}
