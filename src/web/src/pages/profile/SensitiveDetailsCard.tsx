import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Typography from '@mui/material/Typography';
import { api } from '../../api.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { Field, FormError, useApiForm } from '../../components/forms.js';
import { LockIcon, VisibilityIcon, VisibilityOffIcon } from '../../components/icons.js';
import type { NoticeMessage } from '../../components/Notice.js';
import { artistProfileKey, type ArtistProfile, type SensitiveDetails } from './types.js';

/** Revealed values go away on their own after this long. */
const REVEAL_MS = 60_000;

const groupsOf4 = (value: string) => value.replace(/(.{4})(?=.)/g, '$1 ');

/**
 * The full tax ID and bank account, fetched only on an explicit "Reveal" (each read is an audit
 * row on the server) with a plain request into this component's state: never in the query cache,
 * gone when the person hides them, after a minute, or when they leave the screen.
 */
function useRevealedDetails(profileVersion: string | null) {
  const [details, setDetails] = useState<SensitiveDetails | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const inflight = useRef<AbortController | null>(null);

  const hide = () => {
    inflight.current?.abort();
    setDetails(null);
  };

  // Leaving the screen: stop a request under way and drop the values.
  useEffect(
    () => () => {
      inflight.current?.abort();
      setDetails(null);
    },
    [],
  );
  useEffect(() => {
    if (!details) return;
    const timer = window.setTimeout(() => setDetails(null), REVEAL_MS);
    return () => window.clearTimeout(timer);
  }, [details]);
  // A save changed what is stored: what is on screen is out of date.
  useEffect(() => setDetails(null), [profileVersion]);

  const reveal = async () => {
    inflight.current?.abort();
    const controller = new AbortController();
    inflight.current = controller;
    setPending(true);
    setError(null);
    try {
      setDetails(await api<SensitiveDetails>('/api/v1/me/artist-profile/sensitive', { signal: controller.signal, cache: 'no-store' }));
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'AbortError')) setError(err);
    } finally {
      if (inflight.current === controller) inflight.current = null;
      setPending(false);
    }
  };

  return { details, pending, error, reveal, hide };
}

type Editing = 'tax_id' | 'bank_account' | null;
type BankKind = 'iban' | 'us';

function TaxIdForm({ onSaved, onCancel }: { onSaved: (saved: ArtistProfile) => void; onCancel: () => void }) {
  const [taxId, setTaxId] = useState('');
  const form = useApiForm();
  const submit = form.run(
    (): Record<string, string> => (/^[A-Z0-9]{5,20}$/i.test(taxId.replace(/[\s./-]/g, '')) ? {} : { tax_id: 'Enter 5 to 20 letters or digits (spaces and dashes are fine)' }),
    async () => onSaved(await api<ArtistProfile>('/api/v1/me/artist-profile', { method: 'PATCH', json: { tax_id: taxId.trim() } })),
  );
  return (
    <Box component="form" noValidate onSubmit={submit} sx={{ display: 'flex', flexDirection: 'column', gap: 2, maxWidth: 420 }}>
      <FormError error={form.error} />
      <Field
        label="New tax ID"
        name="tax_id"
        required
        autoFocus
        autoComplete="off"
        inputProps={{ spellCheck: false, autoCapitalize: 'characters' }}
        helperText="SSN, EIN, ITIN or your country's tax number"
        {...form.bind('tax_id', taxId, setTaxId)}
      />
      <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap' }}>
        <Button type="submit" variant="contained" loading={form.pending}>
          Save tax ID
        </Button>
        <Button onClick={onCancel} disabled={form.pending}>
          Cancel
        </Button>
      </Box>
    </Box>
  );
}

function BankAccountForm({ onSaved, onCancel }: { onSaved: (saved: ArtistProfile) => void; onCancel: () => void }) {
  const [kind, setKind] = useState<BankKind>('iban');
  const [holder, setHolder] = useState('');
  const [iban, setIban] = useState('');
  const [routing, setRouting] = useState('');
  const [account, setAccount] = useState('');
  const form = useApiForm();
  const submit = form.run(
    () => {
      const e: Record<string, string> = {};
      if (!holder.trim()) e['bank_account.account_holder'] = 'Enter the name on the account';
      if (kind === 'iban') {
        if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/i.test(iban.replace(/\s/g, ''))) e['bank_account.iban'] = 'Enter the IBAN, like DE89 3704 0044 0532 0130 00';
      } else {
        if (!/^\d{9}$/.test(routing.trim())) e['bank_account.routing_number'] = 'Enter the 9-digit routing number';
        if (!/^\d{5,17}$/.test(account.trim())) e['bank_account.account_number'] = 'Enter the account number: 5 to 17 digits';
      }
      return e;
    },
    async () => {
      const bank =
        kind === 'iban'
          ? { account_holder: holder.trim(), iban: iban.replace(/\s/g, '').toUpperCase() }
          : { account_holder: holder.trim(), routing_number: routing.trim(), account_number: account.trim() };
      onSaved(await api<ArtistProfile>('/api/v1/me/artist-profile', { method: 'PATCH', json: { bank_account: bank } }));
    },
  );
  return (
    <Box component="form" noValidate onSubmit={submit} sx={{ display: 'flex', flexDirection: 'column', gap: 2, maxWidth: 520 }}>
      <FormError error={form.error} />
      <Field label="Name on the account" name="bank_account.account_holder" required autoFocus autoComplete="off" {...form.bind('bank_account.account_holder', holder, setHolder)} />
      <Field select label="Kind of account" name="bank_account.kind" value={kind} onChange={(e) => setKind(e.target.value as BankKind)}>
        <option value="iban">IBAN (international)</option>
        <option value="us">US routing and account</option>
      </Field>
      {kind === 'iban' ? (
        <Field
          label="IBAN"
          name="bank_account.iban"
          required
          autoComplete="off"
          inputProps={{ spellCheck: false, autoCapitalize: 'characters' }}
          {...form.bind('bank_account.iban', iban, setIban)}
        />
      ) : (
        <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: 'repeat(2, minmax(0, 1fr))' } }}>
          <Field
            label="Routing number"
            name="bank_account.routing_number"
            required
            autoComplete="off"
            inputProps={{ inputMode: 'numeric', maxLength: 9 }}
            {...form.bind('bank_account.routing_number', routing, setRouting)}
          />
          <Field
            label="Account number"
            name="bank_account.account_number"
            required
            autoComplete="off"
            inputProps={{ inputMode: 'numeric', maxLength: 17 }}
            {...form.bind('bank_account.account_number', account, setAccount)}
          />
        </Box>
      )}
      <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap' }}>
        <Button type="submit" variant="contained" loading={form.pending}>
          Save bank account
        </Button>
        <Button onClick={onCancel} disabled={form.pending}>
          Cancel
        </Button>
      </Box>
    </Box>
  );
}

function DetailRow({ label, masked, revealed, children }: { label: string; masked: string | null; revealed: ReactNode; children: ReactNode }) {
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1, py: 2, '& + &': { borderTop: 1, borderColor: 'divider' } }}>
      <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 1.5, flexWrap: 'wrap' }}>
        <Box sx={{ minWidth: 0 }}>
          <Typography sx={{ fontWeight: 600 }}>{label}</Typography>
          <Typography sx={{ fontFamily: masked ? 'monospace' : undefined, fontSize: masked ? '1.0625rem' : undefined, color: masked ? 'text.primary' : 'text.secondary', overflowWrap: 'anywhere' }}>
            {revealed ?? masked ?? 'Not given'}
          </Typography>
        </Box>
        <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>{children}</Box>
      </Box>
    </Box>
  );
}

/** Tax ID and bank account: write-only, shown masked, revealed on request, replaced or removed. */
export function SensitiveDetailsCard({ profile, onNotice }: { profile: ArtistProfile; onNotice: (message: NoticeMessage) => void }) {
  const queryClient = useQueryClient();
  const revealed = useRevealedDetails(profile.updated_at);
  const [editing, setEditing] = useState<Editing>(null);
  const [removing, setRemoving] = useState<Editing>(null);
  const canReveal = profile.allowed_actions.includes('profile:read_sensitive') && Boolean(profile.tax_id_masked || profile.bank_account_masked);
  const remove = useMutation({
    mutationFn: (field: 'tax_id' | 'bank_account') => api<ArtistProfile>('/api/v1/me/artist-profile', { method: 'PATCH', json: { [field]: null } }),
    onSuccess: (saved, field) => {
      queryClient.setQueryData(artistProfileKey, saved);
      setRemoving(null);
      onNotice({ text: field === 'tax_id' ? 'Your tax ID is removed.' : 'Your bank account is removed.' });
    },
  });
  const saved = (what: string) => (answer: ArtistProfile) => {
    queryClient.setQueryData(artistProfileKey, answer);
    setEditing(null);
    onNotice({ text: `Your ${what} is saved.` });
  };

  const bank = revealed.details?.bank_account;
  const revealedBank = revealed.details ? (
    bank ? (
      <Box component="span" sx={{ display: 'block' }}>
        {bank.account_holder}
        <br />
        {bank.iban ? `IBAN ${groupsOf4(bank.iban)}` : `Routing ${bank.routing_number ?? ''} · Account ${bank.account_number ?? ''}`}
      </Box>
    ) : (
      'Not given'
    )
  ) : null;
  const revealedTax = revealed.details ? (revealed.details.tax_id ?? 'Not given') : null;

  return (
    <Card component="section" aria-labelledby="sensitive-title">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
        <Box sx={{ display: 'flex', alignItems: 'flex-start', justifyContent: 'space-between', gap: 2, flexWrap: 'wrap' }}>
          <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5 }}>
            <LockIcon sx={{ color: 'primary.main' }} />
            <Typography variant="h2" id="sensitive-title" sx={{ fontSize: '1.25rem' }}>
              Tax and bank details
            </Typography>
          </Box>
          {canReveal &&
            (revealed.details ? (
              <Button variant="outlined" startIcon={<VisibilityOffIcon />} onClick={revealed.hide}>
                Hide
              </Button>
            ) : (
              <Button
                variant="outlined"
                startIcon={<VisibilityIcon />}
                onClick={() => void revealed.reveal()}
                loading={revealed.pending}
                aria-label="Reveal the full tax ID and bank account"
              >
                Reveal
              </Button>
            ))}
        </Box>
        <Typography sx={{ color: 'text.secondary' }}>
          Stored encrypted and shown masked. Only you and your organization&apos;s finance staff can see them in full; every look is recorded.
        </Typography>
        <FormError error={revealed.error} />
        <Box>
          <DetailRow label="Tax ID" masked={profile.tax_id_masked} revealed={revealedTax}>
            {editing !== 'tax_id' && (
              <Button variant="outlined" onClick={() => setEditing('tax_id')} aria-label={profile.tax_id_masked ? 'Change the tax ID' : 'Add a tax ID'}>
                {profile.tax_id_masked ? 'Change' : 'Add'}
              </Button>
            )}
            {profile.tax_id_masked && editing !== 'tax_id' && (
              <Button color="error" onClick={() => setRemoving('tax_id')} aria-label="Remove the tax ID">
                Remove
              </Button>
            )}
          </DetailRow>
          {editing === 'tax_id' && <TaxIdForm onSaved={saved('tax ID')} onCancel={() => setEditing(null)} />}
          <DetailRow label="Bank account" masked={profile.bank_account_masked} revealed={revealedBank}>
            {editing !== 'bank_account' && (
              <Button variant="outlined" onClick={() => setEditing('bank_account')} aria-label={profile.bank_account_masked ? 'Change the bank account' : 'Add a bank account'}>
                {profile.bank_account_masked ? 'Change' : 'Add'}
              </Button>
            )}
            {profile.bank_account_masked && editing !== 'bank_account' && (
              <Button color="error" onClick={() => setRemoving('bank_account')} aria-label="Remove the bank account">
                Remove
              </Button>
            )}
          </DetailRow>
          {editing === 'bank_account' && <BankAccountForm onSaved={saved('bank account')} onCancel={() => setEditing(null)} />}
        </Box>
        {revealed.details && (
          <Alert severity="info" sx={{ mt: 1 }}>
            The full tax ID and bank account are shown for a minute. Hide them before you share your screen.
          </Alert>
        )}
      </CardContent>
      <ConfirmDialog
        open={removing !== null}
        title={removing === 'tax_id' ? 'Remove your tax ID?' : 'Remove your bank account?'}
        confirmLabel="Remove"
        destructive
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => removing && remove.mutate(removing)}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
      >
        <Typography>
          {removing === 'tax_id'
            ? 'Your organization needs it to pay you and for tax forms; you can add it again at any time.'
            : 'Your organization cannot pay you by bank transfer without it; you can add it again at any time.'}
        </Typography>
      </ConfirmDialog>
    </Card>
  );
}
