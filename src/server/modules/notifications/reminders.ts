import { sql } from 'kysely';
import { z } from 'zod';
import { withTenant, type Tx } from '../../db/tenant.js';
import type { RealtimeEvent } from '../../realtime/hub.js';
import type { Services } from '../../services.js';
import { notificationTypeNames } from './catalogue.js';
import { notify, type NotifyInput } from './notifications.service.js';

const storedNotification = z.object({
  type: z.enum(notificationTypeNames),
  recipients: z.array(z.uuid()),
  subject: z.string(),
  body: z.string(),
  link: z.string().nullable().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
});

/**
 * Schedules a notification for later under a key (e.g. `event:<id>:<occurrence>:24h`). Scheduling
 * the same key again replaces the pending reminder (the event moved); a reminder that already
 * fired is scheduled anew only for a later time.
 */
export async function scheduleReminder(trx: Tx, organizationId: string, key: string, fireAt: Date, notification: NotifyInput): Promise<void> {
  await scheduleReminders(trx, organizationId, [{ key, fireAt, notification }]);
}

/** Many reminders at once (every occurrence of a series), with the same rules as `scheduleReminder`. */
export async function scheduleReminders(trx: Tx, organizationId: string, reminders: readonly { key: string; fireAt: Date; notification: NotifyInput }[]): Promise<void> {
  const BATCH = 500;
  for (let i = 0; i < reminders.length; i += BATCH) {
    const rows = reminders.slice(i, i + BATCH).map((r) => ({
      organization_id: organizationId, key: r.key, fire_at: r.fireAt, notification: JSON.stringify(storedNotification.parse(r.notification)), status: 'pending' as const, fired_at: null,
    }));
    await trx.insertInto('reminders').values(rows)
      .onConflict((oc) => oc.columns(['organization_id', 'key']).doUpdateSet((eb) => ({
        fire_at: eb.ref('excluded.fire_at'), notification: eb.ref('excluded.notification'), status: 'pending', fired_at: null,
      })).where((eb) => eb.or([eb('reminders.status', '!=', 'fired'), eb('reminders.fire_at', '<', eb.ref('excluded.fire_at'))])))
      .execute();
  }
}

/** Cancels pending reminders whose key starts with a prefix (an event cancelled, a contract signed). */
export async function cancelReminders(trx: Tx, organizationId: string, keyPrefix: string): Promise<number> {
  const result = await trx.updateTable('reminders').set({ status: 'cancelled' })
    .where('organization_id', '=', organizationId).where('status', '=', 'pending')
    .where('key', 'like', `${keyPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Fires the organization's due reminders. Each is claimed by an UPDATE … WHERE status = 'pending'
 * in the same transaction as its notification, so two workers running this at the same moment
 * fire it once: the second one's update finds nothing to claim.
 */
export async function fireDueReminders(services: Services, organizationId: string, now = new Date(), batch = 200): Promise<number> {
  const events: RealtimeEvent[] = [];
  const fired = await withTenant(services.database.db, { organizationId }, async (trx) => {
    const due = await trx.selectFrom('reminders').select('id')
      .where('organization_id', '=', organizationId).where('status', '=', 'pending').where('fire_at', '<=', now)
      .orderBy('fire_at').limit(batch).forUpdate().skipLocked().execute();
    let fired = 0;
    for (const { id } of due) {
      const claimed = await trx.updateTable('reminders').set({ status: 'fired', fired_at: sql<Date>`now()` })
        .where('id', '=', id).where('status', '=', 'pending').returning('notification').executeTakeFirst();
      if (!claimed) continue;
      const notification = storedNotification.safeParse(claimed.notification);
      if (!notification.success) continue;
      await notify({ organizationId, trx, enqueue: (job, payload) => services.jobs.enqueue(trx, job, payload), publish: (event) => void events.push(event) }, notification.data);
      fired++;
    }
    return fired;
  });
  // Open screens hear about it once the notifications are committed.
  for (const event of events) services.realtime.publish(event);
  return fired;
}
