import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import LinearProgress from '@mui/material/LinearProgress';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import { api, apiUpload, ApiError } from '../../api.js';
import { useAccount } from '../../auth/AuthProvider.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { visuallyHidden } from '../../components/a11y.js';
import { Field, FormError, useApiForm } from '../../components/forms.js';
import { CameraIcon, CheckCircleIcon, ContractsIcon, DeleteIcon, UploadIcon, WarningIcon } from '../../components/icons.js';
import { lastCategory, rememberCategory, useCategories, useOrganizationSettings } from './data.js';
import { enqueue, isTransient, newKey } from './offline.js';
import { ReceiptPreview } from './parts.js';
import { useOnline, useOwner } from './useQueue.js';
import {
  AMOUNT_PATTERN, currencyChoices, DATE_PATTERN, formatMoney, latestExpenseDay, RATE_PATTERN, RECEIPT_ACCEPT, receiptProblem,
  type Category, type Expense, type ExpenseBody, type Receipt, type ReceiptUpload,
} from './types.js';

/** Below this confidence a suggestion of the receipt reader is marked "check this" (the server's rule too). */
const SURE_FROM = 0.8;

interface Values {
  category_id: string;
  amount: string;
  currency: string;
  exchange_rate: string;
  expense_date: string;
  merchant: string;
  description: string;
  notes: string;
  is_reimbursable: boolean;
  is_billable: boolean;
}

type SuggestedField = 'amount' | 'expense_date' | 'merchant' | 'currency';
type Suggested = Partial<Record<SuggestedField, 'sure' | 'check'>>;

export type EditorOutcome = { kind: 'submitted' | 'saved'; expense: Expense } | { kind: 'queued'; submit: boolean } | { kind: 'discarded' };

/** A photo chosen on this device: previewed from memory, uploaded once there is a draft and a network. */
interface LocalFile {
  file: File;
  url: string | null;
  uploaded: boolean;
}

const zero = (amount: string) => /^0*(\.0*)?$/.test(amount);

function initialValues(expense: Expense | null, categories: Category[], baseCurrency: string, remembered: string | undefined, lastDay: string): Values {
  if (expense) {
    return {
      category_id: expense.category.id,
      amount: expense.amount,
      currency: expense.currency,
      exchange_rate: expense.currency === expense.base_currency ? '' : expense.exchange_rate,
      expense_date: expense.expense_date,
      merchant: expense.merchant,
      description: expense.description,
      notes: expense.notes ?? '',
      is_reimbursable: expense.is_reimbursable,
      is_billable: expense.is_billable,
    };
  }
  // Smart defaults: today, the organization's currency, the category used last time.
  const category = categories.find((c) => c.id === remembered) ?? categories[0];
  return {
    category_id: category?.id ?? '',
    amount: '',
    currency: baseCurrency,
    exchange_rate: '',
    expense_date: lastDay,
    merchant: '',
    description: '',
    notes: '',
    is_reimbursable: true,
    is_billable: false,
  };
}

/**
 * Create (expense = null) or change a draft: camera-first receipt capture with the reader's
 * suggestions, the form, submit. Without a network it is kept on the device and sent later.
 */
export function ExpenseEditor({ expense, onDone }: { expense: Expense | null; onDone: (outcome: EditorOutcome) => void }) {
  const account = useAccount();
  const organizationId = account.organization.organization_id;
  const { active, query: categoriesQuery } = useCategories(organizationId);
  const { organization, query: organizationQuery } = useOrganizationSettings(organizationId);
  const baseCurrency = organization?.settings.default_currency;
  const timeZone = organization?.settings.timezone;

  if (!active || !baseCurrency) {
    if (categoriesQuery.isError || organizationQuery.isError) {
      return (
        <Alert severity="error">
          The expense form needs the categories and your organization&apos;s currency, which could not be loaded
          {navigator.onLine ? '' : ' offline (open Expenses once while online and they are kept on this device)'}.
        </Alert>
      );
    }
    return (
      <Box role="progressbar" aria-label="Loading the expense form" aria-busy="true" sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Skeleton variant="rounded" height={160} />
        <Skeleton variant="rounded" height={320} />
      </Box>
    );
  }
  const categories = expense && !active.some((c) => c.id === expense.category.id)
    ? [...active, { id: expense.category.id, name: `${expense.category.name} (no longer in use)`, code: expense.category.code, xero_account_code: null, requires_receipt: false, requires_approval: true, max_amount: null, is_active: false }]
    : active;
  return <EditorForm key={expense?.id ?? 'new'} expense={expense} categories={categories} baseCurrency={baseCurrency} timeZone={timeZone} onDone={onDone} />;
}

function EditorForm({ expense, categories, baseCurrency, timeZone, onDone }: {
  expense: Expense | null;
  categories: Category[];
  baseCurrency: string;
  timeZone: string | undefined;
  onDone: (outcome: EditorOutcome) => void;
}) {
  const lastDay = latestExpenseDay(timeZone);
  const owner = useOwner();
  const online = useOnline();
  const queryClient = useQueryClient();
  const form = useApiForm();
  const [values, setValues] = useState<Values>(() => initialValues(expense, categories, baseCurrency, lastCategory(owner.userId), lastDay));
  const touched = useRef(new Set<keyof Values>());
  const [draft, setDraft] = useState<Expense | null>(expense);
  const [receipt, setReceipt] = useState<Receipt | null>(() => expense?.receipts?.at(-1) ?? null);
  const [local, setLocal] = useState<LocalFile | null>(null);
  const [phase, setPhase] = useState<'idle' | 'uploading' | 'reading'>('idle');
  const [progress, setProgress] = useState<number | null>(null);
  const [receiptError, setReceiptError] = useState<string | null>(null);
  const [receiptNote, setReceiptNote] = useState<string | null>(null);
  const [suggested, setSuggested] = useState<Suggested>({});
  const [announcement, setAnnouncement] = useState('');
  const [discarding, setDiscarding] = useState(false);
  const [discardPending, setDiscardPending] = useState(false);
  const [discardError, setDiscardError] = useState<unknown>(null);
  // One key per intended action, made once: a double tap or a retry after a lost answer is the same request.
  const keys = useRef({ placeholder: newKey(), create: newKey(), receipt: newKey(), submit: newKey() });
  const cameraInput = useRef<HTMLInputElement>(null);
  // The latest values for work that finishes later (the receipt read), and the draft's background save.
  const latest = useRef(values);
  latest.current = values;
  const autosave = useRef<Promise<unknown>>(Promise.resolve());
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => () => {
    if (local?.url) URL.revokeObjectURL(local.url);
  }, [local?.url]);

  const category = categories.find((c) => c.id === values.category_id);
  const foreign = values.currency !== baseCurrency;
  const editable = !draft || draft.allowed_actions.includes('update');
  const canChangeReceipt = !draft || draft.allowed_actions.includes('add_receipt');
  const hasReceipt = Boolean(receipt || local);
  const busy = phase !== 'idle';

  const set = <K extends keyof Values>(key: K, value: Values[K]) => {
    touched.current.add(key);
    setValues((v) => ({ ...v, [key]: value }));
    if (key in suggested) setSuggested(({ [key as SuggestedField]: _gone, ...rest }) => rest);
  };
  const bind = (key: 'amount' | 'exchange_rate' | 'expense_date' | 'merchant' | 'description' | 'notes' | 'category_id' | 'currency') =>
    form.bind(key, values[key], (value) => set(key, value));

  const bodyOf = (v: Values): ExpenseBody => ({
    category_id: v.category_id,
    amount: v.amount.trim(),
    currency: v.currency,
    ...(v.currency !== baseCurrency ? { exchange_rate: v.exchange_rate.trim() } : {}),
    expense_date: v.expense_date,
    merchant: v.merchant.trim(),
    description: v.description.trim(),
    notes: v.notes.trim() || null,
    is_billable: v.is_billable,
    is_reimbursable: v.is_reimbursable,
    ...(draft?.production ? { production_id: draft.production.id } : {}),
  });

  /**
   * The draft a photo is read into, before the form is complete: what is typed so far, with safe
   * stand-ins for the rest (the form's values replace them when it is saved).
   */
  const placeholderOf = (v: Values): ExpenseBody => {
    const amount = v.amount.trim();
    const maxOk = !category?.max_amount || Number(amount) <= Number(category.max_amount);
    return {
      category_id: v.category_id,
      amount: AMOUNT_PATTERN.test(amount) && !zero(amount) && maxOk ? amount : '0.01',
      currency: baseCurrency,
      expense_date: DATE_PATTERN.test(v.expense_date) && v.expense_date <= lastDay ? v.expense_date : lastDay,
      merchant: v.merchant.trim() || 'Receipt',
      description: v.description.trim() || 'Receipt photo: details to follow',
      is_billable: v.is_billable,
      is_reimbursable: v.is_reimbursable,
    };
  };

  /** Fills what the receipt reader found into the fields the person has not typed in themselves; answers what it filled. */
  const applySuggestions = (r: Receipt): Partial<Values> => {
    const ocr = r.ocr;
    if (!ocr) {
      setAnnouncement('Receipt added. It could not be read: type the amount, date and merchant.');
      return {};
    }
    const marks: Suggested = {};
    const next: Partial<Values> = {};
    const mark = (confidence: number) => (r.needs_review || confidence < SURE_FROM ? 'check' : 'sure');
    if (ocr.amount && AMOUNT_PATTERN.test(ocr.amount.value) && !touched.current.has('amount')) {
      next.amount = ocr.amount.value;
      marks.amount = mark(ocr.amount.confidence);
    }
    if (ocr.date && DATE_PATTERN.test(ocr.date.value) && !touched.current.has('expense_date')) {
      next.expense_date = ocr.date.value;
      marks.expense_date = mark(ocr.date.confidence);
    }
    if (ocr.merchant?.value && !touched.current.has('merchant')) {
      next.merchant = ocr.merchant.value.slice(0, 255);
      marks.merchant = mark(ocr.merchant.confidence);
    }
    if (ocr.currency && /^[A-Z]{3}$/.test(ocr.currency) && ocr.currency !== values.currency && !touched.current.has('currency')) {
      next.currency = ocr.currency;
      marks.currency = 'check';
    }
    setValues((v) => ({ ...v, ...next }));
    setSuggested(marks);
    const found = Object.keys(marks).length;
    const toCheck = Object.values(marks).filter((m) => m === 'check').length;
    setAnnouncement(
      found === 0
        ? 'Receipt added. Nothing could be read from it: type the amount, date and merchant.'
        : toCheck > 0
          ? `Receipt read. ${toCheck} ${toCheck === 1 ? 'field needs' : 'fields need'} checking.`
          : 'Receipt read: the amount, date and merchant are filled in.',
    );
    return next;
  };

  const upload = async (expenseId: string, file: File): Promise<ReceiptUpload> => {
    const body = new FormData();
    body.append('file', file, file.name);
    setPhase('uploading');
    setProgress(0);
    try {
      return await apiUpload<ReceiptUpload>(`/api/v1/expenses/${expenseId}/receipts`, body, {
        headers: { 'Idempotency-Key': keys.current.receipt },
        onProgress: (p) => {
          setProgress(p.percent);
          if (p.percent === 100) setPhase('reading');
        },
      });
    } finally {
      setPhase('idle');
      setProgress(null);
    }
  };

  const chooseFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    const problem = receiptProblem(file);
    setReceiptNote(null);
    form.clearFieldError('receipt');
    if (problem) {
      setReceiptError(problem);
      return;
    }
    setReceiptError(null);
    keys.current.receipt = newKey();
    const url = /^image\/(jpeg|png|webp|gif)$/i.test(file.type) ? URL.createObjectURL(file) : null;
    setLocal({ file, url, uploaded: false });
    if (!navigator.onLine) {
      setReceiptNote('You are offline: the photo is kept on this device and sent with the expense. Type the amount, date and merchant yourself.');
      return;
    }
    try {
      let id = draft?.id;
      if (!id) {
        setPhase('uploading');
        const created = await api<Expense>('/api/v1/expenses', { method: 'POST', json: placeholderOf(values), headers: { 'Idempotency-Key': keys.current.placeholder } });
        setDraft(created);
        id = created.id;
      }
      const answer = await upload(id, file);
      setDraft(answer.expense);
      setReceipt(answer.receipt);
      setLocal((l) => (l ? { ...l, uploaded: true } : l));
      const read = applySuggestions(answer.receipt);
      // The draft keeps what was read, so one left unfinished is recognisable in the history later.
      // Best effort: the form's own save replaces it (and waits for it, so it never lands after).
      if (Object.keys(read).length) {
        const draftId = id;
        autosave.current = api<Expense>(`/api/v1/expenses/${draftId}`, { method: 'PUT', json: placeholderOf({ ...latest.current, ...read }) })
          .then((saved) => setDraft(saved), () => undefined);
      }
    } catch (err) {
      setPhase('idle');
      if (isTransient(err)) {
        setReceiptNote('The connection dropped: the photo is kept on this device and sent with the expense. Type the amount, date and merchant yourself.');
      } else {
        setLocal(null);
        setReceiptError(err instanceof Error ? err.message : 'The receipt could not be added.');
      }
    }
  };

  const removeReceipt = async () => {
    setReceiptError(null);
    if (receipt && draft) {
      try {
        await api<null>(`/api/v1/expenses/${draft.id}/receipts/${receipt.id}`, { method: 'DELETE' });
      } catch (err) {
        setReceiptError(err instanceof Error ? err.message : 'The receipt could not be removed.');
        return;
      }
      setDraft((d) => (d ? { ...d, receipts: d.receipts?.filter((r) => r.id !== receipt.id) } : d));
    }
    setReceipt(null);
    setLocal(null);
    setSuggested({});
    setAnnouncement('Receipt removed.');
  };

  const validate = (submit: boolean): Record<string, string> => {
    const v = values;
    const problems: Record<string, string> = {};
    const amount = v.amount.trim();
    if (!AMOUNT_PATTERN.test(amount)) problems.amount = 'An amount with at most 2 decimals, like 125.50 (no thousands separators)';
    else if (zero(amount)) problems.amount = 'Must be more than 0';
    else if (!foreign && category?.max_amount && Number(amount) > Number(category.max_amount)) {
      problems.amount = `At most ${formatMoney(category.max_amount, baseCurrency)} for ${category.name}`;
    }
    if (foreign) {
      const rate = v.exchange_rate.trim();
      if (!RATE_PATTERN.test(rate) || zero(rate)) problems.exchange_rate = `How many ${baseCurrency} one ${v.currency} was worth, like 1.0845`;
    }
    if (!DATE_PATTERN.test(v.expense_date)) problems.expense_date = 'Choose the day you paid';
    else if (v.expense_date > lastDay) problems.expense_date = 'Must not be in the future';
    if (!v.merchant.trim()) problems.merchant = 'Where did you pay?';
    if (!category) problems.category_id = 'Choose a category';
    if (!v.description.trim()) problems.description = 'Say what it was for';
    if (submit && category?.requires_receipt && !hasReceipt) problems.receipt = `${category.name} expenses need a receipt: take a photo or choose a file.`;
    return problems;
  };

  const queue = async (submit: boolean, expenseId: string | null) => {
    await enqueue(owner, {
      expenseId,
      body: bodyOf(values),
      file: local && !local.uploaded ? { blob: local.file, name: local.file.name, type: local.file.type } : null,
      submit,
    });
    rememberCategory(owner.userId, values.category_id);
    onDone({ kind: 'queued', submit });
  };

  const save = (submit: boolean) =>
    form.run(
      () => validate(submit),
      async () => {
        setReceiptError(null);
        await autosave.current;
        if (!navigator.onLine) {
          await queue(submit, draft?.id ?? null);
          return;
        }
        let id = draft?.id ?? null;
        try {
          let saved = id
            ? await api<Expense>(`/api/v1/expenses/${id}`, { method: 'PUT', json: bodyOf(values) })
            : await api<Expense>('/api/v1/expenses', { method: 'POST', json: bodyOf(values), headers: { 'Idempotency-Key': keys.current.create } });
          id = saved.id;
          setDraft(saved);
          if (local && !local.uploaded) {
            const answer = await upload(saved.id, local.file);
            saved = answer.expense;
            setReceipt(answer.receipt);
            setLocal((l) => (l ? { ...l, uploaded: true } : l));
          }
          if (submit) saved = await api<Expense>(`/api/v1/expenses/${saved.id}/submit`, { method: 'POST', json: {}, headers: { 'Idempotency-Key': keys.current.submit } });
          rememberCategory(owner.userId, values.category_id);
          void queryClient.invalidateQueries({ queryKey: ['expenses'] });
          onDone({ kind: submit ? 'submitted' : 'saved', expense: saved });
        } catch (err) {
          if (isTransient(err)) {
            await queue(submit, id);
            return;
          }
          if (err instanceof ApiError && err.problem?.type === 'missing_receipts') {
            setReceiptError(err.message);
            document.querySelector<HTMLElement>('[name="receipt"]')?.focus();
          }
          throw err;
        }
      },
    );

  const discard = async () => {
    setDiscardPending(true);
    setDiscardError(null);
    try {
      if (draft && draft.allowed_actions.includes('delete')) {
        await api<null>(`/api/v1/expenses/${draft.id}`, { method: 'DELETE' });
        void queryClient.invalidateQueries({ queryKey: ['expenses'] });
      }
      setDiscarding(false);
      onDone({ kind: 'discarded' });
    } catch (err) {
      setDiscardError(err);
    } finally {
      setDiscardPending(false);
    }
  };

  const hint = (field: SuggestedField, fallback?: string) => {
    const mark = suggested[field];
    if (mark === 'check') {
      return (
        <Box component="span" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, color: 'warning.dark', fontWeight: 600 }}>
          <WarningIcon sx={{ fontSize: '1rem' }} />
          Check this: read from the receipt
        </Box>
      );
    }
    if (mark === 'sure') {
      return (
        <Box component="span" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, color: 'success.dark' }}>
          <CheckCircleIcon sx={{ fontSize: '1rem' }} />
          Read from the receipt
        </Box>
      );
    }
    return fallback;
  };

  const receiptMessage = receiptError ?? form.fieldError('receipt');
  const previewName = receipt?.file.name ?? local?.file.name;

  return (
    <Box component="form" noValidate onSubmit={(e) => void save(true)(e)} sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
      <Box role="status" aria-live="polite" sx={visuallyHidden}>
        {announcement}
      </Box>
      {!online && (
        <Alert severity="info">You are offline. Submitting keeps this expense on your device; it is sent as soon as you are back online.</Alert>
      )}
      <FormError error={form.error} />
      <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: 'minmax(0, 1fr)', md: 'minmax(280px, 360px) minmax(0, 1fr)' }, alignItems: 'start' }}>
        <Card component="section" aria-labelledby="receipt-heading">
          <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
            <Box>
              <Typography variant="h2" id="receipt-heading" sx={{ fontSize: '1.125rem' }}>
                Receipt
              </Typography>
              <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>
                {category?.requires_receipt ? `${category.name} expenses need one. ` : ''}The portal reads the amount, date and merchant for you.
              </Typography>
            </Box>

            {receipt && draft ? (
              <ReceiptPreview expenseId={draft.id} receipt={receipt} alt={`Receipt ${previewName ?? ''}`.trim()} />
            ) : local ? (
              local.url ? (
                <Box component="img" src={local.url} alt={`Receipt photo ${local.file.name}`} sx={{ display: 'block', maxWidth: '100%', maxHeight: 200, objectFit: 'contain', borderRadius: 2, border: 1, borderColor: 'divider', alignSelf: 'flex-start' }} />
              ) : (
                <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, p: 2, border: 1, borderColor: 'divider', borderRadius: 2 }}>
                  <ContractsIcon sx={{ color: 'text.secondary' }} />
                  <Typography sx={{ overflowWrap: 'anywhere' }}>{local.file.name}</Typography>
                </Box>
              )
            ) : null}

            {busy && (
              <Box>
                <LinearProgress
                  variant={phase === 'uploading' && progress !== null ? 'determinate' : 'indeterminate'}
                  value={progress ?? 0}
                  aria-label={phase === 'reading' ? 'Reading the receipt' : 'Uploading the receipt'}
                />
                <Typography sx={{ mt: 1, fontSize: '0.875rem' }}>
                  {phase === 'reading' ? 'Reading the receipt…' : `Uploading the receipt${progress !== null ? ` (${progress}%)` : ''}…`}
                </Typography>
              </Box>
            )}
            {receipt && !busy && (
              <Typography sx={{ fontSize: '0.875rem', color: receipt.needs_review ? 'warning.dark' : 'text.secondary', fontWeight: receipt.needs_review ? 600 : 400 }}>
                {receipt.ocr
                  ? receipt.needs_review
                    ? 'Read with low confidence: check the fields marked below.'
                    : 'Read from the photo: the fields below are filled in.'
                  : receipt.file.content_type === 'application/pdf'
                    ? 'PDF receipt added.'
                    : 'Receipt added.'}
              </Typography>
            )}
            {receiptNote && <Alert severity="info">{receiptNote}</Alert>}
            {receiptMessage && (
              <Alert severity="error" id="receipt-error">
                {receiptMessage}
              </Alert>
            )}

            {editable && canChangeReceipt && !busy && (
              hasReceipt ? (
                <Button variant="outlined" color="error" startIcon={<DeleteIcon />} onClick={() => void removeReceipt()} sx={{ alignSelf: 'flex-start' }}>
                  Remove receipt
                </Button>
              ) : (
                <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
                  {/* Camera first on phones; the file picker for receipts already on the device (or a computer). */}
                  <Button
                    name="receipt"
                    variant="contained"
                    size="large"
                    startIcon={<CameraIcon />}
                    onClick={() => cameraInput.current?.click()}
                    aria-describedby={receiptMessage ? 'receipt-error' : undefined}
                    sx={{ minHeight: 56 }}
                  >
                    Take a photo of the receipt
                  </Button>
                  <Button variant="outlined" startIcon={<UploadIcon />} onClick={() => fileInput.current?.click()}>
                    Choose a photo or PDF
                  </Button>
                  <input ref={cameraInput} type="file" accept={RECEIPT_ACCEPT} capture="environment" hidden onChange={(e) => void chooseFile(e)} data-testid="receipt-camera" />
                  <input ref={fileInput} type="file" accept={RECEIPT_ACCEPT} hidden onChange={(e) => void chooseFile(e)} data-testid="receipt-file" />
                </Box>
              )
            )}
          </CardContent>
        </Card>

        <Card component="section" aria-labelledby="details-heading">
          <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2.5 }}>
            <Typography variant="h2" id="details-heading" sx={{ fontSize: '1.125rem' }}>
              Details
            </Typography>
            <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'minmax(0, 2fr) minmax(0, 1fr)' }}>
              <Field
                label="Amount"
                name="amount"
                required
                autoComplete="off"
                inputProps={{ inputMode: 'decimal', spellCheck: false }}
                helperText={hint('amount', 'Like 125.50')}
                disabled={!editable}
                {...bind('amount')}
              />
              <Field select label="Currency" name="currency" helperText={hint('currency')} disabled={!editable} {...bind('currency')}>
                {currencyChoices(baseCurrency, values.currency).map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </Field>
            </Box>
            {foreign && (
              <Field
                label={`Exchange rate (${baseCurrency} per 1 ${values.currency})`}
                name="exchange_rate"
                required
                autoComplete="off"
                inputProps={{ inputMode: 'decimal', spellCheck: false }}
                helperText={`From your card statement or the day's rate, like 1.0845. ${baseCurrency} is what you are paid in.`}
                disabled={!editable}
                {...bind('exchange_rate')}
              />
            )}
            <Field label="Date" name="expense_date" type="date" required inputProps={{ max: lastDay }} helperText={hint('expense_date')} disabled={!editable} {...bind('expense_date')} />
            <Field label="Merchant" name="merchant" required autoComplete="off" inputProps={{ maxLength: 255 }} helperText={hint('merchant', 'The shop, restaurant or company you paid')} disabled={!editable} {...bind('merchant')} />
            <Field
              select
              label="Category"
              name="category_id"
              required
              helperText={category ? [category.requires_receipt ? 'Needs a receipt' : 'No receipt needed', category.max_amount ? `at most ${formatMoney(category.max_amount, baseCurrency)}` : null].filter(Boolean).join(', ') : undefined}
              disabled={!editable}
              {...bind('category_id')}
            >
              {!category && <option value="">Choose…</option>}
              {categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </Field>
            <Field label="What was it for?" name="description" required multiline minRows={2} inputProps={{ maxLength: 2000 }} helperText="For example: taxi from the airport to the theatre" disabled={!editable} {...bind('description')} />
            <Box sx={{ display: 'flex', flexDirection: 'column' }}>
              <FormControlLabel
                control={<Checkbox checked={values.is_reimbursable} onChange={(e) => set('is_reimbursable', e.target.checked)} disabled={!editable} />}
                label="I paid this myself: pay it back to me"
              />
              <FormControlLabel
                control={<Checkbox checked={values.is_billable} onChange={(e) => set('is_billable', e.target.checked)} disabled={!editable} />}
                label="Billable to a client or production"
              />
            </Box>
            <Field label="Notes (optional)" name="notes" multiline minRows={2} inputProps={{ maxLength: 5000 }} disabled={!editable} {...bind('notes')} />
          </CardContent>
        </Card>
      </Box>

      {editable && (
        <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', flexDirection: { xs: 'column', sm: 'row' }, justifyContent: 'flex-end' }}>
          {(!draft || draft.allowed_actions.includes('delete')) && (
            <Button color="inherit" onClick={() => (draft ? setDiscarding(true) : onDone({ kind: 'discarded' }))} disabled={form.pending || busy} sx={{ mr: { sm: 'auto' } }}>
              {draft ? 'Delete draft' : 'Cancel'}
            </Button>
          )}
          <Button variant="outlined" onClick={() => void save(false)()} disabled={busy} loading={form.pending}>
            {online ? 'Save draft' : 'Keep as draft on this device'}
          </Button>
          <Button type="submit" variant="contained" size="large" disabled={busy} loading={form.pending}>
            Submit for approval
          </Button>
        </Box>
      )}
      <ConfirmDialog
        open={discarding}
        title="Delete this draft?"
        confirmLabel="Delete draft"
        destructive
        pending={discardPending}
        error={discardError}
        onConfirm={() => void discard()}
        onClose={() => setDiscarding(false)}
      >
        <Typography>The draft{hasReceipt ? ' and its receipt are' : ' is'} removed for good.</Typography>
      </ConfirmDialog>
    </Box>
  );
}
