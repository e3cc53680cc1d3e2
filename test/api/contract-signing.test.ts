import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import { sweepContractDeadlines } from '../../src/server/modules/contracts/contracts.jobs.js';
import { addUser, createOrganization, startTestApp, type TestApp, type TestOrganization, type TestUser } from '../helpers/app.js';
import { expectProblem, multipart, samples } from './support.js';

/**
 * Signing (issue 5 items 5–7): consent and a typed or drawn signature produce a signed PDF — the
 * original pages, a signature certificate page and a PAdES signature by the organization's
 * certificate — that Debian's pdfsig and qpdf accept, and that fails once tampered with.
 */
let t: TestApp;
let org: TestOrganization;
let work: string;

beforeAll(async () => {
  t = await startTestApp();
  org = await createOrganization(t.services, 'Signing Theatre');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'signing-'));
});
afterAll(async () => {
  fs.rmSync(work, { recursive: true, force: true });
  await t?.close();
});

/** A two-page contract as a real PDF. */
async function contractPdf(text = 'The Artist agrees to perform the role of Ophelia.'): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const line of [text, 'Fee: EUR 12,000 in two instalments.']) doc.addPage([595, 842]).drawText(line, { x: 56, y: 760, size: 12, font });
  return Buffer.from(await doc.save());
}

async function uploadContract(o: TestOrganization, title: string, file: { filename: string; contentType: string; data: Buffer }) {
  const body = multipart([file], { data: JSON.stringify({ title }) });
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/contracts', headers: { ...o.users.admin.auth, ...body.headers }, payload: body.payload });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; versions: Array<{ file: { sha256: string } }> };
}

async function assignedContract(o: TestOrganization, people: TestUser[], title = 'Ophelia — principal agreement', pdf?: Buffer) {
  const contract = await uploadContract(o, title, { filename: 'ophelia.pdf', contentType: 'application/pdf', data: pdf ?? await contractPdf() });
  const res = await t.app.inject({ method: 'POST', url: `/api/v1/contracts/${contract.id}/assign`, headers: o.users.admin.auth, payload: { artist_ids: people.map((p) => p.id), message: 'Please sign by Friday' } });
  expect(res.statusCode, res.body).toBe(200);
  return contract;
}

const sign = (id: string, who: TestUser, payload: Record<string, unknown> = { consent: true, signature: { kind: 'typed', name: 'Olivia Phelps' } }) =>
  t.app.inject({ method: 'POST', url: `/api/v1/contracts/${id}/sign`, headers: { ...who.auth, 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148' }, payload });

async function fetchSigned(id: string, who: TestUser, assignmentId?: string): Promise<Buffer> {
  const link = await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${id}/signed-document${assignmentId ? `?assignment_id=${assignmentId}` : ''}`, headers: who.auth });
  expect(link.statusCode, link.body).toBe(200);
  const file = await t.app.inject({ method: 'GET', url: new URL(link.json().url).pathname });
  expect(file.statusCode).toBe(200);
  expect(file.headers['content-type']).toBe('application/pdf');
  return file.rawPayload;
}

function save(name: string, bytes: Buffer) {
  const file = path.join(work, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** pdfsig exits 0 even when a signature is broken: its text is what tells. */
const pdfsig = (file: string) => spawnSync('pdfsig', [file], { encoding: 'utf8' }).stdout;
const pdfText = (file: string) => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });

const assignmentOf = (contractId: string, userId: string) => withTenant(t.services.database.db, { organizationId: org.id }, (trx) =>
  trx.selectFrom('contract_assignments').selectAll().where('organization_id', '=', org.id).where('contract_id', '=', contractId).where('artist_id', '=', userId).executeTakeFirstOrThrow());

describe('signing with the built-in provider', () => {
  it('consent + typed signature: a signed PDF with a certificate page that pdfsig and qpdf verify; a tampered copy fails', async () => {
    const artist = await addUser(t.services, org.id, 'artist', `ophelia.${Date.now()}@example.com`);
    const original = await contractPdf();
    const contract = await assignedContract(org, [artist], 'Ophelia — principal agreement', original);

    const res = await sign(contract.id, artist);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'signed', version: 1, contract_status: 'active' });

    const signed = await fetchSigned(contract.id, artist);
    expect(createHash('sha256').update(signed).digest('hex')).toBe(res.json().signed_document.sha256);
    const file = save('signed.pdf', signed);

    const report = pdfsig(file);
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Signature Type: ETSI.CAdES.detached');
    expect(report).toContain('Total document signed');
    expect(report).toContain(`Signer Certificate Common Name: Signing Theatre`);
    expect(spawnSync('qpdf', ['--check', file], { encoding: 'utf8' }).status).toBe(0);

    // The original two pages, then the certificate page with the evidence.
    expect((await PDFDocument.load(signed)).getPageCount()).toBe(3);
    const text = pdfText(file);
    expect(text).toContain('The Artist agrees to perform the role of Ophelia.');
    expect(text).toContain('Signature certificate');
    expect(text).toContain(artist.email);
    expect(text).toContain(createHash('sha256').update(original).digest('hex'));
    expect(text).toContain('Olivia Phelps');
    expect(text).toContain('iPhone');
    expect(text).toMatch(/Consent to sign electronically given/);
    expect(text).toMatch(/Assigned by .* \(version 1\)/);

    // One changed letter inside the signed range (the stated reason): the signature no longer holds.
    const tampered = Buffer.from(signed);
    const at = tampered.indexOf('/Reason (Signed by ');
    expect(at).toBeGreaterThan(0);
    tampered[at + 10] = 'Z'.charCodeAt(0);
    const broken = pdfsig(save('tampered.pdf', tampered));
    expect(broken).not.toContain('Signature is Valid.');
    expect(broken).toMatch(/Digest Mismatch|Signature is Invalid/);

    const row = await assignmentOf(contract.id, artist.id);
    expect(row).toMatchObject({ status: 'signed', signature_kind: 'typed', signature_name: 'Olivia Phelps', signed_version: 1, signed_sha256: res.json().signed_document.sha256 });
    expect(row.consent_at).toBeInstanceOf(Date);
    expect(row.signed_user_agent).toContain('iPhone');
  });

  it('a drawn signature (PNG) works too; the administrator gets each signed copy and is told', async () => {
    const [a, b] = await Promise.all([1, 2].map((n) => addUser(t.services, org.id, 'artist', `drawn${n}.${Date.now()}@example.com`)));
    const contract = await assignedContract(org, [a!, b!], 'Chorus agreement');
    const drawn = { consent: true, signature: { kind: 'drawn', image: `data:image/png;base64,${samples.png.toString('base64')}` } };
    const first = await sign(contract.id, a!, drawn);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().contract_status).toBe('pending');
    const status = (await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}/status`, headers: org.users.admin.auth })).json();
    expect(status.counts).toMatchObject({ signed: 1, sent: 1 });
    const mine = status.assignments.find((x: { artist: { id: string } }) => x.artist.id === a!.id);
    expect(mine).toMatchObject({ status: 'signed', signature_kind: 'drawn', signed_version: 1, has_signed_document: true });
    expect(pdfsig(save('drawn.pdf', await fetchSigned(contract.id, org.users.admin, mine.id)))).toContain('Signature is Valid.');

    const second = await sign(contract.id, b!);
    expect(second.json().contract_status).toBe('active');
    const notes = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) =>
      trx.selectFrom('notifications').select('subject').where('organization_id', '=', org.id).where('user_id', '=', org.users.admin.id).where('type', '=', 'contract_signed').execute());
    expect(notes.map((n) => n.subject)).toEqual(expect.arrayContaining([expect.stringMatching(/signed Chorus agreement$/)]));
  });

  it('uses one certificate per organization, made on first use, its key stored encrypted', async () => {
    const artist = await addUser(t.services, org.id, 'artist', `cert.${Date.now()}@example.com`);
    const contract = await assignedContract(org, [artist], 'Understudy agreement');
    expect((await sign(contract.id, artist)).statusCode).toBe(200);
    const rows = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) =>
      trx.selectFrom('organization_signing_keys').selectAll().where('organization_id', '=', org.id).execute());
    expect(rows).toHaveLength(1);
    expect(rows[0]!.source).toBe('generated');
    expect(rows[0]!.private_key_encrypted).not.toContain('PRIVATE KEY');
    const report = pdfsig(save('cert.pdf', await fetchSigned(contract.id, artist)));
    expect(report).toContain('Signature is Valid.');
  });
});

describe('what signing refuses', () => {
  it('answers clearly and changes nothing: consent missing, bad signatures, not assigned, other organization, twice, closed', async () => {
    const artist = await addUser(t.services, org.id, 'artist', `refuse.${Date.now()}@example.com`);
    const bystander = await addUser(t.services, org.id, 'artist', `bystander.${Date.now()}@example.com`);
    const contract = await assignedContract(org, [artist], 'Refusals');
    const files = async () => withTenant(t.services.database.db, { organizationId: org.id }, async (trx) =>
      Number((await trx.selectFrom('files').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow()).n));
    const before = await files();

    expectProblem(await sign(contract.id, artist, { consent: false, signature: { kind: 'typed', name: 'Olivia' } }), 400, 'validation_error');
    expectProblem(await sign(contract.id, artist, { signature: { kind: 'typed', name: 'Olivia' } }), 400, 'validation_error');
    expectProblem(await sign(contract.id, artist, { consent: true, signature: { kind: 'typed', name: ' ' } }), 400, 'validation_error');
    expectProblem(await sign(contract.id, artist, { consent: true, signature: { kind: 'drawn', image: 'data:image/svg+xml;base64,PHN2Zz4=' } }), 400, 'validation_error');
    // Claims to be a PNG, is not one.
    expectProblem(await sign(contract.id, artist, { consent: true, signature: { kind: 'drawn', image: `data:image/png;base64,${Buffer.from('GIF89a not a png at all, really').toString('base64')}` } }), 400, 'validation_error');
    // A PNG header announcing 100,000 × 100,000 pixels (an image bomb) is refused before decoding.
    const bomb = Buffer.from(samples.png);
    bomb.writeUInt32BE(100_000, 16);
    bomb.writeUInt32BE(100_000, 20);
    expectProblem(await sign(contract.id, artist, { consent: true, signature: { kind: 'drawn', image: `data:image/png;base64,${bomb.toString('base64')}` } }), 400, 'validation_error');

    expectProblem(await sign(contract.id, bystander), 403, 'not_assigned_to_user');
    expectProblem(await sign(contract.id, org.users.admin), 403, 'not_assigned_to_user');
    const other = await createOrganization(t.services, 'Other Signing');
    expectProblem(await sign(contract.id, other.users.artist), 404, 'contract_not_found');
    expectProblem(await sign('00000000-0000-4000-8000-000000000000', artist), 404, 'contract_not_found');
    expect((await assignmentOf(contract.id, artist.id)).status).toBe('sent');
    expect(await files()).toBe(before);

    expect((await sign(contract.id, artist)).statusCode).toBe(200);
    expectProblem(await sign(contract.id, artist), 409, 'already_signed');
    expectProblem(await t.app.inject({ method: 'POST', url: `/api/v1/contracts/${contract.id}/decline`, headers: artist.auth, payload: { reason: 'Changed my mind' } }), 409, 'already_signed');
    expect(await files()).toBe(before + 1);
  });

  it('two signing requests at once: one signature', async () => {
    const artist = await addUser(t.services, org.id, 'artist', `twice.${Date.now()}@example.com`);
    const contract = await assignedContract(org, [artist], 'Race');
    const answers = await Promise.all([sign(contract.id, artist), sign(contract.id, artist)]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
    const signedFiles = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) =>
      trx.selectFrom('files').select('id').where('organization_id', '=', org.id).where('purpose', '=', 'contract_signed').where('uploaded_by', '=', artist.id).execute());
    expect(signedFiles).toHaveLength(1);
  });

  it('a Word document cannot be signed until its PDF exists, then is signed on the PDF LibreOffice made', async () => {
    const artist = await addUser(t.services, org.id, 'artist', `docx.${Date.now()}@example.com`);
    const contract = await uploadContract(org, 'Word contract', { filename: 'deal.docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', data: samples.docx });
    await t.app.inject({ method: 'POST', url: `/api/v1/contracts/${contract.id}/assign`, headers: org.users.admin.auth, payload: { artist_ids: [artist.id] } });
    expect((contract as unknown as { versions: Array<{ pdf_rendition: unknown }> }).versions[0]!.pdf_rendition).toEqual({ status: 'pending', error: null });
    expectProblem(await sign(contract.id, artist), 409, 'document_not_ready');
    expectProblem(await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}/download?format=pdf`, headers: artist.auth }), 409, 'document_not_ready');
    expect((await assignmentOf(contract.id, artist.id)).status).toBe('sent');

    await t.services.jobs.drain(['contracts.convert-docx']);
    const detail = (await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}`, headers: artist.auth })).json();
    expect(detail.versions[0].pdf_rendition).toEqual({ status: 'done', error: null });
    // The original stays a Word document; the PDF to read is LibreOffice's rendition of it.
    const original = await t.app.inject({ method: 'GET', url: new URL((await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}/download`, headers: artist.auth })).json().url).pathname });
    expect(original.rawPayload.equals(samples.docx)).toBe(true);
    const pdfLink = await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}/download?format=pdf`, headers: artist.auth });
    const pdf = (await t.app.inject({ method: 'GET', url: new URL(pdfLink.json().url).pathname })).rawPayload;
    expect(pdfText(save('rendition.pdf', pdf))).toContain('Deal memo: the Artist plays Lady Macbeth.');

    expect((await sign(contract.id, artist)).statusCode).toBe(200);
    const signedFile = save('docx-signed.pdf', await fetchSigned(contract.id, artist));
    expect(pdfsig(signedFile)).toContain('Signature is Valid.');
    const text = pdfText(signedFile);
    expect(text).toContain('Lady Macbeth');
    expect(text).toContain(createHash('sha256').update(samples.docx).digest('hex'));
    expect(text).toContain(createHash('sha256').update(pdf).digest('hex'));
  }, 60_000);

  it('a Word document LibreOffice cannot convert is marked failed with the reason', async () => {
    const broken = await startTestApp({ SOFFICE_PATH: '/nonexistent/soffice' });
    try {
      const mine = await createOrganization(broken.services, 'No LibreOffice');
      const body = multipart([{ filename: 'deal.docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', data: samples.docx }], { data: JSON.stringify({ title: 'Unconvertible' }) });
      const { id } = (await broken.app.inject({ method: 'POST', url: '/api/v1/contracts', headers: { ...mine.users.admin.auth, ...body.headers }, payload: body.payload })).json();
      await broken.app.inject({ method: 'POST', url: `/api/v1/contracts/${id}/assign`, headers: mine.users.admin.auth, payload: { artist_ids: [mine.users.artist.id] } });
      await broken.services.jobs.drain(['contracts.convert-docx']);
      const detail = (await broken.app.inject({ method: 'GET', url: `/api/v1/contracts/${id}`, headers: mine.users.admin.auth })).json();
      expect(detail.versions[0].pdf_rendition).toEqual({ status: 'failed', error: expect.stringContaining('LibreOffice is not installed') });
      const refused = expectProblem(await broken.app.inject({ method: 'POST', url: `/api/v1/contracts/${id}/sign`, headers: mine.users.artist.auth, payload: { consent: true, signature: { kind: 'typed', name: 'Ann Artist' } } }), 409, 'document_not_ready');
      expect(refused.detail).toMatch(/could not be turned into a PDF/);
    } finally {
      await broken.close();
    }
  }, 60_000);
});

describe('declining and amendments', () => {
  it('declines with a reason; the administrator sees it; signing afterwards is refused', async () => {
    const artist = await addUser(t.services, org.id, 'artist', `decline.${Date.now()}@example.com`);
    const contract = await assignedContract(org, [artist], 'Declined agreement');
    const decline = (reason: unknown) => t.app.inject({ method: 'POST', url: `/api/v1/contracts/${contract.id}/decline`, headers: artist.auth, payload: { reason } });
    expectProblem(await decline(''), 400, 'validation_error');
    const res = await decline('The dates clash with another engagement');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('declined');
    const status = (await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}/status`, headers: org.users.admin.auth })).json();
    expect(status.assignments[0]).toMatchObject({ status: 'declined', decline_reason: 'The dates clash with another engagement' });
    expect(status.status).toBe('pending');
    expectProblem(await sign(contract.id, artist), 409, 'assignment_closed');
    expectProblem(await decline('Again'), 409, 'assignment_closed');
  });

  it('an amendment after signing asks for a new signature on the new version', async () => {
    const artist = await addUser(t.services, org.id, 'artist', `amend.${Date.now()}@example.com`);
    const contract = await assignedContract(org, [artist], 'Amended agreement');
    expect((await sign(contract.id, artist)).json().contract_status).toBe('active');

    const v2 = await contractPdf('Amended: the Artist also understudies Gertrude.');
    const body = multipart([{ filename: 'v2.pdf', contentType: 'application/pdf', data: v2 }], { data: JSON.stringify({ change_summary: 'Understudy added' }) });
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/contracts/${contract.id}/versions`, headers: { ...org.users.admin.auth, ...body.headers }, payload: body.payload })).statusCode).toBe(201);

    const mine = (await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}`, headers: artist.auth })).json();
    expect(mine.my_assignment).toMatchObject({ status: 'signed', signed_version: 1, needs_resigning: true, can_sign: true });
    // Not everyone has signed the contract as it now reads: it is pending again, and the signer is told.
    expect(mine.status).toBe('pending');
    const told = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) => trx.selectFrom('notifications').select(['subject', 'body'])
      .where('organization_id', '=', org.id).where('user_id', '=', artist.id).where('subject', 'like', 'Amended agreement was amended%').execute());
    expect(told).toEqual([{ subject: 'Amended agreement was amended: please sign version 2', body: 'What changed: Understudy added' }]);
    // The re-signing is reminded on the contract's cadence (3 days), counted from the amendment.
    expect((await sweepContractDeadlines(t.services, org.id, new Date(Date.now() + 2 * 86_400_000))).reminded).toBe(0);
    expect((await sweepContractDeadlines(t.services, org.id, new Date(Date.now() + 3 * 86_400_000 + 60_000))).reminded).toBeGreaterThanOrEqual(1);
    const status = (await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}/status`, headers: org.users.admin.auth })).json();
    expect(status.assignments).toEqual([expect.objectContaining({ status: 'signed', needs_resigning: true, reminder_count: 1 })]);
    const again = await sign(contract.id, artist);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ version: 2, contract_status: 'active' });
    const text = pdfText(save('amended.pdf', await fetchSigned(contract.id, artist)));
    expect(text).toContain('understudies Gertrude');
    expect(text).toMatch(/Signed version 1 \(since amended\)/);
    const after = (await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}`, headers: artist.auth })).json();
    expect(after.status).toBe('active');
    expect(after.my_assignment).toMatchObject({ signed_version: 2, needs_resigning: false, can_sign: false });
  });
});

describe("the organization's signing certificate", () => {
  function openssl(args: string[]) {
    execFileSync('openssl', args, { cwd: work, stdio: 'pipe' });
  }

  it('an administrator uploads a CA-style certificate; later signatures use it; wrong uploads change nothing', async () => {
    const mine = await createOrganization(t.services, 'Uploaded Cert');
    const get = () => t.app.inject({ method: 'GET', url: '/api/v1/admin/signing-certificate', headers: mine.users.admin.auth });
    expect((await get()).json()).toMatchObject({ configured: false });
    const put = (payload: Record<string, unknown>, who = mine.users.admin) => t.app.inject({ method: 'PUT', url: '/api/v1/admin/signing-certificate', headers: who.auth, payload });

    // A document-signing certificate and key made with openssl, and a second unrelated key.
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '30', '-subj', '/CN=Uploaded Cert Legal/O=Uploaded Cert',
      '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation']);
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'other.pem']);
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Some CA']);
    const read = (f: string) => fs.readFileSync(path.join(work, f), 'utf8');

    expectProblem(await put({ certificate_pem: read('cert.pem'), private_key_pem: read('other.pem') }), 400, 'validation_error');
    expectProblem(await put({ certificate_pem: 'not a certificate', private_key_pem: read('key.pem') }), 400, 'validation_error');
    expectProblem(await put({ certificate_pem: read('ca.pem'), private_key_pem: read('ca-key.pem') }), 400, 'validation_error');
    expectProblem(await put({ certificate_pem: read('cert.pem'), private_key_pem: read('key.pem') }, mine.users.production_manager), 403, 'forbidden');
    expect((await get()).json()).toMatchObject({ configured: false });

    const res = await put({ certificate_pem: read('cert.pem'), private_key_pem: read('key.pem') });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ configured: true, source: 'uploaded', subject: expect.stringContaining('CN=Uploaded Cert Legal') });

    const contract = await assignedContract(mine, [mine.users.artist], 'Signed with the uploaded certificate');
    expect((await sign(contract.id, mine.users.artist)).statusCode).toBe(200);
    const link = await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}/signed-document`, headers: mine.users.artist.auth });
    const pdf = (await t.app.inject({ method: 'GET', url: new URL(link.json().url).pathname })).rawPayload;
    const report = pdfsig(save('uploaded.pdf', pdf));
    expect(report).toContain('Signer Certificate Common Name: Uploaded Cert Legal');
    expect(report).toContain('Signature is Valid.');
  });
});

