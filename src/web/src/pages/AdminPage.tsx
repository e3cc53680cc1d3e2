import type { ReactNode } from 'react';
import { Link as RouterLink } from 'react-router';
import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import CardActionArea from '@mui/material/CardActionArea';
import CardContent from '@mui/material/CardContent';
import Typography from '@mui/material/Typography';
import { useHasRole } from '../auth/guards.js';
import { MANAGER_ROLES, STAFF_ROLES } from '../auth/types.js';
import { ComingSoonCard } from '../components/ComingSoon.js';
import { ArrowForwardIcon, DeleteIcon, HistoryIcon, KeyIcon, MailIcon, PeopleIcon, ProductionsIcon, TuneIcon } from '../components/icons.js';
import { NoAccess } from '../components/NoAccess.js';
import { Page } from '../components/Page.js';
import { IconTile } from '../components/IconTile.js';

function AreaCard({ id, to, title, description, icon }: { id: string; to: string; title: string; description: string; icon: ReactNode }) {
  return (
    <Card component="section" aria-labelledby={id}>
      <CardActionArea component={RouterLink} to={to}>
        <CardContent sx={{ display: 'flex', gap: 2, alignItems: 'center' }}>
          <IconTile>{icon}</IconTile>
          <Box sx={{ flexGrow: 1, minWidth: 0 }}>
            <Typography variant="h2" id={id} sx={{ fontSize: '1.125rem' }}>
              {title}
            </Typography>
            <Typography sx={{ color: 'text.secondary' }}>{description}</Typography>
          </Box>
          <ArrowForwardIcon sx={{ color: 'text.secondary', flexShrink: 0 }} />
        </CardContent>
      </CardActionArea>
    </Card>
  );
}

export default function AdminPage() {
  const allowed = useHasRole(STAFF_ROLES);
  const isAdministrator = useHasRole(MANAGER_ROLES);
  return (
    <Page title="Admin" description="Run your organization's portal: who is in it, how it works, and what changed.">
      {!allowed ? (
        <NoAccess />
      ) : (
        <>
          <AreaCard
            id="admin-people"
            to="/admin/people"
            title="People"
            description="Invite people, give them roles and see who has not joined yet."
            icon={<PeopleIcon />}
          />
          {/* On phones the bottom bar has no room for Productions; this is the way there. */}
          <AreaCard
            id="admin-productions"
            to="/productions"
            title="Productions"
            description="Shows and tours with their dates, budget and status: plan, start, complete or cancel them."
            icon={<ProductionsIcon />}
          />
          {isAdministrator && (
            <AreaCard
              id="admin-deletion-requests"
              to="/admin/deletion-requests"
              title="Deletion requests"
              description="Requests to erase personal data, to complete within 30 days."
              icon={<DeleteIcon />}
            />
          )}
          {isAdministrator && (
            <AreaCard
              id="admin-notifications"
              to="/admin/notifications"
              title="Announcements and deliveries"
              description="Send an announcement to everyone or some roles; see and resend notifications that could not be delivered."
              icon={<MailIcon />}
            />
          )}
          {isAdministrator && (
            <AreaCard
              id="admin-sso"
              to="/admin/sso"
              title="Single sign-on"
              description="Let administrators sign in with your identity provider (Microsoft Entra ID, or any OpenID Connect provider)."
              icon={<KeyIcon />}
            />
          )}
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
