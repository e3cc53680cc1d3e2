import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { mutateInTenant, readInTenant } from '../../http/context.js';
import { AppError } from '../../http/errors.js';
import { idParams, problems } from '../../http/schemas.js';
import { downloadLinkSchema } from '../files/files.schemas.js';
import { createFeed, feedCalendar, getFeed, revokeFeed } from './calendar-feed.service.js';
import { buildCalendar } from './ical.js';
import {
  acknowledgeBody, attachmentParams, attachmentsPutBody, attendanceBody, attendanceSchema, cancelEventBody, conflictListSchema, createEventBody, eventSchema, feedSchema, listEventsQuery,
  occurrenceListSchema, participantsPutBody, participationAnswer, rangeQuery, rsvpBody, scopeQuery, updateEventBody, updatesSchema,
} from './schedules.schemas.js';
import * as service from './schedules.service.js';

const CALENDAR = 'text/calendar; charset=utf-8';

/** Whether an Accept header takes iCalendar (absent or wildcard counts). */
function acceptsCalendar(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((part) => {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    const refused = params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
    return !refused && ['text/calendar', 'text/*', '*/*'].includes(type.trim());
  });
}

export const schedulesRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['schedules'];
  const services = app.services;

  app.get('/events', {
    schema: { tags, summary: 'Occurrences in a date range, in a time zone (artists: their own events)', querystring: listEventsQuery, response: { 200: occurrenceListSchema, ...problems(400, 401, 403) } },
  }, (req) => readInTenant(req, (ctx) => service.listEvents(ctx, req.query)));

  app.get('/events/conflicts', {
    schema: { tags, summary: 'Overlaps and short turnarounds in a range (office roles)', querystring: rangeQuery, response: { 200: conflictListSchema, ...problems(400, 401, 403) } },
  }, (req) => readInTenant(req, (ctx) => service.listConflicts(ctx, req.query)));

  app.get('/events/export', {
    schema: {
      tags, summary: 'The events of a range as iCalendar (send Accept: text/calendar)', querystring: rangeQuery, produces: ['text/calendar'],
      response: { 200: z.string().describe('text/calendar'), ...problems(400, 401, 403, 406) },
    },
  }, async (req, reply) => {
    if (!acceptsCalendar(req.headers.accept)) throw new AppError('unsupported_format', 'This export is iCalendar only: send Accept: text/calendar');
    const { events, occurrences } = await readInTenant(req, (ctx) => service.exportRange(ctx, req.query));
    const body = buildCalendar('BIG Live Portal schedule', events, occurrences, (e) => `${services.config.publicUrl}/schedule?event=${e.id}`);
    return reply.header('content-type', CALENDAR).header('content-disposition', 'attachment; filename="schedule.ics"').header('cache-control', 'private, no-store').send(body);
  });

  app.post('/events', {
    schema: { tags, summary: 'Create an event, one-off or repeating (admins, production managers); answers conflicts as warnings', body: createEventBody, response: { 201: eventSchema, ...problems(400, 401, 403, 404, 409, 415, 422) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 201, body: await service.createEvent(ctx, req.body) })));

  app.get('/events/:id', {
    schema: { tags, summary: 'One event with its occurrences changed, people (office roles) and your part', params: idParams, response: { 200: eventSchema, ...problems(400, 401, 403, 404) } },
  }, (req) => readInTenant(req, (ctx) => service.getEvent(ctx, req.params.id)));

  app.get('/events/:id/attachments/:fileId', {
    schema: { tags, summary: 'A 15-minute download link to one of the event\'s attachments (anyone who sees the event)', params: attachmentParams, response: { 200: downloadLinkSchema, ...problems(400, 401, 403, 404) } },
  }, (req) => readInTenant(req, (ctx) => service.attachmentLink(ctx, req.params.id, req.params.fileId, app.services.signingSecret, app.services.config.publicUrl)));

  app.patch('/events/:id', {
    schema: { tags, summary: 'Change all occurrences, one (scope=this) or this and the following (scope=following)', params: idParams, querystring: scopeQuery, body: updateEventBody, response: { 200: eventSchema, ...problems(400, 401, 403, 404, 409, 415) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: await service.updateEvent(ctx, req.params.id, req.query, req.body) })));

  app.post('/events/:id/cancel', {
    schema: { tags, summary: 'Cancel the event, one occurrence or this and the following, with the reason participants are told', params: idParams, body: cancelEventBody, response: { 200: eventSchema, ...problems(400, 401, 403, 404, 409, 415) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: await service.cancelEvent(ctx, req.params.id, req.body) })));

  app.put('/events/:id/participants', {
    schema: { tags, summary: 'Set who takes part (people kept keep their answers)', params: idParams, body: participantsPutBody, response: { 200: eventSchema, ...problems(400, 401, 403, 404, 409, 415) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: await service.setParticipants(ctx, req.params.id, req.body.participants) })));

  app.put('/events/:id/attachments', {
    schema: { tags, summary: 'Set the files the event carries (the whole series); participants see them on the event', params: idParams, body: attachmentsPutBody, response: { 200: eventSchema, ...problems(400, 401, 403, 404, 409, 415) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: await service.setAttachments(ctx, req.params.id, req.body.file_ids) })));

  app.post('/events/:id/rsvp', {
    schema: { tags, summary: 'Answer an invitation: confirmed, declined or tentative', params: idParams, body: rsvpBody, response: { 200: participationAnswer, ...problems(400, 401, 403, 404, 409, 415) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: await service.respond(ctx, req.params.id, req.body.status) })));

  app.post('/events/:id/acknowledge', {
    schema: { tags, summary: 'Acknowledge the call, with an optional note (404 event_not_found unless you take part)', params: idParams, body: acknowledgeBody, response: { 200: participationAnswer, ...problems(400, 401, 403, 404, 409, 415) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: await service.acknowledge(ctx, req.params.id, req.body.note) })));

  for (const [path, kind] of [['check-in', 'check_in'], ['check-out', 'check_out']] as const) {
    app.post(`/events/:id/${path}`, {
      schema: { tags, summary: `Record ${kind === 'check_in' ? 'arrival' : 'departure'} at one occurrence (yours, or someone's for managers)`, params: idParams, body: attendanceBody, response: { 200: attendanceSchema, ...problems(400, 401, 403, 404, 409, 415) } },
    }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: await service.recordAttendance(ctx, req.params.id, kind, req.body) })));
  }

  app.get('/events/:id/updates', {
    schema: { tags, summary: 'The change history: who, when, which occurrence, previous and new values', params: idParams, response: { 200: updatesSchema, ...problems(400, 401, 403, 404) } },
  }, (req) => readInTenant(req, (ctx) => service.listUpdates(ctx, req.params.id)));

  app.get('/calendar/feed', {
    schema: { tags, summary: 'Your calendar subscription (the link itself is shown only when made)', response: { 200: feedSchema, ...problems(401, 403) } },
  }, (req) => readInTenant(req, (ctx) => getFeed(services, ctx)));

  app.post('/calendar/feed', {
    schema: { tags, summary: 'Make your secret subscription link (webcal-ready); an older one stops working', response: { 201: feedSchema, ...problems(401, 403) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 201, body: await createFeed(services, ctx) })));

  app.delete('/calendar/feed', {
    schema: { tags, summary: 'Revoke your subscription link', response: { 204: z.null(), ...problems(401, 403) } },
  }, async (req, reply) => {
    await mutateInTenant(req, reply, async (ctx) => ({ status: 204, body: await revokeFeed(ctx) }));
    return reply.code(204).send(null);
  });

  app.get('/calendar/feeds/:file', {
    config: { public: true },
    schema: {
      tags, summary: 'A subscription: your events as iCalendar (no sign-in; the secret in the link is the key)', security: [], produces: ['text/calendar'],
      params: z.strictObject({ file: z.string().max(120).describe('<token>.ics') }), response: { 200: z.string().describe('text/calendar'), ...problems(404) },
    },
  }, async (req, reply) => {
    const calendar = await feedCalendar(services, req.params.file.replace(/\.ics$/, ''));
    if (calendar === null) throw new AppError('not_found', 'No such calendar (the link may have been revoked)');
    return reply.header('content-type', CALENDAR).header('cache-control', 'private, max-age=300').header('x-robots-tag', 'noindex').send(calendar);
  });
};
