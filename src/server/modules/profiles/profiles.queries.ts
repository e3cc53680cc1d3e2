import { sql, type Kysely, type Updateable } from 'kysely';
import type { ArtistProfilesTable, DB, DeletionRequestStatus } from '../../db/schema.js';
import type { Tx } from '../../db/tenant.js';
import { paginate } from '../../http/pagination.js';
import type { ListDeletionRequestsQuery } from './profiles.schemas.js';

/**
 * All SQL of profiles and privacy. Users and artist profiles are per person (global rows that RLS
 * shows to the person and to organizations they belong to); everything reached through another
 * member goes through that member's membership in the given organization first.
 */

// ---------------------------------------------------------------------------------------------
// Users

export function findUser(trx: Tx, userId: string) {
  return trx
    .selectFrom('users')
    .select(['id', 'email', 'first_name', 'last_name', 'phone', 'locale', 'timezone', 'email_verified_at', 'created_at', 'updated_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
}
export type UserRow = NonNullable<Awaited<ReturnType<typeof findUser>>>;

export async function updateUser(trx: Tx, userId: string, values: Updateable<DB['users']>) {
  await trx.updateTable('users').set(values).where('id', '=', userId).execute();
}

// ---------------------------------------------------------------------------------------------
// Memberships (the way to another member)

export function findMembership(trx: Tx, organizationId: string, membershipId: string) {
  return trx
    .selectFrom('memberships')
    .select(['id', 'user_id', 'role', 'end_date'])
    .where('organization_id', '=', organizationId)
    .where('id', '=', membershipId)
    .executeTakeFirst();
}

export function findMembershipOfUser(trx: Tx, organizationId: string, userId: string) {
  return trx
    .selectFrom('memberships')
    .select(['id', 'user_id', 'role', 'end_date'])
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/**
 * The person's memberships that RLS lets them see: the current organization's, and with the
 * accounts migration's `memberships_self` policy those in every other organization too.
 */
export function listOwnMemberships(trx: Tx, userId: string) {
  return trx
    .selectFrom('memberships as m')
    .leftJoin('organizations as o', 'o.id', 'm.organization_id')
    .select([
      'm.id', 'm.organization_id', 'o.name as organization_name', 'm.role', 'm.department', 'm.title', 'm.created_at',
      sql<string>`to_char(m.start_date, 'YYYY-MM-DD')`.as('start_date'),
      sql<string | null>`to_char(m.end_date, 'YYYY-MM-DD')`.as('end_date'),
    ])
    .where('m.user_id', '=', userId)
    .orderBy('m.created_at')
    .execute();
}

// Administrators are counted by the members module's query (one definition of "active admin").
export { countActiveAdmins } from '../members/members.queries.js';

/** Ends the membership today (if still open) and clears what the organization noted about the person. */
export async function endMembership(trx: Tx, organizationId: string, userId: string) {
  await trx
    .updateTable('memberships')
    .set({
      end_date: sql<string>`CASE WHEN end_date IS NULL OR end_date > CURRENT_DATE THEN GREATEST(CURRENT_DATE, start_date) ELSE end_date END`,
      department: null,
      title: null,
    })
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .execute();
}

/** true/false: the person has an active membership in another organization (see app_user_active_elsewhere). */
export async function activeElsewhere(trx: Tx, userId: string): Promise<boolean | null> {
  const { rows } = await sql<{ v: boolean | null }>`SELECT app_user_active_elsewhere(${userId}) AS v`.execute(trx);
  return rows[0]?.v ?? null;
}

// ---------------------------------------------------------------------------------------------
// Artist profiles

export function findArtistProfile(trx: Tx, userId: string) {
  return trx.selectFrom('artist_profiles').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

export async function upsertArtistProfile(trx: Tx, userId: string, values: Updateable<ArtistProfilesTable>) {
  await trx
    .insertInto('artist_profiles')
    .values({ ...values, user_id: userId } as never)
    .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
    .execute();
}

/** Whether another member of the organization has an artist profile with the same tax ID hash. */
export async function taxIdDuplicateInOrganization(trx: Tx, organizationId: string, userId: string, hash: string): Promise<boolean> {
  const row = await trx
    .selectFrom('artist_profiles as p')
    .innerJoin('memberships as m', 'm.user_id', 'p.user_id')
    .select('p.user_id')
    .where('m.organization_id', '=', organizationId)
    .where('p.tax_id_hash', '=', hash)
    .where('p.user_id', '<>', userId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Nulls every personal field of the profile; the row stays (it is referenced) with redacted_at. */
export async function redactArtistProfile(trx: Tx, userId: string) {
  await trx
    .updateTable('artist_profiles')
    .set({
      legal_name: null, stage_name: null, pronouns: null, phone: null, mailing_address: null, emergency_contact: null,
      preferred_timezone: null, unions: [], skills: [], tax_id_encrypted: null, tax_id_hash: null, tax_id_last4: null,
      bank_account_encrypted: null, bank_account_last4: null, redacted_at: sql<Date>`now()`,
    })
    .where('user_id', '=', userId)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Invitations (the organization's record of the person's e-mail and name)

export async function redactInvitations(trx: Tx, organizationId: string, email: string, tombstone: string) {
  await trx
    .updateTable('invitations')
    .set({
      email: tombstone, first_name: null, last_name: null, message: null,
      revoked_at: sql<Date>`CASE WHEN accepted_at IS NULL AND revoked_at IS NULL THEN now() ELSE revoked_at END`,
    })
    .where('organization_id', '=', organizationId)
    .where(sql<boolean>`lower(email) = lower(${email})`)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Audit entries of the person (export)

export function listAuditByActor(trx: Tx, organizationId: string, userId: string, limit: number) {
  return trx
    .selectFrom('audit_logs')
    .select(['seq', 'created_at', 'entity_type', 'entity_id', 'action', 'changed_fields', sql<string | null>`host(ip)`.as('ip'), 'user_agent', 'request_id'])
    .where('organization_id', '=', organizationId)
    .where('actor_id', '=', userId)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Deletion requests

function deletionBase(trx: Tx, organizationId: string) {
  return trx
    .selectFrom('deletion_requests as d')
    .innerJoin('users as u', 'u.id', 'd.user_id')
    .select([
      'd.id', 'd.user_id', 'd.status', 'd.requested_at', 'd.requested_at as created_at', 'd.due_at', 'd.processed_by', 'd.processed_at',
      'u.first_name', 'u.last_name', 'u.email',
    ])
    .where('d.organization_id', '=', organizationId);
}

export function findDeletionRequest(trx: Tx, organizationId: string, id: string) {
  return deletionBase(trx, organizationId).where('d.id', '=', id).executeTakeFirst();
}
export type DeletionRequestRow = NonNullable<Awaited<ReturnType<typeof findDeletionRequest>>>;

export function findLatestDeletionRequest(trx: Tx, organizationId: string, userId: string) {
  return deletionBase(trx, organizationId).where('d.user_id', '=', userId).orderBy('d.requested_at', 'desc').orderBy('d.id', 'desc').limit(1).executeTakeFirst();
}

export function listDeletionRequestsOfUser(trx: Tx, organizationId: string, userId: string) {
  return deletionBase(trx, organizationId).where('d.user_id', '=', userId).orderBy('d.requested_at').execute();
}

export function listDeletionRequests(trx: Tx, organizationId: string, filter: ListDeletionRequestsQuery) {
  let q = deletionBase(trx, organizationId);
  if (filter.status) q = q.where('d.status', 'in', filter.status);
  return paginate(q, { limit: filter.limit, cursor: filter.cursor, createdCol: 'd.requested_at', idCol: 'd.id' });
}

export async function insertDeletionRequest(trx: Tx, organizationId: string, userId: string, requestedAt: Date, dueAt: Date): Promise<string> {
  const row = await trx
    .insertInto('deletion_requests')
    .values({ organization_id: organizationId, user_id: userId, requested_at: requestedAt, due_at: dueAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function closeDeletionRequest(trx: Tx, organizationId: string, id: string, status: Exclude<DeletionRequestStatus, 'requested'>, processedBy: string) {
  await trx
    .updateTable('deletion_requests')
    .set({ status, processed_by: processedBy, processed_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .where('status', '=', 'requested')
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Re-encryption (`npm run pii:reencrypt`, as the schema owner, across all people)

export function sealedProfilesAfter(db: Kysely<DB>, afterUserId: string | null, limit: number) {
  let q = db
    .selectFrom('artist_profiles')
    .select(['user_id', 'tax_id_encrypted', 'tax_id_hash', 'bank_account_encrypted'])
    .where((eb) => eb.or([eb('tax_id_encrypted', 'is not', null), eb('bank_account_encrypted', 'is not', null)]));
  if (afterUserId) q = q.where('user_id', '>', afterUserId);
  return q.orderBy('user_id').limit(limit).execute();
}

/** Writes new ciphertexts only if the row still holds the ones that were read (no lost update). */
export async function replaceSealedValues(
  db: Kysely<DB>,
  userId: string,
  expected: { tax_id_encrypted: string | null; bank_account_encrypted: string | null },
  values: Updateable<ArtistProfilesTable>,
): Promise<boolean> {
  const result = await db
    .updateTable('artist_profiles')
    .set(values)
    .where('user_id', '=', userId)
    .where(sql<boolean>`tax_id_encrypted IS NOT DISTINCT FROM ${expected.tax_id_encrypted}`)
    .where(sql<boolean>`bank_account_encrypted IS NOT DISTINCT FROM ${expected.bank_account_encrypted}`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
