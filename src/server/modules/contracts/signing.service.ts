import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { sql } from 'kysely';
import { authorize, can } from '../../auth/policy.js';
import { signDownload, SIGNED_URL_TTL_SECONDS } from '../../files/signed-url.js';
import type { FileStorage } from '../../files/storage.js';
import type { RequestContext } from '../../http/context.js';
import { AppError, contractNotFound } from '../../http/errors.js';
import { notify } from '../notifications/notifications.service.js';
import type { FieldCipher } from '../../crypto/field-encryption.js';
import type { DeclineInput, SigningCertificateInput, SignInput } from './contracts.schemas.js';
import { checkUploadedCertificate, saveSigningCertificate, signingCertificateInfo } from './signing/certificate.js';
import { DocusignError } from './signing/docusign.js';
import type { RedirectSignatureProvider, SignatureProvider } from './signing/provider.js';
import type { SignatureMark } from './signing/signed-document.js';

/** The words the signer agrees to; printed on the certificate page as agreed. */
export const CONSENT_TEXT = 'I agree to sign this document electronically. My electronic signature is as binding as my handwritten signature.';

const SIGNED_PDF_MAX_BYTES = 200 * 1024 * 1024;

export interface SignerOrigin {
  ip: string;
  userAgent: string;
}

/**
 * The PDF people read and sign for a version: the document itself, or for a Word document its
 * PDF rendition once LibreOffice has made it.
 */
export async function viewableVersion(ctx: RequestContext, contractId: string, versionNumber: number) {
  const version = await ctx.trx.selectFrom('contract_versions as v').innerJoin('files as f', 'f.id', 'v.file_id')
    .leftJoin('files as r', 'r.id', 'v.pdf_file_id')
    .select(['v.version', 'v.sha256', 'v.conversion_status', 'v.conversion_error', 'f.id as file_id', 'f.storage_key', 'f.content_type',
      'r.id as pdf_id', 'r.storage_key as pdf_key', 'r.sha256 as pdf_sha256'])
    .where('v.organization_id', '=', ctx.organizationId).where('v.contract_id', '=', contractId).where('v.version', '=', versionNumber)
    .executeTakeFirstOrThrow();
  if (version.content_type === 'application/pdf') return { ...version, pdf: { id: version.file_id, storage_key: version.storage_key, sha256: version.sha256 } };
  if (version.pdf_id && version.pdf_key && version.pdf_sha256) return { ...version, pdf: { id: version.pdf_id, storage_key: version.pdf_key, sha256: version.pdf_sha256 } };
  throw new AppError('document_not_ready', version.conversion_status === 'failed'
    ? `This Word document could not be turned into a PDF (${version.conversion_error ?? 'unknown reason'}); the administrator can upload it as PDF`
    : 'This Word document is being turned into a PDF; try again in a minute');
}

/** The contract and the signed-in person's assignment to it, locked for the change. */
async function lockOwnAssignment(ctx: RequestContext, contractId: string) {
  authorize(ctx.actor, 'contracts:sign', { ownerId: ctx.actor.userId });
  const contract = await ctx.trx.selectFrom('contracts').select(['id', 'title', 'status', 'current_version'])
    .where('organization_id', '=', ctx.organizationId).where('id', '=', contractId).executeTakeFirst();
  if (!contract) throw contractNotFound();
  const assignment = await ctx.trx.selectFrom('contract_assignments').selectAll()
    .where('organization_id', '=', ctx.organizationId).where('contract_id', '=', contractId).where('artist_id', '=', ctx.actor.userId)
    .forUpdate().executeTakeFirst();
  if (!assignment) throw new AppError('not_assigned_to_user', 'This contract is not assigned to you');
  if (assignment.status === 'signed' && (assignment.signed_version ?? 0) >= contract.current_version) {
    throw new AppError('already_signed', `You signed version ${assignment.signed_version} of this contract on ${assignment.signed_at?.toISOString().slice(0, 10)}`);
  }
  if (assignment.status === 'declined' || assignment.status === 'expired') {
    throw new AppError('assignment_closed', `This contract was ${assignment.status}; ask the administrator for a new assignment`);
  }
  if (contract.status === 'cancelled' || contract.status === 'expired') throw new AppError('assignment_closed', `The contract is ${contract.status}`);
  return { contract, assignment };
}

function decodeMark(input: NonNullable<SignInput['signature']>, signerName: string): { mark: SignatureMark; name: string } {
  if (input.kind === 'typed') return { mark: { kind: 'typed', name: input.name }, name: input.name };
  return { mark: { kind: 'drawn', png: Buffer.from(input.image.slice(input.image.indexOf(',') + 1), 'base64') }, name: signerName };
}

const invalid = (field: string, message: string) => new AppError('validation_error', message, [{ field, message }]);

/** What recording a signature or a refusal needs: a request's context, or a job's. */
export type SigningContext = Pick<RequestContext, 'organizationId' | 'trx' | 'audit' | 'enqueue' | 'publish'>;

type AssignmentRow = Awaited<ReturnType<typeof lockOwnAssignment>>['assignment'];

/**
 * Signs the current version for the signed-in person. With the built-in provider: consent and
 * signature recorded, the signed PDF made and stored, the assignment closed, the contract active
 * once everyone signed, the administrator who assigned it told — all in the request's
 * transaction. With DocuSign: an envelope is made (or the open one reused) and the answer is the
 * URL of DocuSign's signing page; the signature is recorded when DocuSign reports it.
 */
export async function signContract(ctx: RequestContext, storage: FileStorage, provider: SignatureProvider, contractId: string, input: SignInput, origin: SignerOrigin & { returnUrl: string }) {
  const { contract, assignment } = await lockOwnAssignment(ctx, contractId);
  const version = await viewableVersion(ctx, contractId, contract.current_version);
  const original = await buffer(storage.get(version.pdf.storage_key));
  if (createHash('sha256').update(original).digest('hex') !== version.pdf.sha256) throw new Error(`contract ${contractId} v${version.version}: stored document does not match its hash`);

  const people = await ctx.trx.selectFrom('users').select(['id', 'first_name', 'last_name', 'email'])
    .where('id', 'in', [ctx.actor.userId, ...(assignment.assigned_by ? [assignment.assigned_by] : [])]).execute();
  const signer = people.find((p) => p.id === ctx.actor.userId);
  if (!signer) throw new Error('signer not found');
  const assigner = people.find((p) => p.id === assignment.assigned_by);
  const organization = await ctx.trx.selectFrom('organizations').select('name').where('id', '=', ctx.organizationId).executeTakeFirstOrThrow();
  const signerName = `${signer.first_name} ${signer.last_name}`;

  if (provider.mode === 'redirect') {
    if (input.signature) throw invalid('body.signature', 'DocuSign asks for the signature on its own page: send only the consent');
    return startRedirectSigning(ctx, provider, {
      assignment, contractId, title: contract.title, version: version.version, original, organizationName: organization.name,
      signer: { name: signerName, email: signer.email }, returnUrl: origin.returnUrl,
    });
  }
  if (!input.signature) throw invalid('body.signature', 'Type or draw your signature');
  const { mark, name: signatureName } = decodeMark(input.signature, signerName);
  const now = new Date();

  const trail: Array<{ at: Date; event: string }> = [
    { at: assignment.created_at, event: `Assigned${assigner ? ` by ${assigner.first_name} ${assigner.last_name}` : ''} (version ${assignment.version_assigned})` },
    ...(assignment.sent_at ? [{ at: assignment.sent_at, event: `Notified ${signer.email}` }] : []),
    ...(assignment.viewed_at ? [{ at: assignment.viewed_at, event: 'Document opened by the signer' }] : []),
    ...(assignment.last_reminded_at ? [{ at: assignment.last_reminded_at, event: `Reminder sent (${assignment.reminder_count} in all)` }] : []),
    ...(assignment.signed_at ? [{ at: assignment.signed_at, event: `Signed version ${assignment.signed_version} (since amended)` }] : []),
    { at: now, event: 'Consent to sign electronically given' },
    { at: now, event: `Signed (${mark.kind} signature) from ${origin.ip}` },
  ].sort((a, b) => a.at.getTime() - b.at.getTime());

  const document = await provider.sign({
    trx: ctx.trx, organizationId: ctx.organizationId, original,
    evidence: {
      organizationName: organization.name, contractTitle: contract.title, version: version.version, documentSha256: version.sha256,
      renditionSha256: version.pdf.sha256 === version.sha256 ? null : version.pdf.sha256,
      signer: { name: signerName, email: signer.email }, mark, consentText: CONSENT_TEXT, consentAt: now, signedAt: now,
      ip: origin.ip, userAgent: origin.userAgent, trail,
    },
  });
  return recordSignature(ctx, storage, {
    assignment, contractId, title: contract.title, currentVersion: contract.current_version, version: version.version, documentSha256: version.sha256,
    document, signerName, kind: mark.kind, signatureName, signedAt: now, origin, provider: provider.name,
  });
}

/**
 * Stores a signed PDF and closes the assignment: the contract becomes active once everyone
 * signed and the person who assigned it is told. The stored file is removed again if the
 * transaction fails.
 */
export async function recordSignature(ctx: SigningContext, storage: FileStorage, s: {
  assignment: AssignmentRow; contractId: string; title: string; currentVersion: number; version: number; documentSha256: string;
  document: Buffer; signerName: string; kind: 'typed' | 'drawn' | 'docusign'; signatureName: string; signedAt: Date;
  origin: { ip: string | null; userAgent: string | null }; provider: SignatureProvider['name']; reference?: string;
}) {
  const { assignment, contractId } = s;
  const stored = await storage.put(Readable.from(s.document), { organizationId: ctx.organizationId, maxBytes: SIGNED_PDF_MAX_BYTES });
  try {
    const fileName = `${s.title.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '').slice(0, 80) || 'contract'}-signed-v${s.version}.pdf`;
    const file = await ctx.trx.insertInto('files').values({
      organization_id: ctx.organizationId, storage_provider: storage.provider, storage_key: stored.key, original_name: fileName,
      content_type: 'application/pdf', size_bytes: stored.sizeBytes, sha256: stored.sha256, uploaded_by: assignment.artist_id, purpose: 'contract_signed',
    }).returning('id').executeTakeFirstOrThrow();
    await ctx.trx.updateTable('contract_assignments').set({
      status: 'signed', signed_at: s.signedAt, consent_at: s.signedAt, signature_kind: s.kind, signature_name: s.signatureName,
      signed_version: s.version, version_assigned: s.version, signed_file_id: file.id, signed_sha256: stored.sha256,
      signed_ip: s.origin.ip, signed_user_agent: s.origin.userAgent?.slice(0, 500) ?? null, viewed_at: assignment.viewed_at ?? s.signedAt,
    }).where('id', '=', assignment.id).execute();
    const contractStatus = await rollUp(ctx, contractId, s.currentVersion);
    if (assignment.assigned_by && assignment.assigned_by !== assignment.artist_id) {
      await notify(ctx, {
        type: 'contract_signed', recipients: [assignment.assigned_by], link: `/contracts/${contractId}`,
        subject: `${s.signerName} signed ${s.title}`,
        body: contractStatus === 'active' ? 'Everyone has signed: the contract is active.' : `${s.signerName} signed version ${s.version}.`,
        data: { contract_id: contractId, assignment_id: assignment.id, status: 'signed' },
      });
    }
    await ctx.audit({
      entityType: 'contract_assignment', entityId: assignment.id, action: 'contract.signed',
      before: { status: assignment.status },
      after: {
        status: 'signed', contract_id: contractId, version: s.version, signature_kind: s.kind, signed_sha256: stored.sha256, document_sha256: s.documentSha256,
        provider: s.provider, ...(s.reference ? { envelope_id: s.reference } : {}),
      },
    });
    ctx.publish({ type: 'contract.status', organizationId: ctx.organizationId, roles: ['admin', 'system_admin'], data: { contract_id: contractId, assignment_id: assignment.id, status: 'signed' } });
    ctx.publish({ type: 'contract.status', organizationId: ctx.organizationId, userId: assignment.artist_id, data: { contract_id: contractId, assignment_id: assignment.id, status: 'signed' } });
    return { assignment_id: assignment.id, status: 'signed' as const, signed_at: s.signedAt.toISOString(), version: s.version, contract_status: contractStatus, signed_document: { sha256: stored.sha256, size_bytes: stored.sizeBytes } };
  } catch (err) {
    await storage.delete(stored.key);
    throw err;
  }
}

/** Sends the signer to the provider's page, with the envelope of this assignment and version. */
async function startRedirectSigning(ctx: RequestContext, provider: RedirectSignatureProvider, s: {
  assignment: AssignmentRow; contractId: string; title: string; version: number; original: Buffer; organizationName: string;
  signer: { name: string; email: string }; returnUrl: string;
}) {
  const open = await ctx.trx.selectFrom('signature_envelopes').select(['id', 'envelope_id'])
    .where('organization_id', '=', ctx.organizationId).where('assignment_id', '=', s.assignment.id).where('version', '=', s.version)
    .where('provider', '=', provider.name).where('status', '=', 'sent').executeTakeFirst();
  let session: Awaited<ReturnType<RedirectSignatureProvider['start']>>;
  try {
    session = await provider.start({
      original: s.original, contractTitle: s.title, organizationName: s.organizationName, signer: s.signer,
      assignmentId: s.assignment.id, returnUrl: s.returnUrl, envelopeId: open?.envelope_id ?? null,
    });
  } catch (err) {
    if (err instanceof DocusignError) throw new AppError('signature_provider_unavailable', `DocuSign could not start the signing (${err.message}); try again in a few minutes`);
    throw err;
  }
  if (!open) {
    await ctx.trx.insertInto('signature_envelopes').values({
      organization_id: ctx.organizationId, assignment_id: s.assignment.id, version: s.version, provider: provider.name, envelope_id: session.envelopeId,
    }).execute();
  }
  await ctx.trx.updateTable('contract_assignments').set({ viewed_at: sql<Date>`coalesce(viewed_at, now())`, status: s.assignment.status === 'signed' ? 'signed' : 'viewed' })
    .where('id', '=', s.assignment.id).execute();
  await ctx.audit({
    entityType: 'contract_assignment', entityId: s.assignment.id, action: 'contract.signing_started',
    after: { contract_id: s.contractId, version: s.version, provider: provider.name, envelope_id: session.envelopeId, new_envelope: !open },
  });
  return { assignment_id: s.assignment.id, status: 'redirect' as const, provider: provider.name, url: session.url, expires_at: session.expiresAt.toISOString() };
}

/** Everyone assigned has signed the current version → the contract is active. */
async function rollUp(ctx: SigningContext, contractId: string, currentVersion: number) {
  const open = await ctx.trx.selectFrom('contract_assignments').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('organization_id', '=', ctx.organizationId).where('contract_id', '=', contractId)
    .where((eb) => eb.or([eb('status', '!=', 'signed'), eb('signed_version', '<', currentVersion)]))
    .executeTakeFirstOrThrow();
  if (Number(open.n) > 0) return 'pending' as const;
  await ctx.trx.updateTable('contracts').set({ status: 'active' }).where('organization_id', '=', ctx.organizationId).where('id', '=', contractId).execute();
  return 'active' as const;
}

export async function declineContract(ctx: RequestContext, contractId: string, input: DeclineInput) {
  const { contract, assignment } = await lockOwnAssignment(ctx, contractId);
  if (assignment.status === 'signed') throw new AppError('already_signed', 'You signed this contract; ask the administrator to withdraw it instead');
  return recordDecline(ctx, { assignment, contractId, title: contract.title, reason: input.reason });
}

/** Closes an assignment as declined and tells the person who assigned it. */
export async function recordDecline(ctx: SigningContext, d: { assignment: AssignmentRow; contractId: string; title: string; reason: string; provider?: string }) {
  const { assignment, contractId } = d;
  const now = new Date();
  await ctx.trx.updateTable('contract_assignments').set({ status: 'declined', declined_at: now, decline_reason: d.reason, viewed_at: sql<Date>`coalesce(viewed_at, now())` })
    .where('id', '=', assignment.id).execute();
  if (assignment.assigned_by && assignment.assigned_by !== assignment.artist_id) {
    const artist = await ctx.trx.selectFrom('users').select(['first_name', 'last_name']).where('id', '=', assignment.artist_id).executeTakeFirstOrThrow();
    await notify(ctx, {
      type: 'contract_signed', recipients: [assignment.assigned_by], link: `/contracts/${contractId}`,
      subject: `${artist.first_name} ${artist.last_name} declined ${d.title}`, body: `Reason: ${d.reason}`,
      data: { contract_id: contractId, assignment_id: assignment.id, status: 'declined' },
    });
  }
  await ctx.audit({
    entityType: 'contract_assignment', entityId: assignment.id, action: 'contract.declined', before: { status: assignment.status },
    after: { status: 'declined', contract_id: contractId, reason: d.reason, ...(d.provider ? { provider: d.provider } : {}) },
  });
  ctx.publish({ type: 'contract.status', organizationId: ctx.organizationId, roles: ['admin', 'system_admin'], data: { contract_id: contractId, assignment_id: assignment.id, status: 'declined' } });
  return { assignment_id: assignment.id, status: 'declined' as const, declined_at: now.toISOString() };
}

/**
 * A 15-minute link to a signed PDF: the signer's own, or (administrators) any assignment's.
 * Nothing signed yet answers 404.
 */
export async function signedDocumentLink(ctx: RequestContext, contractId: string, assignmentId: string | undefined, secret: string, publicUrl: string) {
  const contract = await ctx.trx.selectFrom('contracts').select('id').where('organization_id', '=', ctx.organizationId).where('id', '=', contractId).executeTakeFirst();
  if (!contract) throw contractNotFound();
  const seesAll = can(ctx.actor, 'contracts:read', { ownerId: null });
  let q = ctx.trx.selectFrom('contract_assignments').select(['id', 'artist_id', 'signed_file_id', 'signed_version'])
    .where('organization_id', '=', ctx.organizationId).where('contract_id', '=', contractId);
  if (assignmentId) q = q.where('id', '=', assignmentId);
  if (!seesAll || !assignmentId) q = q.where('artist_id', '=', ctx.actor.userId);
  const assignment = await q.executeTakeFirst();
  if (!assignment) throw seesAll ? new AppError('not_found', 'No such assignment of this contract') : contractNotFound();
  if (!assignment.signed_file_id) throw new AppError('not_found', 'Nothing has been signed yet');
  const expiresAt = Math.floor(Date.now() / 1000) + SIGNED_URL_TTL_SECONDS;
  const token = signDownload(secret, { fileId: assignment.signed_file_id, organizationId: ctx.organizationId, expiresAt });
  await ctx.audit({ entityType: 'contract_assignment', entityId: assignment.id, action: 'contract.signed_document_link', after: { version: assignment.signed_version } });
  return { url: `${publicUrl}/api/v1/files/download/${token}`, expires_at: new Date(expiresAt * 1000).toISOString(), version: assignment.signed_version ?? 0 };
}

function presentCertificate(row: Awaited<ReturnType<typeof signingCertificateInfo>>) {
  if (!row) return { configured: false as const, subject: null, fingerprint_sha256: null, not_after: null, source: null };
  return { configured: true as const, subject: row.subject, fingerprint_sha256: row.fingerprint_sha256, not_after: row.not_after.toISOString(), source: row.source };
}

/** The organization's signing certificate (none until the first signature or an upload). */
export async function getSigningCertificate(ctx: RequestContext) {
  authorize(ctx.actor, 'contracts:write');
  return presentCertificate(await signingCertificateInfo(ctx.trx, ctx.organizationId));
}

/** Replaces the organization's signing certificate with one the administrator provides (e.g. CA-issued). */
export async function uploadSigningCertificate(ctx: RequestContext, cipher: FieldCipher, input: SigningCertificateInput) {
  authorize(ctx.actor, 'contracts:write');
  const { certificate, privateKeyPem } = checkUploadedCertificate(input.certificate_pem, input.private_key_pem);
  const before = await signingCertificateInfo(ctx.trx, ctx.organizationId);
  const saved = await saveSigningCertificate(ctx.trx, cipher, ctx.organizationId, certificate, privateKeyPem, 'uploaded');
  await ctx.audit({
    entityType: 'organization', entityId: ctx.organizationId, action: 'signing_certificate.uploaded',
    before: before ? { fingerprint_sha256: before.fingerprint_sha256, source: before.source } : null,
    after: { fingerprint_sha256: saved.fingerprint_sha256, subject: saved.subject, not_after: saved.not_after.toISOString() },
  });
  return presentCertificate(await signingCertificateInfo(ctx.trx, ctx.organizationId));
}
