import type { Tx } from '../../db/tenant.js';
import type { AuditQuery } from './audit.routes.js';

/** Newest first by chain position; the cursor is the last `seq` seen. */
export async function listAuditLogs(trx: Tx, organizationId: string, filter: AuditQuery) {
  let q = trx
    .selectFrom('audit_logs')
    .select(['seq', 'actor_id', 'entity_type', 'entity_id', 'action', 'before', 'after', 'changed_fields', 'ip', 'user_agent', 'request_id', 'created_at', 'hash'])
    .where('organization_id', '=', organizationId);
  if (filter.entity_type) q = q.where('entity_type', '=', filter.entity_type);
  if (filter.entity_id) q = q.where('entity_id', '=', filter.entity_id);
  if (filter.actor_id) q = q.where('actor_id', '=', filter.actor_id);
  if (filter.action?.length) q = q.where('action', 'in', filter.action);
  if (filter.created_after) q = q.where('created_at', '>=', new Date(filter.created_after));
  if (filter.created_before) q = q.where('created_at', '<', new Date(filter.created_before));
  if (filter.cursor) q = q.where('seq', '<', Number(filter.cursor));
  const rows = await q.orderBy('seq', 'desc').limit(filter.limit + 1).execute();
  const hasMore = rows.length > filter.limit;
  const data = (hasMore ? rows.slice(0, filter.limit) : rows).map((r) => ({ ...r, created_at: r.created_at.toISOString() }));
  const last = data[data.length - 1];
  return { data, pagination: { has_more: hasMore, next_cursor: hasMore && last ? String(last.seq) : null } };
}
