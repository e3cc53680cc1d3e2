import type { DeliveryChannel, NotificationPriority } from '../../../db/schema.js';

/** Everything a channel needs to carry one notification to one person. */
export interface OutgoingNotification {
  deliveryId: string;
  type: string;
  priority: NotificationPriority;
  subject: string;
  body: string;
  /** Absolute link into the web app, or null. */
  url: string | null;
  organizationName: string;
  recipient: { userId: string; email: string; name: string; phone: string | null };
  /** Non-essential e-mail: where the person turns this type off with one click. */
  unsubscribeUrl: string | null;
  /** The person's registered browsers/phones (web push only). */
  devices?: PushDevice[];
}

export interface PushDevice {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface DeliveryResult {
  providerMessageId?: string;
  /** The provider confirmed receipt (push services answer 201), not only acceptance. */
  delivered?: boolean;
  /** Push endpoints the service says no longer exist: forget them. */
  goneEndpoints?: string[];
}

/** A failure that retrying cannot fix (an invalid number, a device that unsubscribed). */
export class PermanentDeliveryError extends Error {
  override readonly name = 'PermanentDeliveryError';

  /** Push endpoints the service reported gone on the way: forgotten although nothing was delivered. */
  constructor(message: string, readonly goneEndpoints: readonly string[] = []) {
    super(message);
  }
}

/** A failure worth retrying (a push service down or erroring) after which some endpoints are known to be gone. */
export class RetryableDeliveryError extends Error {
  override readonly name = 'RetryableDeliveryError';

  constructor(message: string, readonly goneEndpoints: readonly string[] = []) {
    super(message);
  }
}

export interface NotificationChannel {
  readonly channel: DeliveryChannel;
  send(message: OutgoingNotification): Promise<DeliveryResult>;
}
