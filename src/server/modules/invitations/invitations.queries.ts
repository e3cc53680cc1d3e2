import { sql, type Expression, type Insertable, type SqlBool } from 'kysely';
import type { Invitation, InvitationsTable } from '../../db/schema.js';
import type { Tx } from '../../db/tenant.js';
import { paginate } from '../../http/pagination.js';
import type { ListInvitationsQuery } from './invitations.schemas.js';

type Status = 'pending' | 'accepted' | 'revoked' | 'expired';

function statusCondition(status: Status): Expression<SqlBool> {
  switch (status) {
    case 'accepted': return sql<SqlBool>`accepted_at IS NOT NULL`;
    case 'revoked': return sql<SqlBool>`revoked_at IS NOT NULL`;
    case 'expired': return sql<SqlBool>`accepted_at IS NULL AND revoked_at IS NULL AND expires_at <= now()`;
    case 'pending': return sql<SqlBool>`accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()`;
  }
}

export function invitationStatus(inv: Pick<Invitation, 'accepted_at' | 'revoked_at' | 'expires_at'>, now = new Date()): Status {
  if (inv.accepted_at) return 'accepted';
  if (inv.revoked_at) return 'revoked';
  return inv.expires_at <= now ? 'expired' : 'pending';
}

export function listInvitations(trx: Tx, organizationId: string, filter: ListInvitationsQuery) {
  let q = trx.selectFrom('invitations').selectAll().where('organization_id', '=', organizationId);
  if (filter.status) {
    const conditions = filter.status.map(statusCondition);
    q = q.where((eb) => eb.or(conditions));
  }
  if (filter.created_after) q = q.where('created_at', '>=', new Date(filter.created_after));
  if (filter.created_before) q = q.where('created_at', '<', new Date(filter.created_before));
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where(sql<SqlBool>`(email || ' ' || coalesce(first_name, '') || ' ' || coalesce(last_name, '')) ILIKE ${pattern}`);
  }
  return paginate(q, { limit: filter.limit, cursor: filter.cursor, createdCol: 'created_at', idCol: 'id' });
}

export function insertInvitation(trx: Tx, values: Insertable<InvitationsTable>) {
  return trx.insertInto('invitations').values(values).returningAll().executeTakeFirstOrThrow();
}

export function findInvitation(trx: Tx, organizationId: string, id: string) {
  return trx.selectFrom('invitations').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

export function findOpenInvitationByEmail(trx: Tx, organizationId: string, email: string) {
  return trx.selectFrom('invitations').selectAll()
    .where('organization_id', '=', organizationId)
    .where(sql<SqlBool>`lower(email) = ${email.toLowerCase()}`)
    .where('accepted_at', 'is', null).where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export function revokeInvitation(trx: Tx, organizationId: string, id: string) {
  return trx.updateTable('invitations').set({ revoked_at: new Date() })
    .where('organization_id', '=', organizationId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export function isMemberEmail(trx: Tx, organizationId: string, email: string) {
  return trx.selectFrom('memberships as m').innerJoin('users as u', 'u.id', 'm.user_id').select('m.id')
    .where('m.organization_id', '=', organizationId)
    .where(sql<SqlBool>`lower(u.email) = ${email.toLowerCase()}`)
    .executeTakeFirst();
}

export function renewInvitation(trx: Tx, organizationId: string, id: string, tokenHash: string, expiresAt: Date) {
  return trx.updateTable('invitations').set({ token_hash: tokenHash, expires_at: expiresAt })
    .where('organization_id', '=', organizationId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}
