import { sql } from 'kysely';
import { authorize, can } from '../../auth/policy.js';
import type { Tx } from '../../db/tenant.js';
import type { RequestContext } from '../../http/context.js';
import { AppError, notFound } from '../../http/errors.js';
import { localDate } from '../contracts/contracts.jobs.js';
import { notify } from '../notifications/notifications.service.js';
import type { OrganizationSettings } from '../organizations/organizations.schemas.js';
import { approverLevels, approversFor, levelFor } from './approval-rules.js';
import * as queries from './expenses.queries.js';
import { cents, formatCents, type CreateExpenseInput, type ListExpensesQuery, type UpdateExpenseInput } from './expenses.schemas.js';

export async function organizationSettings(trx: Tx, organizationId: string): Promise<OrganizationSettings> {
  const org = await trx.selectFrom('organizations').select('settings').where('id', '=', organizationId).executeTakeFirstOrThrow();
  return org.settings as OrganizationSettings;
}

const field = (name: string, message: string) => ({ field: `body.${name}`, message });

/**
 * The rules of seed 000/004 for an expense's content: an active category of this organization
 * and its maximum, the currency and its exchange rate, a date not in the future and within the
 * submission window (both in the organization's time zone), a production of this organization.
 */
async function checkContent(ctx: RequestContext, input: CreateExpenseInput, settings: OrganizationSettings) {
  const problems: Array<{ field: string; message: string }> = [];
  const category = await queries.findCategory(ctx.trx, ctx.organizationId, input.category_id);
  if (!category || !category.is_active) problems.push(field('category_id', 'Not an active category of this organization'));

  const currency = input.currency ?? settings.default_currency;
  const foreign = currency !== settings.default_currency;
  if (foreign && !input.exchange_rate) problems.push(field('exchange_rate', `Required for ${currency}: ${settings.default_currency} per 1 ${currency}`));
  if (!foreign && input.exchange_rate && Number(input.exchange_rate) !== 1) problems.push(field('exchange_rate', `Must be 1 (or left out) for ${currency}`));
  const rate = foreign ? input.exchange_rate ?? '1' : '1';
  const baseCents = exactBase(input.amount, rate);
  if (category?.max_amount && baseCents > cents(category.max_amount)) {
    problems.push(field('amount', `At most ${category.max_amount} ${settings.default_currency} for ${category.name}`));
  }

  const today = localDate(settings.timezone);
  const earliest = localDate(settings.timezone, new Date(Date.now() - settings.expense_submission_window_days * 86_400_000));
  if (input.expense_date > today) problems.push(field('expense_date', 'Must not be in the future'));
  else if (input.expense_date < earliest) problems.push(field('expense_date', `Older than the ${settings.expense_submission_window_days}-day submission window`));

  if (input.production_id) {
    const production = await ctx.trx.selectFrom('productions').select('status').where('organization_id', '=', ctx.organizationId).where('id', '=', input.production_id).executeTakeFirst();
    if (!production) problems.push(field('production_id', 'No such production in this organization'));
    else if (production.status === 'archived') problems.push(field('production_id', 'The production is archived'));
  }
  if (problems.length) throw new AppError('validation_error', problems.length === 1 ? problems[0]!.message : 'The expense has invalid fields', problems);
  return { currency, rate, baseCurrency: settings.default_currency, category: category! };
}

/** amount × rate rounded half up to cents, in integers (the database computes the same). */
function exactBase(amount: string, rate: string): bigint {
  const [whole, fraction = ''] = rate.split('.');
  const scale = 10n ** BigInt(fraction.length);
  const rateUnits = BigInt(whole ?? '0') * scale + BigInt(fraction || '0');
  const product = cents(amount) * rateUnits;
  return (product * 2n + scale) / (2n * scale);
}

function contentValues(input: CreateExpenseInput, checked: Awaited<ReturnType<typeof checkContent>>) {
  return {
    category_id: input.category_id, amount: input.amount, currency: checked.currency, exchange_rate: checked.rate, base_currency: checked.baseCurrency,
    expense_date: input.expense_date, merchant: input.merchant, description: input.description, production_id: input.production_id ?? null,
    notes: input.notes ?? null, tags: [...new Set(input.tags ?? [])], is_billable: input.is_billable ?? false, is_reimbursable: input.is_reimbursable ?? true,
  };
}

export async function createExpense(ctx: RequestContext, input: CreateExpenseInput) {
  authorize(ctx.actor, 'expenses:write', { ownerId: ctx.actor.userId });
  const checked = await checkContent(ctx, input, await organizationSettings(ctx.trx, ctx.organizationId));
  const row = await ctx.trx.insertInto('expenses').values({ organization_id: ctx.organizationId, artist_id: ctx.actor.userId, ...contentValues(input, checked) })
    .returning(['id', 'amount_base']).executeTakeFirstOrThrow();
  await ctx.audit({ entityType: 'expense', entityId: row.id, action: 'create', after: { ...input, amount_base: row.amount_base } });
  return row.id;
}

/** The caller's own expense, locked; someone else's answers 404 like one that does not exist. */
async function ownExpenseForUpdate(ctx: RequestContext, id: string) {
  const expense = await ctx.trx.selectFrom('expenses').selectAll().where('organization_id', '=', ctx.organizationId).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!expense || expense.artist_id !== ctx.actor.userId) throw notFound('Expense');
  authorize(ctx.actor, 'expenses:write', { ownerId: expense.artist_id });
  return expense;
}

/** Drafts and rejected expenses can be changed; a rejected one becomes a draft again. */
export async function updateExpense(ctx: RequestContext, id: string, input: UpdateExpenseInput) {
  const expense = await ownExpenseForUpdate(ctx, id);
  if (expense.status !== 'draft' && expense.status !== 'rejected') throw new AppError('conflict', `A ${expense.status} expense cannot be changed`);
  const checked = await checkContent(ctx, input, await organizationSettings(ctx.trx, ctx.organizationId));
  await ctx.trx.updateTable('expenses').set({ ...contentValues(input, checked), status: 'draft', possible_duplicate_ids: [] })
    .where('organization_id', '=', ctx.organizationId).where('id', '=', id).execute();
  await ctx.audit({ entityType: 'expense', entityId: id, action: 'update', before: { amount: expense.amount, merchant: expense.merchant, status: expense.status }, after: input });
}

export async function deleteExpense(ctx: RequestContext, id: string) {
  const expense = await ownExpenseForUpdate(ctx, id);
  if (expense.status !== 'draft') throw new AppError('conflict', 'Only drafts can be deleted');
  await ctx.trx.deleteFrom('expenses').where('organization_id', '=', ctx.organizationId).where('id', '=', id).execute();
  await ctx.audit({ entityType: 'expense', entityId: id, action: 'delete', before: { amount: expense.amount, merchant: expense.merchant } });
}

/** Approvers and payers see every expense; everyone else their own (others answer 404). */
export const seesAll = (ctx: RequestContext) => can(ctx.actor, 'expenses:read', { ownerId: null });

export async function getExpense(ctx: RequestContext, id: string) {
  authorize(ctx.actor, 'expenses:read', { ownerId: ctx.actor.userId });
  const expense = await queries.findExpense(ctx.trx, ctx.organizationId, id);
  if (!expense || (!seesAll(ctx) && expense.artist_id !== ctx.actor.userId)) throw notFound('Expense');
  const [receipts, history] = await Promise.all([queries.listReceipts(ctx.trx, ctx.organizationId, id), queries.history(ctx.trx, ctx.organizationId, id)]);
  return { expense, receipts, history, settings: await organizationSettings(ctx.trx, ctx.organizationId) };
}

export async function listExpenses(ctx: RequestContext, filter: ListExpensesQuery) {
  authorize(ctx.actor, 'expenses:read', { ownerId: ctx.actor.userId });
  const settings = await organizationSettings(ctx.trx, ctx.organizationId);
  if (!seesAll(ctx)) return { page: await queries.listExpenses(ctx.trx, ctx.organizationId, { ...filter, artist_id: undefined, ownerId: ctx.actor.userId }), settings };
  const queue = filter.awaiting_me ? { levels: approverLevels(ctx.actor.role), notOwnedBy: ctx.actor.userId } : {};
  return { page: await queries.listExpenses(ctx.trx, ctx.organizationId, { ...filter, ...queue }), settings };
}

/**
 * Sends a draft (or a corrected rejected expense) for approval: receipts the category needs must
 * be there; the same person's expense with the same amount, date and merchant is flagged for the
 * approver; the amount decides who must approve, and small ones are approved at once.
 */
export async function submitExpense(ctx: RequestContext, id: string) {
  const expense = await ownExpenseForUpdate(ctx, id);
  if (expense.status !== 'draft' && expense.status !== 'rejected') throw new AppError('conflict', `This expense is ${expense.status} already`);
  const settings = await organizationSettings(ctx.trx, ctx.organizationId);
  const category = await queries.findCategory(ctx.trx, ctx.organizationId, expense.category_id);
  if (!category?.is_active) throw new AppError('validation_error', 'The category is no longer active; choose another', [field('category_id', 'Inactive')]);
  const receipts = await ctx.trx.selectFrom('expense_receipts').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('organization_id', '=', ctx.organizationId).where('expense_id', '=', id).executeTakeFirstOrThrow();
  if (category.requires_receipt && Number(receipts.n) === 0) {
    throw new AppError('missing_receipts', `${category.name} expenses need a receipt: add a photo or PDF of it first`);
  }
  const duplicates = await ctx.trx.selectFrom('expenses').select('id')
    .where('organization_id', '=', ctx.organizationId).where('artist_id', '=', expense.artist_id).where('id', '!=', id)
    .where('amount', '=', expense.amount).where('currency', '=', expense.currency)
    .where('expense_date', '=', sql<string>`${expense.expense_date}::date`)
    .where(sql<boolean>`lower(btrim(merchant)) = lower(btrim(${expense.merchant}))`)
    .where('status', '!=', 'draft').execute();
  const byAmount = levelFor(expense.amount_base, settings.approval_limits);
  const automatic = (byAmount === 'automatic' || !category.requires_approval) && duplicates.length === 0;
  // A small claim that cannot go through by itself (a possible duplicate) needs a person: the first level.
  const level = !automatic && byAmount === 'automatic' ? 'admin' : byAmount;
  const now = new Date();
  await ctx.trx.updateTable('expenses').set({
    status: automatic ? 'approved' : 'submitted', approval_level: level, submitted_at: now, possible_duplicate_ids: duplicates.map((d) => d.id),
    rejected_at: null, rejected_by: null, rejection_reason: null, ...(automatic ? { approved_at: now, approved_by: null } : {}),
  }).where('organization_id', '=', ctx.organizationId).where('id', '=', id).execute();
  const decisions = [{ decision: 'submitted' as const, decided_by: ctx.actor.userId }, ...(automatic ? [{ decision: 'auto_approved' as const, decided_by: null }] : [])];
  await ctx.trx.insertInto('expense_approvals').values(decisions.map((d) => ({
    organization_id: ctx.organizationId, expense_id: id, level, amount_base: expense.amount_base, reason: null, ...d,
  }))).execute();

  const amountText = `${formatCents(cents(expense.amount_base))} ${expense.base_currency}`;
  if (automatic) {
    await notify(ctx, { type: 'expense_approved', recipients: [expense.artist_id], link: `/expenses/${id}`, subject: `Approved: ${expense.merchant}, ${amountText}`, body: 'Approved automatically; it will be paid with the next payment batch.', data: { expense_id: id, status: 'approved' } });
  } else {
    const approvers = await approversFor(ctx.trx, ctx.organizationId, level, expense.artist_id);
    await notify(ctx, {
      type: 'expense_submitted', recipients: approvers, link: `/expenses/${id}`, subject: `To approve: ${expense.merchant}, ${amountText}`,
      body: duplicates.length ? 'Possible duplicate: the same amount, date and merchant was claimed before.' : expense.description, data: { expense_id: id, level },
    });
  }
  await ctx.audit({ entityType: 'expense', entityId: id, action: 'expense.submitted', before: { status: expense.status }, after: { status: automatic ? 'approved' : 'submitted', approval_level: level, possible_duplicates: duplicates.length } });
  ctx.publish({ type: 'expense.status', organizationId: ctx.organizationId, roles: ['admin', 'system_admin', 'accountant', 'finance_director'], data: { expense_id: id, status: automatic ? 'approved' : 'submitted' } });
}
