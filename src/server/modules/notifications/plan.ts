import type { DeliveryChannel, NotificationPriority } from '../../db/schema.js';
import { notificationTypes, type NotificationTypeName } from './catalogue.js';

/** The hour (recipient's local time) at which the daily digest goes out. */
export const DIGEST_HOUR = 8;

export interface RecipientPreferences {
  /** Only what differs from the catalogue's defaults. */
  channels: Record<string, Partial<Record<DeliveryChannel, boolean>>>;
  /** `HH:MM` in the recipient's time zone, or null for none. */
  quietHoursStart: string | null;
  quietHoursEnd: string | null;
  dailyDigest: boolean;
  timeZone: string;
}

/** Whether the recipient can be reached on a channel at all (a phone number, a registered device). */
export type Reachability = Record<DeliveryChannel, boolean>;

export interface PlannedDelivery {
  channel: DeliveryChannel;
  /** Null: now. Otherwise held until then (quiet hours) or collected into the digest. */
  sendAt: Date | null;
  digest: boolean;
}

/** Whether a channel is on for a type, after the person's choices. */
export function channelEnabled(type: NotificationTypeName, channel: DeliveryChannel, priority: NotificationPriority, prefs: Pick<RecipientPreferences, 'channels'>): boolean {
  const definition = notificationTypes[type];
  const chosen = prefs.channels[type]?.[channel];
  if (channel === 'email' && definition.essential) return true;
  // SMS: urgent notifications unless the person opted out; other priorities only when opted in.
  if (channel === 'sms') return chosen ?? priority === 'urgent';
  return chosen ?? definition.defaults[channel];
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)/;
const minutesOf = (hhmm: string) => {
  const m = HHMM.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
};

/** Minutes since local midnight in a time zone. */
export function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/** When quiet hours (in the recipient's zone) are over, or null when `at` is outside them. */
export function quietUntil(at: Date, prefs: Pick<RecipientPreferences, 'quietHoursStart' | 'quietHoursEnd' | 'timeZone'>): Date | null {
  const start = prefs.quietHoursStart ? minutesOf(prefs.quietHoursStart) : null;
  const end = prefs.quietHoursEnd ? minutesOf(prefs.quietHoursEnd) : null;
  if (start === null || end === null || start === end) return null;
  const now = localMinutes(at, prefs.timeZone);
  const inside = start < end ? now >= start && now < end : now >= start || now < end; // a window may span midnight
  if (!inside) return null;
  const wait = (end - now + 1440) % 1440;
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000 + wait * 60_000);
}

/** The next DIGEST_HOUR:00 in the recipient's zone after `at`. */
export function nextDigestAt(at: Date, timeZone: string): Date {
  const now = localMinutes(at, timeZone);
  const wait = (DIGEST_HOUR * 60 - now + 1440) % 1440 || 1440;
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000 + wait * 60_000);
}

/**
 * Which channels carry a notification to one person, and when. In-app is not planned: it is
 * always there. SMS and push wait for the end of quiet hours unless urgent; e-mail is silent and
 * goes at once, except low-priority e-mail for people who chose the daily digest.
 */
export function planDeliveries(type: NotificationTypeName, priority: NotificationPriority, prefs: RecipientPreferences, reach: Reachability, at: Date): PlannedDelivery[] {
  const plans: PlannedDelivery[] = [];
  for (const channel of ['email', 'sms', 'push'] as const) {
    if (!reach[channel] || !channelEnabled(type, channel, priority, prefs)) continue;
    if (channel === 'email' && prefs.dailyDigest && priority === 'low') {
      plans.push({ channel, sendAt: nextDigestAt(at, prefs.timeZone), digest: true });
      continue;
    }
    const held = channel !== 'email' && priority !== 'urgent' ? quietUntil(at, prefs) : null;
    plans.push({ channel, sendAt: held, digest: false });
  }
  return plans;
}
