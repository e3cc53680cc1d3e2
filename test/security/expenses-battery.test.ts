import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import exifr from 'exifr';
import type { InjectOptions } from 'fastify';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import { createOrganization, startTestApp, type TestApp, type TestOrganization, type TestUser } from '../helpers/app.js';
import { expectProblem, multipart, samples, type Answer } from '../api/support.js';

/**
 * SECURITY.md rows 1–2, 4, 15–19 and 22 for the expense endpoints (row 3 is in
 * test/security/permissions.test.ts and expenses.test.ts, 24 in the offline replay test):
 * organization A's people reaching for organization B's expenses, receipts, batches and
 * categories; B's ids inside A's bodies and filters; mass assignment and what answers expose;
 * polyglot uploads; receipts served back safely whatever their names; pixel and decompression
 * bombs; GPS tags read back with an independent EXIF reader; formula cells in every CSV the
 * expenses produce.
 */
let t: TestApp;
/** Organization A: the one every test acts in. */
let org: TestOrganization;
let category: string;
/** Organization B and what it owns: A must never reach any of it. */
let b: TestOrganization;
const B_SENTINEL = `B-SENTINEL-${randomUUID().slice(0, 8)}`;
let bProduction: string;
let bCategory: string;
let bDraft: string;
let bSubmitted: string;
let bBatched: string;
let bApproved: string;
let bReceipt: string;
let bImageReceipt: string;
let bBatch: string;

const ROLES = ['admin', 'artist', 'accountant', 'production_manager', 'finance_director', 'system_admin'] as const;

beforeAll(async () => {
  t = await startTestApp();
  org = await createOrganization(t.services, 'Expense battery');
  category = (await t.app.inject({ method: 'POST', url: '/api/v1/expense-categories', headers: org.users.admin.auth, payload: { name: 'Battery', code: 'BATTERY', requires_receipt: false } })).json().id;

  b = await createOrganization(t.services, 'Expense battery B');
  const bAs = (who: TestUser, request: Omit<InjectOptions, 'headers'>) => t.app.inject({ ...request, headers: who.auth } as InjectOptions);
  bProduction = (await bAs(b.users.admin, { method: 'POST', url: '/api/v1/productions', payload: { name: `B show ${B_SENTINEL}`, start_date: '2026-01-01', end_date: '2027-12-31' } })).json().id;
  bCategory = (await bAs(b.users.admin, { method: 'POST', url: '/api/v1/expense-categories', payload: { name: `B cat ${B_SENTINEL}`.slice(0, 60), code: 'B_ONLY', requires_receipt: false } })).json().id;
  const bClaim = async (amount: string, n: number) => {
    const res = await bAs(b.users.artist, { method: 'POST', url: '/api/v1/expenses', payload: {
      category_id: bCategory, production_id: bProduction, amount, expense_date: yesterday(), merchant: `${B_SENTINEL} merchant ${n}`,
      description: `${B_SENTINEL} description`, notes: `${B_SENTINEL} notes`, tags: [B_SENTINEL], is_billable: true,
    } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  bDraft = await bClaim('12.00', 1);
  const receiptOf = async (id: string, file: { filename: string; contentType: string; data: Buffer }) => {
    const body = multipart([file]);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/expenses/${id}/receipts`, headers: { ...b.users.artist.auth, ...body.headers }, payload: body.payload });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().receipt.id as string;
  };
  bReceipt = await receiptOf(bDraft, { filename: `${B_SENTINEL}.pdf`, contentType: 'application/pdf', data: samples.pdf });
  bImageReceipt = await receiptOf(bDraft, { filename: `${B_SENTINEL}.png`, contentType: 'image/png', data: samples.png });
  bSubmitted = await bClaim('300.00', 2);
  expect((await bAs(b.users.artist, { method: 'POST', url: `/api/v1/expenses/${bSubmitted}/submit` })).json().status).toBe('submitted');
  bBatched = await bClaim('40.00', 3);
  bApproved = await bClaim('45.00', 4);
  for (const id of [bBatched, bApproved]) expect((await bAs(b.users.artist, { method: 'POST', url: `/api/v1/expenses/${id}/submit` })).json().status).toBe('approved');
  const batch = await bAs(b.users.accountant, { method: 'POST', url: '/api/v1/payment-batches', payload: { expense_ids: [bBatched] } });
  expect(batch.statusCode, batch.body).toBe(201);
  bBatch = batch.json().id;
}, 60_000);
afterAll(async () => t?.close());

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

async function draft(merchant = 'Corner Bistro', description = 'Dinner', who: TestUser = org.users.artist) {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/expenses', headers: who.auth, payload: { category_id: category, amount: '50.00', expense_date: yesterday(), merchant, description } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

function upload(expenseId: string, file: { filename: string; contentType: string; data: Buffer }, who: TestUser = org.users.artist) {
  const body = multipart([file]);
  return t.app.inject({ method: 'POST', url: `/api/v1/expenses/${expenseId}/receipts`, headers: { ...who.auth, ...body.headers }, payload: body.payload });
}

/** What a problem answer says, for comparing "B's id" with "an id that exists nowhere". */
function said(res: Answer) {
  let body: Record<string, unknown> = {};
  try { body = res.json() as Record<string, unknown>; } catch { /* not JSON: compared by status alone */ }
  return { status: res.statusCode, type: body.type, title: body.title, detail: body.detail, errors: body.errors };
}

/** B's rows as the database holds them (every column), and as B's accountant reads them. */
async function bState() {
  const rows = await withTenant(t.services.database.db, { organizationId: b.id }, async (trx) => ({
    expenses: await trx.selectFrom('expenses').selectAll().where('organization_id', '=', b.id).orderBy('id').execute(),
    receipts: await trx.selectFrom('expense_receipts').selectAll().where('organization_id', '=', b.id).orderBy('id').execute(),
    approvals: await trx.selectFrom('expense_approvals').selectAll().where('organization_id', '=', b.id).orderBy('id').execute(),
    batches: await trx.selectFrom('payment_batches').selectAll().where('organization_id', '=', b.id).orderBy('id').execute(),
    categories: await trx.selectFrom('expense_categories').selectAll().where('organization_id', '=', b.id).orderBy('id').execute(),
    files: await trx.selectFrom('files').selectAll().where('organization_id', '=', b.id).orderBy('id').execute(),
  }));
  const api = await Promise.all([bDraft, bSubmitted, bBatched, bApproved].map(async (id) => (await t.app.inject({ method: 'GET', url: `/api/v1/expenses/${id}`, headers: b.users.accountant.auth })).json()));
  return { rows, api };
}

describe('18 · bombs', () => {
  it('a 50,000 × 50,000 image is refused quickly; a PDF with a Flate bomb is stored without being inflated', async () => {
    const id = await draft();
    // A PNG header announcing 50k × 50k (the pixels never exist).
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    png.writeUInt32BE(50_000, 16);
    png.writeUInt32BE(50_000, 20);
    const rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    expectProblem(await upload(id, { filename: 'bomb.png', contentType: 'image/png', data: png }), 413, 'file_too_large');
    expect(Date.now() - started).toBeLessThan(10_000);

    // 1 GB of zeros deflated to about 1 MB inside a PDF stream: receipts PDFs are kept as they
    // are, so nothing ever inflates it.
    const zeros = deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    const pdf = Buffer.concat([
      Buffer.from(`%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n3 0 obj\n<< /Length ${zeros.length} /Filter /FlateDecode >>\nstream\n`),
      zeros,
      Buffer.from('\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n'),
    ]);
    const res = await upload(id, { filename: 'bomb.pdf', contentType: 'application/pdf', data: pdf });
    expect(res.statusCode, res.body).toBe(201);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(512 * 1024 * 1024);
  }, 30_000);
});

describe('19 · GPS tags', () => {
  it('every receipt image served back has no GPS (or any EXIF) when read with exifr', async () => {
    const id = await draft();
    const fixtures = path.resolve('test/fixtures/receipts');
    for (const [name, type] of [['receipt-gps.jpg', 'image/jpeg'], ['receipt-rotated.jpg', 'image/jpeg'], ['receipt.heic', 'image/heic'], ['receipt.png', 'image/png']] as const) {
      const data = fs.readFileSync(path.join(fixtures, name));
      const res = await upload(id, { filename: name, contentType: type, data });
      expect(res.statusCode, `${name}: ${res.body}`).toBe(201);
      const receipt = res.json().receipt as { id: string };
      for (const variant of ['image', 'thumbnail']) {
        const link = await t.app.inject({ method: 'GET', url: `/api/v1/expenses/${id}/receipts/${receipt.id}/download?variant=${variant}`, headers: org.users.artist.auth });
        const served = (await t.app.inject({ method: 'GET', url: new URL(link.json().url).pathname })).rawPayload;
        expect(await exifr.gps(served).catch(() => undefined), `${name} ${variant}`).toBeUndefined();
        expect(await exifr.parse(served, true).catch(() => undefined), `${name} ${variant}`).toBeUndefined();
      }
    }
    // The fixture itself does carry GPS, read the same way.
    expect(await exifr.gps(fs.readFileSync(path.join(fixtures, 'receipt-gps.jpg')))).toMatchObject({ latitude: expect.any(Number) });
  }, 60_000);
});

describe('22 · formula cells in exports', () => {
  it('merchants and descriptions that start a formula are neutralised in the statement and the bank file', async () => {
    // NUL never gets in at all.
    const nul = await t.app.inject({ method: 'POST', url: '/api/v1/expenses', headers: org.users.artist.auth, payload: { category_id: category, amount: '5.00', expense_date: yesterday(), merchant: '\0=1', description: 'x' } });
    expectProblem(nul, 400, 'invalid_characters');
    const hostile = ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\t=1', '\r=1', '＝1+1', '＠SUM(1)'];
    for (const [i, value] of hostile.entries()) {
      const id = await draft(value, `${value} description ${i}`);
      expect((await t.app.inject({ method: 'POST', url: `/api/v1/expenses/${id}/submit`, headers: org.users.artist.auth })).statusCode).toBe(200);
    }
    const statement = await t.app.inject({ method: 'GET', url: '/api/v1/expenses/export', headers: org.users.artist.auth });
    const cells = parseCsv(statement.body.replace(/^\uFEFF/, ''));
    const header = cells[0]!;
    const merchant = header.indexOf('merchant');
    const description = header.indexOf('description');
    // The claims of this test (the file's other tests left drafts too).
    const rows = cells.slice(1, -1).filter((r) => r[description]!.includes(' description '));
    expect(rows).toHaveLength(hostile.length);
    for (const row of rows) {
      for (const cell of [row[merchant]!, row[description]!]) expect(cell, JSON.stringify(cell)).toMatch(/^'/);
    }
    const approved = (await t.app.inject({ method: 'GET', url: '/api/v1/expenses?status=approved', headers: org.users.accountant.auth })).json().data.map((e: { id: string }) => e.id);
    const batch = await t.app.inject({ method: 'POST', url: '/api/v1/payment-batches', headers: org.users.accountant.auth, payload: { expense_ids: approved } });
    expect(batch.statusCode, batch.body).toBe(201);
    const bankFile = await t.app.inject({ method: 'GET', url: `/api/v1/payment-batches/${batch.json().id}/export`, headers: org.users.accountant.auth });
    expect(bankFile.statusCode, bankFile.body).toBe(200);
    for (const row of parseCsv(bankFile.body.replace(/^\uFEFF/, '')).slice(1)) {
      for (const cell of row) expect(/^[=+\-@\t\r\0＝＋－＠]/.test(cell), JSON.stringify(cell)).toBe(false);
    }
  });
});

const MADE_UP = { expense: '00000000-0000-4000-8000-00000000e0e0', receipt: '00000000-0000-4000-8000-00000000ecec', batch: '00000000-0000-4000-8000-00000000baba', category: '00000000-0000-4000-8000-00000000caca' };

describe('1–2 · A never reaches B: every expense, receipt and batch operation on B ids answers like a made-up id, and B is unchanged', () => {
  it("every id-bearing operation, as each of A's roles", async () => {
    const before = await bState();
    type Op = Omit<InjectOptions, 'headers'> & { name: string };
    const edit = { category_id: category, amount: '1.00', expense_date: yesterday(), merchant: 'Intruder', description: 'Hijack' };
    const expenseOps = (e: string, r: string): Op[] => [
      { name: 'read', method: 'GET', url: `/api/v1/expenses/${e}` },
      { name: 'update', method: 'PUT', url: `/api/v1/expenses/${e}`, payload: edit },
      { name: 'delete', method: 'DELETE', url: `/api/v1/expenses/${e}` },
      { name: 'submit', method: 'POST', url: `/api/v1/expenses/${e}/submit` },
      { name: 'approve', method: 'POST', url: `/api/v1/expenses/${e}/approve`, payload: {} },
      { name: 'reject', method: 'POST', url: `/api/v1/expenses/${e}/reject`, payload: { reason: 'Intruding here' } },
      { name: 'receipt link', method: 'GET', url: `/api/v1/expenses/${e}/receipts/${r}/download` },
      { name: 'thumbnail link', method: 'GET', url: `/api/v1/expenses/${e}/receipts/${r}/download?variant=thumbnail` },
      { name: 'remove receipt', method: 'DELETE', url: `/api/v1/expenses/${e}/receipts/${r}` },
    ];
    const batchOps = (id: string): Op[] => [
      { name: 'mark paid', method: 'POST', url: `/api/v1/payment-batches/${id}/paid` },
      { name: 'bank file', method: 'GET', url: `/api/v1/payment-batches/${id}/export` },
    ];
    const categoryOps = (id: string): Op[] => [
      { name: 'change category', method: 'PATCH', url: `/api/v1/expense-categories/${id}`, payload: { is_active: false, name: 'Taken over' } },
    ];
    let attempted = 0;
    const leaked: string[] = [];
    const compare = async (who: TestUser, label: string, theirs: Op, nowhere: Op) => {
      const { name: _a, ...theirRequest } = theirs;
      const { name: _b, ...nowhereRequest } = nowhere;
      const [mine, none] = [await t.app.inject({ ...theirRequest, headers: who.auth } as InjectOptions), await t.app.inject({ ...nowhereRequest, headers: who.auth } as InjectOptions)];
      attempted++;
      // 404 (or the 403 the role gets for any id) — and exactly the answer an id that exists nowhere gets.
      if (![403, 404].includes(mine.statusCode) || mine.body.includes(B_SENTINEL)) leaked.push(`${label}: ${mine.statusCode} ${mine.body.slice(0, 200)}`);
      expect(said(mine), label).toEqual(said(none));
      if (mine.statusCode !== 403) expectProblem(mine, 404, 'not_found');
    };
    for (const role of ROLES) {
      const who = org.users[role];
      // The caller's own draft: B's receipt ids are tried on it too.
      const own = await draft(`Own ${role}`, 'Own claim', who);
      for (const e of [bDraft, bSubmitted, bBatched, bApproved]) {
        for (const r of [bReceipt, bImageReceipt]) {
          const theirs = expenseOps(e, r);
          const nowhere = expenseOps(MADE_UP.expense, MADE_UP.receipt);
          for (const [i, op] of theirs.entries()) await compare(who, `${role} ${op.name} ${e === bDraft ? 'draft' : e}`, op, nowhere[i]!);
        }
      }
      // B's receipt on A's own expense: like a receipt that does not exist.
      for (const r of [bReceipt, bImageReceipt]) {
        const theirs = expenseOps(own, r).filter((op) => /receipt|thumbnail/.test(op.name));
        const nowhere = expenseOps(own, MADE_UP.receipt).filter((op) => /receipt|thumbnail/.test(op.name));
        for (const [i, op] of theirs.entries()) await compare(who, `${role} ${op.name} on own expense`, op, nowhere[i]!);
      }
      for (const [i, op] of batchOps(bBatch).entries()) await compare(who, `${role} ${op.name}`, op, batchOps(MADE_UP.batch)[i]!);
      for (const [i, op] of categoryOps(bCategory).entries()) await compare(who, `${role} ${op.name}`, op, categoryOps(MADE_UP.category)[i]!);
      // A receipt sent to B's expense: refused before a byte is kept.
      const sent = await upload(bDraft, { filename: 'hijack.pdf', contentType: 'application/pdf', data: samples.pdf }, who);
      const sentNowhere = await upload(MADE_UP.expense, { filename: 'hijack.pdf', contentType: 'application/pdf', data: samples.pdf }, who);
      attempted++;
      expect(said(sent), `${role} upload`).toEqual(said(sentNowhere));
      expectProblem(sent, 404, 'not_found');
    }
    expect(attempted).toBeGreaterThan(400);
    expect(leaked).toEqual([]);
    expect(await bState()).toEqual(before);
  }, 120_000);

  it("B's ids inside A's bodies and filters: refused like made-up ids or answered empty, nothing of B's shown or changed", async () => {
    const before = await bState();
    const countA = () => withTenant(t.services.database.db, { organizationId: org.id }, async (trx) =>
      Number((await trx.selectFrom('expenses').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow()).n));
    const rowsBefore = await countA();
    const body = { category_id: category, amount: '20.00', expense_date: yesterday(), merchant: 'Body ids', description: 'B ids inside' };
    const create = (over: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/v1/expenses', headers: org.users.artist.auth, payload: { ...body, ...over } });
    for (const [fieldName, theirs, nowhere] of [['production_id', bProduction, MADE_UP.expense], ['category_id', bCategory, MADE_UP.category]] as const) {
      const refused = await create({ [fieldName]: theirs });
      const problem = expectProblem(refused, 400, 'validation_error');
      expect(problem.errors).toEqual([expect.objectContaining({ field: `body.${fieldName}` })]);
      expect(said(refused)).toEqual(said(await create({ [fieldName]: nowhere })));
    }
    expect(await countA()).toBe(rowsBefore);

    // The same inside a change of A's own draft: refused, the draft as it was.
    const own = await draft('Own draft', 'Kept as it is');
    const ownBefore = (await t.app.inject({ method: 'GET', url: `/api/v1/expenses/${own}`, headers: org.users.artist.auth })).json();
    for (const [fieldName, theirs, nowhere] of [['production_id', bProduction, MADE_UP.expense], ['category_id', bCategory, MADE_UP.category]] as const) {
      const put = (value: string) => t.app.inject({ method: 'PUT', url: `/api/v1/expenses/${own}`, headers: org.users.artist.auth, payload: { ...body, [fieldName]: value } });
      const refused = await put(theirs);
      expectProblem(refused, 400, 'validation_error');
      expect(said(refused)).toEqual(said(await put(nowhere)));
    }
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/expenses/${own}`, headers: org.users.artist.auth })).json()).toEqual(ownBefore);

    // B's approved expense in A's payment batch: the same 404 as a made-up id; A's own one does not move.
    const mine = (await t.app.inject({ method: 'POST', url: `/api/v1/expenses/${await draft('Batch mine', 'Approved one')}/submit`, headers: org.users.artist.auth })).json();
    expect(mine.status).toBe('approved');
    const batchesBefore = (await t.app.inject({ method: 'GET', url: '/api/v1/payment-batches?limit=100', headers: org.users.accountant.auth })).json().data;
    const batchOf = (ids: string[]) => t.app.inject({ method: 'POST', url: '/api/v1/payment-batches', headers: org.users.accountant.auth, payload: { expense_ids: ids } });
    for (const theirs of [bApproved, bBatched]) {
      const refused = await batchOf([mine.id, theirs]);
      const problem = expectProblem(refused, 404, 'not_found');
      expect(problem.errors).toEqual([{ field: 'body.expense_ids.1', message: 'Not found' }]);
      expect(said(refused)).toEqual(said(await batchOf([mine.id, MADE_UP.expense])));
    }
    const mineAfter = (await t.app.inject({ method: 'GET', url: `/api/v1/expenses/${mine.id}`, headers: org.users.artist.auth })).json();
    expect(mineAfter).toMatchObject({ status: 'approved', payment_batch_id: null });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/payment-batches?limit=100', headers: org.users.accountant.auth })).json().data).toEqual(batchesBefore);
    // Leave A's claim paid for so later batches (the formula test) are not disturbed by it.
    await t.app.inject({ method: 'POST', url: '/api/v1/payment-batches', headers: org.users.accountant.auth, payload: { expense_ids: [mine.id] } });

    // B's ids and words as list and export filters: nothing of B's, for everyone who sees all of A's.
    const bIds = [bDraft, bSubmitted, bBatched, bApproved, bBatch, bCategory, bProduction, bReceipt, bImageReceipt];
    for (const role of ROLES) {
      for (const filter of [`production_id=${bProduction}`, `category_id=${bCategory}`, `artist_id=${b.users.artist.id}`, `q=${B_SENTINEL}`]) {
        const list = await t.app.inject({ method: 'GET', url: `/api/v1/expenses?${filter}`, headers: org.users[role].auth });
        const exported = await t.app.inject({ method: 'GET', url: `/api/v1/expenses/export?${filter}`, headers: org.users[role].auth });
        for (const res of [list, exported]) {
          expect(res.statusCode, `${role} ${filter}`).toBe(200);
          expect(res.body, `${role} ${filter}`).not.toContain(B_SENTINEL);
          for (const id of bIds) expect(res.body, `${role} ${filter}`).not.toContain(id);
        }
        // Who sees only their own claims (artists, production managers) has artist_id= ignored:
        // their own history comes back. For the others the filter finds nothing.
        if ((role === 'artist' || role === 'production_manager') && filter.startsWith('artist_id')) continue;
        expect(list.json().data, `${role} ${filter}`).toEqual([]);
        // The header and a zero total line, nothing else.
        const lines = exported.body.replace(/^\uFEFF/, '').trim().split('\r\n');
        expect(lines, `${role} ${filter}`).toHaveLength(2);
        expect(lines[1]).toMatch(/^TOTAL,.*,0\.00,/);
      }
    }
    const everything = await Promise.all([
      t.app.inject({ method: 'GET', url: '/api/v1/expenses?limit=100', headers: org.users.accountant.auth }),
      t.app.inject({ method: 'GET', url: '/api/v1/expenses/export', headers: org.users.finance_director.auth }),
      t.app.inject({ method: 'GET', url: '/api/v1/expense-categories', headers: org.users.admin.auth }),
      t.app.inject({ method: 'GET', url: '/api/v1/payment-batches', headers: org.users.finance_director.auth }),
    ]);
    for (const res of everything) {
      expect(res.statusCode, res.body).toBe(200);
      expect(res.body).not.toContain(B_SENTINEL);
      for (const id of [bDraft, bSubmitted, bBatched, bApproved, bBatch, bCategory, b.users.artist.id]) expect(res.body).not.toContain(id);
    }
    expect(await bState()).toEqual(before);
  }, 60_000);
});

describe('4 · mass assignment and what answers expose', () => {
  it('status, approver, organization, owner, batch and computed fields in bodies are refused; nothing changes', async () => {
    const rows = () => withTenant(t.services.database.db, { organizationId: org.id }, async (trx) =>
      trx.selectFrom('expenses').selectAll().where('organization_id', '=', org.id).orderBy('id').execute());
    const before = await rows();
    const body = { category_id: category, amount: '20.00', expense_date: yesterday(), merchant: 'Mass', description: 'Assignment' };
    const forged: Array<Record<string, unknown>> = [
      { status: 'approved' }, { approved_by: org.users.finance_director.id }, { organization_id: b.id }, { artist_id: org.users.admin.id },
      { approval_level: 'automatic' }, { amount_base: '0.01' }, { payment_batch_id: bBatch }, { paid_at: new Date().toISOString() },
      { possible_duplicate_ids: [] }, { rejection_reason: null }, { submitted_at: new Date().toISOString() }, { base_currency: 'EUR' },
    ];
    for (const extra of forged) {
      expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/expenses', headers: org.users.artist.auth, payload: { ...body, ...extra } }), 400, 'validation_error');
    }
    expect(await rows()).toEqual(before);
    const own = await draft('Mass own', 'Stays a draft');
    const ownBefore = await rows();
    for (const extra of forged) {
      expectProblem(await t.app.inject({ method: 'PUT', url: `/api/v1/expenses/${own}`, headers: org.users.artist.auth, payload: { ...body, ...extra } }), 400, 'validation_error');
    }
    expect(await rows()).toEqual(ownBefore);

    // Decisions and batches take nothing but their own fields.
    const waiting = (await t.app.inject({ method: 'POST', url: `/api/v1/expenses/${(await t.app.inject({ method: 'POST', url: '/api/v1/expenses', headers: org.users.artist.auth, payload: { ...body, amount: '300.00', merchant: 'Mass waiting' } })).json().id}/submit`, headers: org.users.artist.auth })).json();
    expect(waiting.status).toBe('submitted');
    for (const extra of [{ status: 'paid' }, { approval_level: 'automatic' }, { approved_by: org.users.admin.id }]) {
      expectProblem(await t.app.inject({ method: 'POST', url: `/api/v1/expenses/${waiting.id}/approve`, headers: org.users.admin.auth, payload: { note: 'ok', ...extra } }), 400, 'validation_error');
      expectProblem(await t.app.inject({ method: 'POST', url: `/api/v1/expenses/${waiting.id}/reject`, headers: org.users.admin.auth, payload: { reason: 'Not like this', ...extra } }), 400, 'validation_error');
    }
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/expenses/${waiting.id}`, headers: org.users.admin.auth })).json()).toMatchObject({ status: 'submitted', approved_at: null, rejected_at: null });
    const approved = (await t.app.inject({ method: 'POST', url: `/api/v1/expenses/${await draft('Mass approved', 'Batch me')}/submit`, headers: org.users.artist.auth })).json();
    for (const extra of [{ status: 'paid' }, { organization_id: b.id }, { total_amount: '0.01' }, { reference: 'PAY-MINE' }]) {
      expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/payment-batches', headers: org.users.accountant.auth, payload: { expense_ids: [approved.id], ...extra } }), 400, 'validation_error');
    }
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/expenses/${approved.id}`, headers: org.users.artist.auth })).json()).toMatchObject({ status: 'approved', payment_batch_id: null });
    for (const extra of [{ organization_id: b.id }, { id: randomUUID() }]) {
      expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/expense-categories', headers: org.users.admin.auth, payload: { name: 'Mass cat', code: 'MASS', ...extra } }), 400, 'validation_error');
    }
    // Leave the claims decided and paid, so later batches in this file see nothing of them.
    await t.app.inject({ method: 'POST', url: `/api/v1/expenses/${waiting.id}/reject`, headers: org.users.admin.auth, payload: { reason: 'Battery over' } });
    await t.app.inject({ method: 'POST', url: '/api/v1/payment-batches', headers: org.users.accountant.auth, payload: { expense_ids: [approved.id] } });
  });

  it('expense, receipt, batch and category answers carry exactly their documented fields: no storage keys, owners, organizations or e-mail addresses', async () => {
    const id = await draft('Fields Ltd', 'What answers show');
    const uploaded = await upload(id, { filename: 'fields.png', contentType: 'image/png', data: fs.readFileSync(path.resolve('test/fixtures/receipts/receipt.png')) });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    await upload(id, { filename: 'fields.pdf', contentType: 'application/pdf', data: samples.pdf });
    await t.app.inject({ method: 'PUT', url: `/api/v1/expenses/${id}`, headers: org.users.artist.auth, payload: { category_id: category, amount: '350.00', expense_date: yesterday(), merchant: 'Fields Ltd', description: 'What answers show' } });
    await t.app.inject({ method: 'POST', url: `/api/v1/expenses/${id}/submit`, headers: org.users.artist.auth });
    const approvedByAdmin = await t.app.inject({ method: 'POST', url: `/api/v1/expenses/${id}/approve`, headers: org.users.admin.auth, payload: { note: 'Fine' } });
    expect(approvedByAdmin.statusCode, approvedByAdmin.body).toBe(200);
    const batch = await t.app.inject({ method: 'POST', url: '/api/v1/payment-batches', headers: org.users.accountant.auth, payload: { expense_ids: [id] } });
    expect(batch.statusCode, batch.body).toBe(201);
    const paid = await t.app.inject({ method: 'POST', url: `/api/v1/payment-batches/${batch.json().id}/paid`, headers: org.users.finance_director.auth });
    expect(paid.statusCode, paid.body).toBe(200);

    const expenseKeys = ['id', 'artist', 'category', 'production', 'amount', 'currency', 'exchange_rate', 'base_currency', 'amount_base', 'expense_date', 'merchant', 'description', 'notes', 'tags',
      'is_billable', 'is_reimbursable', 'status', 'approval_level', 'possible_duplicates', 'submitted_at', 'approved_at', 'rejected_at', 'rejection_reason', 'paid_at', 'payment_batch_id',
      'created_at', 'updated_at', 'allowed_actions'].sort();
    const receiptKeys = ['id', 'file', 'thumbnail_file_id', 'ocr', 'ocr_confidence', 'needs_review', 'created_at'].sort();
    const batchKeys = ['id', 'reference', 'status', 'currency', 'total_amount', 'expense_count', 'created_at', 'paid_at'].sort();
    const keys = (o: object) => Object.keys(o).sort();
    const checkExpense = (e: Record<string, unknown>, detail: boolean) => {
      expect(keys(e)).toEqual(detail ? [...expenseKeys, 'history', 'receipts'].sort() : expenseKeys);
      expect(keys(e.artist as object)).toEqual(['id', 'name']);
      expect(keys(e.category as object)).toEqual(['code', 'id', 'name']);
      for (const r of (e.receipts ?? []) as Array<Record<string, unknown>>) {
        expect(keys(r)).toEqual(receiptKeys);
        expect(keys(r.file as object)).toEqual(['content_type', 'id', 'name', 'size_bytes']);
        if (r.ocr) expect(keys(r.ocr as object)).toEqual(['amount', 'currency', 'date', 'merchant', 'text']);
      }
      for (const h of (e.history ?? []) as Array<Record<string, unknown>>) expect(keys(h)).toEqual(['at', 'by', 'decision', 'level', 'reason']);
    };
    checkExpense(uploaded.json().expense, true);
    expect(keys(uploaded.json().receipt)).toEqual(receiptKeys);
    for (const who of [org.users.artist, org.users.accountant, org.users.admin, org.users.finance_director]) {
      checkExpense((await t.app.inject({ method: 'GET', url: `/api/v1/expenses/${id}`, headers: who.auth })).json(), true);
      for (const e of (await t.app.inject({ method: 'GET', url: '/api/v1/expenses?limit=100', headers: who.auth })).json().data) checkExpense(e, false);
    }
    expect(keys(batch.json())).toEqual(batchKeys);
    expect(keys(paid.json())).toEqual(batchKeys);
    for (const bt of (await t.app.inject({ method: 'GET', url: '/api/v1/payment-batches', headers: org.users.accountant.auth })).json().data) expect(keys(bt)).toEqual(batchKeys);

    // And, read as text, nothing internal or personal beyond the claimant's name.
    const forbidden = /storage_key|storage_provider|organization_id|uploaded_by|created_by|approved_by|rejected_by|paid_by|decided_by|sha256|password|@example\.com|tax_id|bank|iban|files\/[0-9a-f]{2}\//i;
    const bodies = await Promise.all([
      t.app.inject({ method: 'GET', url: `/api/v1/expenses/${id}`, headers: org.users.accountant.auth }),
      t.app.inject({ method: 'GET', url: `/api/v1/expenses/${id}`, headers: org.users.artist.auth }),
      t.app.inject({ method: 'GET', url: '/api/v1/expenses?limit=100', headers: org.users.finance_director.auth }),
      t.app.inject({ method: 'GET', url: '/api/v1/payment-batches', headers: org.users.accountant.auth }),
      t.app.inject({ method: 'GET', url: '/api/v1/expense-categories', headers: org.users.artist.auth }),
    ]);
    for (const res of [uploaded, batch, paid, approvedByAdmin, ...bodies]) {
      expect(res.statusCode, res.body).toBeLessThan(300);
      expect(res.body).not.toMatch(forbidden);
      expect(res.body).not.toContain(B_SENTINEL);
    }
    // A receipt link names a token, not where or how the file is stored.
    const receipt = uploaded.json().receipt as { id: string };
    const link = (await t.app.inject({ method: 'GET', url: `/api/v1/expenses/${id}/receipts/${receipt.id}/download`, headers: org.users.accountant.auth })).json();
    expect(keys(link)).toEqual(['expires_at', 'url']);
    const stored = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) => trx.selectFrom('files').select('storage_key').where('organization_id', '=', org.id).execute());
    for (const { storage_key: key } of stored) {
      expect(link.url).not.toContain(key);
      for (const res of [uploaded, ...bodies]) expect(res.body).not.toContain(key);
    }
  }, 60_000);
});

/** Files kept under the data directory (the catalogue's objects). */
const filesOnDisk = () => fs.readdirSync(t.services.config.DATA_DIR, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.parentPath.includes('files'));
const receiptRows = () => withTenant(t.services.database.db, { organizationId: org.id }, async (trx) =>
  Number((await trx.selectFrom('expense_receipts').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow()).n));

/** Fetches a receipt (or its thumbnail) the way a browser does: a signed link, then the file. */
async function served(expenseId: string, receiptId: string, variant: 'image' | 'thumbnail' = 'image') {
  const link = await t.app.inject({ method: 'GET', url: `/api/v1/expenses/${expenseId}/receipts/${receiptId}/download?variant=${variant}`, headers: org.users.artist.auth });
  expect(link.statusCode, link.body).toBe(200);
  return t.app.inject({ method: 'GET', url: new URL(link.json().url).pathname });
}

/** What every served receipt file must carry (SECURITY.md row 16). */
function expectSafeHeaders(file: Answer, label: string) {
  expect(file.statusCode, label).toBe(200);
  const type = String(file.headers['content-type']);
  const disposition = String(file.headers['content-disposition']);
  expect(type, label).toMatch(/^(image\/jpeg|application\/pdf)$/);
  // Inline only for PDF; every image (and anything else) as an attachment.
  expect(disposition, label).toMatch(type === 'application/pdf' ? /^(inline|attachment); filename="/ : /^attachment; filename="/);
  expect(disposition, label).not.toMatch(/[\r\n\u0000]/);
  expect(file.headers['x-content-type-options'], label).toBe('nosniff');
  const csp = String(file.headers['content-security-policy']);
  expect(csp, label).toMatch(/default-src 'none'/);
  expect(csp, label).toMatch(/\bsandbox\b/);
  expect(file.headers['set-cookie'], label).toBeUndefined();
}

describe('15 · polyglot receipts', () => {
  it('files that are two things at once are refused, or kept as the harmless one and served as it, never as HTML or script', async () => {
    const id = await draft('Polyglot', 'Two-faced files');
    const diskBefore = filesOnDisk().length;
    const rowsBefore = await receiptRows();
    const html = Buffer.from('<html><body><script>alert(document.cookie)</script></body></html>');
    const zip = Buffer.from(zipSync({ 'evil.html': strToU8('<script>alert(1)</script>'), 'evil.js': strToU8('alert(1)') }, { level: 0 }));
    const photo = fs.readFileSync(path.resolve('test/fixtures/receipts/receipt.png'));

    // Refused: what is not a receipt by its first bytes, or cannot be read as the image it claims.
    const refused: Array<[string, Buffer, string]> = [
      ['HTML first, a JPEG after it', Buffer.concat([html, samples.jpg]), 'image/jpeg'],
      ['JPEG magic bytes, then HTML', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), html]), 'image/jpeg'],
      ['a ZIP with a PDF appended', Buffer.concat([zip, samples.pdf]), 'application/pdf'],
      ['HTML with a PDF header later on', Buffer.concat([html, samples.pdf]), 'application/pdf'],
      ['GIF/JavaScript polyglot', Buffer.from('GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=alert(document.domain);//;'), 'image/gif'],
      ['SVG with script', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'), 'image/svg+xml'],
    ];
    for (const [name, data, type] of refused) {
      const res = await upload(id, { filename: 'receipt.jpg', contentType: type, data });
      expectProblem(res, 400, 'invalid_file_type');
      expect(filesOnDisk().length, name).toBe(diskBefore);
    }
    expect(await receiptRows()).toBe(rowsBefore);

    // Kept as the harmless reading: an image with HTML (or a ZIP) trailing is re-encoded, the rest
    // dropped; a PDF with a ZIP or script trailing is a PDF and only ever served as one.
    const kept: Array<[string, Buffer, string, 'image/jpeg' | 'application/pdf']> = [
      ['a JPEG with HTML appended', Buffer.concat([samples.jpg, html]), 'text/html', 'image/jpeg'],
      ['a PNG with a ZIP appended', Buffer.concat([photo, zip]), 'image/png', 'image/jpeg'],
      ['a PDF with a ZIP appended', Buffer.concat([samples.pdf, zip]), 'application/zip', 'application/pdf'],
      ['a PDF with HTML inside', Buffer.concat([samples.pdf.subarray(0, 9), html, samples.pdf.subarray(9)]), 'text/html', 'application/pdf'],
    ];
    for (const [name, data, sentType, storedType] of kept) {
      const res = await upload(id, { filename: 'receipt.html', contentType: sentType, data });
      expect(res.statusCode, `${name}: ${res.body}`).toBe(201);
      const receipt = res.json().receipt as { id: string; file: { content_type: string; name: string } };
      expect(receipt.file.content_type, name).toBe(storedType);
      // The name says what the content is, never .html: saved from the browser it stays a photo or a PDF.
      expect(receipt.file.name, name).toBe(storedType === 'image/jpeg' ? 'receipt.jpg' : 'receipt.pdf');
      for (const variant of storedType === 'image/jpeg' ? (['image', 'thumbnail'] as const) : (['image'] as const)) {
        const file = await served(id, receipt.id, variant);
        expectSafeHeaders(file, `${name} ${variant}`);
        expect(file.headers['content-type'], name).toBe(storedType);
        expect(String(file.headers['content-disposition']), name).toMatch(/filename="(thumbnail-)?receipt\.(jpg|pdf)"/);
        if (storedType === 'image/jpeg') {
          // Re-encoded: neither the script nor the ZIP survives.
          expect(file.rawPayload.includes(Buffer.from('<script')), name).toBe(false);
          expect(file.rawPayload.includes(Buffer.from('PK\u0003\u0004')), name).toBe(false);
          expect(file.rawPayload.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])), name).toBe(true);
        }
      }
    }
  }, 60_000);
});

describe('16–17 · receipts come back safely, whatever their names', () => {
  it('hostile names are stored without path parts, control or bidi characters, within 255 bytes, and never reach a header raw', async () => {
    const id = await draft('Names', 'Hostile file names');
    const dataDir = t.services.config.DATA_DIR;
    const hostile = ['../../etc/passwd.pdf', '..\\..\\windows\\win.ini.pdf', '%2e%2e%2f%2e%2e%2fsecret.pdf', 'nul\u0000byte.pdf', `${'x'.repeat(300)}.pdf`, `${'é'.repeat(200)}.pdf`, 'invoice\u202Efdp.exe.pdf', 'tab\tand\u0007bell.pdf', '.htaccess'];
    const check = async (name: string, stored: string, receiptId: string, variants: ReadonlyArray<'image' | 'thumbnail'>) => {
      expect(stored, JSON.stringify(name)).not.toMatch(/[/\\\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]|^\.|\.\.\//);
      expect(Buffer.byteLength(stored), JSON.stringify(name)).toBeLessThanOrEqual(255);
      expect(stored.length).toBeGreaterThan(0);
      for (const variant of variants) {
        const file = await served(id, receiptId, variant);
        expectSafeHeaders(file, `${JSON.stringify(name)} ${variant}`);
        // The header's plain filename is ASCII without quotes; the UTF-8 one percent-encoded.
        expect(String(file.headers['content-disposition'])).toMatch(/^\w+; filename="[\x20-\x21\x23-\x7e]*"; filename\*=UTF-8''[\w%.~!*'()-]*$/);
      }
    };
    for (const name of hostile) {
      const res = await upload(id, { filename: name, contentType: 'application/pdf', data: samples.pdf });
      expect(res.statusCode, `${JSON.stringify(name)}: ${res.body}`).toBe(201);
      const receipt = res.json().receipt as { id: string; file: { name: string } };
      // Whatever it was called, a PDF is stored as one: .exe, .htaccess or a cut-off name end in .pdf.
      expect(receipt.file.name, JSON.stringify(name)).toMatch(/\.pdf$/);
      await check(name, receipt.file.name, receipt.id, ['image']);
    }
    // Photos are renamed .jpg (and their thumbnails "thumbnail-…"): still within 255 bytes.
    for (const name of [`${'y'.repeat(300)}.png`, `${'ж'.repeat(140)}.png`, '../../../tmp/pwned.png', 'photo\u202Egnp.exe']) {
      const res = await upload(id, { filename: name, contentType: 'image/png', data: samples.png });
      expect(res.statusCode, `${JSON.stringify(name)}: ${res.body}`).toBe(201);
      const receipt = res.json().receipt as { id: string; file: { name: string }; thumbnail_file_id: string };
      expect(receipt.file.name).toMatch(/\.jpg$/);
      await check(name, receipt.file.name, receipt.id, ['image', 'thumbnail']);
      const thumbnail = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) => trx.selectFrom('files').select('original_name').where('id', '=', receipt.thumbnail_file_id).executeTakeFirstOrThrow());
      expect(Buffer.byteLength(thumbnail.original_name)).toBeLessThanOrEqual(255);
      expect(thumbnail.original_name).toMatch(/^thumbnail-.*\.jpg$/);
    }
    // A CR/LF inside the multipart header ends the header: the part is no file any more.
    expectProblem(await upload(id, { filename: 'crlf\r\nSet-Cookie: evil=1.pdf', contentType: 'application/pdf', data: samples.pdf }), 400, 'validation_error');

    // Nothing was written outside the storage directory, nor under a name taken from the upload.
    const everything = fs.readdirSync(dataDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dataDir, path.join(e.parentPath, e.name)));
    expect(everything.filter((p) => /passwd|win\.ini|secret\.pdf|pwned|htaccess|xxxxx|yyyyy|invoice|\.\./i.test(p))).toEqual([]);
    for (const p of ['/tmp/pwned.png', path.resolve(dataDir, '..', 'secret.pdf')]) expect(fs.existsSync(p), p).toBe(false);
  }, 90_000);

  it('every stored kind — re-encoded photo, thumbnail, HEIC turned JPEG, PDF — is served with attachment (inline only for PDF), nosniff and a sandboxing CSP', async () => {
    const id = await draft('Served', 'Every kind');
    const fixtures = path.resolve('test/fixtures/receipts');
    const uploads: Array<[string, Buffer, string]> = [
      ['receipt-gps.jpg', fs.readFileSync(path.join(fixtures, 'receipt-gps.jpg')), 'image/jpeg'],
      ['receipt.heic', fs.readFileSync(path.join(fixtures, 'receipt.heic')), 'image/heic'],
      ['receipt.png', fs.readFileSync(path.join(fixtures, 'receipt.png')), 'image/png'],
      ['invoice.pdf', samples.pdf, 'application/pdf'],
    ];
    const seen = new Set<string>();
    for (const [name, data, type] of uploads) {
      const res = await upload(id, { filename: name, contentType: type, data });
      expect(res.statusCode, `${name}: ${res.body}`).toBe(201);
      const receipt = res.json().receipt as { id: string; file: { content_type: string } };
      for (const variant of ['image', 'thumbnail'] as const) {
        const file = await served(id, receipt.id, variant);
        expectSafeHeaders(file, `${name} ${variant}`);
        const disposition = String(file.headers['content-disposition']);
        seen.add(`${file.headers['content-type']} ${disposition.split(';')[0]}`);
        if (file.headers['content-type'] === 'image/jpeg') expect(disposition).toMatch(/^attachment;/);
      }
    }
    expect([...seen].sort()).toEqual(['application/pdf inline', 'image/jpeg attachment']);
    // A link is bound to its file: one changed character and it is refused.
    const res = await upload(id, { filename: 'last.pdf', contentType: 'application/pdf', data: samples.pdf });
    const link = await t.app.inject({ method: 'GET', url: `/api/v1/expenses/${id}/receipts/${res.json().receipt.id}/download`, headers: org.users.artist.auth });
    const url = new URL(link.json().url);
    const forged = url.pathname.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect([401, 403, 404, 410]).toContain((await t.app.inject({ method: 'GET', url: forged })).statusCode);
  }, 90_000);
});

/** RFC 4180 CSV → rows of cells (quotes and CRLF handled). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}
