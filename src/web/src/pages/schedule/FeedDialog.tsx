import { useState, type FocusEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import IconButton from '@mui/material/IconButton';
import InputAdornment from '@mui/material/InputAdornment';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { useTheme } from '@mui/material/styles';
import { api, apiGet, apiPost } from '../../api.js';
import { ErrorWithRetry } from '../../components/ErrorWithRetry.js';
import { Field, FormError } from '../../components/forms.js';
import { CloseIcon, CopyIcon, DeleteIcon, OpenInNewIcon, RefreshIcon } from '../../components/icons.js';
import { LinkIcon } from './icons.js';
import { scheduleKeys, type CalendarFeed } from './types.js';

const day = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });

/**
 * The secret subscription link of one's own calendar (webcal-ready): create it, copy it, open it
 * in the phone's calendar app, replace it (the old link stops working) or revoke it. The server
 * keeps only a hash of the secret, so the link itself is shown when it is made.
 */
export function FeedDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const theme = useTheme();
  const fullScreen = useMediaQuery(theme.breakpoints.down('sm'));
  return (
    <Dialog open={open} onClose={onClose} fullScreen={fullScreen} fullWidth maxWidth="sm" aria-labelledby="feed-dialog-title">
      {open && <FeedBody onClose={onClose} />}
    </Dialog>
  );
}

function FeedBody({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  const feed = useQuery({
    queryKey: scheduleKeys.feed,
    queryFn: ({ signal }) => apiGet<CalendarFeed>('/api/v1/calendar/feed', { signal }),
  });
  // The link as answered when made (GET may not be able to show it again).
  const [fresh, setFresh] = useState<CalendarFeed | null>(null);
  const [copied, setCopied] = useState(false);
  const [confirmReplace, setConfirmReplace] = useState(false);
  const create = useMutation({
    mutationFn: () => apiPost<CalendarFeed>('/api/v1/calendar/feed'),
    onSuccess: (answer) => {
      setFresh(answer);
      setCopied(false);
      setConfirmReplace(false);
      queryClient.setQueryData(scheduleKeys.feed, answer);
    },
  });
  const revoke = useMutation({
    mutationFn: () => api<void>('/api/v1/calendar/feed', { method: 'DELETE' }),
    onSuccess: () => {
      setFresh(null);
      queryClient.setQueryData<CalendarFeed>(scheduleKeys.feed, { active: false, url: null, webcal_url: null, created_at: null });
    },
  });

  const current = fresh ?? feed.data;
  const url = current?.url ?? null;
  const webcal = current?.webcal_url ?? (url ? url.replace(/^https?:/, 'webcal:') : null);
  const copy = () => {
    if (!url) return;
    void navigator.clipboard?.writeText(url).then(() => setCopied(true), () => setCopied(false));
  };

  return (
    <>
      <DialogTitle id="feed-dialog-title" sx={{ pr: 7 }}>
        Subscribe to your calendar
      </DialogTitle>
      <IconButton aria-label="Close" onClick={onClose} sx={{ position: 'absolute', right: 8, top: 8 }}>
        <CloseIcon />
      </IconButton>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Typography sx={{ color: 'text.secondary' }}>
          Your rehearsals, performances and calls in the calendar app on your phone or computer, kept up to date, with reminders a day and two hours before.
        </Typography>
        {feed.isPending ? (
          <Box role="progressbar" aria-label="Loading your subscription" aria-busy="true">
            <Skeleton height={56} />
          </Box>
        ) : feed.isError ? (
          <ErrorWithRetry message={`Your subscription could not be loaded. ${feed.error.message}`} onRetry={() => void feed.refetch()} />
        ) : !current?.active ? (
          <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1.5, alignItems: 'flex-start' }}>
            <Typography>You have no subscription link.</Typography>
            <Button variant="contained" startIcon={<LinkIcon />} onClick={() => create.mutate()} loading={create.isPending}>
              Create my link
            </Button>
          </Box>
        ) : (
          <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
            {url ? (
              <>
                <Field
                  label="Your private link"
                  name="feed_url"
                  value={url}
                  inputProps={{ readOnly: true, spellCheck: false, onFocus: (e: FocusEvent<HTMLInputElement>) => e.target.select() }}
                  helperText="Anyone with this link can see your schedule: keep it to yourself."
                  endAdornment={
                    <InputAdornment position="end">
                      <IconButton aria-label="Copy the link" onClick={copy} edge="end">
                        <CopyIcon />
                      </IconButton>
                    </InputAdornment>
                  }
                />
                {copied && <Alert severity="success" role="status">Copied. Paste it into your calendar app as a subscription (“From URL”).</Alert>}
                <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                  {webcal && (
                    <Button variant="contained" component="a" href={webcal} startIcon={<OpenInNewIcon />}>
                      Open in calendar app
                    </Button>
                  )}
                  <Button variant="outlined" startIcon={<CopyIcon />} onClick={copy}>
                    Copy link
                  </Button>
                </Box>
              </>
            ) : (
              <Alert severity="info">
                Your link is active{current.created_at ? ` since ${day.format(new Date(current.created_at))}` : ''}. For your privacy it is shown only when it is made: replace it to see a new one.
              </Alert>
            )}
            {confirmReplace ? (
              <Alert
                severity="warning"
                action={
                  <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                    <Button color="inherit" onClick={() => setConfirmReplace(false)}>Keep</Button>
                    <Button color="inherit" variant="outlined" onClick={() => create.mutate()} loading={create.isPending}>Replace</Button>
                  </Box>
                }
                sx={{ flexWrap: 'wrap' }}
              >
                Calendars subscribed with the current link stop updating.
              </Alert>
            ) : (
              <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                <Button startIcon={<RefreshIcon />} onClick={() => setConfirmReplace(true)}>
                  Replace link
                </Button>
                <Button color="error" startIcon={<DeleteIcon />} onClick={() => revoke.mutate()} loading={revoke.isPending}>
                  Revoke
                </Button>
              </Box>
            )}
          </Box>
        )}
        <FormError error={create.error ?? revoke.error} />
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </>
  );
}
