import { z } from 'zod';
import type { Tx } from '../db/tenant.js';
import { defineJob, type JobDeps } from '../jobs/queue.js';
import type { Services } from '../services.js';
import type { MailMessage } from './mailer.js';

// Messages hold one-time links (reset, invitation): sealed in the job table, bound to this use.
const where = { table: 'jobs', rowId: 'mail.send', column: 'message' } as const;

export function requireServices(deps: JobDeps): Services {
  if (!deps.services) throw new Error('job run before services were attached');
  return deps.services;
}

/** Sends one e-mail, retried with backoff when the mail server is down. */
export const sendMailJob = defineJob({
  name: 'mail.send',
  payload: z.object({ sealed: z.string().min(1) }),
  retryLimit: 8,
  retryDelaySeconds: 15,
  async handler(payload, deps) {
    const services = requireServices(deps);
    const message = JSON.parse(services.fieldCipher.decrypt(payload.sealed, where)) as MailMessage;
    await services.mailer.send(message);
  },
});

/**
 * Queues an e-mail in the caller's transaction: it goes out only if the change that asked for it
 * commits, never slows the request, and survives a restart or a mail server outage.
 */
export async function queueMail(trx: Tx, services: Services, message: MailMessage): Promise<void> {
  await services.jobs.enqueue(trx, sendMailJob, { sealed: services.fieldCipher.encrypt(JSON.stringify(message), where) });
}
