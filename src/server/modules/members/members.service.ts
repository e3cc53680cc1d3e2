import { authorize, can } from '../../auth/policy.js';
import type { RequestContext } from '../../http/context.js';
import { AppError, notFound } from '../../http/errors.js';
import { revokeUserSessions } from '../auth/sessions.js';
import { notify } from '../notifications/notifications.service.js';
import * as queries from './members.queries.js';
import type { ListMembersQuery, UpdateMemberInput } from './members.schemas.js';

export async function listMembers(ctx: RequestContext, filter: ListMembersQuery) {
  authorize(ctx.actor, 'members:read');
  return queries.listMembers(ctx.trx, ctx.organizationId, filter);
}

/** Staff see every member; anyone sees their own membership. */
export async function getMember(ctx: RequestContext, membershipId: string) {
  const row = await queries.findMember(ctx.trx, ctx.organizationId, membershipId);
  if (!row || (row.user_id !== ctx.actor.userId && !can(ctx.actor, 'members:read'))) throw notFound('Member');
  return row;
}

export async function updateMember(ctx: RequestContext, membershipId: string, input: UpdateMemberInput) {
  const before = await queries.findMember(ctx.trx, ctx.organizationId, membershipId);
  if (!before) throw notFound('Member');
  authorize(ctx.actor, 'members:update');
  const values: Record<string, unknown> = {};
  for (const key of ['role', 'department', 'title', 'end_date'] as const) {
    if (input[key] !== undefined) values[key] = input[key];
  }
  if (!Object.keys(values).length) return before;
  if (input.end_date && input.end_date < before.start_date) {
    throw new AppError('validation_error', 'The end date is before the start date', [{ field: 'body.end_date', message: `Must be on or after ${before.start_date}` }]);
  }
  const losesAdmin = ['admin', 'system_admin'].includes(before.role) &&
    ((input.role !== undefined && !['admin', 'system_admin'].includes(input.role)) || (input.end_date !== undefined && input.end_date !== null));
  await queries.updateMember(ctx.trx, ctx.organizationId, membershipId, values);
  // An organization must keep someone who can administer it.
  if (losesAdmin && (await queries.countActiveAdmins(ctx.trx, ctx.organizationId)) === 0) {
    throw new AppError('conflict', 'This is the last administrator; appoint another one first');
  }
  const after = await queries.findMember(ctx.trx, ctx.organizationId, membershipId);
  if (!after) throw notFound('Member');
  // New rights (or none) take effect at the next sign-in: their refresh tokens stop working now.
  if (after.role !== before.role) {
    await revokeUserSessions(ctx.trx, after.user_id, 'role_changed', { organizationId: ctx.organizationId });
    await notify(ctx, {
      type: 'account_security', recipients: [after.user_id], priority: 'high', link: '/',
      subject: `Your role is now ${after.role.replace('_', ' ')}`,
      body: `An administrator changed your role from ${before.role.replace('_', ' ')} to ${after.role.replace('_', ' ')}. Sign in again to work with your new access.`,
    });
  }
  else if (after.end_date !== before.end_date && !after.is_active) await revokeUserSessions(ctx.trx, after.user_id, 'membership_ended', { organizationId: ctx.organizationId });
  await ctx.audit({
    entityType: 'membership',
    entityId: membershipId,
    action: input.role !== undefined && input.role !== before.role ? 'member.role_changed' : 'update',
    before: { role: before.role, department: before.department, title: before.title, end_date: before.end_date },
    after: { role: after.role, department: after.department, title: after.title, end_date: after.end_date },
  });
  return after;
}
