import fs from 'node:fs';
import path from 'node:path';
import type { InjectOptions } from 'fastify';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import { createOrganization, startTestApp, type TestApp, type TestOrganization } from '../helpers/app.js';
import { expectProblem, multipart, samples } from '../api/support.js';

/**
 * SECURITY.md rows 1–4 and 15–17 for the contract endpoints: organization A's people reaching for
 * organization B's contracts, B's ids inside A's bodies and filters, mass assignment, uploads
 * that must not be stored, stored files served safely, hostile file names.
 */
let t: TestApp;
let dataDir: string;
let a: TestOrganization;
let b: TestOrganization;
let bContract: string;
let bAssignment: string;
let bProduction: string;

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

async function realPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage([200, 200]);
  return Buffer.from(await doc.save());
}

function uploadAs(o: TestOrganization, data: unknown, file: { filename: string; contentType: string; data: Buffer }, url = '/api/v1/contracts') {
  const body = multipart([file], { data: JSON.stringify(data) });
  return t.app.inject({ method: 'POST', url, headers: { ...o.users.admin.auth, ...body.headers }, payload: body.payload });
}

const filesOnDisk = () => fs.readdirSync(dataDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.endsWith('.json') && e.parentPath.includes('files')).length;

/** What B's contract looks like to B's administrator: must not change whatever A tries. */
async function bSnapshot() {
  const contract = (await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${bContract}`, headers: b.users.admin.auth })).json();
  const status = (await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${bContract}/status`, headers: b.users.admin.auth })).json();
  return { contract: { ...contract, updated_at: undefined }, status };
}

beforeAll(async () => {
  t = await startTestApp();
  dataDir = t.services.config.DATA_DIR;
  a = await createOrganization(t.services, 'Battery A');
  b = await createOrganization(t.services, 'Battery B');
  bProduction = (await t.app.inject({ method: 'POST', url: '/api/v1/productions', headers: b.users.admin.auth, payload: { name: 'B show', start_date: '2026-01-01', end_date: '2026-12-31' } })).json().id;
  const created = await uploadAs(b, { title: 'B only', production_id: bProduction }, { filename: 'b.pdf', contentType: 'application/pdf', data: await realPdf() });
  bContract = created.json().id;
  const assigned = await t.app.inject({ method: 'POST', url: `/api/v1/contracts/${bContract}/assign`, headers: b.users.admin.auth, payload: { artist_ids: [b.users.artist.id] } });
  bAssignment = assigned.json().results[0].assignment_id;
});
afterAll(async () => t?.close());

describe('1–2 · A never reaches B: every contract operation on B ids answers 404 like a made-up id, and B is unchanged', () => {
  it('every id-bearing operation, as each of A\'s roles', async () => {
    const before = await bSnapshot();
    const pdf = await realPdf();
    const ops = (id: string): Array<Omit<InjectOptions, 'headers'> & { name: string }> => [
      { name: 'read', method: 'GET', url: `/api/v1/contracts/${id}` },
      { name: 'status', method: 'GET', url: `/api/v1/contracts/${id}/status` },
      { name: 'download', method: 'GET', url: `/api/v1/contracts/${id}/download` },
      { name: 'download pdf', method: 'GET', url: `/api/v1/contracts/${id}/download?format=pdf` },
      { name: 'signed copy', method: 'GET', url: `/api/v1/contracts/${id}/signed-document?assignment_id=${bAssignment}` },
      { name: 'assign', method: 'POST', url: `/api/v1/contracts/${id}/assign`, payload: { artist_ids: [a.users.artist.id] } },
      { name: 'sign', method: 'POST', url: `/api/v1/contracts/${id}/sign`, payload: { consent: true, signature: { kind: 'typed', name: 'Intruder' } } },
      { name: 'decline', method: 'POST', url: `/api/v1/contracts/${id}/decline`, payload: { reason: 'Intruding' } },
    ];
    const madeUp = '00000000-0000-4000-8000-00000000beef';
    for (const role of ['admin', 'system_admin', 'artist', 'production_manager'] as const) {
      for (const [i, op] of ops(bContract).entries()) {
        const { name, ...request } = op;
        const theirs = await t.app.inject({ ...request, headers: a.users[role].auth });
        const nowhere = await t.app.inject({ ...ops(madeUp)[i]!, headers: a.users[role].auth });
        const seen = [theirs, nowhere].map((r) => [r.statusCode, r.json().type, r.json().title, r.json().detail]);
        // 404 (or the 403 every role gets anyway) — and the same answer as for an id that exists nowhere.
        expect(seen[0], `${role} ${name}`).toEqual(seen[1]);
        expect([403, 404], `${role} ${name}: ${theirs.body}`).toContain(theirs.statusCode);
      }
      const version = multipart([{ filename: 'v.pdf', contentType: 'application/pdf', data: pdf }], { data: JSON.stringify({ change_summary: 'Hijack' }) });
      const res = await t.app.inject({ method: 'POST', url: `/api/v1/contracts/${bContract}/versions`, headers: { ...a.users[role].auth, ...version.headers }, payload: version.payload });
      expect([403, 404]).toContain(res.statusCode);
    }
    expect(await bSnapshot()).toEqual(before);
  });

  it('B ids inside A\'s bodies and filters: refused or empty, never B\'s data', async () => {
    const mine = (await uploadAs(a, { title: 'A contract' }, { filename: 'a.pdf', contentType: 'application/pdf', data: await realPdf() })).json();
    // B's artist inside an assignment body: 404 naming the id, nothing assigned.
    const assign = expectProblem(await t.app.inject({ method: 'POST', url: `/api/v1/contracts/${mine.id}/assign`, headers: a.users.admin.auth, payload: { artist_ids: [a.users.artist.id, b.users.artist.id] } }), 404, 'not_found');
    expect(JSON.stringify(assign)).not.toContain(b.users.artist.email);
    const status = (await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${mine.id}/status`, headers: a.users.admin.auth })).json();
    expect(status.assignments).toEqual([]);
    // B's production in an upload: a field error, nothing stored.
    expectProblem(await uploadAs(a, { title: 'Sneaky', production_id: bProduction }, { filename: 'a.pdf', contentType: 'application/pdf', data: await realPdf() }), 400, 'validation_error');
    // B's production and artist as list filters: nothing of B's.
    for (const filter of [`production_id=${bProduction}`, `artist_id=${b.users.artist.id}`]) {
      const list = await t.app.inject({ method: 'GET', url: `/api/v1/contracts?${filter}`, headers: a.users.admin.auth });
      expect(list.statusCode).toBe(200);
      expect(list.json().data).toEqual([]);
    }
    // B's assignment id on A's own contract.
    expectProblem(await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${mine.id}/signed-document?assignment_id=${bAssignment}`, headers: a.users.admin.auth }), 404, 'not_found');
  });
});

describe('4 · mass assignment and what answers expose', () => {
  it('status, organization, author or signing fields in bodies are refused; nothing changes', async () => {
    const pdf = await realPdf();
    for (const extra of [{ status: 'active' }, { organization_id: b.id }, { created_by: b.users.admin.id }, { current_version: 7 }]) {
      expectProblem(await uploadAs(a, { title: 'Mass', ...extra }, { filename: 'a.pdf', contentType: 'application/pdf', data: pdf }), 400, 'validation_error');
    }
    const contract = (await uploadAs(a, { title: 'Fields' }, { filename: 'a.pdf', contentType: 'application/pdf', data: pdf })).json();
    await t.app.inject({ method: 'POST', url: `/api/v1/contracts/${contract.id}/assign`, headers: a.users.admin.auth, payload: { artist_ids: [a.users.artist.id] } });
    for (const body of [
      { artist_ids: [a.users.artist.id], status: 'signed' },
      { artist_ids: [a.users.artist.id], organization_id: b.id },
    ]) expectProblem(await t.app.inject({ method: 'POST', url: `/api/v1/contracts/${contract.id}/assign`, headers: a.users.admin.auth, payload: body }), 400, 'validation_error');
    for (const body of [
      { consent: true, signature: { kind: 'typed', name: 'Ann Artist' }, status: 'signed' },
      { consent: true, signature: { kind: 'typed', name: 'Ann Artist' }, signed_at: '2020-01-01T00:00:00Z' },
      { consent: true, signature: { kind: 'typed', name: 'Ann Artist', ip: '1.2.3.4' } },
    ]) expectProblem(await t.app.inject({ method: 'POST', url: `/api/v1/contracts/${contract.id}/sign`, headers: a.users.artist.auth, payload: body }), 400, 'validation_error');
    const detail = (await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}`, headers: a.users.artist.auth })).json();
    expect(detail.my_assignment.status).toBe('sent');
    expect(detail.status).toBe('pending');

    // Answers carry no storage keys, private keys, other organizations or signer addresses.
    const signed = await t.app.inject({ method: 'POST', url: `/api/v1/contracts/${contract.id}/sign`, headers: a.users.artist.auth, payload: { consent: true, signature: { kind: 'typed', name: 'Ann Artist' } } });
    expect(signed.statusCode, signed.body).toBe(200);
    const bodies = await Promise.all([
      t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}`, headers: a.users.admin.auth }),
      t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}/status`, headers: a.users.admin.auth }),
      t.app.inject({ method: 'GET', url: '/api/v1/contracts', headers: a.users.artist.auth }),
      t.app.inject({ method: 'GET', url: '/api/v1/admin/signing-certificate', headers: a.users.admin.auth }),
    ]);
    for (const res of bodies) {
      expect(res.statusCode, res.body).toBe(200);
      expect(res.body).not.toMatch(/storage_key|private_key|PRIVATE KEY|organization_id|signed_ip|127\.0\.0\.1/);
    }
  });
});

describe('15 · uploads that must not be stored', () => {
  it('50 MB + 1, wrong magic bytes, SVG with script, HTML and ZIP polyglots: refused, nothing left behind', async () => {
    const diskBefore = filesOnDisk();
    const count = () => withTenant(t.services.database.db, { organizationId: a.id }, async (trx) =>
      Number((await trx.selectFrom('files').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', a.id).executeTakeFirstOrThrow()).n));
    const rowsBefore = await count();
    const max = t.services.config.FILE_MAX_BYTES;
    const pdf = await realPdf();
    const tooBig = Buffer.concat([pdf, Buffer.alloc(max + 1 - pdf.length, 0x20)]);
    expect(tooBig.length).toBe(50 * 1024 * 1024 + 1);
    expectProblem(await uploadAs(a, { title: 'Huge' }, { filename: 'huge.pdf', contentType: 'application/pdf', data: tooBig }), 413, 'file_too_large');

    const refused: Array<[string, Buffer, string]> = [
      ['renamed executable', Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(200)]), 'application/pdf'],
      ['ELF binary', Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01'), Buffer.alloc(200)]), 'application/pdf'],
      ['SVG with script', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script></svg>'), 'image/svg+xml'],
      ['HTML with a PDF header later on', Buffer.from(`<html><script>alert(1)</script></html>\n${pdf.toString('latin1')}`, 'latin1'), 'application/pdf'],
      ['a ZIP that is no Word document', Buffer.from('UEsDBAoAAAAAAAAAIQAAAAAAAAAAAAAAAAAIAAAAZXZpbC5qc1BLAQIUAAoAAAAAAAAAIQAAAAAAAAAAAAAAAAAIAAAAAAAAAAAAAAAAAAAAAABldmlsLmpzUEsFBgAAAAABAAEANgAAACYAAAAAAA==', 'base64'), DOCX],
      ['a PNG named .pdf', samples.png, 'application/pdf'],
    ];
    for (const [name, data, contentType] of refused) {
      const res = await uploadAs(a, { title: name }, { filename: 'contract.pdf', contentType, data });
      expect(res.statusCode, `${name}: ${res.body}`).toBe(400);
      expect(res.json().type, name).toBe('invalid_file_type');
    }
    expect(await count()).toBe(rowsBefore);
    expect(filesOnDisk()).toBe(diskBefore);
  });
});

describe('16–17 · stored files come back safely, whatever their names', () => {
  it('originals, renditions and signed copies: attachment unless PDF, nosniff, sandboxing CSP; hostile names neutralised', async () => {
    const pdf = await realPdf();
    const hostile = ['../../etc/passwd.pdf', '%2e%2e%2f%2e%2e%2fsecret.pdf', 'nul\u0000byte.pdf', `${'x'.repeat(300)}.pdf`, 'invoice\u202Efdp.exe', 'crlf\r\nSet-Cookie: evil=1.pdf'];
    const fetchBack = async (url: string) => t.app.inject({ method: 'GET', url: new URL(url).pathname });
    for (const name of hostile) {
      const res = await uploadAs(a, { title: `Hostile name ${hostile.indexOf(name)}` }, { filename: name, contentType: 'application/pdf', data: pdf });
      // A CR/LF inside the multipart header ends the header: the part is not a file any more (400).
      if (name.includes('\r\n')) {
        expectProblem(res, 400, 'validation_error');
        continue;
      }
      expect(res.statusCode, `${JSON.stringify(name)}: ${res.body}`).toBe(201);
      const stored = res.json().versions[0].file.name as string;
      expect(stored, JSON.stringify(name)).not.toMatch(/[/\\\u0000\r\n\u202E]|\.\./);
      expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(255);
      const link = (await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${res.json().id}/download`, headers: a.users.admin.auth })).json();
      const file = await fetchBack(link.url);
      expect(file.headers['set-cookie']).toBeUndefined();
      expect(String(file.headers['content-disposition'])).not.toMatch(/[\r\n]/);
    }

    // Every kind of stored contract file.
    const word = (await uploadAs(a, { title: 'Word' }, { filename: 'deal.docx', contentType: DOCX, data: samples.docx })).json();
    const signedOne = (await uploadAs(a, { title: 'To sign' }, { filename: 'sign.pdf', contentType: 'application/pdf', data: pdf })).json();
    await t.app.inject({ method: 'POST', url: `/api/v1/contracts/${signedOne.id}/assign`, headers: a.users.admin.auth, payload: { artist_ids: [a.users.artist.id] } });
    await t.app.inject({ method: 'POST', url: `/api/v1/contracts/${signedOne.id}/sign`, headers: a.users.artist.auth, payload: { consent: true, signature: { kind: 'typed', name: 'Ann Artist' } } });
    await t.services.jobs.drain(['contracts.convert-docx']);
    const links = await Promise.all([
      t.app.inject({ method: 'GET', url: `/api/v1/contracts/${word.id}/download`, headers: a.users.admin.auth }),
      t.app.inject({ method: 'GET', url: `/api/v1/contracts/${word.id}/download?format=pdf`, headers: a.users.admin.auth }),
      t.app.inject({ method: 'GET', url: `/api/v1/contracts/${signedOne.id}/download`, headers: a.users.admin.auth }),
      t.app.inject({ method: 'GET', url: `/api/v1/contracts/${signedOne.id}/signed-document`, headers: a.users.artist.auth }),
    ]);
    const expectations = ['attachment', 'inline', 'inline', 'inline'];
    for (const [i, link] of links.entries()) {
      expect(link.statusCode, link.body).toBe(200);
      const file = await fetchBack(link.json().url);
      expect(file.statusCode).toBe(200);
      expect(String(file.headers['content-disposition'])).toMatch(new RegExp(`^${expectations[i]};`));
      expect(file.headers['x-content-type-options']).toBe('nosniff');
      expect(String(file.headers['content-security-policy'])).toMatch(/default-src 'none'/);
      expect(String(file.headers['content-security-policy'])).toMatch(/sandbox/);
    }
    // A link is bound to its file: a changed token is refused.
    const url = new URL(links[0]!.json().url);
    const forged = url.pathname.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect([401, 403, 404, 410]).toContain((await t.app.inject({ method: 'GET', url: forged })).statusCode);
    expect(path.basename(url.pathname).length).toBeGreaterThan(20);
  }, 60_000);
});
