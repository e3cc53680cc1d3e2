import { useEffect, useRef, useState } from 'react';
import { Link as RouterLink, useSearchParams } from 'react-router';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Typography from '@mui/material/Typography';
import { ApiError, apiPost } from '../../api.js';
import { useAuth } from '../../auth/AuthProvider.js';
import { PublicHeading } from '../../components/forms.js';
import { CheckCircleIcon } from '../../components/icons.js';
import { LinkProblem } from './LinkProblem.js';

type State = { kind: 'checking' } | { kind: 'done'; message: string } | { kind: 'invalid' } | { kind: 'failed'; message: string };

/** /verify-email?token=… from the e-mail: confirms the address as soon as the page opens. */
export default function VerifyEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const { status, reloadAccount } = useAuth();
  const [state, setState] = useState<State>(token.length >= 20 ? { kind: 'checking' } : { kind: 'invalid' });
  const [attempt, setAttempt] = useState(0);
  const sent = useRef<string | null>(null);

  useEffect(() => {
    if (token.length < 20) return;
    // The token works once: never send it twice for one attempt (StrictMode runs effects twice).
    const key = `${token}:${attempt}`;
    if (sent.current === key) return;
    sent.current = key;
    apiPost<{ message: string }>('/api/v1/auth/verify-email', { token }, { auth: false }).then(
      (answer) => setState({ kind: 'done', message: answer.message }),
      (err: unknown) =>
        setState(
          err instanceof ApiError && err.status >= 400 && err.status < 500
            ? { kind: 'invalid' }
            : { kind: 'failed', message: err instanceof Error ? err.message : 'Something went wrong' },
        ),
    );
  }, [token, attempt]);

  useEffect(() => {
    if (state.kind === 'done' && status === 'signed-in') void reloadAccount().catch(() => undefined);
  }, [state.kind, status, reloadAccount]);

  if (state.kind === 'invalid') {
    return (
      <LinkProblem title="This confirmation link does not work">
        It may have expired or been used already. Sign in: if your address still needs confirming, the portal will offer to send a new link.
      </LinkProblem>
    );
  }
  if (state.kind === 'checking') {
    return (
      <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2, alignItems: 'flex-start' }}>
        <PublicHeading title="Confirming your e-mail address" />
        <CircularProgress aria-label="Confirming" size={32} />
      </Box>
    );
  }
  if (state.kind === 'failed') {
    return (
      <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2, alignItems: 'flex-start' }}>
        <PublicHeading title="Your address could not be confirmed" />
        <Typography role="alert">{state.message}</Typography>
        <Button variant="contained" onClick={() => { setState({ kind: 'checking' }); setAttempt((n) => n + 1); }}>
          Try again
        </Button>
      </Box>
    );
  }
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
      <CheckCircleIcon sx={{ fontSize: 48, color: 'success.main' }} />
      <PublicHeading title="E-mail address confirmed" />
      <Typography role="status" sx={{ mt: -2 }}>
        {state.message} Thank you.
      </Typography>
      <Button component={RouterLink} to={status === 'signed-in' ? '/' : '/sign-in'} variant="contained" size="large">
        {status === 'signed-in' ? 'Go to home' : 'Sign in'}
      </Button>
    </Box>
  );
}
