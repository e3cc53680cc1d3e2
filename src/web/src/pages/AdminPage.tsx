import { Link as RouterLink } from 'react-router';
import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import CardActionArea from '@mui/material/CardActionArea';
import CardContent from '@mui/material/CardContent';
import Typography from '@mui/material/Typography';
import { useHasRole } from '../auth/guards.js';
import { STAFF_ROLES } from '../auth/types.js';
import { ComingSoonCard } from '../components/ComingSoon.js';
import { ArrowForwardIcon, HistoryIcon, PeopleIcon, TuneIcon } from '../components/icons.js';
import { NoAccess } from '../components/NoAccess.js';
import { Page } from '../components/Page.js';
import { IconTile } from '../components/IconTile.js';

export default function AdminPage() {
  const allowed = useHasRole(STAFF_ROLES);
  return (
    <Page title="Admin" description="Run your organization's portal: who is in it, how it works, and what changed.">
      {!allowed ? (
        <NoAccess />
      ) : (
        <>
          <Card component="section" aria-labelledby="admin-people">
            <CardActionArea component={RouterLink} to="/admin/people">
              <CardContent sx={{ display: 'flex', gap: 2, alignItems: 'center' }}>
                <IconTile>
                  <PeopleIcon />
                </IconTile>
                <Box sx={{ flexGrow: 1, minWidth: 0 }}>
                  <Typography variant="h2" id="admin-people" sx={{ fontSize: '1.125rem' }}>
                    People
                  </Typography>
                  <Typography sx={{ color: 'text.secondary' }}>Invite people, give them roles and see who has not joined yet.</Typography>
                </Box>
                <ArrowForwardIcon sx={{ color: 'text.secondary', flexShrink: 0 }} />
              </CardContent>
            </CardActionArea>
          </Card>
          <ComingSoonCard
            backLink={false}
            features={[
              { title: 'Settings', description: 'Organization details, expense categories and integrations.', icon: TuneIcon },
              { title: 'Audit', description: 'A tamper-evident record of every change, searchable and exportable.', icon: HistoryIcon },
            ]}
          />
        </>
      )}
    </Page>
  );
}
