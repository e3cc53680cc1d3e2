import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import { localDate, organizationTimeZone, sweepContractDeadlines } from '../../src/server/modules/contracts/contracts.jobs.js';
import { addUser, createOrganization, startTestApp, type TestApp, type TestOrganization, type TestUser } from '../helpers/app.js';
import { expectProblem, multipart, samples } from './support.js';

/** Issue 5 item 7: reminders on the contract's cadence and expiry after its signing deadline. */
let t: TestApp;
let org: TestOrganization;

beforeAll(async () => {
  t = await startTestApp();
  org = await createOrganization(t.services, 'Deadlines');
});
afterAll(async () => t?.close());

const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

async function contractFor(people: TestUser[], extra: Record<string, unknown>) {
  const body = multipart([{ filename: 'c.pdf', contentType: 'application/pdf', data: samples.pdf }], { data: JSON.stringify({ title: `Deadline ${Math.random().toString(36).slice(2, 8)}`, ...extra }) });
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/contracts', headers: { ...org.users.admin.auth, ...body.headers }, payload: body.payload });
  expect(res.statusCode, res.body).toBe(201);
  const { id } = res.json() as { id: string };
  await t.app.inject({ method: 'POST', url: `/api/v1/contracts/${id}/assign`, headers: org.users.admin.auth, payload: { artist_ids: people.map((p) => p.id) } });
  return id;
}

const inOrg = <T>(fn: Parameters<typeof withTenant<T>>[2]) => withTenant(t.services.database.db, { organizationId: org.id }, fn);

/** Moves a contract's assignments (and optionally its deadline) into the past. */
const backdate = (contractId: string, days: number, deadline?: string) => inOrg(async (trx) => {
  await trx.updateTable('contract_assignments').set({ sent_at: sql<Date>`sent_at - make_interval(days => ${days})` })
    .where('organization_id', '=', org.id).where('contract_id', '=', contractId).execute();
  if (deadline) await trx.updateTable('contracts').set({ signing_deadline: deadline }).where('organization_id', '=', org.id).where('id', '=', contractId).execute();
});

const reminders = (userId: string, contractId: string) => inOrg((trx) => trx.selectFrom('notifications').select(['subject', 'type'])
  .where('organization_id', '=', org.id).where('user_id', '=', userId).where('type', '=', 'contract_reminder')
  .where(sql<boolean>`data->>'contract_id' = ${contractId}`).execute());

const assignment = (contractId: string, userId: string) => inOrg((trx) => trx.selectFrom('contract_assignments').selectAll()
  .where('organization_id', '=', org.id).where('contract_id', '=', contractId).where('artist_id', '=', userId).executeTakeFirstOrThrow());

describe('contract reminders', () => {
  it('reminds people who have not signed every reminder_every_days, once per period, counting them', async () => {
    const [late, done] = await Promise.all([addUser(t.services, org.id, 'artist', `late.${Date.now()}@example.com`), addUser(t.services, org.id, 'artist', `done.${Date.now()}@example.com`)]);
    const id = await contractFor([late!, done!], { reminder_every_days: 2 });
    await inOrg((trx) => trx.updateTable('contract_assignments').set({ status: 'declined', declined_at: new Date(), decline_reason: 'No' })
      .where('organization_id', '=', org.id).where('contract_id', '=', id).where('artist_id', '=', done!.id).execute());

    // Sent one day ago: too early.
    await backdate(id, 1);
    await sweepContractDeadlines(t.services, org.id);
    expect(await reminders(late!.id, id)).toHaveLength(0);

    // Sent three days ago: one reminder, and sweeping again at once sends no second one.
    await backdate(id, 2);
    await Promise.all([sweepContractDeadlines(t.services, org.id), sweepContractDeadlines(t.services, org.id)]);
    await sweepContractDeadlines(t.services, org.id);
    const sent = await reminders(late!.id, id);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.subject).toMatch(/^Reminder: Deadline .* is waiting for your signature$/);
    expect((await assignment(id, late!.id))).toMatchObject({ reminder_count: 1, status: 'sent' });
    expect(await reminders(done!.id, id)).toHaveLength(0);

    // Two days after the last reminder: the next one.
    const twoDaysOn = new Date(Date.now() + 2 * DAY + 60_000);
    await sweepContractDeadlines(t.services, org.id, twoDaysOn);
    expect(await reminders(late!.id, id)).toHaveLength(2);
    expect((await assignment(id, late!.id)).reminder_count).toBe(2);
    const status = (await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${id}/status`, headers: org.users.admin.auth })).json();
    expect(status.assignments.find((a: { artist: { id: string } }) => a.artist.id === late!.id)).toMatchObject({ reminder_count: 2, last_reminded_at: expect.any(String) });
  });
});

describe('signing deadlines', () => {
  it('after the deadline, open assignments expire with the contract; signing is refused; signed ones stay', async () => {
    const [slow, quick] = await Promise.all([addUser(t.services, org.id, 'artist', `slow.${Date.now()}@example.com`), addUser(t.services, org.id, 'artist', `quick.${Date.now()}@example.com`)]);
    const id = await contractFor([slow!, quick!], { signing_deadline: isoDay(new Date(Date.now() + 7 * DAY)) });
    const signed = await t.app.inject({ method: 'POST', url: `/api/v1/contracts/${id}/sign`, headers: quick!.auth, payload: { consent: true, signature: { kind: 'typed', name: 'Quinn Quick' } } });
    // samples.pdf has no pages but is a valid PDF: the signed copy is just the certificate page.
    expect(signed.statusCode, signed.body).toBe(200);

    // The deadline is still today — in the organization's zone, whatever the hour in UTC: nothing expires.
    const zone = await inOrg((trx) => organizationTimeZone(trx, org.id));
    await backdate(id, 0, localDate(zone));
    expect((await sweepContractDeadlines(t.services, org.id)).expired).toBe(0);

    await backdate(id, 0, localDate(zone, new Date(Date.now() - DAY)));
    expect((await sweepContractDeadlines(t.services, org.id)).expired).toBe(1);
    expect(await assignment(id, slow!.id)).toMatchObject({ status: 'expired', expired_at: expect.any(Date) });
    expect((await assignment(id, quick!.id)).status).toBe('signed');
    const contract = (await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${id}`, headers: org.users.admin.auth })).json();
    expect(contract.status).toBe('expired');
    expectProblem(await t.app.inject({ method: 'POST', url: `/api/v1/contracts/${id}/sign`, headers: slow!.auth, payload: { consent: true, signature: { kind: 'typed', name: 'Sam Slow' } } }), 409, 'assignment_closed');
    expect((await reminders(slow!.id, id)).map((n) => n.subject)).toEqual([expect.stringMatching(/has expired$/)]);
    const told = await inOrg((trx) => trx.selectFrom('notifications').select('subject').where('organization_id', '=', org.id)
      .where('user_id', '=', org.users.admin.id).where(sql<boolean>`data->>'contract_id' = ${id}`).where(sql<boolean>`data->>'status' = 'expired'`).execute());
    expect(told).toHaveLength(1);
    // Sweeping again changes nothing more.
    expect((await sweepContractDeadlines(t.services, org.id)).expired).toBe(0);
  });

  it('refuses a deadline that has passed at upload', async () => {
    const body = multipart([{ filename: 'c.pdf', contentType: 'application/pdf', data: samples.pdf }], { data: JSON.stringify({ title: 'Too late', signing_deadline: '2020-01-01' }) });
    const res = expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/contracts', headers: { ...org.users.admin.auth, ...body.headers }, payload: body.payload }), 400, 'validation_error');
    expect(res.errors).toEqual([expect.objectContaining({ field: 'body.signing_deadline' })]);
  });
});
