import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import { ApiError, apiPost } from '../../api.js';
import type { MfaChallenge, SignedIn, SignedInWithMfa } from '../../auth/types.js';
import { Field, FormError, PublicHeading, useApiForm } from '../../components/forms.js';
import { WarningIcon } from '../../components/icons.js';

/** Warn from this many unused backup codes down. */
export const LOW_BACKUP_CODES = 3;

const digitsOnly = (value: string) => value.replace(/[\s-]/g, '');

/**
 * The second step of signing in for an account with two-factor authentication: a code from the
 * authenticator app, or one of the backup codes. Used after the password on the sign-in page and
 * after an existing account's password on the invitation page (both answer `mfa_required`).
 *
 * `onRestart` goes back to the password: the step's token expired, was used up by wrong codes,
 * or the person asked to start over (`message` null).
 */
export function SecondFactorStep({
  challenge,
  rememberMe,
  onSignedIn,
  onRestart,
}: {
  challenge: MfaChallenge;
  /** What the first step asked for; the server remembers it when left out. */
  rememberMe?: boolean;
  onSignedIn: (payload: SignedIn) => void;
  onRestart: (message: string | null) => void;
}) {
  const backupAllowed = challenge.methods.includes('backup_code');
  const [useBackup, setUseBackup] = useState(false);
  const [code, setCode] = useState('');
  const [backupCode, setBackupCode] = useState('');
  // Signed in with a backup code and few are left: say so before going on.
  const [lowOnCodes, setLowOnCodes] = useState<{ payload: SignedIn; remaining: number } | null>(null);
  const form = useApiForm();

  const submit = form.run(
    (): Record<string, string> => {
      if (useBackup) {
        return /^[a-z0-9]{8}$/i.test(backupCode.replace(/[\s-]/g, '')) ? {} : { backup_code: 'Enter a backup code: 8 letters and digits, like k7mq-x3nd' };
      }
      return /^\d{6}$/.test(digitsOnly(code)) ? {} : { code: 'Enter the 6-digit code from your authenticator app' };
    },
    async () => {
      let answer: SignedInWithMfa;
      try {
        answer = await apiPost<SignedInWithMfa>(
          '/api/v1/auth/login/2fa',
          {
            mfa_token: challenge.mfa_token,
            ...(useBackup ? { backup_code: backupCode.trim() } : { code: digitsOnly(code) }),
            ...(rememberMe !== undefined ? { remember_me: rememberMe } : {}),
            use_cookie: true,
          },
          { auth: false },
        );
      } catch (err) {
        if (err instanceof ApiError && err.status === 401 && err.problem?.type === 'invalid_token') {
          onRestart('This sign-in took too long or had too many wrong codes. Enter your password again to get a new chance.');
          return;
        }
        throw err;
      }
      const { method: _method, backup_codes_remaining: remaining, ...payload } = answer;
      if (remaining !== undefined && remaining <= LOW_BACKUP_CODES) setLowOnCodes({ payload, remaining });
      else onSignedIn(payload);
    },
  );

  const tooMany = form.error instanceof ApiError && form.error.status === 429 ? form.error.problem?.retry_after : undefined;

  if (lowOnCodes) {
    const { remaining } = lowOnCodes;
    return (
      <>
        <PublicHeading title="You are running out of backup codes" />
        <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
          <Alert severity="warning" icon={<WarningIcon />} role="status">
            {remaining === 0
              ? 'That was your last backup code.'
              : `You have ${remaining} backup ${remaining === 1 ? 'code' : 'codes'} left.`}{' '}
            Make new ones on the Security page (in your account menu) so you can still sign in if you lose your phone.
          </Alert>
          <Button variant="contained" size="large" fullWidth autoFocus onClick={() => onSignedIn(lowOnCodes.payload)}>
            Continue
          </Button>
        </Box>
      </>
    );
  }

  return (
    <>
      <PublicHeading title="Two-step verification">
        {useBackup
          ? 'Enter one of the backup codes you saved when you turned on two-factor authentication. Each code works once.'
          : 'Open your authenticator app and enter the 6-digit code it shows for BIG Live Portal.'}
      </PublicHeading>
      <Box component="form" noValidate onSubmit={submit} sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
        <FormError error={form.error}>{tooMany ? ` Try again in ${tooMany} seconds.` : null}</FormError>
        {useBackup ? (
          <Field
            key="backup"
            label="Backup code"
            name="backup_code"
            required
            autoFocus
            autoComplete="off"
            inputProps={{ autoCapitalize: 'none', spellCheck: false, maxLength: 20 }}
            inputSx={{ fontFamily: 'monospace', fontSize: '1.125rem', letterSpacing: '0.08em' }}
            {...form.bind('backup_code', backupCode, setBackupCode)}
          />
        ) : (
          <Field
            key="code"
            label="6-digit code"
            name="code"
            required
            autoFocus
            autoComplete="one-time-code"
            inputProps={{ inputMode: 'numeric', pattern: '[0-9 ]*', maxLength: 7 }}
            inputSx={{ fontFamily: 'monospace', fontSize: '1.25rem', letterSpacing: '0.2em' }}
            {...form.bind('code', code, setCode)}
          />
        )}
        <Button type="submit" variant="contained" size="large" fullWidth loading={form.pending}>
          Verify and sign in
        </Button>
        <Box sx={{ display: 'flex', flexWrap: 'wrap', justifyContent: 'space-between', gap: 1 }}>
          {backupAllowed && (
            <Button
              onClick={() => {
                setUseBackup((v) => !v);
                form.setError(null);
              }}
            >
              {useBackup ? 'Use the authenticator app' : 'Use a backup code'}
            </Button>
          )}
          <Button color="secondary" onClick={() => onRestart(null)}>
            Start over
          </Button>
        </Box>
      </Box>
    </>
  );
}
