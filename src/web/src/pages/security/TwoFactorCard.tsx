import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { useTheme } from '@mui/material/styles';
import { ApiError, apiGet, apiPost } from '../../api.js';
import { useAccount, useAuth } from '../../auth/AuthProvider.js';
import { twoFactorKey, type TwoFactorSetup, type TwoFactorStatus } from '../../auth/types.js';
import { ErrorWithRetry } from '../../components/ErrorWithRetry.js';
import { Field, FormError, PasswordField, useApiForm } from '../../components/forms.js';
import { VerifiedUserIcon, WarningIcon } from '../../components/icons.js';
import { LOW_BACKUP_CODES } from '../auth/SecondFactorStep.js';
import { BackupCodesPanel, TwoFactorEnrolment, useStartTwoFactorSetup } from './TwoFactorEnrolment.js';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

type StepUpAction = 'disable' | 'regenerate';

const STEP_UP = {
  disable: {
    title: 'Turn off two-factor authentication?',
    text: 'Signing in will need only your password again. Your backup codes stop working.',
    button: 'Turn off',
    path: '/api/v1/auth/2fa/disable',
  },
  regenerate: {
    title: 'Make new backup codes?',
    text: 'You get 10 new codes; the ones you have now stop working.',
    button: 'Make new codes',
    path: '/api/v1/auth/2fa/backup-codes',
  },
} as const;

/**
 * Password plus a current code (from the app, or a backup code) before two-factor is turned off
 * or the backup codes are replaced. A wrong one is shown at its field; it is not a sign that the
 * session ended (api.ts does not refresh on `invalid_credentials`).
 */
function StepUpDialog({
  action,
  required,
  onClose,
  onDone,
}: {
  action: StepUpAction;
  required: boolean;
  onClose: () => void;
  onDone: (codes: string[] | null) => void;
}) {
  const theme = useTheme();
  const fullScreen = useMediaQuery(theme.breakpoints.down('sm'));
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const form = useApiForm();
  const copy = STEP_UP[action];

  const submit = form.run(
    () => ({
      ...(password ? {} : { password: 'Enter your password' }),
      ...(code.trim().length >= 6 ? {} : { code: 'Enter the code from your app, or a backup code' }),
    }),
    async () => {
      const answer = await apiPost<{ backup_codes?: string[] }>(copy.path, { password, code: code.trim() });
      onDone(answer.backup_codes ?? null);
    },
  );
  const wait = form.error instanceof ApiError && form.error.status === 429 ? form.error.problem?.retry_after : undefined;

  return (
    <Dialog open onClose={form.pending ? undefined : onClose} fullScreen={fullScreen} fullWidth maxWidth="xs" aria-labelledby="step-up-title" aria-describedby="step-up-text">
      <Box component="form" noValidate onSubmit={submit} sx={{ display: 'contents' }}>
        <DialogTitle id="step-up-title">{copy.title}</DialogTitle>
        <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2.5, pt: '8px !important' }}>
          <Typography id="step-up-text" sx={{ color: 'text.secondary' }}>
            {copy.text} To confirm it is you, enter your password and a code.
          </Typography>
          {action === 'disable' && required && (
            <Alert severity="warning" icon={<WarningIcon />}>
              Your organization requires two-factor authentication for your role: you will have to set it up again before you can use the portal.
            </Alert>
          )}
          <FormError error={form.error}>{wait ? ` Try again in ${Math.ceil(wait / 60)} minutes.` : null}</FormError>
          <PasswordField label="Password" name="password" required autoFocus autoComplete="current-password" {...form.bind('password', password, setPassword)} />
          <Field
            label="Code from your app, or a backup code"
            name="code"
            required
            autoComplete="one-time-code"
            inputProps={{ autoCapitalize: 'none', spellCheck: false, maxLength: 20 }}
            inputSx={{ fontFamily: 'monospace' }}
            {...form.bind('code', code, setCode)}
          />
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2, gap: 1, flexWrap: 'wrap' }}>
          <Button onClick={onClose} disabled={form.pending}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" color={action === 'disable' ? 'error' : 'primary'} loading={form.pending}>
            {copy.button}
          </Button>
        </DialogActions>
      </Box>
    </Dialog>
  );
}

/** Two-factor on the Security page: status, enrolment, new backup codes, turning it off. */
export function TwoFactorCard() {
  const account = useAccount();
  const { twoFactorDisabled } = useAuth();
  const status = useQuery({
    queryKey: twoFactorKey(account),
    queryFn: ({ signal }) => apiGet<TwoFactorStatus>('/api/v1/auth/2fa', { signal }),
  });
  const start = useStartTwoFactorSetup();
  const [setup, setSetup] = useState<TwoFactorSetup | null>(null);
  const [newCodes, setNewCodes] = useState<string[] | null>(null);
  const [dialog, setDialog] = useState<StepUpAction | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const on = Boolean(status.data?.enabled);
  let body;
  if (setup) {
    body = (
      <TwoFactorEnrolment
        setup={setup}
        onCancel={() => setSetup(null)}
        onDone={() => {
          setSetup(null);
          setNotice('Two-factor authentication is on. From now on you sign in with your password and a code.');
        }}
      />
    );
  } else if (newCodes) {
    body = (
      <BackupCodesPanel
        codes={newCodes}
        intro={
          <Alert severity="success" role="status">
            Here are your new backup codes. The old ones no longer work.
          </Alert>
        }
        onDone={() => setNewCodes(null)}
      />
    );
  } else if (status.isPending) {
    body = (
      <Box role="progressbar" aria-label="Loading two-factor status" aria-busy="true">
        <Skeleton variant="text" sx={{ width: '80%' }} />
        <Skeleton variant="rounded" height={44} width={240} sx={{ mt: 1 }} />
      </Box>
    );
  } else if (status.isError) {
    body = <ErrorWithRetry message={`The two-factor status could not be loaded. ${status.error.message}`} onRetry={() => void status.refetch()} />;
  } else if (!status.data.enabled) {
    body = (
      <>
        {status.data.required_by_organization && (
          <Alert severity="warning" icon={<WarningIcon />}>
            Your organization requires two-factor authentication for your role.
          </Alert>
        )}
        <Typography sx={{ color: 'text.secondary', maxWidth: '65ch' }}>
          Protect your account with a second step at sign-in: a code from an authenticator app on your phone. Someone who learns your
          password still cannot sign in without it.
        </Typography>
        <FormError error={start.error} />
        <Box>
          <Button variant="contained" loading={start.isPending} onClick={() => start.mutate(undefined, { onSuccess: (answer) => { setNotice(null); setSetup(answer); } })}>
            Set up two-factor authentication
          </Button>
        </Box>
      </>
    );
  } else {
    const left = status.data.backup_codes_remaining;
    body = (
      <>
        <Typography sx={{ color: 'text.secondary', maxWidth: '65ch' }}>
          You sign in with your password and a code from your authenticator app
          {status.data.enabled_at ? ` (on since ${dateFormat.format(new Date(status.data.enabled_at))})` : ''}.
        </Typography>
        {left <= LOW_BACKUP_CODES ? (
          <Alert severity="warning" icon={<WarningIcon />}>
            {left === 0 ? 'You have no backup codes left.' : `Only ${left} backup ${left === 1 ? 'code' : 'codes'} left.`} Make new ones so you can still sign in
            if you lose your phone.
          </Alert>
        ) : (
          <Typography>
            Backup codes left: <strong>{left}</strong> of 10
          </Typography>
        )}
        <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap' }}>
          <Button variant="outlined" onClick={() => { setNotice(null); setDialog('regenerate'); }}>
            Make new backup codes
          </Button>
          <Button variant="outlined" color="error" onClick={() => { setNotice(null); setDialog('disable'); }}>
            Turn off
          </Button>
        </Box>
      </>
    );
  }

  return (
    <Card component="section" aria-labelledby="two-factor-title">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        {/* The title wraps within its own line on phones; icon and chip stay beside it. */}
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5 }}>
          <VerifiedUserIcon sx={{ color: 'primary.main', flexShrink: 0 }} />
          <Typography variant="h2" id="two-factor-title" sx={{ fontSize: '1.25rem', minWidth: 0 }}>
            Two-factor authentication
          </Typography>
          {status.isSuccess && !setup && <Chip size="small" label={on ? 'On' : 'Off'} color={on ? 'success' : 'default'} sx={{ flexShrink: 0 }} />}
        </Box>
        {notice && (
          <Alert severity="success" role="status" onClose={() => setNotice(null)}>
            {notice}
          </Alert>
        )}
        {body}
      </CardContent>
      {dialog && (
        <StepUpDialog
          action={dialog}
          required={Boolean(status.data?.required_by_organization)}
          onClose={() => setDialog(null)}
          onDone={(codes) => {
            setDialog(null);
            if (codes) setNewCodes(codes);
            else setNotice('Two-factor authentication is off.');
            void (dialog === 'disable' ? twoFactorDisabled() : status.refetch());
          }}
        />
      )}
    </Card>
  );
}
