import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { mutateInTenant, readInTenant } from '../../http/context.js';
import { idParams, problems } from '../../http/schemas.js';
import { queueMail } from '../../mail/mail.job.js';
import { presentInvitation } from './invitations.presenter.js';
import {
  createdInvitationSchema,
  createInvitationBody,
  invitationListSchema,
  invitationSchema,
  listInvitationsQuery,
} from './invitations.schemas.js';
import * as service from './invitations.service.js';

export const invitationsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/admin/users', {
    schema: {
      tags: ['invitations'],
      summary: 'Invite a person by e-mail with a role (admins); supports Idempotency-Key',
      body: createInvitationBody,
      response: { 201: createdInvitationSchema, ...problems(400, 401, 403, 409, 415, 422) },
    },
  }, async (req, reply) => {
    // A replayed answer (same Idempotency-Key) does not run this again, so sends nothing again.
    return mutateInTenant(req, reply, async (ctx) => {
      const { invitation, acceptUrl } = await service.createInvitation(ctx, req.body, app.services.config.publicUrl);
      await queueMail(ctx.trx, app.services, await service.invitationEmail(ctx, invitation, acceptUrl));
      return { status: 201, body: { ...presentInvitation(invitation, ctx.actor), accept_url: acceptUrl } };
    });
  });

  app.post('/admin/invitations/:id/resend', {
    schema: {
      tags: ['invitations'],
      summary: 'Send a pending or expired invitation again with a new link (admins)',
      params: idParams,
      response: { 200: createdInvitationSchema, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (req, reply) => {
    // A replayed answer (same Idempotency-Key) does not run this again, so sends nothing again.
    return mutateInTenant(req, reply, async (ctx) => {
      const { invitation, acceptUrl } = await service.resendInvitation(ctx, req.params.id, app.services.config.publicUrl);
      await queueMail(ctx.trx, app.services, await service.invitationEmail(ctx, invitation, acceptUrl));
      return { status: 200, body: { ...presentInvitation(invitation, ctx.actor), accept_url: acceptUrl } };
    });
  });

  app.get('/admin/invitations', {
    schema: {
      tags: ['invitations'],
      summary: 'Invitations, newest first (admins)',
      querystring: listInvitationsQuery,
      response: { 200: invitationListSchema, ...problems(400, 401, 403) },
    },
  }, (req) => readInTenant(req, async (ctx) => {
    const page = await service.listInvitations(ctx, req.query);
    return { data: page.data.map((i) => presentInvitation(i, ctx.actor)), pagination: page.pagination };
  }));

  app.delete('/admin/invitations/:id', {
    schema: {
      tags: ['invitations'],
      summary: 'Revoke a pending invitation (admins)',
      params: idParams,
      response: { 200: invitationSchema, ...problems(400, 401, 403, 404, 409) },
    },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({
    status: 200,
    body: presentInvitation(await service.revokeInvitation(ctx, req.params.id), ctx.actor),
  })));
};
