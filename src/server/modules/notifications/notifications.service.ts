import { createHmac, timingSafeEqual } from 'node:crypto';
import { authorize } from '../../auth/policy.js';
import type { DeliveryChannel, NotificationPriority } from '../../db/schema.js';
import { withTenant } from '../../db/tenant.js';
import type { RequestContext } from '../../http/context.js';
import { AppError, notFound } from '../../http/errors.js';
import type { JobAttempt, JobDefinition } from '../../jobs/queue.js';
import type { Services } from '../../services.js';
import { deliveryChannels, notificationTypes, type NotificationTypeName } from './catalogue.js';
import { PermanentDeliveryError, RetryableDeliveryError, type OutgoingNotification } from './channels/types.js';
import * as queries from './notifications.queries.js';
import type { PreferencesInput } from './notifications.schemas.js';
import { planDeliveries, type RecipientPreferences } from './plan.js';
import { digestEmail } from './templates.js';

/** What domain code hands to `notify`: one message for many recipients. */
export interface NotifyInput {
  type: NotificationTypeName;
  recipients: readonly string[];
  subject: string;
  body: string;
  /** A path in the web app, e.g. `/contracts/<id>`. */
  link?: string | null;
  data?: Record<string, unknown>;
  priority?: NotificationPriority;
}

/** The parts of a request (or job) context `notify` works with. */
export interface NotifyContext {
  organizationId: string;
  trx: RequestContext['trx'];
  enqueue: RequestContext['enqueue'];
  /** Open screens of the recipients hear about it after commit (absent in jobs without screens to tell). */
  publish?: RequestContext['publish'];
}

/** Set by the job registry (avoids an import cycle): the job that plans each notification's channels. */
let dispatchJob: JobDefinition<{ organizationId: string; notificationIds: string[] }> | null = null;
export function useDispatchJob(job: NonNullable<typeof dispatchJob>) {
  dispatchJob = job;
}

const DISPATCH_BATCH = 100;

/**
 * The one way to notify people. In the caller's transaction: an in-app notification per
 * recipient, and a job that plans the other channels by each person's preferences — so nothing
 * is sent for a change that rolls back, and sending never slows or fails the request.
 */
export async function notify(ctx: NotifyContext, input: NotifyInput): Promise<{ id: string; user_id: string }[]> {
  const recipients = [...new Set(input.recipients)];
  if (recipients.length === 0) return [];
  const definition = notificationTypes[input.type];
  const rows = await queries.insertNotifications(ctx.trx, recipients.map((userId) => ({
    organization_id: ctx.organizationId,
    user_id: userId,
    type: input.type,
    priority: input.priority ?? definition.priority,
    subject: input.subject.slice(0, 255),
    body: input.body,
    link: input.link ?? null,
    data: JSON.stringify(input.data ?? {}),
  })));
  if (!dispatchJob) throw new Error('notifications: dispatch job not registered');
  for (let i = 0; i < rows.length; i += DISPATCH_BATCH) {
    await ctx.enqueue(dispatchJob, { organizationId: ctx.organizationId, notificationIds: rows.slice(i, i + DISPATCH_BATCH).map((r) => r.id) });
  }
  for (const row of rows) {
    ctx.publish?.({ type: 'notification.created', organizationId: ctx.organizationId, userId: row.user_id, data: { id: row.id, type: input.type, subject: input.subject, link: input.link ?? null } });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The in-app centre (the signed-in person's own notifications in this organization).

export function list(ctx: RequestContext, filter: { unread?: boolean | undefined; limit: number; cursor?: string | undefined }) {
  return queries.listNotifications(ctx.trx, ctx.organizationId, ctx.actor.userId, filter);
}

export function unreadCount(ctx: RequestContext) {
  return queries.unreadCount(ctx.trx, ctx.organizationId, ctx.actor.userId);
}

export async function markRead(ctx: RequestContext, id: string) {
  const row = await queries.markRead(ctx.trx, ctx.organizationId, ctx.actor.userId, id);
  if (!row) throw notFound('Notification');
  return row;
}

export function markAllRead(ctx: RequestContext) {
  return queries.markAllRead(ctx.trx, ctx.organizationId, ctx.actor.userId);
}

// ---------------------------------------------------------------------------------------------
// Preferences.

async function timeZoneOf(trx: RequestContext['trx'], userId: string, organizationId: string): Promise<string> {
  const user = await trx.selectFrom('users').select('timezone').where('id', '=', userId).executeTakeFirst();
  if (user?.timezone) return user.timezone;
  const org = await trx.selectFrom('organizations').select('settings').where('id', '=', organizationId).executeTakeFirst();
  const zone = (org?.settings as { timezone?: unknown } | undefined)?.timezone;
  return typeof zone === 'string' ? zone : 'UTC';
}

export async function recipientPreferences(trx: RequestContext['trx'], userId: string, organizationId: string): Promise<RecipientPreferences> {
  const saved = await queries.findPreferences(trx, userId);
  return {
    channels: saved?.channels ?? {},
    quietHoursStart: saved?.quiet_hours_start?.slice(0, 5) ?? null,
    quietHoursEnd: saved?.quiet_hours_end?.slice(0, 5) ?? null,
    dailyDigest: saved?.daily_digest ?? false,
    timeZone: await timeZoneOf(trx, userId, organizationId),
  };
}

export async function getPreferences(services: Services, ctx: RequestContext) {
  const prefs = await recipientPreferences(ctx.trx, ctx.actor.userId, ctx.organizationId);
  return presentPreferences(services, prefs);
}

export function presentPreferences(services: Services, prefs: RecipientPreferences) {
  return {
    types: (Object.keys(notificationTypes) as NotificationTypeName[]).map((type) => {
      const definition = notificationTypes[type];
      const chosen = prefs.channels[type] ?? {};
      return {
        type,
        label: definition.label,
        essential: definition.essential,
        channels: {
          in_app: true as const,
          email: definition.essential ? true : chosen.email ?? definition.defaults.email,
          // null: the default rule (urgent notifications only).
          sms: chosen.sms ?? null,
          push: chosen.push ?? definition.defaults.push,
        },
      };
    }),
    quiet_hours: prefs.quietHoursStart && prefs.quietHoursEnd ? { start: prefs.quietHoursStart, end: prefs.quietHoursEnd } : null,
    daily_digest: prefs.dailyDigest,
    timezone: prefs.timeZone,
    sms_available: services.channels.sms !== null,
    push_available: services.channels.push !== null,
  };
}

export async function updatePreferences(services: Services, ctx: RequestContext, input: PreferencesInput) {
  const current = await recipientPreferences(ctx.trx, ctx.actor.userId, ctx.organizationId);
  const channels = { ...current.channels };
  for (const [type, choice] of Object.entries(input.channels ?? {})) {
    const definition = notificationTypes[type as NotificationTypeName];
    if (definition.essential && choice.email === false) {
      throw new AppError('validation_error', 'Essential notifications are always e-mailed', [{ field: `body.channels.${type}.email`, message: 'Cannot be turned off' }]);
    }
    const merged = { ...channels[type] };
    for (const channel of deliveryChannels) {
      const value = choice[channel];
      if (value === null) delete merged[channel];
      else if (value !== undefined) merged[channel] = value;
    }
    channels[type] = merged;
  }
  const quiet = input.quiet_hours === undefined
    ? { start: current.quietHoursStart, end: current.quietHoursEnd }
    : { start: input.quiet_hours?.start ?? null, end: input.quiet_hours?.end ?? null };
  const saved = await queries.savePreferences(ctx.trx, ctx.actor.userId, {
    channels: JSON.stringify(channels),
    quiet_hours_start: quiet.start,
    quiet_hours_end: quiet.end,
    daily_digest: input.daily_digest ?? current.dailyDigest,
  });
  await ctx.audit({ entityType: 'notification_preferences', entityId: ctx.actor.userId, action: 'update', after: { channels, quiet_hours: quiet, daily_digest: saved.daily_digest } });
  return presentPreferences(services, { ...current, channels, quietHoursStart: quiet.start, quietHoursEnd: quiet.end, dailyDigest: saved.daily_digest });
}

// ---------------------------------------------------------------------------------------------
// One-click unsubscribe from e-mails of one type (RFC 8058), signed so links cannot be forged.

function unsubscribeSignature(secret: string, userId: string, type: string): string {
  return createHmac('sha256', secret).update(`unsubscribe\u0000${userId}\u0000${type}`).digest('base64url');
}

export function unsubscribeUrl(services: Services, userId: string, type: NotificationTypeName): string | null {
  if (notificationTypes[type].essential) return null;
  const s = unsubscribeSignature(services.signingSecret, userId, type);
  return `${services.config.publicUrl}/unsubscribe?u=${userId}&t=${type}&s=${s}`;
}

export async function unsubscribe(services: Services, input: { u: string; t: NotificationTypeName; s: string }) {
  const expected = Buffer.from(unsubscribeSignature(services.signingSecret, input.u, input.t));
  const given = Buffer.from(input.s);
  if (expected.length !== given.length || !timingSafeEqual(expected, given) || notificationTypes[input.t].essential) {
    throw new AppError('invalid_token', 'This unsubscribe link is not valid');
  }
  // The person's own row, in no organization: preferences belong to the person.
  await withTenant(services.database.db, { organizationId: '00000000-0000-0000-0000-000000000000', userId: input.u }, async (trx) => {
    const saved = await queries.findPreferences(trx, input.u);
    const channels = { ...(saved?.channels ?? {}), [input.t]: { ...(saved?.channels[input.t] ?? {}), email: false } };
    await queries.savePreferences(trx, input.u, {
      channels: JSON.stringify(channels),
      quiet_hours_start: saved?.quiet_hours_start ?? null,
      quiet_hours_end: saved?.quiet_hours_end ?? null,
      daily_digest: saved?.daily_digest ?? false,
    });
  });
  return { message: `You will no longer receive e-mails for: ${notificationTypes[input.t].label}.` };
}

// ---------------------------------------------------------------------------------------------
// Devices for web push.

export async function registerDevice(ctx: RequestContext, input: { endpoint: string; keys: { p256dh: string; auth: string } }, userAgent: string | null) {
  const device = await queries.saveDevice(ctx.trx, { user_id: ctx.actor.userId, endpoint: input.endpoint, p256dh: input.keys.p256dh, auth: input.keys.auth, user_agent: userAgent?.slice(0, 500) ?? null });
  await ctx.audit({ entityType: 'push_subscription', entityId: device.id, action: 'create', after: { host: new URL(input.endpoint).host } });
  return device;
}

export function listDevices(ctx: RequestContext) {
  return queries.listDevices(ctx.trx, ctx.actor.userId);
}

export async function removeDevice(ctx: RequestContext, id: string) {
  const result = await queries.deleteDevice(ctx.trx, ctx.actor.userId, id);
  if (Number(result.numDeletedRows) === 0) throw notFound('Device');
  await ctx.audit({ entityType: 'push_subscription', entityId: id, action: 'delete' });
}

// ---------------------------------------------------------------------------------------------
// Administrators: deliveries (failed ones are the dead letters), retry, announcements.

export function listDeliveries(ctx: RequestContext, filter: Parameters<typeof queries.listDeliveries>[2]) {
  authorize(ctx.actor, 'notifications:manage');
  return queries.listDeliveries(ctx.trx, ctx.organizationId, filter);
}

/** Set by the job registry: the job that sends one delivery. */
let deliverJob: JobDefinition<{ organizationId: string; userId: string; deliveryId: string }> | null = null;
export function useDeliverJob(job: NonNullable<typeof deliverJob>) {
  deliverJob = job;
}

export async function retryDelivery(ctx: RequestContext, id: string) {
  authorize(ctx.actor, 'notifications:manage');
  const delivery = await ctx.trx.selectFrom('notification_deliveries').select(['id', 'status', 'user_id']).where('organization_id', '=', ctx.organizationId).where('id', '=', id).executeTakeFirst();
  if (!delivery) throw notFound('Delivery');
  if (delivery.status !== 'failed') throw new AppError('conflict', 'Only failed deliveries can be retried');
  await queries.updateDelivery(ctx.trx, ctx.organizationId, id, { status: 'pending', error_message: null, retry_count: 0 });
  await ctx.enqueue(deliverJob!, { organizationId: ctx.organizationId, userId: delivery.user_id, deliveryId: id });
  await ctx.audit({ entityType: 'notification_delivery', entityId: id, action: 'notification.retry' });
}

export async function announce(ctx: RequestContext, input: { subject: string; body: string; roles?: string[] | undefined; priority: NotificationPriority }) {
  authorize(ctx.actor, 'notifications:manage');
  let q = ctx.trx.selectFrom('memberships').select('user_id').where('organization_id', '=', ctx.organizationId)
    .where((eb) => eb.or([eb('end_date', 'is', null), eb('end_date', '>=', new Date().toISOString().slice(0, 10))]));
  if (input.roles?.length) q = q.where('role', 'in', input.roles as never);
  const recipients = (await q.execute()).map((r) => r.user_id);
  await notify(ctx, { type: 'announcement', recipients, subject: input.subject, body: input.body, priority: input.priority, link: '/notifications' });
  await ctx.audit({ entityType: 'announcement', entityId: ctx.organizationId, action: 'notification.announced', after: { subject: input.subject, recipients: recipients.length, roles: input.roles ?? null } });
  return { recipients: recipients.length };
}

// ---------------------------------------------------------------------------------------------
// Jobs: plan each notification's channels, send each delivery, send digests.

/** Plans deliveries for a batch of notifications, as each recipient (their preferences and devices). */
export async function dispatch(services: Services, payload: { organizationId: string; notificationIds: string[] }) {
  const { db } = services.database;
  const notes = await withTenant(db, { organizationId: payload.organizationId }, (trx) =>
    trx.selectFrom('notifications').select(['id', 'user_id', 'type', 'priority', 'created_at'])
      .where('organization_id', '=', payload.organizationId).where('id', 'in', payload.notificationIds).execute());
  const existing = new Set((await withTenant(db, { organizationId: payload.organizationId }, (trx) =>
    trx.selectFrom('notification_deliveries').select('notification_id').distinct().where('notification_id', 'in', payload.notificationIds).execute())).map((r) => r.notification_id));
  for (const note of notes) {
    if (existing.has(note.id)) continue; // a retried dispatch does not plan twice
    await withTenant(db, { organizationId: payload.organizationId, userId: note.user_id }, async (trx) => {
      const user = await trx.selectFrom('users').select(['email', 'phone', 'is_active']).where('id', '=', note.user_id).executeTakeFirst();
      if (!user?.is_active) return;
      const prefs = await recipientPreferences(trx, note.user_id, payload.organizationId);
      const devices = await queries.listDevices(trx, note.user_id);
      const plans = planDeliveries(note.type as NotificationTypeName, note.priority, prefs, {
        email: Boolean(user.email) && !user.email.endsWith('@invalid.example'),
        sms: services.channels.sms !== null && Boolean(user.phone),
        push: services.channels.push !== null && devices.length > 0,
      }, new Date());
      const rows = await queries.insertDeliveries(trx, plans.map((p) => ({
        organization_id: payload.organizationId, notification_id: note.id, user_id: note.user_id, channel: p.channel, scheduled_for: p.sendAt,
      })));
      for (const [i, row] of rows.entries()) {
        if (plans[i]?.digest) continue; // collected by the digest job
        await services.jobs.enqueue(trx, deliverJob!, { organizationId: payload.organizationId, userId: note.user_id, deliveryId: row.id }, row.scheduled_for ? { startAfter: row.scheduled_for } : {});
      }
    });
  }
}

/**
 * Sends one delivery through its channel, outside any transaction, then records the outcome.
 * A failure is recorded with the attempt count and retried by the queue with backoff; the last
 * attempt (or a permanent failure) marks it failed, visible to administrators.
 */
export async function deliver(services: Services, payload: { organizationId: string; userId: string; deliveryId: string }, attempt: JobAttempt) {
  const { db } = services.database;
  const scope = { organizationId: payload.organizationId, userId: payload.userId };
  const loaded = await withTenant(db, scope, async (trx) => {
    const row = await queries.findDeliveryForSending(trx, payload.organizationId, payload.deliveryId);
    if (!row || row.status !== 'pending') return null;
    const devices = row.channel === 'push' ? await queries.listDevices(trx, row.user_id) : [];
    return { row, devices };
  });
  if (!loaded) return;
  const { row, devices } = loaded;
  const channel = services.channels[row.channel as DeliveryChannel];
  const fail = (message: string, final: boolean, goneEndpoints: readonly string[]) => withTenant(db, scope, async (trx) => {
    await queries.updateDelivery(trx, payload.organizationId, row.id, { status: final ? 'failed' : 'pending', error_message: message.slice(0, 1000), retry_count: attempt.retryCount + 1 });
    // Devices the push service reported gone are forgotten even when nothing was delivered.
    if (goneEndpoints.length > 0) await queries.forgetEndpoints(trx, row.user_id, [...goneEndpoints]);
  });
  if (!channel || !row.is_active) {
    await withTenant(db, scope, (trx) => queries.updateDelivery(trx, payload.organizationId, row.id, { status: 'cancelled', error_message: channel ? 'Recipient inactive' : `The ${row.channel} channel is not configured` }));
    return;
  }
  const message: OutgoingNotification = {
    deliveryId: row.id,
    type: row.type,
    priority: row.priority,
    subject: row.subject,
    body: row.body,
    url: row.link ? `${services.config.publicUrl}${row.link}` : null,
    organizationName: row.organization_name,
    recipient: { userId: row.user_id, email: row.email, name: row.first_name, phone: row.phone },
    unsubscribeUrl: row.channel === 'email' ? unsubscribeUrl(services, row.user_id, row.type as NotificationTypeName) : null,
    devices,
  };
  let result;
  try {
    result = await channel.send(message);
  } catch (err) {
    const permanent = err instanceof PermanentDeliveryError;
    const gone = err instanceof PermanentDeliveryError || err instanceof RetryableDeliveryError ? err.goneEndpoints : [];
    await fail((err as Error).message, permanent || attempt.retryCount >= attempt.retryLimit, gone);
    if (permanent) return;
    throw err;
  }
  await withTenant(db, scope, async (trx) => {
    const now = new Date();
    await queries.updateDelivery(trx, payload.organizationId, row.id, {
      status: result.delivered ? 'delivered' : 'sent', sent_at: now, ...(result.delivered ? { delivered_at: now } : {}),
      provider_message_id: result.providerMessageId ?? null, error_message: null, retry_count: attempt.retryCount,
    });
    if (row.channel === 'push') {
      await queries.forgetEndpoints(trx, row.user_id, result.goneEndpoints ?? []);
      await queries.touchDevices(trx, row.user_id);
    }
  });
}

/** Sends each person's due digest e-mail (one per person and organization) and marks its items sent. */
export async function sendDigests(services: Services, organizationId: string, now = new Date()) {
  const { db } = services.database;
  const recipients = await withTenant(db, { organizationId }, (trx) => queries.recipientsWithDueDigests(trx, organizationId, now));
  for (const { user_id: userId } of recipients) {
    const due = await withTenant(db, { organizationId, userId }, async (trx) => {
      const items = await queries.dueDigestDeliveries(trx, organizationId, userId, now);
      const user = await trx.selectFrom('users').select(['email', 'first_name']).where('id', '=', userId).executeTakeFirstOrThrow();
      const org = await trx.selectFrom('organizations').select('name').where('id', '=', organizationId).executeTakeFirstOrThrow();
      return { items, user, org };
    });
    if (due.items.length === 0) continue;
    const mail = digestEmail({ email: due.user.email, name: due.user.first_name }, due.org.name,
      due.items.map((i) => ({ subject: i.subject, url: i.link ? `${services.config.publicUrl}${i.link}` : null })),
      `${services.config.publicUrl}/account/notifications`);
    const sent = await services.mailer.send(mail);
    await withTenant(db, { organizationId, userId }, (trx) => trx.updateTable('notification_deliveries')
      .set({ status: 'sent', sent_at: new Date(), provider_message_id: sent.messageId ?? null })
      .where('organization_id', '=', organizationId).where('id', 'in', due.items.map((i) => i.id)).execute());
  }
}
