import { useState } from 'react';
import { Link as RouterLink, useNavigate } from 'react-router';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import Chip from '@mui/material/Chip';
import Skeleton from '@mui/material/Skeleton';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { api, apiGet, apiPost } from '../api.js';
import { DoneAllIcon, NotificationsIcon, RefreshIcon, TuneIcon } from '../components/icons.js';
import { Page } from '../components/Page.js';
import { NOTIFICATIONS_KEY, type AppNotification, type NotificationPage } from '../notifications/types.js';

const PAGE_SIZE = 20;
const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function NotificationItem({ item, onOpen }: { item: AppNotification; onOpen: (item: AppNotification) => void }) {
  const unread = item.read_at === null;
  return (
    <Box component="li" sx={{ listStyle: 'none' }}>
      <Box
        component="button"
        type="button"
        onClick={() => onOpen(item)}
        aria-label={`${unread ? 'Unread: ' : ''}${item.subject}`}
        sx={{
          all: 'unset', boxSizing: 'border-box', cursor: 'pointer', display: 'flex', gap: 1.5, width: '100%', minHeight: 44, p: 2,
          borderRadius: 1, bgcolor: unread ? 'rgba(25, 118, 210, 0.06)' : 'transparent',
          '&:hover': { bgcolor: 'action.hover' }, '&:focus-visible': { outline: '2px solid', outlineColor: 'primary.main' },
        }}
      >
        <Box aria-hidden sx={{ width: 10, height: 10, mt: 0.75, borderRadius: '50%', flexShrink: 0, bgcolor: unread ? 'primary.main' : 'transparent' }} />
        <Box sx={{ minWidth: 0, flexGrow: 1 }}>
          <Box sx={{ display: 'flex', gap: 1, alignItems: 'baseline', flexWrap: 'wrap' }}>
            <Typography sx={{ fontWeight: unread ? 600 : 400 }}>{item.subject}</Typography>
            {item.priority === 'urgent' && <Chip size="small" color="error" label="Urgent" />}
          </Box>
          <Typography variant="body2" sx={{ color: 'text.secondary', display: '-webkit-box', WebkitLineClamp: 2, WebkitBoxOrient: 'vertical', overflow: 'hidden' }}>
            {item.body}
          </Typography>
          <Typography variant="caption" component="time" dateTime={item.created_at} sx={{ color: 'text.secondary' }}>
            {when.format(new Date(item.created_at))}
          </Typography>
        </Box>
      </Box>
    </Box>
  );
}

export default function NotificationsPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<'all' | 'unread'>('all');
  const list = useInfiniteQuery({
    queryKey: [...NOTIFICATIONS_KEY, 'list', filter],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (filter === 'unread') params.set('unread', 'true');
      if (pageParam) params.set('cursor', pageParam);
      return apiGet<NotificationPage>(`/api/v1/notifications?${params}`, { signal });
    },
    getNextPageParam: (last) => (last.pagination.has_more ? last.pagination.next_cursor : null),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_KEY });
  const readAll = useMutation({ mutationFn: () => apiPost<{ updated: number }>('/api/v1/notifications/read-all'), onSuccess: refresh });
  const open = async (item: AppNotification) => {
    if (!item.read_at) await api(`/api/v1/notifications/${item.id}/read`, { method: 'POST' }).then(refresh, () => undefined);
    if (item.link) void navigate(item.link);
  };
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <Page title="Notifications" description="What changed for you: contracts, expenses, schedules and announcements.">
      <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap', alignItems: 'center' }}>
        <ToggleButtonGroup exclusive size="small" color="primary" sx={{ '& .MuiToggleButton-root:not(.Mui-selected)': { color: 'text.primary' }, '& .MuiToggleButton-root.Mui-selected': { color: 'primary.dark' } }} value={filter} onChange={(_e, v: 'all' | 'unread' | null) => v && setFilter(v)} aria-label="Show">
          <ToggleButton value="all" sx={{ minHeight: 44, px: 2 }}>All</ToggleButton>
          <ToggleButton value="unread" sx={{ minHeight: 44, px: 2 }}>Unread</ToggleButton>
        </ToggleButtonGroup>
        <Box sx={{ flexGrow: 1 }} />
        <Button startIcon={<DoneAllIcon />} onClick={() => readAll.mutate()} disabled={readAll.isPending || rows.every((r) => r.read_at)} sx={{ minHeight: 44 }}>
          Mark all read
        </Button>
        <Button component={RouterLink} to="/account/notifications" startIcon={<TuneIcon />} sx={{ minHeight: 44 }}>
          Settings
        </Button>
      </Box>
      <Card>
        {list.isPending ? (
          <Box role="progressbar" aria-label="Loading notifications" aria-busy="true" sx={{ p: 2 }}>
            {[0, 1, 2].map((i) => <Skeleton key={i} variant="rounded" height={64} sx={{ mb: 1 }} />)}
          </Box>
        ) : list.isError ? (
          <Alert severity="error" action={<Button color="inherit" startIcon={<RefreshIcon />} onClick={() => void list.refetch()}>Try again</Button>}>
            Your notifications could not be loaded. {list.error.message}
          </Alert>
        ) : rows.length === 0 ? (
          <Box sx={{ p: 4, textAlign: 'center', color: 'text.secondary' }}>
            <NotificationsIcon sx={{ fontSize: 40, mb: 1 }} />
            <Typography>{filter === 'unread' ? 'Nothing unread. You are up to date.' : 'No notifications yet.'}</Typography>
          </Box>
        ) : (
          <Box component="ul" aria-label="Notifications" sx={{ m: 0, p: 1, display: 'flex', flexDirection: 'column', gap: 0.5 }}>
            {rows.map((item) => <NotificationItem key={item.id} item={item} onOpen={(n) => void open(n)} />)}
          </Box>
        )}
      </Card>
      {list.hasNextPage && (
        <Button onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage} sx={{ alignSelf: 'center', minHeight: 44 }}>
          {list.isFetchingNextPage ? 'Loading…' : 'Show older'}
        </Button>
      )}
    </Page>
  );
}
