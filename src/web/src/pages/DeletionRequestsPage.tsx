import { ListSkeleton } from '../components/ListStates.js';
import { useState } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Typography from '@mui/material/Typography';
import type { SxProps, Theme } from '@mui/material/styles';
import { apiGet, apiPost } from '../api.js';
import { useHasRole } from '../auth/guards.js';
import { MANAGER_ROLES } from '../auth/types.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { ErrorWithRetry } from '../components/ErrorWithRetry.js';
import { Field } from '../components/forms.js';
import { WarningIcon } from '../components/icons.js';
import { NoAccess } from '../components/NoAccess.js';
import { useNotice } from '../components/Notice.js';
import { Page } from '../components/Page.js';
import type { Paged } from '../api.js';
import type { DeletionRequest, DeletionStatus } from './profile/types.js';

const PAGE_SIZE = 25;
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const formatDate = (iso: string) => dateFormat.format(new Date(iso));

const FILTERS = [
  { value: 'requested', label: 'Open' },
  { value: 'completed', label: 'Completed' },
  { value: 'cancelled', label: 'Withdrawn' },
  { value: '', label: 'All' },
] as const;
type Filter = (typeof FILTERS)[number]['value'];

// Tinted chips with text in the AA-safe dark shades.
const STATUS_CHIP: Record<DeletionStatus, { label: string; sx: SxProps<Theme> }> = {
  requested: { label: 'Open', sx: { bgcolor: '#E3F2FD', color: 'info.dark' } },
  completed: { label: 'Completed', sx: { bgcolor: '#E8F5E9', color: 'success.dark' } },
  cancelled: { label: 'Withdrawn', sx: { bgcolor: 'action.selected', color: 'text.primary' } },
};

const fullName = (r: DeletionRequest) => `${r.first_name} ${r.last_name}`.trim();

function RequestRow({ request, onComplete }: { request: DeletionRequest; onComplete: (r: DeletionRequest) => void }) {
  const canComplete = request.status === 'requested' && request.allowed_actions.includes('deletion_requests:complete');
  const chip = STATUS_CHIP[request.status];
  return (
    <Box
      component="li"
      sx={{ py: 1.5, display: 'grid', gap: { xs: 1.5, sm: 2 }, alignItems: 'center', gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: 'minmax(0, 1fr) auto' } }}
    >
      <Box sx={{ minWidth: 0 }}>
        <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
          <Typography sx={{ fontWeight: 600 }}>{fullName(request)}</Typography>
          <Chip size="small" label={chip.label} sx={chip.sx} />
          {request.overdue && <Chip size="small" icon={<WarningIcon />} label="Overdue" sx={{ bgcolor: 'error.dark', color: 'common.white', '& .MuiChip-icon': { color: 'inherit' } }} />}
        </Box>
        <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem', overflowWrap: 'anywhere' }}>{request.email}</Typography>
        <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>
          Requested {formatDate(request.requested_at)}
          {' · '}
          {request.status === 'requested' ? (
            <Box component="span" sx={request.overdue ? { color: 'error.dark', fontWeight: 600 } : undefined}>
              due {formatDate(request.due_at)}
            </Box>
          ) : request.processed_at ? (
            `${request.status === 'completed' ? 'completed' : 'withdrawn'} ${formatDate(request.processed_at)}`
          ) : null}
        </Typography>
      </Box>
      {canComplete && (
        <Button variant="outlined" color="error" onClick={() => onComplete(request)} aria-label={`Complete the deletion request of ${fullName(request)}`}>
          Complete
        </Button>
      )}
    </Box>
  );
}

/**
 * /admin/deletion-requests: people's requests to erase their personal data, newest first; an
 * administrator completes them within 30 days (overdue ones are marked in red).
 */
export default function DeletionRequestsPage() {
  const allowed = useHasRole(MANAGER_ROLES);
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<Filter>('requested');
  const [completing, setCompleting] = useState<DeletionRequest | null>(null);
  const [notice, showNotice] = useNotice();

  const requests = useInfiniteQuery({
    queryKey: ['admin', 'deletion-requests', filter],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (filter) params.set('status', filter);
      if (pageParam) params.set('cursor', pageParam);
      return apiGet<Paged<DeletionRequest>>(`/api/v1/admin/deletion-requests?${params}`, { signal });
    },
    getNextPageParam: (last) => (last.pagination.has_more ? last.pagination.next_cursor : null),
    enabled: allowed,
  });
  const complete = useMutation({
    mutationFn: (r: DeletionRequest) => apiPost<DeletionRequest>(`/api/v1/admin/deletion-requests/${r.id}/complete`),
    onSuccess: (_done, r) => {
      setCompleting(null);
      showNotice({ text: `The personal data of ${fullName(r)} is erased.` });
      void queryClient.invalidateQueries({ queryKey: ['admin', 'deletion-requests'] });
      void queryClient.invalidateQueries({ queryKey: ['members'] });
    },
  });

  if (!allowed) {
    return (
      <Page title="Deletion requests">
        <NoAccess what="deletion requests" />
      </Page>
    );
  }

  const rows = requests.data?.pages.flatMap((p) => p.data) ?? [];
  const filterLabel = FILTERS.find((f) => f.value === filter)?.label ?? 'All';

  return (
    <Page
      title="Deletion requests"
      description="People who asked your organization to erase their personal data. Complete each request within 30 days of when it was made."
    >
      <Card component="section" aria-labelledby="requests-title">
        <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          <Box sx={{ display: 'flex', gap: 2, alignItems: { sm: 'center' }, justifyContent: 'space-between', flexDirection: { xs: 'column', sm: 'row' } }}>
            <Typography variant="h2" id="requests-title" sx={{ fontSize: '1.25rem' }}>
              Requests
            </Typography>
            <Field select label="Show" value={filter} onChange={(e) => setFilter(e.target.value as Filter)} fullWidth={false} sx={{ minWidth: 200 }}>
              {FILTERS.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </Field>
          </Box>

          {requests.isPending ? (
            <ListSkeleton label="Loading deletion requests" rowHeight={72} />
          ) : requests.isError && !requests.isFetchNextPageError ? (
            <ErrorWithRetry message={`The deletion requests could not be loaded. ${requests.error.message}`} onRetry={() => void requests.refetch()} />
          ) : rows.length === 0 ? (
            <Box sx={{ py: 3, textAlign: 'center' }}>
              <Typography sx={{ fontWeight: 600 }}>{filter === 'requested' ? 'No open requests' : 'No requests here'}</Typography>
              <Typography sx={{ color: 'text.secondary' }}>
                {filter === 'requested' ? 'When someone asks to have their data erased, the request appears here.' : 'Try another filter.'}
              </Typography>
            </Box>
          ) : (
            <>
              <Box
                component="ul"
                aria-label="Deletion requests"
                sx={{ listStyle: 'none', m: 0, p: 0, '& > li + li': { borderTop: 1, borderColor: 'divider' } }}
              >
                {rows.map((r) => (
                  <RequestRow key={r.id} request={r} onComplete={setCompleting} />
                ))}
              </Box>
              {requests.isFetchNextPageError && (
                <ErrorWithRetry message="More requests could not be loaded." onRetry={() => void requests.fetchNextPage()} />
              )}
              <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 2, flexWrap: 'wrap' }}>
                <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem' }} role="status">
                  Showing {rows.length} {filterLabel === 'All' ? '' : `${filterLabel.toLowerCase()} `}
                  {rows.length === 1 ? 'request' : 'requests'}
                </Typography>
                {requests.hasNextPage && (
                  <Button variant="outlined" onClick={() => void requests.fetchNextPage()} loading={requests.isFetchingNextPage}>
                    Load more
                  </Button>
                )}
              </Box>
            </>
          )}
        </CardContent>
      </Card>
      <ConfirmDialog
        open={completing !== null}
        title={completing ? `Erase the personal data of ${fullName(completing)}?` : 'Erase personal data?'}
        confirmLabel="Erase and complete"
        destructive
        pending={complete.isPending}
        error={complete.error}
        onConfirm={() => completing && complete.mutate(completing)}
        onClose={() => {
          setCompleting(null);
          complete.reset();
        }}
      >
        <Typography>This cannot be undone. In your organization:</Typography>
        <Box component="ul" sx={{ m: 0, pl: 3, display: 'flex', flexDirection: 'column', gap: 1 }}>
          <li>their artist profile, tax ID and bank account are erased;</li>
          <li>their name becomes &ldquo;Deleted user&rdquo; and their phone number is removed;</li>
          <li>their membership ends and their invitations are revoked;</li>
          <li>if they belong to no other organization, their account is closed.</li>
        </Box>
        <Typography sx={{ color: 'text.secondary' }}>The audit trail stays as the legal record, without these details.</Typography>
      </ConfirmDialog>
      {notice}
    </Page>
  );
}
