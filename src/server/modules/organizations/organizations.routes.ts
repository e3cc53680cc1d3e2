import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { mutateInTenant, readInTenant } from '../../http/context.js';
import { problems } from '../../http/schemas.js';
import { presentOrganization } from './organizations.presenter.js';
import { organizationSchema, updateOrganizationBody } from './organizations.schemas.js';
import { getCurrentOrganization, updateCurrentOrganization } from './organizations.service.js';

export const organizationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/organization', {
    schema: { tags: ['organization'], summary: 'The organization of the access token', response: { 200: organizationSchema, ...problems(401, 404) } },
  }, (req) => readInTenant(req, async (ctx) => presentOrganization(await getCurrentOrganization(ctx), ctx.actor)));

  app.patch('/organization', {
    schema: {
      tags: ['organization'],
      summary: 'Change the organization name or settings (admins)',
      body: updateOrganizationBody,
      response: { 200: organizationSchema, ...problems(400, 401, 403, 404, 415) },
    },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({
    status: 200,
    body: presentOrganization(await updateCurrentOrganization(ctx, req.body), ctx.actor),
  })));
};
