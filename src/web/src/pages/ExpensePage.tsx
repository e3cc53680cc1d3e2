import { useState } from 'react';
import { Link as RouterLink, useParams } from 'react-router';
import { useMutation, useQuery } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import { ApiError, apiGet } from '../api.js';
import { useAccount } from '../auth/AuthProvider.js';
import { ErrorWithRetry } from '../components/ErrorWithRetry.js';
import { FormError } from '../components/forms.js';
import { ArrowBackIcon, CheckCircleIcon } from '../components/icons.js';
import { useNotice } from '../components/Notice.js';
import { Page } from '../components/Page.js';
import { useAfterEditing } from './NewExpensePage.js';
import { ExpenseEditor } from './expenses/ExpenseEditor.js';
import { approveExpense, RejectDialog, useRefreshExpenses } from './expenses/decisions.js';
import { useLiveExpenses } from './expenses/live.js';
import { Amount, DuplicateWarning, ExpenseFacts, HistoryList, ReceiptPreview, StatusChip } from './expenses/parts.js';
import { APPROVER_ROLES, STATUS_EXPLAIN, type ApprovalLevel, type Expense } from './expenses/types.js';

const BACK = (
  <Button component={RouterLink} to="/expenses" startIcon={<ArrowBackIcon />} sx={{ display: { xs: 'none', sm: 'inline-flex' } }}>
    All expenses
  </Button>
);

const NEEDS: Record<ApprovalLevel, string> = { automatic: 'no approval', admin: 'an administrator', finance: 'an accountant', finance_director: 'a finance director' };

/** Approve or reject, for an approver within their limit; otherwise why not. */
function Decision({ expense }: { expense: Expense }) {
  const { role, user } = useAccount();
  const refresh = useRefreshExpenses();
  const [notice, showNotice] = useNotice();
  const [rejecting, setRejecting] = useState(false);
  const approve = useMutation({
    mutationFn: () => approveExpense(expense.id),
    onSuccess: async () => {
      showNotice({ text: `Approved: ${expense.merchant}.` });
      await refresh();
    },
  });
  const canDecide = expense.allowed_actions.includes('approve');
  if (expense.status !== 'submitted' || !(APPROVER_ROLES as readonly string[]).includes(role)) return notice;
  if (!canDecide) {
    return (
      <Alert severity="info">
        {expense.artist.id === user.id
          ? 'This is your own claim: someone else approves it.'
          : `Above your approval limit: it needs ${NEEDS[expense.approval_level ?? 'finance_director']}.`}
      </Alert>
    );
  }
  return (
    <Card component="section" aria-labelledby="decide-heading">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Typography variant="h2" id="decide-heading" sx={{ fontSize: '1.125rem' }}>
          Your decision
        </Typography>
        <FormError error={approve.error} />
        <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
          <Button variant="contained" color="success" startIcon={<CheckCircleIcon />} onClick={() => approve.mutate()} loading={approve.isPending}>
            Approve
          </Button>
          <Button variant="outlined" color="error" onClick={() => setRejecting(true)} disabled={approve.isPending}>
            Reject
          </Button>
        </Box>
      </CardContent>
      <RejectDialog
        expense={expense}
        open={rejecting}
        onClose={() => setRejecting(false)}
        onDone={() => {
          setRejecting(false);
          showNotice({ text: `Rejected: ${expense.merchant}.` });
          void refresh();
        }}
      />
      {notice}
    </Card>
  );
}

function ExpenseView({ expense }: { expense: Expense }) {
  const { user } = useAccount();
  const receipts = expense.receipts ?? [];
  return (
    <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: 'minmax(0, 1fr)', md: 'minmax(280px, 420px) minmax(0, 1fr)' }, alignItems: 'start' }}>
      <Card component="section" aria-labelledby="receipt-heading">
        <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          <Typography variant="h2" id="receipt-heading" sx={{ fontSize: '1.125rem' }}>
            {receipts.length > 1 ? 'Receipts' : 'Receipt'}
          </Typography>
          {receipts.length === 0 ? (
            <Typography sx={{ color: 'text.secondary' }}>No receipt was added.</Typography>
          ) : (
            receipts.map((r) => <ReceiptPreview key={r.id} expenseId={expense.id} receipt={r} alt={`Receipt from ${expense.merchant}`} large />)
          )}
        </CardContent>
      </Card>
      <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2, minWidth: 0 }}>
        <DuplicateWarning expense={expense} />
        <Decision expense={expense} />
        <Card component="section" aria-labelledby="details-heading">
          <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
            <Typography variant="h2" id="details-heading" sx={{ fontSize: '1.125rem' }}>
              Details
            </Typography>
            <ExpenseFacts expense={expense} showArtist={expense.artist.id !== user.id} />
          </CardContent>
        </Card>
        <Card component="section" aria-labelledby="history-heading">
          <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
            <Typography variant="h2" id="history-heading" sx={{ fontSize: '1.125rem' }}>
              History
            </Typography>
            <HistoryList history={expense.history ?? []} />
          </CardContent>
        </Card>
      </Box>
    </Box>
  );
}

export default function ExpensePage() {
  const { id = '' } = useParams();
  useLiveExpenses();
  const done = useAfterEditing();
  const detail = useQuery({
    queryKey: ['expenses', 'detail', id],
    queryFn: ({ signal }) => apiGet<Expense>(`/api/v1/expenses/${id}`, { signal }),
  });

  if (detail.isPending) {
    return (
      <Page title="Expense" action={BACK}>
        <Box role="progressbar" aria-label="Loading the expense" aria-busy="true" sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          <Skeleton variant="rounded" height={96} />
          <Skeleton variant="rounded" height={320} />
        </Box>
      </Page>
    );
  }
  if (detail.isError) {
    const missing = detail.error instanceof ApiError && (detail.error.status === 404 || detail.error.status === 400);
    return (
      <Page title="Expense" action={BACK}>
        {missing ? (
          <Alert severity="warning">This expense does not exist, or it is not yours to see.</Alert>
        ) : (
          <ErrorWithRetry message={`The expense could not be loaded. ${detail.error.message}`} onRetry={() => void detail.refetch()} />
        )}
      </Page>
    );
  }
  const expense = detail.data;
  const editable = expense.allowed_actions.includes('update');
  return (
    <Page
      title={expense.merchant}
      action={BACK}
    >
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, flexWrap: 'wrap', mt: -1 }}>
        <StatusChip status={expense.status} />
        <Amount expense={expense} strong />
        <Typography sx={{ color: 'text.secondary' }}>{STATUS_EXPLAIN[expense.status]}</Typography>
      </Box>
      {expense.status === 'rejected' && expense.rejection_reason && (
        <Alert severity="error">
          <Box component="span" sx={{ fontWeight: 600 }}>Reason for rejecting:</Box> {expense.rejection_reason}
        </Alert>
      )}
      {editable ? <ExpenseEditor expense={expense} onDone={done} /> : <ExpenseView expense={expense} />}
    </Page>
  );
}
