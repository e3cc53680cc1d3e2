import { z } from 'zod';
import { listOrganizationIds } from '../../db/tenant.js';
import { requireServices } from '../../mail/mail.job.js';
import { defineJob } from '../../jobs/queue.js';
import { deliver, dispatch, sendDigests, useDeliverJob, useDispatchJob } from './notifications.service.js';
import { fireDueReminders } from './reminders.js';

/** Plans the e-mail, SMS and push deliveries of new notifications by each recipient's preferences. */
export const dispatchNotificationsJob = defineJob({
  name: 'notifications.dispatch',
  payload: z.object({ organizationId: z.uuid(), notificationIds: z.array(z.uuid()).min(1).max(100) }),
  retryLimit: 5,
  retryDelaySeconds: 5,
  handler: (payload, deps) => dispatch(requireServices(deps), payload),
});

/** Sends one delivery; failures retry with exponential backoff (30 s, 1 min, 2 min, …), then count as failed. */
export const deliverNotificationJob = defineJob({
  name: 'notifications.deliver',
  payload: z.object({ organizationId: z.uuid(), userId: z.uuid(), deliveryId: z.uuid() }),
  retryLimit: 5,
  retryDelaySeconds: 30,
  handler: (payload, deps, attempt) => deliver(requireServices(deps), payload, attempt),
});

/** Hourly: daily digests whose morning has come, in each recipient's time zone. */
export const sendDigestsJob = defineJob({
  name: 'notifications.send-digests',
  payload: z.object({}).passthrough(),
  cron: '5 * * * *',
  retryLimit: 2,
  async handler(_payload, deps) {
    const services = requireServices(deps);
    for (const organizationId of await listOrganizationIds(deps.db)) await sendDigests(services, organizationId);
  },
});

/** Every minute: reminders whose time has come (each fires once, whichever worker claims it). */
export const fireRemindersJob = defineJob({
  name: 'notifications.fire-reminders',
  payload: z.object({}).passthrough(),
  cron: '* * * * *',
  retryLimit: 1,
  async handler(_payload, deps) {
    const services = requireServices(deps);
    for (const organizationId of await listOrganizationIds(deps.db)) await fireDueReminders(services, organizationId);
  },
});

useDispatchJob(dispatchNotificationsJob);
useDeliverJob(deliverNotificationJob);
