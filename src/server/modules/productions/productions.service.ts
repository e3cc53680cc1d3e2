import { authorize } from '../../auth/policy.js';
import type { RequestContext } from '../../http/context.js';
import { AppError, notFound } from '../../http/errors.js';
import * as queries from './productions.queries.js';
import { transitions, type CreateProductionInput, type ListProductionsQuery, type UpdateProductionInput } from './productions.schemas.js';

const codeConflict = () => new AppError('conflict', 'Another production already uses this code', [{ field: 'body.code', message: 'Already in use' }]);

async function defaultCurrency(ctx: RequestContext): Promise<string> {
  const org = await ctx.trx.selectFrom('organizations').select('settings').where('id', '=', ctx.organizationId).executeTakeFirstOrThrow();
  const currency = (org.settings as { default_currency?: unknown }).default_currency;
  return typeof currency === 'string' ? currency : 'USD';
}

export function listProductions(ctx: RequestContext, filter: ListProductionsQuery) {
  authorize(ctx.actor, 'productions:read');
  return queries.listProductions(ctx.trx, ctx.organizationId, filter);
}

export async function getProduction(ctx: RequestContext, id: string) {
  authorize(ctx.actor, 'productions:read');
  const production = await queries.findProduction(ctx.trx, ctx.organizationId, id);
  if (!production) throw notFound('Production');
  return production;
}

export async function createProduction(ctx: RequestContext, input: CreateProductionInput) {
  authorize(ctx.actor, 'productions:write');
  if (input.code && (await queries.codeTaken(ctx.trx, ctx.organizationId, input.code))) throw codeConflict();
  const id = await queries.insertProduction(ctx.trx, {
    organization_id: ctx.organizationId,
    name: input.name,
    code: input.code ?? null,
    description: input.description ?? null,
    start_date: input.start_date,
    end_date: input.end_date,
    budget_amount: input.budget_amount ?? null,
    budget_currency: input.budget_currency ?? (await defaultCurrency(ctx)),
    created_by: ctx.actor.userId,
  });
  const created = (await queries.findProduction(ctx.trx, ctx.organizationId, id))!;
  await ctx.audit({ entityType: 'production', entityId: id, action: 'create', after: created });
  return created;
}

/**
 * Changes details and moves the status along its lifecycle; an impossible move (completed →
 * active, anything out of archived) is a 409 naming the allowed ones. Dates are checked together
 * with the stored ones, so moving only the start past the end is refused too.
 */
export async function updateProduction(ctx: RequestContext, id: string, input: UpdateProductionInput) {
  authorize(ctx.actor, 'productions:write');
  const before = await queries.lockProduction(ctx.trx, ctx.organizationId, id);
  if (!before) throw notFound('Production');
  if (before.status === 'archived' && Object.keys(input).some((k) => k !== 'status_reason')) {
    throw new AppError('conflict', 'An archived production cannot be changed');
  }
  const start = input.start_date ?? before.start_date;
  const end = input.end_date ?? before.end_date;
  if (end < start) throw new AppError('validation_error', 'The end date is before the start date', [{ field: input.end_date ? 'body.end_date' : 'body.start_date', message: 'End before start' }]);
  if (input.code && (await queries.codeTaken(ctx.trx, ctx.organizationId, input.code, id))) throw codeConflict();
  if (input.status && input.status !== before.status && !transitions[before.status].includes(input.status)) {
    const allowed = transitions[before.status];
    throw new AppError('conflict', `A ${before.status} production cannot become ${input.status}${allowed.length ? `; it can become ${allowed.join(' or ')}` : ''}`,
      [{ field: 'body.status', message: 'Not allowed from the current status' }]);
  }
  const { status_reason: reason, ...rest } = input;
  const values: Record<string, unknown> = { ...rest };
  if (input.status && input.status !== before.status) {
    values.status_reason = reason ?? null;
    if (input.status === 'archived') values.archived_at = new Date();
  } else if (reason !== undefined) {
    values.status_reason = reason;
  }
  await queries.updateProduction(ctx.trx, ctx.organizationId, id, values);
  const after = (await queries.findProduction(ctx.trx, ctx.organizationId, id))!;
  await ctx.audit({
    entityType: 'production', entityId: id, action: input.status && input.status !== before.status ? `production.${input.status}` : 'update', before, after,
  });
  return after;
}

/** Only a production still in planning can be deleted (mistakes); later ones are cancelled or archived. */
export async function deleteProduction(ctx: RequestContext, id: string) {
  authorize(ctx.actor, 'productions:write');
  const before = await queries.lockProduction(ctx.trx, ctx.organizationId, id);
  if (!before) throw notFound('Production');
  if (before.status !== 'planning') throw new AppError('conflict', `A ${before.status} production is kept: cancel or archive it instead`);
  await queries.deleteProduction(ctx.trx, ctx.organizationId, id);
  await ctx.audit({ entityType: 'production', entityId: id, action: 'delete', before });
}
