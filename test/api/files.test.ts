import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import { signDownload } from '../../src/server/files/signed-url.js';
import { createOrganization, startTestApp, type TestApp, type TestOrganization, type TestUser } from '../helpers/app.js';
import { expectProblem, multipart, samples, unique, type FilePart } from './support.js';

const MAX = 200_000;
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ FILE_MAX_BYTES: String(MAX) });
});
afterAll(async () => t?.close());

interface FileBody {
  id: string;
  name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  purpose: string;
  uploaded_by: string | null;
  created_at: string;
}

function send(user: TestUser | null, parts: FilePart[], extraHeaders: Record<string, string> = {}) {
  const body = multipart(parts);
  return t.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...(user?.auth ?? {}), ...body.headers, ...extraHeaders }, payload: body.payload });
}

async function upload(user: TestUser, filename: string, data: Buffer, contentType = 'application/octet-stream'): Promise<FileBody> {
  const res = await send(user, [{ filename, data, contentType }]);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as FileBody;
}

/** Every stored object on disk, relative to the storage folder. */
function filesOnDisk(): string[] {
  const root = t.services.config.storageDir;
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)))
    .sort();
}

async function rowsOf(org: TestOrganization) {
  return withTenant(t.services.database.db, { organizationId: org.id }, (trx) =>
    trx.selectFrom('files').select(['id', 'storage_key', 'original_name']).where('organization_id', '=', org.id).execute());
}

async function readStored(key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of t.services.storage.get(key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function sha256(b: Buffer) {
  return createHash('sha256').update(b).digest('hex');
}

function pdfOfSize(size: number): Buffer {
  const head = samples.pdf;
  return Buffer.concat([head, Buffer.alloc(size - head.length, 0x20)]);
}

async function linkFor(user: TestUser, id: string) {
  const res = await t.app.inject({ url: `/api/v1/files/${id}/download`, headers: user.auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { url: string; expires_at: string };
}

function fetchLink(url: string) {
  expect(url.startsWith('http://portal.test/api/v1/files/download/')).toBe(true);
  return t.app.inject({ url: url.replace('http://portal.test', '') });
}

describe('upload', () => {
  it.each([
    ['pdf', 'contract.pdf', 'application/pdf'],
    ['png', 'headshot.png', 'image/png'],
    ['jpg', 'rider photo.jpg', 'image/jpeg'],
  ] as const)('accepts a real %s and reports its size and SHA-256', async (kind, filename, mime) => {
    const org = await createOrganization(t.services);
    const data = samples[kind];
    const diskBefore = filesOnDisk();
    const file = await upload(org.users.artist, filename, data);
    expect(file).toMatchObject({
      name: filename,
      content_type: mime,
      size_bytes: data.length,
      sha256: sha256(data),
      uploaded_by: org.users.artist.id,
    });
    expect(file.id).toMatch(/^[0-9a-f-]{36}$/);
    const rows = await rowsOf(org);
    expect(rows.map((r) => r.id)).toEqual([file.id]);
    // Exactly the sent bytes are kept, under a generated key inside the organization's folder.
    const key = rows[0]?.storage_key ?? '';
    expect(key.startsWith(`${org.id}/`)).toBe(true);
    expect(await readStored(key)).toEqual(data);
    expect(filesOnDisk()).toEqual([...diskBefore, key].sort());
    // Metadata reads back the same.
    expect((await t.app.inject({ url: `/api/v1/files/${file.id}`, headers: org.users.artist.auth })).json()).toEqual(file);
  });

  it('the declared content type and extension are ignored: the bytes decide', async () => {
    const org = await createOrganization(t.services);
    const file = await upload(org.users.admin, 'looks-like-text.txt', samples.png, 'text/plain');
    expect(file.content_type).toBe('image/png');
  });

  it('hostile file names are stored as safe names', async () => {
    const org = await createOrganization(t.services);
    const cases: [string, string | RegExp][] = [
      ['../../etc/passwd.pdf', 'passwd.pdf'],
      ['..\\..\\windows\\system32\\evil.pdf', 'evil.pdf'],
      ['/absolute/path/report.pdf', 'report.pdf'],
      ['%2e%2e%2fetc%2fpasswd.pdf', /^[^/\\]+$/],
      ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
      ['nul\u0000byte.pdf', 'nulbyte.pdf'],
      ['quote"name.pdf', 'quotename.pdf'],
      ['.hidden.pdf', 'hidden.pdf'],
      ['..', 'file.pdf'],
      ['', 'file.pdf'],
      [`${'a'.repeat(300)}.pdf`, /^a{255}$/],
      ['é'.repeat(200), /^é{127}$/],
      ['😀'.repeat(100), /^(😀){63}$/u],
      ['b'.repeat(50_000), /^b{255}$/],
      ['Vertrag Müller – 2025.pdf', 'Vertrag Müller – 2025.pdf'],
    ];
    for (const [raw, expected] of cases) {
      const label = JSON.stringify(raw);
      const res0 = await send(org.users.admin, [{ filename: raw, data: samples.pdf }]);
      expect(res0.statusCode, `${label}: ${res0.body}`).toBe(201);
      const file = res0.json() as FileBody;
      if (typeof expected === 'string') expect(file.name, label).toBe(expected);
      else expect(file.name, label).toMatch(expected);
      expect(file.name, label).not.toMatch(/[/\\\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069\ufffd"]/);
      expect(Buffer.byteLength(file.name), label).toBeLessThanOrEqual(255);
      expect(file.name.startsWith('.'), label).toBe(false);

      // The name travels in a header when downloaded: it must stay one well-formed header.
      const res = await fetchLink((await linkFor(org.users.admin, file.id)).url);
      expect(res.statusCode, label).toBe(200);
      const disposition = String(res.headers['content-disposition']);
      expect(disposition, label).toMatch(/^inline; filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%!'()*._~-]*$/);
      expect(res.headers['set-cookie'], label).toBeUndefined();
    }
    // CR/LF cannot be carried in a multipart file name at all: the part is not taken as a file.
    for (const raw of ['line\r\nSet-Cookie: pwned=1.pdf', 'a\rb.pdf', 'a\nb.pdf']) {
      const res = await send(org.users.admin, [{ filename: raw, data: samples.pdf }]);
      expectProblem(res, 400, 'validation_error');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(await rowsOf(org)).toHaveLength(cases.length);
    // Nothing was written outside the organization's folder.
    for (const key of filesOnDisk()) expect(key).toMatch(/^[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
  });

  it('refuses files whose bytes are not an allowed type and keeps nothing', async () => {
    const org = await createOrganization(t.services);
    const diskBefore = filesOnDisk();
    const refused: FilePart[] = [
      { filename: 'notes.pdf', contentType: 'application/pdf', data: Buffer.from('Just some text pretending to be a PDF.\n'.repeat(20)) },
      { filename: 'logo.svg', contentType: 'image/svg+xml', data: Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>') },
      { filename: 'logo.png', contentType: 'image/png', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>') },
      { filename: 'page.html', contentType: 'text/html', data: Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>') },
      { filename: 'page.pdf', contentType: 'application/pdf', data: Buffer.from('<html><script>fetch("/api/v1/organization")</script></html>') },
      { filename: 'anim.gif', contentType: 'image/gif', data: Buffer.from('474946383961010001000000002c00000000010001000002024401003b', 'hex') },
      { filename: 'archive.zip', contentType: 'application/zip', data: Buffer.from('504b0506000000000000000000000000000000000000', 'hex') },
      { filename: 'tool.exe', contentType: 'application/pdf', data: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]) },
      { filename: 'empty.pdf', contentType: 'application/pdf', data: Buffer.alloc(0) },
    ];
    for (const part of refused) {
      const res = await send(org.users.admin, [part]);
      expectProblem(res, 400, 'invalid_file_type');
    }
    expect(await rowsOf(org)).toEqual([]);
    expect(filesOnDisk()).toEqual(diskBefore);
  });

  it(`a file over the limit → 413 file_too_large and no bytes left behind`, async () => {
    const org = await createOrganization(t.services);
    const diskBefore = filesOnDisk();
    for (const size of [MAX + 1, MAX + 65_536, 1_500_000]) {
      const res = await send(org.users.admin, [{ filename: 'big.pdf', contentType: 'application/pdf', data: pdfOfSize(size) }]);
      expectProblem(res, 413, 'file_too_large');
    }
    expect(await rowsOf(org)).toEqual([]);
    expect(filesOnDisk()).toEqual(diskBefore);
    // Exactly at the limit is fine, and stored whole (not truncated).
    const atLimit = pdfOfSize(MAX);
    const file = await upload(org.users.admin, 'exact.pdf', atLimit);
    expect(file.size_bytes).toBe(MAX);
    expect(file.sha256).toBe(sha256(atLimit));
  });

  it('only multipart with a file part is accepted', async () => {
    const org = await createOrganization(t.services);
    const admin = org.users.admin;
    const diskBefore = filesOnDisk();
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/files', headers: admin.auth, payload: { name: 'x.pdf', data: samples.pdf.toString('base64') } }), 415, 'unsupported_media_type');
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...admin.auth, 'content-type': 'application/pdf' }, payload: samples.pdf }), 415, 'unsupported_media_type');
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...admin.auth, 'content-type': 'text/plain' }, payload: 'hello' }), 415, 'unsupported_media_type');
    const fieldsOnly = multipart([], { note: 'no file here' });
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...admin.auth, ...fieldsOnly.headers }, payload: fieldsOnly.payload }), 400, 'validation_error');
    // Without a token nothing is read or stored.
    expectProblem(await send(null, [{ filename: 'a.pdf', data: samples.pdf }]), 401, 'unauthorized');
    expect(await rowsOf(org)).toEqual([]);
    expect(filesOnDisk()).toEqual(diskBefore);
  });

  it('Idempotency-Key: a retried upload is stored once; another file under the same key → 422', async () => {
    const org = await createOrganization(t.services);
    const key = unique('upload');
    const diskBefore = filesOnDisk();
    const first = await send(org.users.artist, [{ filename: 'a.pdf', data: samples.pdf }], { 'idempotency-key': key });
    expect(first.statusCode, first.body).toBe(201);
    const again = await send(org.users.artist, [{ filename: 'a.pdf', data: samples.pdf }], { 'idempotency-key': key });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expectProblem(await send(org.users.artist, [{ filename: 'a.pdf', data: samples.png }], { 'idempotency-key': key }), 422, 'idempotency_key_reused');
    expectProblem(await send(org.users.artist, [{ filename: 'b.pdf', data: samples.pdf }], { 'idempotency-key': key }), 422, 'idempotency_key_reused');
    expect(await rowsOf(org)).toHaveLength(1);
    expect(filesOnDisk()).toHaveLength(diskBefore.length + 1);
  });
});

describe('download', () => {
  it('hands out a 15-minute link that serves the exact bytes with safe headers', async () => {
    const org = await createOrganization(t.services);
    for (const [kind, disposition] of [['pdf', 'inline'], ['png', 'attachment'], ['jpg', 'attachment']] as const) {
      const file = await upload(org.users.artist, `sample.${kind}`, samples[kind]);
      const link = await linkFor(org.users.artist, file.id);
      const ahead = Date.parse(link.expires_at) - Date.now();
      expect(ahead).toBeGreaterThan(14 * 60_000);
      expect(ahead).toBeLessThanOrEqual(15 * 60_000 + 1000);

      const res = await fetchLink(link.url);
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload).toEqual(samples[kind]);
      expect(res.headers['content-type']).toBe(file.content_type);
      expect(Number(res.headers['content-length'])).toBe(samples[kind].length);
      expect(String(res.headers['content-disposition'])).toBe(`${disposition}; filename="sample.${kind}"; filename*=UTF-8''sample.${kind}`);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(String(res.headers['content-security-policy'])).toMatch(/sandbox/);
      expect(String(res.headers['content-security-policy'])).toMatch(/default-src 'none'/);
      expect(String(res.headers['cache-control'])).toContain('no-store');
      // The link works without a token (it is the credential) and more than once while valid.
      expect((await fetchLink(link.url)).rawPayload).toEqual(samples[kind]);
    }
  });

  it('tampered links → 404, expired links → 410', async () => {
    const org = await createOrganization(t.services);
    const file = await upload(org.users.admin, 'c.pdf', samples.pdf);
    const { url } = await linkFor(org.users.admin, file.id);
    const token = url.split('/').pop() ?? '';
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    const [fileId, expires, orgId, mac] = decoded.split('.') as [string, string, string, string];
    const tampered = [
      flip(token, 5),
      flip(token, token.length - 3),
      // A later expiry with the old signature.
      Buffer.from(`${fileId}.${Number(expires) + 86_400}.${orgId}.${mac}`).toString('base64url'),
      // Another file of the same organization with the old signature.
      Buffer.from(`${randomUUID()}.${expires}.${orgId}.${mac}`).toString('base64url'),
      Buffer.from(`${fileId}.${expires}.${orgId}`).toString('base64url'),
      'A'.repeat(40),
    ];
    for (const bad of tampered) {
      const res = await t.app.inject({ url: `/api/v1/files/download/${bad}` });
      expectProblem(res, 404, 'not_found');
      expect(res.rawPayload.includes(samples.pdf)).toBe(false);
    }

    const expired = signDownload(t.services.signingSecret, { fileId: file.id, organizationId: org.id, expiresAt: Math.floor(Date.now() / 1000) - 60 });
    expectProblem(await t.app.inject({ url: `/api/v1/files/download/${expired}` }), 410, 'link_expired');
    // Signed but for an organization the file is not in: not found.
    const other = await createOrganization(t.services);
    const crossed = signDownload(t.services.signingSecret, { fileId: file.id, organizationId: other.id, expiresAt: Math.floor(Date.now() / 1000) + 60 });
    expectProblem(await t.app.inject({ url: `/api/v1/files/download/${crossed}` }), 404, 'not_found');
  });

  it("artists see their own files only; managers see everyone's", async () => {
    const org = await createOrganization(t.services);
    const accountantsFile = await upload(org.users.accountant, 'ledger.pdf', samples.pdf);
    const artistsFile = await upload(org.users.artist, 'me.png', samples.png);
    const unknown = randomUUID();

    for (const url of [`/api/v1/files/${accountantsFile.id}`, `/api/v1/files/${accountantsFile.id}/download`]) {
      const res = await t.app.inject({ url, headers: org.users.artist.auth });
      const ref = await t.app.inject({ url: url.replace(accountantsFile.id, unknown), headers: org.users.artist.auth });
      expectProblem(res, 404, 'not_found');
      expect((res.json() as { detail: string }).detail).toBe((ref.json() as { detail: string }).detail);
    }
    // Staff roles other than managers are limited to their own files as well.
    expectProblem(await t.app.inject({ url: `/api/v1/files/${artistsFile.id}`, headers: org.users.accountant.auth }), 404, 'not_found');

    for (const role of ['admin', 'system_admin'] as const) {
      expect((await t.app.inject({ url: `/api/v1/files/${accountantsFile.id}`, headers: org.users[role].auth })).json()).toEqual(accountantsFile);
      const link = await linkFor(org.users[role], artistsFile.id);
      expect((await fetchLink(link.url)).rawPayload).toEqual(samples.png);
    }
    expect((await t.app.inject({ url: `/api/v1/files/${artistsFile.id}`, headers: org.users.artist.auth })).json()).toEqual(artistsFile);
  });
});
