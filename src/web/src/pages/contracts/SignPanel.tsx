import { useId, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { useTheme } from '@mui/material/styles';
import { apiPost } from '../../api.js';
import { useAccount } from '../../auth/AuthProvider.js';
import { Field, FormError, useApiForm } from '../../components/forms.js';
import { CheckCircleIcon, DownloadIcon, SignIcon } from '../../components/icons.js';
import { downloadSignedCopy } from './download.js';
import { SignaturePad } from './SignaturePad.js';
import { awaitsMySignature } from './useMyContracts.js';
import { CONSENT_TEXT, contractKeys, formatDateTime, type Contract, type MyAssignment, type SignRedirect, type SignResult } from './types.js';

/** A cursive face where the device has one; the API draws the typed signature on the PDF itself. */
const SIGNATURE_FONT = '"Segoe Script", "Brush Script MT", "Snell Roundhand", "URW Chancery L", cursive';

/** The signed copy, by a fresh 15-minute link each time. */
export function DownloadSignedButton({ contractId, assignmentId, label = 'Download signed PDF', variant = 'contained' }: {
  contractId: string;
  assignmentId?: string;
  label?: string;
  variant?: 'contained' | 'outlined' | 'text';
}) {
  const download = useMutation({ mutationFn: () => downloadSignedCopy(contractId, assignmentId) });
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1, alignItems: 'flex-start' }}>
      <Button variant={variant} startIcon={<DownloadIcon />} onClick={() => download.mutate()} loading={download.isPending} sx={{ minHeight: 44 }}>
        {label}
      </Button>
      <FormError error={download.error} />
    </Box>
  );
}

/**
 * The assigned person's side of a contract: sign (consent, typed or drawn signature) or decline
 * with a reason; afterwards what they did, with the signed copy to download.
 */
export function SignPanel({ contract, assignment }: { contract: Contract; assignment: MyAssignment }) {
  const [justSigned, setJustSigned] = useState<SignResult | null>(null);
  const [declining, setDeclining] = useState(false);

  if (justSigned || (assignment.status === 'signed' && !assignment.needs_resigning)) {
    const signedAt = justSigned?.signed_at ?? assignment.signed_at;
    return (
      <Card component="section" aria-labelledby="sign-title">
        <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          <Box sx={{ display: 'flex', gap: 1.5, alignItems: 'center' }}>
            <CheckCircleIcon sx={{ color: 'success.main', fontSize: 40 }} />
            <Typography variant="h2" id="sign-title" sx={{ fontSize: '1.25rem' }} tabIndex={-1}>
              {justSigned ? 'Signed. Thank you!' : 'You signed this contract'}
            </Typography>
          </Box>
          <Typography>
            Version {justSigned?.version ?? assignment.signed_version ?? assignment.version_assigned}, signed {formatDateTime(signedAt)}.{' '}
            {assignment.signing_provider === 'docusign'
              ? "The signed PDF is DocuSign's, with its certificate of completion."
              : 'The signed PDF carries a certificate page and a digital signature that PDF readers can check.'}
          </Typography>
          <DownloadSignedButton contractId={contract.id} />
        </CardContent>
      </Card>
    );
  }

  if (assignment.status === 'declined') {
    return (
      <Alert severity="warning" role="status">
        You declined this contract {formatDateTime(assignment.declined_at)}
        {assignment.decline_reason ? `: “${assignment.decline_reason}”` : '.'} The office has been told; they can send you a new one.
      </Alert>
    );
  }
  if (assignment.status === 'expired') {
    return (
      <Alert severity="warning" role="status">
        The signing deadline has passed, so this contract can no longer be signed. Ask the office to send it again.
      </Alert>
    );
  }
  if (!awaitsMySignature(assignment)) return null;

  return (
    <>
      <DocusignReturnNotice />
      <SignForm contract={contract} assignment={assignment} onSigned={setJustSigned} onDecline={() => setDeclining(true)} />
      <DeclineDialog open={declining} contract={contract} onClose={() => setDeclining(false)} />
    </>
  );
}

/**
 * Back from DocuSign (it adds `event=` to the return link): what happened there. The signature
 * itself arrives from DocuSign a moment later, and the page follows it live.
 */
function DocusignReturnNotice() {
  const [params] = useSearchParams();
  if (params.get('signing') !== 'docusign') return null;
  const event = params.get('event');
  if (event === 'signing_complete') {
    return (
      <Alert severity="success" role="status">
        DocuSign has your signature. The signed copy appears here as soon as DocuSign sends it, usually within a minute.
      </Alert>
    );
  }
  if (event === 'decline') {
    return (
      <Alert severity="info" role="status">
        You declined in DocuSign. The office will be told once DocuSign reports it.
      </Alert>
    );
  }
  return (
    <Alert severity="info" role="status">
      {event === 'ttl_expired' || event === 'session_timeout' ? 'The DocuSign page timed out.' : 'You left DocuSign without signing.'} You can continue whenever you are ready.
    </Alert>
  );
}

function SignForm({ contract, assignment, onSigned, onDecline }: {
  contract: Contract;
  assignment: MyAssignment;
  onSigned: (result: SignResult) => void;
  onDecline: () => void;
}) {
  const { user } = useAccount();
  const queryClient = useQueryClient();
  const form = useApiForm();
  const ids = useId();
  const [kind, setKind] = useState<'typed' | 'drawn'>('typed');
  const [name, setName] = useState(`${user.first_name} ${user.last_name}`.trim());
  const [drawing, setDrawing] = useState<string | null>(null);
  const [consent, setConsent] = useState(false);
  const consentError = form.fieldError('consent');
  const drawnError = form.fieldError('signature.image');

  const viaDocusign = assignment.signing_provider === 'docusign';

  const submit = form.run(
    () => {
      const problems: Record<string, string> = {};
      if (!viaDocusign && kind === 'typed' && name.trim().length < 2) problems['signature.name'] = 'Type your full name';
      if (!viaDocusign && kind === 'drawn' && !drawing) problems['signature.image'] = 'Draw your signature in the box';
      if (!consent) problems.consent = 'Tick the box to agree to sign electronically';
      return problems;
    },
    async () => {
      const signature = kind === 'typed' ? { kind, name: name.trim() } : { kind, image: drawing };
      const result = await apiPost<SignResult | SignRedirect>(`/api/v1/contracts/${contract.id}/sign`, viaDocusign ? { consent: true } : { consent: true, signature });
      if (result.status === 'redirect') {
        window.location.assign(result.url);
        return;
      }
      onSigned(result);
      void queryClient.invalidateQueries({ queryKey: contractKeys.all });
      // Take screen-reader and keyboard users to the outcome.
      window.setTimeout(() => document.getElementById('sign-title')?.focus(), 0);
    },
  );

  return (
    <Card component="section" aria-labelledby="sign-title">
      <Box component="form" noValidate onSubmit={submit}>
        <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
          <Box sx={{ display: 'flex', gap: 1.5, alignItems: 'center' }}>
            <SignIcon sx={{ color: 'primary.dark' }} />
            <Typography variant="h2" id="sign-title" sx={{ fontSize: '1.25rem' }} tabIndex={-1}>
              {assignment.needs_resigning ? 'Sign the new version' : 'Sign this contract'}
            </Typography>
          </Box>
          {assignment.needs_resigning && (
            <Alert severity="warning">
              You signed version {assignment.signed_version ?? assignment.version_assigned}. The contract has changed since (now version {contract.current_version}): read it again and sign the new version.
            </Alert>
          )}
          <FormError error={form.error} />

          {viaDocusign ? (
            <Typography>You sign on DocuSign's secure page and come back here afterwards. DocuSign sends the signed copy to this portal.</Typography>
          ) : (
            <>
              <Box component="fieldset" sx={{ border: 0, m: 0, p: 0 }}>
                <Typography component="legend" sx={{ fontWeight: 600, mb: 0.5 }}>
                  Your signature
                </Typography>
                <RadioGroup row value={kind} onChange={(e) => setKind(e.target.value as 'typed' | 'drawn')} name="signature.kind">
                  <FormControlLabel value="typed" control={<Radio />} label="Type my name" sx={{ minHeight: 44, mr: 3 }} />
                  <FormControlLabel value="drawn" control={<Radio />} label="Draw my signature" sx={{ minHeight: 44 }} />
                </RadioGroup>
              </Box>

              {kind === 'typed' ? (
                <>
                  <Field label="Full name" name="signature.name" autoComplete="name" inputProps={{ maxLength: 100 }} {...form.bind('signature.name', name, setName)} />
                  <Box
                    aria-label="Signature preview"
                    role="img"
                    sx={{ border: 1, borderColor: 'divider', borderRadius: 2, px: 3, pt: 2, pb: 1, bgcolor: 'common.white', overflow: 'hidden' }}
                  >
                    <Typography
                      aria-hidden
                      sx={{ fontFamily: SIGNATURE_FONT, fontStyle: 'italic', fontSize: { xs: '2rem', sm: '2.5rem' }, color: '#0D2A5C', lineHeight: 1.3, overflowWrap: 'anywhere', minHeight: '1.3em' }}
                    >
                      {name.trim() || ' '}
                    </Typography>
                    <Box sx={{ borderTop: 1, borderColor: '#9AA5B1', mt: 0.5, pt: 0.5 }}>
                      <Typography aria-hidden sx={{ fontSize: '0.75rem', color: 'text.secondary' }}>
                        Signature preview
                      </Typography>
                    </Box>
                  </Box>
                </>
              ) : (
                <Box>
                  <SignaturePad
                    onChange={(png) => {
                      setDrawing(png);
                      if (png) form.clearFieldError('signature.image');
                    }}
                    invalid={Boolean(drawnError)}
                    describedBy={drawnError ? `${ids}-drawn-error` : undefined}
                  />
                  {drawnError && (
                    <FormHelperText error id={`${ids}-drawn-error`} role="alert">
                      {drawnError}
                    </FormHelperText>
                  )}
                </Box>
              )}
            </>
          )}

          <Box>
            <FormControlLabel
              control={
                <Checkbox
                  checked={consent}
                  name="consent"
                  onChange={(e) => {
                    setConsent(e.target.checked);
                    form.clearFieldError('consent');
                  }}
                  slotProps={{ input: { 'aria-describedby': consentError ? `${ids}-consent-error` : undefined, 'aria-invalid': consentError ? true : undefined } as object }}
                />
              }
              label={CONSENT_TEXT}
              sx={{ alignItems: 'flex-start', mr: 0, '& .MuiCheckbox-root': { mt: -0.75 } }}
            />
            {consentError && (
              <FormHelperText error id={`${ids}-consent-error`} role="alert" sx={{ ml: 4 }}>
                {consentError}
              </FormHelperText>
            )}
          </Box>
          {!viaDocusign && (
            <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem' }}>
              Signing adds a certificate page (your name, e-mail, the time, this device and the document's fingerprint) and the organization's digital signature to a
              copy of the document.
            </Typography>
          )}
          <Box sx={{ display: 'flex', gap: 1.5, flexDirection: { xs: 'column-reverse', sm: 'row' }, justifyContent: 'flex-end' }}>
            <Button variant="outlined" color="error" onClick={onDecline} disabled={form.pending} sx={{ minHeight: 44 }}>
              Decline
            </Button>
            <Button type="submit" variant="contained" size="large" startIcon={<SignIcon />} loading={form.pending} sx={{ minHeight: 48 }}>
              {viaDocusign ? 'Continue to DocuSign' : 'Sign contract'}
            </Button>
          </Box>
        </CardContent>
      </Box>
    </Card>
  );
}

function DeclineDialog({ open, contract, onClose }: { open: boolean; contract: Contract; onClose: () => void }) {
  const theme = useTheme();
  const fullScreen = useMediaQuery(theme.breakpoints.down('sm'));
  return (
    <Dialog open={open} onClose={onClose} fullScreen={fullScreen} fullWidth maxWidth="sm" aria-labelledby="decline-title">
      {open && <DeclineForm contract={contract} onClose={onClose} />}
    </Dialog>
  );
}

function DeclineForm({ contract, onClose }: { contract: Contract; onClose: () => void }) {
  const queryClient = useQueryClient();
  const form = useApiForm();
  const [reason, setReason] = useState('');
  const submit = form.run(
    (): Record<string, string> => (reason.trim().length >= 3 ? {} : { reason: 'Say briefly why (at least 3 characters)' }),
    async () => {
      await apiPost(`/api/v1/contracts/${contract.id}/decline`, { reason: reason.trim() });
      await queryClient.invalidateQueries({ queryKey: contractKeys.all });
      onClose();
    },
  );
  return (
    <Box component="form" noValidate onSubmit={submit} sx={{ display: 'contents' }}>
      <DialogTitle id="decline-title">Decline {contract.title}?</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2, pt: '8px !important' }}>
        <Typography>The office sees your reason and can send you a changed contract. You cannot sign this one afterwards.</Typography>
        <FormError error={form.error} />
        <Field label="Reason" name="reason" required multiline minRows={3} autoFocus inputProps={{ maxLength: 1000 }} {...form.bind('reason', reason, setReason)} />
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2, gap: 1, flexWrap: 'wrap' }}>
        <Button onClick={onClose} disabled={form.pending}>
          Keep it
        </Button>
        <Button type="submit" variant="contained" color="error" loading={form.pending}>
          Decline contract
        </Button>
      </DialogActions>
    </Box>
  );
}
