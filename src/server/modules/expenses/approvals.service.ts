import { authorize } from '../../auth/policy.js';
import type { RequestContext } from '../../http/context.js';
import { AppError, notFound } from '../../http/errors.js';
import { notify } from '../notifications/notifications.service.js';
import { approverLevels } from './approval-rules.js';
import { cents, formatCents } from './expenses.schemas.js';

const LEVEL_NAME = { automatic: 'automatic', admin: 'an administrator', finance: 'an accountant', finance_director: 'a finance director' } as const;

/**
 * Locks a submitted expense for a decision. Concurrent decisions on one expense queue on the row
 * lock; the second finds it decided and answers 409, so an expense is approved once.
 */
async function lockForDecision(ctx: RequestContext, id: string) {
  authorize(ctx.actor, 'expenses:approve');
  const expense = await ctx.trx.selectFrom('expenses').selectAll().where('organization_id', '=', ctx.organizationId).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!expense) throw notFound('Expense');
  if (expense.artist_id === ctx.actor.userId) throw new AppError('forbidden', 'Nobody approves or rejects their own expense');
  if (expense.status !== 'submitted') throw new AppError('conflict', `This expense is ${expense.status}, not waiting for a decision`);
  const level = expense.approval_level ?? 'finance_director';
  if (!approverLevels(ctx.actor.role).includes(level)) {
    throw new AppError('insufficient_approval_limit', `${formatCents(cents(expense.amount_base))} ${expense.base_currency} is above your approval limit: it needs ${LEVEL_NAME[level]}`);
  }
  return { expense, level };
}

export async function approveExpense(ctx: RequestContext, id: string, note?: string) {
  const { expense, level } = await lockForDecision(ctx, id);
  const now = new Date();
  await ctx.trx.updateTable('expenses').set({ status: 'approved', approved_at: now, approved_by: ctx.actor.userId })
    .where('organization_id', '=', ctx.organizationId).where('id', '=', id).execute();
  await ctx.trx.insertInto('expense_approvals').values({
    organization_id: ctx.organizationId, expense_id: id, decided_by: ctx.actor.userId, decision: 'approved', level, amount_base: expense.amount_base, reason: note ?? null,
  }).execute();
  await notify(ctx, {
    type: 'expense_approved', recipients: [expense.artist_id], link: `/expenses/${id}`,
    subject: `Approved: ${expense.merchant}, ${formatCents(cents(expense.amount_base))} ${expense.base_currency}`,
    body: note ? `Note from the approver: ${note}` : 'It will be paid with the next payment batch.', data: { expense_id: id, status: 'approved' },
  });
  await ctx.audit({ entityType: 'expense', entityId: id, action: 'expense.approved', before: { status: 'submitted' }, after: { status: 'approved', level, note: note ?? null } });
  ctx.publish({ type: 'expense.status', organizationId: ctx.organizationId, userId: expense.artist_id, data: { expense_id: id, status: 'approved' } });
}

export async function rejectExpense(ctx: RequestContext, id: string, reason: string) {
  const { expense, level } = await lockForDecision(ctx, id);
  await ctx.trx.updateTable('expenses').set({ status: 'rejected', rejected_at: new Date(), rejected_by: ctx.actor.userId, rejection_reason: reason })
    .where('organization_id', '=', ctx.organizationId).where('id', '=', id).execute();
  await ctx.trx.insertInto('expense_approvals').values({
    organization_id: ctx.organizationId, expense_id: id, decided_by: ctx.actor.userId, decision: 'rejected', level, amount_base: expense.amount_base, reason,
  }).execute();
  await notify(ctx, {
    type: 'expense_rejected', recipients: [expense.artist_id], link: `/expenses/${id}`, subject: `Rejected: ${expense.merchant}`,
    body: `Reason: ${reason}\nYou can correct it and submit it again.`, data: { expense_id: id, status: 'rejected' },
  });
  await ctx.audit({ entityType: 'expense', entityId: id, action: 'expense.rejected', before: { status: 'submitted' }, after: { status: 'rejected', reason } });
  ctx.publish({ type: 'expense.status', organizationId: ctx.organizationId, userId: expense.artist_id, data: { expense_id: id, status: 'rejected' } });
}
