import { useCallback, useEffect, useRef, useState } from 'react';
import { Link as RouterLink } from 'react-router';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import ButtonBase from '@mui/material/ButtonBase';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Checkbox from '@mui/material/Checkbox';
import Chip from '@mui/material/Chip';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import { alpha } from '@mui/material/styles';
import { apiGet, type Paged } from '../api.js';
import { useAccount } from '../auth/AuthProvider.js';
import { useHasRole } from '../auth/guards.js';
import { ErrorWithRetry } from '../components/ErrorWithRetry.js';
import { FormError } from '../components/forms.js';
import { CheckCircleIcon, DoneAllIcon, OpenInNewIcon, WarningIcon } from '../components/icons.js';
import { IconTile } from '../components/IconTile.js';
import { NoAccess } from '../components/NoAccess.js';
import { useNotice } from '../components/Notice.js';
import { Page } from '../components/Page.js';
import { useOrganizationSettings } from './expenses/data.js';
import { approveExpense, RejectDialog, useRefreshExpenses } from './expenses/decisions.js';
import { useLiveExpenses } from './expenses/live.js';
import { Amount, DuplicateWarning, ExpenseFacts, ExpenseSections, ReceiptPreview } from './expenses/parts.js';
import { approvalLimit, APPROVER_ROLES, formatDay, formatMoney, sumAmounts, type Expense } from './expenses/types.js';

const PAGE_SIZE = 50;

function Kbd({ children }: { children: string }) {
  return (
    <Box component="kbd" sx={{ fontFamily: 'inherit', fontWeight: 700, fontSize: '0.8125rem', px: 0.75, py: 0.125, border: 1, borderColor: 'divider', borderBottomWidth: 2, borderRadius: 1, bgcolor: 'background.paper' }}>
      {children}
    </Box>
  );
}

function Shortcuts() {
  return (
    <Box component="section" aria-label="Keyboard shortcuts" sx={{ display: { xs: 'none', md: 'flex' }, gap: { xs: 1, sm: 2 }, flexWrap: 'wrap', alignItems: 'center', fontSize: '0.875rem', color: 'text.secondary' }}>
      <Typography component="span" sx={{ fontSize: '0.875rem', fontWeight: 600, color: 'text.primary' }}>Keyboard:</Typography>
      <span><Kbd>J</Kbd> / <Kbd>K</Kbd> next / previous</span>
      <span><Kbd>A</Kbd> approve</span>
      <span><Kbd>R</Kbd> reject</span>
      <span><Kbd>X</Kbd> select for bulk approval</span>
    </Box>
  );
}

/** Typing in a field or a dialog is not a shortcut. */
function typing(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  if (target.closest('[role="dialog"]')) return true;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

function QueueRow({ expense: e, current, checked, onOpen, onToggle, rowRef }: {
  expense: Expense;
  current: boolean;
  checked: boolean;
  onOpen: () => void;
  onToggle: () => void;
  rowRef: (el: HTMLButtonElement | null) => void;
}) {
  const canApprove = e.allowed_actions.includes('approve');
  return (
    <Box
      component="li"
      sx={(theme) => ({
        display: 'flex',
        alignItems: 'stretch',
        borderRadius: 1,
        bgcolor: current ? alpha(theme.palette.primary.main, 0.08) : 'transparent',
        boxShadow: current ? `inset 3px 0 0 ${theme.palette.primary.main}` : 'none',
      })}
    >
      <Box sx={{ display: 'flex', alignItems: 'center', pl: 0.5 }}>
        <Checkbox checked={checked} onChange={onToggle} disabled={!canApprove} slotProps={{ input: { 'aria-label': `Select ${e.merchant}, ${e.artist.name}` } }} />
      </Box>
      <ButtonBase
        ref={rowRef}
        onClick={onOpen}
        aria-current={current ? 'true' : undefined}
        sx={{ flexGrow: 1, minWidth: 0, justifyContent: 'space-between', alignItems: 'flex-start', textAlign: 'left', gap: 1.5, px: 1, py: 1.5, borderRadius: 1 }}
      >
        <Box sx={{ minWidth: 0 }}>
          <Typography sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>{e.merchant}</Typography>
          <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>
            {e.artist.name} · {formatDay(e.expense_date)}
          </Typography>
          {e.possible_duplicates.length > 0 && (
            <Chip size="small" color="warning" icon={<WarningIcon />} label="Possible duplicate" sx={{ mt: 0.5 }} />
          )}
        </Box>
        <Amount expense={e} />
      </ButtonBase>
    </Box>
  );
}

function DetailPanel({ id, onApprove, onReject, approving, error }: { id: string; onApprove: (e: Expense) => void; onReject: (e: Expense) => void; approving: boolean; error: unknown }) {
  const detail = useQuery({
    queryKey: ['expenses', 'detail', id],
    queryFn: ({ signal }) => apiGet<Expense>(`/api/v1/expenses/${id}`, { signal }),
  });
  if (detail.isPending) return <Skeleton variant="rounded" height={480} aria-label="Loading the claim" />;
  if (detail.isError) return <ErrorWithRetry message={`The claim could not be loaded. ${detail.error.message}`} onRetry={() => void detail.refetch()} />;
  const e = detail.data;
  const receipts = e.receipts ?? [];
  const allowed = e.allowed_actions.includes('approve');
  return (
    <Card component="section" aria-labelledby="claim-heading">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Box sx={{ display: 'flex', justifyContent: 'space-between', gap: 2, flexWrap: 'wrap', alignItems: 'flex-start' }}>
          <Box sx={{ minWidth: 0 }}>
            <Typography variant="h2" id="claim-heading" sx={{ fontSize: '1.25rem', overflowWrap: 'anywhere' }}>
              {e.merchant}
            </Typography>
            <Typography sx={{ color: 'text.secondary' }}>{e.artist.name}</Typography>
          </Box>
          <Box sx={{ fontSize: '1.25rem' }}>
            <Amount expense={e} strong />
          </Box>
        </Box>
        <DuplicateWarning expense={e} />
        <FormError error={error} />
        {allowed ? (
          <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
            <Button variant="contained" color="success" startIcon={<CheckCircleIcon />} onClick={() => onApprove(e)} loading={approving} aria-keyshortcuts="A">
              Approve
            </Button>
            <Button variant="outlined" color="error" onClick={() => onReject(e)} disabled={approving} aria-keyshortcuts="R">
              Reject
            </Button>
            <Button component={RouterLink} to={`/expenses/${e.id}`} endIcon={<OpenInNewIcon />} sx={{ ml: { sm: 'auto' } }}>
              Open the claim
            </Button>
          </Box>
        ) : (
          <Alert severity="info">This claim is {e.status} now; it no longer waits for you.</Alert>
        )}
        <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: 'minmax(0, 1fr)', lg: 'minmax(0, 1fr) minmax(0, 1fr)' }, alignItems: 'start' }}>
          <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
            {receipts.length === 0 ? (
              <Alert severity="warning">No receipt attached.</Alert>
            ) : (
              receipts.map((r) => <ReceiptPreview key={r.id} expenseId={e.id} receipt={r} alt={`Receipt from ${e.merchant}`} large />)
            )}
          </Box>
          <ExpenseFacts expense={e} showArtist />
        </Box>
      </CardContent>
    </Card>
  );
}

function ApprovalQueue() {
  const { role, organization } = useAccount();
  const { organization: settings } = useOrganizationSettings(organization.organization_id);
  const limit = approvalLimit(role, settings?.settings.approval_limits);
  const base = settings?.settings.default_currency;
  useLiveExpenses();
  const refresh = useRefreshExpenses();
  const [notice, showNotice] = useNotice();
  const [currentId, setCurrentId] = useState<string | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [rejecting, setRejecting] = useState<Expense | null>(null);
  const [rejectOpen, setRejectOpen] = useState(false);
  const rowRefs = useRef(new Map<string, HTMLButtonElement>());

  const list = useInfiniteQuery({
    queryKey: ['expenses', 'queue'],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const p = new URLSearchParams({ awaiting_me: 'true', limit: String(PAGE_SIZE) });
      if (pageParam) p.set('cursor', pageParam);
      return apiGet<Paged<Expense>>(`/api/v1/expenses?${p}`, { signal });
    },
    getNextPageParam: (last) => (last.pagination.has_more ? last.pagination.next_cursor : null),
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const index = Math.max(0, rows.findIndex((r) => r.id === currentId));
  const current = rows[index] ?? null;

  /** After a decision the next claim is shown (or the one before, at the end of the list). */
  const moveOn = (decidedIds: readonly string[]) => {
    const rest = rows.filter((r) => !decidedIds.includes(r.id));
    const next = rows.slice(index + 1).find((r) => !decidedIds.includes(r.id)) ?? rest.at(-1) ?? null;
    setCurrentId(next?.id ?? null);
    setSelected((s) => new Set([...s].filter((id) => !decidedIds.includes(id))));
  };

  const approve = useMutation({
    mutationFn: (e: Expense) => approveExpense(e.id),
    onSuccess: async (_saved, e) => {
      showNotice({ text: `Approved: ${e.merchant}, ${formatMoney(e.amount, e.currency)}.` });
      moveOn([e.id]);
      await refresh();
    },
  });

  // Each selected claim is approved on its own; the answer says which went through.
  const bulk = useMutation({
    mutationFn: async (ids: string[]) => {
      const outcomes = [];
      for (const id of ids) {
        try {
          await approveExpense(id);
          outcomes.push({ id, ok: true as const });
        } catch (err) {
          outcomes.push({ id, ok: false as const, message: err instanceof Error ? err.message : 'Failed' });
        }
      }
      return outcomes;
    },
    onSuccess: async (outcomes) => {
      const ok = outcomes.filter((o) => o.ok);
      const failed = outcomes.filter((o) => !o.ok);
      showNotice({
        text: failed.length ? `Approved ${ok.length}; ${failed.length} could not be: ${failed[0]!.message}` : `Approved ${ok.length} ${ok.length === 1 ? 'claim' : 'claims'}.`,
        severity: failed.length ? 'error' : 'success',
      });
      moveOn(ok.map((o) => o.id));
      await refresh();
    },
  });

  const openReject = useCallback((e: Expense) => {
    setRejecting(e);
    setRejectOpen(true);
  }, []);

  const go = useCallback((to: number) => {
    const target = rows[to];
    if (!target) return;
    setCurrentId(target.id);
    rowRefs.current.get(target.id)?.focus();
  }, [rows]);

  const toggle = useCallback((id: string) => setSelected((s) => {
    const next = new Set(s);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  }), []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey || event.ctrlKey || event.metaKey || typing(event) || rejectOpen) return;
      const key = event.key.toLowerCase();
      if (key === 'j') go(index + 1);
      else if (key === 'k') go(index - 1);
      else if (key === 'a' && current?.allowed_actions.includes('approve') && !approve.isPending) approve.mutate(current);
      else if (key === 'r' && current?.allowed_actions.includes('reject')) openReject(current);
      else if (key === 'x' && current?.allowed_actions.includes('approve')) toggle(current.id);
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [index, current, go, approve, openReject, toggle, rejectOpen]);

  const selectable = rows.filter((r) => r.allowed_actions.includes('approve'));
  const chosen = rows.filter((r) => selected.has(r.id));
  const allChosen = selectable.length > 0 && chosen.length === selectable.length;

  return (
    <Page
      title="Approvals"
      description={
        limit === null
          ? 'Claims waiting for your decision.'
          : `Claims waiting for your decision${Number.isFinite(limit) && base ? `, up to your approval limit of ${formatMoney(limit.toFixed(2), base)}` : ''}. Larger ones go to ${Number.isFinite(limit) ? 'someone with a higher limit' : 'nobody else: you approve any amount'}.`
      }
    >
      <ExpenseSections />
      <Shortcuts />
      {list.isPending ? (
        <Box role="progressbar" aria-label="Loading the approval queue" aria-busy="true" sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} variant="rounded" height={72} />
          ))}
        </Box>
      ) : list.isError ? (
        <ErrorWithRetry message={`The approval queue could not be loaded. ${list.error.message}`} onRetry={() => void list.refetch()} />
      ) : rows.length === 0 ? (
        <Card>
          <CardContent sx={{ py: 5, display: 'flex', flexDirection: 'column', alignItems: 'center', textAlign: 'center', gap: 1.5 }}>
            <IconTile>
              <DoneAllIcon />
            </IconTile>
            <Typography sx={{ fontWeight: 600 }}>Nothing waits for you</Typography>
            <Typography sx={{ color: 'text.secondary', maxWidth: '50ch' }}>New claims within your approval limit appear here as soon as they are submitted.</Typography>
          </CardContent>
        </Card>
      ) : (
        <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: 'minmax(0, 1fr)', md: 'minmax(300px, 380px) minmax(0, 1fr)' }, alignItems: 'start' }}>
          <Card component="section" aria-labelledby="queue-heading">
            <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 1, px: { xs: 1, sm: 2 } }}>
              <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 1, px: 1 }}>
                <Typography variant="h2" id="queue-heading" sx={{ fontSize: '1.125rem' }}>
                  Waiting ({rows.length}{list.hasNextPage ? '+' : ''})
                </Typography>
              </Box>
              <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, flexWrap: 'wrap', px: 0.5, py: 0.5, borderRadius: 1, bgcolor: 'background.default' }}>
                <Checkbox
                  checked={allChosen}
                  indeterminate={chosen.length > 0 && !allChosen}
                  onChange={() => setSelected(allChosen ? new Set() : new Set(selectable.map((r) => r.id)))}
                  slotProps={{ input: { 'aria-label': 'Select every claim' } }}
                />
                <Typography sx={{ fontSize: '0.875rem', flexGrow: 1 }} role="status">
                  {chosen.length ? `${chosen.length} selected${base ? `, ${formatMoney(sumAmounts(chosen.map((c) => c.amount_base)), base)}` : ''}` : 'Select all'}
                </Typography>
                <Button variant="contained" size="small" startIcon={<DoneAllIcon />} disabled={!chosen.length} loading={bulk.isPending} onClick={() => bulk.mutate(chosen.map((c) => c.id))} sx={{ minHeight: 44 }}>
                  Approve selected
                </Button>
              </Box>
              <Box component="ul" aria-label="Claims waiting for approval" sx={{ listStyle: 'none', m: 0, p: 0, display: 'flex', flexDirection: 'column', gap: 0.5 }}>
                {rows.map((r) => (
                  <QueueRow
                    key={r.id}
                    expense={r}
                    current={r.id === current?.id}
                    checked={selected.has(r.id)}
                    onOpen={() => setCurrentId(r.id)}
                    onToggle={() => toggle(r.id)}
                    rowRef={(el) => {
                      if (el) rowRefs.current.set(r.id, el);
                      else rowRefs.current.delete(r.id);
                    }}
                  />
                ))}
              </Box>
              {list.hasNextPage && (
                <Button variant="outlined" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
                  Show more
                </Button>
              )}
            </CardContent>
          </Card>
          {current && (
            <DetailPanel
              key={current.id}
              id={current.id}
              onApprove={(e) => approve.mutate(e)}
              onReject={openReject}
              approving={approve.isPending}
              error={approve.variables?.id === current.id ? approve.error : null}
            />
          )}
        </Box>
      )}
      <RejectDialog
        expense={rejecting}
        open={rejectOpen}
        onClose={() => setRejectOpen(false)}
        onDone={(e) => {
          setRejectOpen(false);
          showNotice({ text: `Rejected: ${e.merchant}. ${e.artist.name} is told why.` });
          moveOn([e.id]);
          void refresh();
        }}
      />
      {notice}
    </Page>
  );
}

export default function ApprovalsPage() {
  const allowed = useHasRole(APPROVER_ROLES);
  if (!allowed) {
    return (
      <Page title="Approvals">
        <NoAccess what="expense approvals" />
      </Page>
    );
  }
  return <ApprovalQueue />;
}
