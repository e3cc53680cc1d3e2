import { sql, type Kysely } from 'kysely';
import type { DB, Role } from '../../db/schema.js';
import type { Tx } from '../../db/tenant.js';

/**
 * Sign-in runs before anyone is known: its transactions carry the `auth` scope, which the RLS
 * policies of the account tables accept. Only this module opens such transactions.
 */
export function withAuthScope<T>(db: Kysely<DB>, fn: (trx: Tx) => Promise<T>, userId?: string): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('app.scope', 'auth', true), set_config('app.user_id', ${userId ?? ''}, true)`.execute(trx);
    return fn(trx);
  });
}

/** Who acts (nobody yet, for a failed sign-in) and in which organization, for audit rows of the sign-in flows. */
export async function setActingUser(trx: Tx, userId: string | null, organizationId?: string) {
  await sql`SELECT set_config('app.user_id', ${userId ?? ''}, true), set_config('app.organization_id', ${organizationId ?? ''}, true)`.execute(trx);
}

export function findUserByEmail(trx: Tx, email: string) {
  return trx.selectFrom('users').selectAll().where(sql<boolean>`lower(email) = ${email.toLowerCase()}`).where('deleted_at', 'is', null).executeTakeFirst();
}

export function findUserById(trx: Tx, id: string) {
  return trx.selectFrom('users').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
}

export interface MembershipSummary {
  organization_id: string;
  name: string;
  slug: string;
  role: Role;
  is_primary: boolean;
}

/** The user's memberships that are active today, primary first. */
export async function activeMemberships(trx: Tx, userId: string): Promise<MembershipSummary[]> {
  return trx
    .selectFrom('memberships as m')
    .innerJoin('organizations as o', 'o.id', 'm.organization_id')
    .select(['m.organization_id', 'o.name', 'o.slug', 'm.role', 'm.is_primary'])
    .where('m.user_id', '=', userId)
    .where('o.is_active', '=', true)
    .where('o.deleted_at', 'is', null)
    .where((eb) => eb.or([eb('m.end_date', 'is', null), eb('m.end_date', '>=', sql<string>`CURRENT_DATE`)]))
    .orderBy('m.is_primary', 'desc')
    .orderBy('m.created_at', 'asc')
    .execute();
}
