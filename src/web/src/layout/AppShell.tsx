import { lazy, Suspense, useEffect, useRef, type ComponentType, type ReactNode } from 'react';
import { Outlet, Link as RouterLink, useLocation, useNavigation, useNavigationType } from 'react-router';
import AppBar from '@mui/material/AppBar';
import BottomNavigation from '@mui/material/BottomNavigation';
import BottomNavigationAction from '@mui/material/BottomNavigationAction';
import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Link from '@mui/material/Link';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import Paper from '@mui/material/Paper';
import Toolbar from '@mui/material/Toolbar';
import Typography from '@mui/material/Typography';
import { useAuth } from '../auth/AuthProvider.js';
import { LogoMark, OpenInNewIcon } from '../components/icons.js';
import { activeDestination, bottomDestinations, destinationsFor, PRODUCT_NAME, type Destination } from '../navigation.js';
import { selectedTint } from '../theme.js';

const AccountArea = lazy(() => import('./AccountMenus.js'));
// Sends expenses kept on this device once the network is back, on any screen (a tiny chunk of its own).
const ExpenseQueueSync = lazy(async (): Promise<{ default: ComponentType }> => import('../pages/expenses/QueueSync.js').catch(() => ({ default: () => null })));

const DRAWER_WIDTH = 256;
/** Height of the phone bottom bar, without the device's safe-area inset. */
const BOTTOM_BAR_HEIGHT = 64;
const MAIN_ID = 'main';

function SkipLink() {
  return (
    <Link
      href={`#${MAIN_ID}`}
      underline="always"
      sx={(theme) => ({
        position: 'fixed',
        left: 8,
        top: 8,
        zIndex: theme.zIndex.tooltip + 1,
        px: 2,
        py: 1.25,
        minHeight: 44,
        bgcolor: 'background.paper',
        color: 'primary.dark',
        borderRadius: 1,
        boxShadow: 3,
        transform: 'translateY(-200%)',
        '&:focus, &:focus-visible': { transform: 'none' },
      })}
    >
      Skip to main content
    </Link>
  );
}

function TopBar({ signedIn }: { signedIn: boolean }) {
  const navigation = useNavigation();
  return (
    <AppBar position="fixed" color="primary" sx={(theme) => ({ zIndex: theme.zIndex.drawer + 1 })}>
      <Toolbar sx={{ gap: { xs: 1, sm: 1.5 }, px: { xs: 1.5, sm: 3 } }}>
        <Box
          component={RouterLink}
          to="/"
          aria-label={`${PRODUCT_NAME}, home`}
          sx={{ display: 'inline-flex', alignItems: 'center', gap: 1.5, color: 'inherit', textDecoration: 'none', minHeight: 44, borderRadius: 1, flexShrink: 0 }}
        >
          <LogoMark sx={{ fontSize: 32 }} />
          {/* On phones the organization's name takes the room; the logo still says where you are. */}
          <Typography
            component="span"
            sx={{ fontWeight: 700, fontSize: '1.125rem', letterSpacing: '-0.01em', display: signedIn ? { xs: 'none', sm: 'inline' } : 'inline' }}
          >
            {PRODUCT_NAME}
          </Typography>
        </Box>
        {signedIn && (
          <Suspense fallback={<Box sx={{ flexGrow: 1, minHeight: 44 }} />}>
            <AccountArea />
          </Suspense>
        )}
      </Toolbar>
      {navigation.state === 'loading' && (
        <LinearProgress
          aria-label="Loading page"
          color="inherit"
          sx={{ position: 'absolute', left: 0, right: 0, bottom: 0, height: 3, bgcolor: 'transparent' }}
        />
      )}
    </AppBar>
  );
}

/**
 * Desktop (≥1024px): a permanent side drawer under the app bar, hidden with CSS below that width.
 * A plain fixed panel rather than MUI's Drawer, which would bring modal code the shell never uses.
 */
function SideNavigation({ currentPath, destinations }: { currentPath: string | undefined; destinations: readonly Destination[] }) {
  return (
    <Box sx={{ display: { xs: 'none', md: 'block' }, width: DRAWER_WIDTH, flexShrink: 0 }}>
      <Paper
        square
        elevation={0}
        sx={{
          position: 'fixed',
          top: 0,
          bottom: 0,
          left: 0,
          width: DRAWER_WIDTH,
          display: 'flex',
          flexDirection: 'column',
          borderRight: 1,
          borderColor: 'divider',
        }}
      >
        <Toolbar />
        <Box component="nav" aria-label="Main" sx={{ flexGrow: 1, overflowY: 'auto' }}>
          <List sx={{ px: 1.5, py: 2, display: 'flex', flexDirection: 'column', gap: 0.5 }}>
            {destinations.map(({ path, label, icon: Icon }) => {
              const selected = path === currentPath;
              return (
                <li key={path}>
                  <ListItemButton
                    component={RouterLink}
                    to={path}
                    selected={selected}
                    aria-current={selected ? 'page' : undefined}
                    sx={{
                      borderRadius: 2,
                      color: 'text.primary',
                      '&.Mui-selected, &.Mui-selected:hover': { bgcolor: selectedTint, color: 'primary.dark' },
                      '&.Mui-selected .MuiListItemIcon-root': { color: 'primary.dark' },
                    }}
                  >
                    <ListItemIcon sx={{ minWidth: 40, color: 'text.secondary' }}>
                      <Icon />
                    </ListItemIcon>
                    <ListItemText primary={label} slotProps={{ primary: { sx: { fontWeight: selected ? 600 : 500 } } }} />
                  </ListItemButton>
                </li>
              );
            })}
          </List>
        </Box>
        <Box sx={{ px: 3, py: 2, borderTop: 1, borderColor: 'divider' }}>
          <Link href="/api/docs" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, minHeight: 44 }}>
            API documentation
            <OpenInNewIcon sx={{ fontSize: '1rem' }} />
          </Link>
        </Box>
      </Paper>
    </Box>
  );
}

/** Phones and tablets (<1024px): a bottom bar within thumb reach. Hidden with CSS from 1024px. */
function BottomNavigationBar({ currentPath, destinations }: { currentPath: string | undefined; destinations: readonly Destination[] }) {
  return (
    <Paper
      component="nav"
      aria-label="Main"
      elevation={0}
      square
      sx={(theme) => ({
        display: { xs: 'block', md: 'none' },
        position: 'fixed',
        left: 0,
        right: 0,
        bottom: 0,
        zIndex: theme.zIndex.appBar,
        borderTop: 1,
        borderColor: 'divider',
        pb: 'env(safe-area-inset-bottom)',
      })}
    >
      <BottomNavigation showLabels value={currentPath ?? false} sx={{ height: BOTTOM_BAR_HEIGHT }}>
        {destinations.map(({ path, label, icon: Icon }) => (
          <BottomNavigationAction
            key={path}
            component={RouterLink}
            to={path}
            value={path}
            label={label}
            icon={<Icon />}
            aria-current={path === currentPath ? 'page' : undefined}
            sx={{
              color: 'text.secondary',
              '&.Mui-selected': { color: 'primary.dark' },
              '& .MuiBottomNavigationAction-label': { fontSize: '0.75rem', fontWeight: 500, mt: 0.25 },
              '& .MuiBottomNavigationAction-label.Mui-selected': { fontSize: '0.75rem', fontWeight: 700 },
            }}
          />
        ))}
      </BottomNavigation>
    </Paper>
  );
}

/**
 * Moves focus to the new page's heading after a client-side navigation, so keyboard and screen
 * reader users land on the new content (the first render keeps the browser's normal focus).
 */
function useFocusOnNavigate(pathname: string) {
  const first = useRef(true);
  // Arriving from a sign-in or sign-up page is a navigation too, though the shell is new.
  const arrivedInApp = useNavigationType() !== 'POP';
  useEffect(() => {
    if (first.current) {
      first.current = false;
      if (!arrivedInApp) return;
    }
    window.scrollTo({ top: 0 });
    const target = document.querySelector<HTMLElement>(`#${MAIN_ID} [data-page-heading]`) ?? document.getElementById(MAIN_ID);
    target?.focus({ preventScroll: true });
  }, [pathname]); // only a new address moves focus (arrivedInApp matters on the first run alone)
}

/** The frame around every screen: skip link, app bar, navigation and the main landmark. */
export function AppShell({ children }: { children?: ReactNode }) {
  const { pathname } = useLocation();
  const { account } = useAuth();
  const destinations = destinationsFor(account?.role);
  const active = activeDestination(pathname);
  const current = active?.path;
  useFocusOnNavigate(pathname);

  return (
    <Box sx={{ display: 'flex', minHeight: '100dvh' }}>
      <SkipLink />
      <TopBar signedIn={Boolean(account)} />
      <SideNavigation currentPath={current} destinations={destinations} />
      <Box
        component="main"
        id={MAIN_ID}
        tabIndex={-1}
        sx={{
          flexGrow: 1,
          minWidth: 0,
          outline: 'none',
          pb: { xs: `calc(${BOTTOM_BAR_HEIGHT}px + env(safe-area-inset-bottom) + 24px)`, md: 5 },
        }}
      >
        <Toolbar />
        <Box sx={{ maxWidth: 1200, mx: 'auto', px: { xs: 2, sm: 3, md: 4 }, pt: { xs: 2, sm: 3, md: 4 } }}>
          {children ?? <Outlet />}
        </Box>
      </Box>
      <BottomNavigationBar currentPath={active?.phoneParent ?? current} destinations={bottomDestinations(destinations)} />
      {account && (
        <Suspense fallback={null}>
          <ExpenseQueueSync />
        </Suspense>
      )}
    </Box>
  );
}
