import type { MailMessage } from '../../mail/mailer.js';
import { renderEmail } from '../../mail/template.js';
import type { OutgoingNotification } from './channels/types.js';

/**
 * A notification as e-mail: the organization's name on top, the message, a link into the app,
 * and for non-essential types an unsubscribe link (also as RFC 8058 one-click headers).
 */
export function notificationEmail(message: OutgoingNotification): MailMessage {
  const footer = [`You receive this because you are a member of ${message.organizationName} on BIG Live Portal.`];
  if (message.unsubscribeUrl) footer.push(`Stop these e-mails: ${message.unsubscribeUrl}`);
  return {
    to: message.recipient.email,
    subject: message.subject,
    ...renderEmail({
      brand: message.organizationName,
      paragraphs: [`Hello ${message.recipient.name},`, ...message.body.split(/\n{2,}/)],
      ...(message.url ? { action: { label: 'Open in the portal', url: message.url } } : {}),
      footer,
    }),
    ...(message.unsubscribeUrl
      ? { headers: { 'List-Unsubscribe': `<${message.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } }
      : {}),
  };
}

/** The daily digest: low-priority notifications of one day in one e-mail. */
export function digestEmail(to: { email: string; name: string }, organizationName: string, items: { subject: string; url: string | null }[], settingsUrl: string): MailMessage {
  return {
    to: to.email,
    subject: `${organizationName}: ${items.length} update${items.length === 1 ? '' : 's'} today`,
    ...renderEmail({
      brand: organizationName,
      paragraphs: [`Hello ${to.name}, here is what happened:`, ...items.map((i) => `• ${i.subject}${i.url ? ` — ${i.url}` : ''}`)],
      action: { label: 'Open your notifications', url: `${settingsUrl.replace(/\/account\/notifications$/, '')}/notifications` },
      footer: [`You chose a daily digest for low-priority updates. Change it: ${settingsUrl}`],
    }),
  };
}
