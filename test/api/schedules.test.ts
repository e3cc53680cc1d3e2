import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant, type Tx } from '../../src/server/db/tenant.js';
import type { Conflict, Occurrence, OccurrenceList, Participant, ScheduleEvent } from '../../src/web/src/pages/schedule/types.js';
import { addUser, createOrganization, startTestApp, type TestApp, type TestOrganization, type TestUser } from '../helpers/app.js';
import { expectProblem, type Answer } from './support.js';

/**
 * Schedules API (issue 7, docs/API-schedules.md): events in IANA zones from wall-clock times,
 * bounded RFC 5545 series, one/following/all changes and cancellations, participants with RSVP,
 * acknowledgment and check-in/out, who sees what, conflicts, change history, notifications,
 * reminders and audit rows. Answers are checked against the shapes the web app reads
 * (src/web/src/pages/schedule/types.ts).
 *
 * Dates are next year's, so every occurrence is in the future (reminders are only for those):
 * a weekly Tuesday 19:00 in New York two weeks either side of the US spring-forward Sunday.
 */

let t: TestApp;
let other: TestOrganization;

beforeAll(async () => {
  t = await startTestApp();
  other = await createOrganization(t.services, 'Elsewhere Opera');
});
afterAll(async () => t?.close());

// ---------------------------------------------------------------------------------------------
// Dates

const Y = new Date().getUTCFullYear() + 1;
const HOUR = 3_600_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dateOf = (month: number, day: number) => isoDate(Date.UTC(Y, month - 1, day));
const nextDay = (date: string) => isoDate(Date.parse(`${date}T00:00:00Z`) + 24 * HOUR);
/** The US clocks go forward on the second Sunday of March. */
const springForward = (() => {
  const firstOfMarch = new Date(Date.UTC(Y, 2, 1)).getUTCDay();
  return 1 + ((7 - firstOfMarch) % 7) + 7;
})();
/** Four Tuesdays: two before the change (EST, UTC−5), two after (EDT, UTC−4). */
const TUE = [-12, -5, 2, 9].map((n) => dateOf(3, springForward + n)) as [string, string, string, string];
/** Their 19:00 New York starts in UTC: 00:00Z the next day before the change, 23:00Z after. */
const AT_19 = [`${nextDay(TUE[0])}T00:00:00.000Z`, `${nextDay(TUE[1])}T00:00:00.000Z`, `${TUE[2]}T23:00:00.000Z`, `${TUE[3]}T23:00:00.000Z`] as const;
const plus = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * HOUR).toISOString();
const RANGE = `from=${dateOf(2, 1)}&to=${dateOf(4, 30)}`;

/** 'YYYY-MM-DDTHH:mm' of an instant in a zone, by Intl (independent of the server's luxon). */
function wall(iso: string, timeZone: string): string {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

// ---------------------------------------------------------------------------------------------
// The fields the web app reads (a missing key there is a blank on screen)

const OCCURRENCE_FIELDS: Record<keyof Occurrence, true> = {
  event_id: true, occurrence: true, starts_at: true, ends_at: true, local_start: true, local_end: true, time_zone: true, event_time_zone: true,
  all_day: true, type: true, title: true, colour: true, location: true, production_id: true, production_name: true, status: true,
  cancellation_reason: true, recurring: true, modified: true, participant_count: true, acknowledgment_deadline: true, my_participation: true,
};
const EVENT_FIELDS: Record<Exclude<keyof ScheduleEvent, 'participants' | 'conflicts'>, true> = {
  id: true, type: true, title: true, description: true, notes: true, call_time_notes: true, colour: true, time_zone: true, all_day: true,
  start: true, end: true, starts_at: true, ends_at: true, rrule: true, recurrence_capped: true, recurrence_ends_at: true, location: true,
  production_id: true, production_name: true, required_roles: true, max_participants: true, acknowledgment_deadline: true, status: true,
  cancellation_reason: true, exceptions: true, attachments: true, my_participation: true, allowed_actions: true, created_at: true, updated_at: true,
};
const PARTICIPANT_FIELDS: Record<keyof Participant, true> = {
  user_id: true, name: true, email: true, role: true, rsvp: true, acknowledged_at: true, acknowledgment_note: true,
};
const keysOf = (o: Record<string, true>) => Object.keys(o);

// ---------------------------------------------------------------------------------------------
// A fresh organization per test (conflicts and lists see only what the test made)

interface World {
  org: TestOrganization;
  /** The organization's artist (Mimì), one in London (Musetta) and a cover. */
  artist: TestUser;
  london: TestUser;
  cover: TestUser;
  pm: TestUser;
}

async function world(name: string): Promise<World> {
  const org = await createOrganization(t.services, name);
  const tag = org.id.slice(0, 8);
  const london = await addUser(t.services, org.id, 'artist', `london-${tag}@example.com`);
  const cover = await addUser(t.services, org.id, 'artist', `cover-${tag}@example.com`);
  return { org, artist: org.users.artist, london, cover, pm: org.users.production_manager };
}

type Body = Record<string, unknown>;
type Headers = { authorization: string };

const call = (method: InjectOptions['method'], url: string, headers: Headers, payload?: unknown): Promise<Answer> =>
  t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as Body } : {}) });

async function ok<T>(res: Answer | Promise<Answer>, status = 200): Promise<T> {
  const answer = await res;
  expect(answer.statusCode, answer.body.slice(0, 800)).toBe(status);
  return answer.json() as T;
}

type EventAnswer = ScheduleEvent & { series_id: string | null; conflicts?: (Conflict & { other_event_id: string; other_occurrence: string })[] };

const weekly = (w: World, extra: Body = {}): Body => ({
  type: 'rehearsal', title: 'Act 1 blocking', time_zone: 'America/New_York',
  start: `${TUE[0]}T19:00`, end: `${TUE[0]}T22:00`, rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=4',
  location: { name: 'Studio 2', address: '10 Lincoln Center Plaza, New York' },
  participants: [{ user_id: w.artist.id, role: 'Mimì' }, { user_id: w.london.id, role: 'Musetta' }],
  ...extra,
});

const createEvent = (w: World, payload: Body, headers: Headers = w.pm.auth) => ok<EventAnswer>(call('POST', '/api/v1/events', headers, payload), 201);
const readEvent = (id: string, headers: Headers) => ok<EventAnswer>(call('GET', `/api/v1/events/${id}`, headers));
const list = (query: string, headers: Headers) => ok<OccurrenceList>(call('GET', `/api/v1/events?${query}`, headers));
const ofEvent = (l: OccurrenceList, id: string) => l.data.filter((o) => o.event_id === id);
const patch = (w: World, id: string, query: string, payload: Body) => call('PATCH', `/api/v1/events/${id}${query}`, w.pm.auth, payload);
const cancel = (w: World, id: string, payload: Body) => call('POST', `/api/v1/events/${id}/cancel`, w.pm.auth, payload);

const db = <T>(w: World, fn: (trx: Tx) => Promise<T>) => withTenant(t.services.database.db, { organizationId: w.org.id }, fn);

interface ReminderRow { key: string; fire_at: Date; status: string; notification: { type: string; recipients: string[] } }
const reminders = (w: World, eventId: string) => db(w, async (trx) => (await trx.selectFrom('reminders').select(['key', 'fire_at', 'status', 'notification'])
  .where('key', 'like', `event:${eventId}:%`).orderBy('fire_at').execute()) as unknown as ReminderRow[]);
const pending = async (w: World, eventId: string) => (await reminders(w, eventId)).filter((r) => r.status === 'pending');

const auditActions = (w: World, entityId: string) => db(w, async (trx) =>
  trx.selectFrom('audit_logs').select(['action', 'actor_id']).where('entity_id', '=', entityId).orderBy('seq').execute());

interface NotificationItem { type: string; subject: string; body: string; link: string | null; data: Record<string, unknown> }
const notificationsOf = async (user: TestUser) =>
  (await ok<{ data: NotificationItem[] }>(call('GET', '/api/v1/notifications?limit=100', user.auth))).data;
const scheduleChanges = async (user: TestUser, eventId: string) =>
  (await notificationsOf(user)).filter((n) => n.type === 'schedule_change' && (n.data.event_id === eventId || String(n.link).includes(eventId)));

async function counts(w: World) {
  return db(w, async (trx) => {
    const n = async (table: 'events' | 'event_participants' | 'reminders' | 'notifications' | 'audit_logs' | 'event_updates') =>
      Number((await trx.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', w.org.id).executeTakeFirstOrThrow()).n);
    return { events: await n('events'), participants: await n('event_participants'), reminders: await n('reminders'), notifications: await n('notifications'), audit: await n('audit_logs'), updates: await n('event_updates') };
  });
}

// ---------------------------------------------------------------------------------------------

describe('creating events', () => {
  it('a weekly rehearsal from wall-clock times in New York: start answered in its zone, people invited, no conflicts in an empty organization', async () => {
    const w = await world('Create Opera');
    const deadline = `${TUE[0]}T17:00:00.000Z`;
    const made = await createEvent(w, weekly(w, {
      description: 'Blocking Act 1 with the director', notes: 'Bring scores', call_time_notes: 'Principals 18:30', colour: '#8E24AA',
      location: { name: 'Studio 2', address: '10 Lincoln Center Plaza, New York', latitude: 40.7725, longitude: -73.9835, virtual_url: 'https://meet.example.com/act1' },
      required_roles: ['Soprano', 'Conductor'], max_participants: 5, acknowledgment_deadline: deadline,
    }));
    expect(made).toMatchObject({
      type: 'rehearsal', title: 'Act 1 blocking', time_zone: 'America/New_York', all_day: false,
      start: `${TUE[0]}T19:00`, end: `${TUE[0]}T22:00`, starts_at: AT_19[0], ends_at: plus(AT_19[0], 3),
      rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=4', recurrence_capped: false, recurrence_ends_at: plus(AT_19[3], 3),
      description: 'Blocking Act 1 with the director', notes: 'Bring scores', call_time_notes: 'Principals 18:30', colour: '#8E24AA',
      location: { name: 'Studio 2', address: '10 Lincoln Center Plaza, New York', latitude: 40.7725, longitude: -73.9835, virtual_url: 'https://meet.example.com/act1' },
      required_roles: ['Soprano', 'Conductor'], max_participants: 5, acknowledgment_deadline: deadline,
      status: 'scheduled', cancellation_reason: null, my_participation: null, conflicts: [],
    });
    expect(Object.keys(made)).toEqual(expect.arrayContaining([...keysOf(EVENT_FIELDS), 'participants', 'conflicts']));
    expect(made.allowed_actions).toContain('events:write');
    const people = [...made.participants!].sort((a, b) => a.role!.localeCompare(b.role!));
    expect(people).toMatchObject([
      { user_id: w.artist.id, email: w.artist.email, role: 'Mimì', rsvp: 'invited', acknowledged_at: null, acknowledgment_note: null },
      { user_id: w.london.id, email: w.london.email, role: 'Musetta', rsvp: 'invited', acknowledged_at: null, acknowledgment_note: null },
    ]);
    for (const p of people) {
      expect(Object.keys(p)).toEqual(expect.arrayContaining(keysOf(PARTICIPANT_FIELDS)));
      expect(p.name.length).toBeGreaterThan(0);
    }

    // Read back by an office role, and by a participant in the list.
    expect(await readEvent(made.id, w.org.users.accountant.auth)).toMatchObject({ start: `${TUE[0]}T19:00`, end: `${TUE[0]}T22:00`, starts_at: AT_19[0], rrule: made.rrule });
    const mine = ofEvent(await list(`${RANGE}&tz=America/New_York`, w.artist.auth), made.id);
    expect(mine.map((o) => o.starts_at)).toEqual([...AT_19]);
    expect(mine.map((o) => o.occurrence)).toEqual([...AT_19]);
    expect(mine.map((o) => o.ends_at)).toEqual(AT_19.map((s) => plus(s, 3)));
    expect(mine.map((o) => o.local_start)).toEqual(TUE.map((d) => `${d}T19:00`));
    expect(mine.map((o) => o.local_end)).toEqual(TUE.map((d) => `${d}T22:00`));
    for (const o of mine) {
      expect(Object.keys(o)).toEqual(expect.arrayContaining(keysOf(OCCURRENCE_FIELDS)));
      expect(o).toMatchObject({
        time_zone: 'America/New_York', event_time_zone: 'America/New_York', recurring: true, modified: false, status: 'scheduled',
        participant_count: 2, title: 'Act 1 blocking', my_participation: { role: 'Mimì', rsvp: 'invited', acknowledged_at: null },
      });
    }

    expect((await auditActions(w, made.id)).map((a) => a.action)).toEqual(['create']);
    const history = await ok<{ data: { change: string; changed_by: { id: string } | null }[] }>(call('GET', `/api/v1/events/${made.id}/updates`, w.pm.auth));
    expect(history.data).toHaveLength(1);
    expect(history.data[0]!.changed_by?.id).toBe(w.pm.id);
  });

  it('a value with an offset is taken as that instant; an all-day event takes dates and keeps them wherever it is looked at from', async () => {
    const w = await world('Instant Opera');
    const instant = await createEvent(w, { type: 'meeting', title: 'Production meeting', time_zone: 'America/New_York', start: AT_19[0].replace('.000', ''), end: plus(AT_19[0], 1.5) });
    expect(instant).toMatchObject({ start: `${TUE[0]}T19:00`, end: `${TUE[0]}T20:30`, starts_at: AT_19[0], rrule: null, recurrence_capped: false });

    const travel = await createEvent(w, {
      type: 'travel', title: 'Fly to London', time_zone: 'America/New_York', all_day: true, start: TUE[2], end: nextDay(TUE[2]),
      participants: [{ user_id: w.artist.id }],
    });
    expect(travel).toMatchObject({ all_day: true, start: TUE[2], end: nextDay(TUE[2]) });
    // Local midnight in New York (EDT by then) to the midnight after the last day.
    expect(travel.starts_at).toBe(`${TUE[2]}T04:00:00.000Z`);
    expect(travel.ends_at).toBe(`${nextDay(nextDay(TUE[2]))}T04:00:00.000Z`);
    for (const tz of ['America/New_York', 'Asia/Tokyo', 'Pacific/Honolulu']) {
      const [o] = ofEvent(await list(`${RANGE}&tz=${tz}`, w.artist.auth), travel.id);
      expect(o, tz).toMatchObject({ all_day: true, local_start: TUE[2], local_end: nextDay(TUE[2]), time_zone: tz });
    }
  });

  it('refuses bad input with a 400 problem naming the field, and stores nothing', async () => {
    const w = await world('Bad Input Opera');
    const before = await counts(w);
    const cases: [Body, string][] = [
      [weekly(w, { end: `${TUE[0]}T18:00` }), 'body.end'],
      [weekly(w, { start: `${TUE[0]}T19:00`, end: `${TUE[0]}T19:00` }), 'body.end'],
      [weekly(w, { all_day: true, start: TUE[1], end: TUE[0] }), 'body.end'],
      [weekly(w, { time_zone: 'Mars/Olympus_Mons' }), 'body.time_zone'],
      [weekly(w, { time_zone: 'EST5EDT; DROP TABLE events' }), 'body.time_zone'],
      [weekly(w, { rrule: 'NONSENSE' }), 'body.rrule'],
      [weekly(w, { rrule: 'FREQ=SECONDLY' }), 'body.rrule'],
      [weekly(w, { rrule: 'FREQ=HOURLY;COUNT=3' }), 'body.rrule'],
      [weekly(w, { rrule: 'FREQ=WEEKLY;BYDAY=XX' }), 'body.rrule'],
      [weekly(w, { rrule: 'FREQ=DAILY;UNTIL=20200101T000000Z' }), 'body.rrule'],
      [weekly(w, { start: `${Y}-02-30T19:00`, end: `${Y}-02-30T22:00` }), 'body.start'],
      [weekly(w, { type: 'party' }), 'body.type'],
    ];
    for (const [payload, field] of cases) {
      const problem = expectProblem(await call('POST', '/api/v1/events', w.pm.auth, payload), 400, 'validation_error');
      expect((problem.errors as { field: string }[] | undefined)?.map((e) => e.field), JSON.stringify(payload)).toContain(field);
    }
    expect(await counts(w)).toEqual(before);
  });

  // RFC 5545 §3.3.10: INTERVAL is a positive integer, and dates a month lacks are ignored (30 February never comes).
  it.each(['FREQ=WEEKLY;INTERVAL=0;COUNT=3', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2'])('refuses %s, which RFC 5545 forbids or which gives no real date, storing nothing', async (rrule) => {
    const w = await world('Impossible Rule Opera');
    const before = await counts(w);
    const problem = expectProblem(await call('POST', '/api/v1/events', w.pm.auth, weekly(w, { start: `${dateOf(1, 30)}T19:00`, end: `${dateOf(1, 30)}T22:00`, rrule })), 400, 'validation_error');
    expect((problem.errors as { field: string }[] | undefined)?.map((e) => e.field)).toContain('body.rrule');
    expect(await counts(w)).toEqual(before);
  });

  it('a rule without an end is stored capped at 500 occurrences and says where it ends', async () => {
    const w = await world('Capped Opera');
    const start = `${dateOf(5, 1)}T09:00`; // Tokyo: no clock changes, so every day is 24 h
    const made = await createEvent(w, { type: 'call_time', title: 'Daily class', time_zone: 'Asia/Tokyo', start, end: `${dateOf(5, 1)}T10:00`, rrule: 'FREQ=DAILY', participants: [{ user_id: w.artist.id }] });
    const first = Date.parse(`${dateOf(5, 1)}T00:00:00Z`);
    const last = new Date(first + 499 * 24 * HOUR).toISOString();
    expect(made).toMatchObject({ recurrence_capped: true, rrule: 'FREQ=DAILY;COUNT=500', recurrence_ends_at: plus(last, 1) });
    expect(await readEvent(made.id, w.artist.auth)).toMatchObject({ recurrence_capped: true, recurrence_ends_at: plus(last, 1) });
    // The last two days of the series, and nothing after them.
    const tail = ofEvent(await list(`from=${plus(last, -24)}&to=${plus(last, 24 * 30)}`, w.artist.auth), made.id);
    expect(tail.map((o) => o.starts_at)).toEqual([plus(last, -24), last]);

    const weeklyForever = await createEvent(w, { ...weekly(w), rrule: 'FREQ=WEEKLY;BYDAY=TU', participants: [] });
    expect(weeklyForever.recurrence_capped).toBe(true);
    // Two years of Tuesdays: 104 or 105 of them, ending within two years of the start.
    expect(weeklyForever.rrule).toMatch(/^FREQ=WEEKLY;BYDAY=TU;COUNT=10[45]$/);
    expect(Date.parse(weeklyForever.recurrence_ends_at!)).toBeLessThanOrEqual(Date.parse(AT_19[0]) + (2 * 366 * 24 + 3) * HOUR);
    expect(Date.parse(weeklyForever.recurrence_ends_at!)).toBeGreaterThan(Date.parse(AT_19[0]) + (2 * 365 - 8) * 24 * HOUR);
  });
});

describe('who sees and answers what', () => {
  it("another organization's event is 404 event_not_found on every route, and stays as it was", async () => {
    const w = await world('Private Opera');
    const made = await createEvent(w, weekly(w));
    const admin = other.users.admin.auth;
    const attempts: [InjectOptions['method'], string, Headers, unknown][] = [
      ['GET', `/api/v1/events/${made.id}`, admin, undefined],
      ['GET', `/api/v1/events/${made.id}/updates`, admin, undefined],
      ['PATCH', `/api/v1/events/${made.id}?scope=all`, admin, { title: 'Hijacked' }],
      ['PATCH', `/api/v1/events/${made.id}?scope=this&occurrence=${AT_19[1]}`, admin, { title: 'Hijacked' }],
      ['POST', `/api/v1/events/${made.id}/cancel`, admin, { reason: 'Hijacked' }],
      ['PUT', `/api/v1/events/${made.id}/participants`, admin, { participants: [] }],
      ['POST', `/api/v1/events/${made.id}/acknowledge`, other.users.artist.auth, { note: 'Not mine' }],
      ['POST', `/api/v1/events/${made.id}/rsvp`, other.users.artist.auth, { status: 'confirmed' }],
      ['POST', `/api/v1/events/${made.id}/check-in`, other.users.artist.auth, { occurrence: AT_19[0] }],
    ];
    for (const [method, url, headers, payload] of attempts) {
      expectProblem(await call(method, url, headers, payload), 404, 'event_not_found');
    }
    expect(ofEvent(await list(RANGE, admin), made.id)).toEqual([]);
    const after = await readEvent(made.id, w.pm.auth);
    expect(after).toMatchObject({ title: 'Act 1 blocking', status: 'scheduled', updated_at: made.updated_at, exceptions: [] });
    expect(after.participants).toHaveLength(2);
    expect((await auditActions(w, made.id)).map((a) => a.action)).toEqual(['create']);
  });

  it('acknowledging or answering an event one does not attend is 404 event_not_found, and records nothing', async () => {
    const w = await world('Attend Opera');
    const made = await createEvent(w, weekly(w, { participants: [{ user_id: w.artist.id }] }));
    for (const user of [w.cover, w.org.users.accountant, w.pm, w.org.users.admin]) {
      expectProblem(await call('POST', `/api/v1/events/${made.id}/acknowledge`, user.auth, { note: 'Seen' }), 404, 'event_not_found');
      expectProblem(await call('POST', `/api/v1/events/${made.id}/rsvp`, user.auth, { status: 'confirmed' }), 404, 'event_not_found');
    }
    const after = await readEvent(made.id, w.pm.auth);
    expect(after.participants).toMatchObject([{ user_id: w.artist.id, rsvp: 'invited', acknowledged_at: null, acknowledgment_note: null }]);
    expect((await auditActions(w, made.id)).map((a) => a.action)).toEqual(['create']);
  });

  it("artists see only the events they take part in and cannot create or change any; office roles see everyone's", async () => {
    const w = await world('Visibility Opera');
    const hers = await createEvent(w, weekly(w, { participants: [{ user_id: w.artist.id }] }));
    const londons = await createEvent(w, { type: 'fitting', title: 'Costume fitting', time_zone: 'Europe/London', start: `${TUE[1]}T14:00`, end: `${TUE[1]}T15:00`, participants: [{ user_id: w.london.id }] });
    const ids = (l: OccurrenceList) => new Set(l.data.map((o) => o.event_id));

    expect(ids(await list(RANGE, w.artist.auth))).toEqual(new Set([hers.id]));
    expect(ids(await list(RANGE, w.london.auth))).toEqual(new Set([londons.id]));
    expect(ids(await list(RANGE, w.cover.auth))).toEqual(new Set());
    for (const role of ['accountant', 'finance_director', 'admin', 'production_manager', 'system_admin'] as const) {
      expect(ids(await list(RANGE, w.org.users[role].auth)), role).toEqual(new Set([hers.id, londons.id]));
    }
    expect(ids(await list(`${RANGE}&participant_id=${w.london.id}`, w.org.users.accountant.auth))).toEqual(new Set([londons.id]));

    expectProblem(await call('GET', `/api/v1/events/${londons.id}`, w.artist.auth), 404, 'event_not_found');
    expectProblem(await call('GET', `/api/v1/events/${londons.id}/updates`, w.artist.auth), 404, 'event_not_found');
    expectProblem(await call('GET', `/api/v1/events?${RANGE}&participant_id=${w.london.id}`, w.artist.auth), 403, 'forbidden');
    expect((await readEvent(hers.id, w.artist.auth)).allowed_actions).not.toContain('events:write');

    const before = await counts(w);
    expectProblem(await call('POST', '/api/v1/events', w.artist.auth, weekly(w)), 403, 'forbidden');
    expectProblem(await call('POST', '/api/v1/events', w.org.users.accountant.auth, weekly(w)), 403, 'forbidden');
    expectProblem(await call('PATCH', `/api/v1/events/${hers.id}?scope=all`, w.artist.auth, { title: 'Mine now' }), 403, 'forbidden');
    expectProblem(await call('POST', `/api/v1/events/${hers.id}/cancel`, w.artist.auth, { reason: 'Tired' }), 403, 'forbidden');
    expectProblem(await call('PUT', `/api/v1/events/${hers.id}/participants`, w.artist.auth, { participants: [] }), 403, 'forbidden');
    expect(await counts(w)).toEqual(before);
    await createEvent(w, weekly(w, { title: 'By the admin', participants: [] }), w.org.users.admin.auth);
  });

  it('lists occurrences with local times in the requested zone, reads dates in that zone, and filters by type', async () => {
    const w = await world('Touring Opera');
    const made = await createEvent(w, weekly(w));
    const show = await createEvent(w, { type: 'performance', title: 'La bohème', time_zone: 'America/New_York', start: `${TUE[3]}T19:30`, end: `${TUE[3]}T22:30`, participants: [{ user_id: w.artist.id }] });

    // London changes its clocks later than New York: for two weeks New York 19:00 is 23:00 there.
    const inLondon = await list(`${RANGE}&tz=Europe/London`, w.artist.auth);
    expect(inLondon.time_zone).toBe('Europe/London');
    const rehearsals = ofEvent(inLondon, made.id);
    expect(rehearsals.map((o) => o.local_start)).toEqual([`${nextDay(TUE[0])}T00:00`, `${nextDay(TUE[1])}T00:00`, `${TUE[2]}T23:00`, `${TUE[3]}T23:00`]);
    for (const o of inLondon.data) {
      expect(o.local_start).toBe(wall(o.starts_at, 'Europe/London'));
      expect(o.local_end).toBe(wall(o.ends_at, 'Europe/London'));
      expect(o.time_zone).toBe('Europe/London');
      expect(o.event_time_zone).toBe('America/New_York');
    }
    // Oldest first.
    const startsInOrder = inLondon.data.map((o) => o.starts_at);
    expect(startsInOrder).toEqual([...startsInOrder].sort());

    // Dates in from/to are read in tz: Tuesday 19:00 in New York is Wednesday 09:00 in Tokyo.
    const tokyoTuesday = await list(`from=${TUE[0]}&to=${TUE[0]}&tz=Asia/Tokyo`, w.artist.auth);
    expect(ofEvent(tokyoTuesday, made.id)).toEqual([]);
    const tokyoWednesday = await list(`from=${nextDay(TUE[0])}&to=${nextDay(TUE[0])}&tz=Asia/Tokyo`, w.artist.auth);
    expect(ofEvent(tokyoWednesday, made.id).map((o) => [o.starts_at, o.local_start])).toEqual([[AT_19[0], `${nextDay(TUE[0])}T09:00`]]);
    expect(tokyoWednesday.from).toBe(`${TUE[0]}T15:00:00.000Z`);
    const newYorkTuesday = await list(`from=${TUE[0]}&to=${TUE[0]}&tz=America/New_York`, w.artist.auth);
    expect(ofEvent(newYorkTuesday, made.id).map((o) => o.local_start)).toEqual([`${TUE[0]}T19:00`]);

    const performances = await list(`${RANGE}&types=performance`, w.artist.auth);
    expect(performances.data.map((o) => o.event_id)).toEqual([show.id]);

    // Without tz: the caller's own zone.
    await ok(call('PATCH', '/api/v1/me/profile', w.london.auth, { timezone: 'Europe/London' }));
    const own = await list(RANGE, w.london.auth);
    expect(own.time_zone).toBe('Europe/London');
    expect(ofEvent(own, made.id)[0]!.local_start).toBe(`${nextDay(TUE[0])}T00:00`);

    expectProblem(await call('GET', `/api/v1/events?from=${dateOf(1, 1)}&to=${isoDate(Date.UTC(Y + 1, 6, 1))}`, w.pm.auth), 400, 'validation_error');
    expectProblem(await call('GET', `/api/v1/events?${RANGE}&tz=Mars/Base`, w.pm.auth), 400, 'validation_error');
  });
});

describe('changing a series', () => {
  it('scope=this moves one occurrence only: marked modified, participants told, its reminders moved', async () => {
    const w = await world('Move Opera');
    const made = await createEvent(w, weekly(w));
    const moved = await ok<EventAnswer>(patch(w, made.id, `?scope=this&occurrence=${AT_19[1]}`, { start: `${TUE[1]}T20:00`, end: `${TUE[1]}T23:00` }));
    // The series itself is unchanged.
    expect(moved).toMatchObject({ id: made.id, start: `${TUE[0]}T19:00`, rrule: made.rrule });
    expect(moved.exceptions).toMatchObject([{ occurrence: AT_19[1], starts_at: plus(AT_19[1], 1), ends_at: plus(AT_19[1], 4), cancelled: false }]);
    expect(moved.conflicts).toEqual([]);

    const after = ofEvent(await list(`${RANGE}&tz=America/New_York`, w.artist.auth), made.id);
    expect(after.map((o) => [o.occurrence, o.starts_at, o.local_start, o.modified])).toEqual([
      [AT_19[0], AT_19[0], `${TUE[0]}T19:00`, false],
      [AT_19[1], plus(AT_19[1], 1), `${TUE[1]}T20:00`, true],
      [AT_19[2], AT_19[2], `${TUE[2]}T19:00`, false],
      [AT_19[3], AT_19[3], `${TUE[3]}T19:00`, false],
    ]);

    for (const person of [w.artist, w.london]) {
      const told = await scheduleChanges(person, made.id);
      expect(told.length, person.email).toBeGreaterThanOrEqual(1);
    }
    expect(await scheduleChanges(w.pm, made.id)).toEqual([]);

    const rows = await pending(w, made.id);
    const at = (key: string) => rows.find((r) => r.key === key)?.fire_at.toISOString();
    expect(at(`event:${made.id}:${AT_19[1]}:24h`)).toBe(plus(AT_19[1], 1 - 24));
    expect(at(`event:${made.id}:${AT_19[1]}:2h`)).toBe(plus(AT_19[1], 1 - 2));
    expect(at(`event:${made.id}:${AT_19[0]}:24h`)).toBe(plus(AT_19[0], -24));

    // One occurrence changes only its times, title, place and notes; it must be one the series has.
    expectProblem(await patch(w, made.id, `?scope=this&occurrence=${AT_19[2]}`, { type: 'meeting' }), 400, 'validation_error');
    expectProblem(await patch(w, made.id, `?scope=this&occurrence=${plus(AT_19[2], 1)}`, { title: 'Nope' }), 400, 'validation_error');
    expectProblem(await patch(w, made.id, '?scope=this', { title: 'Nope' }), 400, 'validation_error');
    expectProblem(await patch(w, made.id, `?scope=this&occurrence=${AT_19[2]}`, { start: `${TUE[2]}T19:00`, end: `${TUE[2]}T18:00` }), 400, 'validation_error');
    expect(ofEvent(await list(RANGE, w.artist.auth), made.id).map((o) => o.title)).toEqual(Array(4).fill('Act 1 blocking'));
  });

  it('scope=following splits the series there: earlier occurrences unchanged, the rest changed in a new event', async () => {
    const w = await world('Split Opera');
    const made = await createEvent(w, weekly(w));
    const split = await ok<EventAnswer>(patch(w, made.id, `?scope=following&occurrence=${AT_19[2]}`, { start: `${TUE[2]}T18:00`, end: `${TUE[2]}T21:00`, title: 'Act 1 run' }));
    expect(split.id).not.toBe(made.id);
    expect(split).toMatchObject({ title: 'Act 1 run', start: `${TUE[2]}T18:00`, end: `${TUE[2]}T21:00`, rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=2', time_zone: 'America/New_York' });
    expect(split.participants!.map((p) => p.user_id).sort()).toEqual([w.artist.id, w.london.id].sort());

    const original = await readEvent(made.id, w.pm.auth);
    expect(original).toMatchObject({ title: 'Act 1 blocking', start: `${TUE[0]}T19:00`, rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=2', recurrence_ends_at: plus(AT_19[1], 3) });

    const all = (await list(`${RANGE}&tz=America/New_York`, w.artist.auth)).data;
    expect(all.map((o) => [o.event_id, o.title, o.local_start, o.starts_at])).toEqual([
      [made.id, 'Act 1 blocking', `${TUE[0]}T19:00`, AT_19[0]],
      [made.id, 'Act 1 blocking', `${TUE[1]}T19:00`, AT_19[1]],
      [split.id, 'Act 1 run', `${TUE[2]}T18:00`, `${TUE[2]}T22:00:00.000Z`],
      [split.id, 'Act 1 run', `${TUE[3]}T18:00`, `${TUE[3]}T22:00:00.000Z`],
    ]);
    // Reminders follow each part: none left for the moved-away occurrences under the old event.
    expect((await pending(w, made.id)).map((r) => r.key).sort()).toEqual([AT_19[0], AT_19[1]].flatMap((o) => [`event:${made.id}:${o}:24h`, `event:${made.id}:${o}:2h`]).sort());
    expect((await pending(w, split.id)).map((r) => r.fire_at.toISOString()).sort()).toEqual([
      plus(`${TUE[2]}T22:00:00.000Z`, -24), plus(`${TUE[2]}T22:00:00.000Z`, -2), plus(`${TUE[3]}T22:00:00.000Z`, -24), plus(`${TUE[3]}T22:00:00.000Z`, -2),
    ].sort());
  });

  it('scope=all changes every occurrence, keeping the local time on both sides of the clock change', async () => {
    const w = await world('All Opera');
    const made = await createEvent(w, weekly(w));
    const changed = await ok<EventAnswer>(patch(w, made.id, '?scope=all', { start: `${TUE[0]}T18:30`, end: `${TUE[0]}T21:30`, location: { name: 'Main Stage' } }));
    expect(changed).toMatchObject({ id: made.id, start: `${TUE[0]}T18:30`, end: `${TUE[0]}T21:30`, rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=4' });
    expect(changed.location).toMatchObject({ name: 'Main Stage', address: '10 Lincoln Center Plaza, New York' });
    const after = ofEvent(await list(`${RANGE}&tz=America/New_York`, w.artist.auth), made.id);
    const expected = [`${TUE[0]}T23:30:00.000Z`, `${TUE[1]}T23:30:00.000Z`, `${TUE[2]}T22:30:00.000Z`, `${TUE[3]}T22:30:00.000Z`];
    expect(after.map((o) => o.starts_at)).toEqual(expected);
    expect(after.map((o) => o.local_start)).toEqual(TUE.map((d) => `${d}T18:30`));
    expect(after.map((o) => o.location?.name)).toEqual(Array(4).fill('Main Stage'));

    expect((await scheduleChanges(w.artist, made.id)).length).toBeGreaterThanOrEqual(1);
    expect((await scheduleChanges(w.london, made.id)).length).toBeGreaterThanOrEqual(1);
    // Reminders rescheduled for the new times, none left at the old ones.
    expect((await pending(w, made.id)).map((r) => r.fire_at.toISOString()).sort()).toEqual(expected.flatMap((s) => [plus(s, -24), plus(s, -2)]).sort());

    // A change that matters to nobody's time or place (notes) is not announced.
    const toldBefore = (await scheduleChanges(w.artist, made.id)).length;
    await ok(patch(w, made.id, '?scope=all', { notes: 'Scores from the library' }));
    expect((await scheduleChanges(w.artist, made.id)).length).toBe(toldBefore);
  });

  it('cancelling one occurrence keeps its reason, shows it only with include_cancelled, tells participants and stops its reminders', async () => {
    const w = await world('Cancel One Opera');
    const made = await createEvent(w, weekly(w));
    expectProblem(await cancel(w, made.id, { scope: 'this', occurrence: AT_19[2] }), 400, 'validation_error');
    expectProblem(await cancel(w, made.id, { reason: 'Flood', scope: 'this', occurrence: plus(AT_19[2], 1) }), 400, 'validation_error');
    const answer = await ok<EventAnswer>(cancel(w, made.id, { reason: 'Venue flooded', scope: 'this', occurrence: AT_19[2] }));
    expect(answer.status).toBe('scheduled');
    expect(answer.exceptions).toMatchObject([{ occurrence: AT_19[2], cancelled: true }]);

    expect(ofEvent(await list(RANGE, w.artist.auth), made.id).map((o) => o.occurrence)).toEqual([AT_19[0], AT_19[1], AT_19[3]]);
    const withCancelled = ofEvent(await list(`${RANGE}&include_cancelled=true`, w.artist.auth), made.id);
    expect(withCancelled.map((o) => [o.occurrence, o.status, o.cancellation_reason])).toEqual([
      [AT_19[0], 'scheduled', null], [AT_19[1], 'scheduled', null], [AT_19[2], 'cancelled', 'Venue flooded'], [AT_19[3], 'scheduled', null],
    ]);
    const told = await scheduleChanges(w.artist, made.id);
    expect(told.length).toBeGreaterThanOrEqual(1);
    expect(told.map((n) => `${n.subject} ${n.body}`).join(' ')).toMatch(/Venue flooded/);
    expect((await pending(w, made.id)).filter((r) => r.key.includes(AT_19[2]))).toEqual([]);
    expect((await pending(w, made.id)).filter((r) => r.key.includes(AT_19[3]))).toHaveLength(2);

    expectProblem(await cancel(w, made.id, { reason: 'Again', scope: 'this', occurrence: AT_19[2] }), 409);
  });

  it('cancelling this and following leaves the earlier occurrences; cancelling all cancels the event, which then cannot be changed', async () => {
    const w = await world('Cancel Rest Opera');
    const rest = await createEvent(w, weekly(w));
    await ok(cancel(w, rest.id, { reason: 'Tour cut short', scope: 'following', occurrence: AT_19[1] }));
    expect((await list(RANGE, w.artist.auth)).data.map((o) => o.starts_at)).toEqual([AT_19[0]]);
    const shown = (await list(`${RANGE}&include_cancelled=true`, w.artist.auth)).data;
    expect(shown.map((o) => [o.starts_at, o.status])).toEqual([[AT_19[0], 'scheduled'], [AT_19[1], 'cancelled'], [AT_19[2], 'cancelled'], [AT_19[3], 'cancelled']]);
    expect(shown.slice(1).every((o) => o.cancellation_reason === 'Tour cut short')).toBe(true);

    const whole = await createEvent(w, weekly(w, { title: 'Act 2', start: `${TUE[0]}T10:00`, end: `${TUE[0]}T13:00` }));
    const cancelled = await ok<EventAnswer>(cancel(w, whole.id, { reason: 'Production postponed' }));
    expect(cancelled).toMatchObject({ status: 'cancelled', cancellation_reason: 'Production postponed' });
    expect(ofEvent(await list(RANGE, w.artist.auth), whole.id)).toEqual([]);
    expect(ofEvent(await list(`${RANGE}&include_cancelled=true`, w.artist.auth), whole.id).map((o) => [o.status, o.cancellation_reason]))
      .toEqual(Array(4).fill(['cancelled', 'Production postponed']));
    expect(await pending(w, whole.id)).toEqual([]);
    expect((await scheduleChanges(w.london, whole.id)).length).toBeGreaterThanOrEqual(1);
    expectProblem(await patch(w, whole.id, '?scope=all', { title: 'Revived' }), 409, 'conflict');
    expectProblem(await call('POST', `/api/v1/events/${whole.id}/acknowledge`, w.artist.auth, {}), 409, 'conflict');
  });
});

describe('participants', () => {
  it('RSVP and acknowledgment with a note: the manager sees them in the list of people; the artist sees only her own part', async () => {
    const w = await world('Answer Opera');
    const deadline = plus(AT_19[0], -72);
    const made = await createEvent(w, weekly(w, { acknowledgment_deadline: deadline }));
    const ask = async () => (await pending(w, made.id)).find((r) => r.key === `event:${made.id}:acknowledge`);
    expect((await ask())?.fire_at.toISOString()).toBe(plus(deadline, -24));
    expect([...(await ask())!.notification.recipients].sort()).toEqual([w.artist.id, w.london.id].sort());

    expectProblem(await call('POST', `/api/v1/events/${made.id}/rsvp`, w.artist.auth, { status: 'maybe' }), 400, 'validation_error');
    const rsvp = await ok<Body>(call('POST', `/api/v1/events/${made.id}/rsvp`, w.artist.auth, { status: 'confirmed' }));
    expect(rsvp).toMatchObject({ event_id: made.id, user_id: w.artist.id, rsvp: 'confirmed' });
    const before = Date.now();
    const ack = await ok<Body>(call('POST', `/api/v1/events/${made.id}/acknowledge`, w.artist.auth, { note: 'Arriving 10 minutes late on the 17th' }));
    expect(ack).toMatchObject({ user_id: w.artist.id, rsvp: 'confirmed', acknowledgment_note: 'Arriving 10 minutes late on the 17th' });
    expect(Math.abs(Date.parse(String(ack.acknowledged_at)) - before)).toBeLessThan(60_000);
    // Who has acknowledged is no longer asked to.
    expect((await ask())?.notification.recipients).toEqual([w.london.id]);
    await ok(call('POST', `/api/v1/events/${made.id}/rsvp`, w.london.auth, { status: 'declined' }));

    const managerView = await readEvent(made.id, w.pm.auth);
    const byId = new Map(managerView.participants!.map((p) => [p.user_id, p]));
    expect(byId.get(w.artist.id)).toMatchObject({ rsvp: 'confirmed', acknowledged_at: ack.acknowledged_at, acknowledgment_note: 'Arriving 10 minutes late on the 17th' });
    expect(byId.get(w.london.id)).toMatchObject({ rsvp: 'declined', acknowledged_at: null, acknowledgment_note: null });

    const artistView = await readEvent(made.id, w.artist.auth);
    expect(artistView).not.toHaveProperty('participants');
    expect(artistView.my_participation).toEqual({ role: 'Mimì', rsvp: 'confirmed', acknowledged_at: ack.acknowledged_at, acknowledgment_note: 'Arriving 10 minutes late on the 17th' });
    expect(artistView.allowed_actions).toContain('events:respond');
    expect(ofEvent(await list(RANGE, w.artist.auth), made.id)[0]!.my_participation).toMatchObject({ rsvp: 'confirmed', acknowledgment_note: 'Arriving 10 minutes late on the 17th' });

    // Someone who declined is not reminded; the others are.
    for (const r of (await pending(w, made.id)).filter((x) => !x.key.endsWith(':acknowledge'))) {
      expect(r.notification.recipients, r.key).toEqual([w.artist.id]);
    }
    expect(await ask()).toBeUndefined();
  });

  it('check-in and check-out at one occurrence, by the participant or by a manager for them', async () => {
    const w = await world('Attendance Opera');
    const made = await createEvent(w, weekly(w));
    const url = (kind: string) => `/api/v1/events/${made.id}/${kind}`;
    const inAt = await ok<Body>(call('POST', url('check-in'), w.artist.auth, { occurrence: AT_19[0] }));
    expect(inAt).toMatchObject({ event_id: made.id, user_id: w.artist.id, occurrence: AT_19[0], checked_out_at: null });
    expect(typeof inAt.checked_in_at).toBe('string');
    const outAt = await ok<Body>(call('POST', url('check-out'), w.artist.auth, { occurrence: AT_19[0] }));
    expect(outAt).toMatchObject({ user_id: w.artist.id, occurrence: AT_19[0], checked_in_at: inAt.checked_in_at });
    expect(Date.parse(String(outAt.checked_out_at))).toBeGreaterThanOrEqual(Date.parse(String(inAt.checked_in_at)));

    const forHer = await ok<Body>(call('POST', url('check-in'), w.pm.auth, { occurrence: AT_19[1], user_id: w.london.id }));
    expect(forHer).toMatchObject({ user_id: w.london.id, occurrence: AT_19[1], checked_out_at: null });

    expectProblem(await call('POST', url('check-out'), w.artist.auth, { occurrence: AT_19[2] }), 409);
    expectProblem(await call('POST', url('check-in'), w.artist.auth, { occurrence: AT_19[1], user_id: w.london.id }), 403, 'forbidden');
    expectProblem(await call('POST', url('check-in'), w.artist.auth, { occurrence: plus(AT_19[1], 1) }), 400, 'validation_error');
    expectProblem(await call('POST', url('check-in'), w.cover.auth, { occurrence: AT_19[1] }), 404, 'event_not_found');
    expectProblem(await call('POST', url('check-in'), w.pm.auth, { occurrence: AT_19[1], user_id: w.cover.id }), 404);

    const rows = await db(w, (trx) => trx.selectFrom('event_attendance').select(['user_id', 'occurrence', 'checked_in_at', 'checked_out_at', 'recorded_by']).where('event_id', '=', made.id).execute());
    expect(rows.map((r) => [r.user_id, r.occurrence.toISOString(), Boolean(r.checked_in_at), Boolean(r.checked_out_at)]).sort()).toEqual([
      [w.artist.id, AT_19[0], true, true], [w.london.id, AT_19[1], true, false],
    ].sort());
    expect(rows.find((r) => r.user_id === w.london.id)?.recorded_by).toBe(w.pm.id);
  });

  it('PUT participants replaces the list: people kept keep their answers, people removed lose the event, non-members are refused', async () => {
    const w = await world('Cast Change Opera');
    const made = await createEvent(w, weekly(w, { max_participants: 2 }));
    await ok(call('POST', `/api/v1/events/${made.id}/rsvp`, w.artist.auth, { status: 'tentative' }));
    await ok(call('POST', `/api/v1/events/${made.id}/acknowledge`, w.artist.auth, { note: 'OK' }));

    const put = (participants: Body[]) => call('PUT', `/api/v1/events/${made.id}/participants`, w.pm.auth, { participants });
    const replaced = await ok<EventAnswer>(put([{ user_id: w.artist.id, role: 'Mimì (matinées)' }, { user_id: w.cover.id, role: 'Musetta (cover)' }]));
    const byId = new Map(replaced.participants!.map((p) => [p.user_id, p]));
    expect([...byId.keys()].sort()).toEqual([w.artist.id, w.cover.id].sort());
    expect(byId.get(w.artist.id)).toMatchObject({ role: 'Mimì (matinées)', rsvp: 'tentative', acknowledgment_note: 'OK' });
    expect(byId.get(w.artist.id)!.acknowledged_at).not.toBeNull();
    expect(byId.get(w.cover.id)).toMatchObject({ role: 'Musetta (cover)', rsvp: 'invited', acknowledged_at: null });

    expect(ofEvent(await list(RANGE, w.london.auth), made.id)).toEqual([]);
    expectProblem(await call('GET', `/api/v1/events/${made.id}`, w.london.auth), 404, 'event_not_found');
    expect(ofEvent(await list(RANGE, w.cover.auth), made.id)).toHaveLength(4);
    for (const r of (await pending(w, made.id))) expect([...r.notification.recipients].sort(), r.key).toEqual([w.artist.id, w.cover.id].sort());

    // Refused, and the list stays as it is.
    expectProblem(await put([{ user_id: w.artist.id }, { user_id: other.users.artist.id }]), 404);
    expectProblem(await put([{ user_id: '00000000-0000-4000-8000-000000000001' }]), 404);
    expectProblem(await put([{ user_id: w.artist.id }, { user_id: w.artist.id }]), 400, 'validation_error');
    expectProblem(await put([{ user_id: w.artist.id }, { user_id: w.cover.id }, { user_id: w.london.id }]), 400, 'validation_error');
    expect((await readEvent(made.id, w.pm.auth)).participants!.map((p) => p.user_id).sort()).toEqual([w.artist.id, w.cover.id].sort());
  });
});

describe('history, conflicts, notifications, reminders and audit', () => {
  it('GET /events/:id/updates says who changed what, with previous and new values', async () => {
    const w = await world('History Opera');
    const made = await createEvent(w, weekly(w));
    await ok(patch(w, made.id, '?scope=all', { title: 'Act 1 staging' }));
    await ok(patch(w, made.id, `?scope=this&occurrence=${AT_19[1]}`, { start: `${TUE[1]}T20:00`, end: `${TUE[1]}T23:00` }));
    await ok(cancel(w, made.id, { reason: 'Conductor ill', scope: 'this', occurrence: AT_19[2] }));

    type Update = { change: string; occurrence: string | null; previous: Body; current: Body; changed_by: { id: string; name: string } | null; created_at: string };
    for (const reader of [w.pm, w.artist]) {
      const { data } = await ok<{ data: Update[] }>(call('GET', `/api/v1/events/${made.id}/updates`, reader.auth));
      expect(data, reader.email).toHaveLength(4);
      for (const u of data) {
        expect(u.changed_by?.id).toBe(w.pm.id);
        expect(u.changed_by?.name.length).toBeGreaterThan(0);
      }
      const titled = data.find((u) => u.current.title === 'Act 1 staging');
      expect(titled).toMatchObject({ occurrence: null, previous: { title: 'Act 1 blocking' }, current: { title: 'Act 1 staging' } });
      const movedOne = data.find((u) => u.occurrence === AT_19[1]);
      expect(movedOne).toMatchObject({ previous: { start: `${TUE[1]}T19:00` }, current: { start: `${TUE[1]}T20:00` } });
      const cancelledOne = data.find((u) => u.occurrence === AT_19[2]);
      expect(cancelledOne?.current).toMatchObject({ cancelled: true, cancellation_reason: 'Conductor ill' });
      expect(cancelledOne?.previous).toMatchObject({ cancelled: false });
    }
  });

  it('finds overlaps for a person and a venue and short turnarounds, warns on create and move, and ignores cancelled calls and people who declined', async () => {
    const w = await world('Conflict Opera');
    const D = dateOf(6, 15);
    const D1 = nextDay(D);
    const at = (date: string, from: string, to: string, title: string, people: TestUser[], place?: string, zone = 'Europe/London') => createEvent(w, {
      type: 'rehearsal', title, time_zone: zone, start: `${date}T${from}`, end: `${date}T${to}`,
      participants: people.map((p) => ({ user_id: p.id })), ...(place ? { location: { name: place } } : {}),
    });
    const e1 = await at(D, '10:00', '13:00', 'Music call', [w.artist], 'Studio A');
    expect(e1.conflicts).toEqual([]);
    const e2 = await at(D, '12:00', '14:00', 'Wig fitting', [w.artist], 'Wardrobe');
    expect(e2.conflicts).toEqual([expect.objectContaining({ kind: 'participant_overlap', user_id: w.artist.id, event_id: e2.id, other_event_id: e1.id })]);
    const e3 = await at(D, '12:30', '13:30', 'Press interview', [w.org.users.accountant], 'Studio A');
    expect(e3.conflicts).toEqual([expect.objectContaining({ kind: 'venue_overlap', event_id: e3.id, other_event_id: e1.id })]);
    const e4 = await at(D, '19:00', '23:00', 'Dress rehearsal', [w.london], 'Main Stage');
    const e5 = await at(D1, '07:00', '09:00', 'Breakfast TV', [w.london], 'Broadcasting House');
    expect(e5.conflicts).toEqual([expect.objectContaining({ kind: 'short_turnaround', user_id: w.london.id, event_id: e5.id, other_event_id: e4.id })]);
    // Enough rest (18 h), and a short gap on the same day: neither is a turnaround problem.
    const e6 = await at(D, '14:00', '16:00', 'Coaching', [w.cover], 'Room 3');
    await at(D, '17:00', '18:00', 'Diction', [w.cover], 'Room 4');
    const e7 = await at(D1, '10:00', '12:00', 'Cover run', [w.cover], 'Room 5');
    expect(e7.conflicts).toEqual([]);
    // Declined: does not count.
    const admin = w.org.users.admin;
    await at(D, '09:00', '10:00', 'Budget', [admin], 'Office');
    const e9 = await at(D, '09:30', '10:30', 'Auditions', [admin], 'Hall');
    await ok(call('POST', `/api/v1/events/${e9.id}/rsvp`, admin.auth, { status: 'declined' }));
    // A touring clash across zones: 09:30 in New York is 14:30 in London.
    const e12 = await at(D, '09:30', '10:30', 'Call from New York', [w.cover], undefined, 'America/New_York');
    expect(e12.conflicts).toEqual([expect.objectContaining({ kind: 'participant_overlap', user_id: w.cover.id, event_id: e12.id, other_event_id: e6.id })]);

    type Found = Conflict & { other_event_id: string; other_occurrence: string };
    const conflicts = async () => (await ok<{ data: Found[] }>(call('GET', `/api/v1/events/conflicts?from=${D}&to=${D1}&tz=Europe/London`, w.org.users.accountant.auth))).data;
    const describe = (c: Found) => `${c.kind}|${c.user_id ?? ''}|${[c.event_id, c.other_event_id].sort().join(',')}`;
    const found = await conflicts();
    expect(found.map(describe).sort()).toEqual([
      `participant_overlap|${w.artist.id}|${[e1.id, e2.id].sort().join(',')}`,
      `venue_overlap||${[e1.id, e3.id].sort().join(',')}`,
      `short_turnaround|${w.london.id}|${[e4.id, e5.id].sort().join(',')}`,
      `participant_overlap|${w.cover.id}|${[e6.id, e12.id].sort().join(',')}`,
    ].sort());
    const startOf = new Map([e1, e2, e3, e4, e5, e6, e12].map((e) => [e.id, e.starts_at]));
    for (const c of found) {
      expect(c.message.length).toBeGreaterThan(0);
      expect(c.occurrence).toBe(startOf.get(c.event_id!));
      expect(c.other_occurrence).toBe(startOf.get(c.other_event_id));
    }

    // Moving a call onto another warns; cancelling one clears its conflicts.
    const moved = await ok<EventAnswer>(patch(w, e7.id, '?scope=all', { start: `${D}T15:00`, end: `${D}T17:00` }));
    expect(moved.conflicts).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'participant_overlap', user_id: w.cover.id, event_id: e7.id, other_event_id: e6.id })]));
    await ok(cancel(w, e2.id, { reason: 'Wigs late' }));
    expect((await conflicts()).some((c) => c.kind === 'participant_overlap' && c.user_id === w.artist.id)).toBe(false);

    expectProblem(await call('GET', `/api/v1/events/conflicts?from=${D}&to=${D1}`, w.artist.auth), 403, 'forbidden');
  });

  it('creating a series schedules reminders 24 h and 2 h before every future occurrence for the people taking part', async () => {
    const w = await world('Reminder Opera');
    const made = await createEvent(w, weekly(w));
    const rows = await pending(w, made.id);
    expect(rows.map((r) => r.key).sort()).toEqual(AT_19.flatMap((o) => [`event:${made.id}:${o}:24h`, `event:${made.id}:${o}:2h`]).sort());
    for (const r of rows) {
      const hours = r.key.endsWith(':24h') ? 24 : 2;
      const start = r.key.slice(`event:${made.id}:`.length, -(hours === 24 ? ':24h' : ':2h').length);
      expect(r.fire_at.toISOString(), r.key).toBe(plus(start, -hours));
      expect(r.notification.type).toBe('schedule_reminder');
      expect([...r.notification.recipients].sort()).toEqual([w.artist.id, w.london.id].sort());
    }

    // Nothing for occurrences already past (or reminders whose time has gone): a daily series started two days ago.
    const hour = Math.floor(Date.now() / HOUR) * HOUR;
    const first = new Date(hour - 48 * HOUR).toISOString();
    const daily = await createEvent(w, { type: 'call_time', title: 'Warm-up', time_zone: 'UTC', start: first, end: plus(first, 1), rrule: 'FREQ=DAILY;COUNT=5', participants: [{ user_id: w.artist.id }] });
    expect((await pending(w, daily.id)).map((r) => r.key).sort()).toEqual([
      `event:${daily.id}:${plus(first, 72)}:2h`, `event:${daily.id}:${plus(first, 96)}:24h`, `event:${daily.id}:${plus(first, 96)}:2h`,
    ].sort());
  });

  it('every change writes one audit row, by whoever made it', async () => {
    const w = await world('Audit Opera');
    const made = await createEvent(w, weekly(w));
    const id = made.id;
    const steps: [string, TestUser, () => Promise<Answer>][] = [
      ['change all', w.pm, () => patch(w, id, '?scope=all', { title: 'Act 1 staging' })],
      ['change one', w.pm, () => patch(w, id, `?scope=this&occurrence=${AT_19[1]}`, { start: `${TUE[1]}T20:00`, end: `${TUE[1]}T23:00` })],
      ['cancel one', w.pm, () => cancel(w, id, { reason: 'Holiday', scope: 'this', occurrence: AT_19[2] })],
      ['participants', w.pm, () => call('PUT', `/api/v1/events/${id}/participants`, w.pm.auth, { participants: [{ user_id: w.artist.id }, { user_id: w.cover.id }] })],
      ['rsvp', w.artist, () => call('POST', `/api/v1/events/${id}/rsvp`, w.artist.auth, { status: 'confirmed' })],
      ['acknowledge', w.artist, () => call('POST', `/api/v1/events/${id}/acknowledge`, w.artist.auth, { note: 'Fine' })],
      ['check-in', w.artist, () => call('POST', `/api/v1/events/${id}/check-in`, w.artist.auth, { occurrence: AT_19[0] })],
      ['check-out', w.artist, () => call('POST', `/api/v1/events/${id}/check-out`, w.artist.auth, { occurrence: AT_19[0] })],
      ['cancel all', w.pm, () => cancel(w, id, { reason: 'Postponed' })],
    ];
    let rows = await auditActions(w, id);
    expect(rows.map((r) => [r.action, r.actor_id])).toEqual([['create', w.pm.id]]);
    for (const [name, actor, step] of steps) {
      await ok(step());
      const next = await auditActions(w, id);
      expect(next.length, name).toBe(rows.length + 1);
      expect(next.at(-1)!.actor_id, name).toBe(actor.id);
      rows = next;
    }
    expect(rows).toHaveLength(steps.length + 1);

    // Splitting a series audits both parts.
    const series = await createEvent(w, weekly(w, { title: 'Act 3' }));
    const split = await ok<EventAnswer>(patch(w, series.id, `?scope=following&occurrence=${AT_19[2]}`, { title: 'Act 3 run' }));
    expect((await auditActions(w, series.id)).length).toBeGreaterThanOrEqual(2);
    expect((await auditActions(w, split.id)).length).toBeGreaterThanOrEqual(1);
  });
});
