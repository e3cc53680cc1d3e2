import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { paginate } from '../../http/pagination.js';
import type { ListMembersQuery } from './members.schemas.js';

function baseQuery(trx: Tx, organizationId: string) {
  return trx
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select([
      'm.id', 'm.user_id', 'm.role', 'm.department', 'm.title', 'm.created_at',
      sql<string>`to_char(m.start_date, 'YYYY-MM-DD')`.as('start_date'),
      sql<string | null>`to_char(m.end_date, 'YYYY-MM-DD')`.as('end_date'),
      sql<boolean>`(m.end_date IS NULL OR m.end_date >= CURRENT_DATE)`.as('is_active'),
      'u.email', 'u.first_name', 'u.last_name',
    ])
    .where('m.organization_id', '=', organizationId);
}

export function listMembers(trx: Tx, organizationId: string, filter: ListMembersQuery) {
  let q = baseQuery(trx, organizationId);
  if (filter.role) q = q.where('m.role', 'in', filter.role);
  if (filter.active === true) q = q.where((eb) => eb.or([eb('m.end_date', 'is', null), eb('m.end_date', '>=', sql<string>`CURRENT_DATE`)]));
  if (filter.active === false) q = q.where('m.end_date', '<', sql<string>`CURRENT_DATE`);
  if (filter.created_after) q = q.where('m.created_at', '>=', new Date(filter.created_after));
  if (filter.created_before) q = q.where('m.created_at', '<', new Date(filter.created_before));
  if (filter.q) {
    // Searched through the private trigram index (see migrations/0005_member_search.sql);
    // % and _ typed by the user are literal.
    const pattern = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where(sql<boolean>`m.id IN (SELECT app_search_members(${pattern}))`);
  }
  return paginate(q, { limit: filter.limit, cursor: filter.cursor, createdCol: 'm.created_at', idCol: 'm.id' });
}

export function findMember(trx: Tx, organizationId: string, membershipId: string) {
  return baseQuery(trx, organizationId).where('m.id', '=', membershipId).executeTakeFirst();
}

export function findMemberByUser(trx: Tx, organizationId: string, userId: string) {
  return baseQuery(trx, organizationId).where('m.user_id', '=', userId).executeTakeFirst();
}

export async function updateMember(trx: Tx, organizationId: string, membershipId: string, values: Record<string, unknown>) {
  await trx.updateTable('memberships').set(values).where('organization_id', '=', organizationId).where('id', '=', membershipId).execute();
}

/**
 * Administrators whose membership does not end. One that merely ends later (end_date today or in
 * the future) still leaves the organization without an administrator, so it does not count.
 */
export async function countActiveAdmins(trx: Tx, organizationId: string): Promise<number> {
  const row = await trx
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organization_id', '=', organizationId)
    .where('role', 'in', ['admin', 'system_admin'])
    .where('end_date', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export type MemberRow = NonNullable<Awaited<ReturnType<typeof findMember>>>;
