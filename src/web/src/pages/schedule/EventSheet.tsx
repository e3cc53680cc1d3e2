import { useState, type ReactNode } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Divider from '@mui/material/Divider';
import Drawer from '@mui/material/Drawer';
import IconButton from '@mui/material/IconButton';
import Link from '@mui/material/Link';
import Skeleton from '@mui/material/Skeleton';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { useTheme } from '@mui/material/styles';
import { apiGet, apiPost, saveLink, type DownloadLink } from '../../api.js';
import { visuallyHidden } from '../../components/a11y.js';
import { DetailList } from '../../components/DetailList.js';
import { ErrorWithRetry } from '../../components/ErrorWithRetry.js';
import { Field, FormError } from '../../components/forms.js';
import { CheckCircleIcon, CloseIcon, DownloadIcon, EditIcon, OpenInNewIcon, ScheduleIcon } from '../../components/icons.js';
import { refreshSchedule, useScheduleEvent } from './data.js';
import { describeRrule, formatWallRange, readableZone, wallIn, zoneName } from './dates.js';
import { CancelIcon, MoveIcon } from './icons.js';
import {
  colourOf, RSVP_COLOUR, RSVP_LABEL, TYPE_LABEL, type EventLocation, type MyParticipation, type Occurrence, type Rsvp, type ScheduleEvent,
} from './types.js';

const FALLBACK_COLOUR = '#757575';
const dateTime = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit' });
const formatInstant = (iso: string, zone?: string) => {
  try {
    return zone ? new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: zone }).format(new Date(iso)) : dateTime.format(new Date(iso));
  } catch {
    return iso;
  }
};

/** What the sheet shows: the occurrence clicked (from the list, in the zone on screen) and/or its event. */
export interface SheetTarget {
  eventId: string;
  occurrence: Occurrence | null;
}

/** A link to a map: the coordinates on OpenStreetMap, else a search for the address or name. */
/** Each attachment opens through a short-lived link asked for when it is pressed. */
function Attachments({ eventId, files }: { eventId: string; files: { file_id: string; filename: string }[] }) {
  const open = useMutation({
    mutationFn: async (fileId: string) => saveLink((await apiGet<DownloadLink>(`/api/v1/events/${eventId}/attachments/${fileId}`)).url),
  });
  return (
    <Box component="span" sx={{ display: 'flex', flexDirection: 'column', alignItems: 'flex-start' }}>
      {files.map((f) => (
        <Button
          key={f.file_id}
          variant="text"
          startIcon={<DownloadIcon />}
          onClick={() => open.mutate(f.file_id)}
          loading={open.isPending && open.variables === f.file_id}
          sx={{ minHeight: 44, px: 0.5, textAlign: 'left', overflowWrap: 'anywhere' }}
        >
          {f.filename}
        </Button>
      ))}
      {open.isError && <Alert severity="error">{open.error.message}</Alert>}
    </Box>
  );
}

export function mapLink(location: EventLocation): string | null {
  const lat = location.latitude === null ? NaN : Number(location.latitude);
  const lon = location.longitude === null ? NaN : Number(location.longitude);
  if (Number.isFinite(lat) && Number.isFinite(lon)) return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
  const where = [location.name, location.address].filter(Boolean).join(', ');
  return where ? `https://www.openstreetmap.org/search?query=${encodeURIComponent(where)}` : null;
}

/** Only web links are made clickable. */
const safeUrl = (url: string | null | undefined) => (url && /^https?:\/\//i.test(url) ? url : null);

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box component="section" aria-label={title} sx={{ display: 'flex', flexDirection: 'column', gap: 1.5 }}>
      <Typography component="h3" sx={{ fontWeight: 700, fontSize: '1rem' }}>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

/** The participant's part: RSVP and the acknowledgment of the call (with an optional note). */
function MyPart({ event, mine }: { event: ScheduleEvent; mine: MyParticipation }) {
  const queryClient = useQueryClient();
  const [note, setNote] = useState('');
  const acknowledge = useMutation({
    mutationFn: () => apiPost(`/api/v1/events/${event.id}/acknowledge`, note.trim() ? { note: note.trim() } : {}),
    onSuccess: () => refreshSchedule(queryClient),
  });
  const rsvp = useMutation({
    mutationFn: (status: Rsvp) => apiPost(`/api/v1/events/${event.id}/rsvp`, { status }),
    onSuccess: () => refreshSchedule(queryClient),
  });
  const cancelled = event.status === 'cancelled';
  const answer = rsvp.isPending ? rsvp.variables : mine.rsvp;
  return (
    <Section title="Your part">
      {mine.role && <Typography>Role: {mine.role}</Typography>}
      {mine.acknowledged_at ? (
        <Alert severity="success" icon={<CheckCircleIcon />} role="status">
          Acknowledged {formatInstant(mine.acknowledged_at)}
          {mine.acknowledgment_note ? ` — “${mine.acknowledgment_note}”` : ''}
        </Alert>
      ) : !cancelled ? (
        <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1.5, p: 2, borderRadius: 2, border: 1, borderColor: 'divider', bgcolor: 'background.paper' }}>
          <Typography sx={{ fontWeight: 600 }}>
            Please acknowledge this call
            {event.acknowledgment_deadline ? ` by ${formatInstant(event.acknowledgment_deadline)}` : ''}.
          </Typography>
          <Field
            label="Note (optional)"
            name="acknowledgment_note"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            multiline
            minRows={1}
            inputProps={{ maxLength: 1000 }}
            helperText="Seen by the production team, e.g. “I may be 10 minutes late”."
          />
          <FormError error={acknowledge.error} />
          <Button variant="contained" startIcon={<CheckCircleIcon />} onClick={() => acknowledge.mutate()} loading={acknowledge.isPending} sx={{ alignSelf: 'flex-start' }}>
            Acknowledge
          </Button>
        </Box>
      ) : null}
      {!cancelled && (
        <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
          <Typography id="rsvp-label" sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>
            Will you be there?
          </Typography>
          <ToggleButtonGroup
            exclusive
            color="primary"
            value={answer === 'confirmed' || answer === 'tentative' || answer === 'declined' ? answer : null}
            onChange={(_e, v: Rsvp | null) => v && rsvp.mutate(v)}
            aria-labelledby="rsvp-label"
            sx={{ flexWrap: 'wrap', '& .MuiToggleButton-root': { minHeight: 44, px: 2, color: 'text.primary' }, '& .MuiToggleButton-root.Mui-selected': { color: 'primary.dark', fontWeight: 700 } }}
          >
            <ToggleButton value="confirmed">Going</ToggleButton>
            <ToggleButton value="tentative">Maybe</ToggleButton>
            <ToggleButton value="declined">Not going</ToggleButton>
          </ToggleButtonGroup>
          <FormError error={rsvp.error} />
        </Box>
      )}
    </Section>
  );
}

function Participants({ event }: { event: ScheduleEvent }) {
  const people = event.participants ?? [];
  const acknowledged = people.filter((p) => p.acknowledged_at).length;
  return (
    <Section title={`Participants (${people.length})`}>
      {people.length > 0 && (
        <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>
          {acknowledged} of {people.length} acknowledged
        </Typography>
      )}
      {people.length === 0 ? (
        <Typography sx={{ color: 'text.secondary' }}>Nobody invited yet.</Typography>
      ) : (
        <Box component="ul" aria-label="Participants" sx={{ listStyle: 'none', m: 0, p: 0, '& > li + li': { borderTop: 1, borderColor: 'divider' } }}>
          {people.map((p) => (
            <Box component="li" key={p.user_id} sx={{ py: 1, display: 'flex', gap: 1, justifyContent: 'space-between', alignItems: 'flex-start', flexWrap: 'wrap' }}>
              <Box sx={{ minWidth: 0 }}>
                <Typography sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>{p.name || p.email}</Typography>
                <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary', overflowWrap: 'anywhere' }}>
                  {[p.role, p.acknowledged_at ? `Acknowledged ${formatInstant(p.acknowledged_at)}` : 'Not acknowledged yet'].filter(Boolean).join(' · ')}
                </Typography>
                {p.acknowledgment_note && <Typography sx={{ fontSize: '0.875rem', overflowWrap: 'anywhere' }}>“{p.acknowledgment_note}”</Typography>}
              </Box>
              <Chip size="small" label={RSVP_LABEL[p.rsvp]} color={RSVP_COLOUR[p.rsvp]} variant={p.rsvp === 'invited' || p.rsvp === 'no_response' ? 'outlined' : 'filled'} />
            </Box>
          ))}
        </Box>
      )}
    </Section>
  );
}

/**
 * The detail of an occurrence: a sheet from the bottom on phones, from the right on desktops.
 * Times in the zone on screen and in the event's own zone when that differs; place with a map
 * link; notes; the participant's acknowledgment and RSVP; for managers the participants' answers
 * and the actions (change, edit, cancel).
 */
export function EventSheet({ target, zone, onClose, onEdit, onMove, onCancel }: {
  target: SheetTarget | null;
  zone: string;
  onClose: () => void;
  onEdit: (event: ScheduleEvent) => void;
  onMove: (event: ScheduleEvent, occurrence: Occurrence | null) => void;
  onCancel: (event: ScheduleEvent, occurrence: Occurrence | null) => void;
}) {
  const theme = useTheme();
  const phone = useMediaQuery(theme.breakpoints.down('sm'));
  return (
    <Drawer
      anchor={phone ? 'bottom' : 'right'}
      open={target !== null}
      onClose={onClose}
      // Above the app bar (which sits above the navigation drawer), like the dialogs.
      sx={(t) => ({ zIndex: t.zIndex.modal })}
      slotProps={{
        paper: {
          role: 'dialog',
          'aria-labelledby': 'event-sheet-title',
          sx: {
            display: 'flex',
            flexDirection: 'column',
            overflow: 'hidden',
            ...(phone ? { maxHeight: '92dvh', borderTopLeftRadius: 16, borderTopRightRadius: 16 } : { width: 480, maxWidth: '100vw' }),
          },
        } as object,
      }}
    >
      {target && <SheetBody key={`${target.eventId}|${target.occurrence?.occurrence ?? ''}`} target={target} zone={zone} onClose={onClose} onEdit={onEdit} onMove={onMove} onCancel={onCancel} />}
    </Drawer>
  );
}

function SheetBody({ target, zone, onClose, onEdit, onMove, onCancel }: {
  target: SheetTarget;
  zone: string;
  onClose: () => void;
  onEdit: (event: ScheduleEvent) => void;
  onMove: (event: ScheduleEvent, occurrence: Occurrence | null) => void;
  onCancel: (event: ScheduleEvent, occurrence: Occurrence | null) => void;
}) {
  const detail = useScheduleEvent(target.eventId);
  const event = detail.data;
  const o = target.occurrence;
  const title = o?.title ?? event?.title ?? 'Event';
  const type = o?.type ?? event?.type;
  const colour = o ? colourOf(o) : event ? colourOf(event) : FALLBACK_COLOUR;
  const cancelled = (o?.status ?? event?.status) === 'cancelled';
  const reason = o?.cancellation_reason ?? event?.cancellation_reason;
  const canWrite = Boolean(event?.allowed_actions.includes('events:write'));

  // The times: the occurrence's in the zone on screen, and in the event's own zone.
  const startsAt = o?.starts_at ?? event?.starts_at;
  const endsAt = o?.ends_at ?? event?.ends_at;
  const allDay = o?.all_day ?? event?.all_day ?? false;
  const eventZone = o?.event_time_zone ?? event?.time_zone;
  const here = o ? formatWallRange(o.local_start, o.local_end, allDay) : startsAt && endsAt ? formatWallRange(wallIn(startsAt, zone), wallIn(endsAt, zone), allDay) : null;
  const there = eventZone && eventZone !== zone && startsAt && endsAt && !allDay ? formatWallRange(wallIn(startsAt, eventZone), wallIn(endsAt, eventZone)) : null;
  const location = o?.location ?? event?.location ?? null;
  const map = location ? mapLink(location) : null;
  const virtual = safeUrl(location?.virtual_url);
  const exception = event?.exceptions?.find((x) => o && new Date(x.occurrence).getTime() === new Date(o.occurrence).getTime());
  const notes = exception?.notes ?? event?.notes;
  const repeat = describeRrule(event?.rrule ?? null);

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', minHeight: 0, flex: '1 1 auto' }}>
      <Box sx={{ display: 'flex', alignItems: 'flex-start', gap: 1, p: 2, pb: 1, borderTop: `6px solid ${colour}` }}>
        <Box sx={{ flexGrow: 1, minWidth: 0, pt: 0.5 }}>
          {type && (
            <Typography sx={{ fontSize: '0.875rem', fontWeight: 600, color: 'text.secondary', display: 'flex', alignItems: 'center', gap: 0.75 }}>
              <Box component="span" aria-hidden sx={{ width: 10, height: 10, borderRadius: '50%', bgcolor: colour }} />
              {TYPE_LABEL[type]}
              {o?.modified && !cancelled ? ' · changed' : ''}
            </Typography>
          )}
          <Typography
            component="h2"
            id="event-sheet-title"
            sx={{ fontSize: '1.375rem', fontWeight: 700, lineHeight: 1.3, overflowWrap: 'anywhere', textDecoration: cancelled ? 'line-through' : undefined }}
          >
            {title}
          </Typography>
        </Box>
        <IconButton aria-label="Close" onClick={onClose}>
          <CloseIcon />
        </IconButton>
      </Box>
      <Box sx={{ overflowY: 'auto', minHeight: 0, flex: '1 1 auto', px: 2, pb: 3, display: 'flex', flexDirection: 'column', gap: 2.5 }}>
        {cancelled && (
          <Alert severity="warning" role="status">
            Cancelled{reason ? `: ${reason}` : ''}
          </Alert>
        )}
        <Box>
          {here && (
            <Typography sx={{ fontWeight: 600, fontSize: '1.0625rem' }} data-testid="sheet-time">
              {here}
            </Typography>
          )}
          <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>
            Your view: {readableZone(zone)}
            {startsAt ? ` (${zoneName(zone, startsAt)})` : ''}
          </Typography>
          {there && eventZone && (
            <Typography sx={{ mt: 1 }} data-testid="sheet-event-time">
              {there}{' '}
              <Box component="span" sx={{ color: 'text.secondary' }}>
                in {readableZone(eventZone)} ({zoneName(eventZone, startsAt ?? new Date())}), the event&apos;s own time
              </Box>
            </Typography>
          )}
          {repeat && <Typography sx={{ mt: 1, fontSize: '0.875rem', color: 'text.secondary' }}>{repeat}{event?.recurrence_capped ? ' (shown for two years)' : ''}</Typography>}
        </Box>

        {canWrite && event && (
          <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
            {!cancelled && (
              <Button variant="outlined" startIcon={<MoveIcon />} onClick={() => onMove(event, o)}>
                {event.rrule ? 'Change or move' : 'Change time'}
              </Button>
            )}
            <Button variant="outlined" startIcon={<EditIcon />} onClick={() => onEdit(event)}>
              Edit event
            </Button>
            {!cancelled && (
              <Button variant="outlined" color="error" startIcon={<CancelIcon />} onClick={() => onCancel(event, o)}>
                Cancel…
              </Button>
            )}
          </Box>
        )}

        {detail.isPending ? (
          <Box role="progressbar" aria-label="Loading the event" aria-busy="true">
            <Skeleton height={32} />
            <Skeleton height={32} />
            <Skeleton height={96} />
          </Box>
        ) : detail.isError ? (
          <ErrorWithRetry message={`The event could not be loaded. ${detail.error.message}`} onRetry={() => void detail.refetch()} />
        ) : event ? (
          <>
            {event.my_participation && <MyPart event={event} mine={event.my_participation} />}
            <Divider />
            <DetailList
              labelWidth={120}
              items={[
                ...(location?.name || location?.address || virtual
                  ? [[
                      'Where',
                      <Box key="where" sx={{ display: 'flex', flexDirection: 'column', gap: 0.5 }}>
                        {location?.name && <span>{location.name}</span>}
                        {location?.address && <Box component="span" sx={{ whiteSpace: 'pre-line', color: 'text.secondary' }}>{location.address}</Box>}
                        {map && (
                          <Link href={map} target="_blank" rel="noopener noreferrer" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, minHeight: 44 }}>
                            Open in map <OpenInNewIcon sx={{ fontSize: '1rem' }} />
                            <Box component="span" sx={visuallyHidden}> (opens in a new tab)</Box>
                          </Link>
                        )}
                        {virtual && (
                          <Link href={virtual} target="_blank" rel="noopener noreferrer" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, minHeight: 44, overflowWrap: 'anywhere' }}>
                            Join online <OpenInNewIcon sx={{ fontSize: '1rem' }} />
                            <Box component="span" sx={visuallyHidden}> (opens in a new tab)</Box>
                          </Link>
                        )}
                      </Box>,
                    ] as [string, ReactNode]]
                  : []),
                ...(event.production_name ? [['Production', event.production_name] as [string, ReactNode]] : []),
                ...(event.call_time_notes ? [['Call time', <Box key="call" component="span" sx={{ whiteSpace: 'pre-line' }}>{event.call_time_notes}</Box>] as [string, ReactNode]] : []),
                ...(notes ? [['Notes', <Box key="notes" component="span" sx={{ whiteSpace: 'pre-line' }}>{notes}</Box>] as [string, ReactNode]] : []),
                ...(event.description ? [['About', <Box key="about" component="span" sx={{ whiteSpace: 'pre-line' }}>{event.description}</Box>] as [string, ReactNode]] : []),
                ...(event.required_roles.length ? [['Roles needed', event.required_roles.join(', ')] as [string, ReactNode]] : []),
                ...(event.attachments?.length ? [['Attachments', <Attachments key="files" eventId={event.id} files={event.attachments} />] as [string, ReactNode]] : []),
              ]}
            />
            {event.participants && <Participants event={event} />}
          </>
        ) : null}
        {!event && !detail.isPending && !detail.isError && (
          <Typography sx={{ color: 'text.secondary', display: 'flex', gap: 1, alignItems: 'center' }}>
            <ScheduleIcon /> No details.
          </Typography>
        )}
      </Box>
    </Box>
  );
}

