import { useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Collapse from '@mui/material/Collapse';
import IconButton from '@mui/material/IconButton';
import LinearProgress from '@mui/material/LinearProgress';
import Skeleton from '@mui/material/Skeleton';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { useTheme } from '@mui/material/styles';
import { useHasRole } from '../auth/guards.js';
import { ErrorWithRetry } from '../components/ErrorWithRetry.js';
import { Field } from '../components/forms.js';
import { AddIcon, ScheduleIcon, SyncIcon, TuneIcon } from '../components/icons.js';
import { EmptyState } from '../components/ListStates.js';
import { useNotice } from '../components/Notice.js';
import { Page } from '../components/Page.js';
import { FilterChips } from '../components/FilterChips.js';
import { deviceTimeZone } from './profile/fields.js';
import { CancelEventDialog, MoveDialog } from './schedule/ChangeDialogs.js';
import { ConflictList } from './schedule/ConflictList.js';
import { useConflicts, useLiveSchedule, useOccurrences, useProductions } from './schedule/data.js';
import { isDate, isKnownZone, rangeOf, rangeTitle, step, todayIn, VIEWS, type View } from './schedule/dates.js';
import { EventDialog } from './schedule/EventDialog.js';
import { EventSheet } from './schedule/EventSheet.js';
import { FeedDialog } from './schedule/FeedDialog.js';
import { ChevronLeftIcon, ChevronRightIcon, WarningAmberIcon } from './schedule/icons.js';
import {
  EVENT_TYPES, SCHEDULE_OFFICE_ROLES, SCHEDULE_WRITE_ROLES, TYPE_COLOUR, TYPE_LABEL, type EventType, type Occurrence, type ScheduleEvent,
} from './schedule/types.js';
import { AgendaView, MonthView, TimeGridView } from './schedule/views.js';
import { ZonePicker } from './schedule/ZonePicker.js';

const ZONE_KEY = 'big-live-portal:schedule-time-zone';
const VIEW_LABEL: Record<View, string> = { day: 'Day', week: 'Week', month: 'Month' };

function rememberedZone(): string | null {
  try {
    const z = localStorage.getItem(ZONE_KEY);
    return isKnownZone(z) ? z : null;
  } catch {
    return null;
  }
}

const sameInstant = (a: string, b: string) => a === b || new Date(a).getTime() === new Date(b).getTime();

/** Type filter as toggle chips, each with its calendar colour: none chosen is every type. */
function TypeChips({ value, onChange }: { value: EventType[]; onChange: (next: EventType[]) => void }) {
  return (
    <FilterChips
      label="Types"
      allLabel="All types"
      options={EVENT_TYPES}
      labels={TYPE_LABEL}
      value={value}
      onChange={onChange}
      marker={(t) => <Box component="span" aria-hidden sx={{ width: 10, height: 10, borderRadius: '50%', bgcolor: TYPE_COLOUR[t], ml: '10px !important' }} />}
    />
  );
}

function CalendarSkeleton({ view }: { view: View }) {
  return (
    <Box role="progressbar" aria-label="Loading the calendar" aria-busy="true" sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
      {view === 'month' ? <Skeleton variant="rounded" height={420} /> : [0, 1, 2].map((i) => <Skeleton key={i} variant="rounded" height={72} />)}
    </Box>
  );
}

export default function SchedulePage() {
  useLiveSchedule();
  const theme = useTheme();
  const wide = useMediaQuery(theme.breakpoints.up('md'));
  const phone = useMediaQuery(theme.breakpoints.down('sm'));
  const canWrite = useHasRole(SCHEDULE_WRITE_ROLES);
  const isOffice = useHasRole(SCHEDULE_OFFICE_ROLES);
  const [params, setParams] = useSearchParams();
  const [notice, showNotice] = useNotice();

  // Where the calendar is: view, day and zone live in the address, so a link or reload keeps them.
  const zoneParam = params.get('tz');
  const zone = isKnownZone(zoneParam) ? zoneParam : (rememberedZone() ?? deviceTimeZone() ?? 'UTC');
  const today = todayIn(zone);
  const viewParam = params.get('view') as View | null;
  const view: View = viewParam && VIEWS.includes(viewParam) ? viewParam : 'week';
  const dateParam = params.get('date');
  const date = isDate(dateParam) ? dateParam : today;
  const range = rangeOf(view, date);

  const update = useCallback(
    (changes: Record<string, string | null>) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [k, v] of Object.entries(changes)) {
            if (v === null) next.delete(k);
            else next.set(k, v);
          }
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );
  const setZone = (z: string) => {
    try {
      localStorage.setItem(ZONE_KEY, z);
    } catch {
      // Private windows: the address still carries it.
    }
    update({ tz: z });
  };

  const [types, setTypes] = useState<EventType[]>([]);
  const [productionId, setProductionId] = useState('');
  const [filtersOpen, setFiltersOpen] = useState(false);
  const productions = useProductions(isOffice && filtersOpen);
  const list = useOccurrences({ from: range.from, to: range.to, tz: zone, types, productionId });
  const rows = useMemo(() => list.data?.data ?? [], [list.data]);
  const eventZones = useMemo(() => [...new Set(rows.map((o) => o.event_time_zone))], [rows]);
  const conflicts = useConflicts(range.from, range.to, isOffice);
  const [showConflicts, setShowConflicts] = useState(false);

  // The sheet: which occurrence is open lives in the address too (a notification can link to it).
  const sheetEventId = params.get('event');
  const sheetOccurrence = params.get('occurrence');
  const openOccurrence = sheetEventId
    ? (rows.find((o) => o.event_id === sheetEventId && (!sheetOccurrence || sameInstant(o.occurrence, sheetOccurrence))) ?? null)
    : null;
  const open = (o: Occurrence) => update({ event: o.event_id, occurrence: o.occurrence });
  const closeSheet = () => update({ event: null, occurrence: null });

  const [selectedDay, setSelectedDay] = useState<string | null>(null);
  const monthDay = selectedDay && range.days.includes(selectedDay) && selectedDay.slice(0, 7) === date.slice(0, 7) ? selectedDay : date;

  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<ScheduleEvent | null>(null);
  const [moving, setMoving] = useState<{ event: ScheduleEvent; occurrence: Occurrence | null } | null>(null);
  const [cancelling, setCancelling] = useState<{ event: ScheduleEvent; occurrence: Occurrence | null } | null>(null);
  const [feedOpen, setFeedOpen] = useState(false);

  const goDay = (d: string) => update({ view: 'day', date: d });
  const unit = view === 'day' ? 'day' : view === 'week' ? 'week' : 'month';
  const filtered = types.length > 0 || Boolean(productionId);
  const found = conflicts.data?.data ?? [];

  const calendar = (() => {
    if (list.isPending) return <CalendarSkeleton view={view} />;
    if (list.isError && !list.data) {
      return <ErrorWithRetry message={`The calendar could not be loaded. ${navigator.onLine ? list.error.message : 'You are offline.'}`} onRetry={() => void list.refetch()} />;
    }
    if (view === 'month') {
      return (
        <MonthView
          days={range.days}
          month={date.slice(0, 7)}
          occurrences={rows}
          today={today}
          compact={!wide}
          selected={monthDay}
          onSelect={setSelectedDay}
          onOpen={open}
          onDay={goDay}
        />
      );
    }
    if (rows.length === 0) {
      return (
        <EmptyState
          icon={<ScheduleIcon />}
          title={filtered ? 'Nothing matches' : `Nothing scheduled this ${unit}`}
          action={
            canWrite && !filtered ? (
              <Button variant="contained" startIcon={<AddIcon />} onClick={() => setCreating(true)}>
                New event
              </Button>
            ) : undefined
          }
        >
          {filtered
            ? 'Try other types, or show every type and production.'
            : canWrite
              ? 'Add a rehearsal, performance or call, or look at another week.'
              : 'Calls you are invited to appear here, with changes as they happen.'}
        </EmptyState>
      );
    }
    if (wide) return <TimeGridView days={range.days} occurrences={rows} today={today} onOpen={open} onDay={view === 'week' ? goDay : undefined} />;
    return <AgendaView days={range.days} occurrences={rows} today={today} onOpen={open} />;
  })();

  return (
    <Page
      title="Schedule"
      description="Rehearsals, performances and calls in your calendar, in the time zone you choose. Changes appear as they happen."
      action={
        canWrite ? (
          <Button variant="contained" size="large" startIcon={<AddIcon />} onClick={() => setCreating(true)}>
            New event
          </Button>
        ) : undefined
      }
    >
      <Card component="section" aria-label="Calendar">
        <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2, p: { xs: 2, sm: 3 } }}>
          <Box sx={{ display: 'flex', gap: 1.5, alignItems: 'center', flexWrap: 'wrap', justifyContent: 'space-between' }}>
            <Box role="group" aria-label="Dates" sx={{ display: 'flex', alignItems: 'center', gap: 0.5 }}>
              <Tooltip title={`Previous ${unit}`}>
                <IconButton aria-label={`Previous ${unit}`} onClick={() => update({ date: step(view, date, -1) })}>
                  <ChevronLeftIcon />
                </IconButton>
              </Tooltip>
              <Button variant="outlined" onClick={() => update({ date: today })} disabled={range.days.includes(today) && (view !== 'month' || date.slice(0, 7) === today.slice(0, 7))}>
                Today
              </Button>
              <Tooltip title={`Next ${unit}`}>
                <IconButton aria-label={`Next ${unit}`} onClick={() => update({ date: step(view, date, 1) })}>
                  <ChevronRightIcon />
                </IconButton>
              </Tooltip>
            </Box>
            <ToggleButtonGroup
              exclusive
              size="small"
              color="primary"
              value={view}
              onChange={(_e, v: View | null) => v && update({ view: v })}
              aria-label="View"
              sx={{ '& .MuiToggleButton-root': { minHeight: 44, px: { xs: 1.5, sm: 2 }, color: 'text.primary' }, '& .MuiToggleButton-root.Mui-selected': { color: 'primary.dark', fontWeight: 700 } }}
            >
              {VIEWS.map((v) => (
                <ToggleButton key={v} value={v}>
                  {VIEW_LABEL[v]}
                </ToggleButton>
              ))}
            </ToggleButtonGroup>
          </Box>

          <Box sx={{ display: 'flex', gap: 2, alignItems: { sm: 'center' }, justifyContent: 'space-between', flexDirection: { xs: 'column', sm: 'row' } }}>
            <Typography variant="h2" aria-live="polite" sx={{ fontSize: { xs: '1.25rem', sm: '1.5rem' } }} data-testid="range-title">
              {rangeTitle(view, date)}
            </Typography>
            <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
              <Box sx={{ flex: { xs: '1 1 100%', sm: '0 1 auto' } }}>
                <ZonePicker value={zone} onChange={setZone} eventZones={eventZones} />
              </Box>
              <Button
                startIcon={<TuneIcon />}
                aria-expanded={filtersOpen}
                aria-controls="schedule-filters"
                onClick={() => setFiltersOpen((f) => !f)}
              >
                {filtered ? 'Filters on' : 'Filter'}
              </Button>
              <Button startIcon={<SyncIcon />} onClick={() => setFeedOpen(true)}>
                {phone ? 'Subscribe' : 'Subscribe to calendar'}
              </Button>
            </Box>
          </Box>

          <Collapse in={filtersOpen} unmountOnExit>
            <Box id="schedule-filters" sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
              <TypeChips value={types} onChange={setTypes} />
              {isOffice && (
                <Field select label="Production" name="production_filter" value={productionId} onChange={(e) => setProductionId(e.target.value)} sx={{ maxWidth: { sm: 360 } }}>
                  <option value="">All productions</option>
                  {(productions.data?.data ?? []).map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </Field>
              )}
            </Box>
          </Collapse>

          {found.length > 0 && (
            <Alert
              severity="warning"
              icon={<WarningAmberIcon />}
              action={
                <Button color="inherit" onClick={() => setShowConflicts((s) => !s)} aria-expanded={showConflicts}>
                  {showConflicts ? 'Hide' : 'Show'}
                </Button>
              }
            >
              {found.length === 1 ? 'One possible conflict' : `${found.length} possible conflicts`} this {unit}.
              {showConflicts && <ConflictList conflicts={found} />}
            </Alert>
          )}
          {list.data?.truncated && <Alert severity="info">Only the first occurrences are shown: pick a shorter view or filter by type.</Alert>}
          {list.isError && list.data && <Alert severity="error">The calendar could not be brought up to date. {list.error.message}</Alert>}

          <Box sx={{ position: 'relative' }}>
            {list.isFetching && !list.isPending && <LinearProgress aria-label="Updating the calendar" sx={{ position: 'absolute', top: -10, left: 0, right: 0, height: 3 }} />}
            {calendar}
          </Box>
          <Typography role="status" sx={{ fontSize: '0.875rem', color: 'text.secondary' }}>
            {list.data ? `${rows.length} ${rows.length === 1 ? 'event' : 'events'} · times in ${zone.replace(/_/g, ' ')}` : ''}
          </Typography>
        </CardContent>
      </Card>

      <EventSheet
        target={sheetEventId ? { eventId: sheetEventId, occurrence: openOccurrence } : null}
        zone={zone}
        onClose={closeSheet}
        onEdit={setEditing}
        onMove={(event, occurrence) => setMoving({ event, occurrence })}
        onCancel={(event, occurrence) => setCancelling({ event, occurrence })}
      />
      <EventDialog
        open={creating || editing !== null}
        event={editing}
        initialDate={date < today ? today : date}
        zone={zone}
        onClose={() => {
          setCreating(false);
          setEditing(null);
        }}
        onSaved={(saved, created) => {
          setCreating(false);
          setEditing(null);
          showNotice({ text: created ? `${saved.title} created` : 'Changes saved' });
          // Show where a new event is (its first day, in the zone on screen).
          if (created && saved.starts_at) update({ date: todayIn(zone, new Date(saved.starts_at)) });
        }}
      />
      <MoveDialog
        target={moving}
        zone={zone}
        onClose={() => setMoving(null)}
        onSaved={(text) => {
          setMoving(null);
          // Back to the calendar, where the change shows (and the notice is heard: an open sheet would hide it).
          closeSheet();
          showNotice({ text });
        }}
      />
      <CancelEventDialog
        target={cancelling}
        onClose={() => setCancelling(null)}
        onSaved={(text) => {
          setCancelling(null);
          // Back to the calendar, where the change shows (and the notice is heard: an open sheet would hide it).
          closeSheet();
          showNotice({ text });
        }}
      />
      <FeedDialog open={feedOpen} onClose={() => setFeedOpen(false)} />
      {notice}
    </Page>
  );
}
