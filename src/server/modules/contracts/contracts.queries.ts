import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { paginate } from '../../http/pagination.js';
import type { ListContractsQuery } from './contracts.schemas.js';

function base(trx: Tx, organizationId: string) {
  return trx.selectFrom('contracts as c')
    .leftJoin('productions as p', 'p.id', 'c.production_id')
    .select(['c.id', 'c.title', 'c.description', 'c.status', 'c.current_version', 'c.terms', 'c.tags', 'c.metadata', 'c.created_at', 'c.updated_at',
      'c.production_id', 'p.name as production_name', 'c.reminder_every_days', sql<string | null>`to_char(c.signing_deadline, 'YYYY-MM-DD')`.as('signing_deadline')])
    .where('c.organization_id', '=', organizationId);
}
export type ContractRow = NonNullable<Awaited<ReturnType<typeof findContract>>>;

export function findContract(trx: Tx, organizationId: string, id: string) {
  return base(trx, organizationId).where('c.id', '=', id).executeTakeFirst();
}

export function listContracts(trx: Tx, organizationId: string, filter: ListContractsQuery & { assignedTo?: string }) {
  let q = base(trx, organizationId);
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
