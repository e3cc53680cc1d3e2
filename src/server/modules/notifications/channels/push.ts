import type { Agent } from 'node:https';
import webpush from 'web-push';
import type { DeliveryResult, NotificationChannel, OutgoingNotification } from './types.js';
import { PermanentDeliveryError, RetryableDeliveryError } from './types.js';

export interface VapidSettings {
  publicKey: string;
  privateKey: string;
  subject: string;
  /** TLS settings for the push services (tests trust their local service's certificate). */
  agent?: Agent;
}

/** The JSON the service worker receives and shows. */
export function pushPayload(message: OutgoingNotification) {
  return { title: message.subject, body: message.body.slice(0, 300), url: message.url, type: message.type, tag: message.deliveryId };
}

/**
 * Web push (RFC 8030 + VAPID RFC 8292, payload encrypted per RFC 8291) to each of the person's
 * devices. One device accepting counts as sent; endpoints the service reports gone (404/410)
 * are returned to be forgotten.
 */
export class PushChannel implements NotificationChannel {
  readonly channel = 'push';

  constructor(private readonly settings: VapidSettings) {}

  async send(message: OutgoingNotification): Promise<DeliveryResult> {
    const devices = message.devices ?? [];
    if (devices.length === 0) throw new PermanentDeliveryError('No registered device');
    const payload = JSON.stringify(pushPayload(message));
    const gone: string[] = [];
    const failures: string[] = [];
    let accepted = 0;
    for (const device of devices) {
      try {
        await webpush.sendNotification({ endpoint: device.endpoint, keys: { p256dh: device.p256dh, auth: device.auth } }, payload, {
          vapidDetails: { subject: this.settings.subject, publicKey: this.settings.publicKey, privateKey: this.settings.privateKey },
          TTL: message.priority === 'urgent' ? 3600 : 24 * 3600,
          urgency: message.priority === 'urgent' ? 'high' : message.priority === 'low' ? 'low' : 'normal',
          timeout: 10_000,
          ...(this.settings.agent ? { agent: this.settings.agent } : {}),
        });
        accepted++;
      } catch (err) {
        const status = (err as { statusCode?: number }).statusCode;
        if (status === 404 || status === 410) gone.push(device.endpoint);
        else failures.push(`${new URL(device.endpoint).host}: ${status ?? ''} ${(err as Error).message}`.trim());
      }
    }
    if (accepted > 0) return { delivered: true, goneEndpoints: gone };
    if (failures.length === 0) throw new PermanentDeliveryError('Every registered device has unsubscribed', gone);
    throw new RetryableDeliveryError(`No push service accepted the message: ${failures.join('; ')}`, gone);
  }
}
