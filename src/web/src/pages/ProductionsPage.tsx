import { EmptyState, ListSkeleton } from '../components/ListStates.js';
import { useState } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import InputAdornment from '@mui/material/InputAdornment';
import Snackbar from '@mui/material/Snackbar';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { useTheme } from '@mui/material/styles';
import { api, apiGet, type Paged } from '../api.js';
import { useHasRole } from '../auth/guards.js';
import { PRODUCTION_WRITE_ROLES, STAFF_ROLES } from '../auth/types.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { ErrorWithRetry } from '../components/ErrorWithRetry.js';
import { Field, FormError, useApiForm } from '../components/forms.js';
import { AddIcon, DeleteIcon, EditIcon, ProductionsIcon, SearchIcon } from '../components/icons.js';
import { NoAccess } from '../components/NoAccess.js';
import { Page } from '../components/Page.js';
import { useDebounced } from '../components/useDebounced.js';
import { ProductionDialog } from './productions/ProductionDialog.js';
import {
  formatBudget, formatDateRange, PRODUCTION_STATUSES, STATUS_ACTION, STATUS_COLOR, STATUS_LABEL, type Production, type ProductionStatus,
} from './productions/types.js';

const PAGE_SIZE = 20;
const WRITE = 'productions:write';


/** What the person asked to do to one production, waiting for their confirmation. */
type Pending =
  | { kind: 'status'; production: Production; to: Exclude<ProductionStatus, 'cancelled'> }
  | { kind: 'cancel'; production: Production }
  | { kind: 'delete'; production: Production };

function ProductionRow({ production: p, onEdit, onAsk }: { production: Production; onEdit: () => void; onAsk: (pending: Pending) => void }) {
  const writable = p.allowed_actions.includes(WRITE);
  const headingId = `production-${p.id}`;
  return (
    <Box component="li" aria-labelledby={headingId} sx={{ py: 2, display: 'flex', flexDirection: 'column', gap: 1 }}>
      <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
        <Typography component="h2" id={headingId} sx={{ fontWeight: 600, fontSize: '1.0625rem', overflowWrap: 'anywhere' }}>
          {p.name}
        </Typography>
        <Chip size="small" label={STATUS_LABEL[p.status]} color={STATUS_COLOR[p.status]} variant={p.status === 'archived' ? 'outlined' : 'filled'} />
      </Box>
      <Box component="dl" sx={{ m: 0, display: 'flex', flexWrap: 'wrap', columnGap: 3, rowGap: 0.5, fontSize: '0.875rem', '& dt': { color: 'text.secondary' }, '& dd': { m: 0, fontWeight: 500 } }}>
        {p.code && (
          <Box sx={{ display: 'flex', gap: 0.75 }}>
            <dt>Code</dt>
            <dd>{p.code}</dd>
          </Box>
        )}
        <Box sx={{ display: 'flex', gap: 0.75 }}>
          <dt>Dates</dt>
          <dd>{formatDateRange(p.start_date, p.end_date)}</dd>
        </Box>
        <Box sx={{ display: 'flex', gap: 0.75 }}>
          <dt>Budget</dt>
          <dd>{p.budget_amount ? formatBudget(p.budget_amount, p.budget_currency) : 'Not set'}</dd>
        </Box>
      </Box>
      {p.description && (
        <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem', overflowWrap: 'anywhere', whiteSpace: 'pre-line' }}>{p.description}</Typography>
      )}
      {p.status === 'cancelled' && p.status_reason && (
        <Typography sx={{ fontSize: '0.875rem', overflowWrap: 'anywhere' }}>
          <Box component="span" sx={{ fontWeight: 600 }}>Reason for cancelling:</Box> {p.status_reason}
        </Typography>
      )}
      {writable && (p.status !== 'archived' || p.next_statuses.length > 0) && (
        <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', mt: 0.5 }}>
          {p.status !== 'archived' && (
            <Button variant="outlined" size="small" startIcon={<EditIcon />} onClick={onEdit} aria-label={`Edit ${p.name}`} sx={{ minHeight: 44 }}>
              Edit
            </Button>
          )}
          {p.next_statuses.map((to) => (
            <Button
              key={to}
              variant={to === 'active' || to === 'completed' ? 'contained' : 'outlined'}
              color={to === 'cancelled' ? 'warning' : 'primary'}
              size="small"
              onClick={() => onAsk(to === 'cancelled' ? { kind: 'cancel', production: p } : { kind: 'status', production: p, to })}
              aria-label={`${STATUS_ACTION[to].label} ${p.name}`}
              sx={{ minHeight: 44 }}
            >
              {STATUS_ACTION[to].label}
            </Button>
          ))}
          {p.status === 'planning' && (
            <Button
              variant="outlined"
              color="error"
              size="small"
              startIcon={<DeleteIcon />}
              onClick={() => onAsk({ kind: 'delete', production: p })}
              aria-label={`Delete ${p.name}`}
              sx={{ minHeight: 44 }}
            >
              Delete
            </Button>
          )}
        </Box>
      )}
    </Box>
  );
}

/** "Cancel this production?" with the reason, which is kept with it. */
function CancelDialog({ production, open, onClose, onDone }: { production: Production | null; open: boolean; onClose: () => void; onDone: (p: Production) => void }) {
  const theme = useTheme();
  const fullScreen = useMediaQuery(theme.breakpoints.down('sm'));
  return (
    <Dialog open={open} onClose={onClose} fullScreen={fullScreen} fullWidth maxWidth="sm" aria-labelledby="cancel-production-title">
      {production && <CancelForm key={production.id} production={production} onClose={onClose} onDone={onDone} />}
    </Dialog>
  );
}

function CancelForm({ production, onClose, onDone }: { production: Production; onClose: () => void; onDone: (p: Production) => void }) {
  const form = useApiForm();
  const [reason, setReason] = useState('');
  const submit = form.run(
    (): Record<string, string> => (reason.trim() ? {} : { status_reason: 'Say why it is cancelled' }),
    async () => {
      onDone(await api<Production>(`/api/v1/productions/${production.id}`, { method: 'PATCH', json: { status: 'cancelled', status_reason: reason.trim() } }));
    },
  );
  return (
    <Box component="form" noValidate onSubmit={submit} sx={{ display: 'contents' }}>
      <DialogTitle id="cancel-production-title">Cancel {production.name}?</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2, pt: '8px !important' }}>
        <Typography>{STATUS_ACTION.cancelled.explain}</Typography>
        <FormError error={form.error} />
        <Field label="Reason" name="status_reason" required multiline minRows={2} autoFocus inputProps={{ maxLength: 1000 }} {...form.bind('status_reason', reason, setReason)} />
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2, gap: 1, flexWrap: 'wrap' }}>
        <Button onClick={onClose} disabled={form.pending}>
          Keep it
        </Button>
        <Button type="submit" variant="contained" color="warning" loading={form.pending}>
          Cancel production
        </Button>
      </DialogActions>
    </Box>
  );
}

function ProductionsList({ canWrite, onCreate, onEdit }: { canWrite: boolean; onCreate: () => void; onEdit: (p: Production) => void }) {
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<ProductionStatus | ''>('');
  const q = useDebounced(search.trim(), 300);
  // Kept while a dialog closes, so its text does not change during the transition.
  const [pending, setPending] = useState<Pending | null>(null);
  const [asking, setAsking] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const list = useInfiniteQuery({
    queryKey: ['productions', { q, status }],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (q) params.set('q', q);
      if (status) params.set('status', status);
      if (pageParam) params.set('cursor', pageParam);
      return apiGet<Paged<Production>>(`/api/v1/productions?${params}`, { signal });
    },
    getNextPageParam: (last) => (last.pagination.has_more ? last.pagination.next_cursor : null),
  });

  const changed = (text: string) => {
    setAsking(false);
    setNotice(text);
    void queryClient.invalidateQueries({ queryKey: ['productions'] });
  };

  const act = useMutation({
    mutationFn: async (what: Pending) => {
      if (what.kind === 'delete') {
        await api<null>(`/api/v1/productions/${what.production.id}`, { method: 'DELETE' });
        return `${what.production.name} is deleted.`;
      }
      if (what.kind === 'cancel') throw new Error('Cancelling goes through its own dialog');
      const saved = await api<Production>(`/api/v1/productions/${what.production.id}`, { method: 'PATCH', json: { status: what.to } });
      return `${saved.name} is now ${STATUS_LABEL[saved.status].toLowerCase()}.`;
    },
    onSuccess: changed,
  });

  const ask = (what: Pending) => {
    act.reset();
    setPending(what);
    setAsking(true);
  };

  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Boolean(q || status);
  const confirming = pending && pending.kind !== 'cancel' ? pending : null;

  return (
    <Card component="section" aria-label="Productions">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
        <Box role="search" aria-label="Productions" sx={{ display: 'flex', gap: 2, flexDirection: { xs: 'column', sm: 'row' }, mb: 1 }}>
          <Field
            label="Search by name, code or description"
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            sx={{ flex: { sm: '2 1 280px' } }}
            startAdornment={
              <InputAdornment position="start">
                <SearchIcon />
              </InputAdornment>
            }
          />
          <Field select label="Status" value={status} onChange={(e) => setStatus(e.target.value as ProductionStatus | '')} sx={{ flex: { sm: '1 1 200px' } }}>
            <option value="">All</option>
            {PRODUCTION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </Field>
        </Box>

        {list.isPending ? (
          <ListSkeleton label="Loading productions" rowHeight={96} />
        ) : list.isError && !list.isFetchNextPageError ? (
          <ErrorWithRetry message={`The productions could not be loaded. ${list.error.message}`} onRetry={() => void list.refetch()} />
        ) : rows.length === 0 ? (
          <EmptyState icon={<ProductionsIcon />} title={filtered ? 'No productions match' : 'No productions yet'}
            action={!filtered && canWrite && (
              <Button variant="contained" startIcon={<AddIcon />} onClick={onCreate}>
                New production
              </Button>
            )}
          >
            {filtered
                ? 'Try other words, or show every status.'
                : canWrite
                  ? 'Add your first show or tour with its dates and budget.'
                  : 'Productions appear here once an administrator or production manager adds them.'}
          </EmptyState>
        ) : (
          <>
            <Box component="ul" aria-label="Productions" sx={{ listStyle: 'none', m: 0, p: 0, '& > li + li': { borderTop: 1, borderColor: 'divider' } }}>
              {rows.map((p) => (
                <ProductionRow key={p.id} production={p} onEdit={() => onEdit(p)} onAsk={ask} />
              ))}
            </Box>
            {list.isFetchNextPageError && <ErrorWithRetry message="More productions could not be loaded." onRetry={() => void list.fetchNextPage()} />}
            <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 2, flexWrap: 'wrap', pt: 1 }}>
              <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem' }} role="status">
                Showing {rows.length} {rows.length === 1 ? 'production' : 'productions'}
                {filtered ? ' matching your search' : ''}
              </Typography>
              {list.hasNextPage && (
                <Button variant="outlined" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
                  Show more
                </Button>
              )}
            </Box>
          </>
        )}
      </CardContent>

      <ConfirmDialog
        open={asking && Boolean(confirming)}
        title={confirming ? (confirming.kind === 'delete' ? `Delete ${confirming.production.name}?` : STATUS_ACTION[confirming.to].question) : ''}
        confirmLabel={confirming ? (confirming.kind === 'delete' ? 'Delete' : STATUS_ACTION[confirming.to].label) : ''}
        destructive={confirming?.kind === 'delete'}
        pending={act.isPending}
        error={act.error}
        onConfirm={() => confirming && act.mutate(confirming)}
        onClose={() => setAsking(false)}
      >
        {confirming && (
          <Typography>
            {confirming.kind === 'delete'
              ? `${confirming.production.name} and its details are removed for good. Only productions still in planning can be deleted.`
              : `${confirming.production.name}: ${STATUS_ACTION[confirming.to].explain}`}
          </Typography>
        )}
      </ConfirmDialog>
      <CancelDialog
        production={pending?.kind === 'cancel' ? pending.production : null}
        open={asking && pending?.kind === 'cancel'}
        onClose={() => setAsking(false)}
        onDone={(p) => changed(`${p.name} is cancelled.`)}
      />
      <Snackbar
        open={Boolean(notice)}
        autoHideDuration={6000}
        onClose={() => setNotice(null)}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'center' }}
        sx={{ bottom: { xs: 90, md: 24 } }}
      >
        <Alert severity="success" onClose={() => setNotice(null)} variant="filled" sx={{ width: '100%' }}>
          {notice}
        </Alert>
      </Snackbar>
    </Card>
  );
}

export default function ProductionsPage() {
  const allowed = useHasRole(STAFF_ROLES);
  const canWrite = useHasRole(PRODUCTION_WRITE_ROLES);
  // The production stays while the dialog closes, so its title does not change during the transition.
  const [editing, setEditing] = useState<{ open: boolean; production: Production | null }>({ open: false, production: null });
  const closeEditor = () => setEditing((e) => ({ ...e, open: false }));
  const [saved, setSaved] = useState<string | null>(null);

  if (!allowed) {
    return (
      <Page title="Productions">
        <NoAccess what="productions" />
      </Page>
    );
  }

  return (
    <Page
      title="Productions"
      description={`Your shows and tours with their dates, budget and status${canWrite ? ': plan them, start them, complete or cancel them.' : '.'}`}
      action={canWrite && (
        <Button variant="contained" startIcon={<AddIcon />} onClick={() => setEditing({ open: true, production: null })}>
          New production
        </Button>
      )}
    >
      <ProductionsList canWrite={canWrite} onCreate={() => setEditing({ open: true, production: null })} onEdit={(production) => setEditing({ open: true, production })} />
      {canWrite && (
        <ProductionDialog
          open={editing.open}
          production={editing.production}
          onClose={closeEditor}
          onSaved={(p, created) => {
            closeEditor();
            setSaved(created ? `${p.name} is added.` : `${p.name} is saved.`);
          }}
        />
      )}
      <Snackbar open={Boolean(saved)} autoHideDuration={6000} onClose={() => setSaved(null)} anchorOrigin={{ vertical: 'bottom', horizontal: 'center' }} sx={{ bottom: { xs: 90, md: 24 } }}>
        <Alert severity="success" onClose={() => setSaved(null)} variant="filled" sx={{ width: '100%' }}>
          {saved}
        </Alert>
      </Snackbar>
    </Page>
  );
}
