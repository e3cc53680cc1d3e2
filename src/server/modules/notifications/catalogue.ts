import type { DeliveryChannel, NotificationPriority } from '../../db/schema.js';

export interface NotificationType {
  /** What the preferences screen calls it. */
  label: string;
  /** Used when the code that notifies does not say otherwise. */
  priority: NotificationPriority;
  /** Essential messages (security, legal) carry no unsubscribe link and ignore e-mail opt-outs. */
  essential: boolean;
  /** Channels on by default besides in-app (always on). SMS is, by default, for urgent notifications only. */
  defaults: Record<DeliveryChannel, boolean>;
}

const on = (email: boolean, push: boolean): Record<DeliveryChannel, boolean> => ({ email, sms: false, push });

/**
 * Every kind of notification the portal sends, with its defaults (seed 000: e-mail for contracts,
 * expenses and schedules; SMS for urgent messages only). Modules notify only with these types.
 */
export const notificationTypes = {
  contract_assigned: { label: 'A contract is ready for you to sign', priority: 'high', essential: false, defaults: on(true, true) },
  contract_signed: { label: 'A contract was signed, declined or expired', priority: 'normal', essential: false, defaults: on(true, false) },
  contract_reminder: { label: 'Reminders about contracts to sign', priority: 'normal', essential: false, defaults: on(true, true) },
  expense_submitted: { label: 'An expense waits for your approval', priority: 'normal', essential: false, defaults: on(true, false) },
  expense_approved: { label: 'Your expense was approved or paid', priority: 'normal', essential: false, defaults: on(true, true) },
  expense_rejected: { label: 'Your expense was rejected', priority: 'high', essential: false, defaults: on(true, true) },
  schedule_change: { label: 'An event you attend changed or was cancelled', priority: 'high', essential: false, defaults: on(true, true) },
  schedule_reminder: { label: 'Reminders before events you attend', priority: 'normal', essential: false, defaults: on(false, true) },
  announcement: { label: 'Announcements from your organization', priority: 'low', essential: false, defaults: on(true, false) },
  account_security: { label: 'Security of your account', priority: 'high', essential: true, defaults: on(true, false) },
} as const satisfies Record<string, NotificationType>;

export type NotificationTypeName = keyof typeof notificationTypes;
export const notificationTypeNames = Object.keys(notificationTypes) as [NotificationTypeName, ...NotificationTypeName[]];
export const deliveryChannels = ['email', 'sms', 'push'] as const satisfies readonly DeliveryChannel[];
