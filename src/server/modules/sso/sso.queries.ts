import { sql } from 'kysely';
import type { Role } from '../../db/schema.js';
import type { Tx } from '../../db/tenant.js';

export function findConfig(trx: Tx, organizationId: string) {
  return trx.selectFrom('sso_configurations').selectAll().where('organization_id', '=', organizationId).executeTakeFirst();
}

/** The enabled provider of an active organization, by its short name (sign-in scope). */
export function findEnabledConfigBySlug(trx: Tx, slug: string) {
  return trx
    .selectFrom('sso_configurations as c')
    .innerJoin('organizations as o', 'o.id', 'c.organization_id')
    .selectAll('c')
    .select(['o.name as organization_name', 'o.slug'])
    .where('o.slug', '=', slug)
    .where('o.is_active', '=', true)
    .where('o.deleted_at', 'is', null)
    .where('c.enabled', '=', true)
    .executeTakeFirst();
}

export interface ConfigValues {
  issuer: string;
  client_id: string;
  client_secret_encrypted: string | null;
  scopes: string;
  allowed_roles: Role[];
  trust_idp_mfa: boolean;
  enabled: boolean;
  display_name: string;
}

export function upsertConfig(trx: Tx, organizationId: string, values: ConfigValues) {
  return trx
    .insertInto('sso_configurations')
    .values({ organization_id: organizationId, ...values })
    .onConflict((oc) => oc.column('organization_id').doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function deleteConfig(trx: Tx, organizationId: string) {
  return trx.deleteFrom('sso_configurations').where('organization_id', '=', organizationId).returningAll().executeTakeFirst();
}

export function insertAttempt(trx: Tx, values: { id: string; organization_id: string; state_hash: string; code_verifier_encrypted: string; nonce: string; return_to: string; remember_me: boolean; expires_at: Date }) {
  return trx.insertInto('sso_login_attempts').values(values).execute();
}

/** Marks the attempt used and answers it, or nothing when unknown, already used or expired: each state works once. */
export function consumeAttempt(trx: Tx, stateHash: string) {
  return trx
    .updateTable('sso_login_attempts')
    .set({ consumed_at: sql<Date>`now()` })
    .where('state_hash', '=', stateHash)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returningAll()
    .executeTakeFirst();
}

/** Old attempts are of no use after they expire. */
export function purgeAttempts(trx: Tx) {
  return trx.deleteFrom('sso_login_attempts').where('expires_at', '<', sql<Date>`now() - interval '1 day'`).executeTakeFirst();
}

export function findIdentity(trx: Tx, organizationId: string, issuer: string, subject: string) {
  return trx
    .selectFrom('user_identities')
    .select(['id', 'user_id'])
    .where('organization_id', '=', organizationId)
    .where('issuer', '=', issuer)
    .where('subject', '=', subject)
    .executeTakeFirst();
}

export function linkIdentity(trx: Tx, values: { user_id: string; organization_id: string; issuer: string; subject: string }) {
  return trx.insertInto('user_identities').values(values).returning('id').executeTakeFirstOrThrow();
}

export function touchIdentity(trx: Tx, id: string) {
  return trx.updateTable('user_identities').set({ last_used_at: sql<Date>`now()` }).where('id', '=', id).execute();
}
