import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import { addUser, createOrganization, startTestApp, type TestApp, type TestOrganization, type TestUser } from '../helpers/app.js';
import { expectProblem, multipart, samples } from './support.js';

/**
 * Receipts (issue 6 item 3) through the API: photos come back re-encoded without EXIF/GPS, HEIC
 * as JPEG, with a thumbnail and OCR suggestions; PDFs as they are; anything else is refused and
 * nothing stays behind.
 */
const FIXTURES = path.resolve('test/fixtures/receipts');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));

let t: TestApp;
let org: TestOrganization;
let transport: string;

beforeAll(async () => {
  t = await startTestApp();
  org = await createOrganization(t.services, 'Receipts');
  const list = (await t.app.inject({ method: 'GET', url: '/api/v1/expense-categories', headers: org.users.artist.auth })).json();
  transport = list.data.find((c: { name: string }) => c.name === 'Transportation').id;
});
afterAll(async () => t?.close());

async function newDraft(who: TestUser = org.users.artist) {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/expenses', headers: who.auth, payload: {
    category_id: transport, amount: '125.50', expense_date: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), merchant: 'Corner Bistro', description: 'Cast dinner',
  } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

function upload(expenseId: string, file: { filename: string; contentType: string; data: Buffer }, who: TestUser = org.users.artist) {
  const body = multipart([file]);
  return t.app.inject({ method: 'POST', url: `/api/v1/expenses/${expenseId}/receipts`, headers: { ...who.auth, ...body.headers }, payload: body.payload });
}

async function fetchReceipt(expenseId: string, receiptId: string, variant: 'image' | 'thumbnail', who: TestUser = org.users.artist) {
  const link = await t.app.inject({ method: 'GET', url: `/api/v1/expenses/${expenseId}/receipts/${receiptId}/download?variant=${variant}`, headers: who.auth });
  expect(link.statusCode, link.body).toBe(200);
  return (await t.app.inject({ method: 'GET', url: new URL(link.json().url).pathname })).rawPayload;
}

const storedFiles = () => fs.readdirSync(t.services.config.DATA_DIR, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.parentPath.includes('files')).length;

describe('receipt photos', () => {
  it('a phone photo with GPS tags: stored re-encoded without them, a thumbnail, OCR suggestions; the original is gone', async () => {
    const id = await newDraft();
    const original = fixture('receipt-gps.jpg');
    expect((await sharp(original).metadata()).exif, 'the fixture carries EXIF').toBeDefined();
    const before = storedFiles();
    const res = await upload(id, { filename: 'IMG_0042.jpg', contentType: 'image/jpeg', data: original });
    expect(res.statusCode, res.body).toBe(201);
    const { receipt, expense } = res.json();
    expect(receipt.file.content_type).toBe('image/jpeg');
    expect(receipt.ocr).toMatchObject({ amount: { value: '125.50' }, date: { value: '2026-11-14' } });
    expect(receipt.ocr.merchant.value).toMatch(/CORNER BISTRO/i);
    expect(Number(receipt.ocr_confidence)).toBeGreaterThanOrEqual(0.8);
    expect(receipt.needs_review).toBe(false);
    expect(expense.receipts).toHaveLength(1);
    // Two objects kept (image + thumbnail), the uploaded original not among them.
    expect(storedFiles()).toBe(before + 2);

    const image = await fetchReceipt(id, receipt.id, 'image');
    const meta = await sharp(image).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.exif).toBeUndefined();
    expect(image.includes(Buffer.from('GPS'))).toBe(false);
    const thumb = await sharp(await fetchReceipt(id, receipt.id, 'thumbnail')).metadata();
    expect(Math.max(thumb.width ?? 0, thumb.height ?? 0)).toBeLessThanOrEqual(320);

    // With its receipt the Transportation expense can be submitted (it could not before).
    const submit = await t.app.inject({ method: 'POST', url: `/api/v1/expenses/${id}/submit`, headers: org.users.artist.auth });
    expect(submit.statusCode, submit.body).toBe(200);
    // The approver sees the receipt; another organization does not.
    expect((await fetchReceipt(id, receipt.id, 'image', org.users.accountant)).length).toBeGreaterThan(1000);
    const other = await createOrganization(t.services, 'Other receipts');
    expectProblem(await t.app.inject({ method: 'GET', url: `/api/v1/expenses/${id}/receipts/${receipt.id}/download`, headers: other.users.admin.auth }), 404, 'not_found');
    // Submitted: receipts are fixed now.
    expectProblem(await upload(id, { filename: 'again.png', contentType: 'image/png', data: fixture('receipt.png') }), 409, 'conflict');
  }, 60_000);

  it('HEIC from an iPhone becomes JPEG; PDFs are kept as they are, without OCR', async () => {
    const id = await newDraft();
    const heic = await upload(id, { filename: 'IMG_0043.HEIC', contentType: 'image/heic', data: fixture('receipt.heic') });
    expect(heic.statusCode, heic.body).toBe(201);
    expect(heic.json().receipt.file).toMatchObject({ content_type: 'image/jpeg', name: 'IMG_0043.jpg' });
    expect((await sharp(await fetchReceipt(id, heic.json().receipt.id, 'image')).metadata()).format).toBe('jpeg');

    const pdf = await upload(id, { filename: 'invoice.pdf', contentType: 'application/pdf', data: samples.pdf });
    expect(pdf.statusCode, pdf.body).toBe(201);
    expect(pdf.json().receipt).toMatchObject({ file: { content_type: 'application/pdf' }, thumbnail_file_id: null, ocr: null, needs_review: false });
    expect((await fetchReceipt(id, pdf.json().receipt.id, 'image')).equals(samples.pdf)).toBe(true);

    const removed = await t.app.inject({ method: 'DELETE', url: `/api/v1/expenses/${id}/receipts/${pdf.json().receipt.id}`, headers: org.users.artist.auth });
    expect(removed.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/expenses/${id}`, headers: org.users.artist.auth })).json().receipts).toHaveLength(1);
  }, 60_000);
});

describe('what receipts refuse', () => {
  it('wrong types, image bombs, 10 MB + 1 and other people\'s expenses: clear answers, nothing stored', async () => {
    const id = await newDraft();
    const before = storedFiles();
    const rows = () => withTenant(t.services.database.db, { organizationId: org.id }, async (trx) =>
      Number((await trx.selectFrom('expense_receipts').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow()).n));
    const rowsBefore = await rows();

    for (const [name, data, type] of [
      ['a renamed executable', Buffer.concat([Buffer.from('MZ\x90\x00'), Buffer.alloc(300)]), 'image/jpeg'],
      ['an SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/svg+xml'],
      ['a Word document', samples.docx, 'application/pdf'],
    ] as const) {
      expectProblem(await upload(id, { filename: 'receipt.jpg', contentType: type, data: Buffer.from(data) }), 400, 'invalid_file_type');
      expect(storedFiles(), name).toBe(before);
    }
    // A small PNG that announces 100,000 × 100,000 pixels: refused before decoding.
    const bomb = Buffer.from(samples.png);
    bomb.writeUInt32BE(100_000, 16);
    bomb.writeUInt32BE(100_000, 20);
    expectProblem(await upload(id, { filename: 'bomb.png', contentType: 'image/png', data: bomb }), 413, 'file_too_large');
    // A corrupt JPEG: the right magic bytes, then garbage.
    expectProblem(await upload(id, { filename: 'broken.jpg', contentType: 'image/jpeg', data: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)]) }), 400, 'invalid_file_type');
    const tooBig = Buffer.concat([samples.pdf, Buffer.alloc(10 * 1024 * 1024 + 1 - samples.pdf.length, 0x20)]);
    expectProblem(await upload(id, { filename: 'big.pdf', contentType: 'application/pdf', data: tooBig }), 413, 'file_too_large');
    const colleague = await addUser(t.services, org.id, 'artist', `colleague.${Date.now()}@example.com`);
    expectProblem(await upload(id, { filename: 'receipt.png', contentType: 'image/png', data: fixture('receipt.png') }, colleague), 404, 'not_found');
    expect(storedFiles()).toBe(before);
    expect(await rows()).toBe(rowsBefore);
  }, 60_000);
});
