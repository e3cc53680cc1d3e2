import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link as RouterLink, useNavigate, useSearchParams } from 'react-router';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Link from '@mui/material/Link';
import Typography from '@mui/material/Typography';
import { ApiError, apiPost } from '../../api.js';
import { useAuth } from '../../auth/AuthProvider.js';
import { ROLE_LABEL, type MfaChallenge, type Role, type SignedIn } from '../../auth/types.js';
import { Field, FormError, MIN_PASSWORD_LENGTH, PasswordField, PasswordRules, PublicHeading, useApiForm } from '../../components/forms.js';
import { LinkProblem } from './LinkProblem.js';
import { SecondFactorStep } from './SecondFactorStep.js';

interface InvitationPreview {
  organization_name: string;
  email: string;
  role: Role;
  first_name: string | null;
  last_name: string | null;
  expires_at: string;
  existing_account: boolean;
}

/**
 * /accept-invitation?token=… from the invitation e-mail (or a link an administrator passed on):
 * a new person chooses a name and password; someone who already has an account (in another
 * organization) enters that account's password to join.
 */
export default function AcceptInvitationPage() {
  const { signedIn } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [password, setPassword] = useState('');
  const [existingAccount, setExistingAccount] = useState(false);
  // An existing account with two-factor: the membership exists now; the code completes the sign-in.
  const [challenge, setChallenge] = useState<MfaChallenge | null>(null);
  // Set once the invitation is used: signing in clears the query cache, and asking again would
  // only fetch "invalid link" for a link that has just done its job.
  const [used, setUsed] = useState(false);
  const form = useApiForm();
  // Who invites, for which address and role: shown before anyone types (POST keeps the token out of logs).
  const preview = useQuery({
    queryKey: ['invitation-preview', token],
    enabled: token.length >= 20 && !used,
    retry: false,
    staleTime: Infinity,
    queryFn: () => apiPost<InvitationPreview>('/api/v1/auth/invitations/preview', { token }, { auth: false }),
  });
  useEffect(() => {
    if (!preview.data) return;
    setExistingAccount(preview.data.existing_account);
    setFirstName((v) => v || preview.data.first_name || '');
    setLastName((v) => v || preview.data.last_name || '');
  }, [preview.data]);

  const finish = (payload: SignedIn) => {
    setUsed(true);
    signedIn(payload);
    void navigate('/', { replace: true });
  };

  const submit = form.run(
    () => {
      const e: Record<string, string> = {};
      if (!existingAccount) {
        if (!firstName.trim()) e.first_name = 'Enter your first name';
        if (!lastName.trim()) e.last_name = 'Enter your last name';
        if (password.length < MIN_PASSWORD_LENGTH) e.password = `Use at least ${MIN_PASSWORD_LENGTH} characters`;
      } else if (!password) e.password = 'Enter the password of your account';
      return e;
    },
    async () => {
      try {
        const payload = await apiPost<SignedIn | MfaChallenge>(
          '/api/v1/auth/register',
          {
            invitation_token: token,
            password,
            ...(existingAccount ? {} : { first_name: firstName.trim(), last_name: lastName.trim() }),
            use_cookie: true,
          },
          { auth: false },
        );
        if ('mfa_required' in payload) {
          setUsed(true);
          setPassword('');
          setChallenge(payload);
          return;
        }
        finish(payload);
      } catch (err) {
        if (err instanceof ApiError && err.problem?.type === 'email_exists' && !existingAccount) {
          // Not a failure: this person has an account already and proves it with its password.
          setExistingAccount(true);
          setPassword('');
          return;
        }
        throw err;
      }
    },
  );

  if (challenge) {
    return (
      <SecondFactorStep
        challenge={challenge}
        onSignedIn={finish}
        // The invitation is used up by now (the membership was created): what is left is an ordinary sign-in.
        onRestart={(message) =>
          void navigate('/sign-in', { replace: true, state: { notice: `You have joined the organization. ${message ?? 'Sign in to continue.'}` } })
        }
      />
    );
  }

  const refused = (err: unknown) => err instanceof ApiError && err.problem?.type === 'invalid_token';
  const invalidLink = !token || token.length < 20 || refused(form.error) || refused(preview.error);
  if (invalidLink) {
    return (
      <LinkProblem title="This invitation link does not work">
        It may have expired, been revoked or already used. Ask the administrator who invited you to send a new invitation.
        If you have joined already, sign in instead.
      </LinkProblem>
    );
  }

  return (
    <>
      <PublicHeading title="Join your organization">
        {preview.data
          ? `${preview.data.organization_name} invites ${preview.data.email} to join as ${ROLE_LABEL[preview.data.role].toLowerCase()}. `
          : 'You have been invited to the BIG Live Portal. '}
        {existingAccount ? 'Enter the password of your account to add this organization to it.' : 'Tell us your name and choose a password to finish setting up your account.'}
      </PublicHeading>
      <Box component="form" noValidate onSubmit={submit} sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
        {existingAccount && (
          <Alert severity="info" role="status">
            There is already an account with the e-mail address this invitation was sent to. Enter its password to add the new organization to it.
          </Alert>
        )}
        <FormError error={form.error} />
        {!existingAccount && (
          <Box sx={{ display: 'grid', gap: 2.5, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' } }}>
            <Field
              label="First name"
              name="first_name"
              required
              autoComplete="given-name"
              {...form.bind('first_name', firstName, setFirstName)}
            />
            <Field
              label="Last name"
              name="last_name"
              required
              autoComplete="family-name"
              {...form.bind('last_name', lastName, setLastName)}
            />
          </Box>
        )}
        <PasswordField
          label={existingAccount ? 'Password of your account' : 'Choose a password'}
          name="password"
          required
          autoFocus={existingAccount}
          autoComplete={existingAccount ? 'current-password' : 'new-password'}
          {...form.bind('password', password, setPassword)}
          describedBy={existingAccount ? undefined : 'invite-password-rules'}
        />
        {existingAccount ? (
          <Link component={RouterLink} to="/forgot-password" sx={{ mt: -1, alignSelf: 'flex-start', minHeight: 44, display: 'inline-flex', alignItems: 'center' }}>
            Forgot your password?
          </Link>
        ) : (
          <PasswordRules id="invite-password-rules" password={password} />
        )}
        <Button type="submit" variant="contained" size="large" fullWidth loading={form.pending}>
          {existingAccount ? 'Join organization' : 'Create account'}
        </Button>
      </Box>
      <Typography sx={{ mt: 3, textAlign: 'center' }}>
        Already joined?{' '}
        <Link component={RouterLink} to="/sign-in">
          Sign in
        </Link>
      </Typography>
    </>
  );
}
