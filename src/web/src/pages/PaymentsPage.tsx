import { useState } from 'react';
import { Link as RouterLink } from 'react-router';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Checkbox from '@mui/material/Checkbox';
import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import { apiDownload, apiGet, apiPost, type Paged } from '../api.js';
import { useHasRole } from '../auth/guards.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { ErrorWithRetry } from '../components/ErrorWithRetry.js';
import { saveBlob } from '../components/files.js';
import { FormError } from '../components/forms.js';
import { CheckCircleIcon, DownloadIcon, ExpensesIcon } from '../components/icons.js';
import { IconTile } from '../components/IconTile.js';
import { NoAccess } from '../components/NoAccess.js';
import { useNotice } from '../components/Notice.js';
import { Page } from '../components/Page.js';
import { useRefreshExpenses } from './expenses/decisions.js';
import { useLiveExpenses } from './expenses/live.js';
import { Amount, ExpenseSections } from './expenses/parts.js';
import { formatDay, formatMoney, formatTime, PAYER_ROLES, sumAmounts, type Expense, type PaymentBatch } from './expenses/types.js';

function Empty({ title, text }: { title: string; text: string }) {
  return (
    <Box sx={{ py: 3, display: 'flex', flexDirection: 'column', alignItems: 'center', textAlign: 'center', gap: 1 }}>
      <IconTile>
        <ExpensesIcon />
      </IconTile>
      <Typography sx={{ fontWeight: 600 }}>{title}</Typography>
      <Typography sx={{ color: 'text.secondary', maxWidth: '50ch' }}>{text}</Typography>
    </Box>
  );
}

/** Approved claims, to put into a payment batch (approved → processing). */
function ReadyToPay({ onCreated }: { onCreated: (batch: PaymentBatch) => void }) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const list = useInfiniteQuery({
    queryKey: ['expenses', 'approved'],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const p = new URLSearchParams({ status: 'approved', limit: '100' });
      if (pageParam) p.set('cursor', pageParam);
      return apiGet<Paged<Expense>>(`/api/v1/expenses?${p}`, { signal });
    },
    getNextPageParam: (last) => (last.pagination.has_more ? last.pagination.next_cursor : null),
  });
  const create = useMutation({
    mutationFn: (ids: string[]) => apiPost<PaymentBatch>('/api/v1/payment-batches', { expense_ids: ids }),
    onSuccess: (batch) => {
      setSelected(new Set());
      onCreated(batch);
    },
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const payable = rows.filter((r) => r.is_reimbursable);
  const chosen = rows.filter((r) => selected.has(r.id));
  const allChosen = payable.length > 0 && chosen.length === payable.length;
  const currencies = [...new Set(chosen.map((c) => c.base_currency))];
  const toggle = (id: string) => setSelected((s) => {
    const next = new Set(s);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });

  return (
    <Card component="section" aria-labelledby="ready-heading">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 1.5 }}>
        <Typography variant="h2" id="ready-heading" sx={{ fontSize: '1.25rem' }}>
          Ready to pay
        </Typography>
        {list.isPending ? (
          <Skeleton variant="rounded" height={160} aria-label="Loading approved claims" />
        ) : list.isError ? (
          <ErrorWithRetry message={`Approved claims could not be loaded. ${list.error.message}`} onRetry={() => void list.refetch()} />
        ) : rows.length === 0 ? (
          <Empty title="Nothing to pay" text="Approved claims appear here; put them into a payment batch for the bank." />
        ) : (
          <>
            <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, flexWrap: 'wrap', p: 0.5, borderRadius: 1, bgcolor: 'background.default' }}>
              <Checkbox
                checked={allChosen}
                indeterminate={chosen.length > 0 && !allChosen}
                onChange={() => setSelected(allChosen ? new Set() : new Set(payable.map((r) => r.id)))}
                slotProps={{ input: { 'aria-label': 'Select every approved claim' } }}
              />
              <Typography sx={{ flexGrow: 1, fontSize: '0.875rem' }} role="status">
                {chosen.length
                  ? `${chosen.length} selected, ${currencies.length === 1 ? formatMoney(sumAmounts(chosen.map((c) => c.amount_base)), currencies[0]!) : 'in several currencies'}`
                  : `${payable.length} approved ${payable.length === 1 ? 'claim' : 'claims'} to pay`}
              </Typography>
              <Button variant="contained" disabled={!chosen.length || currencies.length > 1} loading={create.isPending} onClick={() => create.mutate(chosen.map((c) => c.id))}>
                Create payment batch
              </Button>
            </Box>
            {currencies.length > 1 && <Alert severity="warning">One batch pays in one currency: select claims in one currency.</Alert>}
            <FormError error={create.error} />
            <Box component="ul" aria-label="Approved claims" sx={{ listStyle: 'none', m: 0, p: 0, '& > li + li': { borderTop: 1, borderColor: 'divider' } }}>
              {rows.map((e) => (
                <Box component="li" key={e.id} sx={{ display: 'flex', alignItems: 'center', gap: 1, py: 1 }}>
                  <Checkbox
                    checked={selected.has(e.id)}
                    onChange={() => toggle(e.id)}
                    disabled={!e.is_reimbursable}
                    slotProps={{ input: { 'aria-label': `Select ${e.merchant}, ${e.artist.name}` } }}
                  />
                  <Box sx={{ minWidth: 0, flexGrow: 1 }}>
                    <Link component={RouterLink} to={`/expenses/${e.id}`} sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>
                      {e.merchant}
                    </Link>
                    <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>
                      {e.artist.name} · {formatDay(e.expense_date)} · {e.category.name}
                      {e.is_reimbursable ? '' : ' · not reimbursable'}
                    </Typography>
                  </Box>
                  <Amount expense={e} />
                </Box>
              ))}
            </Box>
            {list.hasNextPage && (
              <Button variant="outlined" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} sx={{ alignSelf: 'flex-start' }}>
                Show more
              </Button>
            )}
          </>
        )}
      </CardContent>
    </Card>
  );
}

/** Roles that may read bank accounts (the policy's artist_profiles:read_sensitive). */
const READS_BANK_DETAILS = ['accountant', 'finance_director'] as const;

function BatchRow({ batch: b, onPaid }: { batch: PaymentBatch; onPaid: (b: PaymentBatch) => void }) {
  const readsBankDetails = useHasRole(READS_BANK_DETAILS);
  const [asking, setAsking] = useState(false);
  const exportCsv = useMutation({
    mutationFn: async (bankDetails: boolean) => {
      const { blob, filename } = await apiDownload(`/api/v1/payment-batches/${b.id}/export${bankDetails ? '?bank_details=true' : ''}`);
      saveBlob(blob, filename ?? `${b.reference}.csv`);
    },
  });
  const markPaid = useMutation({
    mutationFn: () => apiPost<PaymentBatch>(`/api/v1/payment-batches/${b.id}/paid`, {}),
    onSuccess: (saved) => {
      setAsking(false);
      onPaid(saved);
    },
  });
  const headingId = `batch-${b.id}`;
  return (
    <Box component="li" aria-labelledby={headingId} sx={{ py: 1.5, display: 'flex', flexDirection: 'column', gap: 1 }}>
      <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap', justifyContent: 'space-between' }}>
        <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
          <Typography component="h3" id={headingId} sx={{ fontWeight: 600, fontFamily: 'ui-monospace, monospace', overflowWrap: 'anywhere' }}>
            {b.reference}
          </Typography>
          <Chip size="small" label={b.status === 'paid' ? 'Paid' : 'Processing'} color={b.status === 'paid' ? 'success' : 'primary'} />
        </Box>
        <Typography sx={{ fontWeight: 700, fontVariantNumeric: 'tabular-nums' }}>{formatMoney(b.total_amount, b.currency)}</Typography>
      </Box>
      <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>
        {b.expense_count} {b.expense_count === 1 ? 'claim' : 'claims'} · created {formatTime(b.created_at)}
        {b.paid_at ? ` · paid ${formatTime(b.paid_at)}` : ''}
      </Typography>
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
        <Button variant="outlined" size="small" startIcon={<DownloadIcon />} onClick={() => exportCsv.mutate(false)} loading={exportCsv.isPending && !exportCsv.variables} aria-label={`Export ${b.reference} as CSV`} sx={{ minHeight: 44 }}>
          Export CSV
        </Button>
        {readsBankDetails && (
          <Button
            variant="outlined"
            size="small"
            startIcon={<DownloadIcon />}
            onClick={() => exportCsv.mutate(true)}
            loading={exportCsv.isPending && exportCsv.variables}
            aria-label={`Export ${b.reference} with bank details`}
            sx={{ minHeight: 44 }}
          >
            With bank details
          </Button>
        )}
        {b.status === 'processing' && (
          <Button variant="contained" size="small" startIcon={<CheckCircleIcon />} onClick={() => setAsking(true)} aria-label={`Mark ${b.reference} as paid`} sx={{ minHeight: 44 }}>
            Mark paid
          </Button>
        )}
      </Box>
      {exportCsv.isError && <Alert severity="error">The bank file could not be made. {exportCsv.error.message}</Alert>}
      <ConfirmDialog
        open={asking}
        title={`Mark ${b.reference} as paid?`}
        confirmLabel="Mark paid"
        pending={markPaid.isPending}
        error={markPaid.error}
        onConfirm={() => markPaid.mutate()}
        onClose={() => setAsking(false)}
      >
        <Typography>
          The bank has paid {formatMoney(b.total_amount, b.currency)}: its {b.expense_count} {b.expense_count === 1 ? 'claim becomes' : 'claims become'} paid and each person is told.
        </Typography>
      </ConfirmDialog>
    </Box>
  );
}

function Batches({ onPaid }: { onPaid: (b: PaymentBatch) => void }) {
  const list = useInfiniteQuery({
    queryKey: ['expenses', 'batches'],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const p = new URLSearchParams({ limit: '25' });
      if (pageParam) p.set('cursor', pageParam);
      return apiGet<Paged<PaymentBatch>>(`/api/v1/payment-batches?${p}`, { signal });
    },
    getNextPageParam: (last) => (last.pagination.has_more ? last.pagination.next_cursor : null),
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Card component="section" aria-labelledby="batches-heading">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
        <Typography variant="h2" id="batches-heading" sx={{ fontSize: '1.25rem' }}>
          Payment batches
        </Typography>
        {list.isPending ? (
          <Skeleton variant="rounded" height={120} aria-label="Loading payment batches" />
        ) : list.isError ? (
          <ErrorWithRetry message={`Payment batches could not be loaded. ${list.error.message}`} onRetry={() => void list.refetch()} />
        ) : rows.length === 0 ? (
          <Empty title="No batches yet" text="A batch groups approved claims into one bank file. Export it, pay it, then mark it paid." />
        ) : (
          <>
            <Box component="ul" aria-label="Payment batches" sx={{ listStyle: 'none', m: 0, p: 0, '& > li + li': { borderTop: 1, borderColor: 'divider' } }}>
              {rows.map((b) => (
                <BatchRow key={b.id} batch={b} onPaid={onPaid} />
              ))}
            </Box>
            {list.hasNextPage && (
              <Button variant="outlined" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} sx={{ alignSelf: 'flex-start' }}>
                Show more
              </Button>
            )}
          </>
        )}
      </CardContent>
    </Card>
  );
}

export default function PaymentsPage() {
  const allowed = useHasRole(PAYER_ROLES);
  useLiveExpenses();
  const refresh = useRefreshExpenses();
  const [notice, showNotice] = useNotice();
  if (!allowed) {
    return (
      <Page title="Payments">
        <NoAccess what="expense payments" />
      </Page>
    );
  }
  return (
    <Page title="Payments" description="Pay approved claims: put them into a batch, export the bank file, and mark the batch paid once the bank has paid it.">
      <ExpenseSections />
      <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: 'minmax(0, 1fr)', md: 'minmax(0, 3fr) minmax(0, 2fr)' }, alignItems: 'start' }}>
        <ReadyToPay
          onCreated={(b) => {
            showNotice({ text: `Batch ${b.reference} created: ${b.expense_count} ${b.expense_count === 1 ? 'claim' : 'claims'}, ${formatMoney(b.total_amount, b.currency)}.` });
            void refresh();
          }}
        />
        <Batches
          onPaid={(b) => {
            showNotice({ text: `${b.reference} is paid.` });
            void refresh();
          }}
        />
      </Box>
      {notice}
    </Page>
  );
}
