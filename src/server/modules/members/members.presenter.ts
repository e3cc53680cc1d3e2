import { allowedActions } from '../../auth/policy.js';
import type { Actor } from '../../auth/tokens.js';
import type { MemberRow } from './members.queries.js';

export function presentMember(row: MemberRow, actor: Actor) {
  return {
    id: row.id,
    user_id: row.user_id,
    email: row.email,
    first_name: row.first_name,
    last_name: row.last_name,
    role: row.role,
    department: row.department,
    title: row.title,
    start_date: row.start_date,
    end_date: row.end_date,
    is_active: row.is_active,
    created_at: row.created_at.toISOString(),
    allowed_actions: allowedActions(actor, ['members:update']),
  };
}
