import { authorize } from '../../auth/policy.js';
import type { RequestContext } from '../../http/context.js';
import { AppError, notFound } from '../../http/errors.js';
import type { CategoryInput } from './expenses.schemas.js';

export function listCategories(ctx: RequestContext) {
  authorize(ctx.actor, 'organization:read');
  return ctx.trx.selectFrom('expense_categories').selectAll().where('organization_id', '=', ctx.organizationId).orderBy('name').execute();
}

/** Names and codes are unique per organization (case-insensitive names): a clash answers 409 at the field. */
async function checkUnique(ctx: RequestContext, input: CategoryInput, exceptId?: string) {
  const clashes = await ctx.trx.selectFrom('expense_categories').select(['id', 'name', 'code']).where('organization_id', '=', ctx.organizationId)
    .where((eb) => eb.or([
      ...(input.name ? [eb(eb.fn('lower', ['name']), '=', input.name.toLowerCase())] : []),
      ...(input.code ? [eb('code', '=', input.code)] : []),
      eb.val(false),
    ])).execute();
  const others = clashes.filter((c) => c.id !== exceptId);
  if (!others.length) return;
  const errors = [
    ...(input.name && others.some((c) => c.name.toLowerCase() === input.name!.toLowerCase()) ? [{ field: 'body.name', message: 'Another category has this name' }] : []),
    ...(input.code && others.some((c) => c.code === input.code) ? [{ field: 'body.code', message: 'Another category has this code' }] : []),
  ];
  throw new AppError('conflict', 'A category with this name or code exists', errors);
}

export async function createCategory(ctx: RequestContext, input: Required<Pick<CategoryInput, 'name' | 'code'>> & CategoryInput) {
  authorize(ctx.actor, 'expenses:settings');
  await checkUnique(ctx, input);
  const row = await ctx.trx.insertInto('expense_categories').values({
    organization_id: ctx.organizationId, name: input.name, code: input.code, xero_account_code: input.xero_account_code ?? null,
    requires_receipt: input.requires_receipt ?? true, requires_approval: input.requires_approval ?? true, max_amount: input.max_amount ?? null, is_active: input.is_active ?? true,
  }).returningAll().executeTakeFirstOrThrow();
  await ctx.audit({ entityType: 'expense_category', entityId: row.id, action: 'create', after: input });
  return row;
}

/** Categories in use are deactivated rather than deleted, so old expenses keep theirs. */
export async function updateCategory(ctx: RequestContext, id: string, input: CategoryInput) {
  authorize(ctx.actor, 'expenses:settings');
  const before = await ctx.trx.selectFrom('expense_categories').selectAll().where('organization_id', '=', ctx.organizationId).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!before) throw notFound('Expense category');
  await checkUnique(ctx, input, id);
  const row = await ctx.trx.updateTable('expense_categories').set(input).where('organization_id', '=', ctx.organizationId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  await ctx.audit({ entityType: 'expense_category', entityId: id, action: 'update', before, after: input });
  return row;
}
