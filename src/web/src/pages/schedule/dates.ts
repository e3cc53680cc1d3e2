/**
 * Calendar arithmetic on wall-clock strings. The API answers each occurrence's `local_start` and
 * `local_end` in the zone the screen asked for, so the calendar only ever moves whole days on
 * 'YYYY-MM-DD' strings (through UTC dates, where no daylight-saving change can shift them) and
 * formats them in UTC. Converting between zones is needed only for the detail sheet (the event's
 * own zone) and for the forms' previews.
 */

export type View = 'day' | 'week' | 'month';
export const VIEWS: readonly View[] = ['day', 'week', 'month'];

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
export const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

const utc = (date: string) => new Date(`${date.slice(0, 10)}T00:00:00Z`);
const iso = (d: Date) => d.toISOString().slice(0, 10);

export function isDate(value: string | null | undefined): value is string {
  return Boolean(value && DATE_PATTERN.test(value) && !Number.isNaN(utc(value).getTime()) && iso(utc(value)) === value);
}

export function addDays(date: string, days: number): string {
  const d = utc(date);
  d.setUTCDate(d.getUTCDate() + days);
  return iso(d);
}

/** The same day of another month, or that month's last day (31 Jan + 1 month = 28 Feb). */
export function addMonths(date: string, months: number): string {
  const d = utc(date);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return iso(d);
}

/** Monday 0 … Sunday 6. */
export const weekdayOf = (date: string) => (utc(date).getUTCDay() + 6) % 7;
export const startOfWeek = (date: string) => addDays(date, -weekdayOf(date));
export const startOfMonth = (date: string) => `${date.slice(0, 7)}-01`;
export const endOfMonth = (date: string) => addDays(addMonths(startOfMonth(date), 1), -1);

/** Whole days from `a` to `b` (negative when b is earlier). */
export const daysBetween = (a: string, b: string) => Math.round((utc(b).getTime() - utc(a).getTime()) / 86_400_000);

export function daysFrom(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The days a view shows around `date`: one day, Monday to Sunday, or whole weeks covering the month. */
export function rangeOf(view: View, date: string): { from: string; to: string; days: string[] } {
  if (view === 'day') return { from: date, to: date, days: [date] };
  if (view === 'week') {
    const from = startOfWeek(date);
    const to = addDays(from, 6);
    return { from, to, days: daysFrom(from, to) };
  }
  const from = startOfWeek(startOfMonth(date));
  const to = addDays(startOfWeek(endOfMonth(date)), 6);
  return { from, to, days: daysFrom(from, to) };
}

/** Where "previous" and "next" go. */
export function step(view: View, date: string, direction: 1 | -1): string {
  if (view === 'day') return addDays(date, direction);
  if (view === 'week') return addDays(date, 7 * direction);
  return addMonths(date, direction);
}

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function fmt(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify(options);
  let f = fmtCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, options);
    fmtCache.set(key, f);
  }
  return f;
}

/** A calendar day in the reader's words: formatDay('2027-01-05', { weekday: 'long', ... }). */
export function formatDay(date: string, options: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short' }): string {
  return fmt({ ...options, timeZone: 'UTC' }).format(utc(date));
}

let clock: Intl.DateTimeFormat | null = null;
/** The reader's clock: 24-hour clocks with two-digit hours (00:30, not 0:30), 12-hour ones without (7:00 PM). */
function clockFormat(): Intl.DateTimeFormat {
  if (!clock) {
    const cycle = fmt({ hour: 'numeric', timeZone: 'UTC' }).resolvedOptions().hourCycle;
    clock = fmt({ hour: cycle === 'h23' || cycle === 'h24' ? '2-digit' : 'numeric', minute: '2-digit', timeZone: 'UTC' });
  }
  return clock;
}

/** 'HH:mm' in the reader's clock (19:00 or 7:00 PM). */
export function formatTime(time: string): string {
  if (!TIME_PATTERN.test(time)) return time;
  return clockFormat().format(new Date(`1970-01-01T${time}:00Z`));
}

/** The heading of a view: "Tuesday 5 January 2027", "4 – 10 Jan 2027", "January 2027". */
export function rangeTitle(view: View, date: string): string {
  if (view === 'day') return formatDay(date, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  if (view === 'month') return formatDay(date, { month: 'long', year: 'numeric' });
  const { from, to } = rangeOf('week', date);
  return fmt({ day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).formatRange(utc(from), utc(to));
}

/** Names of the weekdays, Monday first, short ("Mon") or narrow ("M"). */
export function weekdayNames(width: 'short' | 'long' | 'narrow' = 'short'): string[] {
  // 2024-01-01 was a Monday.
  return daysFrom('2024-01-01', '2024-01-07').map((d) => formatDay(d, { weekday: width }));
}

/** The date and time parts of a wall-clock value 'YYYY-MM-DDTHH:mm' (or a bare date). */
export function splitWall(wall: string): { date: string; time: string | null } {
  return { date: wall.slice(0, 10), time: wall.length >= 16 ? wall.slice(11, 16) : null };
}

/** Minutes after midnight of 'HH:mm'. */
export const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

// ---- Zones -------------------------------------------------------------------------------

/** Today in a zone ('YYYY-MM-DD'). */
export function todayIn(zone: string, now = new Date()): string {
  return wallIn(now, zone).slice(0, 10);
}

/** The wall-clock time 'YYYY-MM-DDTHH:mm' of an instant in a zone. */
export function wallIn(instant: Date | string, zone: string): string {
  const at = typeof instant === 'string' ? new Date(instant) : instant;
  try {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
        .formatToParts(at)
        .map((p) => [p.type, p.value]),
    );
    return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
  } catch {
    return at.toISOString().slice(0, 16);
  }
}

/** Offset of a zone at an instant, in minutes east of UTC. */
function offsetMinutes(zone: string, at: Date): number {
  const wall = wallIn(at, zone);
  const asUtc = new Date(`${wall}:00Z`).getTime();
  return Math.round((asUtc - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

/**
 * The instant of a wall-clock time in a zone (two passes, so a time just after a change lands
 * right; a time skipped by a spring-forward change comes out an hour later, as calendars do).
 */
export function instantOf(wall: string, zone: string): Date {
  const guess = new Date(`${wall.length === 10 ? `${wall}T00:00` : wall.slice(0, 16)}:00Z`);
  const first = new Date(guess.getTime() - offsetMinutes(zone, guess) * 60_000);
  return new Date(guess.getTime() - offsetMinutes(zone, first) * 60_000);
}

/** "EST", "GMT", "GMT+1": the zone's short name at an instant. */
export function zoneName(zone: string, at: Date | string = new Date()): string {
  try {
    return (
      new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' })
        .formatToParts(typeof at === 'string' ? new Date(at) : at)
        .find((p) => p.type === 'timeZoneName')?.value ?? zone
    );
  } catch {
    return zone;
  }
}

export const readableZone = (zone: string) => zone.replace(/_/g, ' ');

/** A zone the browser knows (Intl throws RangeError for an unknown one). */
export function isKnownZone(zone: string | null | undefined): zone is string {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * "Tue 5 Jan, 19:00 – 21:00" from wall times; the end's date is added when it is another day,
 * and all-day events read "Tue 5 Jan" or "Tue 5 Jan – Thu 7 Jan".
 */
export function formatWallRange(start: string, end: string, allDay = false): string {
  const s = splitWall(start);
  const e = splitWall(end);
  if (allDay) return s.date === e.date || !e.date ? `${formatDay(s.date)}, all day` : `${formatDay(s.date)} – ${formatDay(e.date)}, all day`;
  const startText = `${formatDay(s.date)}, ${formatTime(s.time ?? '00:00')}`;
  const endText = e.date === s.date ? formatTime(e.time ?? '00:00') : `${formatDay(e.date)}, ${formatTime(e.time ?? '00:00')}`;
  return `${startText} – ${endText}`;
}

// ---- Repeats -----------------------------------------------------------------------------

export const RRULE_DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

export type RepeatFrequency = 'none' | 'daily' | 'weekly';
export type RepeatEnd = 'weeks' | 'until';

export interface Repeat {
  frequency: RepeatFrequency;
  /** Weekdays (Monday 0) of a weekly repeat. */
  days: number[];
  end: RepeatEnd;
  /** For 'weeks': how many weeks (daily repeats: how many days). */
  count: string;
  /** For 'until': the last day ('YYYY-MM-DD'). */
  until: string;
}

/** The dates a repeat gives from `start` (at most `limit`). */
export function repeatDates(start: string, repeat: Repeat, limit = 500): string[] {
  if (repeat.frequency === 'none') return [start];
  const n = Number(repeat.count);
  const last = repeat.end === 'until' ? repeat.until : repeat.frequency === 'daily' ? addDays(start, n - 1) : addDays(start, 7 * n - 1);
  if (!isDate(last) || last < start) return [];
  const out: string[] = [];
  for (let d = start; d <= last && out.length < limit; d = addDays(d, 1)) {
    if (repeat.frequency === 'daily' || repeat.days.includes(weekdayOf(d))) out.push(d);
  }
  return out;
}

/**
 * The RFC 5545 rule of a repeat, with an exact COUNT (the number of dates it gives from the first
 * day), so the server's expansion and this form agree whatever library reads an UNTIL:
 * "weekly on Tuesday for 4 weeks" from a Tuesday is FREQ=WEEKLY;BYDAY=TU;COUNT=4.
 */
export function buildRrule(start: string, repeat: Repeat): string | null {
  if (repeat.frequency === 'none') return null;
  const count = repeatDates(start, repeat).length;
  if (repeat.frequency === 'daily') return `FREQ=DAILY;COUNT=${count}`;
  const days = [...new Set(repeat.days)].sort((a, b) => a - b).map((d) => RRULE_DAYS[d]).join(',');
  return `FREQ=WEEKLY;BYDAY=${days};COUNT=${count}`;
}

/** "Repeats weekly on Tuesday, 8 times" for a rule as the API stores it (any rule is read as well as it can be). */
export function describeRrule(rrule: string | null): string | null {
  if (!rrule) return null;
  const parts = Object.fromEntries(
    rrule.replace(/^RRULE:/i, '').split(';').map((p) => p.split('=') as [string, string]).map(([k, v]) => [k.toUpperCase(), v ?? '']),
  );
  const freq = { DAILY: 'daily', WEEKLY: 'weekly', MONTHLY: 'monthly', YEARLY: 'yearly' }[parts.FREQ as string] ?? 'regularly';
  const interval = Number(parts.INTERVAL ?? 1);
  const every = interval > 1 ? `every ${interval} ${({ daily: 'days', weekly: 'weeks', monthly: 'months', yearly: 'years' } as Record<string, string>)[freq] ?? 'times'}` : freq;
  const names = weekdayNames('long');
  const days = (parts.BYDAY ?? '')
    .split(',')
    .map((d: string) => RRULE_DAYS.indexOf(d.slice(-2) as (typeof RRULE_DAYS)[number]))
    .filter((i: number) => i >= 0)
    .map((i: number) => names[i]);
  const on = days.length ? ` on ${days.join(', ')}` : '';
  const until = /^(\d{4})(\d{2})(\d{2})/.exec(parts.UNTIL ?? '');
  const end = parts.COUNT ? `, ${parts.COUNT} times` : until ? `, until ${formatDay(`${until[1]}-${until[2]}-${until[3]}`, { day: 'numeric', month: 'short', year: 'numeric' })}` : '';
  return `Repeats ${every}${on}${end}`;
}
