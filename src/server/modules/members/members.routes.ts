import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { mutateInTenant, readInTenant } from '../../http/context.js';
import { idParams, problems } from '../../http/schemas.js';
import { presentMember } from './members.presenter.js';
import { listMembersQuery, memberListSchema, memberSchema, updateMemberBody } from './members.schemas.js';
import * as service from './members.service.js';

export const membersRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/members', {
    schema: {
      tags: ['members'],
      summary: 'People in the organization (staff roles)',
      querystring: listMembersQuery,
      response: { 200: memberListSchema, ...problems(400, 401, 403) },
    },
  }, (req) => readInTenant(req, async (ctx) => {
    const page = await service.listMembers(ctx, req.query);
    return { data: page.data.map((m) => presentMember(m, ctx.actor)), pagination: page.pagination };
  }));

  app.get('/members/:id', {
    schema: { tags: ['members'], summary: 'One membership', params: idParams, response: { 200: memberSchema, ...problems(400, 401, 404) } },
  }, (req) => readInTenant(req, async (ctx) => presentMember(await service.getMember(ctx, req.params.id), ctx.actor)));

  app.patch('/members/:id', {
    schema: {
      tags: ['members'],
      summary: 'Change role, department, title or end date (admins)',
      params: idParams,
      body: updateMemberBody,
      response: { 200: memberSchema, ...problems(400, 401, 403, 404, 409) },
    },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({
    status: 200,
    body: presentMember(await service.updateMember(ctx, req.params.id, req.body), ctx.actor),
  })));
};
