import type { Mailer } from '../../../mail/mailer.js';
import { notificationEmail } from '../templates.js';
import type { DeliveryResult, NotificationChannel, OutgoingNotification } from './types.js';

/** E-mail through the configured mailer (SMTP, SendGrid's SMTP relay, or the development outbox). */
export class EmailChannel implements NotificationChannel {
  readonly channel = 'email';

  constructor(private readonly mailer: Mailer) {}

  async send(message: OutgoingNotification): Promise<DeliveryResult> {
    const info = await this.mailer.send(notificationEmail(message));
    return info.messageId ? { providerMessageId: info.messageId } : {};
  }
}
