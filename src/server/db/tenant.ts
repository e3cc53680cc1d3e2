import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from './schema.js';

export type Tx = Transaction<DB>;

export interface TenantScope {
  organizationId: string;
  userId?: string | null;
}

/**
 * Runs `fn` in a transaction whose row-level-security context is the given organization.
 * The settings are transaction-local (`set_config(..., true)`), so nothing leaks to the next
 * user of the pooled connection — required on the embedded engine, which has one session.
 */
export function withTenant<T>(db: Kysely<DB>, scope: TenantScope, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await setTenant(trx, scope);
    return fn(trx);
  });
}

export async function setTenant(trx: Tx, scope: TenantScope) {
  await sql`SELECT set_config('app.organization_id', ${scope.organizationId}, true),
                   set_config('app.user_id', ${scope.userId ?? ''}, true)`.execute(trx);
}

/**
 * System scope: lets background jobs list organizations (and nothing else) so they can then
 * work tenant by tenant with `withTenant`.
 */
export function withSystemScope<T>(db: Kysely<DB>, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('app.scope', 'system', true)`.execute(trx);
    return fn(trx);
  });
}

export async function listOrganizationIds(db: Kysely<DB>): Promise<string[]> {
  return withSystemScope(db, async (trx) => {
    const rows = await trx.selectFrom('organizations').select('id').where('deleted_at', 'is', null).orderBy('id').execute();
    return rows.map((r) => r.id);
  });
}
