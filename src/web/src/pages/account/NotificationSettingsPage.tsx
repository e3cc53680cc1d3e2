import { useEffect, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import FormControlLabel from '@mui/material/FormControlLabel';
import Skeleton from '@mui/material/Skeleton';
import Snackbar from '@mui/material/Snackbar';
import Switch from '@mui/material/Switch';
import Typography from '@mui/material/Typography';
import { api, apiGet } from '../../api.js';
import { Field, FormError } from '../../components/forms.js';
import { DevicesIcon, NotificationsIcon, RefreshIcon } from '../../components/icons.js';
import { Page } from '../../components/Page.js';
import { enablePush, pushSupported } from '../../notifications/push.js';

/** GET /api/v1/me/notification-preferences (docs/API-notifications.md). */
interface Preferences {
  types: Array<{ type: string; label: string; essential: boolean; channels: { in_app: true; email: boolean; sms: boolean | null; push: boolean } }>;
  quiet_hours: { start: string; end: string } | null;
  daily_digest: boolean;
  timezone: string;
  sms_available: boolean;
  push_available: boolean;
}
interface Device { id: string; endpoint_host: string; user_agent: string | null; created_at: string }

type Choice = Preferences['types'][number]['channels'];
const KEY = ['notification-preferences'];

function PreferencesForm({ initial }: { initial: Preferences }) {
  const queryClient = useQueryClient();
  const [choices, setChoices] = useState<Record<string, Choice>>(() => Object.fromEntries(initial.types.map((t) => [t.type, t.channels])));
  const [quiet, setQuiet] = useState(initial.quiet_hours !== null);
  const [start, setStart] = useState(initial.quiet_hours?.start ?? '22:00');
  const [end, setEnd] = useState(initial.quiet_hours?.end ?? '07:00');
  const [digest, setDigest] = useState(initial.daily_digest);
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: () => api<Preferences>('/api/v1/me/notification-preferences', {
      method: 'PUT',
      json: {
        // Essential types cannot change their e-mail; send only what the person can choose.
        channels: Object.fromEntries(initial.types.map((t) => {
          const c = choices[t.type]!;
          return [t.type, { ...(t.essential ? {} : { email: c.email }), push: c.push, ...(initial.sms_available ? { sms: c.sms } : {}) }];
        })),
        quiet_hours: quiet ? { start, end } : null,
        daily_digest: digest,
      },
    }),
    onSuccess: (next) => {
      queryClient.setQueryData(KEY, next);
      setSaved(true);
    },
  });
  const channelColumns = [{ key: 'email', label: 'E-mail' }, ...(initial.sms_available ? [{ key: 'sms', label: 'Text message' }] : []), { key: 'push', label: 'Push' }];
  const columns = `minmax(0, 1fr) ${channelColumns.map((c) => (c.key === 'sms' ? '150px' : '88px')).join(' ')}`;
  const set = (type: string, channel: keyof Choice, value: boolean | null) =>
    setChoices((all) => ({ ...all, [type]: { ...all[type]!, [channel]: value } as Choice }));

  return (
    <Box component="form" noValidate onSubmit={(e) => { e.preventDefault(); save.mutate(); }} sx={{ display: 'flex', flexDirection: 'column', gap: 3 }}>
      <FormError error={save.error} />
      <Card component="section" aria-labelledby="channels-title">
        <CardContent>
          <Typography variant="h2" id="channels-title" sx={{ fontSize: '1.25rem', mb: 1 }}>What reaches you where</Typography>
          <Typography sx={{ color: 'text.secondary', mb: 2 }}>Everything appears in the portal. Choose what also comes by e-mail{initial.sms_available ? ', text message' : ''} or push.</Typography>
          {/* A grid with column headings on wider screens; on phones each channel carries its own label. */}
          <Box role="table" aria-labelledby="channels-title" sx={{ display: 'flex', flexDirection: 'column' }}>
            <Box role="row" sx={{ display: { xs: 'none', sm: 'grid' }, gridTemplateColumns: columns, gap: 2, py: 1, borderBottom: 1, borderColor: 'divider' }}>
              <Typography role="columnheader" sx={{ fontWeight: 600 }}>Notification</Typography>
              {channelColumns.map((c) => <Typography key={c.key} role="columnheader" sx={{ fontWeight: 600, textAlign: 'center' }}>{c.label}</Typography>)}
            </Box>
            {initial.types.map((t) => {
              const c = choices[t.type]!;
              const cellSx = { display: 'flex', alignItems: 'center', justifyContent: { sm: 'center' }, gap: 1 };
              const mobileLabel = (text: string) => <Typography aria-hidden variant="body2" sx={{ display: { sm: 'none' }, color: 'text.secondary' }}>{text}</Typography>;
              return (
                <Box role="row" key={t.type} sx={{ display: { xs: 'flex', sm: 'grid' }, flexWrap: 'wrap', gridTemplateColumns: columns, columnGap: { xs: 3, sm: 2 }, rowGap: 0.5, py: 1.5, borderBottom: 1, borderColor: 'divider', alignItems: { sm: 'center' } }}>
                  <Box role="rowheader" sx={{ width: { xs: '100%', sm: 'auto' } }}>
                    <Typography sx={{ fontWeight: { xs: 600, sm: 400 } }}>{t.label}</Typography>
                    {t.essential && <Typography variant="caption" sx={{ color: 'text.secondary' }}>Always e-mailed</Typography>}
                  </Box>
                  <Box role="cell" sx={cellSx}>
                    {mobileLabel('E-mail')}
                    <Switch checked={c.email} disabled={t.essential} onChange={(e) => set(t.type, 'email', e.target.checked)} slotProps={{ input: { 'aria-label': `${t.label}: e-mail` } }} />
                  </Box>
                  {initial.sms_available && (
                    <Box role="cell" sx={cellSx}>
                      {mobileLabel('Text message')}
                      <Field
                        select size="small" fullWidth={false} value={c.sms === null ? 'default' : c.sms ? 'on' : 'off'}
                        onChange={(e) => set(t.type, 'sms', e.target.value === 'default' ? null : e.target.value === 'on')}
                        inputProps={{ 'aria-label': `${t.label}: text message` }}
                      >
                        <option value="default">Urgent only</option>
                        <option value="on">Always</option>
                        <option value="off">Never</option>
                      </Field>
                    </Box>
                  )}
                  <Box role="cell" sx={cellSx}>
                    {mobileLabel('Push')}
                    <Switch checked={c.push} onChange={(e) => set(t.type, 'push', e.target.checked)} slotProps={{ input: { 'aria-label': `${t.label}: push` } }} />
                  </Box>
                </Box>
              );
            })}
          </Box>
        </CardContent>
      </Card>
      <Card component="section" aria-labelledby="timing-title">
        <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          <Typography variant="h2" id="timing-title" sx={{ fontSize: '1.25rem' }}>When</Typography>
          <FormControlLabel sx={{ minHeight: 44 }} control={<Switch checked={quiet} onChange={(e) => setQuiet(e.target.checked)} />} label={`Quiet hours (${initial.timezone}): text messages and push wait until they end, unless urgent`} />
          {quiet && (
            <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
              <Field label="From" type="time" name="quiet_start" value={start} onChange={(e) => setStart(e.target.value)} fullWidth={false} />
              <Field label="Until" type="time" name="quiet_end" value={end} onChange={(e) => setEnd(e.target.value)} fullWidth={false} />
            </Box>
          )}
          <FormControlLabel sx={{ minHeight: 44 }} control={<Switch checked={digest} onChange={(e) => setDigest(e.target.checked)} />} label="Daily digest: low-priority e-mails (announcements) together at 08:00" />
        </CardContent>
      </Card>
      <Box>
        <Button type="submit" variant="contained" disabled={save.isPending} sx={{ minHeight: 44 }}>{save.isPending ? 'Saving…' : 'Save preferences'}</Button>
      </Box>
      <Snackbar open={saved} autoHideDuration={4000} onClose={() => setSaved(false)} message="Preferences saved." />
    </Box>
  );
}

function DevicesCard() {
  const queryClient = useQueryClient();
  const devices = useQuery({ queryKey: ['push-devices'], queryFn: ({ signal }) => apiGet<{ data: Device[] }>('/api/v1/me/push-subscriptions', { signal }) });
  const [message, setMessage] = useState<string | null>(null);
  const enable = useMutation({
    mutationFn: enablePush,
    onSuccess: (granted) => {
      setMessage(granted ? 'Push is on for this browser.' : 'The browser did not allow notifications. Allow them in its site settings and try again.');
      void queryClient.invalidateQueries({ queryKey: ['push-devices'] });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(`/api/v1/me/push-subscriptions/${id}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['push-devices'] }),
  });
  const [supported, setSupported] = useState(false);
  useEffect(() => setSupported(pushSupported()), []);

  return (
    <Card component="section" aria-labelledby="devices-title">
      <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5 }}>
          <DevicesIcon sx={{ color: 'primary.main' }} />
          <Typography variant="h2" id="devices-title" sx={{ fontSize: '1.25rem' }}>Push on your devices</Typography>
        </Box>
        {supported ? (
          <Box>
            <Button variant="outlined" startIcon={<NotificationsIcon />} onClick={() => enable.mutate()} disabled={enable.isPending} sx={{ minHeight: 44 }}>
              Turn on push for this browser
            </Button>
          </Box>
        ) : (
          <Typography sx={{ color: 'text.secondary' }}>This browser cannot receive push notifications here (it needs HTTPS and notification support; on iPhone, add the portal to the home screen first).</Typography>
        )}
        {enable.isError && <FormError error={enable.error} />}
        {message && <Alert severity="info">{message}</Alert>}
        {devices.isPending ? <Skeleton variant="rounded" height={48} /> : devices.isError ? (
          <Alert severity="error" action={<Button color="inherit" startIcon={<RefreshIcon />} onClick={() => void devices.refetch()}>Try again</Button>}>Your devices could not be loaded.</Alert>
        ) : devices.data.data.length === 0 ? (
          <Typography sx={{ color: 'text.secondary' }}>No device receives push yet.</Typography>
        ) : (
          <Box component="ul" aria-label="Devices" sx={{ m: 0, p: 0, listStyle: 'none', display: 'flex', flexDirection: 'column', gap: 1 }}>
            {devices.data.data.map((d) => (
              <Box component="li" key={d.id} sx={{ display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap' }}>
                <Typography sx={{ flexGrow: 1, minWidth: 0, overflowWrap: 'anywhere' }}>{d.user_agent ?? 'A browser'} · {d.endpoint_host}</Typography>
                <Button color="error" onClick={() => remove.mutate(d.id)} disabled={remove.isPending} sx={{ minHeight: 44 }}>Stop</Button>
              </Box>
            ))}
          </Box>
        )}
      </CardContent>
    </Card>
  );
}

export default function NotificationSettingsPage() {
  const prefs = useQuery({ queryKey: KEY, queryFn: ({ signal }) => apiGet<Preferences>('/api/v1/me/notification-preferences', { signal }) });
  return (
    <Page title="Notification settings" description="Choose how the portal reaches you. Urgent changes still come through.">
      {prefs.isPending ? (
        <Box role="progressbar" aria-label="Loading preferences" aria-busy="true"><Skeleton variant="rounded" height={360} /></Box>
      ) : prefs.isError ? (
        <Alert severity="error" action={<Button color="inherit" startIcon={<RefreshIcon />} onClick={() => void prefs.refetch()}>Try again</Button>}>
          Your preferences could not be loaded. {prefs.error.message}
        </Alert>
      ) : (
        <PreferencesForm initial={prefs.data} />
      )}
      {prefs.data?.push_available && <DevicesCard />}
    </Page>
  );
}
