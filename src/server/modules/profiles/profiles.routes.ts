import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { mutateInTenant, readInTenant } from '../../http/context.js';
import { idParams, problems } from '../../http/schemas.js';
import { presentDeletionRequest } from './profiles.presenter.js';
import {
  artistProfileSchema, deletionRequestListSchema, deletionRequestSchema, listDeletionRequestsQuery, profileSchema, sensitiveSchema,
  updateArtistProfileBody, updateProfileBody,
} from './profiles.schemas.js';
import * as service from './profiles.service.js';

/** Decrypted values must not be kept by browsers or proxies. */
function noStore(reply: FastifyReply) {
  void reply.header('cache-control', 'private, no-store');
}

export const profilesRoutes: FastifyPluginAsyncZod = async (app) => {
  const cipher = app.services.fieldCipher;

  // ----- own profile -------------------------------------------------------------------------
  app.get('/me/profile', {
    schema: { tags: ['profiles'], summary: 'Your profile (name, phone, locale, time zone)', response: { 200: profileSchema, ...problems(401, 404) } },
  }, (req) => readInTenant(req, (ctx) => service.getMyProfile(ctx)));

  app.patch('/me/profile', {
    schema: {
      tags: ['profiles'],
      summary: 'Change your name, phone (E.164), locale or time zone (IANA)',
      body: updateProfileBody,
      response: { 200: profileSchema, ...problems(400, 401, 404) },
    },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: await service.updateMyProfile(ctx, req.body) })));

  // ----- own artist profile ------------------------------------------------------------------
  app.get('/me/artist-profile', {
    schema: { tags: ['profiles'], summary: 'Your artist profile (tax ID and bank account masked)', response: { 200: artistProfileSchema, ...problems(401) } },
  }, (req) => readInTenant(req, (ctx) => service.getMyArtistProfile(ctx)));

  app.patch('/me/artist-profile', {
    schema: {
      tags: ['profiles'],
      summary: 'Create or change your artist profile; tax ID and bank account are stored encrypted',
      body: updateArtistProfileBody,
      response: { 200: artistProfileSchema, ...problems(400, 401) },
    },
  }, (req, reply) => {
    noStore(reply);
    return mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: await service.updateMyArtistProfile(ctx, cipher, req.body) }));
  });

  app.get('/me/artist-profile/sensitive', {
    schema: {
      tags: ['profiles'],
      summary: 'Your own tax ID and bank account in clear (audited as pii.view)',
      response: { 200: sensitiveSchema, ...problems(401, 403, 500) },
    },
  }, (req, reply) => {
    noStore(reply);
    return readInTenant(req, (ctx) => service.getMySensitive(ctx, cipher));
  });

  // ----- another member's artist profile -----------------------------------------------------
  app.get('/members/:id/artist-profile', {
    schema: {
      tags: ['profiles'],
      summary: "A member's artist profile by membership id (staff; masked; finance roles also see tax_id_duplicate)",
      params: idParams,
      response: { 200: artistProfileSchema, ...problems(400, 401, 403, 404) },
    },
  }, (req) => readInTenant(req, (ctx) => service.getMemberArtistProfile(ctx, req.params.id)));

  app.get('/members/:id/artist-profile/sensitive', {
    schema: {
      tags: ['profiles'],
      summary: "A member's tax ID and bank account in clear (accountant, finance director; audited as pii.view)",
      params: idParams,
      response: { 200: sensitiveSchema, ...problems(400, 401, 403, 404, 500) },
    },
  }, (req, reply) => {
    noStore(reply);
    return readInTenant(req, (ctx) => service.getMemberSensitive(ctx, cipher, req.params.id));
  });

  // ----- privacy -----------------------------------------------------------------------------
  app.get('/me/export', {
    schema: {
      tags: ['privacy'],
      summary: 'Download all your data: a zip with data.json and CSV files (audited as export)',
      produces: ['application/zip'],
      response: { ...problems(401, 500) },
    },
  }, async (req, reply) => {
    const file = await readInTenant(req, (ctx) => service.exportMyData(ctx, cipher));
    return reply
      .header('content-type', 'application/zip')
      .header('content-disposition', `attachment; filename="${file.name}"`)
      .header('cache-control', 'private, no-store')
      .send(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength) as never);
  });

  app.post('/me/deletion-request', {
    schema: {
      tags: ['privacy'],
      summary: 'Ask this organization to erase your personal data (completed by an admin within 30 days)',
      response: { 201: deletionRequestSchema, ...problems(401, 409) },
    },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 201, body: await service.requestDeletion(ctx) })));

  app.get('/me/deletion-request', {
    schema: { tags: ['privacy'], summary: 'Your latest deletion request in this organization', response: { 200: deletionRequestSchema, ...problems(401, 404) } },
  }, (req) => readInTenant(req, (ctx) => service.getMyDeletionRequest(ctx)));

  app.delete('/me/deletion-request', {
    schema: { tags: ['privacy'], summary: 'Withdraw your open deletion request', response: { 200: deletionRequestSchema, ...problems(401, 404) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: await service.cancelMyDeletionRequest(ctx) })));

  app.get('/admin/deletion-requests', {
    schema: {
      tags: ['privacy'],
      summary: 'Deletion requests of the organization, newest first (admins)',
      querystring: listDeletionRequestsQuery,
      response: { 200: deletionRequestListSchema, ...problems(400, 401, 403) },
    },
  }, (req) => readInTenant(req, async (ctx) => {
    const page = await service.listDeletionRequests(ctx, req.query);
    return { data: page.data.map((r) => presentDeletionRequest(r, ctx.actor)), pagination: page.pagination };
  }));

  app.post('/admin/deletion-requests/:id/complete', {
    schema: {
      tags: ['privacy'],
      summary: "Complete a deletion request: redact the person's personal data in this organization (admins)",
      params: idParams,
      response: { 200: deletionRequestSchema, ...problems(400, 401, 403, 404, 409) },
    },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: await service.completeDeletionRequest(ctx, req.params.id) })));
};
