import { Link as RouterLink } from 'react-router';
import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import CardActionArea from '@mui/material/CardActionArea';
import CardContent from '@mui/material/CardContent';
import Typography from '@mui/material/Typography';
import { ArrowForwardIcon, LogoMark } from '../components/icons.js';
import { Page } from '../components/Page.js';
import { SystemStatusCard } from '../components/SystemStatusCard.js';
import { useAccount } from '../auth/AuthProvider.js';
import { destinationsFor, PRODUCT_NAME } from '../navigation.js';
import { IconTile } from '../components/IconTile.js';
import { ToSignCard } from './home/ToSignCard.js';

const SECTION_SUMMARY: Record<string, string> = {
  '/contracts': 'Upload, assign and sign contracts.',
  '/expenses': 'Capture receipts and approve claims.',
  '/schedule': 'Rehearsals, shows and travel in one calendar.',
  '/admin': 'Users, settings and the audit trail.',
};

function WelcomeCard() {
  const { user, organization } = useAccount();
  return (
    <Card
      component="section"
      aria-labelledby="welcome-title"
      sx={(theme) => ({
        gridArea: 'welcome',
        border: 0,
        color: 'primary.contrastText',
        background: `linear-gradient(135deg, ${theme.palette.primary.main} 0%, ${theme.palette.primary.dark} 100%)`,
        position: 'relative',
        overflow: 'hidden',
      })}
    >
      {/* Decorative watermark; only where it cannot sit behind the text (that would cut its contrast). */}
      <LogoMark
        sx={{
          display: { xs: 'none', sm: 'block' },
          position: 'absolute',
          right: 24,
          top: '50%',
          transform: 'translateY(-50%)',
          fontSize: 140,
          opacity: 0.14,
        }}
      />
      <CardContent sx={{ position: 'relative', p: { xs: 3, sm: 4 }, pr: { sm: 22 } }}>
        <Typography variant="overline" component="p" sx={{ opacity: 0.9 }}>
          Welcome, {user.first_name}
        </Typography>
        <Typography variant="h1" id="welcome-title" tabIndex={-1} data-page-heading sx={{ mb: 1.5 }}>
          {PRODUCT_NAME}
        </Typography>
        <Typography sx={{ maxWidth: '52ch', fontSize: { sm: '1.125rem' } }}>
          Contracts, expenses and schedules for {organization.name}, in one place and on any device.
        </Typography>
        <Typography sx={{ mt: 1.5, maxWidth: '52ch', opacity: 0.92 }}>
          This is an early version of the portal: the sections below are being built now.
        </Typography>
      </CardContent>
    </Card>
  );
}

function SectionCards() {
  const { role } = useAccount();
  const sections = destinationsFor(role).filter((d) => d.path !== '/');
  return (
    <Box component="section" aria-labelledby="sections-title" sx={{ gridArea: 'sections' }}>
      <Typography variant="h2" id="sections-title" sx={{ fontSize: '1.25rem', mb: 2 }}>
        Sections
      </Typography>
      <Box component="ul" sx={{ listStyle: 'none', m: 0, p: 0, display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', sm: 'repeat(2, minmax(0, 1fr))' } }}>
        {sections.map(({ path, label, icon: Icon }) => (
          <li key={path}>
            <Card sx={{ height: '100%' }}>
              <CardActionArea component={RouterLink} to={path} sx={{ height: '100%' }}>
                <CardContent sx={{ display: 'flex', gap: 2, alignItems: 'center', p: 2.5, '&:last-child': { pb: 2.5 } }}>
                  <IconTile>
                    <Icon />
                  </IconTile>
                  <Box sx={{ flexGrow: 1, minWidth: 0 }}>
                    <Typography variant="h3" sx={{ fontSize: '1.0625rem' }}>
                      {label}
                    </Typography>
                    <Typography sx={{ color: 'text.secondary' }}>{SECTION_SUMMARY[path]}</Typography>
                  </Box>
                  <ArrowForwardIcon sx={{ color: 'text.secondary', flexShrink: 0 }} />
                </CardContent>
              </CardActionArea>
            </Card>
          </li>
        ))}
      </Box>
    </Box>
  );
}

export default function HomePage() {
  return (
    <Page title={PRODUCT_NAME} header={null}>
      <Box
        sx={{
          display: 'grid',
          gap: 3,
          alignItems: 'start',
          gridTemplateColumns: { xs: 'minmax(0, 1fr)', md: 'minmax(0, 2fr) minmax(300px, 1fr)' },
          gridTemplateAreas: { xs: '"welcome" "tosign" "status" "sections"', md: '"welcome status" "tosign status" "sections status"' },
        }}
      >
        <WelcomeCard />
        <ToSignCard />
        <Box sx={{ gridArea: 'status' }}>
          <SystemStatusCard />
        </Box>
        <SectionCards />
      </Box>
    </Page>
  );
}
