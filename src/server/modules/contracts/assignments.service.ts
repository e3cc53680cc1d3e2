import { sql } from 'kysely';
import { authorize } from '../../auth/policy.js';
import type { RequestContext } from '../../http/context.js';
import { AppError, contractNotFound } from '../../http/errors.js';
import { notify } from '../notifications/notifications.service.js';
import type { AssignInput } from './contracts.schemas.js';

/**
 * Assigns many people at once in one transaction: all must be active members of this
 * organization (otherwise 404 naming them, and nothing is assigned); people already assigned are
 * reported as such; the new ones are notified (in-app + their channels, through the job queue),
 * unless `send_notification` is false: they are then assigned (`pending`) and sent the contract
 * when a later assignment that notifies names them again.
 */
export async function assign(ctx: RequestContext, contractId: string, input: AssignInput) {
  authorize(ctx.actor, 'contracts:assign');
  const contract = await ctx.trx.selectFrom('contracts').select(['id', 'title', 'status', 'current_version'])
    .where('organization_id', '=', ctx.organizationId).where('id', '=', contractId).forUpdate().executeTakeFirst();
  if (!contract) throw contractNotFound();
  if (contract.status === 'cancelled' || contract.status === 'expired') throw new AppError('conflict', `A ${contract.status} contract cannot be assigned`);

  const members = await ctx.trx.selectFrom('memberships').select('user_id')
    .where('organization_id', '=', ctx.organizationId).where('user_id', 'in', input.artist_ids)
    .where((eb) => eb.or([eb('end_date', 'is', null), eb('end_date', '>=', sql<string>`CURRENT_DATE`)]))
    .execute();
  const known = new Set(members.map((m) => m.user_id));
  const unknown = input.artist_ids.filter((id) => !known.has(id));
  if (unknown.length) {
    throw new AppError('not_found', `${unknown.length} of these people are not members of this organization`,
      unknown.slice(0, 20).map((id) => ({ field: `body.artist_ids.${input.artist_ids.indexOf(id)}`, message: 'Not a member' })));
  }

  const existing = new Map((await ctx.trx.selectFrom('contract_assignments').select(['id', 'artist_id'])
    .where('contract_id', '=', contractId).where('artist_id', 'in', input.artist_ids).execute()).map((a) => [a.artist_id, a.id]));
  const fresh = input.artist_ids.filter((id) => !existing.has(id));
  const now = new Date();
  const inserted = fresh.length ? await ctx.trx.insertInto('contract_assignments').values(fresh.map((artistId) => ({
    organization_id: ctx.organizationId, contract_id: contractId, artist_id: artistId, version_assigned: contract.current_version,
    status: input.send_notification ? 'sent' as const : 'pending' as const, sent_at: input.send_notification ? now : null,
    message: input.message ?? null, assigned_by: ctx.actor.userId,
  }))).returning(['id', 'artist_id']).execute() : [];
  const created = new Map(inserted.map((a) => [a.artist_id, a.id]));
  // People assigned earlier without notice are sent the contract now, when this assignment notifies.
  const held = input.send_notification && existing.size ? (await ctx.trx.updateTable('contract_assignments').set({ status: 'sent', sent_at: now })
    .where('organization_id', '=', ctx.organizationId).where('contract_id', '=', contractId).where('status', '=', 'pending')
    .where('artist_id', 'in', [...existing.keys()]).returning('artist_id').execute()).map((a) => a.artist_id) : [];
  const notified = [...fresh, ...held];
  if (fresh.length && contract.status === 'draft') {
    await ctx.trx.updateTable('contracts').set({ status: 'pending' }).where('organization_id', '=', ctx.organizationId).where('id', '=', contractId).execute();
  }
  if (notified.length && input.send_notification) {
    await notify(ctx, {
      type: 'contract_assigned', recipients: notified, link: `/contracts/${contractId}`,
      subject: `A contract to sign: ${contract.title}`,
      body: input.message ? `${input.message}\n\nOpen the contract to read and sign it.` : 'Open the contract to read and sign it.',
      data: { contract_id: contractId },
    });
  }
  await ctx.audit({ entityType: 'contract', entityId: contractId, action: 'contract.assigned', after: { assigned: fresh.length, already_assigned: existing.size, notified: input.send_notification, sent_now: held.length } });
  return {
    contract_id: contractId,
    assigned: fresh.length,
    results: input.artist_ids.map((artistId) => existing.has(artistId)
      ? { artist_id: artistId, result: 'already_assigned' as const, assignment_id: existing.get(artistId)! }
      : { artist_id: artistId, result: 'assigned' as const, assignment_id: created.get(artistId)! }),
  };
}

/** Signed, but an amendment came after: the signature covers an older version. */
export function needsResigning(a: { status: string; signed_version: number | null }, currentVersion: number): boolean {
  return a.status === 'signed' && (a.signed_version ?? 0) < currentVersion;
}

/** Per assignment: where signing stands (admins), flagging signatures of an older version. */
export async function signatureStatus(ctx: RequestContext, contractId: string) {
  authorize(ctx.actor, 'contracts:read', { ownerId: null });
  const contract = await ctx.trx.selectFrom('contracts').select(['id', 'status', 'current_version'])
    .where('organization_id', '=', ctx.organizationId).where('id', '=', contractId).executeTakeFirst();
  if (!contract) throw contractNotFound();
  const rows = await ctx.trx.selectFrom('contract_assignments as a').innerJoin('users as u', 'u.id', 'a.artist_id')
    .select(['a.id', 'a.status', 'a.version_assigned', 'a.sent_at', 'a.viewed_at', 'a.signed_at', 'a.declined_at', 'a.decline_reason', 'a.reminder_count',
      'a.last_reminded_at', 'a.expired_at', 'a.signed_version', 'a.signature_kind', 'a.signed_file_id',
      'u.id as user_id', 'u.first_name', 'u.last_name', 'u.email'])
    .where('a.organization_id', '=', ctx.organizationId).where('a.contract_id', '=', contractId)
    .orderBy('u.last_name').orderBy('u.first_name').execute();
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  const counts = { pending: 0, sent: 0, viewed: 0, signed: 0, declined: 0, expired: 0 };
  for (const r of rows) counts[r.status]++;
  return {
    contract_id: contract.id, status: contract.status, current_version: contract.current_version, counts,
    assignments: rows.map((r) => ({
      id: r.id, artist: { id: r.user_id, name: `${r.first_name} ${r.last_name}`, email: r.email }, status: r.status, version_assigned: r.version_assigned,
      needs_resigning: needsResigning(r, contract.current_version),
      sent_at: iso(r.sent_at), viewed_at: iso(r.viewed_at), signed_at: iso(r.signed_at), declined_at: iso(r.declined_at), decline_reason: r.decline_reason, reminder_count: r.reminder_count,
      last_reminded_at: iso(r.last_reminded_at), expired_at: iso(r.expired_at), signed_version: r.signed_version, signature_kind: r.signature_kind, has_signed_document: r.signed_file_id !== null,
    })),
  };
}

/** Opening the document counts as viewing it (the first time). */
export async function markViewed(ctx: RequestContext, assignmentId: string) {
  await ctx.trx.updateTable('contract_assignments')
    .set({ viewed_at: sql<Date>`coalesce(viewed_at, now())`, status: sql<'viewed'>`CASE WHEN status IN ('pending', 'sent') THEN 'viewed' ELSE status END` })
    .where('organization_id', '=', ctx.organizationId).where('id', '=', assignmentId).execute();
}
