import { useRef, useState, type ReactNode } from 'react';
import { useMutation } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import Typography from '@mui/material/Typography';
import { apiPost } from '../../api.js';
import { useAccount, useAuth } from '../../auth/AuthProvider.js';
import type { TwoFactorEnabled, TwoFactorSetup } from '../../auth/types.js';
import { copyText, saveBlob } from '../../components/files.js';
import { Field, FormError, useApiForm } from '../../components/forms.js';
import { CheckCircleIcon, CopyIcon, DownloadIcon, OpenInNewIcon } from '../../components/icons.js';

type HeadingLevel = 'h2' | 'h3';

/** POST /auth/2fa/setup: a new secret and its QR code (replacing one set up but never confirmed). */
export function useStartTwoFactorSetup() {
  return useMutation({ mutationFn: () => apiPost<TwoFactorSetup>('/api/v1/auth/2fa/setup') });
}

/** The secret in groups of four, as authenticator apps show it and people type it. */
const grouped = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

/**
 * Enrolment after setup: scan the QR code (or type the key), confirm with a code, then the backup
 * codes, shown once. Used by the Security page and by the enrolment an organization requires.
 * `onEnabled` runs when two-factor is on (the codes are still on screen); `onDone` after the
 * person confirmed they saved the codes.
 */
export function TwoFactorEnrolment({
  setup,
  onCancel,
  onEnabled,
  onDone,
  headingLevel = 'h3',
}: {
  setup: TwoFactorSetup;
  onCancel?: () => void;
  onEnabled?: () => void;
  onDone: () => void;
  headingLevel?: HeadingLevel;
}) {
  const { twoFactorEnabled } = useAuth();
  const [code, setCode] = useState('');
  const [enabled, setEnabled] = useState<TwoFactorEnabled | null>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const form = useApiForm();

  const submit = form.run(
    (): Record<string, string> => (/^\d{6}$/.test(code.replace(/\s/g, '')) ? {} : { code: 'Enter the 6-digit code your app shows now' }),
    async () => {
      const answer = await apiPost<TwoFactorEnabled>('/api/v1/auth/2fa/enable', { code: code.replace(/\s/g, '') });
      onEnabled?.();
      setEnabled(answer);
      await twoFactorEnabled(answer);
    },
  );

  if (enabled) {
    return (
      <BackupCodesPanel
        codes={enabled.backup_codes}
        headingLevel={headingLevel}
        onDone={onDone}
        intro={
          <Alert severity="success" icon={<CheckCircleIcon />} role="status">
            Two-factor authentication is on.
            {enabled.other_sessions_ended > 0
              ? ` We signed you out on ${enabled.other_sessions_ended} other ${enabled.other_sessions_ended === 1 ? 'device' : 'devices'}; sign in there again with a code.`
              : ''}
          </Alert>
        }
      />
    );
  }

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 3 }}>
      <Box component="section" aria-labelledby="enrol-step-1" sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Typography component={headingLevel} id="enrol-step-1" sx={{ fontSize: '1.125rem', fontWeight: 600 }}>
          1. Add the portal to your authenticator app
        </Typography>
        <Typography sx={{ color: 'text.secondary' }}>
          Use an app such as Google Authenticator, Microsoft Authenticator, 1Password or Authy. Scan this QR code with it:
        </Typography>
        <Box sx={{ display: 'flex', gap: 3, flexDirection: { xs: 'column', sm: 'row' }, alignItems: { xs: 'stretch', sm: 'flex-start' } }}>
          {/* A phone cannot scan its own screen: there the otpauth link, which opens the app, comes first. */}
          <Button
            component="a"
            href={setup.otpauth_url}
            variant="contained"
            startIcon={<OpenInNewIcon />}
            sx={{ display: { xs: 'inline-flex', sm: 'none' } }}
          >
            Open in the authenticator app on this phone
          </Button>
          <Box
            component="img"
            src={setup.qr_code_data_url}
            alt={`QR code that adds ${setup.issuer} (${setup.account}) to an authenticator app`}
            width={192}
            height={192}
            sx={{ alignSelf: 'center', flexShrink: 0, border: 1, borderColor: 'divider', borderRadius: 2, bgcolor: 'common.white', imageRendering: 'pixelated' }}
          />
          <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1.5, minWidth: 0 }}>
            <Typography sx={{ fontWeight: 600 }}>Cannot scan it? Enter this key in the app instead:</Typography>
            <Field
              label="Setup key"
              name="setup_key"
              value={grouped(setup.secret)}
              // Wraps on phones instead of hiding the end of the key.
              multiline
              inputProps={{ readOnly: true, spellCheck: false }}
              inputSx={{ fontFamily: 'monospace', fontSize: '1.0625rem', letterSpacing: '0.04em' }}
              onFocus={(e) => e.target.select()}
            />
            <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, flexWrap: 'wrap' }}>
              <Button
                variant="outlined"
                startIcon={copied === 'yes' ? <CheckCircleIcon /> : <CopyIcon />}
                onClick={async () => setCopied((await copyText(setup.secret, null)) ? 'yes' : 'no')}
              >
                {copied === 'yes' ? 'Key copied' : 'Copy key'}
              </Button>
              <Typography role="status" sx={{ fontSize: '0.875rem', color: copied === 'no' ? 'error.dark' : 'text.secondary' }}>
                {copied === 'no' ? 'Copying did not work here: select the key and copy it.' : ''}
              </Typography>
            </Box>
            <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary', overflowWrap: 'anywhere' }}>
              Account: {setup.account} · time-based · {setup.digits} digits · every {setup.period} seconds
            </Typography>
          </Box>
        </Box>
      </Box>

      <Box component="section" aria-labelledby="enrol-step-2">
        <Typography component={headingLevel} id="enrol-step-2" sx={{ fontSize: '1.125rem', fontWeight: 600, mb: 2 }}>
          2. Enter the code the app shows
        </Typography>
        <Box component="form" noValidate onSubmit={submit} sx={{ display: 'flex', flexDirection: 'column', gap: 2.5, maxWidth: 400 }}>
          <FormError error={form.error} />
          <Field
            label="6-digit code"
            name="code"
            required
            autoComplete="one-time-code"
            inputProps={{ inputMode: 'numeric', pattern: '[0-9 ]*', maxLength: 7 }}
            inputSx={{ fontFamily: 'monospace', fontSize: '1.25rem', letterSpacing: '0.2em' }}
            helperText="The code changes every 30 seconds; enter the one shown now."
            {...form.bind('code', code, setCode)}
          />
          <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap' }}>
            <Button type="submit" variant="contained" loading={form.pending}>
              Turn on two-factor authentication
            </Button>
            {onCancel && (
              <Button onClick={onCancel} disabled={form.pending}>
                Cancel
              </Button>
            )}
          </Box>
        </Box>
      </Box>
    </Box>
  );
}

/**
 * The backup codes, shown once: copy, download as a text file, and an explicit "I saved them"
 * before the screen lets go of them.
 */
export function BackupCodesPanel({
  codes,
  intro,
  onDone,
  headingLevel = 'h3',
}: {
  codes: string[];
  intro?: ReactNode;
  onDone: () => void;
  headingLevel?: HeadingLevel;
}) {
  const { user } = useAccount();
  const [saved, setSaved] = useState(false);
  const [missing, setMissing] = useState(false);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const createdAt = useRef(new Date());
  const asText = [
    `BIG Live Portal backup codes for ${user.email}`,
    `Created ${createdAt.current.toLocaleString()}`,
    '',
    'Each code works once. Use one when you cannot use your authenticator app.',
    '',
    ...codes,
    '',
  ].join('\r\n');

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
      {intro}
      <Typography component={headingLevel} id="backup-codes-title" sx={{ fontSize: '1.125rem', fontWeight: 600 }}>
        Save your backup codes
      </Typography>
      <Typography sx={{ color: 'text.secondary', maxWidth: '65ch' }}>
        If you lose your phone, each of these codes lets you sign in once. Keep them somewhere safe, such as a password manager.
        <strong> They are shown only now.</strong>
      </Typography>
      <Box
        component="ul"
        aria-labelledby="backup-codes-title"
        sx={{
          listStyle: 'none',
          m: 0,
          p: 2,
          display: 'grid',
          gap: 1,
          gridTemplateColumns: { xs: 'repeat(2, minmax(0, 1fr))', sm: 'repeat(5, minmax(0, 1fr))' },
          bgcolor: 'background.default',
          border: 1,
          borderColor: 'divider',
          borderRadius: 2,
        }}
      >
        {codes.map((c) => (
          <Box component="li" key={c} sx={{ fontFamily: 'monospace', fontSize: '1.0625rem', textAlign: 'center', py: 0.5 }}>
            {c}
          </Box>
        ))}
      </Box>
      <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap', alignItems: 'center' }}>
        <Button
          variant="outlined"
          startIcon={copied === 'yes' ? <CheckCircleIcon /> : <CopyIcon />}
          onClick={async () => setCopied((await copyText(asText, null)) ? 'yes' : 'no')}
        >
          {copied === 'yes' ? 'Codes copied' : 'Copy codes'}
        </Button>
        <Button variant="outlined" startIcon={<DownloadIcon />} onClick={() => saveBlob(new Blob([asText], { type: 'text/plain;charset=utf-8' }), 'big-live-portal-backup-codes.txt')}>
          Download (.txt)
        </Button>
        <Typography role="status" sx={{ fontSize: '0.875rem', color: copied === 'no' ? 'error.dark' : 'text.secondary' }}>
          {copied === 'no' ? 'Copying did not work here: download the codes instead.' : ''}
        </Typography>
      </Box>
      <Box>
        <FormControlLabel
          control={
            <Checkbox
              checked={saved}
              onChange={(e) => {
                setSaved(e.target.checked);
                setMissing(false);
              }}
              slotProps={{ input: { 'aria-describedby': missing ? 'backup-codes-missing' : undefined } }}
            />
          }
          label="I have saved these codes somewhere safe"
          sx={{ minHeight: 44, mr: 0 }}
        />
        {missing && (
          <FormHelperText id="backup-codes-missing" error sx={{ mt: 0 }}>
            Save the codes first, then tick the box: they cannot be shown again.
          </FormHelperText>
        )}
      </Box>
      <Box>
        <Button variant="contained" onClick={() => (saved ? onDone() : setMissing(true))}>
          Done
        </Button>
      </Box>
    </Box>
  );
}
