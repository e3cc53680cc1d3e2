import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { allowedActions } from '../../auth/policy.js';
import type { Actor } from '../../auth/tokens.js';
import type { Notification } from '../../db/schema.js';
import { mutateInTenant, readInTenant } from '../../http/context.js';
import { idParams, problems } from '../../http/schemas.js';
import { vapidPublicKey } from './channels/index.js';
import {
  announcementBody, deliverySchema, deviceSchema, listDeliveriesQuery, listNotificationsQuery, notificationListSchema, notificationSchema,
  preferencesBody, preferencesSchema, pushKeySchema, pushSubscriptionBody, unreadCountSchema, unsubscribeQuery,
} from './notifications.schemas.js';
import * as service from './notifications.service.js';

const presentNotification = (n: Notification) => ({
  id: n.id, type: n.type, priority: n.priority, subject: n.subject, body: n.body, link: n.link, data: n.data,
  read_at: n.read_at?.toISOString() ?? null, created_at: n.created_at.toISOString(),
});

const presentDevice = (d: { id: string; endpoint?: string; user_agent: string | null; created_at: Date; last_used_at: Date | null }) => ({
  id: d.id, endpoint_host: d.endpoint ? new URL(d.endpoint).host : '', user_agent: d.user_agent, created_at: d.created_at.toISOString(), last_used_at: d.last_used_at?.toISOString() ?? null,
});

export const notificationsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { services } = app;
  const tags = ['notifications'];

  app.get('/notifications', {
    schema: { tags, summary: 'Your notifications in this organization, newest first', querystring: listNotificationsQuery, response: { 200: notificationListSchema, ...problems(400, 401) } },
  }, (req) => readInTenant(req, async (ctx) => {
    const page = await service.list(ctx, req.query);
    return { data: page.data.map(presentNotification), pagination: page.pagination };
  }));

  app.get('/notifications/unread-count', {
    schema: { tags, summary: 'How many of your notifications are unread (the bell badge)', response: { 200: unreadCountSchema, ...problems(401) } },
  }, (req) => readInTenant(req, async (ctx) => ({ unread: await service.unreadCount(ctx) })));

  app.post('/notifications/:id/read', {
    schema: { tags, summary: 'Mark one of your notifications read', params: idParams, response: { 200: notificationSchema, ...problems(400, 401, 404) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => {
    const row = await service.markRead(ctx, req.params.id);
    ctx.publish({ type: 'notification.read', organizationId: ctx.organizationId, userId: ctx.actor.userId, data: { id: row.id } });
    return { status: 200, body: presentNotification(row) };
  }));

  app.post('/notifications/read-all', {
    schema: { tags, summary: 'Mark all your notifications read', response: { 200: z.object({ updated: z.number().int() }), ...problems(401) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => {
    const updated = await service.markAllRead(ctx);
    ctx.publish({ type: 'notification.read', organizationId: ctx.organizationId, userId: ctx.actor.userId, data: { all: true } });
    return { status: 200, body: { updated } };
  }));

  app.get('/me/notification-preferences', {
    schema: { tags, summary: 'Which channels carry each type of notification, quiet hours and digest', response: { 200: preferencesSchema, ...problems(401) } },
  }, (req) => readInTenant(req, (ctx) => service.getPreferences(services, ctx)));

  app.put('/me/notification-preferences', {
    schema: { tags, summary: 'Change your notification preferences (only what you send changes)', body: preferencesBody, response: { 200: preferencesSchema, ...problems(400, 401, 415) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: await service.updatePreferences(services, ctx, req.body) })));

  app.get('/notifications/push-key', {
    schema: { tags, summary: 'The application server (VAPID) key for web push subscriptions', response: { 200: pushKeySchema, ...problems(401) } },
  }, () => ({ public_key: vapidPublicKey(services.config) }));

  app.get('/me/push-subscriptions', {
    schema: { tags, summary: 'Your devices registered for web push', response: { 200: z.object({ data: z.array(deviceSchema) }), ...problems(401) } },
  }, (req) => readInTenant(req, async (ctx) => ({ data: (await service.listDevices(ctx)).map(presentDevice) })));

  app.post('/me/push-subscriptions', {
    schema: { tags, summary: 'Register this browser for web push (the PushSubscription as JSON)', body: pushSubscriptionBody, response: { 201: deviceSchema, ...problems(400, 401, 415) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({
    status: 201, body: presentDevice(await service.registerDevice(ctx, req.body, req.headers['user-agent'] ?? null)),
  })));

  app.delete('/me/push-subscriptions/:id', {
    schema: { tags, summary: 'Stop web push to one of your devices', params: idParams, response: { 204: z.null(), ...problems(400, 401, 404) } },
  }, async (req, reply) => {
    await mutateInTenant(req, reply, async (ctx) => ({ status: 204, body: await service.removeDevice(ctx, req.params.id) }));
    return reply.code(204).send(null);
  });

  app.post('/notifications/unsubscribe', {
    config: { public: true },
    schema: {
      tags, summary: 'One-click unsubscribe from e-mails of one type (the signed link in each e-mail; RFC 8058)', security: [],
      querystring: unsubscribeQuery, response: { 200: z.object({ message: z.string() }), ...problems(400, 401) },
    },
  }, (req) => service.unsubscribe(services, req.query));

  app.get('/admin/notification-deliveries', {
    schema: {
      tags, summary: 'Deliveries by status and channel (admins); failed ones are the dead letters',
      querystring: listDeliveriesQuery, response: { 200: z.object({ data: z.array(deliverySchema), pagination: z.object({ next_cursor: z.string().nullable(), has_more: z.boolean() }) }), ...problems(400, 401, 403) },
    },
  }, (req) => readInTenant(req, async (ctx) => {
    const page = await service.listDeliveries(ctx, req.query);
    const actions = (status: string) => (status === 'failed' ? allowedActions(req.actor as Actor, ['notifications:manage']) : []);
    return {
      data: page.data.map((d) => ({
        id: d.id, notification_id: d.notification_id, type: d.type, subject: d.subject, channel: d.channel, status: d.status,
        recipient: { user_id: d.user_id, email: d.email, name: `${d.first_name} ${d.last_name}` },
        scheduled_for: d.scheduled_for?.toISOString() ?? null, sent_at: d.sent_at?.toISOString() ?? null, delivered_at: d.delivered_at?.toISOString() ?? null,
        error_message: d.error_message, retry_count: d.retry_count, created_at: d.created_at.toISOString(), allowed_actions: actions(d.status),
      })),
      pagination: page.pagination,
    };
  }));

  app.post('/admin/notification-deliveries/:id/retry', {
    schema: { tags, summary: 'Send a failed delivery again (admins)', params: idParams, response: { 202: z.object({ message: z.string() }), ...problems(400, 401, 403, 404, 409) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => {
    await service.retryDelivery(ctx, req.params.id);
    return { status: 202, body: { message: 'Queued for another attempt.' } };
  }));

  app.post('/admin/announcements', {
    schema: { tags, summary: 'Notify every member (or some roles) of the organization (admins); supports Idempotency-Key', body: announcementBody, response: { 201: z.object({ recipients: z.number().int() }), ...problems(400, 401, 403, 415, 422) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 201, body: await service.announce(ctx, req.body) })));
};
