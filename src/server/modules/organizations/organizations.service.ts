import { authorize } from '../../auth/policy.js';
import type { RequestContext } from '../../http/context.js';
import { AppError, notFound } from '../../http/errors.js';
import * as queries from './organizations.queries.js';
import { settingsSchema, type UpdateOrganizationInput } from './organizations.schemas.js';

export async function getCurrentOrganization(ctx: RequestContext) {
  authorize(ctx.actor, 'organization:read');
  const org = await queries.findOrganization(ctx.trx, ctx.organizationId);
  if (!org) throw notFound('Organization');
  return org;
}

export async function updateCurrentOrganization(ctx: RequestContext, input: UpdateOrganizationInput) {
  authorize(ctx.actor, 'organization:update');
  const before = await queries.findOrganization(ctx.trx, ctx.organizationId);
  if (!before) throw notFound('Organization');
  const values: { name?: string; settings?: string } = {};
  if (input.name !== undefined) values.name = input.name;
  if (input.settings) {
    // The merged result must be a complete, consistent settings object (e.g. rising limits).
    const merged = settingsSchema.safeParse({ ...(before.settings as object), ...input.settings });
    if (!merged.success) {
      throw new AppError('validation_error', 'The settings would be inconsistent',
        merged.error.issues.map((i) => ({ field: `body.settings.${i.path.join('.')}`, message: i.message })));
    }
    values.settings = JSON.stringify(merged.data);
  }
  if (!Object.keys(values).length) return before;
  const after = await queries.updateOrganization(ctx.trx, ctx.organizationId, values);
  await ctx.audit({
    entityType: 'organization',
    entityId: after.id,
    action: 'update',
    before: { name: before.name, settings: before.settings },
    after: { name: after.name, settings: after.settings },
  });
  return after;
}
