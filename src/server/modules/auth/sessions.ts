import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Role } from '../../db/schema.js';
import type { Tx } from '../../db/tenant.js';
import type { Actor, AuthMethod, TokenService } from '../../auth/tokens.js';
import { ACCESS_TOKEN_TTL_SECONDS } from '../../auth/tokens.js';
import { AppError } from '../../http/errors.js';

export const REFRESH_TTL_DAYS = 7;
export const REMEMBER_ME_TTL_DAYS = 30;

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
export const newSecret = () => randomBytes(32).toString('base64url');

export interface IssuedTokens {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_expires_at: string;
  session_id: string;
  /** The session was started with remember-me: its refresh cookie outlives the browser. */
  remember_me: boolean;
}

type Who = { userId: string; organizationId: string; role: Role };
type MfaClaims = { amr: AuthMethod[]; mfa?: 'enrol_required' };

/** Roles an organization requires two-factor authentication for (settings.require_2fa_roles). */
export function rolesRequiring2fa(settings: Record<string, unknown> | null | undefined): Role[] {
  const roles = settings?.require_2fa_roles;
  return Array.isArray(roles) ? (roles.filter((r) => typeof r === 'string') as Role[]) : [];
}

/**
 * The second-factor claims of a session's access tokens: how it signed in (`amr`), and
 * `mfa: 'enrol_required'` while the organization requires two-factor for the role and the person
 * has not turned it on (such tokens reach only sign-out, /auth/me and enrolment).
 */
export type SignInMethod = 'password' | 'sso';

export function authMethods(method: SignInMethod, mfaVerified: boolean): AuthMethod[] {
  if (method === 'sso') return mfaVerified ? ['fed', 'mfa'] : ['fed'];
  return mfaVerified ? ['pwd', 'otp'] : ['pwd'];
}

export async function mfaClaims(trx: Tx, who: Who, mfaVerified: boolean, method: SignInMethod = 'password'): Promise<MfaClaims> {
  const amr = authMethods(method, mfaVerified);
  // A second factor already proven (a code, or a provider trusted to enforce its own) satisfies the requirement.
  if (mfaVerified) return { amr };
  const user = await trx.selectFrom('users').select('totp_enabled_at').where('id', '=', who.userId).executeTakeFirst();
  if (user?.totp_enabled_at) return { amr };
  const org = await trx.selectFrom('organizations').select('settings').where('id', '=', who.organizationId).executeTakeFirst();
  return rolesRequiring2fa(org?.settings).includes(who.role) ? { amr, mfa: 'enrol_required' } : { amr };
}

export interface SessionOrigin {
  ip: string | null;
  userAgent: string | null;
}

async function issueRefresh(trx: Tx, sessionId: string, userId: string, expiresAt: Date): Promise<string> {
  const token = newSecret();
  await trx.insertInto('refresh_tokens').values({ session_id: sessionId, user_id: userId, token_hash: sha256(token), expires_at: expiresAt }).execute();
  return token;
}

/** Starts a session (one device's sign-in) and answers its first token pair. */
export async function startSession(
  trx: Tx,
  tokens: TokenService,
  who: Who,
  options: { rememberMe: boolean; mfaVerified?: boolean; method?: SignInMethod } & SessionOrigin,
): Promise<IssuedTokens> {
  const expiresAt = new Date(Date.now() + (options.rememberMe ? REMEMBER_ME_TTL_DAYS : REFRESH_TTL_DAYS) * 86_400_000);
  const session = await trx.insertInto('auth_sessions').values({
    user_id: who.userId,
    organization_id: who.organizationId,
    remember_me: options.rememberMe,
    ip: options.ip,
    user_agent: options.userAgent?.slice(0, 500) ?? null,
    expires_at: expiresAt,
    mfa_verified: options.mfaVerified ?? false,
    sign_in_method: options.method ?? 'password',
  }).returning('id').executeTakeFirstOrThrow();
  const refresh = await issueRefresh(trx, session.id, who.userId, expiresAt);
  return pair(tokens, { ...who, ...(await mfaClaims(trx, who, options.mfaVerified ?? false, options.method)) }, session.id, refresh, expiresAt, options.rememberMe);
}

async function pair(tokens: TokenService, who: Omit<Actor, 'sessionId'>, sessionId: string, refresh: string, expiresAt: Date, rememberMe: boolean): Promise<IssuedTokens> {
  return {
    access_token: await tokens.sign({ ...who, sessionId }),
    refresh_token: refresh,
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
    refresh_expires_at: expiresAt.toISOString(),
    session_id: sessionId,
    remember_me: rememberMe,
  };
}

/**
 * Exchanges a refresh token for a new pair. Each token works once: presenting a token that was
 * already rotated means it was stolen or replayed, so the whole session (family) is revoked.
 */
export type Rotation = { ok: true; tokens: IssuedTokens } | { ok: false; error: AppError };

export async function rotateRefresh(trx: Tx, tokens: TokenService, presented: string, origin: SessionOrigin): Promise<Rotation> {
  const row = await trx
    .selectFrom('refresh_tokens as r')
    .innerJoin('auth_sessions as s', 's.id', 'r.session_id')
    .select(['r.id', 'r.rotated_at', 'r.expires_at', 's.id as session_id', 's.user_id', 's.organization_id', 's.revoked_at', 's.expires_at as session_expires_at', 's.mfa_verified', 's.sign_in_method', 's.remember_me'])
    .where('r.token_hash', '=', sha256(presented))
    .forUpdate('r')
    .executeTakeFirst();
  if (!row || row.revoked_at || row.expires_at < new Date() || row.session_expires_at < new Date()) {
    throw new AppError('invalid_token', 'The refresh token is not valid; sign in again');
  }
  // Revocations must commit, so they are returned as refusals rather than thrown.
  if (row.rotated_at) {
    await revokeSession(trx, row.session_id, 'token_reuse');
    return { ok: false, error: new AppError('invalid_token', 'This refresh token was already used; the session has been ended for safety') };
  }
  const membership = await trx.selectFrom('memberships').select('role')
    .where('user_id', '=', row.user_id).where('organization_id', '=', row.organization_id)
    .where((eb) => eb.or([eb('end_date', 'is', null), eb('end_date', '>=', sql<string>`CURRENT_DATE`)]))
    .executeTakeFirst();
  const user = await trx.selectFrom('users').select(['is_active']).where('id', '=', row.user_id).where('deleted_at', 'is', null).executeTakeFirst();
  if (!membership || !user?.is_active) {
    await revokeSession(trx, row.session_id, 'membership_ended');
    return { ok: false, error: new AppError('invalid_token', 'The account no longer has access to this organization') };
  }
  await trx.updateTable('refresh_tokens').set({ rotated_at: new Date() }).where('id', '=', row.id).execute();
  await trx.updateTable('auth_sessions').set({ last_used_at: new Date(), ip: origin.ip, user_agent: origin.userAgent?.slice(0, 500) ?? null }).where('id', '=', row.session_id).execute();
  const refresh = await issueRefresh(trx, row.session_id, row.user_id, row.session_expires_at);
  const who = { userId: row.user_id, organizationId: row.organization_id, role: membership.role };
  return { ok: true, tokens: await pair(tokens, { ...who, ...(await mfaClaims(trx, who, row.mfa_verified, row.sign_in_method)) }, row.session_id, refresh, row.session_expires_at, row.remember_me) };
}

export type RevokeReason = 'logout' | 'logout_all' | 'revoked_by_user' | 'password_changed' | 'role_changed' | 'token_reuse' | 'membership_ended' | 'admin' | 'mfa_enabled';

export async function revokeSession(trx: Tx, sessionId: string, reason: RevokeReason) {
  await trx.updateTable('auth_sessions').set({ revoked_at: new Date(), revoked_reason: reason })
    .where('id', '=', sessionId).where('revoked_at', 'is', null).execute();
}

/** Ends every open session of a user (optionally keeping one, or only those in one organization). */
export async function revokeUserSessions(trx: Tx, userId: string, reason: RevokeReason, options: { except?: string; organizationId?: string } = {}) {
  let q = trx.updateTable('auth_sessions').set({ revoked_at: new Date(), revoked_reason: reason })
    .where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (options.except) q = q.where('id', '!=', options.except);
  if (options.organizationId) q = q.where('organization_id', '=', options.organizationId);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
