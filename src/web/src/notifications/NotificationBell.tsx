import { useEffect, useState } from 'react';
import { Link as RouterLink, useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import Badge from '@mui/material/Badge';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import Snackbar from '@mui/material/Snackbar';
import Tooltip from '@mui/material/Tooltip';
import { apiGet } from '../api.js';
import { NotificationsIcon } from '../components/icons.js';
import { realtimeEvents, useRealtime, type RealtimeMessage } from './realtime.js';
import { UNREAD_KEY } from './types.js';

const POLL_MS = 60_000;

/**
 * The bell in the app bar: unread count kept fresh by live events (polled every minute while the
 * live connection is down), and a short toast when something new arrives.
 */
export function NotificationBell() {
  const navigate = useNavigate();
  const { connected } = useRealtime();
  const unread = useQuery({
    queryKey: UNREAD_KEY,
    queryFn: ({ signal }) => apiGet<{ unread: number }>('/api/v1/notifications/unread-count', { signal }),
    refetchInterval: connected ? false : POLL_MS,
  });
  const [toast, setToast] = useState<{ subject: string; link: string | null } | null>(null);

  useEffect(() => {
    const onMessage = (event: Event) => {
      const message = (event as CustomEvent<RealtimeMessage>).detail;
      if (message.type !== 'notification.created') return;
      const subject = typeof message.data?.subject === 'string' ? message.data.subject : 'New notification';
      const link = typeof message.data?.link === 'string' ? message.data.link : null;
      setToast({ subject, link });
    };
    realtimeEvents.addEventListener('message', onMessage);
    return () => realtimeEvents.removeEventListener('message', onMessage);
  }, []);

  const count = unread.data?.unread ?? 0;
  const label = count ? `Notifications, ${count} unread` : 'Notifications';
  return (
    <>
      <Tooltip title={label}>
        <IconButton component={RouterLink} to="/notifications" aria-label={label} color="inherit" sx={{ width: 44, height: 44 }}>
          <Badge badgeContent={count} color="error" max={99}>
            <NotificationsIcon />
          </Badge>
        </IconButton>
      </Tooltip>
      <Snackbar
        open={toast !== null}
        autoHideDuration={6000}
        onClose={(_e, reason) => reason !== 'clickaway' && setToast(null)}
        message={toast?.subject}
        // Bottom left: clear of the bell and account menu; above the bottom navigation on phones.
        anchorOrigin={{ vertical: 'bottom', horizontal: 'left' }}
        sx={{ bottom: { xs: 80, sm: 24 } }}
        action={
          toast?.link ? (
            <Button color="inherit" size="small" onClick={() => { void navigate(toast.link ?? '/notifications'); setToast(null); }}>
              Open
            </Button>
          ) : undefined
        }
      />
    </>
  );
}
