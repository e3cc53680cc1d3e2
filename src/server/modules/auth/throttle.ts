import { sql } from 'kysely';
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../../http/errors.js';
import { sha256 } from './sessions.js';

/**
 * Failed sign-in proofs (passwords, TOTP and backup codes alike) counted per e-mail, hashed, in
 * `login_throttle`: 10 failures lock the e-mail for 30 minutes, even for the right password.
 * Transactions here must carry the `auth` scope (see withAuthScope).
 */
export const LOCKOUT_THRESHOLD = 10;
export const LOCKOUT_MINUTES = 30;

export const emailHash = (email: string) => sha256(email.trim().toLowerCase());

/** Seconds the e-mail stays locked (0 when it is not). */
export async function lockedFor(trx: Tx, hash: string): Promise<number> {
  const row = await trx.selectFrom('login_throttle').select('locked_until').where('email_hash', '=', hash).executeTakeFirst();
  if (!row?.locked_until || row.locked_until <= new Date()) return 0;
  return Math.ceil((row.locked_until.getTime() - Date.now()) / 1000);
}

export function lockedError(seconds: number): AppError {
  return new AppError('too_many_attempts', `Too many failed sign-ins; try again in ${Math.ceil(seconds / 60)} minutes`, undefined, { 'retry-after': String(seconds) }, { retry_after: seconds });
}

/** Throws too_many_attempts while the e-mail is locked. */
export async function assertNotLocked(trx: Tx, hash: string): Promise<void> {
  const locked = await lockedFor(trx, hash);
  if (locked > 0) throw lockedError(locked);
}

/** Counts one failure; the caller's transaction must commit even though the answer is an error. */
export async function recordFailure(trx: Tx, hash: string): Promise<void> {
  await sql`
    INSERT INTO login_throttle (email_hash, failures, first_failure_at) VALUES (${hash}, 1, now())
    ON CONFLICT (email_hash) DO UPDATE SET
      failures = CASE WHEN login_throttle.locked_until IS NOT NULL AND login_throttle.locked_until <= now() THEN 1 ELSE login_throttle.failures + 1 END,
      locked_until = CASE
        WHEN login_throttle.locked_until IS NOT NULL AND login_throttle.locked_until <= now() THEN NULL
        WHEN login_throttle.failures + 1 >= ${LOCKOUT_THRESHOLD} THEN now() + make_interval(mins => ${LOCKOUT_MINUTES})
        ELSE login_throttle.locked_until END`.execute(trx);
}

export async function clearFailures(trx: Tx, hash: string): Promise<void> {
  await trx.deleteFrom('login_throttle').where('email_hash', '=', hash).execute();
}
