import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import { addUser, createOrganization, startTestApp, type TestApp, type TestOrganization, type TestUser } from '../helpers/app.js';
import { expectProblem, multipart, samples } from './support.js';

/**
 * Schedules (issue 7), the cases schedules.test.ts leaves out: exceptions that stay on their day
 * when a split series is moved, people told when they leave an event, and the organization's own
 * rest rule, and attachments only the event's people can open. Future dates (2030) so reminders
 * are scheduled.
 */
let t: TestApp;
let org: TestOrganization;
let other: TestOrganization;
let second: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  org = await createOrganization(t.services, 'Schedule Company');
  other = await createOrganization(t.services, 'Other Company');
  second = await addUser(t.services, org.id, 'artist', `second-${org.id.slice(0, 8)}@example.com`);
});
afterAll(async () => t?.close());

const pm = () => org.users.production_manager.auth;
type Body = Record<string, unknown>;
const create = (payload: Body, headers = pm()) => t.app.inject({ method: 'POST', url: '/api/v1/events', headers, payload });
const createOk = async (payload: Body) => {
  const res = await create(payload);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; starts_at: string; rrule: string | null; conflicts: { kind: string; user_id?: string; other_event_id: string }[] };
};
const list = async (query: string, headers = org.users.artist.auth) => {
  const res = await t.app.inject({ url: `/api/v1/events?${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { data: { event_id: string; occurrence: string; starts_at: string; local_start: string; title: string; status: string; cancellation_reason: string | null; modified: boolean; my_participation: unknown }[]; time_zone: string };
};
const db = <T>(fn: Parameters<typeof withTenant<T>>[2]) => withTenant(t.services.database.db, { organizationId: org.id }, fn);
const rehearsal = (extra: Body = {}): Body => ({
  type: 'rehearsal', title: 'Act 2', time_zone: 'America/New_York', start: '2030-03-05T19:00', end: '2030-03-05T21:00',
  rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=4', location: { name: 'Studio 2', address: '1 Stage Door Lane' },
  participants: [{ user_id: org.users.artist.id, role: 'Mimì' }], ...extra,
});

describe('changing a series', () => {
  it('this and following splits the series; all moves every occurrence and keeps the exceptions on theirs', async () => {
    const made = await createOk(rehearsal({ title: 'Split test', start: '2030-09-03T19:00', end: '2030-09-03T21:00' }));
    const third = '2030-09-17T23:00:00.000Z';
    const split = await t.app.inject({ method: 'PATCH', url: `/api/v1/events/${made.id}?scope=following&occurrence=${third}`, headers: pm(), payload: { title: 'Split test (new room)', location: { name: 'Studio 5' } } });
    expect(split.statusCode, split.body).toBe(200);
    const later = split.json() as { id: string; series_id: string; rrule: string; participants: unknown[] };
    expect(later).toMatchObject({ series_id: made.id, rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=2', participants: [expect.objectContaining({ role: 'Mimì' })] });
    expect(later.id).not.toBe(made.id);
    const september = (await list('from=2030-09-01&to=2030-09-30&tz=America/New_York')).data.filter((o) => o.title.startsWith('Split test'));
    expect(september.map((o) => [o.local_start, o.title])).toEqual([
      ['2030-09-03T19:00', 'Split test'], ['2030-09-10T19:00', 'Split test'], ['2030-09-17T19:00', 'Split test (new room)'], ['2030-09-24T19:00', 'Split test (new room)'],
    ]);

    // Cancel the first occurrence, then move the (earlier) series an hour later: the cancellation stays on its day.
    const firstOccurrence = '2030-09-03T23:00:00.000Z';
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/events/${made.id}/cancel`, headers: pm(), payload: { reason: 'Labor Day week', scope: 'this', occurrence: firstOccurrence } })).statusCode).toBe(200);
    const moved = await t.app.inject({ method: 'PATCH', url: `/api/v1/events/${made.id}?scope=all`, headers: pm(), payload: { start: '2030-09-03T20:00', end: '2030-09-03T22:00' } });
    expect(moved.statusCode, moved.body).toBe(200);
    const after = (await list('from=2030-09-01&to=2030-09-15&tz=America/New_York&include_cancelled=true')).data.filter((o) => o.event_id === made.id);
    expect(after.map((o) => [o.local_start, o.status, o.cancellation_reason])).toEqual([
      ['2030-09-03T20:00', 'cancelled', 'Labor Day week'], ['2030-09-10T20:00', 'scheduled', null],
    ]);
    const scheduledOnly = (await list('from=2030-09-01&to=2030-09-15')).data.filter((o) => o.event_id === made.id);
    expect(scheduledOnly).toHaveLength(1);
  });

});

describe('participants and conflicts', () => {
  it('replacing the list keeps answers of those kept, tells who was added and removed, and refuses outsiders', async () => {
    const made = await createOk(rehearsal({ title: 'Casting', rrule: null, start: '2030-11-05T10:00', end: '2030-11-05T12:00' }));
    await t.app.inject({ method: 'POST', url: `/api/v1/events/${made.id}/acknowledge`, headers: org.users.artist.auth, payload: { note: 'ok' } });
    const put = await t.app.inject({ method: 'PUT', url: `/api/v1/events/${made.id}/participants`, headers: pm(), payload: { participants: [{ user_id: org.users.artist.id, role: 'Musetta' }, { user_id: second.id }] } });
    expect(put.statusCode, put.body).toBe(200);
    expect((put.json() as { participants: Body[] }).participants).toEqual(expect.arrayContaining([
      expect.objectContaining({ user_id: org.users.artist.id, role: 'Musetta', acknowledgment_note: 'ok' }),
      expect.objectContaining({ user_id: second.id, rsvp: 'invited' }),
    ]));
    expectProblem(await t.app.inject({ method: 'PUT', url: `/api/v1/events/${made.id}/participants`, headers: pm(), payload: { participants: [{ user_id: other.users.artist.id }] } }), 404, 'not_found');
    const removed = await t.app.inject({ method: 'PUT', url: `/api/v1/events/${made.id}/participants`, headers: pm(), payload: { participants: [{ user_id: second.id }] } });
    expect(removed.statusCode).toBe(200);
    const told = await db((trx) => trx.selectFrom('notifications').select('subject').where('user_id', '=', org.users.artist.id).where('subject', '=', 'No longer on your schedule: Casting').execute());
    expect(told).toHaveLength(1);
  });

  it('warns of a person called twice, a room booked twice and too little rest, and lists them for a range', async () => {
    const zone = 'Europe/London';
    const base = await createOk({ type: 'rehearsal', title: 'Evening call', time_zone: zone, start: '2031-01-07T19:00', end: '2031-01-07T23:00', location: { name: 'Main Stage' }, participants: [{ user_id: second.id }] });
    const overlap = await createOk({ type: 'fitting', title: 'Fitting', time_zone: zone, start: '2031-01-07T20:00', end: '2031-01-07T21:00', location: { name: 'Wardrobe' }, participants: [{ user_id: second.id }] });
    expect(overlap.conflicts).toEqual([expect.objectContaining({ kind: 'participant_overlap', user_id: second.id, other_event_id: base.id })]);
    const room = await createOk({ type: 'meeting', title: 'Press', time_zone: zone, start: '2031-01-07T22:00', end: '2031-01-07T23:30', location: { name: 'main stage' } });
    expect(room.conflicts).toEqual([expect.objectContaining({ kind: 'venue_overlap', other_event_id: base.id })]);
    const early = await createOk({ type: 'call_time', title: 'Early call', time_zone: zone, start: '2031-01-08T07:00', end: '2031-01-08T09:00', participants: [{ user_id: second.id }] });
    expect(early.conflicts).toEqual([expect.objectContaining({ kind: 'short_turnaround', user_id: second.id, other_event_id: base.id })]);
    const all = await t.app.inject({ url: '/api/v1/events/conflicts?from=2031-01-07&to=2031-01-08', headers: pm() });
    expect((all.json() as { data: { kind: string }[] }).data.map((c) => c.kind).sort()).toEqual(['participant_overlap', 'short_turnaround', 'venue_overlap']);
    expectProblem(await t.app.inject({ url: '/api/v1/events/conflicts', headers: org.users.artist.auth }), 403, 'forbidden');
    // Declining takes a person out of the count.
    await t.app.inject({ method: 'POST', url: `/api/v1/events/${overlap.id}/rsvp`, headers: second.auth, payload: { status: 'declined' } });
    const afterDecline = await t.app.inject({ url: '/api/v1/events/conflicts?from=2031-01-07&to=2031-01-08', headers: pm() });
    expect((afterDecline.json() as { data: { kind: string }[] }).data.map((c) => c.kind).sort()).toEqual(['short_turnaround', 'venue_overlap']);
    // The rest rule is the organization's: with 6 hours, 8 hours of rest is enough.
    const setting = await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: org.users.admin.auth, payload: { settings: { schedule_min_turnaround_hours: 6 } } });
    expect(setting.statusCode, setting.body).toBe(200);
    const relaxed = await t.app.inject({ url: '/api/v1/events/conflicts?from=2031-01-07&to=2031-01-08', headers: pm() });
    expect((relaxed.json() as { data: { kind: string }[] }).data.map((c) => c.kind)).toEqual(['venue_overlap']);
  });
});

describe('attachments', () => {
  const uploadFile = async (url: string, headers: Record<string, string>, fields: Record<string, string> = {}) => {
    const body = multipart([{ filename: 'running-order.pdf', contentType: 'application/pdf', data: samples.pdf }], fields);
    const res = await t.app.inject({ method: 'POST', url, headers: { ...headers, ...body.headers }, payload: body.payload });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as Record<string, unknown>;
  };

  it('participants open an attachment through a short-lived link; nobody else can, and only general uploads can be attached', async () => {
    const file = await uploadFile('/api/v1/files', pm());
    const made = await createOk(rehearsal({ title: 'Tech run', rrule: null, start: '2030-12-03T10:00', end: '2030-12-03T12:00', attachment_file_ids: [file.id] }));
    const detail = (await t.app.inject({ url: `/api/v1/events/${made.id}`, headers: org.users.artist.auth })).json() as { attachments: { file_id: string; filename: string }[] };
    expect(detail.attachments).toEqual([{ file_id: file.id, filename: 'running-order.pdf' }]);

    const link = await t.app.inject({ url: `/api/v1/events/${made.id}/attachments/${String(file.id)}`, headers: org.users.artist.auth });
    expect(link.statusCode, link.body).toBe(200);
    const served = await t.app.inject({ url: new URL((link.json() as { url: string }).url).pathname });
    expect(served.statusCode).toBe(200);
    expect(served.rawPayload.equals(samples.pdf)).toBe(true);

    // Not taking part, another organization, a file not attached: the same 404s as for any unknown id.
    expectProblem(await t.app.inject({ url: `/api/v1/events/${made.id}/attachments/${String(file.id)}`, headers: second.auth }), 404, 'event_not_found');
    expectProblem(await t.app.inject({ url: `/api/v1/events/${made.id}/attachments/${String(file.id)}`, headers: other.users.admin.auth }), 404, 'event_not_found');
    expectProblem(await t.app.inject({ url: `/api/v1/events/${made.id}/attachments/${crypto.randomUUID()}`, headers: org.users.artist.auth }), 404, 'not_found');

    // A contract's document is not an attachment: attaching it would show it to every participant.
    const contract = await uploadFile('/api/v1/contracts', org.users.admin.auth, { data: JSON.stringify({ title: 'Private fee agreement' }) });
    const contractFileId = (contract.versions as { file: { id: string } }[])[0]!.file.id;
    const refused = await create(rehearsal({ title: 'Leaky', rrule: null, start: '2030-12-04T10:00', end: '2030-12-04T12:00', attachment_file_ids: [contractFileId] }), org.users.admin.auth);
    expect(expectProblem(refused, 404, 'not_found').errors).toEqual([{ field: 'body.attachment_file_ids.0', message: 'No such file' }]);
  });

  it('files are added to and taken off an existing event; history, audit and links follow', async () => {
    const made = await createOk(rehearsal({ title: 'Costume parade', rrule: null, start: '2030-12-05T10:00', end: '2030-12-05T12:00' }));
    const url = `/api/v1/events/${made.id}/attachments`;
    const [plot, list] = [await uploadFile('/api/v1/files', pm()), await uploadFile('/api/v1/files', org.users.admin.auth)];
    const put = (file_ids: unknown[], headers = pm()) => t.app.inject({ method: 'PUT', url, headers, payload: { file_ids } });

    // The production manager may attach only what they can open: the admin's upload is not theirs.
    expect(expectProblem(await put([plot.id, list.id]), 404, 'not_found').errors).toEqual([{ field: 'body.file_ids.1', message: 'No such file' }]);
    expect((await t.app.inject({ url: `/api/v1/events/${made.id}`, headers: pm() })).json().attachments).toEqual([]);
    const both = await put([plot.id, list.id], org.users.admin.auth);
    expect(both.statusCode, both.body).toBe(200);
    expect((both.json() as { attachments: { file_id: string }[] }).attachments.map((a) => a.file_id).sort()).toEqual([plot.id, list.id].sort());

    // The artist opens the new file; the production manager may now take off the admin's file while keeping the other.
    const link = await t.app.inject({ url: `${url}/${String(list.id)}`, headers: org.users.artist.auth });
    expect(link.statusCode, link.body).toBe(200);
    const kept = await put([list.id]);
    expect(kept.statusCode, kept.body).toBe(200);
    expect((kept.json() as { attachments: { file_id: string }[] }).attachments.map((a) => a.file_id)).toEqual([list.id]);
    expectProblem(await t.app.inject({ url: `${url}/${String(plot.id)}`, headers: org.users.artist.auth }), 404, 'not_found');

    // The history and the audit trail say what changed and who changed it.
    const updates = (await t.app.inject({ url: `/api/v1/events/${made.id}/updates`, headers: pm() })).json() as { data: { change: string; previous: { attachments?: { file_id: string }[] }; current: { attachments?: { file_id: string }[] } }[] };
    const changes = updates.data.filter((u) => u.change === 'attachments');
    expect(changes.map((u) => [u.previous.attachments?.length, u.current.attachments?.length])).toEqual(expect.arrayContaining([[0, 2], [2, 1]]));
    const audited = await db((trx) => trx.selectFrom('audit_logs').select(['action', 'actor_id']).where('entity_id', '=', made.id).where('action', '=', 'event.attachments').execute());
    expect(audited.map((a) => a.actor_id).sort()).toEqual([org.users.admin.id, org.users.production_manager.id].sort());

    // Artists cannot change them, nor can another organization; bad bodies change nothing.
    expectProblem(await put([], org.users.artist.auth), 403, 'forbidden');
    expectProblem(await put([], other.users.admin.auth), 404, 'event_not_found');
    expectProblem(await put(['not-a-uuid']), 400, 'validation_error');
    expectProblem(await t.app.inject({ method: 'PUT', url, headers: pm(), payload: { file_ids: [], extra: 1 } }), 400, 'validation_error');
    expect((await t.app.inject({ url: `/api/v1/events/${made.id}`, headers: pm() })).json().attachments.map((a: { file_id: string }) => a.file_id)).toEqual([list.id]);

    // A cancelled event keeps what it had.
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/events/${made.id}/cancel`, headers: pm(), payload: { reason: 'Parade moved to next season' } })).statusCode).toBe(200);
    expectProblem(await put([]), 409, 'conflict');
  });
});
