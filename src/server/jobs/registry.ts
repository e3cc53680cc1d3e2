import { z } from 'zod';
import { sql } from 'kysely';
import { verifyOrganizationChain } from '../audit/audit.service.js';
import { listOrganizationIds, withTenant } from '../db/tenant.js';
import { sendMailJob } from '../mail/mail.job.js';
import { passwordResetJob } from '../modules/auth/auth.jobs.js';
import { contractDeadlinesJob, convertDocxJob } from '../modules/contracts/contracts.jobs.js';
import { signatureOutcomeJob } from '../modules/contracts/signature-webhook.js';
import { deliverNotificationJob, dispatchNotificationsJob, fireRemindersJob, sendDigestsJob } from '../modules/notifications/notifications.jobs.js';
import { defineJob, type JobDefinition } from './queue.js';

/** Checks every organization's audit chain nightly and logs loudly when one is broken. */
export const verifyAuditChainsJob = defineJob({
  name: 'audit.verify-chains',
  payload: z.object({}).passthrough(),
  cron: '30 3 * * *',
  retryLimit: 2,
  async handler(_payload, { db, log }) {
    for (const organizationId of await listOrganizationIds(db)) {
      const result = await withTenant(db, { organizationId }, (trx) => verifyOrganizationChain(trx, organizationId));
      if (result.problems.length) log.error({ organizationId, problems: result.problems }, 'audit chain broken');
    }
  },
});

/** Drops stored idempotency answers after their 24 hours. */
export const purgeIdempotencyKeysJob = defineJob({
  name: 'idempotency.purge-expired',
  payload: z.object({}).passthrough(),
  cron: '17 * * * *',
  async handler(_payload, { db }) {
    for (const organizationId of await listOrganizationIds(db)) {
      await withTenant(db, { organizationId }, (trx) => sql`DELETE FROM idempotency_keys WHERE expires_at < now()`.execute(trx));
    }
  },
});

/** Every job the worker runs. Modules add theirs here. */
export const jobDefinitions: readonly JobDefinition<never>[] = [
  verifyAuditChainsJob,
  purgeIdempotencyKeysJob,
  sendMailJob,
  passwordResetJob,
  dispatchNotificationsJob,
  deliverNotificationJob,
  sendDigestsJob,
  fireRemindersJob,
  contractDeadlinesJob,
  convertDocxJob,
  signatureOutcomeJob,
] as unknown as JobDefinition<never>[];
