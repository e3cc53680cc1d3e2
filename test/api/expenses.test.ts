import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import { addUser, createOrganization, startTestApp, type TestApp, type TestOrganization, type TestUser } from '../helpers/app.js';
import { expectProblem } from './support.js';

/**
 * Expenses (issue 6 items 1, 2, 4–8): categories, drafts with exact amounts and exchange rates,
 * submission with duplicate warnings, the approval chain by amount, payment batches, exports,
 * idempotent offline replays.
 */
let t: TestApp;
let org: TestOrganization;
let categories: Record<string, string>;
let perDiem: string;

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toLocaleDateString('en-CA', { timeZone: 'America/New_York' });

beforeAll(async () => {
  t = await startTestApp();
  org = await createOrganization(t.services, 'Expenses');
  const list = await t.app.inject({ method: 'GET', url: '/api/v1/expense-categories', headers: org.users.artist.auth });
  categories = Object.fromEntries(list.json().data.map((c: { name: string; id: string }) => [c.name, c.id]));
  // A category without receipts, for the approval tests (receipts are tested with uploads).
  perDiem = (await t.app.inject({ method: 'POST', url: '/api/v1/expense-categories', headers: org.users.admin.auth, payload: { name: 'Per diem', code: 'PER_DIEM', requires_receipt: false } })).json().id;
});
afterAll(async () => t?.close());

const draft = (who: TestUser, over: Record<string, unknown> = {}, headers: Record<string, string> = {}) => t.app.inject({
  method: 'POST', url: '/api/v1/expenses', headers: { ...who.auth, ...headers },
  payload: { category_id: perDiem, amount: 42.5, expense_date: daysAgo(2), merchant: 'Corner Café', description: 'Lunch between calls', ...over },
});
const act = (id: string, action: string, who: TestUser, payload?: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: `/api/v1/expenses/${id}/${action}`, headers: who.auth, ...(payload ? { payload } : {}) });
const get = (id: string, who: TestUser) => t.app.inject({ method: 'GET', url: `/api/v1/expenses/${id}`, headers: who.auth });

async function submitted(who: TestUser, amount: string, over: Record<string, unknown> = {}) {
  const created = await draft(who, { amount, merchant: `Merchant ${randomUUID().slice(0, 6)}`, ...over });
  expect(created.statusCode, created.body).toBe(201);
  const res = await act(created.json().id, 'submit', who);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { id: string; status: string; approval_level: string; possible_duplicates: string[] };
}

const count = () => withTenant(t.services.database.db, { organizationId: org.id }, async (trx) =>
  Number((await trx.selectFrom('expenses').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow()).n));

describe('categories', () => {
  it("every organization starts with seed 000's categories; admins add and change them; names and codes are unique", async () => {
    expect(Object.keys(categories)).toEqual(expect.arrayContaining(['Transportation', 'Meals', 'Accommodation', 'Supplies', 'Professional Services', 'Other']));
    const list = (await t.app.inject({ method: 'GET', url: '/api/v1/expense-categories', headers: org.users.artist.auth })).json().data;
    expect(list.find((c: { name: string }) => c.name === 'Meals')).toMatchObject({ code: 'MEALS', xero_account_code: '420', requires_receipt: true, max_amount: '200.00', is_active: true });

    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/expense-categories', headers: org.users.artist.auth, payload: { name: 'Taxis', code: 'TAXI' } }), 403, 'forbidden');
    const clash = expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/expense-categories', headers: org.users.admin.auth, payload: { name: 'meals', code: 'MEALS2' } }), 409, 'conflict');
    expect(clash.errors).toEqual([expect.objectContaining({ field: 'body.name' })]);
    const res = await t.app.inject({ method: 'PATCH', url: `/api/v1/expense-categories/${categories.Other}`, headers: org.users.accountant.auth, payload: { max_amount: '75.00' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().max_amount).toBe('75.00');
    const other = await createOrganization(t.services, 'Other categories');
    expectProblem(await t.app.inject({ method: 'PATCH', url: `/api/v1/expense-categories/${categories.Other}`, headers: other.users.admin.auth, payload: { is_active: false } }), 404, 'not_found');
  });
});

describe('drafts', () => {
  it('stores exact amounts (numbers or strings) and converts foreign currencies exactly', async () => {
    const usd = await draft(org.users.artist, { amount: 125.5, category_id: categories.Transportation, merchant: 'Yellow Cab Co', description: 'Taxi to venue', notes: 'Late night rehearsal' });
    expect(usd.statusCode, usd.body).toBe(201);
    expect(usd.json()).toMatchObject({ amount: '125.50', currency: 'USD', exchange_rate: '1.00000000', amount_base: '125.50', status: 'draft', allowed_actions: ['update', 'submit', 'add_receipt', 'delete'] });
    const eur = await draft(org.users.artist, { amount: '33.33', currency: 'EUR', exchange_rate: '1.005' });
    // 33.33 × 1.005 = 33.49665 → 33.50, in decimal arithmetic.
    expect(eur.json()).toMatchObject({ amount: '33.33', currency: 'EUR', exchange_rate: '1.00500000', amount_base: '33.50', base_currency: 'USD' });
    const jpy = await draft(org.users.artist, { amount: '0.1', currency: 'GBP', exchange_rate: 0.3 });
    expect(jpy.json().amount_base).toBe('0.03');
  });

  it('tags and the billable / reimbursable flags are stored, returned in the detail and the list, and changed; a claim not to be reimbursed is never paid', async () => {
    const artist = await addUser(t.services, org.id, 'artist', `tags.${Date.now()}@example.com`);
    const plain = (await draft(artist, { merchant: 'Plain claim' })).json();
    expect(plain).toMatchObject({ tags: [], is_billable: false, is_reimbursable: true });

    const created = await draft(artist, { merchant: 'Tagged claim', tags: ['tour', 'Leeds', 'tour'], is_billable: true, is_reimbursable: false });
    expect(created.statusCode, created.body).toBe(201);
    // Each tag once, in the order given.
    expect(created.json()).toMatchObject({ tags: ['tour', 'Leeds'], is_billable: true, is_reimbursable: false });
    const id = created.json().id as string;
    expect((await get(id, artist)).json()).toMatchObject({ tags: ['tour', 'Leeds'], is_billable: true, is_reimbursable: false });
    expect((await get(id, org.users.accountant)).json()).toMatchObject({ tags: ['tour', 'Leeds'], is_billable: true, is_reimbursable: false });
    const listed = (await t.app.inject({ method: 'GET', url: '/api/v1/expenses', headers: artist.auth })).json().data;
    expect(listed.find((e: { id: string }) => e.id === id)).toMatchObject({ tags: ['tour', 'Leeds'], is_billable: true, is_reimbursable: false });
    expect(listed.find((e: { id: string }) => e.id === plain.id)).toMatchObject({ tags: [], is_billable: false, is_reimbursable: true });

    const changed = await t.app.inject({ method: 'PUT', url: `/api/v1/expenses/${id}`, headers: artist.auth, payload: {
      category_id: perDiem, amount: '42.50', expense_date: daysAgo(2), merchant: 'Tagged claim', description: 'Lunch between calls', tags: ['hotel'], is_billable: false, is_reimbursable: true,
    } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ tags: ['hotel'], is_billable: false, is_reimbursable: true });
    expect((await get(id, artist)).json()).toMatchObject({ tags: ['hotel'], is_billable: false, is_reimbursable: true });

    for (const [tags, why] of [[Array.from({ length: 21 }, (_, i) => `t${i}`), 'more than 20'], [[''], 'empty'], [['x'.repeat(51)], 'longer than 50']] as const) {
      const body = expectProblem(await draft(artist, { tags }), 400, 'validation_error');
      expect((body.errors as Array<{ field: string }>).map((e) => e.field.split('.').slice(0, 2).join('.')), why).toContain('body.tags');
    }
    expectProblem(await draft(artist, { is_billable: 'yes' }), 400, 'validation_error');

    // Approved but not to be reimbursed: a payment batch refuses it.
    const unpaid = await submitted(artist, '30.00', { is_reimbursable: false });
    expect(unpaid).toMatchObject({ status: 'approved' });
    const refused = expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/payment-batches', headers: org.users.accountant.auth, payload: { expense_ids: [unpaid.id] } }), 409, 'conflict');
    expect(refused.errors).toEqual([{ field: 'body.expense_ids.0', message: 'Not reimbursable' }]);
    expect((await get(unpaid.id, artist)).json()).toMatchObject({ status: 'approved', payment_batch_id: null, is_reimbursable: false });
  });

  it('refuses bad amounts, dates, currencies, categories and productions with field errors, storing nothing', async () => {
    const before = await count();
    const other = await createOrganization(t.services, 'Elsewhere');
    const theirCategory = (await t.app.inject({ method: 'GET', url: '/api/v1/expense-categories', headers: other.users.artist.auth })).json().data[0].id;
    const theirProduction = (await t.app.inject({ method: 'POST', url: '/api/v1/productions', headers: other.users.admin.auth, payload: { name: 'Theirs', start_date: '2026-01-01', end_date: '2027-12-31' } })).json().id;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ amount: 0 }, 'body.amount'],
      [{ amount: -5 }, 'body.amount'],
      [{ amount: '12.345' }, 'body.amount'],
      [{ amount: 'ten' }, 'body.amount'],
      [{ expense_date: new Date(Date.now() + 3 * DAY).toISOString().slice(0, 10) }, 'body.expense_date'],
      [{ expense_date: daysAgo(120) }, 'body.expense_date'],
      [{ currency: 'ABC' }, 'body.currency'],
      [{ currency: 'EUR' }, 'body.exchange_rate'],
      [{ exchange_rate: '0' }, 'body.exchange_rate'],
      [{ category_id: categories.Meals, amount: '250.00' }, 'body.amount'],
      [{ category_id: theirCategory }, 'body.category_id'],
      [{ category_id: randomUUID() }, 'body.category_id'],
      [{ production_id: theirProduction }, 'body.production_id'],
      [{ merchant: '' }, 'body.merchant'],
      [{ status: 'approved' }, 'body'],
      [{ artist_id: org.users.admin.id }, 'body'],
    ];
    for (const [over, fieldName] of cases) {
      const body = expectProblem(await draft(org.users.artist, over), 400, 'validation_error');
      expect((body.errors as Array<{ field: string }>).map((e) => e.field), JSON.stringify(over)).toContain(fieldName);
    }
    // 1e309 overflows to Infinity when JSON is parsed: an RFC 7807 field error at the amount, as
    // for any other amount that is not one.
    const huge = await t.app.inject({ method: 'POST', url: '/api/v1/expenses', headers: { ...org.users.artist.auth, 'content-type': 'application/json' },
      payload: `{"category_id":"${perDiem}","amount":1e309,"expense_date":"${daysAgo(1)}","merchant":"X","description":"Y"}` });
    const hugeProblem = expectProblem(huge, 400, 'validation_error');
    expect(hugeProblem.errors).toEqual([expect.objectContaining({ field: 'body.amount' })]);
    expect(huge.body).not.toMatch(/Infinity|1e309/);
    expect(await count()).toBe(before);
  });

  it('people see and change only their own; others answer 404; approvers see everyone\'s', async () => {
    const mine = (await draft(org.users.artist)).json();
    const colleague = await addUser(t.services, org.id, 'artist', `colleague.${Date.now()}@example.com`);
    expectProblem(await get(mine.id, colleague), 404, 'not_found');
    expectProblem(await t.app.inject({ method: 'PUT', url: `/api/v1/expenses/${mine.id}`, headers: colleague.auth, payload: { category_id: perDiem, amount: 1, expense_date: daysAgo(1), merchant: 'X', description: 'Y' } }), 404, 'not_found');
    expectProblem(await act(mine.id, 'submit', colleague), 404, 'not_found');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/expenses', headers: colleague.auth })).json().data).toEqual([]);
    expect((await get(mine.id, org.users.accountant)).statusCode).toBe(200);
    expectProblem(await get(mine.id, org.users.production_manager), 404, 'not_found');
    const stranger = await createOrganization(t.services, 'Strangers');
    expectProblem(await get(mine.id, stranger.users.admin), 404, 'not_found');

    const updated = await t.app.inject({ method: 'PUT', url: `/api/v1/expenses/${mine.id}`, headers: org.users.artist.auth, payload: { category_id: perDiem, amount: '44.00', expense_date: daysAgo(1), merchant: 'Corner Café', description: 'Lunch' } });
    expect(updated.json()).toMatchObject({ amount: '44.00', description: 'Lunch' });
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/expenses/${mine.id}`, headers: org.users.artist.auth })).statusCode).toBe(204);
    expectProblem(await get(mine.id, org.users.artist), 404, 'not_found');
  });
});

describe('submission and the approval chain', () => {
  it('a category that needs a receipt refuses submission without one (missing_receipts)', async () => {
    const taxi = (await draft(org.users.artist, { category_id: categories.Transportation })).json();
    expectProblem(await act(taxi.id, 'submit', org.users.artist), 422, 'missing_receipts');
    expect((await get(taxi.id, org.users.artist)).json().status).toBe('draft');
  });

  it('routes by amount: automatic ≤ 100, admin ≤ 500, accountant ≤ 1000, above a finance director; limits are enforced', async () => {
    const small = await submitted(org.users.artist, '80.00');
    expect(small).toMatchObject({ status: 'approved', approval_level: 'automatic' });

    const medium = await submitted(org.users.artist, '300.00');
    expect(medium).toMatchObject({ status: 'submitted', approval_level: 'admin' });
    expectProblem(await act(medium.id, 'approve', org.users.production_manager, {}), 403, 'forbidden');
    expect((await act(medium.id, 'approve', org.users.admin, { note: 'Fine' })).json()).toMatchObject({ status: 'approved' });

    const large = await submitted(org.users.artist, '800.00');
    expect(large.approval_level).toBe('finance');
    const tooHigh = expectProblem(await act(large.id, 'approve', org.users.admin, {}), 403, 'insufficient_approval_limit');
    expect(tooHigh.detail).toMatch(/800\.00 USD is above your approval limit/);
    expect((await act(large.id, 'approve', org.users.accountant, {})).json().status).toBe('approved');

    const huge = await submitted(org.users.artist, '1500.00');
    expect(huge.approval_level).toBe('finance_director');
    expectProblem(await act(huge.id, 'approve', org.users.accountant, {}), 403, 'insufficient_approval_limit');
    const approved = (await act(huge.id, 'approve', org.users.finance_director, {})).json();
    expect(approved.status).toBe('approved');
    expect(approved.history.map((h: { decision: string }) => h.decision)).toEqual(['submitted', 'approved']);

    // The artist was told at each step.
    const notes = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) => trx.selectFrom('notifications').select('subject')
      .where('organization_id', '=', org.id).where('user_id', '=', org.users.artist.id).where('type', '=', 'expense_approved').execute());
    expect(notes.length).toBeGreaterThanOrEqual(4);
    // The finance director was asked about the big one.
    const asked = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) => trx.selectFrom('notifications').select('subject')
      .where('organization_id', '=', org.id).where('user_id', '=', org.users.finance_director.id).where('type', '=', 'expense_submitted').execute());
    expect(asked.map((n) => n.subject)).toEqual(expect.arrayContaining([expect.stringMatching(/1500\.00 USD$/)]));
  });

  it('nobody approves their own expense; a rejection needs a reason and lets the artist fix and resubmit', async () => {
    const own = await submitted(org.users.accountant, '300.00');
    expectProblem(await act(own.id, 'approve', org.users.accountant, {}), 403, 'forbidden');
    const mine = await submitted(org.users.artist, '250.00');
    expectProblem(await act(mine.id, 'reject', org.users.admin, { reason: '' }), 400, 'validation_error');
    const rejected = (await act(mine.id, 'reject', org.users.admin, { reason: 'Please split lunch and taxi' })).json();
    expect(rejected).toMatchObject({ status: 'rejected', rejection_reason: 'Please split lunch and taxi' });
    expect((await get(mine.id, org.users.artist)).json().allowed_actions).toEqual(['update', 'submit', 'add_receipt']);
    const again = await act(mine.id, 'submit', org.users.artist);
    expect(again.json()).toMatchObject({ status: 'submitted', rejection_reason: null });
    expectProblem(await act(mine.id, 'submit', org.users.artist), 409, 'conflict');
  });

  it('twenty approvals of one expense at once: exactly one succeeds', async () => {
    const expense = await submitted(org.users.artist, '400.00');
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => act(expense.id, 'approve', i % 2 ? org.users.accountant : org.users.finance_director, {})));
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode === 409)).toHaveLength(19);
    const decisions = (await get(expense.id, org.users.admin)).json().history.filter((h: { decision: string }) => h.decision === 'approved');
    expect(decisions).toHaveLength(1);
  });

  it('a second claim with the same amount, date and merchant is flagged for the approver, even when small', async () => {
    const merchant = `Taxi ${randomUUID().slice(0, 6)}`;
    const first = await submitted(org.users.artist, '40.00', { merchant, expense_date: daysAgo(5) });
    expect(first).toMatchObject({ status: 'approved', possible_duplicates: [] });
    const second = await submitted(org.users.artist, '40.00', { merchant: merchant.toUpperCase(), expense_date: daysAgo(5) });
    expect(second).toMatchObject({ status: 'submitted', approval_level: 'admin', possible_duplicates: [first.id] });
    // It waits in an administrator's queue and an administrator can decide it.
    const queue = (await t.app.inject({ method: 'GET', url: '/api/v1/expenses?awaiting_me=true', headers: org.users.admin.auth })).json().data.map((e: { id: string }) => e.id);
    expect(queue).toContain(second.id);
    expect((await act(second.id, 'reject', org.users.admin, { reason: 'Claimed twice' })).json().status).toBe('rejected');
  });
});

describe('queue, filters and exports', () => {
  it('the approver queue shows what waits within my limit; filters by status, category, production, words (merchant and description) and dates', async () => {
    const artist = await addUser(t.services, org.id, 'artist', `filters.${Date.now()}@example.com`);
    const production = (name: string) => t.app.inject({ method: 'POST', url: '/api/v1/productions', headers: org.users.admin.auth, payload: { name, start_date: daysAgo(30), end_date: daysAgo(-60) } })
      .then((r) => { expect(r.statusCode, r.body).toBe(201); return r.json().id as string; });
    const [tour, gala] = [await production(`Tour ${Date.now()}`), await production(`Gala ${Date.now()}`)];
    const big = await submitted(artist, '900.00', { merchant: 'Grand Hotel', description: 'Two nights in Leeds', expense_date: daysAgo(10), production_id: tour });
    const mid = await submitted(artist, '200.00', { merchant: 'Stage Supplies Ltd', description: 'Gaffer tape', expense_date: daysAgo(3) });
    const ids = (url: string, who: TestUser) => t.app.inject({ method: 'GET', url, headers: who.auth }).then((r) => r.json().data.map((e: { id: string }) => e.id));
    const adminQueue = await ids(`/api/v1/expenses?awaiting_me=true&artist_id=${artist.id}`, org.users.admin);
    expect(adminQueue).toEqual([mid.id]);
    expect(await ids(`/api/v1/expenses?awaiting_me=true&artist_id=${artist.id}`, org.users.accountant)).toEqual([mid.id, big.id]);
    expect(await ids(`/api/v1/expenses?artist_id=${artist.id}&q=hotel`, org.users.accountant)).toEqual([big.id]);
    // Words of the description are found too, not only the merchant's.
    expect(await ids(`/api/v1/expenses?artist_id=${artist.id}&q=gaffer`, org.users.accountant)).toEqual([mid.id]);
    expect(await ids(`/api/v1/expenses?artist_id=${artist.id}&q=Leeds`, org.users.accountant)).toEqual([big.id]);
    expect(await ids(`/api/v1/expenses?q=${encodeURIComponent('gaffer tape')}`, artist)).toEqual([mid.id]);
    // One production's claims, for approvers and in the artist's own history.
    expect(await ids(`/api/v1/expenses?artist_id=${artist.id}&production_id=${tour}`, org.users.accountant)).toEqual([big.id]);
    expect(await ids(`/api/v1/expenses?production_id=${tour}`, artist)).toEqual([big.id]);
    expect(await ids(`/api/v1/expenses?production_id=${gala}`, org.users.accountant)).toEqual([]);
    expect((await get(big.id, artist)).json().production).toMatchObject({ id: tour, name: expect.stringMatching(/^Tour /) });
    expect(await ids(`/api/v1/expenses?artist_id=${artist.id}&from=${daysAgo(5)}`, org.users.accountant)).toEqual([mid.id]);
    expect(await ids(`/api/v1/expenses?artist_id=${artist.id}&status=approved`, org.users.accountant)).toEqual([]);
    expect(await ids(`/api/v1/expenses?category_id=${categories.Meals}&artist_id=${artist.id}`, org.users.accountant)).toEqual([]);
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/v1/expenses?status=lost', headers: org.users.accountant.auth }), 400, 'validation_error');
  });

  it('approved → batch (processing) → paid, with a formula-safe bank file; paid expenses cannot move again', async () => {
    const artist = await addUser(t.services, org.id, 'artist', `paid.${Date.now()}@example.com`);
    const a = await submitted(artist, '90.00', { merchant: '=HYPERLINK("http://evil.example","click")' });
    const b = await submitted(artist, '60.50');
    const waiting = await submitted(artist, '450.00');
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/payment-batches', headers: org.users.accountant.auth, payload: { expense_ids: [a.id, waiting.id] } }), 409, 'conflict');
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/payment-batches', headers: org.users.artist.auth, payload: { expense_ids: [a.id] } }), 403, 'forbidden');
    const batch = await t.app.inject({ method: 'POST', url: '/api/v1/payment-batches', headers: org.users.accountant.auth, payload: { expense_ids: [a.id, b.id] } });
    expect(batch.statusCode, batch.body).toBe(201);
    expect(batch.json()).toMatchObject({ status: 'processing', total_amount: '150.50', currency: 'USD', expense_count: 2 });
    expect((await get(a.id, artist)).json().status).toBe('processing');

    const file = await t.app.inject({ method: 'GET', url: `/api/v1/payment-batches/${batch.json().id}/export`, headers: org.users.accountant.auth });
    expect(file.headers['content-type']).toMatch(/^text\/csv/);
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="PAY-\d{8}-[0-9A-F]{6}\.csv"$/);
    const lines = file.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(',150.50,USD,2,');

    const paid = await t.app.inject({ method: 'POST', url: `/api/v1/payment-batches/${batch.json().id}/paid`, headers: org.users.finance_director.auth });
    expect(paid.json()).toMatchObject({ status: 'paid' });
    expect((await get(a.id, artist)).json()).toMatchObject({ status: 'paid', paid_at: expect.any(String) });
    expectProblem(await t.app.inject({ method: 'POST', url: `/api/v1/payment-batches/${batch.json().id}/paid`, headers: org.users.finance_director.auth }), 409, 'conflict');
    expectProblem(await act(a.id, 'submit', artist), 409, 'conflict');
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/payment-batches', headers: org.users.accountant.auth, payload: { expense_ids: [a.id] } }), 409, 'conflict');

    // The artist's statement: their expenses, the merchant neutralised, a total line.
    const statement = await t.app.inject({ method: 'GET', url: '/api/v1/expenses/export', headers: artist.auth });
    expect(statement.statusCode).toBe(200);
    const rows = statement.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(rows).toHaveLength(5);
    expect(statement.body).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(rows.at(-1)).toMatch(/^TOTAL,.*,600\.50,USD,/);

    // A finance user's statement for one artist (artist_id=): that person's claims and total only.
    const other = await submitted(org.users.artist, '77.00');
    const forArtist = await t.app.inject({ method: 'GET', url: `/api/v1/expenses/export?artist_id=${artist.id}`, headers: org.users.accountant.auth });
    expect(forArtist.statusCode, forArtist.body).toBe(200);
    expect(forArtist.headers['content-disposition']).toMatch(/^attachment; filename="expenses-\d{4}-\d{2}-\d{2}\.csv"$/);
    const artistRows = forArtist.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(artistRows).toHaveLength(5);
    for (const id of [a.id, b.id, waiting.id]) expect(forArtist.body).toContain(id);
    expect(forArtist.body).not.toContain(other.id);
    for (const line of artistRows.slice(1, -1)) expect(line).toContain(`artist User paid.`);
    expect(artistRows.at(-1)).toMatch(/^TOTAL,.*,600\.50,USD,/);
    // With a status filter: what was paid to them.
    const paidOnly = (await t.app.inject({ method: 'GET', url: `/api/v1/expenses/export?artist_id=${artist.id}&status=paid`, headers: org.users.finance_director.auth })).body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(paidOnly).toHaveLength(4);
    expect(paidOnly.at(-1)).toMatch(/^TOTAL,.*,150\.50,USD,/);
    // Another artist asking for this one's statement gets their own, never this one's.
    const colleague = await addUser(t.services, org.id, 'artist', `statement.${Date.now()}@example.com`);
    const theirs = await t.app.inject({ method: 'GET', url: `/api/v1/expenses/export?artist_id=${artist.id}`, headers: colleague.auth });
    expect(theirs.statusCode).toBe(200);
    expect(theirs.body).not.toContain(a.id);
    expect(theirs.body.replace(/^\uFEFF/, '').trim().split('\r\n')).toHaveLength(2);
  });
  it("bank file with bank details: finance roles get each payee's account (reads audited); others 403; people without details show an empty holder", async () => {
    const withBank = await addUser(t.services, org.id, 'artist', `iban.${Date.now()}@example.com`);
    const without = await addUser(t.services, org.id, 'artist', `nobank.${Date.now()}@example.com`);
    const saved = await t.app.inject({ method: 'PATCH', url: '/api/v1/me/artist-profile', headers: withBank.auth, payload: { bank_account: { account_holder: 'Maria Callas', iban: 'DE89370400440532013000' } } });
    expect(saved.statusCode, saved.body).toBe(200);
    const ids = [(await submitted(withBank, '75.00')).id, (await submitted(without, '20.00')).id];
    const batch = await t.app.inject({ method: 'POST', url: '/api/v1/payment-batches', headers: org.users.accountant.auth, payload: { expense_ids: ids } });
    expect(batch.statusCode, batch.body).toBe(201);
    const url = `/api/v1/payment-batches/${batch.json().id}/export?bank_details=true`;

    const file = await t.app.inject({ url, headers: org.users.accountant.auth });
    expect(file.statusCode, file.body).toBe(200);
    expect(file.headers['content-disposition']).toMatch(/-with-bank-details\.csv"$/);
    const [header, ...rows] = file.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(header!.split(',').slice(-4)).toEqual(['account_holder', 'iban', 'routing_number', 'account_number']);
    expect(rows.find((r) => r.includes(withBank.email))).toMatch(/,75\.00,USD,1,.*,Maria Callas,DE89370400440532013000,,$/);
    expect(rows.find((r) => r.includes(without.email))).toMatch(/,20\.00,USD,1,.*,,,,$/);
    const reads = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) => trx.selectFrom('audit_logs').select(['entity_id', 'after'])
      .where('organization_id', '=', org.id).where('action', '=', 'pii.view').where('actor_id', '=', org.users.accountant.id).execute());
    expect(reads.filter((r) => (r.after as { via?: string }).via === `payment_batch:${batch.json().id}`).map((r) => r.entity_id)).toEqual([withBank.id]);

    // Administrators pay batches but may not read bank accounts; without the option the file names payees only.
    expectProblem(await t.app.inject({ url, headers: org.users.admin.auth }), 403, 'forbidden');
    expect((await t.app.inject({ url: url.replace('?bank_details=true', ''), headers: org.users.admin.auth })).statusCode).toBe(200);
    const plain = await t.app.inject({ url: url.replace('?bank_details=true', ''), headers: org.users.accountant.auth });
    expect(plain.body).not.toContain('DE89370400440532013000');
    expectProblem(await t.app.inject({ url: url.replace('true', 'yes'), headers: org.users.accountant.auth }), 400, 'validation_error');
  });
});

describe('offline replays', () => {
  it('fifty concurrent replays of one queued expense with the same Idempotency-Key create one expense', async () => {
    const artist = await addUser(t.services, org.id, 'artist', `offline.${Date.now()}@example.com`);
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 50 }, () => draft(artist, { merchant: 'Offline Deli' }, { 'idempotency-key': key })));
    const ids = new Set(answers.filter((a) => a.statusCode === 201).map((a) => a.json().id));
    expect(ids.size).toBe(1);
    expect(answers.every((a) => a.statusCode === 201 || a.statusCode === 409)).toBe(true);
    const mine = (await t.app.inject({ method: 'GET', url: '/api/v1/expenses', headers: artist.auth })).json().data;
    expect(mine).toHaveLength(1);
    // Replayed after the fact: the same answer, still one expense.
    const later = await draft(artist, { merchant: 'Offline Deli' }, { 'idempotency-key': key });
    expect(later.json().id).toBe([...ids][0]);
  });
});
