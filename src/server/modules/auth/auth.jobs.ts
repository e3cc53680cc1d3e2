import { z } from 'zod';
import { defineJob } from '../../jobs/queue.js';
import { requireServices } from '../../mail/mail.job.js';
import { sendPasswordReset, usePasswordResetJob } from './auth.service.js';

/** A password reset asked for by e-mail address: looks the account up and e-mails the link if it exists. */
export const passwordResetJob = defineJob({
  name: 'auth.password-reset',
  payload: z.object({ sealed: z.string().min(1) }),
  retryLimit: 3,
  handler: (payload, deps) => sendPasswordReset(requireServices(deps), payload.sealed),
});

usePasswordResetJob(passwordResetJob);
