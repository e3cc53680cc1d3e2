import { useState } from 'react';
import { Link as RouterLink, useLocation, useNavigate, useSearchParams } from 'react-router';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import Link from '@mui/material/Link';
import Typography from '@mui/material/Typography';
import { ApiError, apiPost } from '../../api.js';
import { useAuth } from '../../auth/AuthProvider.js';
import { safeNext } from '../../auth/session.js';
import type { MfaChallenge, SignedIn } from '../../auth/types.js';
import { EMAIL_PATTERN, Field, FormError, PasswordField, PublicHeading, useApiForm } from '../../components/forms.js';
import { SecondFactorStep } from './SecondFactorStep.js';
import { SingleSignOnOption, SSO_ERROR_MESSAGE } from './SingleSignOnOption.js';

const REASON_MESSAGE = {
  idle: 'You were signed out after 30 minutes without activity. Sign in again to continue.',
  expired: 'Your session has ended. Sign in again to continue.',
} as const;

export default function SignInPage() {
  const { signedIn, signOutReason } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [password, setPassword] = useState('');
  const [rememberMe, setRememberMe] = useState(false);
  // Accounts with two-factor: the password was right, the code comes next.
  const [challenge, setChallenge] = useState<MfaChallenge | null>(null);
  // Why the person is back at the password (from the code step, or another page such as the invitation).
  const location = useLocation();
  const [notice, setNotice] = useState<string | null>(() => (location.state as { notice?: string } | null)?.notice ?? null);
  const form = useApiForm();

  const finish = (payload: SignedIn) => {
    signedIn(payload);
    void navigate(next, { replace: true });
  };

  const submit = form.run(
    () => ({
      ...(EMAIL_PATTERN.test(email.trim()) ? {} : { email: 'Enter your e-mail address, like name@example.com' }),
      ...(password ? {} : { password: 'Enter your password' }),
    }),
    async () => {
      setNotice(null);
      const payload = await apiPost<SignedIn | MfaChallenge>(
        '/api/v1/auth/login',
        { email: email.trim(), password, remember_me: rememberMe, use_cookie: true },
        { auth: false },
      );
      if ('mfa_required' in payload) {
        setPassword('');
        setChallenge(payload);
        return;
      }
      finish(payload);
    },
  );

  if (challenge) {
    return (
      <SecondFactorStep
        challenge={challenge}
        rememberMe={rememberMe}
        onSignedIn={finish}
        onRestart={(message) => {
          setChallenge(null);
          setNotice(message);
        }}
      />
    );
  }

  const error = form.error;
  const tooMany = error instanceof ApiError && error.status === 429;
  const wait = tooMany ? error.problem?.retry_after : undefined;
  const reason = signOutReason === 'idle' || signOutReason === 'expired' ? REASON_MESSAGE[signOutReason] : null;
  const ssoError = params.get('sso_error');

  return (
    <>
      <PublicHeading title="Sign in">Welcome back. Sign in with the e-mail address your organization invited.</PublicHeading>
      <Box component="form" noValidate onSubmit={submit} sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
        {notice && !error && (
          <Alert severity="warning" role="status">
            {notice}
          </Alert>
        )}
        {reason && !notice && !error && <Alert severity="info">{reason}</Alert>}
        {ssoError && !error && <Alert severity="error">{SSO_ERROR_MESSAGE[ssoError] ?? SSO_ERROR_MESSAGE.sso_failed}</Alert>}
        <FormError error={error}>
          {tooMany && wait ? ` Try again in ${wait} seconds.` : null}
        </FormError>
        <Field
          label="E-mail"
          name="email"
          type="email"
          autoComplete="username"
          required
          {...form.bind('email', email, setEmail)}
        />
        <PasswordField
          label="Password"
          name="password"
          autoComplete="current-password"
          required
          autoFocus={Boolean(notice)}
          {...form.bind('password', password, setPassword)}
        />
        <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', flexWrap: 'wrap', gap: 1, mt: -1 }}>
          <FormControlLabel
            control={<Checkbox checked={rememberMe} onChange={(e) => setRememberMe(e.target.checked)} name="remember_me" />}
            label="Keep me signed in for 30 days"
            sx={{ minHeight: 44, mr: 0 }}
          />
          <Link component={RouterLink} to={`/forgot-password${email ? `?email=${encodeURIComponent(email.trim())}` : ''}`} sx={{ minHeight: 44, display: 'inline-flex', alignItems: 'center' }}>
            Forgot password?
          </Link>
        </Box>
        <Button type="submit" variant="contained" size="large" fullWidth loading={form.pending}>
          Sign in
        </Button>
      </Box>
      <SingleSignOnOption next={next} rememberMe={rememberMe} />
      <Typography sx={{ mt: 3, textAlign: 'center' }}>
        New organization?{' '}
        <Link component={RouterLink} to="/sign-up">
          Create an account
        </Link>
      </Typography>
      <Typography sx={{ mt: 1, textAlign: 'center', color: 'text.secondary', fontSize: '0.875rem' }}>
        Joining an existing organization? Use the link in your invitation e-mail.
      </Typography>
    </>
  );
}
