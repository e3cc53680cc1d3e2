import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import IconButton from '@mui/material/IconButton';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { useTheme } from '@mui/material/styles';
import { api, apiPost } from '../../api.js';
import { Field, FormError, useApiForm } from '../../components/forms.js';
import { CloseIcon } from '../../components/icons.js';
import { ConflictList } from './ConflictList.js';
import { refreshSchedule } from './data.js';
import { addDays, formatWallRange, instantOf, isDate, readableZone, TIME_PATTERN, wallIn } from './dates.js';
import { SCOPE_LABEL, type Conflict, type Occurrence, type ScheduleEvent, type Scope } from './types.js';

/** Minutes since 1970 of a wall time read as if it were UTC: only for differences between wall times. */
const wallMinutes = (wall: string) => new Date(`${wall.slice(0, 16)}:00Z`).getTime() / 60_000;
const shiftWall = (wall: string, minutes: number) => new Date((wallMinutes(wall) + minutes) * 60_000).toISOString().slice(0, 16);

function useFullScreen() {
  const theme = useTheme();
  return useMediaQuery(theme.breakpoints.down('sm'));
}

/** This occurrence / this and following / all, for a repeating event. */
function ScopeChoice({ value, onChange, canPickOccurrence, name }: { value: Scope; onChange: (s: Scope) => void; canPickOccurrence: boolean; name: string }) {
  const id = `${name}-label`;
  return (
    <Box component="fieldset" sx={{ border: 0, m: 0, p: 0, minWidth: 0 }}>
      <Typography component="legend" id={id} sx={{ fontWeight: 600, mb: 0.5 }}>
        Apply to
      </Typography>
      <RadioGroup name={name} value={value} onChange={(e) => onChange(e.target.value as Scope)} aria-labelledby={id}>
        {(['this', 'following', 'all'] as const).map((s) => (
          <FormControlLabel key={s} value={s} control={<Radio />} label={SCOPE_LABEL[s]} disabled={s !== 'all' && !canPickOccurrence} sx={{ minHeight: 44 }} />
        ))}
      </RadioGroup>
    </Box>
  );
}

function SavedWithConflicts({ conflicts, onDone }: { conflicts: Conflict[]; onDone: () => void }) {
  return (
    <>
      <DialogContent>
        <Alert severity="warning" role="alert">
          <AlertTitle>Saved — {conflicts.length === 1 ? 'one possible conflict' : `${conflicts.length} possible conflicts`}</AlertTitle>
          <ConflictList conflicts={conflicts} />
        </Alert>
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button variant="contained" autoFocus onClick={onDone}>
          Done
        </Button>
      </DialogActions>
    </>
  );
}

/**
 * Change one occurrence, this and the following, or all: the times (in the event's own zone, with
 * what that is in the zone on screen), the title, the place and the notes. For "all", the series
 * moves by the same amount as this occurrence does.
 */
export function MoveDialog({ target, zone, onClose, onSaved }: {
  target: { event: ScheduleEvent; occurrence: Occurrence | null } | null;
  zone: string;
  onClose: () => void;
  onSaved: (text: string) => void;
}) {
  const fullScreen = useFullScreen();
  return (
    <Dialog open={target !== null} onClose={onClose} fullScreen={fullScreen} fullWidth maxWidth="sm" aria-labelledby="move-dialog-title">
      {target && <MoveForm key={`${target.event.id}|${target.occurrence?.occurrence ?? ''}`} event={target.event} occurrence={target.occurrence} zone={zone} onClose={onClose} onSaved={onSaved} />}
    </Dialog>
  );
}

function MoveForm({ event, occurrence: o, zone, onClose, onSaved }: {
  event: ScheduleEvent;
  occurrence: Occurrence | null;
  zone: string;
  onClose: () => void;
  onSaved: (text: string) => void;
}) {
  const queryClient = useQueryClient();
  const form = useApiForm();
  const tz = event.time_zone;
  const recurring = Boolean(event.rrule);
  const originalStart = o ? wallIn(o.starts_at, tz) : event.start.slice(0, 16);
  const originalEnd = o ? wallIn(o.ends_at, tz) : event.end.slice(0, 16);
  const exception = event.exceptions?.find((x) => o && new Date(x.occurrence).getTime() === new Date(o.occurrence).getTime());
  const original = {
    title: o?.title ?? event.title,
    place: o?.location?.name ?? event.location?.name ?? '',
    notes: exception?.notes ?? event.notes ?? '',
  };
  const [date, setDate] = useState(originalStart.slice(0, 10));
  const [start, setStart] = useState(originalStart.slice(11, 16));
  const [end, setEnd] = useState(originalEnd.slice(11, 16));
  const [title, setTitle] = useState(original.title);
  const [place, setPlace] = useState(original.place);
  const [notes, setNotes] = useState(original.notes);
  const [scope, setScope] = useState<Scope>(recurring && o ? 'this' : 'all');
  const [conflicts, setConflicts] = useState<Conflict[] | null>(null);

  const valid = isDate(date) && TIME_PATTERN.test(start) && TIME_PATTERN.test(end) && start !== end;
  const newStart = `${date}T${start}`;
  const newEnd = `${end <= start ? addDays(date, 1) : date}T${end}`;
  const inView = valid && !event.all_day && tz !== zone ? formatWallRange(wallIn(instantOf(newStart, tz), zone), wallIn(instantOf(newEnd, tz), zone)) : null;

  const submit = form.run(
    () => {
      const p: Record<string, string> = {};
      if (!isDate(date)) p.date = 'Choose the day';
      if (!TIME_PATTERN.test(start)) p.start = 'Choose the start time';
      if (!TIME_PATTERN.test(end)) p.end = 'Choose the end time';
      else if (end === start) p.end = 'The end is the same as the start';
      if (!title.trim()) p.title = 'Give it a title';
      return p;
    },
    async () => {
      const body: Record<string, unknown> = {};
      const timesChanged = newStart !== originalStart || newEnd !== originalEnd;
      if (timesChanged && !event.all_day) {
        if (scope === 'all' && recurring) {
          // The series moves as this occurrence does (its first occurrence is event.start).
          const shift = wallMinutes(newStart) - wallMinutes(originalStart);
          const length = wallMinutes(newEnd) - wallMinutes(newStart);
          body.start = shiftWall(event.start, shift);
          body.end = shiftWall(event.start, shift + length);
        } else {
          body.start = newStart;
          body.end = newEnd;
        }
      }
      if (title.trim() !== original.title) body.title = title.trim();
      if (place.trim() !== original.place) body.location = { name: place.trim() || null };
      if (notes.trim() !== original.notes.trim()) body.notes = notes.trim() || null;
      if (!Object.keys(body).length) {
        onClose();
        return;
      }
      const params = new URLSearchParams({ scope: recurring ? scope : 'all' });
      if (recurring && scope !== 'all' && o) params.set('occurrence', o.occurrence);
      const answer = await api<ScheduleEvent>(`/api/v1/events/${event.id}?${params}`, { method: 'PATCH', json: body });
      void refreshSchedule(queryClient);
      const found = answer?.conflicts ?? [];
      const text = recurring ? `${SCOPE_LABEL[scope]} changed` : 'Event changed';
      if (found.length) setConflicts(found);
      else onSaved(text);
    },
  );

  if (conflicts) return (
    <>
      <DialogTitle id="move-dialog-title">Changes saved — please check</DialogTitle>
      <SavedWithConflicts conflicts={conflicts} onDone={() => onSaved('Changes saved')} />
    </>
  );

  return (
    <Box component="form" noValidate onSubmit={submit} sx={{ display: 'contents' }}>
      <DialogTitle id="move-dialog-title" sx={{ pr: 7 }}>
        {recurring ? 'Change or move' : 'Change time'}: {original.title}
      </DialogTitle>
      <IconButton aria-label="Close" onClick={onClose} sx={{ position: 'absolute', right: 8, top: 8 }}>
        <CloseIcon />
      </IconButton>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2.5, pt: '8px !important' }}>
        <FormError error={form.error} />
        {recurring && <ScopeChoice value={scope} onChange={setScope} canPickOccurrence={Boolean(o)} name="scope" />}
        {!event.all_day && (
          <Box component="fieldset" sx={{ border: 0, m: 0, p: 0, minWidth: 0, display: 'flex', flexDirection: 'column', gap: 1.5 }}>
            <Typography component="legend" sx={{ fontWeight: 600, mb: 1 }}>
              When, in {readableZone(tz)}
            </Typography>
            <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr 1fr', sm: '2fr 1fr 1fr' } }}>
              <Field label="Date" name="date" type="date" value={date} onChange={(e) => setDate(e.target.value)} error={form.fieldError('date')} sx={{ gridColumn: { xs: '1 / -1', sm: 'auto' } }} />
              <Field label="Start" name="start" type="time" value={start} onChange={(e) => setStart(e.target.value)} error={form.fieldError('start')} inputProps={{ step: 300 }} />
              <Field
                label="End"
                name="end"
                type="time"
                value={end}
                onChange={(e) => setEnd(e.target.value)}
                error={form.fieldError('end')}
                helperText={TIME_PATTERN.test(end) && end < start ? 'Ends the next day' : undefined}
                inputProps={{ step: 300 }}
              />
            </Box>
            {inView && (
              <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }} role="status">
                That is {inView} in {readableZone(zone)}, the zone on your screen.
              </Typography>
            )}
          </Box>
        )}
        <Field label="Title" name="title" value={title} onChange={(e) => setTitle(e.target.value)} error={form.fieldError('title')} inputProps={{ maxLength: 255 }} />
        <Field label="Place" name="location.name" value={place} onChange={(e) => setPlace(e.target.value)} error={form.fieldError('location.name')} inputProps={{ maxLength: 255 }} />
        <Field label="Notes" name="notes" value={notes} onChange={(e) => setNotes(e.target.value)} error={form.fieldError('notes')} multiline minRows={2} />
        <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>Participants are told of a new time or place at once.</Typography>
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2, gap: 1, flexWrap: 'wrap' }}>
        <Button onClick={onClose} disabled={form.pending}>
          Cancel
        </Button>
        <Button type="submit" variant="contained" loading={form.pending}>
          Save
        </Button>
      </DialogActions>
    </Box>
  );
}

/** Cancel one occurrence, this and the following, or the whole event, with the reason participants are told. */
export function CancelEventDialog({ target, onClose, onSaved }: {
  target: { event: ScheduleEvent; occurrence: Occurrence | null } | null;
  onClose: () => void;
  onSaved: (text: string) => void;
}) {
  const fullScreen = useFullScreen();
  return (
    <Dialog open={target !== null} onClose={onClose} fullScreen={fullScreen} fullWidth maxWidth="sm" aria-labelledby="cancel-dialog-title">
      {target && <CancelForm key={`${target.event.id}|${target.occurrence?.occurrence ?? ''}`} event={target.event} occurrence={target.occurrence} onClose={onClose} onSaved={onSaved} />}
    </Dialog>
  );
}

function CancelForm({ event, occurrence: o, onClose, onSaved }: {
  event: ScheduleEvent;
  occurrence: Occurrence | null;
  onClose: () => void;
  onSaved: (text: string) => void;
}) {
  const queryClient = useQueryClient();
  const form = useApiForm();
  const recurring = Boolean(event.rrule);
  const [reason, setReason] = useState('');
  const [scope, setScope] = useState<Scope>(recurring && o ? 'this' : 'all');
  const submit = form.run(
    (): Record<string, string> => (reason.trim() ? {} : { reason: 'Say why: participants are told' }),
    async () => {
      const effective = recurring ? scope : 'all';
      await apiPost(`/api/v1/events/${event.id}/cancel`, {
        reason: reason.trim(),
        scope: effective,
        ...(effective !== 'all' && o ? { occurrence: o.occurrence } : {}),
      });
      void refreshSchedule(queryClient);
      onSaved(recurring && effective !== 'all' ? `${SCOPE_LABEL[effective]} cancelled` : 'Event cancelled');
    },
  );
  const what = o ? formatWallRange(o.local_start, o.local_end, o.all_day) : null;
  return (
    <Box component="form" noValidate onSubmit={submit} sx={{ display: 'contents' }}>
      <DialogTitle id="cancel-dialog-title" sx={{ pr: 7 }}>
        Cancel {event.title}?
      </DialogTitle>
      <IconButton aria-label="Close" onClick={onClose} sx={{ position: 'absolute', right: 8, top: 8 }}>
        <CloseIcon />
      </IconButton>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2.5, pt: '8px !important' }}>
        <FormError error={form.error} />
        {what && <Typography>{what}</Typography>}
        {recurring && <ScopeChoice value={scope} onChange={setScope} canPickOccurrence={Boolean(o)} name="cancel_scope" />}
        <Field
          label="Reason"
          name="reason"
          required
          autoFocus
          multiline
          minRows={2}
          inputProps={{ maxLength: 1000 }}
          helperText="Participants see it with the cancellation."
          {...form.bind('reason', reason, setReason)}
        />
        <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>A cancelled event stays in the calendar, struck through, with the reason.</Typography>
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2, gap: 1, flexWrap: 'wrap' }}>
        <Button onClick={onClose} disabled={form.pending}>
          Keep it
        </Button>
        <Button type="submit" variant="contained" color="error" loading={form.pending}>
          Cancel {recurring && scope === 'this' ? 'this occurrence' : recurring && scope === 'following' ? 'these occurrences' : 'the event'}
        </Button>
      </DialogActions>
    </Box>
  );
}
