import { useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { apiGet } from '../api.js';
import { useAccount, useAuth } from '../auth/AuthProvider.js';
import { safeNext } from '../auth/session.js';
import { ROLE_LABEL, twoFactorKey, type TwoFactorSetup, type TwoFactorStatus } from '../auth/types.js';
import { ErrorWithRetry } from '../components/ErrorWithRetry.js';
import { FormError, PublicHeading } from '../components/forms.js';
import { LogoutIcon } from '../components/icons.js';
import { PageSkeleton } from '../components/PageSkeleton.js';
import { TwoFactorEnrolment, useStartTwoFactorSetup } from './security/TwoFactorEnrolment.js';

/**
 * Enrolment the organization requires (`require_2fa_roles`): until two-factor is on, every other
 * screen sends the person here (see RequireTwoFactorEnrolment) and the API answers 403. No app
 * navigation on this page; signing out is the only other way.
 */
export default function TwoFactorSetupPage() {
  const account = useAccount();
  const { mfaEnrolmentRequired, signOut } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const status = useQuery({
    queryKey: twoFactorKey(account),
    queryFn: ({ signal }) => apiGet<TwoFactorStatus>('/api/v1/auth/2fa', { signal }),
  });
  const start = useStartTwoFactorSetup();
  const [setup, setSetup] = useState<TwoFactorSetup | null>(null);
  // Once two-factor is on the requirement is met, but the backup codes must stay on screen.
  const [enrolledHere, setEnrolledHere] = useState(false);

  if (!mfaEnrolmentRequired && !enrolledHere) {
    if (status.isPending && !account.user.totp_enabled) return <PageSkeleton />;
    if (status.isError && !account.user.totp_enabled) {
      return <ErrorWithRetry message={`Your two-factor status could not be loaded. ${status.error.message}`} onRetry={() => void status.refetch()} />;
    }
    return <Navigate to={next} replace />;
  }

  return (
    <>
      <PublicHeading title="Set up two-factor authentication">
        {account.organization.name} asks every {ROLE_LABEL[account.role].toLowerCase()} to sign in with a second step: a code from an
        authenticator app on your phone. Set it up now to continue; it takes about two minutes.
      </PublicHeading>
      {setup ? (
        <TwoFactorEnrolment
          setup={setup}
          headingLevel="h2"
          onCancel={() => setSetup(null)}
          onEnabled={() => setEnrolledHere(true)}
          onDone={() => void navigate(next, { replace: true })}
        />
      ) : (
        <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
          <Box component="ol" sx={{ m: 0, pl: 3, display: 'flex', flexDirection: 'column', gap: 1 }}>
            <li>Install an authenticator app on your phone, if you have none yet.</li>
            <li>Scan the QR code we show you, then enter the code the app shows.</li>
            <li>Save your backup codes for the day you lose your phone.</li>
          </Box>
          <FormError error={start.error} />
          <Button variant="contained" size="large" fullWidth loading={start.isPending} onClick={() => start.mutate(undefined, { onSuccess: setSetup })}>
            Start
          </Button>
        </Box>
      )}
      <Box sx={{ mt: 4, pt: 2, borderTop: 1, borderColor: 'divider', display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 1, flexWrap: 'wrap' }}>
        <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem', overflowWrap: 'anywhere' }}>Signed in as {account.user.email}</Typography>
        <Button color="secondary" startIcon={<LogoutIcon />} onClick={() => void signOut()}>
          Sign out
        </Button>
      </Box>
    </>
  );
}
