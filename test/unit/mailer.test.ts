import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkEmail, SmtpMailer } from '../../src/server/mail/mailer.js';
import { readMail, startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

/**
 * E-mail through a provider's authenticated SMTP relay (issue 4 item 3): SendGrid's relay takes
 * the user `apikey` and the API key as password. A real SMTP server that insists on logging in
 * stands in for it.
 */
const KEY = 'SG.test-key.0123456789abcdef';
let relay: TestSmtpServer;
beforeAll(async () => {
  relay = await startSmtpServer({ user: 'apikey', pass: KEY });
});
afterAll(async () => relay?.close());

const message = linkEmail({ to: 'ada@example.com', subject: 'Your contract is ready', intro: 'Please read and sign it.', action: 'Open the contract', url: 'https://portal.example/contracts/1' });

describe('SMTP relay with an API key', () => {
  it('delivers a message with both a plain-text and an HTML part once logged in', async () => {
    const port = new URL(relay.url).port;
    const mailer = new SmtpMailer(`smtp://apikey:${encodeURIComponent(KEY)}@127.0.0.1:${port}`, 'Portal <no-reply@portal.example>');
    await mailer.send(message);
    expect(relay.mails).toHaveLength(1);
    const mail = relay.mails[0]!;
    expect(mail).toMatchObject({ from: 'no-reply@portal.example', to: ['ada@example.com'] });
    const { headers, body } = readMail(mail.raw);
    expect(headers).toContain('Subject: Your contract is ready');
    expect(mail.raw).toMatch(/Content-Type: text\/plain/);
    expect(mail.raw).toMatch(/Content-Type: text\/html/);
    expect(body).toContain('https://portal.example/contracts/1');
    expect(body).toMatch(/<a [^>]*href="https:\/\/portal\.example\/contracts\/1"/);
  });

  it('a wrong API key is refused by the relay and nothing is delivered', async () => {
    const before = relay.mails.length;
    const port = new URL(relay.url).port;
    const mailer = new SmtpMailer(`smtp://apikey:wrong@127.0.0.1:${port}`, 'Portal <no-reply@portal.example>');
    await expect(mailer.send(message)).rejects.toThrow(/Invalid credentials|535|auth/i);
    expect(relay.mails).toHaveLength(before);
  });
});
