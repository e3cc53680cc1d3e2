import { sql } from 'kysely';
import type { DeliveryChannel, DeliveryStatus, NotificationPriority } from '../../db/schema.js';
import type { Tx } from '../../db/tenant.js';
import { paginate } from '../../http/pagination.js';

export interface NewNotification {
  organization_id: string;
  user_id: string;
  type: string;
  priority: NotificationPriority;
  subject: string;
  body: string;
  link: string | null;
  data: string;
}

export function insertNotifications(trx: Tx, rows: NewNotification[]) {
  return trx.insertInto('notifications').values(rows).returning(['id', 'user_id']).execute();
}

export function listNotifications(trx: Tx, organizationId: string, userId: string, filter: { unread?: boolean | undefined; limit: number; cursor?: string | undefined }) {
  let q = trx.selectFrom('notifications').selectAll().where('organization_id', '=', organizationId).where('user_id', '=', userId);
  if (filter.unread) q = q.where('read_at', 'is', null);
  return paginate(q, { limit: filter.limit, cursor: filter.cursor, createdCol: 'created_at', idCol: 'id' });
}

export async function unreadCount(trx: Tx, organizationId: string, userId: string): Promise<number> {
  const row = await trx.selectFrom('notifications').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('organization_id', '=', organizationId).where('user_id', '=', userId).where('read_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Marks one of the user's notifications read (keeping the first read time); undefined when it is not theirs. */
export function markRead(trx: Tx, organizationId: string, userId: string, id: string) {
  return trx.updateTable('notifications')
    .set({ read_at: sql<Date>`coalesce(read_at, now())` })
    .where('organization_id', '=', organizationId).where('user_id', '=', userId).where('id', '=', id)
    .returningAll().executeTakeFirst();
}

export async function markAllRead(trx: Tx, organizationId: string, userId: string): Promise<number> {
  const result = await trx.updateTable('notifications').set({ read_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId).where('user_id', '=', userId).where('read_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export function findPreferences(trx: Tx, userId: string) {
  return trx.selectFrom('notification_preferences').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

export function savePreferences(trx: Tx, userId: string, values: { channels: string; quiet_hours_start: string | null; quiet_hours_end: string | null; daily_digest: boolean }) {
  return trx.insertInto('notification_preferences').values({ user_id: userId, ...values })
    .onConflict((oc) => oc.column('user_id').doUpdateSet(values)).returningAll().executeTakeFirstOrThrow();
}

export function listDevices(trx: Tx, userId: string) {
  return trx.selectFrom('push_subscriptions').select(['id', 'endpoint', 'p256dh', 'auth', 'user_agent', 'created_at', 'last_used_at']).where('user_id', '=', userId).orderBy('created_at').execute();
}

export function saveDevice(trx: Tx, values: { user_id: string; endpoint: string; p256dh: string; auth: string; user_agent: string | null }) {
  return trx.insertInto('push_subscriptions').values(values)
    .onConflict((oc) => oc.columns(['user_id', 'endpoint']).doUpdateSet({ p256dh: values.p256dh, auth: values.auth, user_agent: values.user_agent }))
    .returning(['id', 'endpoint', 'user_agent', 'created_at', 'last_used_at']).executeTakeFirstOrThrow();
}

export function deleteDevice(trx: Tx, userId: string, id: string) {
  return trx.deleteFrom('push_subscriptions').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
}

export function forgetEndpoints(trx: Tx, userId: string, endpoints: string[]) {
  return endpoints.length ? trx.deleteFrom('push_subscriptions').where('user_id', '=', userId).where('endpoint', 'in', endpoints).execute() : Promise.resolve([]);
}

export function touchDevices(trx: Tx, userId: string) {
  return trx.updateTable('push_subscriptions').set({ last_used_at: sql<Date>`now()` }).where('user_id', '=', userId).execute();
}

export function insertDeliveries(trx: Tx, rows: { organization_id: string; notification_id: string; user_id: string; channel: DeliveryChannel; scheduled_for: Date | null }[]) {
  return rows.length ? trx.insertInto('notification_deliveries').values(rows).returning(['id', 'channel', 'scheduled_for']).execute() : Promise.resolve([]);
}

/** A delivery with what sending it needs: the notification, the recipient, the organization's name. */
export function findDeliveryForSending(trx: Tx, organizationId: string, id: string) {
  return trx.selectFrom('notification_deliveries as d')
    .innerJoin('notifications as n', 'n.id', 'd.notification_id')
    .innerJoin('users as u', 'u.id', 'd.user_id')
    .innerJoin('organizations as o', 'o.id', 'd.organization_id')
    .select([
      'd.id', 'd.channel', 'd.status', 'd.user_id', 'd.retry_count', 'n.type', 'n.priority', 'n.subject', 'n.body', 'n.link',
      'u.email', 'u.first_name', 'u.last_name', 'u.phone', 'u.is_active', 'o.name as organization_name',
    ])
    .where('d.organization_id', '=', organizationId).where('d.id', '=', id)
    .executeTakeFirst();
}

export function updateDelivery(trx: Tx, organizationId: string, id: string, values: {
  status?: DeliveryStatus; sent_at?: Date; delivered_at?: Date; error_message?: string | null; retry_count?: number; provider_message_id?: string | null;
}) {
  return trx.updateTable('notification_deliveries').set(values).where('organization_id', '=', organizationId).where('id', '=', id).execute();
}

export function listDeliveries(trx: Tx, organizationId: string, filter: { status?: DeliveryStatus[] | undefined; channel?: DeliveryChannel[] | undefined; limit: number; cursor?: string | undefined }) {
  let q = trx.selectFrom('notification_deliveries as d')
    .innerJoin('notifications as n', 'n.id', 'd.notification_id')
    .innerJoin('users as u', 'u.id', 'd.user_id')
    .select(['d.id', 'd.channel', 'd.status', 'd.scheduled_for', 'd.sent_at', 'd.delivered_at', 'd.error_message', 'd.retry_count', 'd.created_at',
      'd.notification_id', 'n.type', 'n.subject', 'd.user_id', 'u.email', 'u.first_name', 'u.last_name'])
    .where('d.organization_id', '=', organizationId);
  if (filter.status) q = q.where('d.status', 'in', filter.status);
  if (filter.channel) q = q.where('d.channel', 'in', filter.channel);
  return paginate(q, { limit: filter.limit, cursor: filter.cursor, createdCol: 'd.created_at', idCol: 'd.id' });
}

/** Digest deliveries due for one person in one organization. */
export function dueDigestDeliveries(trx: Tx, organizationId: string, userId: string, now: Date) {
  return trx.selectFrom('notification_deliveries as d').innerJoin('notifications as n', 'n.id', 'd.notification_id')
    .select(['d.id', 'n.subject', 'n.link'])
    .where('d.organization_id', '=', organizationId).where('d.user_id', '=', userId).where('d.channel', '=', 'email')
    .where('d.status', '=', 'pending').where('d.scheduled_for', '<=', now)
    .orderBy('d.created_at').execute();
}

/** Who has digest e-mail waiting (per organization), for the hourly digest run. */
export function recipientsWithDueDigests(trx: Tx, organizationId: string, now: Date) {
  return trx.selectFrom('notification_deliveries').select('user_id').distinct()
    .where('organization_id', '=', organizationId).where('channel', '=', 'email').where('status', '=', 'pending')
    // Only digest items are pending e-mail with a time: e-mail is never held for quiet hours.
    .where('scheduled_for', '<=', now)
    .execute();
}
