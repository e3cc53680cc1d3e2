import { useState } from 'react';
import { Link as RouterLink, useSearchParams } from 'react-router';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Link from '@mui/material/Link';
import Typography from '@mui/material/Typography';
import { apiPost } from '../../api.js';
import { EMAIL_PATTERN, Field, FormError, PublicHeading, useApiForm } from '../../components/forms.js';
import { MailIcon } from '../../components/icons.js';

export default function ForgotPasswordPage() {
  const [params] = useSearchParams();
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [sent, setSent] = useState<string | null>(null);
  const form = useApiForm();

  const submit = form.run(
    (): Record<string, string> => (EMAIL_PATTERN.test(email.trim()) ? {} : { email: 'Enter your e-mail address, like name@example.com' }),
    async () => {
      const answer = await apiPost<{ message: string }>('/api/v1/auth/forgot-password', { email: email.trim() }, { auth: false });
      setSent(answer.message);
    },
  );

  if (sent) {
    return (
      <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <MailIcon sx={{ fontSize: 48, color: 'primary.main' }} />
        <PublicHeading title="Check your e-mail" />
        <Alert severity="success" role="status" sx={{ mt: -2 }}>
          {sent}
        </Alert>
        <Typography>
          We sent it to <strong>{email.trim()}</strong> if that address has an account. No e-mail after a few minutes? Check your spam
          folder, or{' '}
          <Link component="button" type="button" onClick={() => setSent(null)} sx={{ verticalAlign: 'baseline', fontSize: 'inherit' }}>
            try another address
          </Link>
          .
        </Typography>
        <Button component={RouterLink} to="/sign-in" variant="outlined" sx={{ alignSelf: 'flex-start' }}>
          Back to sign in
        </Button>
      </Box>
    );
  }

  return (
    <>
      <PublicHeading title="Forgot your password?">
        Enter the e-mail address you sign in with. We will send you a link to choose a new password.
      </PublicHeading>
      <Box component="form" noValidate onSubmit={submit} sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
        <FormError error={form.error} />
        <Field
          label="E-mail"
          name="email"
          type="email"
          required
          autoComplete="email"
          {...form.bind('email', email, setEmail)}
        />
        <Button type="submit" variant="contained" size="large" fullWidth loading={form.pending}>
          Send reset link
        </Button>
      </Box>
      <Typography sx={{ mt: 3, textAlign: 'center' }}>
        Remembered it?{' '}
        <Link component={RouterLink} to="/sign-in">
          Back to sign in
        </Link>
      </Typography>
    </>
  );
}
