import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { paginate } from '../../http/pagination.js';
import type { ListContractsQuery } from './contracts.schemas.js';

/**
 * Contracts with, for the viewer, their own assignment (at most one per contract) and how many
 * people are assigned, have signed and have declined.
 */
function base(trx: Tx, organizationId: string, viewerId: string) {
  const count = (status?: 'signed' | 'declined') => sql<number>`(SELECT count(*)::int FROM contract_assignments x
    WHERE x.organization_id = c.organization_id AND x.contract_id = c.id ${status ? sql`AND x.status = ${status}` : sql``})`;
  return trx.selectFrom('contracts as c')
    .leftJoin('productions as p', 'p.id', 'c.production_id')
    .leftJoin('contract_assignments as mine', (join) => join.onRef('mine.contract_id', '=', 'c.id')
      .on('mine.organization_id', '=', organizationId).on('mine.artist_id', '=', viewerId))
    .select(['c.id', 'c.title', 'c.description', 'c.status', 'c.current_version', 'c.terms', 'c.tags', 'c.metadata', 'c.created_at', 'c.updated_at',
      'c.production_id', 'p.name as production_name', 'c.reminder_every_days', sql<string | null>`to_char(c.signing_deadline, 'YYYY-MM-DD')`.as('signing_deadline'),
      'mine.id as my_id', 'mine.status as my_status', 'mine.message as my_message', 'mine.version_assigned as my_version_assigned', 'mine.signed_version as my_signed_version',
      'mine.viewed_at as my_viewed_at', 'mine.signed_at as my_signed_at', 'mine.declined_at as my_declined_at', 'mine.decline_reason as my_decline_reason',
      count().as('assigned_count'), count('signed').as('signed_count'), count('declined').as('declined_count')])
    .where('c.organization_id', '=', organizationId);
}
export type ContractRow = NonNullable<Awaited<ReturnType<typeof findContract>>>;

export function findContract(trx: Tx, organizationId: string, id: string, viewerId: string) {
  return base(trx, organizationId, viewerId).where('c.id', '=', id).executeTakeFirst();
}

export function listContracts(trx: Tx, organizationId: string, viewerId: string, filter: ListContractsQuery & { assignedTo?: string }) {
  let q = base(trx, organizationId, viewerId);
  for (const artistId of [filter.assignedTo, filter.artist_id]) {
    if (!artistId) continue;
    q = q.where(({ exists, selectFrom }) => exists(selectFrom('contract_assignments as a').select('a.id')
      .whereRef('a.contract_id', '=', 'c.id').where('a.organization_id', '=', organizationId).where('a.artist_id', '=', artistId)));
  }
  if (filter.status) q = q.where('c.status', 'in', filter.status);
  if (filter.production_id) q = q.where('c.production_id', '=', filter.production_id);
  if (filter.tag) q = q.where(sql<boolean>`${filter.tag} = ANY(c.tags)`);
  if (filter.q) q = q.where(sql<boolean>`c.search @@ plainto_tsquery('simple', ${filter.q})`);
  if (filter.created_after) q = q.where('c.created_at', '>=', new Date(filter.created_after));
  if (filter.created_before) q = q.where('c.created_at', '<', new Date(filter.created_before));
  return paginate(q, { limit: filter.limit, cursor: filter.cursor, createdCol: 'c.created_at', idCol: 'c.id' });
}

export function listVersions(trx: Tx, organizationId: string, contractId: string) {
  return trx.selectFrom('contract_versions as v').innerJoin('files as f', 'f.id', 'v.file_id')
    .select(['v.version', 'v.change_summary', 'v.created_by', 'v.created_at', 'v.conversion_status', 'v.conversion_error',
      'f.id as file_id', 'f.original_name', 'f.content_type', 'f.size_bytes', 'f.sha256'])
    .where('v.organization_id', '=', organizationId).where('v.contract_id', '=', contractId)
    .orderBy('v.version', 'desc').execute();
}

export function productionDates(trx: Tx, organizationId: string, productionId: string) {
  return trx.selectFrom('productions').select(['id', 'name', 'status',
    sql<string>`to_char(start_date, 'YYYY-MM-DD')`.as('start_date'), sql<string>`to_char(end_date, 'YYYY-MM-DD')`.as('end_date')])
    .where('organization_id', '=', organizationId).where('id', '=', productionId).executeTakeFirst();
}
