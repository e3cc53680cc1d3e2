import type { ReactNode } from 'react';
import { Navigate, useLocation, useSearchParams } from 'react-router';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Typography from '@mui/material/Typography';
import { LogoMark } from '../components/icons.js';
import { PageSkeleton } from '../components/PageSkeleton.js';
import { safeNext } from './session.js';
import { useAuth } from './AuthProvider.js';
import type { Role } from './types.js';

/** Full-screen placeholder while the start-up refresh decides whether someone is signed in. */
export function AuthSplash() {
  const { status, retry } = useAuth();
  return (
    <Box
      component="main"
      sx={{ minHeight: '100dvh', display: 'grid', placeItems: 'center', p: 3, textAlign: 'center', bgcolor: 'background.default' }}
    >
      <Box sx={{ display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 2, maxWidth: 360 }}>
        <LogoMark sx={{ fontSize: 56, '& rect': { fill: '#1976D2' }, '& path': { fill: '#FFFFFF' } }} />
        {status === 'unreachable' ? (
          <>
            <Typography component="h1" variant="h4">
              The portal cannot be reached
            </Typography>
            <Typography sx={{ color: 'text.secondary' }}>Check your connection, then try again.</Typography>
            <Button variant="contained" onClick={retry}>
              Try again
            </Button>
          </>
        ) : (
          <>
            <CircularProgress aria-label="Signing you in" size={32} />
            <Typography sx={{ color: 'text.secondary' }}>Loading…</Typography>
          </>
        )}
      </Box>
    </Box>
  );
}

/**
 * Screens for signed-in people only. Everyone else goes to the sign-in page, which brings them
 * back here afterwards (`?next=`), unless they signed out on purpose.
 */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { status, signOutReason } = useAuth();
  const location = useLocation();
  if (status === 'loading' || status === 'unreachable') return <AuthSplash />;
  if (status === 'signed-out') {
    const here = `${location.pathname}${location.search}${location.hash}`;
    const next = signOutReason === 'requested' || here === '/' ? '' : `?next=${encodeURIComponent(here)}`;
    return <Navigate to={`/sign-in${next}`} replace />;
  }
  return children;
}

/** Public pages such as sign-in: people who are signed in already go on to where they wanted to be. */
export function RedirectIfSignedIn({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  const [params] = useSearchParams();
  if (status === 'loading') return <PageSkeleton />;
  if (status === 'signed-in') return <Navigate to={safeNext(params.get('next'))} replace />;
  return children;
}

/** Whether the signed-in person holds one of `roles` in the current organization. */
export function useHasRole(roles: readonly Role[]): boolean {
  const { account } = useAuth();
  return Boolean(account && roles.includes(account.role));
}

export const TWO_FACTOR_SETUP_PATH = '/two-factor-setup';

/**
 * While the organization requires two-factor for the person's role and it is not on, every
 * signed-in screen sends them to enrolment (and back here afterwards).
 */
export function RequireTwoFactorEnrolment({ children }: { children: ReactNode }) {
  const { mfaEnrolmentRequired } = useAuth();
  const location = useLocation();
  if (mfaEnrolmentRequired) {
    const here = `${location.pathname}${location.search}${location.hash}`;
    const next = here === '/' ? '' : `?next=${encodeURIComponent(here)}`;
    return <Navigate to={`${TWO_FACTOR_SETUP_PATH}${next}`} replace />;
  }
  return children;
}
