import twilio from 'twilio';
import type { DeliveryResult, NotificationChannel, OutgoingNotification } from './types.js';
import { PermanentDeliveryError } from './types.js';

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  from: string;
  /** Another API host (tests, a regional edge); Twilio's own by default. */
  apiUrl?: string | undefined;
}

/** SMS is short: the subject and the link; the body stays in the app and e-mail. */
export function smsText(message: OutgoingNotification): string {
  const text = `${message.organizationName}: ${message.subject}`;
  return message.url ? `${text} ${message.url}` : text;
}

/** SMS through Twilio's Messages API with the official client. */
export class SmsChannel implements NotificationChannel {
  readonly channel = 'sms';
  private readonly client: twilio.Twilio;

  constructor(private readonly settings: TwilioSettings) {
    this.client = twilio(settings.accountSid, settings.authToken, { autoRetry: false });
    if (settings.apiUrl) this.client.api.baseUrl = settings.apiUrl.replace(/\/$/, '');
  }

  async send(message: OutgoingNotification): Promise<DeliveryResult> {
    if (!message.recipient.phone) throw new PermanentDeliveryError('The recipient has no phone number');
    try {
      const sent = await this.client.messages.create({ to: message.recipient.phone, from: this.settings.from, body: smsText(message) });
      return { providerMessageId: sent.sid };
    } catch (err) {
      // 4xx from Twilio (invalid number, unsubscribed recipient) will not succeed on retry.
      const status = (err as { status?: number }).status;
      if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
        throw new PermanentDeliveryError(`Twilio refused the message (${status}): ${(err as Error).message}`);
      }
      throw err;
    }
  }
}
