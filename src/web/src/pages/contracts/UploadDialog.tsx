import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormHelperText from '@mui/material/FormHelperText';
import IconButton from '@mui/material/IconButton';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { useTheme } from '@mui/material/styles';
import { apiGet, apiUpload, type Paged, type UploadProgress } from '../../api.js';
import { Field, FormError, useApiForm } from '../../components/forms.js';
import { AddIcon, CloseIcon, DeleteIcon } from '../../components/icons.js';
import { ChipsField } from '../profile/ChipsField.js';
import { AMOUNT_PATTERN, currencyChoices, DATE_PATTERN, formatDateRange, type Organization, type Production } from '../productions/types.js';
import { FileDrop, UploadBar } from './FileDrop.js';
import { contractKeys, type Contract, type ContractTerms } from './types.js';

interface Milestone {
  key: number;
  label: string;
  due_date: string;
  amount: string;
}

interface Values {
  title: string;
  description: string;
  production_id: string;
  tags: string[];
  amount: string;
  currency: string;
  start_date: string;
  end_date: string;
  schedule: Milestone[];
  union_name: string;
  union_agreement: string;
  union_member_number: string;
  signing_deadline: string;
  reminder_every_days: string;
}

const EMPTY: Values = {
  title: '', description: '', production_id: '', tags: [], amount: '', currency: '', start_date: '', end_date: '', schedule: [],
  union_name: '', union_agreement: '', union_member_number: '', signing_deadline: '', reminder_every_days: '3',
};

/** Exact decimal string → cents (no floating point), as the API adds the schedule up. */
const cents = (amount: string) => {
  const [whole = '0', fraction = ''] = amount.split('.');
  return BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
};

const today = () => new Date().toISOString().slice(0, 10);

/** The API's own checks, so most mistakes are told at their field before the upload starts. */
function validate(v: Values, file: File | null, fileError: string | null): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!v.title.trim()) problems.title = 'Give the contract a title';
  if (!file) problems.file = 'Choose the document (PDF or DOCX)';
  else if (fileError) problems.file = fileError;
  const amount = v.amount.trim();
  if (amount && !AMOUNT_PATTERN.test(amount)) problems['terms.amount'] = 'A number with at most 2 decimals, like 4500.00 (no thousands separators)';
  if (v.start_date && v.end_date && v.end_date < v.start_date) problems['terms.end_date'] = 'The end date is before the start date';
  v.schedule.forEach((m, i) => {
    if (!m.label.trim()) problems[`terms.payment_schedule.${i}.label`] = 'Say what the payment is for';
    if (!DATE_PATTERN.test(m.due_date)) problems[`terms.payment_schedule.${i}.due_date`] = 'Choose the due date';
    if (!AMOUNT_PATTERN.test(m.amount.trim())) problems[`terms.payment_schedule.${i}.amount`] = 'An amount like 1500.00';
  });
  if (amount && AMOUNT_PATTERN.test(amount) && v.schedule.length && v.schedule.every((m) => AMOUNT_PATTERN.test(m.amount.trim()))) {
    const total = v.schedule.reduce((sum, m) => sum + cents(m.amount.trim()), 0n);
    if (total > cents(amount)) problems['terms.payment_schedule'] = 'The payments add up to more than the amount';
  }
  if ((v.union_agreement.trim() || v.union_member_number.trim()) && !v.union_name.trim()) problems['terms.union.name'] = 'Name the union';
  if (v.signing_deadline && v.signing_deadline < today()) problems.signing_deadline = 'The deadline has passed already';
  const every = Number(v.reminder_every_days);
  if (!Number.isInteger(every) || every < 1 || every > 30) problems.reminder_every_days = 'Every 1 to 30 days';
  return problems;
}

/** The `data` part: only what was filled in. */
function dataPart(v: Values, currency: string) {
  const terms: ContractTerms = {};
  if (v.amount.trim()) terms.amount = v.amount.trim();
  if (v.amount.trim() || v.schedule.length) terms.currency = currency;
  if (v.start_date) terms.start_date = v.start_date;
  if (v.end_date) terms.end_date = v.end_date;
  if (v.schedule.length) terms.payment_schedule = v.schedule.map((m) => ({ label: m.label.trim(), due_date: m.due_date, amount: m.amount.trim() }));
  if (v.union_name.trim()) {
    terms.union = {
      name: v.union_name.trim(),
      ...(v.union_agreement.trim() ? { agreement: v.union_agreement.trim() } : {}),
      ...(v.union_member_number.trim() ? { member_number: v.union_member_number.trim() } : {}),
    };
  }
  return {
    title: v.title.trim(),
    ...(v.description.trim() ? { description: v.description.trim() } : {}),
    ...(v.production_id ? { production_id: v.production_id } : {}),
    terms,
    tags: v.tags,
    ...(v.signing_deadline ? { signing_deadline: v.signing_deadline } : {}),
    reminder_every_days: Number(v.reminder_every_days),
  };
}

/** "Upload a contract": the document (drop or choose), its details and terms; full screen on phones. */
export function UploadDialog({ open, onClose, onUploaded }: { open: boolean; onClose: () => void; onUploaded: (contract: Contract) => void }) {
  const theme = useTheme();
  const fullScreen = useMediaQuery(theme.breakpoints.down('sm'));
  const [uploading, setUploading] = useState(false);
  return (
    <Dialog open={open} onClose={uploading ? undefined : onClose} fullScreen={fullScreen} fullWidth maxWidth="md" aria-labelledby="upload-contract-title">
      <UploadForm onClose={onClose} onUploaded={onUploaded} onBusy={setUploading} />
    </Dialog>
  );
}

function UploadForm({ onClose, onUploaded, onBusy }: { onClose: () => void; onUploaded: (contract: Contract) => void; onBusy: (busy: boolean) => void }) {
  const queryClient = useQueryClient();
  const form = useApiForm();
  const [values, setValues] = useState<Values>(EMPTY);
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [nextKey, setNextKey] = useState(1);
  const [autoTitle, setAutoTitle] = useState('');
  const set = (key: keyof Values) => (value: string) => setValues((v) => ({ ...v, [key]: value }));

  const organization = useQuery({
    queryKey: ['organization'],
    queryFn: ({ signal }) => apiGet<Organization>('/api/v1/organization', { signal }),
    staleTime: 5 * 60_000,
  });
  const productions = useQuery({
    queryKey: ['productions', 'choices'],
    queryFn: ({ signal }) => apiGet<Paged<Production>>('/api/v1/productions?status=planning,active&limit=100', { signal }),
  });
  const orgCurrency = organization.data?.settings.default_currency;
  const currency = values.currency || orgCurrency || 'USD';
  const chosenProduction = productions.data?.data.find((p) => p.id === values.production_id);

  const setMilestone = (index: number, key: 'label' | 'due_date' | 'amount') => (value: string) =>
    setValues((v) => ({ ...v, schedule: v.schedule.map((m, i) => (i === index ? { ...m, [key]: value } : m)) }));

  const submit = form.run(
    () => validate(values, file, fileError),
    async () => {
      if (!file) return;
      const body = new FormData();
      // The API reads the details before it stores a byte: `data` must come first.
      body.append('data', JSON.stringify(dataPart(values, currency)));
      body.append('file', file, file.name);
      setProgress({ loaded: 0, total: file.size, percent: 0 });
      onBusy(true);
      try {
        const contract = await apiUpload<Contract>('/api/v1/contracts', body, { onProgress: setProgress });
        void queryClient.invalidateQueries({ queryKey: contractKeys.all });
        onUploaded(contract);
      } finally {
        setProgress(null);
        onBusy(false);
      }
    },
  );

  const scheduleError = form.fieldError('terms.payment_schedule');
  return (
    <Box component="form" noValidate onSubmit={submit} sx={{ display: 'contents' }}>
      <DialogTitle id="upload-contract-title" sx={{ pr: 7 }}>
        Upload a contract
      </DialogTitle>
      <IconButton aria-label="Close" onClick={onClose} disabled={form.pending} sx={{ position: 'absolute', right: 8, top: 8 }}>
        <CloseIcon />
      </IconButton>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2.5, pt: '8px !important' }}>
        <FormError error={form.error} />
        <FileDrop
          file={file}
          disabled={form.pending}
          error={form.fieldError('file') ?? fileError ?? undefined}
          onFile={(chosen, problem) => {
            setFile(chosen);
            setFileError(problem);
            form.clearFieldError('file');
            // The file's name suggests a title, until one is typed.
            if (chosen && !problem && (!values.title.trim() || values.title === autoTitle)) {
              const suggested = chosen.name.replace(/\.(pdf|docx)$/i, '').replace(/[_-]+/g, ' ').trim();
              setAutoTitle(suggested);
              set('title')(suggested);
            }
          }}
        />
        <Field label="Title" name="title" required autoComplete="off" inputProps={{ maxLength: 255 }} {...form.bind('title', values.title, set('title'))} />
        <Field label="Description (optional)" name="description" multiline minRows={2} inputProps={{ maxLength: 5000 }} {...form.bind('description', values.description, set('description'))} />
        <Box sx={{ display: 'grid', gap: 2.5, gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: 'minmax(0, 1fr) minmax(0, 1fr)' } }}>
          <Field
            select
            label="Production (optional)"
            name="production_id"
            helperText={chosenProduction ? `Contract dates fall within ${formatDateRange(chosenProduction.start_date, chosenProduction.end_date)}.` : undefined}
            {...form.bind('production_id', values.production_id, set('production_id'))}
          >
            <option value="">None</option>
            {(productions.data?.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </Field>
          <ChipsField
            label="Tags (optional)"
            name="tags"
            value={values.tags}
            onChange={(tags) => setValues((v) => ({ ...v, tags }))}
            max={20}
            error={form.fieldError('tags')}
          />
        </Box>

        <Typography component="h3" sx={{ fontWeight: 600, mt: 1 }}>
          Terms
        </Typography>
        <Box sx={{ display: 'grid', gap: 2.5, gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: '2fr 1fr' } }}>
          <Field
            label="Fee (optional)"
            name="terms.amount"
            autoComplete="off"
            inputProps={{ inputMode: 'decimal', spellCheck: false }}
            helperText="The total, up to 2 decimals, like 4500.00"
            {...form.bind('terms.amount', values.amount, set('amount'))}
          />
          <Field select label="Currency" name="terms.currency" {...form.bind('terms.currency', currency, set('currency'))}>
            {currencyChoices(orgCurrency).map((c) => (
              <option key={c} value={c}>
                {c}
                {c === orgCurrency ? ' (default)' : ''}
              </option>
            ))}
          </Field>
        </Box>
        <Box sx={{ display: 'grid', gap: 2.5, gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: '1fr 1fr' } }}>
          <Field label="Start date (optional)" name="terms.start_date" type="date" {...form.bind('terms.start_date', values.start_date, set('start_date'))} />
          <Field label="End date (optional)" name="terms.end_date" type="date" {...form.bind('terms.end_date', values.end_date, set('end_date'))} />
        </Box>

        <Box component="fieldset" sx={{ border: 0, p: 0, m: 0, display: 'flex', flexDirection: 'column', gap: 1.5 }}>
          <Typography component="legend" sx={{ fontWeight: 600, mb: 1 }}>
            Payment schedule
          </Typography>
          {values.schedule.length === 0 && (
            <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem' }}>No milestones. Add one for each payment (signing, opening night…).</Typography>
          )}
          {values.schedule.map((m, i) => (
            <Box
              key={m.key}
              role="group"
              aria-label={`Payment ${i + 1}`}
              sx={{ display: 'grid', gap: 1.5, alignItems: 'start', gridTemplateColumns: { xs: 'minmax(0, 1fr) 44px', sm: 'minmax(0, 2fr) minmax(0, 1.3fr) minmax(0, 1fr) 44px' } }}
            >
              <Field label="Milestone" name={`terms.payment_schedule.${i}.label`} autoComplete="off" {...form.bind(`terms.payment_schedule.${i}.label`, m.label, setMilestone(i, 'label'))} />
              <IconButton
                aria-label={`Remove payment ${i + 1}`}
                onClick={() => setValues((v) => ({ ...v, schedule: v.schedule.filter((x) => x.key !== m.key) }))}
                sx={{ gridColumn: { xs: 2, sm: 4 }, gridRow: 1, mt: 0.5 }}
              >
                <DeleteIcon />
              </IconButton>
              <Field label="Due" name={`terms.payment_schedule.${i}.due_date`} type="date" sx={{ gridColumn: { xs: '1 / span 2', sm: 'auto' } }} {...form.bind(`terms.payment_schedule.${i}.due_date`, m.due_date, setMilestone(i, 'due_date'))} />
              <Field
                label="Amount"
                name={`terms.payment_schedule.${i}.amount`}
                autoComplete="off"
                inputProps={{ inputMode: 'decimal', spellCheck: false }}
                sx={{ gridColumn: { xs: '1 / span 2', sm: 'auto' } }}
                {...form.bind(`terms.payment_schedule.${i}.amount`, m.amount, setMilestone(i, 'amount'))}
              />
            </Box>
          ))}
          {scheduleError && (
            <FormHelperText error role="alert" sx={{ mx: 1.75 }}>
              {scheduleError}
            </FormHelperText>
          )}
          <Box>
            <Button
              startIcon={<AddIcon />}
              variant="outlined"
              onClick={() => {
                setValues((v) => ({ ...v, schedule: [...v.schedule, { key: nextKey, label: '', due_date: '', amount: '' }] }));
                setNextKey((k) => k + 1);
                form.clearFieldError('terms.payment_schedule');
              }}
              disabled={values.schedule.length >= 50}
              sx={{ minHeight: 44 }}
            >
              Add a payment
            </Button>
          </Box>
        </Box>

        <Box sx={{ display: 'grid', gap: 2.5, gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: 'repeat(3, minmax(0, 1fr))' } }}>
          <Field label="Union (optional)" name="terms.union.name" autoComplete="off" helperText="e.g. Equity, SAG-AFTRA" {...form.bind('terms.union.name', values.union_name, set('union_name'))} />
          <Field label="Agreement (optional)" name="terms.union.agreement" autoComplete="off" {...form.bind('terms.union.agreement', values.union_agreement, set('union_agreement'))} />
          <Field label="Member number (optional)" name="terms.union.member_number" autoComplete="off" {...form.bind('terms.union.member_number', values.union_member_number, set('union_member_number'))} />
        </Box>

        <Typography component="h3" sx={{ fontWeight: 600, mt: 1 }}>
          Signing
        </Typography>
        <Box sx={{ display: 'grid', gap: 2.5, gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: '1fr 1fr' } }}>
          <Field
            label="Signing deadline (optional)"
            name="signing_deadline"
            type="date"
            inputProps={{ min: today() }}
            helperText="Unsigned copies expire after this day."
            {...form.bind('signing_deadline', values.signing_deadline, set('signing_deadline'))}
          />
          <Field
            label="Remind every (days)"
            name="reminder_every_days"
            type="number"
            inputProps={{ min: 1, max: 30, inputMode: 'numeric' }}
            helperText="Reminders to people who have not signed yet."
            {...form.bind('reminder_every_days', values.reminder_every_days, set('reminder_every_days'))}
          />
        </Box>
        <UploadBar progress={progress} />
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2, gap: 1 }}>
        <Button onClick={onClose} disabled={form.pending}>
          Cancel
        </Button>
        <Button type="submit" variant="contained" loading={form.pending}>
          Upload contract
        </Button>
      </DialogActions>
    </Box>
  );
}
