import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import { createOrganization, startTestApp, type TestApp, type TestOrganization } from '../helpers/app.js';
import { expectProblem } from './support.js';

/** Productions (PRODUCT.md capability 4): CRUD, dates, exact budgets, status lifecycle, lists, tenancy. */
let t: TestApp;
let org: TestOrganization;
let other: TestOrganization;

beforeAll(async () => {
  t = await startTestApp();
  org = await createOrganization(t.services, 'Productions');
  other = await createOrganization(t.services, 'Other Company');
});
afterAll(async () => t?.close());

const create = (payload: Record<string, unknown>, headers = org.users.production_manager.auth) =>
  t.app.inject({ method: 'POST', url: '/api/v1/productions', headers, payload });
const patch = (id: string, payload: Record<string, unknown>, headers = org.users.admin.auth) =>
  t.app.inject({ method: 'PATCH', url: `/api/v1/productions/${id}`, headers, payload });

describe('productions', () => {
  it('creates one with exact budget, default currency, dates and actions; reads it back; audits it', async () => {
    const res = await create({ name: 'Hamlet', code: 'HAM-2026', description: 'Spring season', start_date: '2026-03-01', end_date: '2026-05-31', budget_amount: '125000.10' });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      name: 'Hamlet', code: 'HAM-2026', start_date: '2026-03-01', end_date: '2026-05-31', budget_amount: '125000.10', budget_currency: 'USD',
      status: 'planning', next_statuses: ['active', 'cancelled'], allowed_actions: ['productions:write'],
    });
    const read = await t.app.inject({ method: 'GET', url: `/api/v1/productions/${body.id}`, headers: org.users.accountant.auth });
    expect(read.json()).toMatchObject({ id: body.id, budget_amount: '125000.10', allowed_actions: [], next_statuses: [] });
    const audit = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) =>
      trx.selectFrom('audit_logs').select('action').where('entity_id', '=', body.id).execute());
    expect(audit.map((a) => a.action)).toEqual(['create']);
  });

  it('refuses bad input with field errors and stores nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'X', start_date: '2026-05-01', end_date: '2026-04-30' }, 'body.end_date'],
      [{ name: 'X', start_date: '2026-02-30', end_date: '2026-04-30' }, 'body.start_date'],
      [{ name: '', start_date: '2026-05-01', end_date: '2026-05-02' }, 'body.name'],
      [{ name: 'X', start_date: '2026-05-01', end_date: '2026-05-02', budget_amount: '-5' }, 'body.budget_amount'],
      [{ name: 'X', start_date: '2026-05-01', end_date: '2026-05-02', budget_amount: '1.005' }, 'body.budget_amount'],
      [{ name: 'X', start_date: '2026-05-01', end_date: '2026-05-02', budget_amount: 100 }, 'body.budget_amount'],
      [{ name: 'X', start_date: '2026-05-01', end_date: '2026-05-02', budget_currency: 'XYZ' }, 'body.budget_currency'],
      [{ name: 'X', start_date: '2026-05-01', end_date: '2026-05-02', code: 'has space' }, 'body.code'],
    ];
    const before = (await t.app.inject({ method: 'GET', url: '/api/v1/productions?limit=100', headers: org.users.admin.auth })).json().data.length;
    for (const [payload, field] of cases) {
      const body = expectProblem(await create(payload), 400, 'validation_error');
      expect((body.errors as Array<{ field: string }>).map((e) => e.field), JSON.stringify(payload)).toContain(field);
    }
    expectProblem(await create({ name: 'Dup', code: 'ham-2026', start_date: '2026-05-01', end_date: '2026-05-02' }), 409, 'conflict');
    const after = (await t.app.inject({ method: 'GET', url: '/api/v1/productions?limit=100', headers: org.users.admin.auth })).json().data.length;
    expect(after).toBe(before);
  });

  it('moves along the lifecycle only by allowed steps, keeps a cancellation reason, and freezes when archived', async () => {
    const { id } = (await create({ name: 'Macbeth', start_date: '2026-09-01', end_date: '2026-10-15' })).json();
    expect(expectProblem(await patch(id, { status: 'completed' }), 409, 'conflict').detail).toMatch(/can become active or cancelled/);
    expect((await patch(id, { status: 'active' })).json()).toMatchObject({ status: 'active', next_statuses: ['completed', 'cancelled'] });
    const cancelled = await patch(id, { status: 'cancelled', status_reason: 'Lead actor withdrew' });
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', status_reason: 'Lead actor withdrew', next_statuses: ['archived'] });
    expectProblem(await patch(id, { status: 'active' }), 409, 'conflict');
    expect((await patch(id, { status: 'archived' })).json()).toMatchObject({ status: 'archived', next_statuses: [], allowed_actions: [] });
    expectProblem(await patch(id, { name: 'Renamed' }), 409, 'conflict');
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/api/v1/productions/${id}`, headers: org.users.admin.auth }), 409, 'conflict');
    const audit = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) =>
      trx.selectFrom('audit_logs').select('action').where('entity_id', '=', id).orderBy('seq').execute());
    expect(audit.map((a) => a.action)).toEqual(['create', 'production.active', 'production.cancelled', 'production.archived']);
  });

  it('checks a date change against the stored other date', async () => {
    const { id } = (await create({ name: 'Tempest', start_date: '2026-06-01', end_date: '2026-06-30' })).json();
    expectProblem(await patch(id, { start_date: '2026-07-01' }), 400, 'validation_error');
    expect((await patch(id, { start_date: '2026-05-15', budget_amount: null })).json()).toMatchObject({ start_date: '2026-05-15', end_date: '2026-06-30', budget_amount: null });
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/productions/${id}`, headers: org.users.production_manager.auth })).statusCode).toBe(204);
    expectProblem(await t.app.inject({ method: 'GET', url: `/api/v1/productions/${id}`, headers: org.users.admin.auth }), 404, 'not_found');
  });

  it('lists by status, words and dates running, with cursor pages', async () => {
    const mine = await createOrganization(t.services, 'Lists');
    const make = (name: string, start: string, end: string, description?: string) =>
      create({ name, start_date: start, end_date: end, ...(description ? { description } : {}) }, mine.users.admin.auth);
    const winter = (await make('Nutcracker', '2026-12-01', '2026-12-31', 'Winter ballet with orchestra')).json();
    await make('Summer Gala', '2026-07-01', '2026-07-03');
    await make('Autumn Tour', '2026-10-01', '2026-11-15');
    await patch(winter.id, { status: 'active' }, mine.users.admin.auth);
    const list = (query: string) => t.app.inject({ method: 'GET', url: `/api/v1/productions?${query}`, headers: mine.users.accountant.auth }).then((r) => r.json().data.map((p: { name: string }) => p.name));
    expect(await list('status=active')).toEqual(['Nutcracker']);
    expect(await list('q=orchestra')).toEqual(['Nutcracker']);
    expect(await list('from=2026-11-01&to=2026-11-30')).toEqual(['Autumn Tour']);
    expect(await list('to=2026-07-02')).toEqual(['Summer Gala']);
    const first = await t.app.inject({ method: 'GET', url: '/api/v1/productions?limit=2', headers: mine.users.admin.auth });
    const second = await t.app.inject({ method: 'GET', url: `/api/v1/productions?limit=2&cursor=${first.json().pagination.next_cursor}`, headers: mine.users.admin.auth });
    expect([...first.json().data, ...second.json().data].map((p: { name: string }) => p.name)).toEqual(['Autumn Tour', 'Summer Gala', 'Nutcracker']);
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/v1/productions?from=2026-12-01&to=2026-01-01', headers: mine.users.admin.auth }), 400, 'validation_error');
  });

  it('keeps organizations and roles apart', async () => {
    const { id } = (await create({ name: 'Private', start_date: '2026-01-01', end_date: '2026-01-02' })).json();
    for (const role of ['admin', 'production_manager', 'accountant'] as const) {
      expectProblem(await t.app.inject({ method: 'GET', url: `/api/v1/productions/${id}`, headers: other.users[role].auth }), 404, 'not_found');
    }
    expectProblem(await patch(id, { name: 'Taken over' }, other.users.admin.auth), 404, 'not_found');
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/v1/productions', headers: org.users.artist.auth }), 403, 'forbidden');
    expectProblem(await create({ name: 'Nope', start_date: '2026-01-01', end_date: '2026-01-02' }, org.users.accountant.auth), 403, 'forbidden');
  });
});
