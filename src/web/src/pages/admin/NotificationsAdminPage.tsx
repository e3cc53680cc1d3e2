import { useState } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Checkbox from '@mui/material/Checkbox';
import Chip from '@mui/material/Chip';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import Skeleton from '@mui/material/Skeleton';
import Snackbar from '@mui/material/Snackbar';
import Typography from '@mui/material/Typography';
import { api, apiGet, type Paged } from '../../api.js';
import { useHasRole } from '../../auth/guards.js';
import { MANAGER_ROLES, ROLE_LABEL, ROLES, type Role } from '../../auth/types.js';
import { Field, FormError, useApiForm } from '../../components/forms.js';
import { MailIcon, RefreshIcon } from '../../components/icons.js';
import { NoAccess } from '../../components/NoAccess.js';
import { Page } from '../../components/Page.js';

/** GET /api/v1/admin/notification-deliveries items (docs/API-notifications.md). */
interface Delivery {
  id: string;
  type: string;
  subject: string;
  channel: 'email' | 'sms' | 'push';
  status: 'pending' | 'sent' | 'delivered' | 'failed' | 'cancelled';
  recipient: { user_id: string; email: string; name: string };
  error_message: string | null;
  retry_count: number;
  created_at: string;
  allowed_actions: string[];
}

const CHANNEL_LABEL = { email: 'E-mail', sms: 'Text message', push: 'Push' } as const;
const STATUS_COLOR = { pending: 'default', sent: 'success', delivered: 'success', failed: 'error', cancelled: 'default' } as const;
const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function AnnouncementCard() {
  const form = useApiForm();
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [roles, setRoles] = useState<Role[]>([]);
  const [urgent, setUrgent] = useState(false);
  const [sent, setSent] = useState<number | null>(null);
  const submit = form.run(
    () => ({
      ...(subject.trim() ? {} : { subject: 'Give the announcement a subject' }),
      ...(body.trim() ? {} : { body: 'Write the message' }),
    }),
    async () => {
      const answer = await api<{ recipients: number }>('/api/v1/admin/announcements', {
        method: 'POST',
        json: { subject: subject.trim(), body: body.trim(), priority: urgent ? 'urgent' : 'low', ...(roles.length ? { roles } : {}) },
      });
      setSent(answer.recipients);
      setSubject('');
      setBody('');
    },
  );
  return (
    <Card component="section" aria-labelledby="announce-title">
      <CardContent component="form" noValidate onSubmit={submit} sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Typography variant="h2" id="announce-title" sx={{ fontSize: '1.25rem' }}>Send an announcement</Typography>
        <FormError error={form.error} />
        <Field label="Subject" name="subject" required {...form.bind('subject', subject, setSubject)} />
        <Field label="Message" name="body" required multiline minRows={3} {...form.bind('body', body, setBody)} />
        <Box component="fieldset" sx={{ border: 0, m: 0, p: 0 }}>
          <Typography component="legend" sx={{ fontWeight: 600 }}>To</Typography>
          <FormGroup row>
            {ROLES.map((role) => (
              <FormControlLabel key={role} sx={{ minHeight: 44, mr: 3 }} label={ROLE_LABEL[role]}
                control={<Checkbox checked={roles.includes(role)} onChange={() => setRoles((r) => (r.includes(role) ? r.filter((x) => x !== role) : [...r, role]))} />} />
            ))}
          </FormGroup>
          <Typography variant="body2" sx={{ color: 'text.secondary' }}>{roles.length ? 'Only members with the chosen roles.' : 'Everyone in the organization.'}</Typography>
        </Box>
        <FormControlLabel sx={{ minHeight: 44 }} control={<Checkbox checked={urgent} onChange={(e) => setUrgent(e.target.checked)} />}
          label="Urgent: also by text message and push, even during quiet hours" />
        <Box>
          <Button type="submit" variant="contained" loading={form.pending} sx={{ minHeight: 44 }}>Send</Button>
        </Box>
        <Snackbar open={sent !== null} autoHideDuration={5000} onClose={() => setSent(null)} message={`Sent to ${sent ?? 0} ${sent === 1 ? 'person' : 'people'}.`} />
      </CardContent>
    </Card>
  );
}

function DeliveriesCard() {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<'failed' | 'pending' | ''>('failed');
  const list = useInfiniteQuery({
    queryKey: ['admin', 'deliveries', status],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams({ limit: '25' });
      if (status) params.set('status', status);
      if (pageParam) params.set('cursor', pageParam);
      return apiGet<Paged<Delivery>>(`/api/v1/admin/notification-deliveries?${params}`, { signal });
    },
    getNextPageParam: (last) => (last.pagination.has_more ? last.pagination.next_cursor : null),
  });
  const retry = useMutation({
    mutationFn: (id: string) => api(`/api/v1/admin/notification-deliveries/${id}/retry`, { method: 'POST' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin', 'deliveries'] }),
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <Card component="section" aria-labelledby="deliveries-title">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, flexWrap: 'wrap' }}>
          <MailIcon sx={{ color: 'primary.main' }} />
          <Typography variant="h2" id="deliveries-title" sx={{ fontSize: '1.25rem', flexGrow: 1 }}>Deliveries</Typography>
          <Field select label="Status" value={status} onChange={(e) => setStatus(e.target.value as typeof status)} fullWidth={false} sx={{ minWidth: 180 }}>
            <option value="failed">Failed</option>
            <option value="pending">Waiting or retrying</option>
            <option value="">All</option>
          </Field>
        </Box>
        <Typography sx={{ color: 'text.secondary' }}>E-mails, text messages and push notifications that could not be delivered after every retry appear here; send them again once the cause is fixed.</Typography>
        {retry.isError && <FormError error={retry.error} />}
        {list.isPending ? <Skeleton variant="rounded" height={120} /> : list.isError ? (
          <Alert severity="error" action={<Button color="inherit" startIcon={<RefreshIcon />} onClick={() => void list.refetch()}>Try again</Button>}>The deliveries could not be loaded. {list.error.message}</Alert>
        ) : rows.length === 0 ? (
          <Typography>{status === 'failed' ? 'Nothing failed. Every notification reached its recipients.' : 'No deliveries.'}</Typography>
        ) : (
          <Box component="ul" aria-label="Deliveries" sx={{ m: 0, p: 0, listStyle: 'none', display: 'flex', flexDirection: 'column', gap: 1.5 }}>
            {rows.map((d) => (
              <Box component="li" key={d.id} sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center', borderBottom: 1, borderColor: 'divider', pb: 1.5 }}>
                <Box sx={{ flex: '1 1 260px', minWidth: 0 }}>
                  <Typography sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>{d.subject}</Typography>
                  <Typography variant="body2" sx={{ color: 'text.secondary', overflowWrap: 'anywhere' }}>
                    {CHANNEL_LABEL[d.channel]} to {d.recipient.name} ({d.recipient.email}) · {when.format(new Date(d.created_at))} · {d.retry_count} {d.retry_count === 1 ? 'attempt' : 'attempts'}
                  </Typography>
                  {d.error_message && <Typography variant="body2" sx={{ color: 'error.main', overflowWrap: 'anywhere' }}>{d.error_message}</Typography>}
                </Box>
                <Chip label={d.status} color={STATUS_COLOR[d.status]} size="small" />
                {d.allowed_actions.includes('notifications:manage') && (
                  <Button onClick={() => retry.mutate(d.id)} disabled={retry.isPending} sx={{ minHeight: 44 }}>Send again</Button>
                )}
              </Box>
            ))}
          </Box>
        )}
        {list.hasNextPage && <Button onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage} sx={{ alignSelf: 'center', minHeight: 44 }}>Show more</Button>}
      </CardContent>
    </Card>
  );
}

export default function NotificationsAdminPage() {
  const allowed = useHasRole(MANAGER_ROLES);
  return (
    <Page title="Announcements and deliveries" description="Tell your members something, and check that notifications reach them.">
      {allowed ? (
        <>
          <AnnouncementCard />
          <DeliveriesCard />
        </>
      ) : (
        <NoAccess />
      )}
    </Page>
  );
}
