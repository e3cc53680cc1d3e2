import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { AppError } from '../../http/errors.js';

/**
 * Times of an event and its RFC 5545 recurrence. A rule is expanded in wall-clock time (floating
 * iCal times) and each occurrence is then placed in the event's IANA zone with luxon, so a weekly
 * Tuesday 19:00 in New York stays 19:00 there across daylight-saving changes — whatever the
 * server's own zone. Stored rules are always bounded by COUNT (see `planSeries`).
 */

export const MAX_OCCURRENCES = 500;
export const MAX_SPAN_YEARS = 2;
const FREQUENCIES = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const;
const RULE_PARTS = new Set(['FREQ', 'UNTIL', 'COUNT', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'BYYEARDAY', 'BYWEEKNO', 'BYSETPOS', 'WKST']);

export interface Occurrence {
  start: Date;
  end: Date;
}

export interface SeriesTimes {
  timeZone: string;
  allDay: boolean;
  startsAt: Date;
  endsAt: Date;
  rrule: string | null;
}

const ruleError = (message: string) => new AppError('validation_error', `The repeat rule is not valid: ${message}`, [{ field: 'body.rrule', message }]);

/** 'YYYY-MM-DDTHH:mm' (or 'YYYY-MM-DD' for all-day events) of an instant in a zone. */
export function wallClock(instant: Date, zone: string, allDay = false): string {
  const local = DateTime.fromJSDate(instant, { zone });
  return allDay ? local.toISODate()! : local.toFormat("yyyy-LL-dd'T'HH:mm");
}

/**
 * The instant of a wall-clock time in a zone ('2026-03-03T19:00'), or of a value that carries its
 * own offset ('2026-03-04T00:00:00Z'). A time that does not exist (the spring-forward hour) moves
 * forward, as calendars do.
 */
export function instantOf(value: string, zone: string): Date | null {
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) && value.includes('T');
  const parsed = hasOffset ? DateTime.fromISO(value, { setZone: true }) : DateTime.fromISO(value, { zone });
  return parsed.isValid ? parsed.toJSDate() : null;
}

/** Midnight starting a date in a zone. */
export function startOfDate(date: string, zone: string): Date | null {
  const parsed = DateTime.fromISO(date, { zone }).startOf('day');
  return parsed.isValid ? parsed.toJSDate() : null;
}

function parseRule(rrule: string, zone: string): ICAL.Recur {
  // RFC 5545 names and values are case-insensitive.
  const text = rrule.trim().replace(/^RRULE:/i, '').toUpperCase();
  for (const part of text.split(';')) {
    const [name, value] = part.split('=');
    if (!name || !RULE_PARTS.has(name)) throw ruleError(`unknown part "${part}"`);
    // ical.js quietly reads INTERVAL=0 as 1; the RFC wants a positive integer.
    if (name === 'INTERVAL' && !/^[1-9]\d*$/.test(value ?? '')) throw ruleError('INTERVAL must be a positive whole number');
  }
  let rule: ICAL.Recur;
  try {
    rule = ICAL.Recur.fromString(text);
  } catch (err) {
    throw ruleError((err as Error).message);
  }
  if (!rule.freq || !(FREQUENCIES as readonly string[]).includes(rule.freq)) throw ruleError(`FREQ must be one of ${FREQUENCIES.join(', ')}`);
  if (rule.count !== null && rule.count !== undefined && (rule.count < 1 || rule.count > MAX_OCCURRENCES)) throw ruleError(`COUNT must be 1–${MAX_OCCURRENCES}`);
  // An UNTIL in UTC becomes the same instant's wall-clock time in the event's zone, so it compares
  // with the floating times the rule is expanded in.
  if (rule.until && rule.until.zone === ICAL.Timezone.utcTimezone && !rule.until.isDate) {
    const local = DateTime.fromJSDate(rule.until.toJSDate(), { zone });
    rule.until = ICAL.Time.fromData({ year: local.year, month: local.month, day: local.day, hour: local.hour, minute: local.minute, second: local.second });
  }
  return rule;
}

function floating(instant: Date, zone: string, allDay: boolean): ICAL.Time {
  const l = DateTime.fromJSDate(instant, { zone });
  return allDay
    ? ICAL.Time.fromData({ year: l.year, month: l.month, day: l.day, isDate: true })
    : ICAL.Time.fromData({ year: l.year, month: l.month, day: l.day, hour: l.hour, minute: l.minute, second: l.second });
}

function place(t: ICAL.Time, zone: string): DateTime {
  return DateTime.fromObject({ year: t.year, month: t.month, day: t.day, hour: t.isDate ? 0 : t.hour, minute: t.isDate ? 0 : t.minute, second: t.isDate ? 0 : t.second }, { zone });
}

/** Each occurrence lasts as the first does: the same hours, or the same number of days when all-day. */
function lengthOf(times: { timeZone: string; allDay: boolean; startsAt: Date; endsAt: Date }) {
  if (!times.allDay) {
    const ms = times.endsAt.getTime() - times.startsAt.getTime();
    return (start: DateTime) => start.plus({ milliseconds: ms });
  }
  const days = Math.max(1, Math.round(DateTime.fromJSDate(times.endsAt, { zone: times.timeZone }).diff(DateTime.fromJSDate(times.startsAt, { zone: times.timeZone }), 'days').days));
  return (start: DateTime) => start.plus({ days });
}

/**
 * ical.js rolls a date that does not exist over into the next month (30 February becomes 2 March);
 * RFC 5545 ignores such dates. A generated date is real when it still matches the rule's
 * BYMONTH and BYMONTHDAY.
 */
function isRealDate(t: ICAL.Time, rule: ICAL.Recur): boolean {
  const months = rule.parts.BYMONTH as number[] | undefined;
  if (months && !months.includes(t.month)) return false;
  const monthDays = rule.parts.BYMONTHDAY as number[] | undefined;
  if (!monthDays) return true;
  const length = ICAL.Time.daysInMonth(t.month, t.year);
  return monthDays.some((d) => (d > 0 ? d : length + 1 + d) === t.day);
}

/** Raw dates ical.js may generate before a rule is given up on (e.g. 30 February every year, open-ended). */
const MAX_GENERATED = 20 * MAX_OCCURRENCES;

function iterate(rule: ICAL.Recur, times: { timeZone: string; allDay: boolean; startsAt: Date; endsAt: Date }, stopAfter: Date | null): { occurrences: Occurrence[]; more: boolean } {
  const endOf = lengthOf(times);
  // COUNT is applied here, over real dates only, as RFC 5545 counts them.
  const count = rule.count ?? null;
  const unbounded = rule.clone();
  unbounded.count = null;
  const iterator = unbounded.iterator(floating(times.startsAt, times.timeZone, times.allDay));
  const occurrences: Occurrence[] = [];
  let generated = 0;
  for (let next = iterator.next(); next; next = iterator.next()) {
    if (count !== null && occurrences.length >= count) return { occurrences, more: false };
    const start = place(next, times.timeZone);
    if (occurrences.length >= MAX_OCCURRENCES || (stopAfter && start.toJSDate() > stopAfter)) return { occurrences, more: true };
    if (++generated > MAX_GENERATED) return { occurrences, more: true };
    if (isRealDate(next, rule)) occurrences.push({ start: start.toJSDate(), end: endOf(start).toJSDate() });
  }
  return { occurrences, more: false };
}

/**
 * Checks a new or changed series and bounds it: the first occurrence becomes the event's start
 * (a rule may skip the day given), an UNTIL becomes the COUNT it amounts to, and a rule without
 * an end stops after 500 occurrences or two years (`capped`).
 */
export function planSeries(input: { timeZone: string; allDay: boolean; start: Date; end: Date; rrule: string | null }) {
  const times = { timeZone: input.timeZone, allDay: input.allDay, startsAt: input.start, endsAt: input.end };
  if (!input.rrule) {
    return { rrule: null, capped: false, startsAt: input.start, endsAt: input.end, recurrenceEndsAt: input.end, occurrences: [{ start: input.start, end: input.end }] };
  }
  const rule = parseRule(input.rrule, input.timeZone);
  const horizon = DateTime.fromJSDate(input.start, { zone: input.timeZone }).plus({ years: MAX_SPAN_YEARS }).toJSDate();
  const { occurrences, more } = iterate(rule, times, horizon);
  const first = occurrences[0];
  const last = occurrences.at(-1);
  if (!first || !last) throw ruleError('it gives no occurrence from the start date');
  return {
    rrule: withCount(input.rrule, occurrences.length),
    capped: more,
    startsAt: first.start,
    endsAt: first.end,
    recurrenceEndsAt: last.end,
    occurrences,
  };
}

const cache = new Map<string, Occurrence[]>();
const CACHE_SIZE = 2000;

/** Every occurrence of a stored series (its rule is bounded), remembered while the row is unchanged. */
export function expandSeries(series: SeriesTimes & { id?: string; updatedAt?: Date }): Occurrence[] {
  if (!series.rrule) return [{ start: series.startsAt, end: series.endsAt }];
  const key = series.id && series.updatedAt ? `${series.id}:${series.updatedAt.getTime()}:${series.startsAt.getTime()}:${series.rrule}` : null;
  const known = key ? cache.get(key) : undefined;
  if (known) return known;
  const { occurrences } = iterate(parseRule(series.rrule, series.timeZone), series, null);
  if (key) {
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(key, occurrences);
  }
  return occurrences;
}

/** The rule as written, stopping after `count` occurrences (UNTIL becomes the COUNT it amounts to). */
export function withCount(rrule: string, count: number): string {
  const parts = rrule.trim().replace(/^RRULE:/i, '').toUpperCase().split(';').filter((p) => p && !/^(COUNT|UNTIL)=/.test(p));
  return [...parts, `COUNT=${count}`].join(';');
}
