import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/server/http/errors.js';
import { planSeries } from '../../src/server/modules/schedules/recurrence.js';

/**
 * `planSeries` (issue 7 item 2, docs/API-schedules.md §Time): RFC 5545 rules expanded in the
 * event's wall-clock time, placed in its IANA zone whatever the process zone, bounded (COUNT),
 * capped at 500 occurrences or two years, and refused when malformed.
 *
 * Expected instants are written out by hand from the published clock changes of 2026:
 * New York 8 March, London 29 March and 25 October, Sydney 5 April and 4 October.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const utc = (iso: string) => new Date(iso);
const starts = (plan: { occurrences: { start: Date }[] }) => plan.occurrences.map((o) => o.start.toISOString());

interface Series { timeZone: string; allDay: boolean; start: Date; end: Date; rrule: string | null }

/** Tuesday 3 March 2026, 19:00–21:00 in New York (EST, UTC−5), weekly on Tuesdays, four times. */
const newYorkTuesdays: Series = {
  timeZone: 'America/New_York', allDay: false, rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=4',
  start: utc('2026-03-04T00:00:00Z'), end: utc('2026-03-04T02:00:00Z'),
};
/** Sundays 10:00–13:00 in London across the October change (BST, UTC+1 → GMT). */
const londonAutumn: Series = {
  timeZone: 'Europe/London', allDay: false, rrule: 'FREQ=WEEKLY;COUNT=3',
  start: utc('2026-10-18T09:00:00Z'), end: utc('2026-10-18T12:00:00Z'),
};
/** Daily 09:00–10:00 in London across the March change (GMT → BST). */
const londonSpring: Series = {
  timeZone: 'Europe/London', allDay: false, rrule: 'FREQ=DAILY;COUNT=3',
  start: utc('2026-03-28T09:00:00Z'), end: utc('2026-03-28T10:00:00Z'),
};
/** Daily 19:30–22:00 in Sydney across the April change (AEDT, UTC+11 → AEST, UTC+10). */
const sydneyApril: Series = {
  timeZone: 'Australia/Sydney', allDay: false, rrule: 'FREQ=DAILY;COUNT=3',
  start: utc('2026-04-04T08:30:00Z'), end: utc('2026-04-04T11:00:00Z'),
};
/** Saturdays 20:00–23:00 in Sydney across the October change (AEST → AEDT). */
const sydneyOctober: Series = {
  timeZone: 'Australia/Sydney', allDay: false, rrule: 'FREQ=WEEKLY;BYDAY=SA;COUNT=3',
  start: utc('2026-09-26T10:00:00Z'), end: utc('2026-09-26T13:00:00Z'),
};

const EXPECTED = {
  newYorkTuesdays: ['2026-03-04T00:00:00.000Z', '2026-03-10T23:00:00.000Z', '2026-03-17T23:00:00.000Z', '2026-03-24T23:00:00.000Z'],
  londonAutumn: ['2026-10-18T09:00:00.000Z', '2026-10-25T10:00:00.000Z', '2026-11-01T10:00:00.000Z'],
  londonSpring: ['2026-03-28T09:00:00.000Z', '2026-03-29T08:00:00.000Z', '2026-03-30T08:00:00.000Z'],
  sydneyApril: ['2026-04-04T08:30:00.000Z', '2026-04-05T09:30:00.000Z', '2026-04-06T09:30:00.000Z'],
  sydneyOctober: ['2026-09-26T10:00:00.000Z', '2026-10-03T10:00:00.000Z', '2026-10-10T09:00:00.000Z'],
} satisfies Record<string, string[]>;
const SERIES: Record<keyof typeof EXPECTED, Series> = { newYorkTuesdays, londonAutumn, londonSpring, sydneyApril, sydneyOctober };

/** The local date and 24-hour time of an instant in a zone, by Intl (not by the code under test). */
function local(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(instant).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

function expectRuleError(series: Series) {
  let thrown: unknown;
  try {
    planSeries(series);
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `${series.rrule} should be refused`).toBeInstanceOf(AppError);
  expect((thrown as AppError).code, String(series.rrule)).toBe('validation_error');
}

describe('a weekly Tuesday 19:00 in New York across the March change', () => {
  it('is 00:00Z before the change and 23:00Z after, 19:00 local every time, two hours long', () => {
    const plan = planSeries(newYorkTuesdays);
    expect(starts(plan)).toEqual(EXPECTED.newYorkTuesdays);
    for (const o of plan.occurrences) {
      expect(local(o.start, 'America/New_York')).toMatch(/T19:00$/);
      expect(o.end.getTime() - o.start.getTime()).toBe(2 * HOUR);
    }
    expect(plan.occurrences.map((o) => local(o.start, 'America/New_York').slice(0, 10))).toEqual(['2026-03-03', '2026-03-10', '2026-03-17', '2026-03-24']);
    expect(plan.rrule).toBe('FREQ=WEEKLY;BYDAY=TU;COUNT=4');
    expect(plan.capped).toBe(false);
    expect(plan.startsAt.toISOString()).toBe('2026-03-04T00:00:00.000Z');
    expect(plan.endsAt.toISOString()).toBe('2026-03-04T02:00:00.000Z');
    // The series ends when its last occurrence ends: Tuesday 24 March 21:00 EDT.
    expect(plan.recurrenceEndsAt.toISOString()).toBe('2026-03-25T01:00:00.000Z');
  });

  it('starts on the first day the rule gives when the start given is not one (Monday start, BYDAY=TU)', () => {
    // Monday 2 March 19:00 EST.
    const plan = planSeries({ ...newYorkTuesdays, start: utc('2026-03-03T00:00:00Z'), end: utc('2026-03-03T02:00:00Z') });
    expect(starts(plan)).toEqual(EXPECTED.newYorkTuesdays);
    expect(plan.startsAt.toISOString()).toBe('2026-03-04T00:00:00.000Z');
    expect(plan.endsAt.toISOString()).toBe('2026-03-04T02:00:00.000Z');
    expect(plan.rrule).toBe('FREQ=WEEKLY;BYDAY=TU;COUNT=4');
  });

  it('two days a week keep 19:00 on both sides of the change', () => {
    const plan = planSeries({ ...newYorkTuesdays, rrule: 'FREQ=WEEKLY;BYDAY=TU,TH;COUNT=4' });
    expect(starts(plan)).toEqual(['2026-03-04T00:00:00.000Z', '2026-03-06T00:00:00.000Z', '2026-03-10T23:00:00.000Z', '2026-03-12T23:00:00.000Z']);
  });
});

describe('other zones and their changes', () => {
  it.each(['londonAutumn', 'londonSpring', 'sydneyApril', 'sydneyOctober'] as const)('%s keeps its wall-clock time', (name) => {
    const series = SERIES[name];
    const plan = planSeries(series);
    expect(starts(plan)).toEqual(EXPECTED[name]);
    const firstLocal = local(series.start, series.timeZone).slice(11);
    const length = series.end.getTime() - series.start.getTime();
    for (const o of plan.occurrences) {
      expect(local(o.start, series.timeZone).slice(11)).toBe(firstLocal);
      expect(o.end.getTime() - o.start.getTime()).toBe(length);
    }
  });

  it('a time that does not exist on the spring-forward day moves forward an hour (02:30 New York on 8 March is 03:30 EDT)', () => {
    const plan = planSeries({ timeZone: 'America/New_York', allDay: false, rrule: 'FREQ=WEEKLY;COUNT=3', start: utc('2026-03-01T07:30:00Z'), end: utc('2026-03-01T08:30:00Z') });
    expect(starts(plan)).toEqual(['2026-03-01T07:30:00.000Z', '2026-03-08T07:30:00.000Z', '2026-03-15T06:30:00.000Z']);
    expect(plan.occurrences.map((o) => local(o.start, 'America/New_York'))).toEqual(['2026-03-01T02:30', '2026-03-08T03:30', '2026-03-15T02:30']);
  });

  it('gives the same instants whatever zone the server process runs in', () => {
    const module = pathToFileURL(path.resolve('src/server/modules/schedules/recurrence.ts')).href;
    const script = `
      const { planSeries } = await import(${JSON.stringify(module)});
      const series = ${JSON.stringify(SERIES)};
      const out = {};
      for (const [name, s] of Object.entries(series)) {
        out[name] = planSeries({ ...s, start: new Date(s.start), end: new Date(s.end) }).occurrences.map((o) => o.start.toISOString());
      }
      out.processOffset = new Date('2026-07-15T12:00:00Z').getTimezoneOffset();
      console.log(JSON.stringify(out));`;
    // Each zone's offset in mid-July 2026 (minutes behind UTC, as getTimezoneOffset says).
    const offsets: Record<string, number> = { 'America/Los_Angeles': 420, 'Asia/Kolkata': -330, 'Pacific/Chatham': -765, 'Europe/London': -60, 'Australia/Sydney': -600 };
    for (const [TZ, offset] of Object.entries(offsets)) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        env: { ...process.env, TZ }, encoding: 'utf8', cwd: process.cwd(),
      });
      const { processOffset, ...result } = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
      expect(processOffset, `the child really ran in ${TZ}`).toBe(offset);
      expect(result, `server process in ${TZ}`).toEqual(EXPECTED);
    }
  }, 90_000);
});

describe('all-day events', () => {
  it('keep their local dates each week, each starting at local midnight and lasting one local day', () => {
    // Sunday 1 March 2026 (all day) in New York, weekly: 1, 8 (the change is at 02:00) and 15 March.
    const plan = planSeries({ timeZone: 'America/New_York', allDay: true, rrule: 'FREQ=WEEKLY;COUNT=3', start: utc('2026-03-01T05:00:00Z'), end: utc('2026-03-02T05:00:00Z') });
    expect(plan.occurrences.map((o) => local(o.start, 'America/New_York'))).toEqual(['2026-03-01T00:00', '2026-03-08T00:00', '2026-03-15T00:00']);
    expect(plan.occurrences.map((o) => local(o.end, 'America/New_York'))).toEqual(['2026-03-02T00:00', '2026-03-09T00:00', '2026-03-16T00:00']);
    // 8 March is 23 hours long there.
    expect(plan.occurrences[1]!.end.getTime() - plan.occurrences[1]!.start.getTime()).toBe(23 * HOUR);
  });

  it('a two-day all-day event in Sydney stays on its dates across the April change', () => {
    const plan = planSeries({ timeZone: 'Australia/Sydney', allDay: true, rrule: 'FREQ=WEEKLY;COUNT=2', start: utc('2026-03-31T13:00:00Z'), end: utc('2026-04-02T13:00:00Z') });
    expect(plan.occurrences.map((o) => `${local(o.start, 'Australia/Sydney')}/${local(o.end, 'Australia/Sydney')}`))
      .toEqual(['2026-04-01T00:00/2026-04-03T00:00', '2026-04-08T00:00/2026-04-10T00:00']);
  });
});

describe('bounds', () => {
  it('an unbounded daily rule is capped at 500 occurrences and stored with COUNT=500', () => {
    const start = utc('2026-05-01T00:00:00Z'); // 09:00 in Tokyo (no clock changes)
    const plan = planSeries({ timeZone: 'Asia/Tokyo', allDay: false, rrule: 'FREQ=DAILY', start, end: new Date(start.getTime() + HOUR) });
    expect(plan.capped).toBe(true);
    expect(plan.occurrences).toHaveLength(500);
    expect(plan.rrule).toBe('FREQ=DAILY;COUNT=500');
    expect(plan.occurrences.at(-1)!.start.getTime()).toBe(start.getTime() + 499 * DAY);
    expect(plan.recurrenceEndsAt.getTime()).toBe(start.getTime() + 499 * DAY + HOUR);
  });

  it('an unbounded weekly rule is capped at two years (105 Tuesdays from 3 March 2026)', () => {
    const plan = planSeries({ ...newYorkTuesdays, rrule: 'FREQ=WEEKLY;BYDAY=TU' });
    expect(plan.capped).toBe(true);
    expect(plan.occurrences).toHaveLength(105);
    expect(plan.rrule).toBe('FREQ=WEEKLY;BYDAY=TU;COUNT=105');
    const last = plan.occurrences.at(-1)!;
    // Tuesday 29 February 2028, 19:00 EST; the next Tuesday (7 March 2028) would be past two years.
    expect(last.start.toISOString()).toBe('2028-03-01T00:00:00.000Z');
    expect(plan.recurrenceEndsAt).toEqual(last.end);
    expect(starts(plan).slice(0, 4)).toEqual(EXPECTED.newYorkTuesdays);
  });

  it('a COUNT or UNTIL reaching past two years is capped there too', () => {
    for (const rrule of ['FREQ=WEEKLY;BYDAY=TU;COUNT=200', 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20300101T000000Z']) {
      const plan = planSeries({ ...newYorkTuesdays, rrule });
      expect(plan.capped, rrule).toBe(true);
      expect(plan.occurrences, rrule).toHaveLength(105);
      expect(plan.rrule, rrule).toBe('FREQ=WEEKLY;BYDAY=TU;COUNT=105');
    }
  });

  it('a rule with its own end inside the bounds is not capped', () => {
    const plan = planSeries({ ...newYorkTuesdays, rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=10' });
    expect(plan.capped).toBe(false);
    expect(plan.occurrences).toHaveLength(10);
  });

  it('UNTIL is honoured to the second (UTC) and stored as the COUNT it amounts to', () => {
    // The fourth Tuesday starts at 2026-03-24T23:00:00Z.
    const inclusive = planSeries({ ...newYorkTuesdays, rrule: 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20260324T230000Z' });
    expect(starts(inclusive)).toEqual(EXPECTED.newYorkTuesdays);
    expect(inclusive.rrule).toBe('FREQ=WEEKLY;BYDAY=TU;COUNT=4');
    expect(inclusive.capped).toBe(false);
    const before = planSeries({ ...newYorkTuesdays, rrule: 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20260324T225959Z' });
    expect(starts(before)).toEqual(EXPECTED.newYorkTuesdays.slice(0, 3));
    expect(before.rrule).toBe('FREQ=WEEKLY;BYDAY=TU;COUNT=3');
    expect(before.recurrenceEndsAt.toISOString()).toBe('2026-03-18T01:00:00.000Z');
    expect(before.rrule).not.toMatch(/UNTIL/);
  });

  it('skips dates a month does not have (RFC 5545 §3.3.10): monthly on the 31st', () => {
    const plan = planSeries({ timeZone: 'UTC', allDay: false, rrule: 'FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3', start: utc('2026-01-31T10:00:00Z'), end: utc('2026-01-31T11:00:00Z') });
    expect(starts(plan)).toEqual(['2026-01-31T10:00:00.000Z', '2026-03-31T10:00:00.000Z', '2026-05-31T10:00:00.000Z']);
  });

  it('a one-off event (no rule) is its own single occurrence', () => {
    const plan = planSeries({ ...newYorkTuesdays, rrule: null });
    expect(plan).toMatchObject({ rrule: null, capped: false });
    expect(starts(plan)).toEqual(['2026-03-04T00:00:00.000Z']);
    expect(plan.recurrenceEndsAt.toISOString()).toBe('2026-03-04T02:00:00.000Z');
  });
});

describe('rules that are refused with validation_error', () => {
  it.each([
    ['NONSENSE'],
    ['FREQ=SECONDLY'],
    ['FREQ=MINUTELY;COUNT=5'],
    ['FREQ=HOURLY;COUNT=5'],
    ['FREQ=WEEKLY;BYDAY=XX'],
    ['FREQ=WEEKLY;COUNT=0'],
    ['FREQ=WEEKLY;COUNT=abc'],
    ['FREQ=WEEKLY;UNTIL=notadate'],
    ['FREQ=WEEKLY;COUNT=2;FOO=BAR'],
    ['BYDAY=TU;COUNT=2'],
    // RFC 5545: INTERVAL is a positive integer.
    ['FREQ=WEEKLY;INTERVAL=0;COUNT=3'],
  ])('%s', (rrule) => {
    expectRuleError({ ...newYorkTuesdays, rrule });
  });

  it('a rule that gives no occurrence: UNTIL before the start', () => {
    expectRuleError({ ...newYorkTuesdays, rrule: 'FREQ=DAILY;UNTIL=20200101T000000Z' });
  });

  it('a rule that gives no occurrence: 30 February every year (RFC 5545: invalid dates are ignored, not moved)', () => {
    expectRuleError({ timeZone: 'UTC', allDay: false, rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', start: utc('2026-01-30T10:00:00Z'), end: utc('2026-01-30T11:00:00Z') });
  });
});
