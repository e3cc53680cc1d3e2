import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authorize } from '../../auth/policy.js';
import { verifyOrganizationChain } from '../../audit/audit.service.js';
import { readInTenant } from '../../http/context.js';
import { dateRange, problems, text } from '../../http/schemas.js';
import { listAuditLogs } from './audit.queries.js';

const auditLogSchema = z
  .object({
    seq: z.number().int().describe('Position in the organization\'s hash chain'),
    actor_id: z.uuid().nullable(),
    entity_type: z.string(),
    entity_id: z.string().nullable(),
    action: z.string(),
    before: z.unknown().nullable(),
    after: z.unknown().nullable(),
    changed_fields: z.array(z.string()).nullable(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    request_id: z.string().nullable(),
    created_at: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditLog' });

export const auditQuery = z.strictObject({
  entity_type: text(50).optional(),
  entity_id: text(100).optional(),
  actor_id: z.uuid().optional(),
  action: z.string().max(500).regex(/^[a-z0-9_.,]+$/).transform((v) => v.split(',').filter(Boolean)).optional().describe('Comma-separated actions'),
  ...dateRange,
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().regex(/^\d{1,18}$/).optional().describe('Opaque cursor from pagination.next_cursor'),
});
export type AuditQuery = z.infer<typeof auditQuery>;

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/audit-logs', {
    schema: {
      tags: ['audit'],
      summary: 'Search the audit trail, newest first (admins)',
      querystring: auditQuery,
      response: { 200: z.object({ data: z.array(auditLogSchema), pagination: z.object({ next_cursor: z.string().nullable(), has_more: z.boolean() }) }), ...problems(400, 401, 403) },
    },
  }, (req) => readInTenant(req, async (ctx) => {
    authorize(ctx.actor, 'audit:read');
    return listAuditLogs(ctx.trx, ctx.organizationId, req.query);
  }));

  app.get('/audit-logs/verify', {
    schema: {
      tags: ['audit'],
      summary: 'Check the organization\'s audit hash chain (admins)',
      response: {
        200: z.object({
          valid: z.boolean(),
          rows: z.number().int(),
          problems: z.array(z.object({ seq: z.number(), problem: z.string(), detail: z.string() })),
        }),
        ...problems(401, 403),
      },
    },
  }, (req) => readInTenant(req, async (ctx) => {
    authorize(ctx.actor, 'audit:read');
    const result = await verifyOrganizationChain(ctx.trx, ctx.organizationId);
    return { valid: result.problems.length === 0, ...result };
  }));
};
