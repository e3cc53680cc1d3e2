import ICAL from 'ical.js';
import ical, { type VEvent } from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import type { CalendarFeed, OccurrenceList } from '../../src/web/src/pages/schedule/types.js';
import { addUser, createOrganization, startTestApp, type TestApp, type TestOrganization, type TestUser } from '../helpers/app.js';
import { expectProblem, type Answer } from './support.js';

/**
 * iCalendar (issue 7 item 7): GET /events/export and the secret subscription feed. Each file is
 * read back by two independent parsers — ical.js (VTIMEZONEs registered, RECURRENCE-ID overrides
 * related to their series, EXDATEs honoured by its expansion) and node-ical (its RRULE expanded
 * by hand with EXDATE and RECURRENCE-ID, and by its own expandRecurringEvent) — and every
 * occurrence must be one the API's own GET /events lists, and none missing.
 */

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

// ---------------------------------------------------------------------------------------------
// Dates: next year's US spring-forward (second Sunday of March) and EU one (last Sunday of March)

const Y = new Date().getUTCFullYear() + 1;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dateOf = (month: number, day: number) => isoDate(Date.UTC(Y, month - 1, day));
const nextDay = (date: string) => isoDate(Date.parse(`${date}T00:00:00Z`) + DAY);
const plus = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * HOUR).toISOString();
const usChange = 1 + ((7 - new Date(Date.UTC(Y, 2, 1)).getUTCDay()) % 7) + 7;
const euChange = 31 - new Date(Date.UTC(Y, 2, 31)).getUTCDay();
/** Six Tuesdays in New York, two before the US change and four after. */
type Six = [string, string, string, string, string, string];
const TUE = [-12, -5, 2, 9, 16, 23].map((n) => dateOf(3, usChange + n)) as Six;
const AT_19 = TUE.map((d, i) => (i < 2 ? `${nextDay(d)}T00:00:00.000Z` : `${d}T23:00:00.000Z`)) as Six;
const FROM = `${Y}-02-01T00:00:00Z`;
const TO = `${Y}-05-01T00:00:00Z`;

// ---------------------------------------------------------------------------------------------
// One instance: UTC instants for timed events; dates for all-day ones (iCal dates float)

interface Instance { start: string; end: string; title: string }
const key = (i: Instance) => `${i.start} → ${i.end} ${i.title}`;
const keys = (list: Instance[]) => list.map(key).sort();
const within = (list: Instance[], from: string, to: string) =>
  list.filter((i) => (i.start.length === 10 ? `${i.start}T00:00:00Z` : i.start) < to && (i.end.length === 10 ? `${i.end}T00:00:00Z` : i.end) > from);

async function apiInstances(headers: { authorization: string }, from: string, to: string): Promise<Instance[]> {
  const res = await t.app.inject({ url: `/api/v1/events?from=${from}&to=${to}&tz=UTC`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as OccurrenceList).data.map((o) => (o.all_day
    ? { start: o.local_start, end: nextDay(o.local_end), title: o.title }
    : { start: o.starts_at, end: o.ends_at, title: o.title }));
}

const fromIcalTime = (time: ICAL.Time) => (time.isDate ? time.toString().slice(0, 10) : time.toJSDate().toISOString());

/** ical.js: zones from the file, overrides related to their series, the series' own expansion (EXDATE honoured). */
function readWithIcalJs(text: string, until: string): Instance[] {
  const calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(zone);
  const vevents = calendar.getAllSubcomponents('vevent');
  const series = new Map<string, ICAL.Event>();
  for (const v of vevents.filter((x) => !x.hasProperty('recurrence-id'))) series.set(String(v.getFirstPropertyValue('uid')), new ICAL.Event(v));
  for (const v of vevents.filter((x) => x.hasProperty('recurrence-id'))) {
    const master = series.get(String(v.getFirstPropertyValue('uid')));
    expect(master, 'an override without its series').toBeDefined();
    master!.relateException(v);
  }
  const out: Instance[] = [];
  for (const event of series.values()) {
    if (event.component.getFirstPropertyValue('status') === 'CANCELLED') continue;
    if (!event.isRecurring()) {
      out.push({ start: fromIcalTime(event.startDate), end: fromIcalTime(event.endDate), title: event.summary });
      continue;
    }
    const iterator = event.iterator();
    let guard = 0;
    for (let next = iterator.next(); next && guard < 1000; next = iterator.next(), guard++) {
      const details = event.getOccurrenceDetails(next);
      const start = fromIcalTime(details.startDate);
      if (start >= until) break;
      out.push({ start, end: fromIcalTime(details.endDate), title: details.item.summary });
    }
  }
  return out;
}

const nodeIcalTime = (d: Date & { dateOnly?: true }, allDay: boolean) => (allDay ? isoDate(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate())) : d.toISOString());
const text = (v: unknown) => (typeof v === 'string' ? v : String((v as { val: unknown }).val));

function vevents(body: string): VEvent[] {
  return Object.values(ical.sync.parseICS(body)).filter((c): c is VEvent => Boolean(c && (c as { type?: string }).type === 'VEVENT'));
}

/** node-ical by hand: RRULE instants between the bounds, less EXDATEs, with RECURRENCE-ID overrides in their place. */
function readWithNodeIcal(body: string, from: Date, to: Date): Instance[] {
  const out: Instance[] = [];
  for (const e of vevents(body)) {
    if (e.status === 'CANCELLED') continue;
    const allDay = e.datetype === 'date';
    const length = e.end!.getTime() - e.start.getTime();
    if (!e.rrule) {
      out.push({ start: nodeIcalTime(e.start, allDay), end: nodeIcalTime(e.end!, allDay), title: text(e.summary) });
      continue;
    }
    const excluded = new Set(Object.values(e.exdate ?? {}).map((d) => d.getTime()));
    const overrides = new Map(Object.values(e.recurrences ?? {}).map((r) => [(r.recurrenceid as Date).getTime(), r as VEvent]));
    for (const start of e.rrule.between(new Date(from.getTime() - 31 * DAY), to, true)) {
      if (excluded.has(start.getTime())) continue;
      const override = overrides.get(start.getTime());
      if (override) out.push({ start: nodeIcalTime(override.start, allDay), end: nodeIcalTime(override.end!, allDay), title: text(override.summary) });
      else out.push({ start: nodeIcalTime(start, allDay), end: nodeIcalTime(new Date(start.getTime() + length), allDay), title: text(e.summary) });
    }
  }
  return out;
}

/** node-ical's own expansion of each series. */
function expandWithNodeIcal(body: string, from: Date, to: Date): Instance[] {
  return vevents(body).filter((e) => e.status !== 'CANCELLED').flatMap((e) => ical.expandRecurringEvent(e, { from: new Date(from.getTime() - 31 * DAY), to })
    .map((i) => ({ start: nodeIcalTime(i.start, i.isFullDay), end: nodeIcalTime(i.end, i.isFullDay), title: text(i.summary) })));
}

function expectSameOccurrences(body: string, api: Instance[], from: string, to: string) {
  const a = keys(api);
  expect(a.length).toBeGreaterThan(0);
  expect(keys(within(readWithIcalJs(body, to), from, to)), 'ical.js').toEqual(a);
  expect(keys(within(readWithNodeIcal(body, new Date(from), new Date(to)), from, to)), 'node-ical by hand').toEqual(a);
  expect(keys(within(expandWithNodeIcal(body, new Date(from), new Date(to)), from, to)), 'node-ical expandRecurringEvent').toEqual(a);
}

const unfolded = (body: string) => body.replace(/\r\n[ \t]/g, '');

// ---------------------------------------------------------------------------------------------

describe('GET /events/export', () => {
  let org: TestOrganization;
  let weeklyId: string;

  beforeAll(async () => {
    org = await createOrganization(t.services, 'Export Opera');
    const pm = org.users.production_manager.auth;
    const her = [{ user_id: org.users.artist.id, role: 'Tosca' }];
    const create = async (payload: Record<string, unknown>) => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: pm, payload });
      expect(res.statusCode, res.body).toBe(201);
      return (res.json() as { id: string }).id;
    };
    weeklyId = await create({ type: 'rehearsal', title: 'Act 2', time_zone: 'America/New_York', start: `${TUE[0]}T19:00`, end: `${TUE[0]}T21:00`, rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=6', location: { name: 'Studio 2', address: 'New York' }, participants: her });
    // The second moved an hour later (RECURRENCE-ID), the fourth cancelled (EXDATE).
    const moved = await t.app.inject({ method: 'PATCH', url: `/api/v1/events/${weeklyId}?scope=this&occurrence=${AT_19[1]}`, headers: pm, payload: { start: `${TUE[1]}T20:00`, end: `${TUE[1]}T22:00`, title: 'Act 2 (late start)' } });
    expect(moved.statusCode, moved.body).toBe(200);
    const cancelled = await t.app.inject({ method: 'POST', url: `/api/v1/events/${weeklyId}/cancel`, headers: pm, payload: { reason: 'Holiday', scope: 'this', occurrence: AT_19[3] } });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    // Daily in Berlin across the EU change; a one-off in London; an all-day travel day; someone else's meeting.
    await create({ type: 'performance', title: 'Festival', time_zone: 'Europe/Berlin', start: `${dateOf(3, euChange - 2)}T20:00`, end: `${dateOf(3, euChange - 2)}T22:30`, rrule: 'FREQ=DAILY;COUNT=4', participants: her });
    await create({ type: 'fitting', title: 'Costume fitting', time_zone: 'Europe/London', start: `${TUE[2]}T14:00`, end: `${TUE[2]}T15:30`, participants: her });
    await create({ type: 'travel', title: 'Travel day', time_zone: 'America/New_York', all_day: true, start: TUE[4], end: nextDay(TUE[4]), participants: her });
    await create({ type: 'meeting', title: 'Board meeting', time_zone: 'UTC', start: `${TUE[2]}T09:00`, end: `${TUE[2]}T10:00`, participants: [{ user_id: org.users.accountant.id }] });
  });

  const exportAs = (user: TestUser, accept = 'text/calendar') =>
    t.app.inject({ url: `/api/v1/events/export?from=${FROM}&to=${TO}`, headers: { ...user.auth, accept } }) as Promise<Answer>;

  it('answers a text/calendar file whose occurrences, read by ical.js and node-ical, are exactly the API\'s', async () => {
    const res = await exportAs(org.users.artist);
    expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^text\/calendar/);
    expect(res.body.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(res.body.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(res.body.replace(/\r\n/g, '')).not.toMatch(/\n/);

    const api = await apiInstances(org.users.artist.auth, FROM, TO);
    // The API itself: 19:00 New York is 00:00Z before the change and 23:00Z after; one moved, one cancelled.
    expect(api.filter((i) => i.title.startsWith('Act 2')).map((i) => i.start)).toEqual([AT_19[0], plus(AT_19[1], 1), AT_19[2], AT_19[4], AT_19[5]]);
    expect(api.map((i) => i.title)).not.toContain('Board meeting');
    expectSameOccurrences(res.body, api, FROM, TO);
  });

  it('writes the zones, the rule, the exception and the cancellation, and alarms a day and two hours before', async () => {
    const body = (await exportAs(org.users.artist)).body;
    const calendar = new ICAL.Component(ICAL.parse(body) as unknown[]);
    const zones = calendar.getAllSubcomponents('vtimezone').map((z) => String(z.getFirstPropertyValue('tzid')));
    expect(zones).toEqual(expect.arrayContaining(['America/New_York', 'Europe/Berlin', 'Europe/London']));
    for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(zone);

    const ofSeries = calendar.getAllSubcomponents('vevent').filter((v) => String(v.getFirstPropertyValue('uid')).startsWith(weeklyId));
    const master = ofSeries.find((v) => !v.hasProperty('recurrence-id'))!;
    const override = ofSeries.find((v) => v.hasProperty('recurrence-id'))!;
    expect(ofSeries).toHaveLength(2);
    expect(master.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('America/New_York');
    expect(String(master.getFirstPropertyValue('rrule'))).toMatch(/FREQ=WEEKLY/);
    expect(String(master.getFirstPropertyValue('rrule'))).toMatch(/COUNT=6/);
    expect(master.getAllProperties('exdate').map((p) => (p.getFirstValue() as ICAL.Time).toJSDate().toISOString())).toEqual([AT_19[3]]);
    expect((override.getFirstPropertyValue('recurrence-id') as ICAL.Time).toJSDate().toISOString()).toBe(AT_19[1]);
    expect((override.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().toISOString()).toBe(plus(AT_19[1], 1));

    for (const vevent of calendar.getAllSubcomponents('vevent')) {
      const triggers = vevent.getAllSubcomponents('valarm').map((a) => String(a.getFirstPropertyValue('trigger')));
      expect(triggers.sort(), String(vevent.getFirstPropertyValue('summary'))).toEqual(['-P1D', '-PT2H']);
    }
    const plain = unfolded(body);
    expect(plain).toMatch(/^BEGIN:VTIMEZONE\r$/m);
    expect(plain).toMatch(/^BEGIN:VALARM\r$/m);
    expect(plain).toMatch(/^EXDATE;TZID=America\/New_York:\d{8}T190000\r$/m);
    expect(plain).toMatch(/^RECURRENCE-ID;TZID=America\/New_York:\d{8}T190000\r$/m);
  });

  it("office roles export everyone's events; artists only their own", async () => {
    const mine = unfolded((await exportAs(org.users.artist)).body);
    const office = (await exportAs(org.users.admin)).body;
    expect(mine).not.toMatch(/SUMMARY:Board meeting/);
    expect(unfolded(office)).toMatch(/SUMMARY:Board meeting/);
    expectSameOccurrences(office, await apiInstances(org.users.admin.auth, FROM, TO), FROM, TO);
  });

  it('refuses other formats with 406 unsupported_format; wildcards are fine', async () => {
    for (const accept of ['application/json', 'text/html', 'application/pdf, image/*', 'text/calendar;q=0, application/json']) {
      expectProblem(await exportAs(org.users.artist, accept), 406, 'unsupported_format');
    }
    for (const accept of ['*/*', 'text/*', 'application/json;q=0.9, text/calendar']) {
      const res = await exportAs(org.users.artist, accept);
      expect(res.statusCode, accept).toBe(200);
      expect(String(res.headers['content-type'])).toMatch(/^text\/calendar/);
    }
  });
});

describe('calendar subscription feed', () => {
  let org: TestOrganization;
  let artist: TestUser;
  const inDays = (n: number) => isoDate(Date.now() + n * DAY);

  beforeAll(async () => {
    org = await createOrganization(t.services, 'Feed Opera');
    artist = await addUser(t.services, org.id, 'artist', `feed-artist-${org.id.slice(0, 8)}@example.com`);
    const pm = org.users.production_manager.auth;
    const create = async (payload: Record<string, unknown>) => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: pm, payload });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as { id: string; starts_at: string };
    };
    const weekly = await create({ type: 'rehearsal', title: 'Feed rehearsal', time_zone: 'America/New_York', start: `${inDays(7)}T18:00`, end: `${inDays(7)}T21:00`, rrule: 'FREQ=WEEKLY;COUNT=4', participants: [{ user_id: artist.id }] });
    const list = await t.app.inject({ url: `/api/v1/events?from=${inDays(1)}&to=${inDays(60)}`, headers: pm });
    const second = (list.json() as OccurrenceList).data.filter((o) => o.event_id === weekly.id)[1]!.occurrence;
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/events/${weekly.id}/cancel`, headers: pm, payload: { reason: 'Holiday', scope: 'this', occurrence: second } })).statusCode).toBe(200);
    await create({ type: 'fitting', title: 'Feed fitting', time_zone: 'Europe/London', start: `${inDays(10)}T11:00`, end: `${inDays(10)}T12:00`, participants: [{ user_id: artist.id }] });
    await create({ type: 'meeting', title: 'Accounts meeting', time_zone: 'UTC', start: `${inDays(9)}T09:00`, end: `${inDays(9)}T10:00`, participants: [{ user_id: org.users.accountant.id }] });
  });

  const feedPath = (url: string) => new URL(url).pathname;
  const fetchFeed = (path: string) => t.app.inject({ url: path }) as Promise<Answer>;
  const feedAudits = () => withTenant(t.services.database.db, { organizationId: org.id }, (trx) =>
    trx.selectFrom('audit_logs').select('action').where('entity_type', '=', 'calendar_feed').where('actor_id', '=', artist.id).execute());

  it('is made, read without sign-in as the person\'s own events, replaced, revoked; unknown links are 404', async () => {
    const none = await t.app.inject({ url: '/api/v1/calendar/feed', headers: artist.auth });
    expect(none.statusCode).toBe(200);
    expect(none.json()).toMatchObject({ active: false, url: null, webcal_url: null, created_at: null });

    const made = await t.app.inject({ method: 'POST', url: '/api/v1/calendar/feed', headers: artist.auth });
    expect(made.statusCode, made.body).toBe(201);
    const feed = made.json() as CalendarFeed;
    expect(Object.keys(feed)).toEqual(expect.arrayContaining(['active', 'url', 'webcal_url', 'created_at']));
    expect(feed.active).toBe(true);
    expect(feed.url).toMatch(/^http:\/\/portal\.test\/api\/v1\/calendar\/feeds\/[A-Za-z0-9_-]{20,}\.ics$/);
    expect(feed.webcal_url).toBe(feed.url!.replace(/^http:/, 'webcal:'));
    expect(typeof feed.created_at).toBe('string');
    // Shown once: afterwards only whether one is active.
    expect((await t.app.inject({ url: '/api/v1/calendar/feed', headers: artist.auth })).json()).toMatchObject({ active: true, url: null, webcal_url: null });

    const res = await fetchFeed(feedPath(feed.url!));
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^text\/calendar/);
    const body = unfolded(res.body);
    expect(body).toMatch(/SUMMARY:Feed rehearsal/);
    expect(body).toMatch(/SUMMARY:Feed fitting/);
    expect(body).not.toMatch(/Accounts meeting/);
    expect(body).toMatch(/^BEGIN:VTIMEZONE\r$/m);
    expect(body).toMatch(/^TZID:America\/New_York\r$/m);
    expect(body).toMatch(/^EXDATE;TZID=America\/New_York:/m);
    expect(body).toMatch(/^TRIGGER:-P1D\r$/m);
    expect(body).toMatch(/^TRIGGER:-PT2H\r$/m);
    const from = `${inDays(-30)}T00:00:00Z`;
    const to = `${inDays(360)}T00:00:00Z`;
    const api = await apiInstances(artist.auth, inDays(-30), inDays(359));
    expect(api.map((i) => i.title).sort()).toEqual(['Feed fitting', 'Feed rehearsal', 'Feed rehearsal', 'Feed rehearsal']);
    expectSameOccurrences(res.body, api, from, to);

    // Another person's link gives their events, not hers.
    const accountantFeed = (await t.app.inject({ method: 'POST', url: '/api/v1/calendar/feed', headers: org.users.accountant.auth })).json() as CalendarFeed;
    const theirs = unfolded((await fetchFeed(feedPath(accountantFeed.url!))).body);
    expect(theirs).toMatch(/SUMMARY:Accounts meeting/);
    expect(theirs).not.toMatch(/Feed rehearsal/);

    // A new link replaces the old one.
    const again = (await t.app.inject({ method: 'POST', url: '/api/v1/calendar/feed', headers: artist.auth })).json() as CalendarFeed;
    expect(again.url).not.toBe(feed.url);
    expectProblem(await fetchFeed(feedPath(feed.url!)), 404);
    expect((await fetchFeed(feedPath(again.url!))).statusCode).toBe(200);

    // Revoked: gone.
    const revoked = await t.app.inject({ method: 'DELETE', url: '/api/v1/calendar/feed', headers: artist.auth });
    expect(revoked.statusCode).toBe(204);
    expectProblem(await fetchFeed(feedPath(again.url!)), 404);
    expect((await t.app.inject({ url: '/api/v1/calendar/feed', headers: artist.auth })).json()).toMatchObject({ active: false });
    // The accountant's link is untouched by hers.
    expect((await fetchFeed(feedPath(accountantFeed.url!))).statusCode).toBe(200);

    expectProblem(await fetchFeed(`/api/v1/calendar/feeds/${Buffer.alloc(32, 7).toString('base64url')}.ics`), 404);
    expectProblem(await fetchFeed('/api/v1/calendar/feeds/not-a-token.ics'), 404);

    // Made, replaced, revoked: each audited.
    expect(await feedAudits()).toHaveLength(3);
  });
});
