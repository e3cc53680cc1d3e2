import type { ReactNode } from 'react';
import { Outlet, Link as RouterLink, useNavigation } from 'react-router';
import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import LinearProgress from '@mui/material/LinearProgress';
import Link from '@mui/material/Link';
import Typography from '@mui/material/Typography';
import { LogoMark } from '../components/icons.js';
import { PRODUCT_NAME } from '../navigation.js';

/**
 * Frame of the pages for people who are not signed in (sign in, sign up, invitations, password
 * reset): the brand and one centred card, no app navigation. Full width on phones, 480px (or
 * `wide`, 640px) on larger screens.
 */
export function PublicLayout({ children, wide = false }: { children?: ReactNode; wide?: boolean }) {
  const navigation = useNavigation();
  return (
    <Box sx={{ minHeight: '100dvh', display: 'flex', flexDirection: 'column', bgcolor: 'background.default' }}>
      {navigation.state === 'loading' && (
        <LinearProgress aria-label="Loading page" sx={{ position: 'fixed', top: 0, left: 0, right: 0, height: 3 }} />
      )}
      <Box component="header" sx={{ display: 'flex', justifyContent: 'center', pt: { xs: 3, sm: 6 }, pb: { xs: 2, sm: 3 }, px: 2 }}>
        <Box
          component={RouterLink}
          to="/"
          aria-label={`${PRODUCT_NAME}, home`}
          sx={{ display: 'inline-flex', alignItems: 'center', gap: 1.5, color: 'text.primary', textDecoration: 'none', minHeight: 44, borderRadius: 1 }}
        >
          <LogoMark sx={{ fontSize: 40, '& rect': { fill: '#1976D2' }, '& path': { fill: '#FFFFFF' } }} />
          <Typography component="span" sx={{ fontWeight: 700, fontSize: '1.25rem', letterSpacing: '-0.01em' }}>
            {PRODUCT_NAME}
          </Typography>
        </Box>
      </Box>
      <Box
        component="main"
        id="main"
        tabIndex={-1}
        sx={{ flexGrow: 1, outline: 'none', px: { xs: 0, sm: 2 }, pb: { xs: 0, sm: 6 }, display: 'flex', justifyContent: 'center', alignItems: 'flex-start' }}
      >
        <Card
          sx={{
            width: '100%',
            maxWidth: wide ? 640 : 480,
            // Edge to edge on phones: the card is the page.
            borderRadius: { xs: 0, sm: 2 },
            borderLeft: { xs: 0, sm: 1 },
            borderRight: { xs: 0, sm: 1 },
            borderColor: { xs: 'divider', sm: 'divider' },
            px: { xs: 2, sm: 5 },
            py: { xs: 3, sm: 5 },
          }}
        >
          {children ?? <Outlet />}
        </Card>
      </Box>
      <Box component="footer" sx={{ textAlign: 'center', py: 2, px: 2 }}>
        <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem' }}>Need help? Ask your organization's administrator.</Typography>
        <Link href="/api/docs" sx={{ fontSize: '0.875rem', display: 'inline-flex', alignItems: 'center', minHeight: 44 }}>
          API documentation
        </Link>
      </Box>
    </Box>
  );
}
