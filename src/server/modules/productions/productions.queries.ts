import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { paginate } from '../../http/pagination.js';
import type { ListProductionsQuery } from './productions.schemas.js';

/** Dates as YYYY-MM-DD and the budget as exact decimal text, the same on both engines. */
function base(trx: Tx, organizationId: string) {
  return trx.selectFrom('productions as p')
    .select([
      'p.id', 'p.name', 'p.code', 'p.description', 'p.budget_currency', 'p.status', 'p.status_reason', 'p.created_by', 'p.created_at', 'p.updated_at', 'p.archived_at',
      sql<string>`to_char(p.start_date, 'YYYY-MM-DD')`.as('start_date'),
      sql<string>`to_char(p.end_date, 'YYYY-MM-DD')`.as('end_date'),
      sql<string | null>`p.budget_amount::text`.as('budget_amount'),
    ])
    .where('p.organization_id', '=', organizationId);
}
export type ProductionRow = NonNullable<Awaited<ReturnType<typeof findProduction>>>;

export function findProduction(trx: Tx, organizationId: string, id: string) {
  return base(trx, organizationId).where('p.id', '=', id).executeTakeFirst();
}

export function lockProduction(trx: Tx, organizationId: string, id: string) {
  return base(trx, organizationId).where('p.id', '=', id).forUpdate().executeTakeFirst();
}

export function listProductions(trx: Tx, organizationId: string, filter: ListProductionsQuery) {
  let q = base(trx, organizationId);
  if (filter.status) q = q.where('p.status', 'in', filter.status);
  // Running at some point in [from, to]: overlaps, not contained.
  if (filter.from) q = q.where('p.end_date', '>=', sql<string>`${filter.from}::date`);
  if (filter.to) q = q.where('p.start_date', '<=', sql<string>`${filter.to}::date`);
  if (filter.q) q = q.where(sql<boolean>`p.search @@ plainto_tsquery('simple', ${filter.q})`);
  return paginate(q, { limit: filter.limit, cursor: filter.cursor, createdCol: 'p.created_at', idCol: 'p.id' });
}

export async function codeTaken(trx: Tx, organizationId: string, code: string, exceptId?: string): Promise<boolean> {
  let q = trx.selectFrom('productions').select('id').where('organization_id', '=', organizationId).where(sql<boolean>`lower(code) = ${code.toLowerCase()}`);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return Boolean(await q.executeTakeFirst());
}

export async function insertProduction(trx: Tx, values: {
  organization_id: string; name: string; code: string | null; description: string | null; start_date: string; end_date: string;
  budget_amount: string | null; budget_currency: string; created_by: string;
}): Promise<string> {
  const row = await trx.insertInto('productions').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export function updateProduction(trx: Tx, organizationId: string, id: string, values: Record<string, unknown>) {
  return trx.updateTable('productions').set(values).where('organization_id', '=', organizationId).where('id', '=', id).execute();
}

export function deleteProduction(trx: Tx, organizationId: string, id: string) {
  return trx.deleteFrom('productions').where('organization_id', '=', organizationId).where('id', '=', id).execute();
}
