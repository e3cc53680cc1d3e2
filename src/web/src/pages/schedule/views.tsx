import { Fragment, useMemo } from 'react';
import Box from '@mui/material/Box';
import ButtonBase from '@mui/material/ButtonBase';
import Typography from '@mui/material/Typography';
import { alpha } from '@mui/material/styles';
import { visuallyHidden } from '../../components/a11y.js';
import { formatDay, formatTime, minutesOf, splitWall, weekdayNames } from './dates.js';
import { OccurrenceItem, occurrenceKey } from './OccurrenceItem.js';
import { colourOf, type Occurrence } from './types.js';

/** Occurrences by the day they start on (in the zone on screen), each day's in order. */
export function byDay(occurrences: Occurrence[]): Map<string, Occurrence[]> {
  const days = new Map<string, Occurrence[]>();
  for (const o of occurrences) {
    const day = splitWall(o.local_start).date;
    const list = days.get(day) ?? [];
    list.push(o);
    days.set(day, list);
  }
  for (const list of days.values()) list.sort((a, b) => Number(b.all_day) - Number(a.all_day) || a.local_start.localeCompare(b.local_start));
  return days;
}

function DayHeading({ day, today, level = 3 }: { day: string; today: string; level?: 2 | 3 }) {
  const isToday = day === today;
  return (
    <Typography
      component={`h${level}`}
      sx={{ fontSize: '0.9375rem', fontWeight: 700, display: 'flex', alignItems: 'center', gap: 1, color: isToday ? 'primary.dark' : 'text.primary' }}
    >
      {formatDay(day, { weekday: 'long', day: 'numeric', month: 'long' })}
      {isToday && (
        <Box component="span" sx={{ fontSize: '0.75rem', px: 0.75, borderRadius: 1, bgcolor: 'primary.dark', color: 'common.white' }}>
          Today
        </Box>
      )}
    </Typography>
  );
}

/**
 * Phones (and the day view's list): the days in order, each with its occurrences as full rows.
 * Empty days stay, one quiet line each, so the week keeps its shape.
 */
export function AgendaView({ days, occurrences, today, onOpen }: { days: string[]; occurrences: Occurrence[]; today: string; onOpen: (o: Occurrence) => void }) {
  const grouped = useMemo(() => byDay(occurrences), [occurrences]);
  return (
    <Box component="ol" aria-label="Days" sx={{ listStyle: 'none', m: 0, p: 0, display: 'flex', flexDirection: 'column', gap: 2 }}>
      {days.map((day) => {
        const list = grouped.get(day) ?? [];
        return (
          <Box component="li" key={day} data-day={day} sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
            <DayHeading day={day} today={today} />
            {list.length === 0 ? (
              <Typography sx={{ color: 'text.secondary', fontSize: '0.875rem' }}>Nothing scheduled</Typography>
            ) : (
              <Box component="ul" aria-label={formatDay(day, { weekday: 'long', day: 'numeric', month: 'long' })} sx={{ listStyle: 'none', m: 0, p: 0, display: 'flex', flexDirection: 'column', gap: 1 }}>
                {list.map((o) => (
                  <li key={occurrenceKey(o)}>
                    <OccurrenceItem occurrence={o} onOpen={onOpen} />
                  </li>
                ))}
              </Box>
            )}
          </Box>
        );
      })}
    </Box>
  );
}

const HOUR_PX = 48;

interface Placed {
  o: Occurrence;
  start: number;
  end: number;
  lane: number;
  lanes: number;
}

/** Side by side where they overlap: each occurrence gets a lane within its group of overlapping ones. */
function layDay(list: Occurrence[], day: string): Placed[] {
  const items = list
    .filter((o) => !o.all_day)
    .map((o) => {
      const s = splitWall(o.local_start);
      const e = splitWall(o.local_end);
      const start = s.date < day ? 0 : minutesOf(s.time ?? '00:00');
      const end = e.date > day ? 24 * 60 : minutesOf(e.time ?? '00:00');
      return { o, start, end: Math.max(end, start + 30), lane: 0, lanes: 1 };
    })
    .sort((a, b) => a.start - b.start || b.end - a.end);
  let group: Placed[] = [];
  let groupEnd = -1;
  const close = () => {
    const lanes = Math.max(1, ...group.map((p) => p.lane + 1));
    for (const p of group) p.lanes = lanes;
    group = [];
  };
  for (const item of items) {
    if (item.start >= groupEnd) close();
    const used = new Set(group.filter((p) => p.end > item.start).map((p) => p.lane));
    let lane = 0;
    while (used.has(lane)) lane++;
    item.lane = lane;
    group.push(item);
    groupEnd = Math.max(groupEnd, item.end);
  }
  close();
  return items;
}

/**
 * Desktop day and week: a column per day on an hour grid fitted to what is on (at least 08:00 to
 * 20:00), all-day events above it. Overlapping occurrences share their column side by side.
 */
export function TimeGridView({ days, occurrences, today, onOpen, onDay }: {
  days: string[];
  occurrences: Occurrence[];
  today: string;
  onOpen: (o: Occurrence) => void;
  onDay?: (day: string) => void;
}) {
  const grouped = useMemo(() => byDay(occurrences), [occurrences]);
  const placed = useMemo(() => new Map(days.map((d) => [d, layDay(grouped.get(d) ?? [], d)])), [days, grouped]);
  const timed = [...placed.values()].flat();
  const first = Math.min(8, ...timed.map((p) => Math.floor(p.start / 60)));
  const last = Math.max(20, ...timed.map((p) => Math.ceil(p.end / 60)));
  const hours = Array.from({ length: last - first }, (_, i) => first + i);
  const allDay = days.map((d) => (grouped.get(d) ?? []).filter((o) => o.all_day));
  const hasAllDay = allDay.some((l) => l.length > 0);
  const columns = `56px repeat(${days.length}, minmax(0, 1fr))`;

  return (
    <Box role="group" aria-label="Calendar" sx={{ border: 1, borderColor: 'divider', borderRadius: 2, overflow: 'hidden', bgcolor: 'background.paper' }}>
      <Box sx={{ display: 'grid', gridTemplateColumns: columns, borderBottom: 1, borderColor: 'divider' }}>
        <Box />
        {days.map((d) => {
          const isToday = d === today;
          const label = formatDay(d, { weekday: 'long', day: 'numeric', month: 'long' });
          const content = (
            <>
              <Box component="span" sx={{ fontSize: '0.8125rem', color: 'text.secondary' }}>{formatDay(d, { weekday: 'short' })}</Box>
              <Box
                component="span"
                sx={{ fontSize: '1.125rem', fontWeight: 700, width: 32, height: 32, display: 'grid', placeItems: 'center', borderRadius: '50%', ...(isToday ? { bgcolor: 'primary.dark', color: 'common.white' } : {}) }}
              >
                {formatDay(d, { day: 'numeric' })}
              </Box>
            </>
          );
          return (
            <Box key={d} component="h3" sx={{ m: 0, borderLeft: 1, borderColor: 'divider', fontWeight: 'inherit' }}>
              {onDay ? (
                <ButtonBase onClick={() => onDay(d)} aria-label={`${label}${isToday ? ', today' : ''}: show the day`} sx={{ width: '100%', minHeight: 56, flexDirection: 'column', py: 0.5 }}>
                  {content}
                </ButtonBase>
              ) : (
                <Box sx={{ minHeight: 56, display: 'flex', flexDirection: 'column', alignItems: 'center', py: 0.5 }}>
                  <Box component="span" sx={visuallyHidden}>{label}</Box>
                  <Box component="span" aria-hidden sx={{ display: 'contents' }}>{content}</Box>
                </Box>
              )}
            </Box>
          );
        })}
      </Box>
      {hasAllDay && (
        <Box sx={{ display: 'grid', gridTemplateColumns: columns, borderBottom: 1, borderColor: 'divider' }}>
          <Typography sx={{ fontSize: '0.75rem', color: 'text.secondary', p: 0.5, textAlign: 'right' }}>All day</Typography>
          {days.map((d, i) => (
            <Box key={d} component="ul" aria-label={`All day, ${formatDay(d, { weekday: 'long', day: 'numeric', month: 'long' })}`} sx={{ listStyle: 'none', m: 0, p: 0.5, display: 'flex', flexDirection: 'column', gap: 0.5, borderLeft: 1, borderColor: 'divider' }}>
              {allDay[i]!.map((o) => (
                <li key={occurrenceKey(o)}>
                  <OccurrenceItem occurrence={o} onOpen={onOpen} variant="chip" />
                </li>
              ))}
            </Box>
          ))}
        </Box>
      )}
      <Box sx={{ display: 'grid', gridTemplateColumns: columns, position: 'relative' }}>
        <Box aria-hidden>
          {hours.map((h) => (
            <Box key={h} sx={{ height: HOUR_PX, pr: 1, textAlign: 'right', fontSize: '0.75rem', color: 'text.secondary', transform: 'translateY(-0.6em)' }}>
              {h === first ? '' : formatTime(`${String(h).padStart(2, '0')}:00`)}
            </Box>
          ))}
        </Box>
        {days.map((d) => (
          <Box
            key={d}
            component="ul"
            data-day={d}
            aria-label={formatDay(d, { weekday: 'long', day: 'numeric', month: 'long' })}
            sx={(theme) => ({
              listStyle: 'none',
              m: 0,
              p: 0,
              position: 'relative',
              height: hours.length * HOUR_PX,
              borderLeft: 1,
              borderColor: 'divider',
              backgroundImage: `repeating-linear-gradient(to bottom, transparent 0, transparent ${HOUR_PX - 1}px, ${theme.palette.divider} ${HOUR_PX - 1}px, ${theme.palette.divider} ${HOUR_PX}px)`,
              bgcolor: d === today ? alpha(theme.palette.primary.main, 0.04) : undefined,
            })}
          >
            {(placed.get(d) ?? []).map((p) => (
              <Box
                component="li"
                key={occurrenceKey(p.o)}
                sx={{
                  position: 'absolute',
                  top: ((p.start - first * 60) / 60) * HOUR_PX + 1,
                  height: ((p.end - p.start) / 60) * HOUR_PX - 2,
                  left: `calc(${(p.lane / p.lanes) * 100}% + 2px)`,
                  width: `calc(${100 / p.lanes}% - 4px)`,
                  display: 'flex',
                }}
              >
                <OccurrenceItem occurrence={p.o} onOpen={onOpen} variant="block" sx={{ height: '100%', alignItems: 'flex-start' }} />
              </Box>
            ))}
          </Box>
        ))}
      </Box>
    </Box>
  );
}

/**
 * The month: whole weeks, Monday first. On a desktop each day lists up to three occurrences as
 * chips (the rest behind "+2 more", which opens the day); on a phone a day shows coloured dots and
 * is a button that picks the day, whose occurrences are listed below the grid.
 */
export function MonthView({ days, month, occurrences, today, compact, selected, onSelect, onOpen, onDay }: {
  days: string[];
  /** 'YYYY-MM' of the month shown (days of the weeks around it are muted). */
  month: string;
  occurrences: Occurrence[];
  today: string;
  compact: boolean;
  selected: string;
  onSelect: (day: string) => void;
  onOpen: (o: Occurrence) => void;
  onDay: (day: string) => void;
}) {
  const grouped = useMemo(() => byDay(occurrences), [occurrences]);
  const weeks: string[][] = [];
  for (let i = 0; i < days.length; i += 7) weeks.push(days.slice(i, i + 7));
  const names = weekdayNames(compact ? 'narrow' : 'short');
  const longNames = weekdayNames('long');
  const MAX = 3;

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
      <Box component="table" sx={{ width: '100%', tableLayout: 'fixed', borderCollapse: 'collapse', bgcolor: 'background.paper', '& td, & th': { border: 1, borderColor: 'divider' } }}>
        <caption style={visuallyHidden as object}>{formatDay(`${month}-01`, { month: 'long', year: 'numeric' })}</caption>
        <thead>
          <tr>
            {names.map((n, i) => (
              <Box component="th" scope="col" key={i} abbr={longNames[i]} sx={{ fontSize: '0.8125rem', fontWeight: 600, color: 'text.secondary', py: 0.75 }}>
                {n}
              </Box>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week[0]}>
              {week.map((d) => {
                const list = grouped.get(d) ?? [];
                const outside = d.slice(0, 7) !== month;
                const isToday = d === today;
                const label = `${formatDay(d, { weekday: 'long', day: 'numeric', month: 'long' })}${isToday ? ', today' : ''}, ${list.length ? `${list.length} ${list.length === 1 ? 'event' : 'events'}` : 'nothing scheduled'}`;
                const number = (
                  <Box
                    component="span"
                    aria-hidden
                    sx={{
                      fontSize: '0.875rem',
                      fontWeight: 600,
                      width: 28,
                      height: 28,
                      display: 'grid',
                      placeItems: 'center',
                      borderRadius: '50%',
                      color: outside ? 'text.secondary' : 'text.primary',
                      ...(isToday ? { bgcolor: 'primary.dark', color: 'common.white' } : {}),
                    }}
                  >
                    {formatDay(d, { day: 'numeric' })}
                  </Box>
                );
                if (compact) {
                  const on = d === selected;
                  return (
                    <Box component="td" key={d} data-day={d} sx={{ p: 0, verticalAlign: 'top', bgcolor: outside ? 'background.default' : undefined }}>
                      <ButtonBase
                        onClick={() => onSelect(d)}
                        aria-label={label}
                        aria-pressed={on}
                        sx={(theme) => ({
                          width: '100%',
                          minHeight: 56,
                          flexDirection: 'column',
                          justifyContent: 'flex-start',
                          gap: 0.5,
                          py: 0.5,
                          outline: on ? `2px solid ${theme.palette.primary.dark}` : undefined,
                          outlineOffset: -2,
                        })}
                      >
                        {number}
                        <Box component="span" aria-hidden sx={{ display: 'flex', gap: '3px', flexWrap: 'wrap', justifyContent: 'center', px: 0.25 }}>
                          {list.slice(0, 4).map((o) => (
                            <Box
                              key={occurrenceKey(o)}
                              component="span"
                              sx={{ width: 6, height: 6, borderRadius: '50%', bgcolor: o.status === 'cancelled' ? 'transparent' : colourOf(o), border: `1px solid ${colourOf(o)}` }}
                            />
                          ))}
                        </Box>
                      </ButtonBase>
                    </Box>
                  );
                }
                return (
                  <Box component="td" key={d} data-day={d} sx={{ p: 0.5, verticalAlign: 'top', height: 120, bgcolor: outside ? 'background.default' : undefined }}>
                    <ButtonBase onClick={() => onDay(d)} aria-label={`${label}: show the day`} sx={{ borderRadius: '50%', mb: 0.5 }}>
                      {number}
                    </ButtonBase>
                    {list.length > 0 && (
                      <Box component="ul" aria-label={formatDay(d, { weekday: 'long', day: 'numeric', month: 'long' })} sx={{ listStyle: 'none', m: 0, p: 0, display: 'flex', flexDirection: 'column', gap: 0.5 }}>
                        {list.slice(0, list.length > MAX ? MAX - 1 : MAX).map((o) => (
                          <li key={occurrenceKey(o)}>
                            <OccurrenceItem occurrence={o} onOpen={onOpen} variant="chip" sx={{ minHeight: 28 }} />
                          </li>
                        ))}
                        {list.length > MAX && (
                          <li>
                            <ButtonBase onClick={() => onDay(d)} sx={{ fontSize: '0.8125rem', fontWeight: 600, color: 'primary.dark', px: 0.75, minHeight: 28, borderRadius: 1 }}>
                              +{list.length - (MAX - 1)} more
                            </ButtonBase>
                          </li>
                        )}
                      </Box>
                    )}
                  </Box>
                );
              })}
            </tr>
          ))}
        </tbody>
      </Box>
      {compact && (
        <Fragment>
          <AgendaView days={[selected]} occurrences={grouped.get(selected) ?? []} today={today} onOpen={onOpen} />
        </Fragment>
      )}
    </Box>
  );
}
