import { EmptyState, ListSkeleton } from '../components/ListStates.js';
import { useEffect, useState } from 'react';
import { Link as RouterLink, useLocation, useNavigate } from 'react-router';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardActionArea from '@mui/material/CardActionArea';
import CardContent from '@mui/material/CardContent';
import InputAdornment from '@mui/material/InputAdornment';
import Typography from '@mui/material/Typography';
import { apiDownload, apiGet, type Paged } from '../api.js';
import { useAccount } from '../auth/AuthProvider.js';
import { useHasRole } from '../auth/guards.js';
import { ErrorWithRetry } from '../components/ErrorWithRetry.js';
import { saveBlob } from '../components/files.js';
import { Field } from '../components/forms.js';
import { CameraIcon, DownloadIcon, ExpensesIcon, SearchIcon, SyncIcon, TuneIcon } from '../components/icons.js';
import { useNotice } from '../components/Notice.js';
import { Page } from '../components/Page.js';
import { useDebounced } from '../components/useDebounced.js';
import { useCategories, useOrganizationSettings } from './expenses/data.js';
import { useLiveExpenses } from './expenses/live.js';
import type { QueuedExpense } from './expenses/offline.js';
import { Amount, ExpenseSections, OfflineBanner, StatusChip } from './expenses/parts.js';
import { APPROVER_ROLES, DATE_PATTERN, EXPENSE_STATUSES, formatDay, formatMoney, STATUS_LABEL, type Expense, type ExpenseStatus } from './expenses/types.js';
import { useExpenseQueue } from './expenses/useQueue.js';

const PAGE_SIZE = 20;

function ExpenseRow({ expense: e, showArtist }: { expense: Expense; showArtist: boolean }) {
  const headingId = `expense-${e.id}`;
  return (
    <Box component="li" aria-labelledby={headingId}>
      <CardActionArea component={RouterLink} to={`/expenses/${e.id}`} sx={{ px: { xs: 1.5, sm: 2 }, py: 1.5, borderRadius: 1 }}>
        <Box sx={{ display: 'flex', gap: 2, alignItems: 'flex-start', justifyContent: 'space-between' }}>
          <Box sx={{ minWidth: 0, display: 'flex', flexDirection: 'column', gap: 0.5 }}>
            <Typography component="h2" id={headingId} sx={{ fontWeight: 600, fontSize: '1.0625rem', overflowWrap: 'anywhere' }}>
              {e.merchant}
            </Typography>
            <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>
              {formatDay(e.expense_date)} · {e.category.name}
              {showArtist ? ` · ${e.artist.name}` : ''}
            </Typography>
            <Box>
              <StatusChip status={e.status} />
            </Box>
          </Box>
          <Amount expense={e} />
        </Box>
        {e.status === 'rejected' && e.rejection_reason && (
          <Typography sx={{ mt: 1, fontSize: '0.875rem', color: 'error.dark', overflowWrap: 'anywhere' }}>
            <Box component="span" sx={{ fontWeight: 600 }}>Reason:</Box> {e.rejection_reason}
          </Typography>
        )}
      </CardActionArea>
    </Box>
  );
}

/** "2 waiting to send": expenses kept on this device, with what happens to each. */
function QueueCard({ queue }: { queue: ReturnType<typeof useExpenseQueue> }) {
  const { items, busy, online } = queue;
  if (!items.length) return null;
  const waiting = items.filter((i) => !i.error).length;
  const label = (i: QueuedExpense) => `${i.body.merchant || 'Expense'}, ${formatMoney(i.body.amount, i.body.currency)}`;
  return (
    <Card component="section" aria-labelledby="queue-heading" sx={{ borderColor: 'warning.main' }}>
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 1.5 }}>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, flexWrap: 'wrap', justifyContent: 'space-between' }}>
          <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5 }}>
            <SyncIcon sx={{ color: 'warning.dark' }} />
            <Typography variant="h2" id="queue-heading" sx={{ fontSize: '1.125rem' }} aria-live="polite">
              {waiting > 0 ? `${waiting} waiting to send` : `${items.length} ${items.length === 1 ? 'needs' : 'need'} your attention`}
            </Typography>
          </Box>
          {online && waiting > 0 && (
            <Button variant="outlined" onClick={() => void queue.flush()} loading={busy.size > 0}>
              Send now
            </Button>
          )}
        </Box>
        <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>
          Kept on this device{online ? '' : ' until you are back online'}. Each is sent once, even if sending is tried again.
        </Typography>
        <Box component="ul" aria-label="Waiting to send" sx={{ listStyle: 'none', m: 0, p: 0, display: 'flex', flexDirection: 'column', gap: 1 }}>
          {items.map((i) => (
            <Box component="li" key={i.id} sx={{ p: 1.5, borderRadius: 1, bgcolor: 'background.default', display: 'flex', flexDirection: 'column', gap: 0.5 }}>
              <Typography sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>{label(i)}</Typography>
              <Typography sx={{ fontSize: '0.875rem', color: i.error ? 'error.dark' : 'text.secondary' }}>
                {i.error
                  ? `Not sent: ${i.error}`
                  : busy.has(i.id)
                    ? 'Sending…'
                    : `${i.submit ? 'To submit' : 'Draft'}${i.file ? ', with receipt photo' : ''} · ${online ? 'waiting' : 'waiting for a connection'}`}
              </Typography>
              {i.error && (
                <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                  {i.expenseId && (
                    <Button component={RouterLink} to={`/expenses/${i.expenseId}`} size="small" sx={{ minHeight: 44 }}>
                      Open the draft
                    </Button>
                  )}
                  <Button size="small" onClick={() => void queue.retry(i)} disabled={!online} sx={{ minHeight: 44 }}>
                    Try again
                  </Button>
                  <Button size="small" color="error" onClick={() => void queue.remove(i)} sx={{ minHeight: 44 }}>
                    Remove from this device
                  </Button>
                </Box>
              )}
            </Box>
          ))}
        </Box>
      </CardContent>
    </Card>
  );
}

function ExpenseList({ seesAll }: { seesAll: boolean }) {
  const account = useAccount();
  const { categories } = useCategories(account.organization.organization_id);
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<ExpenseStatus | ''>('');
  const [categoryId, setCategoryId] = useState('');
  const [whose, setWhose] = useState<'mine' | 'everyone'>('mine');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [more, setMore] = useState(false);
  const q = useDebounced(search.trim(), 300);
  const everyone = seesAll && whose === 'everyone';

  const params = () => {
    const p = new URLSearchParams();
    if (q) p.set('q', q);
    if (status) p.set('status', status);
    if (categoryId) p.set('category_id', categoryId);
    if (DATE_PATTERN.test(from)) p.set('from', from);
    if (DATE_PATTERN.test(to)) p.set('to', to);
    if (seesAll && !everyone) p.set('artist_id', account.user.id);
    return p;
  };

  const list = useInfiniteQuery({
    queryKey: ['expenses', 'list', { q, status, categoryId, everyone, from, to, me: account.user.id }],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const p = params();
      p.set('limit', String(PAGE_SIZE));
      if (pageParam) p.set('cursor', pageParam);
      return apiGet<Paged<Expense>>(`/api/v1/expenses?${p}`, { signal });
    },
    getNextPageParam: (last) => (last.pagination.has_more ? last.pagination.next_cursor : null),
  });

  const exportCsv = useMutation({
    mutationFn: async () => {
      const { blob, filename } = await apiDownload(`/api/v1/expenses/export?${params()}`);
      saveBlob(blob, filename ?? 'expenses.csv');
    },
  });

  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Boolean(q || status || categoryId || from || to);

  return (
    <Card component="section" aria-label="Expense history">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
        <Box role="search" aria-label="Expenses" sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: seesAll ? '2fr 1fr 1fr 1fr' : '2fr 1fr 1fr' }, mb: 1 }}>
          <Field
            label="Search merchant or description"
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            startAdornment={
              <InputAdornment position="start">
                <SearchIcon />
              </InputAdornment>
            }
          />
          <Field select label="Status" value={status} onChange={(e) => setStatus(e.target.value as ExpenseStatus | '')}>
            <option value="">All</option>
            {EXPENSE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </Field>
          <Field select label="Category" value={categoryId} onChange={(e) => setCategoryId(e.target.value)}>
            <option value="">All</option>
            {(categories ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </Field>
          {seesAll && (
            <Field select label="Whose" value={whose} onChange={(e) => setWhose(e.target.value as 'mine' | 'everyone')}>
              <option value="mine">Mine</option>
              <option value="everyone">Everyone&apos;s</option>
            </Field>
          )}
        </Box>
        <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2, mt: -1, mb: 1 }}>
          <Button
            variant="text"
            size="small"
            startIcon={<TuneIcon />}
            aria-expanded={more}
            aria-controls="expense-more-filters"
            onClick={() => setMore((m) => !m)}
            sx={{ alignSelf: 'flex-start', minHeight: 44 }}
          >
            {more ? 'Fewer filters' : 'Filter by date'}
          </Button>
          {more && (
            <Box id="expense-more-filters" sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: 'minmax(0, 1fr) minmax(0, 1fr)', sm: 'repeat(2, minmax(0, 220px))' } }}>
              <Field label="From" type="date" value={from} onChange={(e) => setFrom(e.target.value)} inputProps={{ max: to || undefined }} />
              <Field label="To" type="date" value={to} onChange={(e) => setTo(e.target.value)} inputProps={{ min: from || undefined }} />
            </Box>
          )}
        </Box>

        {list.isPending ? (
          <ListSkeleton label="Loading expenses" rowHeight={88} />
        ) : list.isError && !list.isFetchNextPageError ? (
          <ErrorWithRetry
            message={`Your expenses could not be loaded. ${navigator.onLine ? list.error.message : 'You are offline.'}`}
            onRetry={() => void list.refetch()}
          />
        ) : rows.length === 0 ? (
          <EmptyState icon={<ExpensesIcon />} title={filtered ? 'No expenses match' : 'No expenses yet'}
            action={!filtered && (
              <Button component={RouterLink} to="/expenses/new" variant="contained" startIcon={<CameraIcon />}>
                New expense
              </Button>
            )}
          >
            {filtered ? 'Try other words, other dates, or show every status and category.' : 'Photograph a receipt and claim it in a few taps — it works offline too.'}
          </EmptyState>
        ) : (
          <>
            <Box component="ul" aria-label="Expenses" sx={{ listStyle: 'none', m: 0, p: 0, '& > li + li': { borderTop: 1, borderColor: 'divider' } }}>
              {rows.map((e) => (
                <ExpenseRow key={e.id} expense={e} showArtist={everyone} />
              ))}
            </Box>
            {list.isFetchNextPageError && <ErrorWithRetry message="More expenses could not be loaded." onRetry={() => void list.fetchNextPage()} />}
            <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 2, flexWrap: 'wrap', pt: 1 }}>
              <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem' }} role="status">
                Showing {rows.length} {rows.length === 1 ? 'expense' : 'expenses'}
                {filtered ? ' matching your search' : ''}
              </Typography>
              <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                <Button variant="text" startIcon={<DownloadIcon />} onClick={() => exportCsv.mutate()} loading={exportCsv.isPending}>
                  Export CSV
                </Button>
                {list.hasNextPage && (
                  <Button variant="outlined" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
                    Show more
                  </Button>
                )}
              </Box>
            </Box>
            {exportCsv.isError && <Alert severity="error">The export could not be made. {exportCsv.error.message}</Alert>}
          </>
        )}
      </CardContent>
    </Card>
  );
}

export default function ExpensesPage() {
  useLiveExpenses();
  const queue = useExpenseQueue();
  const account = useAccount();
  // What the capture screen needs offline: its code, the categories and the organization's currency.
  useOrganizationSettings(account.organization.organization_id);
  useEffect(() => {
    void import('./NewExpensePage.js');
  }, []);
  const seesAll = useHasRole(APPROVER_ROLES);
  const location = useLocation();
  const navigate = useNavigate();
  const [notice, showNotice] = useNotice();
  const handed = (location.state as { notice?: string } | null)?.notice;

  useEffect(() => {
    if (!handed) return;
    showNotice({ text: handed });
    // Shown once: a reload or Back does not show it again.
    void navigate(location.pathname, { replace: true, state: null });
  }, [handed, showNotice, navigate, location.pathname]);

  return (
    <Page
      title="Expenses"
      description="Claim what you paid for the company: photograph the receipt, check the amount, submit. Follow each claim until it is paid."
      action={
        <Button component={RouterLink} to="/expenses/new" variant="contained" size="large" startIcon={<CameraIcon />}>
          New expense
        </Button>
      }
    >
      <ExpenseSections />
      {!queue.online && <OfflineBanner />}
      {queue.unavailable && <Alert severity="warning">This browser cannot keep expenses while offline (no IndexedDB, as in some private windows).</Alert>}
      <QueueCard queue={queue} />
      <ExpenseList seesAll={seesAll} />
      {notice}
    </Page>
  );
}
