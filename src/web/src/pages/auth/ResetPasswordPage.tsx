import { useState } from 'react';
import { Link as RouterLink, useSearchParams } from 'react-router';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import { ApiError, apiPost } from '../../api.js';
import { FormError, MIN_PASSWORD_LENGTH, NewPasswordFields, PublicHeading, useApiForm } from '../../components/forms.js';
import { CheckCircleIcon } from '../../components/icons.js';
import { LinkProblem } from './LinkProblem.js';

/** /reset-password?token=… from the e-mail: choose a new password (every session then ends). */
export default function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const form = useApiForm();

  const submit = form.run(
    () => {
      const e: Record<string, string> = {};
      if (password.length < MIN_PASSWORD_LENGTH) e.password = `Use at least ${MIN_PASSWORD_LENGTH} characters`;
      else if (confirm !== password) e.confirm = 'The two passwords are not the same';
      return e;
    },
    async () => {
      const answer = await apiPost<{ message: string }>('/api/v1/auth/reset-password', { token, password }, { auth: false });
      setDone(answer.message);
    },
  );

  const invalidLink = !token || token.length < 20 || (form.error instanceof ApiError && form.error.problem?.type === 'invalid_token');
  if (invalidLink) {
    return (
      <LinkProblem
        title="This reset link does not work"
        action={
          <Button component={RouterLink} to="/forgot-password" variant="contained">
            Send a new link
          </Button>
        }
      >
        Reset links work once, for one hour. Ask for a new one and use the newest e-mail.
      </LinkProblem>
    );
  }

  if (done) {
    return (
      <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <CheckCircleIcon sx={{ fontSize: 48, color: 'success.main' }} />
        <PublicHeading title="Password changed" />
        <Alert severity="success" role="status" sx={{ mt: -2 }}>
          {done}
        </Alert>
        <Button component={RouterLink} to="/sign-in" variant="contained" size="large">
          Sign in
        </Button>
      </Box>
    );
  }

  return (
    <>
      <PublicHeading title="Choose a new password">For your security, you will be signed out everywhere and sign in again with the new password.</PublicHeading>
      <Box component="form" noValidate onSubmit={submit} sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
        <FormError error={form.error} />
        <NewPasswordFields form={form} name="password" password={password} confirm={confirm} onPassword={setPassword} onConfirm={setConfirm} />
        <Button type="submit" variant="contained" size="large" fullWidth loading={form.pending}>
          Save new password
        </Button>
      </Box>
    </>
  );
}
