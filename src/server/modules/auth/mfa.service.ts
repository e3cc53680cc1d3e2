import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { generateSecret, generateURI, verify as verifyTotp } from 'otplib';
import QRCode from 'qrcode';
import { recordAudit } from '../../audit/audit.service.js';
import type { Actor } from '../../auth/tokens.js';
import { ACCESS_TOKEN_TTL_SECONDS } from '../../auth/tokens.js';
import type { Kysely } from 'kysely';
import { FieldDecryptionError, type FieldCipher, type FieldContext } from '../../crypto/field-encryption.js';
import type { DB, User } from '../../db/schema.js';
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../../http/errors.js';
import type { Services } from '../../services.js';
import { origin, type AuthRequest, type SignedIn } from './auth.service.js';
import { activeMemberships, findUserById, setActingUser, withAuthScope } from './auth.queries.js';
import { verifyPassword } from './passwords.js';
import { newSecret, revokeUserSessions, rolesRequiring2fa, sha256, startSession } from './sessions.js';
import { assertNotLocked, clearFailures, emailHash, lockedError, lockedFor, recordFailure } from './throttle.js';

/**
 * Two-factor authentication with TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of
 * clock drift either way) and single-use backup codes.
 *
 * - The secret is sealed with the field cipher (AES-256-GCM, key ring) bound to
 *   `users:<id>:totp_secret`; it is shown once, at setup.
 * - Each TOTP code works once: the accepted time step is kept in `users.totp_last_used_step` and
 *   only later steps are accepted afterwards (also across concurrent requests).
 * - Backup codes (`xxxx-xxxx`, ~39 bits) are stored as HMAC-SHA256 keyed with the user's TOTP
 *   secret: without the field-encryption key a copy of the database cannot test guesses, and
 *   whoever holds that key could generate TOTP codes anyway.
 * - Sign-in with 2FA is two steps: the password answers an opaque `mfa_token` (5 minutes, once,
 *   at most 5 wrong codes), the code completes it. Every wrong code also counts toward the
 *   per-e-mail lockout (10 failures → 30 minutes), which a right password no longer clears.
 */

export const TOTP_ISSUER = 'BIG Live Portal';
const TOTP_TOLERANCE_SECONDS = 30;
export const MFA_TOKEN_TTL_SECONDS = 5 * 60;
export const MFA_MAX_FAILURES_PER_CHALLENGE = 5;
export const BACKUP_CODE_COUNT = 10;
const BACKUP_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export type SecondFactor = 'totp' | 'backup_code';
export const MFA_METHODS: SecondFactor[] = ['totp', 'backup_code'];

export interface MfaChallenge {
  mfa_required: true;
  mfa_token: string;
  methods: SecondFactor[];
  expires_in: number;
}

const secretField = (userId: string): FieldContext => ({ table: 'users', rowId: userId, column: 'totp_secret' });

function badCode(field: string, detail = 'The code is incorrect or was already used'): AppError {
  return new AppError('invalid_credentials', detail, [{ field, message: 'Incorrect or already used' }]);
}

// ---------------------------------------------------------------------------------------------
// Codes.

/** The time step a 6-digit code matches (±1 step), or null; `afterStep` refuses that step and earlier ones. */
async function totpStep(secret: string, code: string, afterStep: number | null): Promise<number | null> {
  const token = code.replace(/[\s-]/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const result = await verifyTotp({ secret, token, epochTolerance: TOTP_TOLERANCE_SECONDS, ...(afterStep !== null ? { afterTimeStep: afterStep } : {}) });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

export function newBackupCodes(): string[] {
  return Array.from({ length: BACKUP_CODE_COUNT }, () => {
    const chars = Array.from({ length: 8 }, () => BACKUP_ALPHABET[randomInt(BACKUP_ALPHABET.length)]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4)}`;
  });
}

const normalizeBackupCode = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, '');

function backupCodeHash(secret: string, userId: string, code: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(`backup-code\u0000${userId}\u0000${normalizeBackupCode(code)}`).digest('hex');
}

async function storeBackupCodes(trx: Tx, userId: string, secret: string): Promise<string[]> {
  const codes = newBackupCodes();
  await trx.deleteFrom('mfa_backup_codes').where('user_id', '=', userId).execute();
  await trx.insertInto('mfa_backup_codes').values(codes.map((c) => ({ user_id: userId, code_hash: backupCodeHash(secret, userId, c) }))).execute();
  return codes;
}

function openSecret(services: Services, user: Pick<User, 'id' | 'totp_secret_encrypted'>): string {
  if (!user.totp_secret_encrypted) throw new AppError('conflict', 'Two-factor authentication is not set up');
  return services.fieldCipher.decrypt(user.totp_secret_encrypted, secretField(user.id));
}

/** Accepts a TOTP code once; concurrent requests with the same code: only one wins. */
async function useTotp(trx: Tx, services: Services, user: User, code: string): Promise<boolean> {
  const step = await totpStep(openSecret(services, user), code, user.totp_last_used_step);
  if (step === null) return false;
  const updated = await trx.updateTable('users').set({ totp_last_used_step: step })
    .where('id', '=', user.id)
    .where((eb) => eb.or([eb('totp_last_used_step', 'is', null), eb('totp_last_used_step', '<', step)]))
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** Spends a backup code; answers the codes left, or null when it does not match an unused one. */
async function useBackupCode(trx: Tx, services: Services, user: User, code: string): Promise<number | null> {
  const normalized = normalizeBackupCode(code);
  if (normalized.length !== 8) return null;
  const wanted = Buffer.from(backupCodeHash(openSecret(services, user), user.id, normalized), 'hex');
  const rows = await trx.selectFrom('mfa_backup_codes').select(['id', 'code_hash']).where('user_id', '=', user.id).where('used_at', 'is', null).execute();
  const match = rows.find((r) => {
    const stored = Buffer.from(r.code_hash, 'hex');
    return stored.length === wanted.length && timingSafeEqual(stored, wanted);
  });
  if (!match) return null;
  const spent = await trx.updateTable('mfa_backup_codes').set({ used_at: new Date() }).where('id', '=', match.id).where('used_at', 'is', null).executeTakeFirst();
  if (Number(spent.numUpdatedRows) !== 1) return null;
  return rows.length - 1;
}

/** A code field that may hold either a 6-digit TOTP code or a backup code. */
async function useEitherCode(trx: Tx, services: Services, user: User, code: string): Promise<SecondFactor | null> {
  if (/^\d{6}$/.test(code.replace(/[\s-]/g, ''))) return (await useTotp(trx, services, user, code)) ? 'totp' : null;
  return (await useBackupCode(trx, services, user, code)) !== null ? 'backup_code' : null;
}

// ---------------------------------------------------------------------------------------------
// Enrolment and management (signed in).

type Who = Pick<Actor, 'userId' | 'organizationId' | 'role' | 'sessionId'>;

async function lockedUser(trx: Tx, userId: string): Promise<User> {
  const user = await trx.selectFrom('users').selectAll().where('id', '=', userId).where('deleted_at', 'is', null).forUpdate().executeTakeFirst();
  if (!user?.is_active) throw new AppError('invalid_token');
  return user;
}

export async function status(services: Services, who: Who) {
  return withAuthScope(services.database.db, async (trx) => {
    const user = await findUserById(trx, who.userId);
    if (!user) throw new AppError('invalid_token');
    const left = await trx.selectFrom('mfa_backup_codes').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', who.userId).where('used_at', 'is', null).executeTakeFirstOrThrow();
    const org = await trx.selectFrom('organizations').select('settings').where('id', '=', who.organizationId).executeTakeFirst();
    return {
      enabled: Boolean(user.totp_enabled_at),
      enabled_at: user.totp_enabled_at?.toISOString() ?? null,
      pending_setup: !user.totp_enabled_at && Boolean(user.totp_secret_encrypted),
      backup_codes_remaining: user.totp_enabled_at ? Number(left.n) : 0,
      required_by_organization: rolesRequiring2fa(org?.settings).includes(who.role),
      methods: MFA_METHODS,
    };
  }, who.userId);
}

/** A new secret (replacing any pending one), its otpauth:// URL and a QR code of it. */
export async function setup(services: Services, who: Who) {
  const { secret, email } = await withAuthScope(services.database.db, async (trx) => {
    const user = await lockedUser(trx, who.userId);
    if (user.totp_enabled_at) throw new AppError('conflict', 'Two-factor authentication is already on; turn it off first to enrol another device');
    const fresh = generateSecret({ length: 20 });
    await trx.updateTable('users').set({ totp_secret_encrypted: services.fieldCipher.encrypt(fresh, secretField(user.id)), totp_last_used_step: null })
      .where('id', '=', user.id).execute();
    return { secret: fresh, email: user.email };
  }, who.userId);
  const otpauthUrl = generateURI({ issuer: TOTP_ISSUER, label: email, secret });
  const qr = await QRCode.toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', margin: 2, width: 256 });
  return { secret, otpauth_url: otpauthUrl, qr_code_data_url: qr, issuer: TOTP_ISSUER, account: email, digits: 6 as const, period: 30 as const, algorithm: 'SHA1' as const };
}

/**
 * Confirms the pending secret with a code and turns two-factor on: 10 backup codes (shown once),
 * this session counts as signed in with a second factor, the account's other sessions end.
 */
export async function enable(services: Services, req: AuthRequest, who: Who, code: string) {
  return withAuthScope(services.database.db, async (trx) => {
    const user = await lockedUser(trx, who.userId);
    if (user.totp_enabled_at) throw new AppError('conflict', 'Two-factor authentication is already on');
    if (!user.totp_secret_encrypted) throw new AppError('conflict', 'Start with POST /api/v1/auth/2fa/setup');
    const secret = openSecret(services, user);
    const step = await totpStep(secret, code, null);
    if (step === null) throw badCode('body.code', 'The code does not match; check the time on your phone and enter the current code');
    await trx.updateTable('users').set({ totp_enabled_at: new Date(), totp_last_used_step: step }).where('id', '=', user.id).execute();
    const backupCodes = await storeBackupCodes(trx, user.id, secret);
    let accessToken: string | undefined;
    if (who.sessionId) {
      // A fresh access token only for a session that is still live.
      const marked = await trx.updateTable('auth_sessions').set({ mfa_verified: true })
        .where('id', '=', who.sessionId).where('user_id', '=', user.id).where('revoked_at', 'is', null).where('expires_at', '>', new Date()).executeTakeFirst();
      const membership = (await activeMemberships(trx, user.id)).find((m) => m.organization_id === who.organizationId);
      if (membership && Number(marked.numUpdatedRows) === 1) accessToken = await services.tokens.sign({ userId: who.userId, organizationId: who.organizationId, role: membership.role, sessionId: who.sessionId, amr: ['pwd', 'otp'] });
    }
    const ended = await revokeUserSessions(trx, user.id, 'mfa_enabled', who.sessionId ? { except: who.sessionId } : {});
    await trx.deleteFrom('mfa_challenges').where('user_id', '=', user.id).execute();
    await setActingUser(trx, who.userId, who.organizationId);
    await recordAudit(trx, origin(req, who.organizationId, who.userId), { entityType: 'user', entityId: user.id, action: 'auth.2fa_enabled', after: { other_sessions_ended: ended } });
    return {
      backup_codes: backupCodes,
      other_sessions_ended: ended,
      ...(accessToken ? { access_token: accessToken, token_type: 'Bearer' as const, expires_in: ACCESS_TOKEN_TTL_SECONDS } : {}),
    };
  }, who.userId);
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: AppError };

/**
 * Password plus a current code (TOTP or backup code) before turning 2FA off or replacing backup
 * codes. Failures count toward the sign-in lockout, so a stolen access token cannot be used to
 * guess the password here.
 */
async function stepUp<T>(services: Services, who: Who, proof: { password: string; code: string }, then: (trx: Tx, user: User) => Promise<T>): Promise<T> {
  const outcome = await withAuthScope(services.database.db, async (trx): Promise<Outcome<T>> => {
    const user = await lockedUser(trx, who.userId);
    if (!user.totp_enabled_at) throw new AppError('conflict', 'Two-factor authentication is not on');
    const hash = emailHash(user.email);
    await assertNotLocked(trx, hash);
    if (!(await verifyPassword(user.password_hash, proof.password))) {
      await recordFailure(trx, hash);
      return { ok: false, error: new AppError('invalid_credentials', 'The password is incorrect', [{ field: 'body.password', message: 'Incorrect' }]) };
    }
    if (!(await useEitherCode(trx, services, user, proof.code))) {
      await recordFailure(trx, hash);
      return { ok: false, error: badCode('body.code') };
    }
    return { ok: true, value: await then(trx, user) };
  }, who.userId);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

export async function disable(services: Services, req: AuthRequest, who: Who, proof: { password: string; code: string }) {
  await stepUp(services, who, proof, async (trx, user) => {
    await trx.updateTable('users').set({ totp_secret_encrypted: null, totp_enabled_at: null, totp_last_used_step: null }).where('id', '=', user.id).execute();
    await trx.deleteFrom('mfa_backup_codes').where('user_id', '=', user.id).execute();
    await trx.deleteFrom('mfa_challenges').where('user_id', '=', user.id).execute();
    await setActingUser(trx, who.userId, who.organizationId);
    await recordAudit(trx, origin(req, who.organizationId, who.userId), { entityType: 'user', entityId: user.id, action: 'auth.2fa_disabled' });
  });
}

export async function regenerateBackupCodes(services: Services, req: AuthRequest, who: Who, proof: { password: string; code: string }) {
  return stepUp(services, who, proof, async (trx, user) => {
    const codes = await storeBackupCodes(trx, user.id, openSecret(services, user));
    await setActingUser(trx, who.userId, who.organizationId);
    await recordAudit(trx, origin(req, who.organizationId, who.userId), { entityType: 'user', entityId: user.id, action: 'auth.2fa_backup_codes_regenerated' });
    return { backup_codes: codes };
  });
}

// ---------------------------------------------------------------------------------------------
// Sign-in, second step.

/** After the right password of an account with 2FA: the token for the second step. */
export async function startChallenge(trx: Tx, userId: string, organizationId: string, rememberMe: boolean): Promise<MfaChallenge> {
  await trx.deleteFrom('mfa_challenges').where('user_id', '=', userId).where('expires_at', '<', new Date()).execute();
  const token = newSecret();
  await trx.insertInto('mfa_challenges').values({
    user_id: userId, organization_id: organizationId, token_hash: sha256(token), remember_me: rememberMe,
    expires_at: new Date(Date.now() + MFA_TOKEN_TTL_SECONDS * 1000),
  }).execute();
  return { mfa_required: true, mfa_token: token, methods: MFA_METHODS, expires_in: MFA_TOKEN_TTL_SECONDS };
}

export interface SecondStepInput {
  mfa_token: string;
  code?: string | undefined;
  backup_code?: string | undefined;
  remember_me?: boolean | undefined;
}

export type SignedInWithMfa = SignedIn & { method: SecondFactor; rememberMe: boolean; backup_codes_remaining?: number };

const expiredStep = () => new AppError('invalid_token', 'This sign-in step is not valid any more; sign in again with your password');

export async function completeSignIn(services: Services, req: AuthRequest, input: SecondStepInput): Promise<SignedInWithMfa> {
  const outcome = await withAuthScope(services.database.db, async (trx): Promise<Outcome<SignedInWithMfa>> => {
    const challenge = await trx.selectFrom('mfa_challenges').selectAll().where('token_hash', '=', sha256(input.mfa_token)).forUpdate().executeTakeFirst();
    if (!challenge || challenge.used_at || challenge.expires_at <= new Date() || challenge.failed_attempts >= MFA_MAX_FAILURES_PER_CHALLENGE) {
      return { ok: false, error: expiredStep() };
    }
    const user = await findUserById(trx, challenge.user_id);
    if (!user?.is_active || !user.totp_enabled_at) {
      await trx.updateTable('mfa_challenges').set({ used_at: new Date() }).where('id', '=', challenge.id).execute();
      return { ok: false, error: expiredStep() };
    }
    const hash = emailHash(user.email);
    const locked = await lockedFor(trx, hash);
    if (locked > 0) return { ok: false, error: lockedError(locked) };

    let method: SecondFactor | null = null;
    let remaining: number | undefined;
    if (input.code !== undefined) {
      if (await useTotp(trx, services, user, input.code)) method = 'totp';
    } else if (input.backup_code !== undefined) {
      const left = await useBackupCode(trx, services, user, input.backup_code);
      if (left !== null) {
        method = 'backup_code';
        remaining = left;
      }
    }
    await setActingUser(trx, user.id, challenge.organization_id);
    const audit = origin(req, challenge.organization_id, user.id);
    if (!method) {
      await recordFailure(trx, hash);
      await trx.updateTable('mfa_challenges').set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) })).where('id', '=', challenge.id).execute();
      await recordAudit(trx, audit, { entityType: 'user', entityId: user.id, action: 'auth.2fa_failed', after: { method: input.code !== undefined ? 'totp' : 'backup_code' } });
      return { ok: false, error: badCode(input.code !== undefined ? 'body.code' : 'body.backup_code') };
    }

    await trx.updateTable('mfa_challenges').set({ used_at: new Date() }).where('id', '=', challenge.id).execute();
    await clearFailures(trx, hash);
    const memberships = await activeMemberships(trx, user.id);
    const chosen = memberships.find((m) => m.organization_id === challenge.organization_id);
    if (!chosen) return { ok: false, error: new AppError('forbidden', 'You are not a member of that organization any more') };
    const rememberMe = input.remember_me ?? challenge.remember_me;
    await trx.updateTable('users').set({ last_login_at: new Date() }).where('id', '=', user.id).execute();
    const tokens = await startSession(trx, services.tokens, { userId: user.id, organizationId: chosen.organization_id, role: chosen.role }, { rememberMe, mfaVerified: true, ...req });
    await recordAudit(trx, audit, {
      entityType: 'session', entityId: tokens.session_id, action: 'auth.login',
      after: { remember_me: rememberMe, mfa: method, ...(remaining !== undefined ? { backup_codes_remaining: remaining } : {}) },
    });
    return { ok: true, value: { user, organization: chosen, memberships, tokens, method, rememberMe, ...(remaining !== undefined ? { backup_codes_remaining: remaining } : {}) } };
  });
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

// ---------------------------------------------------------------------------------------------
// Key rotation (to be run with `npm run pii:reencrypt`).

/**
 * Rewrites every TOTP secret not sealed under the cipher's current key; a secret changed
 * meanwhile (setup, disable) is left to the next run. Secrets that fail to decrypt are reported
 * by user id and reason, never by value. Backup code hashes depend on the secret's plaintext
 * only, so they stay valid.
 */
export async function reencryptTotpSecrets(db: Kysely<DB>, cipher: FieldCipher, batchSize = 200) {
  const report = { scanned: 0, reencrypted: 0, skippedConcurrent: 0, failures: [] as { user_id: string; reason: string }[] };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await withAuthScope(db, (trx) => trx.selectFrom('users').select(['id', 'totp_secret_encrypted'])
      .where('totp_secret_encrypted', 'is not', null).where('id', '>', after).orderBy('id').limit(batchSize).execute());
    if (!rows.length) return report;
    for (const row of rows) {
      after = row.id;
      report.scanned++;
      const sealed = row.totp_secret_encrypted as string;
      if (cipher.isCurrent(sealed)) continue;
      let fresh: string;
      try {
        fresh = cipher.encrypt(cipher.decrypt(sealed, secretField(row.id)), secretField(row.id));
      } catch (err) {
        if (!(err instanceof FieldDecryptionError)) throw err;
        report.failures.push({ user_id: row.id, reason: err.reason });
        continue;
      }
      const written = await withAuthScope(db, (trx) => trx.updateTable('users').set({ totp_secret_encrypted: fresh })
        .where('id', '=', row.id).where('totp_secret_encrypted', '=', sealed).executeTakeFirst());
      if (Number(written.numUpdatedRows) === 1) report.reencrypted++;
      else report.skippedConcurrent++;
    }
  }
}
