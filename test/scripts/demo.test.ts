import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ORGANIZATION, DEMO_PASSWORD, DEMO_PEOPLE, seedDemo } from '../../src/server/demo/demo-data.js';
import { passwordProblems } from '../../src/server/modules/auth/passwords.js';
import { withTenant } from '../../src/server/db/tenant.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

describe('npm run seed:demo', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('loads seed 000\'s organization and people once, audited, and changes nothing the second time', async () => {
    const first = await seedDemo(t.services);
    const second = await seedDemo(t.services);
    // On a shared server database another run may have seeded already; either way the second run is a no-op.
    expect(second.created).toEqual([]);
    if (first.created.length) expect(first.created).toHaveLength(1 + DEMO_PEOPLE.length + 2 + 2);

    const admin = DEMO_PEOPLE.find((p) => p.role === 'admin')!;
    const token = await t.services.tokens.sign({ userId: admin.id, organizationId: DEMO_ORGANIZATION.id, role: 'admin' });
    const headers = { authorization: `Bearer ${token}` };
    const org = await t.app.inject({ url: '/api/v1/organization', headers });
    expect(org.json()).toMatchObject({ name: 'Test Theatre Company', slug: 'test-theatre', settings: { timezone: 'America/New_York', default_currency: 'USD' } });
    const members = await t.app.inject({ url: '/api/v1/members?limit=100', headers });
    expect(members.json().data.map((m: { email: string }) => m.email).sort()).toEqual(DEMO_PEOPLE.map((p) => p.email).sort());
    const chain = await t.app.inject({ url: '/api/v1/audit-logs/verify', headers });
    expect(chain.json()).toMatchObject({ valid: true });
    expect(chain.json().rows).toBeGreaterThanOrEqual(1 + DEMO_PEOPLE.length);

    // The printed sign-in works, with a password the portal's own policy accepts.
    for (const p of DEMO_PEOPLE) expect(passwordProblems(DEMO_PASSWORD, { email: p.email, names: [p.first_name, p.last_name] })).toEqual([]);
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'artist1@example.com', password: DEMO_PASSWORD } });
    expect(login.statusCode).toBe(200);
    expect(login.json()).toMatchObject({ role: 'artist', organization: { slug: 'test-theatre' } });

    // Seed 000's Hamlet, with an agreement waiting for both artists' signatures.
    const artistAuth = { authorization: `Bearer ${login.json().tokens.access_token}` };
    const contracts = (await t.app.inject({ url: '/api/v1/contracts', headers: artistAuth })).json();
    expect(contracts.data).toEqual([expect.objectContaining({ title: 'Hamlet — ensemble agreement', status: 'pending', production: expect.objectContaining({ name: 'Hamlet' }) })]);
    const contractId = contracts.data[0].id as string;
    const detail = (await t.app.inject({ url: `/api/v1/contracts/${contractId}`, headers: artistAuth })).json();
    expect(detail.my_assignment).toMatchObject({ can_sign: true });
    const link = (await t.app.inject({ url: `/api/v1/contracts/${contractId}/download`, headers: artistAuth })).json();
    const pdf = await t.app.inject({ url: new URL(link.url).pathname });
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    // Hamlet's month of weekday rehearsals and then weekend performances, in the artist's calendar
    // at 19:00 and 19:30 New York time.
    const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const calendar = (await t.app.inject({ url: `/api/v1/events?from=${day(29)}&to=${day(100)}&tz=America/New_York`, headers: artistAuth })).json();
    const rehearsals = calendar.data.filter((o: { type: string }) => o.type === 'rehearsal');
    const performances = calendar.data.filter((o: { type: string }) => o.type === 'performance');
    expect(rehearsals).toHaveLength(20);
    expect(performances).toHaveLength(8);
    for (const o of rehearsals) expect(o).toMatchObject({ local_start: expect.stringMatching(/T19:00$/), my_participation: { role: expect.any(String) } });
    for (const o of performances) expect(o).toMatchObject({ local_start: expect.stringMatching(/T19:30$/), location: { name: 'Main Theatre' } });
    const weekday = (o: { local_start: string }) => new Date(`${o.local_start.slice(0, 10)}T12:00:00Z`).getUTCDay();
    expect(rehearsals.every((o: { local_start: string }) => weekday(o) >= 1 && weekday(o) <= 5)).toBe(true);
    expect(performances.every((o: { local_start: string }) => weekday(o) === 0 || weekday(o) === 6)).toBe(true);
    // Each of the 28 calls is reminded 24 h and 2 h before, to the artists taking part.
    const reminders = await withTenant(t.services.database.db, { organizationId: DEMO_ORGANIZATION.id }, (trx) =>
      trx.selectFrom('reminders').select(['key', 'fire_at']).where('key', 'like', 'event:%').where('status', '=', 'pending').execute());
    expect(reminders).toHaveLength(56);
    expect(reminders.every((r) => r.fire_at.getTime() > Date.now())).toBe(true);
  });
});
