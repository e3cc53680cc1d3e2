import type { Tx } from '../../db/tenant.js';

export function findOrganization(trx: Tx, organizationId: string) {
  return trx.selectFrom('organizations').selectAll().where('id', '=', organizationId).where('deleted_at', 'is', null).executeTakeFirst();
}

export function updateOrganization(trx: Tx, organizationId: string, values: { name?: string; settings?: string }) {
  return trx.updateTable('organizations').set(values).where('id', '=', organizationId).returningAll().executeTakeFirstOrThrow();
}
