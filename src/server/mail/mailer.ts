import fs from 'node:fs';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Where e-mail goes. The issue "Notifications" adds templates, SendGrid and delivery tracking. */
export interface Mailer {
  readonly kind: 'outbox' | 'smtp';
  send(message: MailMessage): Promise<void>;
}

/**
 * The default when no SMTP server is configured: every message is written to DATA_DIR/outbox as
 * a JSON file a developer can open, and kept in memory (the latest 200) for tests.
 */
export class OutboxMailer implements Mailer {
  readonly kind = 'outbox';
  readonly sent: (MailMessage & { at: string })[] = [];

  constructor(private readonly dir: string) {}

  async send(message: MailMessage): Promise<void> {
    const at = new Date().toISOString();
    this.sent.push({ ...message, at });
    if (this.sent.length > 200) this.sent.shift();
    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const name = `${at.replace(/[:.]/g, '-')}-${Math.random().toString(36).slice(2, 8)}.json`;
    await fs.promises.writeFile(path.join(this.dir, name), JSON.stringify({ ...message, at }, null, 2), { mode: 0o600 });
  }
}

export class SmtpMailer implements Mailer {
  readonly kind = 'smtp';
  private readonly transport: Transporter;

  constructor(url: string, private readonly from: string) {
    this.transport = nodemailer.createTransport(url);
  }

  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({ from: this.from, ...message });
  }
}

/** Sends after the transaction that asked for it has committed; a failure is logged, never thrown. */
export function sendLater(mailer: Mailer, log: FastifyBaseLogger, messages: MailMessage[]) {
  for (const message of messages) {
    mailer.send(message).catch((err: unknown) => log.error({ err: (err as Error).message, subject: message.subject }, 'e-mail not sent'));
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A plain, accessible e-mail with one call-to-action link. */
export function linkEmail(options: { to: string; subject: string; intro: string; action: string; url: string; outro?: string }): MailMessage {
  const outro = options.outro ?? 'If you did not expect this e-mail, you can ignore it.';
  return {
    to: options.to,
    subject: options.subject,
    text: `${options.intro}\n\n${options.action}: ${options.url}\n\n${outro}\n\n— BIG Live Portal`,
    html: `<!doctype html><html lang="en"><body style="font-family:Inter,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a">
<p>${escapeHtml(options.intro)}</p>
<p><a href="${escapeHtml(options.url)}" style="display:inline-block;background:#1565c0;color:#fff;padding:12px 20px;border-radius:4px;text-decoration:none">${escapeHtml(options.action)}</a></p>
<p style="color:#555">${escapeHtml(outro)}</p><p>— BIG Live Portal</p></body></html>`,
  };
}
