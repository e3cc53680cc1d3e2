import { authorize, can } from '../../auth/policy.js';
import { markViewed } from './assignments.service.js';
import { viewableVersion } from './signing.service.js';
import { signDownload, SIGNED_URL_TTL_SECONDS } from '../../files/signed-url.js';
import type { FileStorage } from '../../files/storage.js';
import type { RequestContext } from '../../http/context.js';
import { AppError, contractNotFound, notFound } from '../../http/errors.js';
import { recordUpload, type ReceivedUpload } from '../files/files.service.js';
import type { StoredFile } from '../../db/schema.js';
import { convertDocxJob, localDate, organizationTimeZone } from './contracts.jobs.js';
import * as queries from './contracts.queries.js';
import { notify } from '../notifications/notifications.service.js';
import type { ContractData, ListContractsQuery } from './contracts.schemas.js';

/** The contract's start and end dates must fall within its production's (payments may fall due after it closes). */
async function checkProduction(ctx: RequestContext, data: ContractData) {
  if (!data.production_id) return;
  const production = await queries.productionDates(ctx.trx, ctx.organizationId, data.production_id);
  if (!production) throw new AppError('validation_error', 'No such production in this organization', [{ field: 'body.production_id', message: 'Not found' }]);
  if (production.status === 'archived' || production.status === 'cancelled') {
    throw new AppError('validation_error', `The production is ${production.status}`, [{ field: 'body.production_id', message: `Production ${production.status}` }]);
  }
  const outside = (date: string | undefined) => date !== undefined && (date < production.start_date || date > production.end_date);
  const range = `${production.start_date} – ${production.end_date}`;
  const problems = [
    ...(outside(data.terms.start_date) ? [{ field: 'body.terms.start_date', message: `Outside the production (${range})` }] : []),
    ...(outside(data.terms.end_date) ? [{ field: 'body.terms.end_date', message: `Outside the production (${range})` }] : []),
  ];
  if (problems.length) throw new AppError('validation_error', `Contract dates must fall within the production ${production.name} (${range})`, problems);
}

/** A document version; a Word document also queues its PDF rendition (made after commit). */
async function insertVersion(ctx: RequestContext, contractId: string, version: number, file: StoredFile, upload: ReceivedUpload, changeSummary: string | null) {
  const needsPdf = upload.kind === 'docx';
  await ctx.trx.insertInto('contract_versions').values({
    organization_id: ctx.organizationId, contract_id: contractId, version, file_id: file.id, sha256: file.sha256, change_summary: changeSummary,
    created_by: ctx.actor.userId, conversion_status: needsPdf ? 'pending' : null, pdf_file_id: null, conversion_error: null,
  }).execute();
  if (needsPdf) await ctx.enqueue(convertDocxJob, { organizationId: ctx.organizationId, contractId, version });
}

export async function createContract(ctx: RequestContext, storage: FileStorage, data: ContractData, upload: ReceivedUpload) {
  authorize(ctx.actor, 'contracts:write');
  await checkProduction(ctx, data);
  if (data.signing_deadline && data.signing_deadline < localDate(await organizationTimeZone(ctx.trx, ctx.organizationId))) {
    throw new AppError('validation_error', 'The signing deadline has passed already', [{ field: 'body.signing_deadline', message: 'In the past' }]);
  }
  const file = await recordUpload(ctx, storage, upload, 'contract');
  const contract = await ctx.trx.insertInto('contracts').values({
    organization_id: ctx.organizationId,
    production_id: data.production_id ?? null,
    title: data.title,
    description: data.description ?? null,
    terms: JSON.stringify(data.terms),
    tags: [...new Set(data.tags)],
    metadata: JSON.stringify(data.metadata),
    signing_deadline: data.signing_deadline ?? null,
    reminder_every_days: data.reminder_every_days,
    created_by: ctx.actor.userId,
  }).returning('id').executeTakeFirstOrThrow();
  await insertVersion(ctx, contract.id, 1, file, upload, null);
  await ctx.audit({ entityType: 'contract', entityId: contract.id, action: 'create', after: { title: data.title, production_id: data.production_id ?? null, terms: data.terms, file_sha256: file.sha256 } });
  return contract.id;
}

/**
 * An amendment: a new document version; the history stays. People who signed an earlier version
 * must sign again, so an active contract is pending again; they and those still to sign are told,
 * and the re-signing is reminded from now like a new sending.
 */
export async function addVersion(ctx: RequestContext, storage: FileStorage, id: string, changeSummary: string, upload: ReceivedUpload) {
  authorize(ctx.actor, 'contracts:write');
  const contract = await ctx.trx.selectFrom('contracts').select(['id', 'title', 'current_version', 'status'])
    .where('organization_id', '=', ctx.organizationId).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!contract) throw contractNotFound();
  if (contract.status === 'cancelled') throw new AppError('conflict', 'A cancelled contract takes no new versions');
  const file = await recordUpload(ctx, storage, upload, 'contract');
  const version = contract.current_version + 1;
  await insertVersion(ctx, id, version, file, upload, changeSummary);
  const status = contract.status === 'active' ? 'pending' : contract.status;
  await ctx.trx.updateTable('contracts').set({ current_version: version, status }).where('organization_id', '=', ctx.organizationId).where('id', '=', id).execute();
  const now = new Date();
  const resign = await ctx.trx.updateTable('contract_assignments').set({ version_assigned: version, sent_at: now, last_reminded_at: null })
    .where('organization_id', '=', ctx.organizationId).where('contract_id', '=', id).where('status', '=', 'signed')
    .returning('artist_id').execute();
  const waiting = await ctx.trx.updateTable('contract_assignments').set({ version_assigned: version })
    .where('organization_id', '=', ctx.organizationId).where('contract_id', '=', id).where('status', 'in', ['sent', 'viewed'])
    .returning('artist_id').execute();
  const told = [
    { recipients: resign.map((a) => a.artist_id), subject: `${contract.title} was amended: please sign version ${version}` },
    { recipients: waiting.map((a) => a.artist_id), subject: `${contract.title} was amended: read version ${version} before you sign` },
  ];
  for (const { recipients, subject } of told) {
    if (!recipients.length) continue;
    await notify(ctx, { type: 'contract_assigned', recipients, link: `/contracts/${id}`, subject, body: `What changed: ${changeSummary}`, data: { contract_id: id, version } });
  }
  await ctx.audit({
    entityType: 'contract', entityId: id, action: 'contract.version_added',
    before: { version: contract.current_version, status: contract.status },
    after: { version, status, change_summary: changeSummary, file_sha256: file.sha256, signers_asked_again: resign.length },
  });
  if (status !== contract.status) ctx.publish({ type: 'contract.status', organizationId: ctx.organizationId, roles: ['admin', 'system_admin'], data: { contract_id: id, status } });
}

/** Administrators see every contract; everyone else only those assigned to them (others answer 404). */
const seesAll = (ctx: RequestContext) => can(ctx.actor, 'contracts:read', { ownerId: null });

export async function getContract(ctx: RequestContext, id: string) {
  authorize(ctx.actor, 'contracts:read');
  const contract = await queries.findContract(ctx.trx, ctx.organizationId, id, ctx.actor.userId);
  if (!contract || (!seesAll(ctx) && !contract.my_id)) throw contractNotFound();
  return { contract, versions: await queries.listVersions(ctx.trx, ctx.organizationId, id) };
}

export function listContracts(ctx: RequestContext, filter: ListContractsQuery) {
  authorize(ctx.actor, 'contracts:read');
  // Others see only their own; who else shares their contracts is not theirs to filter by.
  return queries.listContracts(ctx.trx, ctx.organizationId, ctx.actor.userId, seesAll(ctx) ? filter : { ...filter, artist_id: undefined, assignedTo: ctx.actor.userId });
}

/**
 * A 15-minute signed link to the current version: the document as uploaded, or (`pdf`) the PDF to
 * read — the same file for a PDF, the rendition for a Word document.
 */
export async function downloadLink(ctx: RequestContext, id: string, format: 'original' | 'pdf', secret: string, publicUrl: string) {
  const { contract, versions } = await getContract(ctx, id);
  const current = versions[0];
  if (!current) throw notFound('Contract document');
  const fileId = format === 'pdf' ? (await viewableVersion(ctx, id, current.version)).pdf.id : current.file_id;
  const expiresAt = Math.floor(Date.now() / 1000) + SIGNED_URL_TTL_SECONDS;
  if (contract.my_id) await markViewed(ctx, contract.my_id);
  const token = signDownload(secret, { fileId, organizationId: ctx.organizationId, expiresAt });
  await ctx.audit({ entityType: 'contract', entityId: id, action: 'contract.download_link', after: { version: current.version, format } });
  return { url: `${publicUrl}/api/v1/files/download/${token}`, expires_at: new Date(expiresAt * 1000).toISOString(), version: current.version };
}
