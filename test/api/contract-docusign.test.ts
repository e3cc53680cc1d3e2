import { createHmac, randomUUID } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import { addUser, createOrganization, startTestApp, type TestApp, type TestOrganization, type TestUser } from '../helpers/app.js';
import { loadableDocusignSpec, startTokenServer, type TokenServer } from '../helpers/docusign.js';
import { freePort, prismAccepted, startPrism, type PrismExchange, type PrismMock } from '../helpers/prism.js';
import { expectProblem, multipart } from './support.js';

/**
 * Signing through DocuSign (PRODUCT.md §3.5: embedded signing, Connect webhook with HMAC check).
 * Every call the portal makes to DocuSign goes through Prism serving DocuSign's published
 * eSignature Swagger file, which refuses requests the API would refuse; the OAuth JWT grant is
 * checked by a token endpoint that verifies the assertion with the integration's public key.
 * Prism answers schema examples, so the test supplies what it cannot make: distinct envelope ids
 * and the completed envelope's PDF — only for requests Prism accepted.
 */
const ACCOUNT = '7654321';
const HMAC_KEY = 'connect-hmac-key-for-the-test-0123456789';
let prism: PrismMock;
let tokens: TokenServer;
let t: TestApp;
let org: TestOrganization;
let second: TestUser;
let completedPdf: Buffer;

async function pdf(lines: string[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const line of lines) doc.addPage([595, 842]).drawText(line, { x: 56, y: 760, size: 12, font });
  return Buffer.from(await doc.save());
}

beforeAll(async () => {
  completedPdf = await pdf(['The Artist agrees to perform the role of Ophelia.', 'Signed in DocuSign', 'Certificate of completion']);
  tokens = await startTokenServer();
  prism = await startPrism(loadableDocusignSpec(), {
    startTimeoutMs: 120_000,
    supply: (e) => {
      if (e.method === 'POST' && /\/envelopes$/.test(e.path)) return { status: 201, contentType: 'application/json', body: Buffer.from(JSON.stringify({ envelopeId: randomUUID(), status: 'sent', statusDateTime: new Date().toISOString(), uri: '/envelopes/x' })) };
      if (e.method === 'POST' && e.path.endsWith('/views/recipient')) return { status: 201, contentType: 'application/json', body: Buffer.from(JSON.stringify({ url: `https://demo.docusign.net/Signing/StartInSession.aspx?t=${randomUUID()}` })) };
      if (e.method === 'GET' && e.path.includes('/documents/combined')) return { status: 200, contentType: 'application/pdf', body: completedPdf };
      return null;
    },
  });
  t = await startTestApp({
    SIGNATURE_PROVIDER: 'docusign',
    DOCUSIGN_API_URL: prism.url,
    DOCUSIGN_AUTH_URL: tokens.url,
    DOCUSIGN_ACCOUNT_ID: ACCOUNT,
    DOCUSIGN_INTEGRATION_KEY: tokens.integrationKey,
    DOCUSIGN_USER_ID: tokens.userId,
    DOCUSIGN_PRIVATE_KEY: tokens.privateKeyPem,
    DOCUSIGN_CONNECT_HMAC_KEYS: `old-key-being-rotated-out-0123456789,${HMAC_KEY}`,
  });
  org = await createOrganization(t.services, 'DocuSign Theatre');
  second = await addUser(t.services, org.id, 'artist', `second-${org.id.slice(0, 8)}@example.com`);
}, 180_000);
afterAll(async () => {
  await t?.close();
  await prism?.stop();
  await tokens?.close();
});

async function assignedContract(people: TestUser[], title: string, app = t, o = org) {
  const body = multipart([{ filename: 'ophelia.pdf', contentType: 'application/pdf', data: await pdf(['The Artist agrees to perform the role of Ophelia.', 'Fee: EUR 12,000.']) }], { data: JSON.stringify({ title }) });
  const made = await app.app.inject({ method: 'POST', url: '/api/v1/contracts', headers: { ...o.users.admin.auth, ...body.headers }, payload: body.payload });
  expect(made.statusCode, made.body).toBe(201);
  const contract = made.json() as { id: string; versions: Array<{ file: { sha256: string } }> };
  const res = await app.app.inject({ method: 'POST', url: `/api/v1/contracts/${contract.id}/assign`, headers: o.users.admin.auth, payload: { artist_ids: people.map((p) => p.id) } });
  expect(res.statusCode, res.body).toBe(200);
  return contract;
}

const startSigning = (id: string, who: TestUser, payload: Record<string, unknown> = { consent: true }) =>
  t.app.inject({ method: 'POST', url: `/api/v1/contracts/${id}/sign`, headers: who.auth, payload });

/** A Connect delivery as DocuSign sends it: JSON, HMAC-SHA256 of the exact bytes in X-DocuSign-Signature-1. */
function deliver(event: string, envelopeId: string, extra: Record<string, unknown> = {}, key = HMAC_KEY) {
  const body = JSON.stringify({ event, apiVersion: 'v2.1', uri: `/restapi/v2.1/accounts/${ACCOUNT}/envelopes/${envelopeId}`, retryCount: 0, generatedDateTime: new Date().toISOString(), data: { accountId: ACCOUNT, envelopeId, envelopeSummary: { status: event.replace('envelope-', ''), ...extra } } });
  const signature = createHmac('sha256', key).update(body).digest('base64');
  return t.app.inject({ method: 'POST', url: '/api/v1/integrations/docusign/connect', headers: { 'content-type': 'application/json', 'x-docusign-signature-1': signature }, payload: body });
}

const assignment = (contractId: string, userId: string) => withTenant(t.services.database.db, { organizationId: org.id }, (trx) =>
  trx.selectFrom('contract_assignments').selectAll().where('organization_id', '=', org.id).where('contract_id', '=', contractId).where('artist_id', '=', userId).executeTakeFirstOrThrow());
const envelopeOf = (assignmentId: string) => withTenant(t.services.database.db, { organizationId: org.id }, (trx) =>
  trx.selectFrom('signature_envelopes').selectAll().where('organization_id', '=', org.id).where('assignment_id', '=', assignmentId).executeTakeFirstOrThrow());

const settle = () => t.services.jobs.drain(['contracts.signature-outcome']);

const envelopeCalls = () => prism.exchanges.filter((e) => e.method === 'POST' && /\/envelopes$/.test(e.path));
const describeRejection = (e: PrismExchange) => `${e.method} ${e.path} → ${e.status} ${e.response}\n${prism.output().slice(-3000)}`;

describe('signing through DocuSign', () => {
  it('the artist is sent to DocuSign with the contract and a signature page; the Connect delivery files the signed PDF and activates the contract', async () => {
    const artist = org.users.artist;
    const contract = await assignedContract([artist], 'Ophelia — principal agreement');
    const mine = (await t.app.inject({ url: `/api/v1/contracts/${contract.id}`, headers: artist.auth })).json() as { my_assignment: { signing_provider: string; can_sign: boolean } };
    expect(mine.my_assignment).toMatchObject({ signing_provider: 'docusign', can_sign: true });

    // DocuSign collects the signature itself: a typed one is refused, nothing is sent.
    const typed = await startSigning(contract.id, artist, { consent: true, signature: { kind: 'typed', name: 'Olivia Phelps' } });
    expect(expectProblem(typed, 400, 'validation_error').errors).toEqual([expect.objectContaining({ field: 'body.signature' })]);
    expect(envelopeCalls()).toHaveLength(0);

    const started = await startSigning(contract.id, artist);
    expect(started.statusCode, started.body).toBe(200);
    const answer = started.json() as { status: string; provider: string; url: string; expires_at: string; assignment_id: string };
    expect(answer).toMatchObject({ status: 'redirect', provider: 'docusign' });
    expect(answer.url).toMatch(/^https:\/\/demo\.docusign\.net\/Signing\//);
    expect(new Date(answer.expires_at).getTime()).toBeGreaterThan(Date.now());

    // Every call went to the spec'd paths, authorised by a token from the JWT grant, and Prism accepted each.
    const calls = prism.exchanges.slice(-2);
    expect(calls.map((e) => `${e.method} ${e.path}`)).toEqual([`POST /v2/accounts/${ACCOUNT}/envelopes`, expect.stringMatching(new RegExp(`^POST /v2/accounts/${ACCOUNT}/envelopes/[0-9a-f-]{36}/views/recipient$`))]);
    for (const e of calls) {
      expect(prismAccepted(e), describeRejection(e)).toBe(true);
      expect(e.headers.authorization).toBe(`Bearer ${tokens.issued.at(-1)}`);
    }
    expect(tokens.refused).toEqual([]);
    const envelope = JSON.parse(calls[0]!.body) as { status: string; documents: { documentBase64: string; fileExtension: string }[]; recipients: { signers: { email: string; name: string; clientUserId: string; tabs: { signHereTabs: { pageNumber: string }[] } }[] } };
    expect(envelope.status).toBe('sent');
    const sent = await PDFDocument.load(Buffer.from(envelope.documents[0]!.documentBase64, 'base64'));
    // The two pages of the contract and the signature page, where the signature field is.
    expect(sent.getPageCount()).toBe(3);
    expect(envelope.recipients.signers).toEqual([expect.objectContaining({ email: artist.email, clientUserId: answer.assignment_id, tabs: { signHereTabs: [expect.objectContaining({ pageNumber: '3' })] } })]);
    const view = JSON.parse(calls[1]!.body) as Record<string, string>;
    expect(view).toMatchObject({ email: artist.email, clientUserId: answer.assignment_id, returnUrl: `http://portal.test/contracts/${contract.id}?signing=docusign` });

    // Coming back to sign again reuses the envelope: only a new signing page is asked for.
    const again = await startSigning(contract.id, artist);
    expect(again.statusCode, again.body).toBe(200);
    expect(envelopeCalls()).toHaveLength(1);
    expect((await assignment(contract.id, artist.id)).status).toBe('viewed');

    // A forged or unsigned delivery is refused and changes nothing.
    const { envelope_id: envelopeId } = await envelopeOf(answer.assignment_id);
    expectProblem(await deliver('envelope-completed', envelopeId, {}, 'not-the-key-0123456789'), 401, 'invalid_webhook_signature');
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/integrations/docusign/connect', headers: { 'content-type': 'application/json' }, payload: '{"event":"envelope-completed"}' }), 401, 'invalid_webhook_signature');
    expect((await envelopeOf(answer.assignment_id)).status).toBe('sent');

    // The real delivery: the job fetches the combined PDF from DocuSign and signs the assignment.
    const delivered = await deliver('envelope-completed', envelopeId);
    expect(delivered.statusCode, delivered.body).toBe(200);
    expect(delivered.json()).toEqual({ accepted: true, reason: 'completed' });
    await settle();
    const signed = await assignment(contract.id, artist.id);
    expect(signed).toMatchObject({ status: 'signed', signature_kind: 'docusign', signed_version: 1, signed_ip: null });
    const fetched = prism.exchanges.filter((e) => e.path.includes('/documents/combined'));
    expect(fetched).toHaveLength(1);
    expect(prismAccepted(fetched[0]!), describeRejection(fetched[0]!)).toBe(true);
    const link = await t.app.inject({ url: `/api/v1/contracts/${contract.id}/signed-document`, headers: artist.auth });
    expect(link.statusCode, link.body).toBe(200);
    const file = await t.app.inject({ url: new URL(link.json().url).pathname });
    expect(file.rawPayload.equals(completedPdf)).toBe(true);
    const status = (await t.app.inject({ url: `/api/v1/contracts/${contract.id}/status`, headers: org.users.admin.auth })).json() as { status: string };
    expect(status.status).toBe('active');

    // DocuSign delivers again (it retries until acknowledged): nothing happens twice.
    expect((await deliver('envelope-completed', envelopeId)).json()).toEqual({ accepted: false, reason: 'envelope already completed' });
    const audit = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) => trx.selectFrom('audit_logs').select(['action', 'actor_id', 'after'])
      .where('entity_id', '=', answer.assignment_id).where('action', 'in', ['contract.signing_started', 'contract.signed']).orderBy('seq').execute());
    expect(audit.map((a) => [a.action, a.actor_id])).toEqual([['contract.signing_started', artist.id], ['contract.signing_started', artist.id], ['contract.signed', artist.id]]);
    expect(audit.at(-1)!.after).toMatchObject({ provider: 'docusign', envelope_id: envelopeId, signature_kind: 'docusign' });
  }, 60_000);

  it('a refusal in DocuSign declines the assignment with its reason; a voided envelope leaves it open; unknown envelopes are acknowledged and ignored', async () => {
    const contract = await assignedContract([second, org.users.artist], 'Laertes — understudy agreement');
    const declined = (await startSigning(contract.id, second)).json() as { assignment_id: string };
    const { envelope_id: declinedEnvelope } = await envelopeOf(declined.assignment_id);
    const res = await deliver('envelope-declined', declinedEnvelope, { recipients: { signers: [{ email: second.email, declinedReason: 'The fee is not what we agreed' }] } });
    expect(res.json()).toEqual({ accepted: true, reason: 'declined' });
    await settle();
    expect(await assignment(contract.id, second.id)).toMatchObject({ status: 'declined', decline_reason: 'The fee is not what we agreed' });
    expect(prism.exchanges.filter((e) => e.path.includes(declinedEnvelope) && e.path.includes('/documents/'))).toEqual([]);

    const voided = (await startSigning(contract.id, org.users.artist)).json() as { assignment_id: string };
    const { envelope_id: voidedEnvelope } = await envelopeOf(voided.assignment_id);
    expect((await deliver('envelope-voided', voidedEnvelope, { voidedReason: 'Sent by mistake' })).json()).toEqual({ accepted: true, reason: 'voided' });
    await settle();
    expect((await envelopeOf(voided.assignment_id)).status).toBe('voided');
    expect((await assignment(contract.id, org.users.artist.id)).status).toBe('viewed');
    // The artist can start again: a new envelope, since the old one is void.
    const before = envelopeCalls().length;
    expect((await startSigning(contract.id, org.users.artist)).statusCode).toBe(200);
    expect(envelopeCalls()).toHaveLength(before + 1);

    expect((await deliver('envelope-completed', randomUUID())).json()).toEqual({ accepted: false, reason: 'unknown envelope' });
    expect((await deliver('envelope-sent', voidedEnvelope)).json()).toEqual({ accepted: false, reason: 'event envelope-sent is not used' });
    const notJson = await t.app.inject({ method: 'POST', url: '/api/v1/integrations/docusign/connect', headers: { 'content-type': 'application/json', 'x-docusign-signature-1': createHmac('sha256', HMAC_KEY).update('[1,2').digest('base64') }, payload: '[1,2' });
    expectProblem(notJson, 400, 'validation_error');
  }, 60_000);
});

describe('DocuSign unreachable', () => {
  it('starting to sign answers 502 signature_provider_unavailable and records nothing', async () => {
    const down = await startTestApp({
      SIGNATURE_PROVIDER: 'docusign', DOCUSIGN_API_URL: `http://127.0.0.1:${await freePort()}`, DOCUSIGN_AUTH_URL: tokens.url, DOCUSIGN_ACCOUNT_ID: ACCOUNT,
      DOCUSIGN_INTEGRATION_KEY: tokens.integrationKey, DOCUSIGN_USER_ID: tokens.userId, DOCUSIGN_PRIVATE_KEY: tokens.privateKeyPem, DOCUSIGN_CONNECT_HMAC_KEYS: HMAC_KEY,
    });
    try {
      const o = await createOrganization(down.services, 'Offline Opera');
      const contract = await assignedContract([o.users.artist], 'Mimì — principal agreement', down, o);
      const res = await down.app.inject({ method: 'POST', url: `/api/v1/contracts/${contract.id}/sign`, headers: o.users.artist.auth, payload: { consent: true } });
      expectProblem(res, 502, 'signature_provider_unavailable');
      expect(res.body).not.toContain('127.0.0.1');
      const rows = await withTenant(down.services.database.db, { organizationId: o.id }, async (trx) => ({
        envelopes: await trx.selectFrom('signature_envelopes').select('id').where('organization_id', '=', o.id).execute(),
        assignment: await trx.selectFrom('contract_assignments').select(['status', 'viewed_at']).where('organization_id', '=', o.id).executeTakeFirstOrThrow(),
      }));
      expect(rows.envelopes).toEqual([]);
      expect(rows.assignment).toMatchObject({ viewed_at: null });
      expect(rows.assignment.status).not.toBe('viewed');
    } finally {
      await down.close();
    }
  });
});

describe('without DocuSign configured', () => {
  it('the webhook does not exist and signing stays on the portal', async () => {
    const plain = await startTestApp();
    try {
      const res = await plain.app.inject({ method: 'POST', url: '/api/v1/integrations/docusign/connect', headers: { 'content-type': 'application/json' }, payload: '{}' });
      expectProblem(res, 404, 'route_not_found');
    } finally {
      await plain.close();
    }
  });
});
