import { z } from 'zod';
import { csvEnum, listResponse, pageQuery, text } from '../../http/schemas.js';
import { roles } from '../members/members.schemas.js';
import { deliveryChannels, notificationTypeNames } from './catalogue.js';

const priorities = ['low', 'normal', 'high', 'urgent'] as const;
const deliveryStatuses = ['pending', 'sent', 'delivered', 'failed', 'cancelled'] as const;

export const notificationSchema = z.object({
  id: z.uuid(),
  type: z.string(),
  priority: z.enum(priorities),
  subject: z.string(),
  body: z.string(),
  link: z.string().nullable().describe('Path in the web app to open'),
  data: z.record(z.string(), z.unknown()),
  read_at: z.string().nullable(),
  created_at: z.string(),
}).meta({ id: 'Notification' });

export const notificationListSchema = listResponse(notificationSchema).meta({ id: 'NotificationList' });

export const listNotificationsQuery = z.strictObject({
  unread: z.enum(['true', 'false']).optional().transform((v) => v === 'true').describe('Only unread ones'),
  ...pageQuery,
});

export const unreadCountSchema = z.object({ unread: z.number().int() });

const channelChoice = z.strictObject({
  email: z.boolean().nullable().optional(),
  sms: z.boolean().nullable().optional().describe('null: the default (urgent notifications only)'),
  push: z.boolean().nullable().optional(),
});

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM (24-hour)');

export const preferencesBody = z.strictObject({
  channels: z.partialRecord(z.enum(notificationTypeNames), channelChoice).optional().describe('Per type, the channels to change (null: back to the default)'),
  quiet_hours: z.strictObject({ start: hhmm, end: hhmm }).refine((q) => q.start !== q.end, 'Start and end must differ').nullable().optional()
    .describe('In your time zone; SMS and push wait until the end unless urgent. null: none'),
  daily_digest: z.boolean().optional().describe('Low-priority e-mails as one digest each morning'),
});
export type PreferencesInput = z.infer<typeof preferencesBody>;

export const preferencesSchema = z.object({
  types: z.array(z.object({
    type: z.enum(notificationTypeNames),
    label: z.string(),
    essential: z.boolean(),
    channels: z.object({ in_app: z.literal(true), email: z.boolean(), sms: z.boolean().nullable(), push: z.boolean() }),
  })),
  quiet_hours: z.object({ start: z.string(), end: z.string() }).nullable(),
  daily_digest: z.boolean(),
  timezone: z.string(),
  sms_available: z.boolean(),
  push_available: z.boolean(),
}).meta({ id: 'NotificationPreferences' });

const base64url = z.string().regex(/^[A-Za-z0-9_-]+=*$/, 'base64url');

export const pushSubscriptionBody = z.strictObject({
  endpoint: z.url().max(2000).refine((v) => v.startsWith('https://'), 'Push services are reached over https'),
  keys: z.strictObject({
    p256dh: base64url.min(80).max(100).describe('The browser\'s P-256 public key (65 bytes, base64url)'),
    auth: base64url.min(16).max(30).describe('Authentication secret (16 bytes, base64url)'),
  }),
  expirationTime: z.number().nullable().optional(),
});

export const deviceSchema = z.object({
  id: z.uuid(),
  endpoint_host: z.string(),
  user_agent: z.string().nullable(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
}).meta({ id: 'PushDevice' });

export const pushKeySchema = z.object({ public_key: z.string().describe('VAPID application server key for PushManager.subscribe') });

export const unsubscribeQuery = z.strictObject({
  u: z.uuid(),
  t: z.enum(notificationTypeNames),
  s: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

export const deliverySchema = z.object({
  id: z.uuid(),
  notification_id: z.uuid(),
  type: z.string(),
  subject: z.string(),
  channel: z.enum(deliveryChannels),
  status: z.enum(deliveryStatuses),
  recipient: z.object({ user_id: z.uuid(), email: z.string(), name: z.string() }),
  scheduled_for: z.string().nullable(),
  sent_at: z.string().nullable(),
  delivered_at: z.string().nullable(),
  error_message: z.string().nullable(),
  retry_count: z.number().int(),
  created_at: z.string(),
  allowed_actions: z.array(z.string()),
}).meta({ id: 'NotificationDelivery' });

export const listDeliveriesQuery = z.strictObject({
  status: csvEnum(deliveryStatuses).optional(),
  channel: csvEnum(deliveryChannels).optional(),
  ...pageQuery,
});

export const announcementBody = z.strictObject({
  subject: text(200).pipe(z.string().min(1)),
  body: text(5000).pipe(z.string().min(1)),
  roles: z.array(z.enum(roles)).min(1).max(roles.length).optional().describe('Only members with these roles (default: everyone)'),
  priority: z.enum(priorities).default('low'),
});
