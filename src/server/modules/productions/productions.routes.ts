import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { mutateInTenant, readInTenant } from '../../http/context.js';
import { idParams, problems } from '../../http/schemas.js';
import { presentProduction } from './productions.presenter.js';
import { createProductionBody, listProductionsQuery, productionListSchema, productionSchema, updateProductionBody } from './productions.schemas.js';
import * as service from './productions.service.js';

export const productionsRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['productions'];

  app.get('/productions', {
    schema: { tags, summary: 'Productions, newest first, by status, dates running and words (office roles)', querystring: listProductionsQuery, response: { 200: productionListSchema, ...problems(400, 401, 403) } },
  }, (req) => readInTenant(req, async (ctx) => {
    const page = await service.listProductions(ctx, req.query);
    return { data: page.data.map((p) => presentProduction(p, ctx.actor)), pagination: page.pagination };
  }));

  app.post('/productions', {
    schema: { tags, summary: 'Create a production (admins, production managers); supports Idempotency-Key', body: createProductionBody, response: { 201: productionSchema, ...problems(400, 401, 403, 409, 415, 422) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 201, body: presentProduction(await service.createProduction(ctx, req.body), ctx.actor) })));

  app.get('/productions/:id', {
    schema: { tags, summary: 'One production', params: idParams, response: { 200: productionSchema, ...problems(400, 401, 403, 404) } },
  }, (req) => readInTenant(req, async (ctx) => presentProduction(await service.getProduction(ctx, req.params.id), ctx.actor)));

  app.patch('/productions/:id', {
    schema: { tags, summary: 'Change a production or move its status (admins, production managers)', params: idParams, body: updateProductionBody, response: { 200: productionSchema, ...problems(400, 401, 403, 404, 409, 415) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: presentProduction(await service.updateProduction(ctx, req.params.id, req.body), ctx.actor) })));

  app.delete('/productions/:id', {
    schema: { tags, summary: 'Delete a production still in planning (admins, production managers)', params: idParams, response: { 204: z.null(), ...problems(400, 401, 403, 404, 409) } },
  }, async (req, reply) => {
    await mutateInTenant(req, reply, async (ctx) => ({ status: 204, body: await service.deleteProduction(ctx, req.params.id) }));
    return reply.code(204).send(null);
  });
};
