import fs from 'node:fs';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { renderEmail } from './template.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers, e.g. List-Unsubscribe. */
  headers?: Record<string, string>;
}

export interface SentMail {
  messageId?: string;
}

/** Where e-mail goes: SMTP (any provider, e.g. SendGrid's SMTP relay) or the development outbox. */
export interface Mailer {
  readonly kind: 'outbox' | 'smtp';
  send(message: MailMessage): Promise<SentMail>;
}

/**
 * The default when no SMTP server is configured: every message is written to DATA_DIR/outbox as
 * a JSON file a developer can open, and kept in memory (the latest 200) for tests.
 */
export class OutboxMailer implements Mailer {
  readonly kind = 'outbox';
  readonly sent: (MailMessage & { at: string })[] = [];

  constructor(private readonly dir: string) {}

  async send(message: MailMessage): Promise<SentMail> {
    const at = new Date().toISOString();
    this.sent.push({ ...message, at });
    if (this.sent.length > 200) this.sent.shift();
    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const name = `${at.replace(/[:.]/g, '-')}-${Math.random().toString(36).slice(2, 8)}.json`;
    // Written aside and renamed, so a reader never sees half a message.
    const file = path.join(this.dir, name);
    await fs.promises.writeFile(`${file}.partial`, JSON.stringify({ ...message, at }, null, 2), { mode: 0o600 });
    await fs.promises.rename(`${file}.partial`, file);
    return { messageId: name };
  }
}

export class SmtpMailer implements Mailer {
  readonly kind = 'smtp';
  private readonly transport: Transporter;

  constructor(url: string, private readonly from: string) {
    this.transport = nodemailer.createTransport(url);
  }

  async send(message: MailMessage): Promise<SentMail> {
    const info = await this.transport.sendMail({ from: this.from, ...message });
    return { messageId: info.messageId };
  }
}


/** A plain, accessible e-mail with one call-to-action link. */
export function linkEmail(options: { to: string; subject: string; intro: string; action: string; url: string; outro?: string }): MailMessage {
  const outro = options.outro ?? 'If you did not expect this e-mail, you can ignore it.';
  return { to: options.to, subject: options.subject, ...renderEmail({ paragraphs: [options.intro], action: { label: options.action, url: options.url }, footer: [outro] }) };
}
