import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Collapse from '@mui/material/Collapse';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import IconButton from '@mui/material/IconButton';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Switch from '@mui/material/Switch';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { useTheme } from '@mui/material/styles';
import { api, apiPost } from '../../api.js';
import { visuallyHidden } from '../../components/a11y.js';
import { Field, FormError, useApiForm } from '../../components/forms.js';
import { CloseIcon, TuneIcon } from '../../components/icons.js';
import { TimeZoneField } from '../profile/TimeZoneField.js';
import { refreshSchedule, useProductions } from './data.js';
import {
  addDays, buildRrule, describeRrule, formatDay, formatWallRange, instantOf, isDate, readableZone, repeatDates, TIME_PATTERN, wallIn, weekdayNames, weekdayOf,
  type Repeat,
} from './dates.js';
import { AttachmentsField, type Attachment } from './AttachmentsField.js';
import { ParticipantsField, type Invitee } from './ParticipantsField.js';
import { COLOUR_CHOICES, EVENT_TYPES, TYPE_COLOUR, TYPE_LABEL, type Conflict, type EventType, type ScheduleEvent } from './types.js';
import { ConflictList } from './ConflictList.js';

interface Values {
  title: string;
  type: EventType;
  allDay: boolean;
  date: string;
  startTime: string;
  endTime: string;
  /** All-day events: the last day (inclusive). */
  endDate: string;
  timeZone: string;
  repeat: Repeat;
  locationName: string;
  locationAddress: string;
  virtualUrl: string;
  productionId: string;
  colour: string;
  description: string;
  notes: string;
  callTimeNotes: string;
  /** The day by which participants acknowledge ('' for none). */
  acknowledgeBy: string;
  participants: Invitee[];
  /** Files the event carries (uploaded as chosen, saved with the event). */
  attachments: Attachment[];
}

const MAX_WEEKS = 104;

function newValues(date: string, zone: string): Values {
  return {
    title: '',
    type: 'rehearsal',
    allDay: false,
    date,
    startTime: '10:00',
    endTime: '13:00',
    endDate: date,
    timeZone: zone,
    repeat: { frequency: 'none', days: [weekdayOf(date)], end: 'weeks', count: '4', until: '' },
    locationName: '',
    locationAddress: '',
    virtualUrl: '',
    productionId: '',
    colour: '',
    description: '',
    notes: '',
    callTimeNotes: '',
    acknowledgeBy: '',
    participants: [],
    attachments: [],
  };
}

function valuesOf(e: ScheduleEvent): Values {
  const date = e.start.slice(0, 10);
  return {
    ...newValues(date, e.time_zone),
    title: e.title,
    type: e.type,
    allDay: e.all_day,
    startTime: e.start.slice(11, 16) || '10:00',
    endTime: e.end.slice(11, 16) || '13:00',
    endDate: e.end.slice(0, 10),
    locationName: e.location?.name ?? '',
    locationAddress: e.location?.address ?? '',
    virtualUrl: e.location?.virtual_url ?? '',
    productionId: e.production_id ?? '',
    colour: e.colour ?? '',
    description: e.description ?? '',
    notes: e.notes ?? '',
    callTimeNotes: e.call_time_notes ?? '',
    acknowledgeBy: e.acknowledgment_deadline ? wallIn(e.acknowledgment_deadline, e.time_zone).slice(0, 10) : '',
    participants: (e.participants ?? []).map((p) => ({ user_id: p.user_id, name: p.name, email: p.email, role: p.role ?? '' })),
    attachments: e.attachments ?? [],
  };
}

/** Start and end as the API takes them: wall times in the event's zone; an end before the start is the next day. */
function wallTimes(v: Values): { start: string; end: string } {
  if (v.allDay) return { start: v.date, end: v.endDate || v.date };
  const endDay = v.endTime <= v.startTime ? addDays(v.date, 1) : v.date;
  return { start: `${v.date}T${v.startTime}`, end: `${endDay}T${v.endTime}` };
}

function validate(v: Values, editingSeries: boolean): Record<string, string> {
  const p: Record<string, string> = {};
  if (!v.title.trim()) p.title = 'Give the event a title';
  if (!isDate(v.date)) p.date = 'Choose the day';
  if (!v.timeZone) p.time_zone = 'Choose the time zone the times are in';
  if (v.allDay) {
    if (!isDate(v.endDate)) p.end_date = 'Choose the last day';
    else if (isDate(v.date) && v.endDate < v.date) p.end_date = 'The last day is before the first';
  } else {
    if (!TIME_PATTERN.test(v.startTime)) p.start = 'Choose the start time';
    if (!TIME_PATTERN.test(v.endTime)) p.end = 'Choose the end time';
    else if (v.endTime === v.startTime) p.end = 'The end is the same as the start';
  }
  if (!editingSeries && v.repeat.frequency !== 'none' && isDate(v.date)) {
    if (v.repeat.frequency === 'weekly' && v.repeat.days.length === 0) p.repeat_days = 'Choose at least one day';
    else if (v.repeat.frequency === 'weekly' && !v.repeat.days.includes(weekdayOf(v.date))) p.repeat_days = `The first date is a ${weekdayNames('long')[weekdayOf(v.date)]}: include it`;
    if (v.repeat.end === 'weeks') {
      const n = Number(v.repeat.count);
      if (!Number.isInteger(n) || n < 1 || n > MAX_WEEKS) p.repeat_count = `A whole number from 1 to ${MAX_WEEKS}`;
    } else if (!isDate(v.repeat.until)) p.repeat_until = 'Choose the last day';
    else if (v.repeat.until < v.date) p.repeat_until = 'The last day is before the first';
  }
  if (v.virtualUrl.trim() && !/^https?:\/\/\S+$/i.test(v.virtualUrl.trim())) p['location.virtual_url'] = 'A web address starting with https://';
  if (v.acknowledgeBy && !isDate(v.acknowledgeBy)) p.acknowledgment_deadline = 'Choose a day';
  return p;
}

/**
 * Create an event (`event` null) or edit one (all its occurrences): what, when (with a weekly or
 * daily repeat that becomes an RRULE), where, for which production and with whom. The API's
 * conflicts come back as warnings after saving; the event is saved either way.
 */
export function EventDialog({ open, event, initialDate, zone, onClose, onSaved }: {
  open: boolean;
  event: ScheduleEvent | null;
  initialDate: string;
  zone: string;
  onClose: () => void;
  onSaved: (saved: ScheduleEvent, created: boolean) => void;
}) {
  const theme = useTheme();
  const fullScreen = useMediaQuery(theme.breakpoints.down('sm'));
  return (
    <Dialog open={open} onClose={onClose} fullScreen={fullScreen} fullWidth maxWidth="sm" aria-labelledby="event-dialog-title">
      {open && <EventForm key={event?.id ?? `new-${initialDate}`} event={event} initialDate={initialDate} zone={zone} onClose={onClose} onSaved={onSaved} />}
    </Dialog>
  );
}

function EventForm({ event, initialDate, zone, onClose, onSaved }: {
  event: ScheduleEvent | null;
  initialDate: string;
  zone: string;
  onClose: () => void;
  onSaved: (saved: ScheduleEvent, created: boolean) => void;
}) {
  const queryClient = useQueryClient();
  const form = useApiForm();
  const productions = useProductions();
  const [values, setValues] = useState<Values>(() => (event ? valuesOf(event) : newValues(initialDate, zone)));
  const [more, setMore] = useState(Boolean(event && (event.description || event.notes || event.call_time_notes || event.colour || event.acknowledgment_deadline)));
  const [saved, setSaved] = useState<{ event: ScheduleEvent; conflicts: Conflict[] } | null>(null);
  const set = <K extends keyof Values>(key: K) => (value: Values[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    form.clearFieldError(key);
  };
  const setRepeat = (patch: Partial<Repeat>) => setValues((v) => ({ ...v, repeat: { ...v.repeat, ...patch } }));
  const bind = (key: 'title' | 'locationName' | 'locationAddress' | 'virtualUrl' | 'description' | 'notes' | 'callTimeNotes', name: string) =>
    form.bind(name, values[key], (value) => setValues((v) => ({ ...v, [key]: value })));
  const series = event?.rrule ? event : null;
  const recurring = series !== null;
  const editing = event !== null;

  const times = wallTimes(values);
  const dates = !editing && isDate(values.date) ? repeatDates(values.date, values.repeat) : [];
  const typeWord = TYPE_LABEL[values.type].toLowerCase();
  // Touring: when the event's zone is not the one on screen, say when it is there too.
  const elsewhere =
    !values.allDay && values.timeZone && values.timeZone !== zone && isDate(values.date) && TIME_PATTERN.test(values.startTime) && TIME_PATTERN.test(values.endTime)
      ? formatWallRange(wallIn(instantOf(times.start, values.timeZone), zone), wallIn(instantOf(times.end, values.timeZone), zone))
      : null;

  const submit = form.run(
    () => validate(values, recurring),
    async () => {
      const v = values;
      const text = (s: string) => s.trim() || null;
      const location = {
        name: text(v.locationName),
        address: text(v.locationAddress),
        virtual_url: text(v.virtualUrl),
      };
      const hasLocation = Object.values(location).some(Boolean);
      const deadline = v.acknowledgeBy ? instantOf(`${v.acknowledgeBy}T23:59`, v.timeZone).toISOString() : null;
      let answer: ScheduleEvent;
      if (!editing) {
        const rrule = buildRrule(v.date, v.repeat);
        answer = await apiPost<ScheduleEvent>('/api/v1/events', {
          type: v.type,
          title: v.title.trim(),
          time_zone: v.timeZone,
          ...times,
          all_day: v.allDay,
          ...(rrule ? { rrule } : {}),
          ...(hasLocation ? { location: Object.fromEntries(Object.entries(location).filter(([, x]) => x)) } : {}),
          ...(v.productionId ? { production_id: v.productionId } : {}),
          ...(v.colour ? { colour: v.colour } : {}),
          ...(text(v.description) ? { description: text(v.description) } : {}),
          ...(text(v.notes) ? { notes: text(v.notes) } : {}),
          ...(text(v.callTimeNotes) ? { call_time_notes: text(v.callTimeNotes) } : {}),
          ...(deadline ? { acknowledgment_deadline: deadline } : {}),
          ...(v.participants.length ? { participants: v.participants.map((p) => ({ user_id: p.user_id, ...(p.role.trim() ? { role: p.role.trim() } : {}) })) } : {}),
          ...(v.attachments.length ? { attachment_file_ids: v.attachments.map((a) => a.file_id) } : {}),
        });
      } else {
        answer = await api<ScheduleEvent>(`/api/v1/events/${event.id}?scope=all`, {
          method: 'PATCH',
          json: {
            type: v.type,
            title: v.title.trim(),
            // A series keeps its times here; "Change or move" shifts them.
            ...(recurring ? {} : { time_zone: v.timeZone, ...times, all_day: v.allDay }),
            location,
            production_id: v.productionId || null,
            colour: v.colour || null,
            description: text(v.description),
            notes: text(v.notes),
            call_time_notes: text(v.callTimeNotes),
            acknowledgment_deadline: deadline,
          },
        });
        const before = (event.participants ?? []).map((p) => `${p.user_id}:${p.role ?? ''}`).sort().join();
        const after = v.participants.map((p) => `${p.user_id}:${p.role.trim()}`).sort().join();
        if (before !== after) {
          const people = await api<ScheduleEvent | { participants: unknown }>(`/api/v1/events/${event.id}/participants`, {
            method: 'PUT',
            json: { participants: v.participants.map((p) => ({ user_id: p.user_id, ...(p.role.trim() ? { role: p.role.trim() } : {}) })) },
          });
          if (people && 'conflicts' in people && Array.isArray(people.conflicts)) answer = { ...answer, conflicts: [...(answer.conflicts ?? []), ...people.conflicts] };
        }
        const filesBefore = (event.attachments ?? []).map((a) => a.file_id).sort().join();
        if (filesBefore !== v.attachments.map((a) => a.file_id).sort().join()) {
          const withFiles = await api<ScheduleEvent>(`/api/v1/events/${event.id}/attachments`, { method: 'PUT', json: { file_ids: v.attachments.map((a) => a.file_id) } });
          answer = { ...withFiles, conflicts: answer.conflicts ?? [] };
        }
      }
      void refreshSchedule(queryClient);
      const conflicts = answer.conflicts ?? [];
      if (conflicts.length) setSaved({ event: answer, conflicts });
      else onSaved(answer, !editing);
    },
  );

  if (saved) {
    return (
      <>
        <DialogTitle id="event-dialog-title">{editing ? 'Changes saved' : 'Event created'} — please check</DialogTitle>
        <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          <Alert severity="warning" role="alert">
            <AlertTitle>
              {saved.conflicts.length === 1 ? 'One possible conflict' : `${saved.conflicts.length} possible conflicts`}
            </AlertTitle>
            “{saved.event.title}” is saved. You may want to change it, or the other calls, because:
            <ConflictList conflicts={saved.conflicts} />
          </Alert>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button variant="contained" autoFocus onClick={() => onSaved(saved.event, !editing)}>
            Done
          </Button>
        </DialogActions>
      </>
    );
  }

  const dayNames = weekdayNames('short');
  const longDayNames = weekdayNames('long');
  const productionList = productions.data?.data ?? [];

  return (
    <Box component="form" noValidate onSubmit={submit} sx={{ display: 'contents' }}>
      <DialogTitle id="event-dialog-title" sx={{ pr: 7 }}>
        {editing ? `Edit ${event.title}` : 'New event'}
      </DialogTitle>
      <IconButton aria-label="Close" onClick={onClose} sx={{ position: 'absolute', right: 8, top: 8 }}>
        <CloseIcon />
      </IconButton>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2.5, pt: '8px !important' }}>
        {editing && recurring && (
          <Alert severity="info">Changes here apply to every occurrence. To move one occurrence, or this and the following, use “Change or move”.</Alert>
        )}
        <FormError error={form.error} />
        <Field label="Title" name="title" required autoFocus={!editing} autoComplete="off" inputProps={{ maxLength: 255 }} {...bind('title', 'title')} />
        <Field select label="Type" name="type" value={values.type} onChange={(e) => set('type')(e.target.value as EventType)}>
          {EVENT_TYPES.map((t) => (
            <option key={t} value={t}>
              {TYPE_LABEL[t]}
            </option>
          ))}
        </Field>

        <Box component="fieldset" sx={{ border: 0, m: 0, p: 0, minWidth: 0, display: 'flex', flexDirection: 'column', gap: 2 }}>
          <Typography component="legend" sx={{ fontWeight: 600, mb: 1 }}>
            When
          </Typography>
          {series ? (
            <Typography>
              {formatWallRange(series.start, series.end, series.all_day)} ({readableZone(series.time_zone)})
              <br />
              <Box component="span" sx={{ color: 'text.secondary' }}>{describeRrule(series.rrule)}</Box>
            </Typography>
          ) : (
            <>
              <FormControlLabel
                control={<Switch checked={values.allDay} onChange={(e) => set('allDay')(e.target.checked)} />}
                label="All day"
                sx={{ minHeight: 44, mr: 0, alignSelf: 'flex-start' }}
              />
              <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr 1fr', sm: values.allDay ? '1fr 1fr' : '2fr 1fr 1fr' } }}>
                <Field
                  label={values.allDay ? 'First day' : 'Date'}
                  name="date"
                  type="date"
                  required
                  value={values.date}
                  onChange={(e) => {
                    const date = e.target.value;
                    setValues((v) => ({
                      ...v,
                      date,
                      endDate: v.endDate < date ? date : v.endDate,
                      // A weekly repeat follows the first date's weekday until days are chosen by hand.
                      repeat: isDate(date) && v.repeat.days.length <= 1 ? { ...v.repeat, days: [weekdayOf(date)] } : v.repeat,
                    }));
                    form.clearFieldError('date');
                  }}
                  error={form.fieldError('date')}
                  sx={{ gridColumn: { xs: values.allDay ? 'auto' : '1 / -1', sm: 'auto' } }}
                />
                {values.allDay ? (
                  <Field label="Last day" name="end_date" type="date" required value={values.endDate} onChange={(e) => set('endDate')(e.target.value)} error={form.fieldError('end_date') ?? form.fieldError('end')} inputProps={{ min: values.date }} />
                ) : (
                  <>
                    <Field label="Start" name="start" type="time" required value={values.startTime} onChange={(e) => set('startTime')(e.target.value)} error={form.fieldError('start')} inputProps={{ step: 300 }} />
                    <Field
                      label="End"
                      name="end"
                      type="time"
                      required
                      value={values.endTime}
                      onChange={(e) => set('endTime')(e.target.value)}
                      error={form.fieldError('end')}
                      helperText={TIME_PATTERN.test(values.endTime) && values.endTime < values.startTime ? 'Ends the next day' : undefined}
                      inputProps={{ step: 300 }}
                    />
                  </>
                )}
              </Box>
              <TimeZoneField
                label="Time zone"
                name="time_zone"
                value={values.timeZone}
                onChange={(z) => set('timeZone')(z)}
                error={form.fieldError('time_zone')}
                helperText={elsewhere ? `That is ${elsewhere} in ${readableZone(zone)}, the zone on your screen.` : 'The times above are in this zone; everyone sees them in their own.'}
              />
            </>
          )}
        </Box>

        {!editing && (
          <Box component="fieldset" sx={{ border: 0, m: 0, p: 0, minWidth: 0, display: 'flex', flexDirection: 'column', gap: 2 }}>
            <Typography component="legend" sx={{ fontWeight: 600, mb: 1 }}>
              Repeat
            </Typography>
            <Field select label="Repeats" name="repeat" value={values.repeat.frequency} onChange={(e) => setRepeat({ frequency: e.target.value as Repeat['frequency'] })}>
              <option value="none">Does not repeat</option>
              <option value="daily">Every day</option>
              <option value="weekly">Every week</option>
            </Field>
            {values.repeat.frequency === 'weekly' && (
              <Box sx={{ display: 'flex', flexDirection: 'column', gap: 0.5 }}>
                <Typography id="repeat-days-label" sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>
                  On
                </Typography>
                <ToggleButtonGroup
                  value={values.repeat.days}
                  onChange={(_e, days: number[]) => {
                    setRepeat({ days });
                    form.clearFieldError('repeat_days');
                  }}
                  aria-labelledby="repeat-days-label"
                  color="primary"
                  sx={{
                    display: 'flex',
                    maxWidth: 420,
                    '& .MuiToggleButton-root': { flex: '1 1 0', minWidth: 0, minHeight: 44, px: 0.5, color: 'text.primary', fontSize: { xs: '0.875rem', sm: '1rem' } },
                    '& .MuiToggleButton-root.Mui-selected': { color: 'primary.dark', fontWeight: 700 },
                  }}
                >
                  {dayNames.map((name, i) => (
                    <ToggleButton key={i} value={i} aria-label={longDayNames[i]} name={i === 0 ? 'repeat_days' : undefined}>
                      {name}
                    </ToggleButton>
                  ))}
                </ToggleButtonGroup>
                {form.fieldError('repeat_days') && (
                  <Typography role="alert" sx={{ fontSize: '0.875rem', color: 'error.dark' }}>
                    {form.fieldError('repeat_days')}
                  </Typography>
                )}
              </Box>
            )}
            {values.repeat.frequency !== 'none' && (
              <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' } }}>
                <Field select label="Ends" name="repeat_end" value={values.repeat.end} onChange={(e) => setRepeat({ end: e.target.value as Repeat['end'] })}>
                  <option value="weeks">{values.repeat.frequency === 'daily' ? 'After a number of days' : 'After a number of weeks'}</option>
                  <option value="until">On a date</option>
                </Field>
                {values.repeat.end === 'weeks' ? (
                  <Field
                    label={values.repeat.frequency === 'daily' ? 'Number of days' : 'Number of weeks'}
                    name="repeat_count"
                    type="number"
                    value={values.repeat.count}
                    onChange={(e) => {
                      setRepeat({ count: e.target.value });
                      form.clearFieldError('repeat_count');
                    }}
                    error={form.fieldError('repeat_count')}
                    inputProps={{ min: 1, max: MAX_WEEKS, inputMode: 'numeric' }}
                  />
                ) : (
                  <Field
                    label="Last day"
                    name="repeat_until"
                    type="date"
                    value={values.repeat.until}
                    onChange={(e) => {
                      setRepeat({ until: e.target.value });
                      form.clearFieldError('repeat_until');
                    }}
                    error={form.fieldError('repeat_until')}
                    inputProps={{ min: values.date }}
                  />
                )}
              </Box>
            )}
            {values.repeat.frequency !== 'none' && dates.length > 0 && (
              <Typography sx={{ fontSize: '0.875rem', color: 'text.secondary' }} role="status">
                {dates.length} {dates.length === 1 ? typeWord : typeWord.endsWith('s') ? typeWord : `${typeWord}s`}: {formatDay(dates[0]!)}
                {dates.length > 1 ? ` – ${formatDay(dates.at(-1)!, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' })}` : ''}
              </Typography>
            )}
            {form.fieldError('rrule') && <Alert severity="error">{form.fieldError('rrule')}</Alert>}
          </Box>
        )}

        <Box component="fieldset" sx={{ border: 0, m: 0, p: 0, minWidth: 0, display: 'flex', flexDirection: 'column', gap: 2 }}>
          <Typography component="legend" sx={{ fontWeight: 600, mb: 1 }}>
            Where
          </Typography>
          <Field label="Place (optional)" name="location.name" autoComplete="off" inputProps={{ maxLength: 255 }} helperText="Like Rehearsal room 2 or Royal Albert Hall" {...bind('locationName', 'location.name')} />
          <Field label="Address (optional)" name="location.address" multiline minRows={1} autoComplete="street-address" helperText="Gives the map link in the event." {...bind('locationAddress', 'location.address')} />
          <Field label="Online meeting link (optional)" name="location.virtual_url" type="url" autoComplete="off" inputProps={{ spellCheck: false }} {...bind('virtualUrl', 'location.virtual_url')} />
        </Box>

        <Field select label="Production (optional)" name="production_id" value={values.productionId} onChange={(e) => set('productionId')(e.target.value)} error={form.fieldError('production_id')}>
          <option value="">None</option>
          {productionList.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </Field>

        <ParticipantsField value={values.participants} onChange={(next) => set('participants')(next)} error={form.fieldError('participants')} disabled={form.pending} />
        <AttachmentsField value={values.attachments} onChange={(next) => set('attachments')(next)} disabled={form.pending} />

        <Button
          variant="text"
          startIcon={<TuneIcon />}
          aria-expanded={more}
          aria-controls="event-more"
          onClick={() => setMore((m) => !m)}
          sx={{ alignSelf: 'flex-start' }}
        >
          {more ? 'Fewer details' : 'Notes, colour and acknowledgment'}
        </Button>
        <Collapse in={more} unmountOnExit>
          <Box id="event-more" sx={{ display: 'flex', flexDirection: 'column', gap: 2.5, pt: 0.5 }}>
            <Field label="Call-time notes (optional)" name="call_time_notes" multiline minRows={2} helperText="Who is called when: “Chorus 18:30, principals 18:45”." {...bind('callTimeNotes', 'call_time_notes')} />
            <Field label="Notes (optional)" name="notes" multiline minRows={2} {...bind('notes', 'notes')} />
            <Field label="Description (optional)" name="description" multiline minRows={2} {...bind('description', 'description')} />
            <Field
              label="Acknowledge by (optional)"
              name="acknowledgment_deadline"
              type="date"
              value={values.acknowledgeBy}
              onChange={(e) => set('acknowledgeBy')(e.target.value)}
              error={form.fieldError('acknowledgment_deadline')}
              helperText="Participants are asked to acknowledge the call by the end of this day."
            />
            <Box component="fieldset" sx={{ border: 0, m: 0, p: 0, minWidth: 0 }}>
              <Typography component="legend" sx={{ fontSize: '0.875rem', color: 'text.secondary', mb: 0.5 }}>
                Colour
              </Typography>
              <RadioGroup row value={values.colour} onChange={(e) => set('colour')(e.target.value)} name="colour" sx={{ gap: 0.5 }}>
                <FormControlLabel value="" control={<Radio />} label={`The type's (${TYPE_LABEL[values.type]})`} sx={{ mr: 2, minHeight: 44 }} />
                {COLOUR_CHOICES.map((c) => (
                  <Radio
                    key={c}
                    value={c}
                    slotProps={{ input: { 'aria-label': `Colour ${c}` } }}
                    icon={<Swatch colour={c} />}
                    checkedIcon={<Swatch colour={c} checked />}
                    sx={{ width: 44, height: 44 }}
                  />
                ))}
              </RadioGroup>
              <Box component="span" sx={visuallyHidden}>
                The default colour of a {TYPE_LABEL[values.type]} is {TYPE_COLOUR[values.type]}.
              </Box>
            </Box>
          </Box>
        </Collapse>
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2, gap: 1, flexWrap: 'wrap' }}>
        <Button onClick={onClose} disabled={form.pending}>
          Cancel
        </Button>
        <Button type="submit" variant="contained" loading={form.pending}>
          {editing ? 'Save changes' : dates.length > 1 ? `Create ${dates.length} ${typeWord.endsWith('s') ? typeWord : `${typeWord}s`}` : 'Create event'}
        </Button>
      </DialogActions>
    </Box>
  );
}

function Swatch({ colour, checked = false }: { colour: string; checked?: boolean }) {
  return (
    <Box
      component="span"
      sx={{ width: 28, height: 28, borderRadius: '50%', bgcolor: colour, display: 'block', boxShadow: checked ? (t) => `0 0 0 3px #fff, 0 0 0 5px ${t.palette.text.primary}` : undefined }}
    />
  );
}
