import fs from 'node:fs';
import path from 'node:path';
import webpush from 'web-push';
import type { Config } from '../../../config.js';
import type { Mailer } from '../../../mail/mailer.js';
import { EmailChannel } from './email.js';
import { PushChannel } from './push.js';
import { SmsChannel } from './sms.js';
import type { NotificationChannel } from './types.js';

export interface NotificationChannels {
  email: NotificationChannel;
  sms: NotificationChannel | null;
  push: NotificationChannel | null;
}

/** The configured channels: e-mail always (SMTP or the outbox), SMS with Twilio settings, push with VAPID keys. */
export function createChannels(config: Config, mailer: Mailer): NotificationChannels {
  const vapid = config.VAPID_PUBLIC_KEY && config.VAPID_PRIVATE_KEY
    ? { publicKey: config.VAPID_PUBLIC_KEY, privateKey: config.VAPID_PRIVATE_KEY }
    : devVapidKeys(config.dataDir);
  return {
    email: new EmailChannel(mailer),
    sms: config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN && config.TWILIO_FROM_NUMBER
      ? new SmsChannel({ accountSid: config.TWILIO_ACCOUNT_SID, authToken: config.TWILIO_AUTH_TOKEN, from: config.TWILIO_FROM_NUMBER, apiUrl: config.TWILIO_API_URL })
      : null,
    push: new PushChannel({ ...vapid, subject: config.VAPID_SUBJECT }),
  };
}

/** Development only: a VAPID key pair kept in the data folder, so browser subscriptions survive restarts. */
function devVapidKeys(dataDir: string): { publicKey: string; privateKey: string } {
  const file = path.join(dataDir, 'keys', 'vapid.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as { publicKey: string; privateKey: string };
  const keys = webpush.generateVAPIDKeys();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

/** The public key browsers subscribe with. */
export function vapidPublicKey(config: Config): string {
  return config.VAPID_PUBLIC_KEY ?? devVapidKeys(config.dataDir).publicKey;
}
