import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import { api, apiGet, apiPost } from '../api.js';
import { useAccount } from '../auth/AuthProvider.js';
import { FormError, MIN_PASSWORD_LENGTH, NewPasswordFields, PasswordField, useApiForm } from '../components/forms.js';
import { DevicesIcon, KeyIcon, MailIcon, RefreshIcon } from '../components/icons.js';
import { Page } from '../components/Page.js';
import { TwoFactorCard } from './security/TwoFactorCard.js';

interface Session {
  id: string;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  remember_me: boolean;
  current: boolean;
}

/** "Chrome on Windows" from a user agent string; good enough to recognise one's own devices. */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const ua = userAgent;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\//.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /(Headless)?Chrom(e|ium)\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : null;
  const os = /iPhone|iPad|iPod/.test(ua)
    ? 'iOS'
    : /Android/.test(ua)
      ? 'Android'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /CrOS/.test(ua)
            ? 'ChromeOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : null;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? ua.slice(0, 40);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function SessionsCard() {
  const queryClient = useQueryClient();
  const sessions = useQuery({
    queryKey: ['auth', 'sessions'],
    queryFn: ({ signal }) => apiGet<{ data: Session[] }>('/api/v1/auth/sessions', { signal }),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api<void>(`/api/v1/auth/sessions/${id}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['auth', 'sessions'] }),
  });

  return (
    <Card component="section" aria-labelledby="sessions-title">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5 }}>
          <DevicesIcon sx={{ color: 'primary.main' }} />
          <Typography variant="h2" id="sessions-title" sx={{ fontSize: '1.25rem' }}>
            Where you are signed in
          </Typography>
        </Box>
        <Typography sx={{ color: 'text.secondary' }}>
          If you do not recognise a device, sign it out and change your password.
        </Typography>
        {revoke.isError && <FormError error={revoke.error} />}
        {sessions.isPending ? (
          <Box aria-busy="true" aria-label="Loading sessions" role="progressbar">
            {[0, 1].map((i) => (
              <Skeleton key={i} variant="rounded" height={72} sx={{ mb: 1 }} />
            ))}
          </Box>
        ) : sessions.isError ? (
          <Alert
            severity="error"
            action={
              <Button color="inherit" startIcon={<RefreshIcon />} onClick={() => void sessions.refetch()}>
                Try again
              </Button>
            }
          >
            Your sessions could not be loaded. {sessions.error.message}
          </Alert>
        ) : sessions.data.data.length === 0 ? (
          <Typography>No active sessions.</Typography>
        ) : (
          <Box component="ul" aria-label="Sessions" sx={{ listStyle: 'none', m: 0, p: 0, display: 'flex', flexDirection: 'column', gap: 1.5 }}>
            {sessions.data.data.map((s) => {
              const device = describeDevice(s.user_agent);
              return (
                <Box
                  component="li"
                  key={s.id}
                  sx={{
                    border: 1,
                    borderColor: s.current ? 'primary.main' : 'divider',
                    borderRadius: 2,
                    p: 2,
                    display: 'flex',
                    flexWrap: 'wrap',
                    alignItems: 'center',
                    gap: 2,
                  }}
                >
                  <Box sx={{ flex: '1 1 220px', minWidth: 0 }}>
                    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, flexWrap: 'wrap' }}>
                      <Typography sx={{ fontWeight: 600 }}>{device}</Typography>
                      {s.current && <Chip label="This device" size="small" color="primary" />}
                    </Box>
                    <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem' }}>
                      {s.ip ? `${s.ip} · ` : ''}Last active {dateTime.format(new Date(s.last_used_at))}
                    </Typography>
                    <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem' }}>
                      Signed in {dateTime.format(new Date(s.created_at))}
                      {s.remember_me ? ' · remembered for 30 days' : ''}
                    </Typography>
                  </Box>
                  {!s.current && (
                    <Button
                      variant="outlined"
                      color="error"
                      onClick={() => revoke.mutate(s.id)}
                      loading={revoke.isPending && revoke.variables === s.id}
                      aria-label={`Sign out ${device}, last active ${dateTime.format(new Date(s.last_used_at))}`}
                    >
                      Sign out
                    </Button>
                  )}
                </Box>
              );
            })}
          </Box>
        )}
      </CardContent>
    </Card>
  );
}

function ChangePasswordCard() {
  const queryClient = useQueryClient();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const form = useApiForm();

  const submit = form.run(
    () => {
      const e: Record<string, string> = {};
      if (!current) e.current_password = 'Enter your current password';
      if (next.length < MIN_PASSWORD_LENGTH) e.new_password = `Use at least ${MIN_PASSWORD_LENGTH} characters`;
      else if (next === current) e.new_password = 'Choose a password different from the current one';
      else if (confirm !== next) e.confirm = 'The two passwords are not the same';
      return e;
    },
    async () => {
      setDone(null);
      const answer = await apiPost<{ message: string }>('/api/v1/auth/change-password', { current_password: current, new_password: next });
      setDone(answer.message);
      setCurrent('');
      setNext('');
      setConfirm('');
      void queryClient.invalidateQueries({ queryKey: ['auth', 'sessions'] });
    },
  );

  return (
    <Card component="section" aria-labelledby="password-title">
      <CardContent>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, mb: 2 }}>
          <KeyIcon sx={{ color: 'primary.main' }} />
          <Typography variant="h2" id="password-title" sx={{ fontSize: '1.25rem' }}>
            Change password
          </Typography>
        </Box>
        <Box component="form" noValidate onSubmit={submit} sx={{ display: 'flex', flexDirection: 'column', gap: 2.5, maxWidth: 480 }}>
          {done && (
            <Alert severity="success" role="status">
              {done}
            </Alert>
          )}
          <FormError error={form.error} />
          <PasswordField
            label="Current password"
            name="current_password"
            required
            autoComplete="current-password"
            {...form.bind('current_password', current, setCurrent)}
          />
          <NewPasswordFields form={form} name="new_password" password={next} confirm={confirm} onPassword={setNext} onConfirm={setConfirm} />
          <Box>
            <Button type="submit" variant="contained" loading={form.pending}>
              Change password
            </Button>
          </Box>
        </Box>
      </CardContent>
    </Card>
  );
}

function VerifyEmailNotice() {
  const { user } = useAccount();
  const resend = useMutation({ mutationFn: () => apiPost<{ message: string }>('/api/v1/auth/resend-verification') });
  if (user.email_verified) return null;
  return (
    <Alert severity={resend.isSuccess ? 'success' : 'warning'} icon={<MailIcon />}>
      <Box role="status">
        {resend.isSuccess
          ? resend.data.message
          : resend.isError
            ? resend.error.message
            : `Your e-mail address ${user.email} is not confirmed yet. Confirm it so you can always reset your password.`}
      </Box>
      {!resend.isSuccess && (
        <Button variant="outlined" color="inherit" onClick={() => resend.mutate()} loading={resend.isPending} sx={{ mt: 1 }}>
          Send the confirmation link
        </Button>
      )}
    </Alert>
  );
}

export default function SecurityPage() {
  return (
    <Page title="Security" description="Your password, two-factor authentication and the devices where you are signed in.">
      <VerifyEmailNotice />
      <TwoFactorCard />
      <Box sx={{ display: 'grid', gap: 3, alignItems: 'start', gridTemplateColumns: { xs: 'minmax(0, 1fr)', md: 'minmax(0, 3fr) minmax(0, 2fr)' } }}>
        <SessionsCard />
        <ChangePasswordCard />
      </Box>
    </Page>
  );
}
