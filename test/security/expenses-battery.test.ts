import fs from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import exifr from 'exifr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, startTestApp, type TestApp, type TestOrganization } from '../helpers/app.js';
import { expectProblem, multipart } from '../api/support.js';

/**
 * SECURITY.md rows 18, 19, 22 for the expense endpoints (rows 1–4 are in the route sweep and
 * expenses.test.ts, 15–17 in expense-receipts.test.ts, 24 in the offline replay test): pixel and
 * decompression bombs, GPS tags read back with an independent EXIF reader, formula cells in every
 * CSV the expenses produce.
 */
let t: TestApp;
let org: TestOrganization;
let category: string;

beforeAll(async () => {
  t = await startTestApp();
  org = await createOrganization(t.services, 'Expense battery');
  category = (await t.app.inject({ method: 'POST', url: '/api/v1/expense-categories', headers: org.users.admin.auth, payload: { name: 'Battery', code: 'BATTERY', requires_receipt: false } })).json().id;
});
afterAll(async () => t?.close());

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

async function draft(merchant = 'Corner Bistro', description = 'Dinner') {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/expenses', headers: org.users.artist.auth, payload: { category_id: category, amount: '50.00', expense_date: yesterday(), merchant, description } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

function upload(expenseId: string, file: { filename: string; contentType: string; data: Buffer }) {
  const body = multipart([file]);
  return t.app.inject({ method: 'POST', url: `/api/v1/expenses/${expenseId}/receipts`, headers: { ...org.users.artist.auth, ...body.headers }, payload: body.payload });
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
    const bankFile = await t.app.inject({ method: 'GET', url: `/api/v1/payment-batches/${batch.json().id}/export`, headers: org.users.accountant.auth });
    for (const row of parseCsv(bankFile.body.replace(/^\uFEFF/, '')).slice(1)) {
      for (const cell of row) expect(/^[=+\-@\t\r\0＝＋－＠]/.test(cell), JSON.stringify(cell)).toBe(false);
    }
  });
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
