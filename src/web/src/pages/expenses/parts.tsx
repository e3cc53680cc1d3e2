import { DetailList } from '../../components/DetailList.js';
import type { ReactNode } from 'react';
import { Link as RouterLink, useLocation } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import { apiGet } from '../../api.js';
import { useHasRole } from '../../auth/guards.js';
import { ContractsIcon, OpenInNewIcon, SyncIcon, WarningIcon } from '../../components/icons.js';
import type { Role } from '../../auth/types.js';
import { APPROVER_ROLES, formatDay, formatMoney, formatTime, LEVEL_LABEL, STATUS_COLOR, STATUS_LABEL, type Expense, type ExpenseStatus, type Receipt } from './types.js';

export function StatusChip({ status }: { status: ExpenseStatus }) {
  return <Chip size="small" label={STATUS_LABEL[status]} color={STATUS_COLOR[status]} variant={status === 'draft' ? 'outlined' : 'filled'} />;
}

/** The amount as claimed, and in the organization's currency when it was another one. */
export function Amount({ expense, strong = false }: { expense: Pick<Expense, 'amount' | 'currency' | 'amount_base' | 'base_currency'>; strong?: boolean }) {
  const foreign = expense.currency !== expense.base_currency;
  return (
    <Box component="span" sx={{ display: 'inline-flex', flexDirection: 'column', alignItems: 'flex-end' }}>
      <Box component="span" sx={{ fontWeight: strong ? 700 : 600, fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
        {formatMoney(expense.amount, expense.currency)}
      </Box>
      {foreign && (
        <Box component="span" sx={{ fontSize: '0.875rem', color: 'text.secondary', whiteSpace: 'nowrap' }}>
          {formatMoney(expense.amount_base, expense.base_currency)}
        </Box>
      )}
    </Box>
  );
}

/** A signed link (15 minutes) to a receipt or its thumbnail; asked again before it runs out. */
function useReceiptLink(expenseId: string, receiptId: string, variant: 'image' | 'thumbnail', enabled = true) {
  return useQuery({
    queryKey: ['expense-receipt-link', expenseId, receiptId, variant],
    queryFn: ({ signal }) =>
      apiGet<{ url: string; expires_at: string }>(`/api/v1/expenses/${expenseId}/receipts/${receiptId}/download?variant=${variant}`, { signal }),
    staleTime: 10 * 60_000,
    gcTime: 12 * 60_000,
    enabled,
  });
}

const isPdf = (receipt: Receipt) => receipt.file.content_type === 'application/pdf';

/**
 * A receipt as the server keeps it (re-encoded, without location data): the thumbnail, or the
 * whole image with `large`; a PDF as a tile with a link to open it.
 */
export function ReceiptPreview({ expenseId, receipt, alt, large = false }: { expenseId: string; receipt: Receipt; alt: string; large?: boolean }) {
  const pdf = isPdf(receipt);
  const image = useReceiptLink(expenseId, receipt.id, large ? 'image' : 'thumbnail', !pdf);
  const full = useReceiptLink(expenseId, receipt.id, 'image', pdf || large);
  const height = large ? { xs: 360, md: 480 } : 200;
  if (pdf) {
    return (
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, p: 2, border: 1, borderColor: 'divider', borderRadius: 2, bgcolor: 'background.default' }}>
        <ContractsIcon sx={{ fontSize: 40, color: 'text.secondary' }} />
        <Box sx={{ minWidth: 0, flexGrow: 1 }}>
          <Typography sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>{receipt.file.name}</Typography>
          <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>PDF receipt</Typography>
        </Box>
        {full.data && (
          <Button href={full.data.url} target="_blank" rel="noopener" endIcon={<OpenInNewIcon />} aria-label={`Open the PDF receipt ${receipt.file.name}`}>
            Open
          </Button>
        )}
      </Box>
    );
  }
  if (image.isPending) return <Skeleton variant="rounded" sx={{ height, width: '100%', borderRadius: 2 }} aria-label="Loading the receipt" />;
  if (image.isError) return <Alert severity="warning">The receipt image could not be loaded. {image.error.message}</Alert>;
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1, alignItems: 'flex-start' }}>
      <Box
        component="img"
        src={image.data.url}
        alt={alt}
        sx={{ display: 'block', maxWidth: '100%', maxHeight: height, objectFit: 'contain', borderRadius: 2, border: 1, borderColor: 'divider', bgcolor: '#fff' }}
      />
      {large && full.data && (
        <Link href={full.data.url} target="_blank" rel="noopener" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, minHeight: 44 }}>
          Open full size
          <OpenInNewIcon sx={{ fontSize: '1rem' }} />
        </Link>
      )}
    </Box>
  );
}

/** Label/value pairs of an expense. */
export function ExpenseFacts({ expense, showArtist = false }: { expense: Expense; showArtist?: boolean }) {
  const rows: [string, ReactNode][] = [
    ...(showArtist ? [['Claimed by', expense.artist.name] as [string, ReactNode]] : []),
    ['Amount', <Amount key="a" expense={expense} />],
    ['Date', formatDay(expense.expense_date)],
    ['Merchant', expense.merchant],
    ['Category', expense.category.name],
    ['What for', expense.description],
    ...(expense.production ? [['Production', expense.production.name] as [string, ReactNode]] : []),
    ...(expense.currency !== expense.base_currency ? [['Exchange rate', `${expense.exchange_rate} ${expense.base_currency} per ${expense.currency}`] as [string, ReactNode]] : []),
    ['Reimbursable', expense.is_reimbursable ? 'Yes' : 'No'],
    ...(expense.is_billable ? [['Billable', 'Yes'] as [string, ReactNode]] : []),
    ...(expense.approval_level ? [['Approval level', LEVEL_LABEL[expense.approval_level]] as [string, ReactNode]] : []),
    ...(expense.notes ? [['Notes', expense.notes] as [string, ReactNode]] : []),
  ];
  return <DetailList items={rows} labelWidth={120} strong />;
}

const DECISION_LABEL: Record<string, string> = {
  submitted: 'Submitted',
  auto_approved: 'Approved automatically',
  approved: 'Approved',
  rejected: 'Rejected',
  paid: 'Paid',
};

export function HistoryList({ history }: { history: NonNullable<Expense['history']> }) {
  if (!history.length) return <Typography sx={{ color: 'text.secondary' }}>Nothing has happened yet: it is a draft.</Typography>;
  return (
    <Box component="ol" sx={{ m: 0, pl: 0, listStyle: 'none', display: 'flex', flexDirection: 'column', gap: 1.5 }}>
      {history.map((h, i) => (
        <Box component="li" key={`${h.at}-${i}`} sx={{ borderLeft: 3, borderColor: h.decision === 'rejected' ? 'error.main' : 'primary.main', pl: 1.5 }}>
          <Typography sx={{ fontWeight: 600 }}>
            {DECISION_LABEL[h.decision] ?? h.decision}
            {h.by ? ` by ${h.by}` : ''}
          </Typography>
          <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>{formatTime(h.at)}</Typography>
          {h.reason && <Typography sx={{ fontSize: '0.875rem', overflowWrap: 'anywhere' }}>{h.decision === 'paid' ? `Batch ${h.reason}` : h.reason}</Typography>}
        </Box>
      ))}
    </Box>
  );
}

/** The same amount, date and merchant claimed before by the same person: the approver looks twice. */
export function DuplicateWarning({ expense }: { expense: Expense }) {
  if (!expense.possible_duplicates.length) return null;
  const n = expense.possible_duplicates.length;
  return (
    <Alert severity="warning" icon={<WarningIcon />}>
      <Box component="span" sx={{ fontWeight: 600 }}>Possible duplicate.</Box> {expense.artist.name} claimed the same amount, date and merchant{' '}
      {n === 1 ? 'once before' : `${n} times before`}:{' '}
      {expense.possible_duplicates.map((id, i) => (
        <Box component="span" key={id}>
          {i > 0 && ', '}
          <Link component={RouterLink} to={`/expenses/${id}`}>
            claim {i + 1}
          </Link>
        </Box>
      ))}
      .
    </Alert>
  );
}

/** Offline: what still works. */
export function OfflineBanner() {
  return (
    <Alert severity="warning" icon={<SyncIcon />} role="status">
      <Box component="span" sx={{ fontWeight: 600 }}>You are offline.</Box> New expenses are kept on this device and sent when you are back online.
    </Alert>
  );
}

const SECTIONS: { to: string; label: string; roles?: readonly Role[] }[] = [
  { to: '/expenses', label: 'My expenses' },
  { to: '/expenses/approvals', label: 'Approvals', roles: APPROVER_ROLES },
  { to: '/expenses/payments', label: 'Payments', roles: APPROVER_ROLES },
];

/** Approvers move between their own claims, the approval queue and payments. Nothing for the others. */
export function ExpenseSections() {
  const { pathname } = useLocation();
  const approver = useHasRole(APPROVER_ROLES);
  if (!approver) return null;
  return (
    <Box component="nav" aria-label="Expenses" sx={{ display: 'flex', gap: { xs: 0.5, sm: 1 }, flexWrap: 'wrap', borderBottom: 1, borderColor: 'divider', pb: 1 }}>
      {SECTIONS.map((s) => {
        const current = pathname === s.to;
        return (
          <Button
            key={s.to}
            component={RouterLink}
            to={s.to}
            aria-current={current ? 'page' : undefined}
            variant={current ? 'contained' : 'text'}
            disableElevation
            sx={{ minHeight: 44, px: { xs: 1.5, sm: 2 } }}
          >
            {s.label}
          </Button>
        );
      })}
    </Box>
  );
}
