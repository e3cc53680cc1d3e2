import { ListSkeleton } from '../components/ListStates.js';
import { useState } from 'react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import InputAdornment from '@mui/material/InputAdornment';
import Skeleton from '@mui/material/Skeleton';
import Snackbar from '@mui/material/Snackbar';
import Typography from '@mui/material/Typography';
import { api, apiGet } from '../api.js';
import { useAccount } from '../auth/AuthProvider.js';
import { useHasRole } from '../auth/guards.js';
import { MANAGER_ROLES, ROLE_LABEL, ROLES, STAFF_ROLES, type Role } from '../auth/types.js';
import { ErrorWithRetry } from '../components/ErrorWithRetry.js';
import { PersonAddIcon, SearchIcon } from '../components/icons.js';
import { Field } from '../components/forms.js';
import { NoAccess } from '../components/NoAccess.js';
import { Page } from '../components/Page.js';
import { useDebounced } from '../components/useDebounced.js';
import { InviteDialog } from './people/InviteDialog.js';
import type { Paged } from '../api.js';
import type { Invitation, Member } from './people/types.js';

const PAGE_SIZE = 25;
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

function RoleSelect({ member, onChange, busy }: { member: Member; onChange: (role: Role) => void; busy: boolean }) {
  const name = `${member.first_name} ${member.last_name}`;
  return (
    <Field
      select
      size="small"
      value={member.role}
      disabled={busy}
      onChange={(e) => onChange(e.target.value as Role)}
      inputProps={{ 'aria-label': `Role of ${name}` }}
      fullWidth={false}
      sx={{ minWidth: 200, width: { xs: '100%', sm: 'auto' } }}
    >
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {ROLE_LABEL[r]}
        </option>
      ))}
    </Field>
  );
}

function MembersSection({ canManage }: { canManage: boolean }) {
  const queryClient = useQueryClient();
  const { user } = useAccount();
  const [search, setSearch] = useState('');
  const [role, setRole] = useState<Role | ''>('');
  const q = useDebounced(search.trim(), 300);
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | null>(null);

  const members = useInfiniteQuery({
    queryKey: ['members', { q, role }],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (q) params.set('q', q);
      if (role) params.set('role', role);
      if (pageParam) params.set('cursor', pageParam);
      return apiGet<Paged<Member>>(`/api/v1/members?${params}`, { signal });
    },
    getNextPageParam: (last) => (last.pagination.has_more ? last.pagination.next_cursor : null),
  });

  const changeRole = useMutation({
    mutationFn: ({ member, role: next }: { member: Member; role: Role }) =>
      api<Member>(`/api/v1/members/${member.id}`, { method: 'PATCH', json: { role: next } }),
    onSuccess: (updated) => {
      setNotice({ text: `${updated.first_name} ${updated.last_name} is now ${ROLE_LABEL[updated.role].toLowerCase()}. They sign in again to get the new access.` });
      void queryClient.invalidateQueries({ queryKey: ['members'] });
    },
    onError: (err) => setNotice({ text: err.message, error: true }),
  });

  const rows = members.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Boolean(q || role);

  return (
    <Card component="section" aria-labelledby="members-title">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Typography variant="h2" id="members-title" sx={{ fontSize: '1.25rem' }}>
          Members
        </Typography>
        <Box role="search" aria-label="Members" sx={{ display: 'flex', gap: 2, flexDirection: { xs: 'column', sm: 'row' } }}>
          <Field
            label="Search by name or e-mail"
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
          <Field select label="Role" value={role} onChange={(e) => setRole(e.target.value as Role | '')} sx={{ flex: { sm: '1 1 200px' } }}>
            <option value="">All roles</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABEL[r]}
              </option>
            ))}
          </Field>
        </Box>

        {members.isPending ? (
          <ListSkeleton label="Loading members" />
        ) : members.isError && !members.isFetchNextPageError ? (
          <ErrorWithRetry message={`The members could not be loaded. ${members.error.message}`} onRetry={() => void members.refetch()} />
        ) : rows.length === 0 ? (
          <Box sx={{ py: 3, textAlign: 'center' }}>
            <Typography sx={{ fontWeight: 600 }}>{filtered ? 'No one matches' : 'No members yet'}</Typography>
            <Typography sx={{ color: 'text.secondary' }}>
              {filtered ? 'Try another name, or show all roles.' : 'Invite people and they appear here once they join.'}
            </Typography>
          </Box>
        ) : (
          <>
            <Box component="ul" aria-label="Members" sx={{ listStyle: 'none', m: 0, p: 0, '& > li + li': { borderTop: 1, borderColor: 'divider' } }}>
              {rows.map((m) => {
                const self = m.user_id === user.id;
                const editable = canManage && m.allowed_actions.includes('members:update');
                return (
                  <Box
                    component="li"
                    key={m.id}
                    sx={{
                      py: 1.5,
                      display: 'grid',
                      gap: { xs: 1, sm: 2 },
                      alignItems: 'center',
                      gridTemplateColumns: { xs: '1fr', sm: 'minmax(0, 1fr) auto' },
                    }}
                  >
                    <Box sx={{ minWidth: 0 }}>
                      <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
                        <Typography sx={{ fontWeight: 600 }}>
                          {m.first_name} {m.last_name}
                        </Typography>
                        {self && <Chip size="small" label="You" />}
                        {!m.is_active && <Chip size="small" label="Left" />}
                      </Box>
                      <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem', overflowWrap: 'anywhere' }}>
                        {m.email} · joined {dateFormat.format(new Date(m.created_at))}
                      </Typography>
                    </Box>
                    {editable ? (
                      <RoleSelect
                        member={m}
                        busy={changeRole.isPending && changeRole.variables.member.id === m.id}
                        onChange={(next) => changeRole.mutate({ member: m, role: next })}
                      />
                    ) : (
                      <Typography sx={{ fontSize: '0.875rem', fontWeight: 500 }}>{ROLE_LABEL[m.role]}</Typography>
                    )}
                  </Box>
                );
              })}
            </Box>
            {members.isFetchNextPageError && (
              <ErrorWithRetry message="More members could not be loaded." onRetry={() => void members.fetchNextPage()} />
            )}
            <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 2, flexWrap: 'wrap' }}>
              <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem' }} role="status">
                Showing {rows.length} {rows.length === 1 ? 'person' : 'people'}
                {filtered ? ' matching your search' : ''}
              </Typography>
              {members.hasNextPage && (
                <Button variant="outlined" onClick={() => void members.fetchNextPage()} loading={members.isFetchingNextPage}>
                  Load more
                </Button>
              )}
            </Box>
          </>
        )}
      </CardContent>
      <Snackbar
        open={Boolean(notice)}
        autoHideDuration={6000}
        onClose={() => setNotice(null)}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'center' }}
        sx={{ bottom: { xs: 90, md: 24 } }}
      >
        <Alert severity={notice?.error ? 'error' : 'success'} onClose={() => setNotice(null)} variant="filled" sx={{ width: '100%' }}>
          {notice?.text}
        </Alert>
      </Snackbar>
    </Card>
  );
}

function InvitationsSection() {
  const queryClient = useQueryClient();
  const invitations = useQuery({
    queryKey: ['invitations', 'pending'],
    queryFn: ({ signal }) => apiGet<Paged<Invitation>>('/api/v1/admin/invitations?status=pending&limit=100', { signal }),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api<Invitation>(`/api/v1/admin/invitations/${id}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['invitations'] }),
  });
  // A fresh link (the old one stops working) e-mailed again.
  const resend = useMutation({
    mutationFn: (id: string) => api<Invitation>(`/api/v1/admin/invitations/${id}/resend`, { method: 'POST' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['invitations'] }),
  });

  return (
    <Card component="section" aria-labelledby="invitations-title">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Typography variant="h2" id="invitations-title" sx={{ fontSize: '1.25rem' }}>
          Pending invitations
        </Typography>
        {revoke.isError && <Alert severity="error">{revoke.error.message}</Alert>}
        {resend.isError && <Alert severity="error">{resend.error.message}</Alert>}
        {resend.isSuccess && <Alert severity="success">A new invitation e-mail is on its way; the earlier link no longer works.</Alert>}
        {invitations.isPending ? (
          <Box role="progressbar" aria-label="Loading invitations" aria-busy="true">
            <Skeleton variant="rounded" height={56} />
          </Box>
        ) : invitations.isError ? (
          <ErrorWithRetry message={`The invitations could not be loaded. ${invitations.error.message}`} onRetry={() => void invitations.refetch()} />
        ) : invitations.data.data.length === 0 ? (
          <Typography sx={{ color: 'text.secondary' }}>No one is waiting to join. Invitations you send appear here until they are accepted.</Typography>
        ) : (
          <Box component="ul" aria-label="Pending invitations" sx={{ listStyle: 'none', m: 0, p: 0, '& > li + li': { borderTop: 1, borderColor: 'divider' } }}>
            {invitations.data.data.map((inv) => (
              <Box component="li" key={inv.id} sx={{ py: 1.5, display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap' }}>
                <Box sx={{ flex: '1 1 220px', minWidth: 0 }}>
                  <Typography sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>{inv.email}</Typography>
                  <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem' }}>
                    {ROLE_LABEL[inv.role]} · invited {dateFormat.format(new Date(inv.created_at))} · expires {dateFormat.format(new Date(inv.expires_at))}
                  </Typography>
                </Box>
                {inv.allowed_actions.includes('invitations:create') && (
                  <Button
                    variant="outlined"
                    onClick={() => resend.mutate(inv.id)}
                    loading={resend.isPending && resend.variables === inv.id}
                    aria-label={`Send the invitation of ${inv.email} again`}
                  >
                    Resend
                  </Button>
                )}
                {inv.allowed_actions.includes('invitations:revoke') && (
                  <Button
                    variant="outlined"
                    color="error"
                    onClick={() => revoke.mutate(inv.id)}
                    loading={revoke.isPending && revoke.variables === inv.id}
                    aria-label={`Revoke the invitation of ${inv.email}`}
                  >
                    Revoke
                  </Button>
                )}
              </Box>
            ))}
          </Box>
        )}
      </CardContent>
    </Card>
  );
}

export default function PeoplePage() {
  const allowed = useHasRole(STAFF_ROLES);
  const canManage = useHasRole(MANAGER_ROLES);
  const [inviting, setInviting] = useState(false);

  if (!allowed) {
    return (
      <Page title="People">
        <NoAccess what="the list of people" />
      </Page>
    );
  }

  return (
    <Page
      title="People"
      description={`Everyone in your organization and their role${canManage ? '. Invite new people and change roles here.' : '.'}`}
      action={canManage && (
        <Button variant="contained" startIcon={<PersonAddIcon />} onClick={() => setInviting(true)}>
          Invite a person
        </Button>
      )}
    >
      <MembersSection canManage={canManage} />
      {canManage && <InvitationsSection />}
      {canManage && <InviteDialog open={inviting} onClose={() => setInviting(false)} />}
    </Page>
  );
}
