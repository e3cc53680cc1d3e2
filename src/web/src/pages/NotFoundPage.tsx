import { Link as RouterLink, useLocation } from 'react-router';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Typography from '@mui/material/Typography';
import { HomeIcon, SearchOffIcon } from '../components/icons.js';
import { Page } from '../components/Page.js';

/** Any client route that does not exist. The server answers 200 with the app; this page says 404. */
export default function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <Page title="Page not found">
      <Card>
        <CardContent sx={{ display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: 2 }}>
          <SearchOffIcon sx={{ fontSize: 48, color: 'text.secondary' }} />
          <Typography>
            There is no page at{' '}
            <Box component="code" sx={{ fontFamily: 'monospace', bgcolor: 'background.default', px: 0.5, borderRadius: 1, wordBreak: 'break-all' }}>
              {pathname}
            </Box>
            . The link may be old, or the address may have a typo.
          </Typography>
          <Button component={RouterLink} to="/" variant="contained" startIcon={<HomeIcon />}>
            Go to home
          </Button>
        </CardContent>
      </Card>
    </Page>
  );
}
