import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { recordAudit, type AuditOrigin } from '../../audit/audit.service.js';
import type { Role, User } from '../../db/schema.js';
import type { Tx } from '../../db/tenant.js';
import { AppError } from '../../http/errors.js';
import type { JobDefinition } from '../../jobs/queue.js';
import { queueMail } from '../../mail/mail.job.js';
import { notify } from '../notifications/notifications.service.js';
import { linkEmail, type MailMessage } from '../../mail/mailer.js';
import type { Services } from '../../services.js';
import { hashInvitationToken } from '../invitations/invitations.service.js';
import { activeMemberships, findUserByEmail, findUserById, setActingUser, withAuthScope, type MembershipSummary } from './auth.queries.js';
import { hashPassword, passwordProblems, verifyPassword } from './passwords.js';
import { startChallenge, type MfaChallenge } from './mfa.service.js';
import { newSecret, revokeSession, revokeUserSessions, rotateRefresh, sha256, startSession, type IssuedTokens, type SessionOrigin } from './sessions.js';
import { clearFailures, emailHash as hashEmail, lockedError, lockedFor, recordFailure } from './throttle.js';

export { LOCKOUT_MINUTES, LOCKOUT_THRESHOLD } from './throttle.js';
const RESET_TOKEN_TTL_MS = 60 * 60 * 1000;
const VERIFY_TOKEN_TTL_MS = 48 * 60 * 60 * 1000;

export interface AuthRequest extends SessionOrigin {
  requestId: string;
  log: FastifyBaseLogger;
}

export interface SignedIn {
  user: User;
  organization: MembershipSummary;
  memberships: MembershipSummary[];
  tokens: IssuedTokens;
}

/** Signed in, or (account with two-factor on) the second step still due: see mfa.service.ts. */
export type SignInResult = SignedIn | MfaChallenge;

/**
 * What the accept page shows before anyone types: who invites, for which address and role, and
 * whether that address already has an account. Only the holder of the link (the invitee) can ask.
 */
export async function previewInvitation(services: Services, token: string) {
  return withAuthScope(services.database.db, async (trx) => {
    const invitation = await trx.selectFrom('invitations as i').innerJoin('organizations as o', 'o.id', 'i.organization_id')
      .select(['i.email', 'i.role', 'i.first_name', 'i.last_name', 'i.expires_at', 'i.accepted_at', 'i.revoked_at', 'o.name as organization_name'])
      .where('i.token_hash', '=', hashInvitationToken(token)).executeTakeFirst();
    if (!invitation || invitation.accepted_at || invitation.revoked_at || invitation.expires_at <= new Date()) {
      throw new AppError('invalid_token', 'This invitation link is not valid any more; ask for a new one');
    }
    const existing = await findUserByEmail(trx, invitation.email);
    return {
      organization_name: invitation.organization_name, email: invitation.email, role: invitation.role,
      first_name: invitation.first_name, last_name: invitation.last_name, expires_at: invitation.expires_at.toISOString(),
      existing_account: Boolean(existing?.is_active),
    };
  });
}

/** Who and where an audit row of the sign-in flows comes from. */
export function origin(req: AuthRequest, organizationId: string, actorId: string | null): AuditOrigin {
  return { organizationId, actorId, ip: req.ip, userAgent: req.userAgent?.slice(0, 500) ?? null, requestId: req.requestId };
}

function weakPassword(problems: string[], field = 'body.password'): AppError {
  return new AppError('validation_error', 'The password does not meet the policy', problems.map((message) => ({ field, message })));
}

/** Picks the organization to act in: the one asked for (if a member), else the primary one. */
function chooseMembership(memberships: MembershipSummary[], wanted?: string): MembershipSummary | null {
  if (wanted) return memberships.find((m) => m.organization_id === wanted) ?? null;
  return memberships[0] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Sign-in with throttling and lockout (throttle.ts); second step for two-factor (mfa.service.ts).

export async function login(
  services: Services,
  req: AuthRequest,
  input: { email: string; password: string; remember_me: boolean; organization_id?: string | undefined },
): Promise<SignInResult> {
  const { db } = services.database;
  const emailHash = hashEmail(input.email);
  const locked = await withAuthScope(db, (trx) => lockedFor(trx, emailHash));
  if (locked > 0) throw lockedError(locked);
  const user = await withAuthScope(db, (trx) => findUserByEmail(trx, input.email));
  const valid = await verifyPassword(user?.is_active ? user.password_hash : null, input.password);
  if (!user || !valid) {
    // Its own transaction: the failure counts even though the sign-in answer is an error.
    await withAuthScope(db, (trx) => recordFailure(trx, emailHash));
    throw new AppError('invalid_credentials', 'E-mail or password is incorrect');
  }
  return withAuthScope(db, async (trx): Promise<SignInResult> => {
    const memberships = await activeMemberships(trx, user.id);
    const chosen = chooseMembership(memberships, input.organization_id);
    if (!chosen) {
      throw input.organization_id
        ? new AppError('forbidden', 'You are not a member of that organization')
        : new AppError('forbidden', 'Your account has no active membership in any organization');
    }
    // With two-factor on, the password alone neither signs in nor clears earlier failures (else
    // the right password would reset the count of wrong codes between guesses).
    if (user.totp_enabled_at) return startChallenge(trx, user.id, chosen.organization_id, input.remember_me);
    await clearFailures(trx, emailHash);
    await trx.updateTable('users').set({ last_login_at: new Date() }).where('id', '=', user.id).execute();
    const tokens = await startSession(trx, services.tokens, { userId: user.id, organizationId: chosen.organization_id, role: chosen.role }, { rememberMe: input.remember_me, ...req });
    await setActingUser(trx, user.id, chosen.organization_id);
    await recordAudit(trx, origin(req, chosen.organization_id, user.id), { entityType: 'session', entityId: tokens.session_id, action: 'auth.login', after: { remember_me: input.remember_me } });
    return { user, organization: chosen, memberships, tokens };
  }, user.id);
}

// ---------------------------------------------------------------------------------------------
// Organization sign-up and registration.

export interface NewOrganizationInput {
  name: string;
  slug: string;
  admin: { email: string; password: string; first_name: string; last_name: string };
}

/**
 * Whether this portal takes new organizations. Closed by configuration (ORGANIZATION_SIGNUP=closed)
 * or by the `signup.open` system setting set to false: either one closes it, and reopening needs
 * both open (the setting absent counts as open).
 */
export async function organizationSignUpOpen(services: Services): Promise<boolean> {
  if (services.config.ORGANIZATION_SIGNUP === 'closed') return false;
  const setting = await withAuthScope(services.database.db, (trx) =>
    trx.selectFrom('system_settings').select('value').where('key', '=', 'signup.open').executeTakeFirst());
  return setting?.value !== false;
}

export async function signUpOrganization(services: Services, req: AuthRequest, input: NewOrganizationInput): Promise<SignedIn> {
  // First, so a closed portal neither hashes passwords nor tells which e-mails or addresses exist.
  if (!(await organizationSignUpOpen(services))) {
    throw new AppError('signup_closed', 'This portal does not take new organizations; ask an administrator of your organization for an invitation');
  }
  const problems = passwordProblems(input.admin.password, { email: input.admin.email, names: [input.admin.first_name, input.admin.last_name] });
  if (problems.length) throw weakPassword(problems, 'body.admin.password');
  const passwordHash = await hashPassword(input.admin.password);
  const result = await withAuthScope(services.database.db, async (trx) => {
    if (await findUserByEmail(trx, input.admin.email)) {
      throw new AppError('email_exists', 'An account with this e-mail exists; sign in and create the organization from there', [{ field: 'body.admin.email', message: 'Already registered' }]);
    }
    const slugTaken = await trx.selectFrom('organizations').select('id').where('slug', '=', input.slug).executeTakeFirst();
    if (slugTaken) throw new AppError('conflict', 'This address is taken', [{ field: 'body.slug', message: 'Already in use' }]);
    const organizationId = randomUUID();
    const userId = randomUUID();
    await setActingUser(trx, userId, organizationId);
    await trx.insertInto('organizations').values({ id: organizationId, name: input.name, slug: input.slug }).execute();
    const user = await trx.insertInto('users').values({
      id: userId, email: input.admin.email, first_name: input.admin.first_name, last_name: input.admin.last_name,
      password_hash: passwordHash, password_changed_at: new Date(),
    }).returningAll().executeTakeFirstOrThrow();
    await trx.insertInto('memberships').values({ organization_id: organizationId, user_id: userId, role: 'admin', is_primary: true }).execute();
    const audit = origin(req, organizationId, userId);
    await recordAudit(trx, audit, { entityType: 'organization', entityId: organizationId, action: 'create', after: { name: input.name, slug: input.slug } });
    await recordAudit(trx, audit, { entityType: 'user', entityId: userId, action: 'create', after: { email: user.email, role: 'admin' } });
    await queueMail(trx, services, await verificationEmail(trx, services, user));
    const memberships = await activeMemberships(trx, userId);
    const tokens = await startSession(trx, services.tokens, { userId, organizationId, role: 'admin' }, { rememberMe: false, ...req });
    return { user, organization: memberships[0]!, memberships, tokens };
  });
  return result;
}

export interface RegisterInput {
  invitation_token?: string | undefined;
  organization_id?: string | undefined;
  email?: string | undefined;
  password: string;
  first_name?: string | undefined;
  last_name?: string | undefined;
}

/**
 * Creates the account from an invitation (or adds the membership to an existing account, which
 * must then prove it knows its password). Registration by organization id alone works only
 * where the organization allows open registration.
 */
export async function register(services: Services, req: AuthRequest, input: RegisterInput): Promise<SignInResult> {
  const { db } = services.database;
  const result = await withAuthScope(db, async (trx): Promise<SignInResult> => {
    let organizationId: string;
    let role: Role = 'artist';
    let email: string;
    let invitationId: string | null = null;
    let names = { first: input.first_name, last: input.last_name };
    let department: string | null = null;
    if (input.invitation_token) {
      const invitation = await trx.selectFrom('invitations').selectAll()
        .where('token_hash', '=', hashInvitationToken(input.invitation_token)).executeTakeFirst();
      if (!invitation || invitation.accepted_at || invitation.revoked_at || invitation.expires_at <= new Date()) {
        throw new AppError('invalid_token', 'This invitation link is not valid any more; ask for a new one');
      }
      organizationId = invitation.organization_id;
      role = invitation.role;
      email = invitation.email;
      invitationId = invitation.id;
      department = invitation.department;
      names = { first: input.first_name ?? invitation.first_name ?? undefined, last: input.last_name ?? invitation.last_name ?? undefined };
    } else {
      if (!input.organization_id || !input.email) throw new AppError('validation_error', 'Send invitation_token (or organization_id and email where open registration is allowed)');
      const org = await trx.selectFrom('organizations').select(['id', 'settings']).where('id', '=', input.organization_id).executeTakeFirst();
      if (!org || (org.settings as { allow_open_registration?: boolean }).allow_open_registration !== true) {
        throw new AppError('forbidden', 'This organization accepts new people by invitation only');
      }
      organizationId = org.id;
      email = input.email;
    }
    const existing = await findUserByEmail(trx, email);
    let user: User;
    if (existing) {
      if (!(await verifyPassword(existing.password_hash, input.password))) {
        throw new AppError('email_exists', 'An account with this e-mail exists; enter its password to join the organization', [{ field: 'body.password', message: 'Use the password of your existing account' }]);
      }
      user = existing;
      await setActingUser(trx, user.id, organizationId);
      const member = await trx.selectFrom('memberships').select('id').where('organization_id', '=', organizationId).where('user_id', '=', user.id).executeTakeFirst();
      if (member) throw new AppError('conflict', 'You are already a member of this organization');
    } else {
      if (!names.first || !names.last) {
        throw new AppError('validation_error', 'First and last name are required', [
          ...(names.first ? [] : [{ field: 'body.first_name', message: 'Required' }]),
          ...(names.last ? [] : [{ field: 'body.last_name', message: 'Required' }]),
        ]);
      }
      const problems = passwordProblems(input.password, { email, names: [names.first, names.last] });
      if (problems.length) throw weakPassword(problems);
      const id = randomUUID();
      await setActingUser(trx, id, organizationId);
      user = await trx.insertInto('users').values({
        id, email, first_name: names.first, last_name: names.last, password_hash: await hashPassword(input.password),
        password_changed_at: new Date(),
        // An invitation link reached this inbox, which proves the address.
        email_verified_at: invitationId ? new Date() : null,
      }).returningAll().executeTakeFirstOrThrow();
      if (!invitationId) await queueMail(trx, services, await verificationEmail(trx, services, user));
    }
    await trx.insertInto('memberships').values({ organization_id: organizationId, user_id: user.id, role, department, is_primary: !existing }).execute();
    if (invitationId) await trx.updateTable('invitations').set({ accepted_at: new Date() }).where('id', '=', invitationId).execute();
    await recordAudit(trx, origin(req, organizationId, user.id), {
      entityType: 'membership', entityId: user.id, action: invitationId ? 'invitation.accepted' : 'member.registered', after: { email: user.email, role },
    });
    // An existing account with two-factor on joins, then completes the sign-in with a code.
    if (user.totp_enabled_at) return startChallenge(trx, user.id, organizationId, false);
    const memberships = await activeMemberships(trx, user.id);
    const chosen = memberships.find((m) => m.organization_id === organizationId)!;
    const tokens = await startSession(trx, services.tokens, { userId: user.id, organizationId, role }, { rememberMe: false, ...req });
    return { user, organization: chosen, memberships, tokens };
  });
  return result;
}

// ---------------------------------------------------------------------------------------------
// Tokens and sessions.

export async function refresh(services: Services, req: AuthRequest, refreshToken: string): Promise<IssuedTokens> {
  const rotation = await withAuthScope(services.database.db, (trx) => rotateRefresh(trx, services.tokens, refreshToken, req));
  if (!rotation.ok) throw rotation.error;
  return rotation.tokens;
}

export async function logout(services: Services, req: AuthRequest, who: { userId: string; organizationId: string; sessionId?: string | undefined }, everywhere: boolean) {
  await withAuthScope(services.database.db, async (trx) => {
    await setActingUser(trx, who.userId, who.organizationId);
    if (everywhere) await revokeUserSessions(trx, who.userId, 'logout_all');
    else if (who.sessionId) await revokeSession(trx, who.sessionId, 'logout');
    await recordAudit(trx, origin(req, who.organizationId, who.userId), { entityType: 'session', entityId: who.sessionId ?? null, action: everywhere ? 'auth.logout_all' : 'auth.logout' });
  }, who.userId);
}

export async function switchOrganization(services: Services, req: AuthRequest, who: { userId: string; sessionId?: string | undefined }, organizationId: string): Promise<SignedIn> {
  return withAuthScope(services.database.db, async (trx) => {
    const user = await findUserById(trx, who.userId);
    if (!user?.is_active) throw new AppError('invalid_token');
    const memberships = await activeMemberships(trx, who.userId);
    const chosen = chooseMembership(memberships, organizationId);
    if (!chosen) throw new AppError('not_found', 'Organization not found');
    // The current session ends; a new one starts in the other organization, signed in the same way.
    const current = who.sessionId
      ? await trx.selectFrom('auth_sessions').select(['mfa_verified', 'sign_in_method']).where('id', '=', who.sessionId).where('user_id', '=', who.userId).executeTakeFirst()
      : undefined;
    if (who.sessionId) await revokeSession(trx, who.sessionId, 'logout');
    const tokens = await startSession(trx, services.tokens, { userId: who.userId, organizationId: chosen.organization_id, role: chosen.role }, { rememberMe: false, mfaVerified: current?.mfa_verified ?? false, method: current?.sign_in_method ?? 'password', ...req });
    await setActingUser(trx, who.userId, chosen.organization_id);
    await recordAudit(trx, origin(req, chosen.organization_id, who.userId), { entityType: 'session', entityId: tokens.session_id, action: 'auth.switch_organization' });
    return { user, organization: chosen, memberships, tokens };
  }, who.userId);
}

export function me(services: Services, who: { userId: string; organizationId: string }) {
  return withAuthScope(services.database.db, async (trx) => {
    const user = await findUserById(trx, who.userId);
    if (!user) throw new AppError('invalid_token');
    const memberships = await activeMemberships(trx, who.userId);
    const current = memberships.find((m) => m.organization_id === who.organizationId);
    if (!current) throw new AppError('invalid_token', 'Your membership of this organization has ended');
    return { user, organization: current, memberships };
  }, who.userId);
}

export function listSessions(services: Services, userId: string) {
  return withAuthScope(services.database.db, (trx) => trx.selectFrom('auth_sessions')
    .select(['id', 'organization_id', 'ip', 'user_agent', 'created_at', 'last_used_at', 'expires_at', 'remember_me'])
    .where('user_id', '=', userId).where('revoked_at', 'is', null).where('expires_at', '>', new Date())
    .orderBy('last_used_at', 'desc').limit(100).execute(), userId);
}

export async function revokeOwnSession(services: Services, req: AuthRequest, who: { userId: string; organizationId: string }, sessionId: string) {
  await withAuthScope(services.database.db, async (trx) => {
    const session = await trx.selectFrom('auth_sessions').select(['id', 'revoked_at']).where('id', '=', sessionId).where('user_id', '=', who.userId).executeTakeFirst();
    if (!session || session.revoked_at) throw new AppError('not_found', 'Session not found');
    await revokeSession(trx, sessionId, 'revoked_by_user');
    await setActingUser(trx, who.userId, who.organizationId);
    await recordAudit(trx, origin(req, who.organizationId, who.userId), { entityType: 'session', entityId: sessionId, action: 'auth.session_revoked' });
  }, who.userId);
}

// ---------------------------------------------------------------------------------------------
// Passwords and e-mail verification.

async function oneTimeToken(trx: Tx, userId: string, purpose: 'password_reset' | 'email_verification', ttlMs: number) {
  // A new link replaces any earlier unused one.
  await trx.updateTable('auth_tokens').set({ used_at: new Date() }).where('user_id', '=', userId).where('purpose', '=', purpose).where('used_at', 'is', null).execute();
  const token = newSecret();
  await trx.insertInto('auth_tokens').values({ user_id: userId, purpose, token_hash: sha256(token), expires_at: new Date(Date.now() + ttlMs) }).execute();
  return token;
}

async function verificationEmail(trx: Tx, services: Services, user: User): Promise<MailMessage> {
  const token = await oneTimeToken(trx, user.id, 'email_verification', VERIFY_TOKEN_TTL_MS);
  return linkEmail({
    to: user.email,
    subject: 'Confirm your e-mail address',
    intro: `Hello ${user.first_name}, please confirm that this is your e-mail address for BIG Live Portal.`,
    action: 'Confirm e-mail',
    url: `${services.config.publicUrl}/verify-email?token=${token}`,
  });
}

const resetRequestField = { table: 'jobs', rowId: 'auth.password-reset', column: 'email' } as const;

/**
 * Always answers the same, doing the same work for known and unknown addresses: the request only
 * queues the (sealed) address; the job looks the account up and sends the link. So neither the
 * answer nor its timing tells whether an account exists.
 */
export async function forgotPassword(services: Services, _req: AuthRequest, email: string): Promise<void> {
  await withAuthScope(services.database.db, (trx) =>
    services.jobs.enqueue(trx, passwordResetJob, { sealed: services.fieldCipher.encrypt(email.toLowerCase(), resetRequestField) }));
}

/** The job's part: a link (valid 1 hour, once) goes out only when the account exists and is active. */
export async function sendPasswordReset(services: Services, sealed: string): Promise<void> {
  const email = services.fieldCipher.decrypt(sealed, resetRequestField);
  await withAuthScope(services.database.db, async (trx) => {
    const user = await findUserByEmail(trx, email);
    if (!user?.is_active) return;
    const token = await oneTimeToken(trx, user.id, 'password_reset', RESET_TOKEN_TTL_MS);
    // The link is built from configuration, never from the request's Host header.
    await queueMail(trx, services, linkEmail({
      to: user.email,
      subject: 'Reset your BIG Live Portal password',
      intro: `Hello ${user.first_name}, someone asked to reset the password of your account. The link works once, for one hour.`,
      action: 'Choose a new password',
      url: `${services.config.publicUrl}/reset-password?token=${token}`,
      outro: 'If you did not ask for this, ignore this e-mail; your password stays as it is.',
    }));
  });
}

/** Set by auth.jobs.ts (avoids an import cycle). */
let passwordResetJob: JobDefinition<{ sealed: string }>;
export function usePasswordResetJob(job: JobDefinition<{ sealed: string }>) {
  passwordResetJob = job;
}

async function consumeToken(trx: Tx, token: string, purpose: 'password_reset' | 'email_verification') {
  const row = await trx.selectFrom('auth_tokens').selectAll().where('token_hash', '=', sha256(token)).where('purpose', '=', purpose).forUpdate().executeTakeFirst();
  if (!row || row.used_at || row.expires_at <= new Date()) throw new AppError('invalid_token', 'This link is not valid any more; ask for a new one');
  await trx.updateTable('auth_tokens').set({ used_at: new Date() }).where('id', '=', row.id).execute();
  return row;
}

export async function resetPassword(services: Services, req: AuthRequest, token: string, password: string): Promise<void> {
  await withAuthScope(services.database.db, async (trx) => {
    const row = await consumeToken(trx, token, 'password_reset');
    const user = await findUserById(trx, row.user_id);
    if (!user) throw new AppError('invalid_token');
    const problems = passwordProblems(password, { email: user.email, names: [user.first_name, user.last_name] });
    if (problems.length) throw weakPassword(problems);
    await setActingUser(trx, user.id);
    await trx.updateTable('users').set({ password_hash: await hashPassword(password), password_changed_at: new Date(), email_verified_at: user.email_verified_at ?? new Date() })
      .where('id', '=', user.id).execute();
    // A reset link proves the mailbox, not the second factor: wrong codes keep counting.
    if (!user.totp_enabled_at) await clearFailures(trx, hashEmail(user.email));
    await revokeUserSessions(trx, user.id, 'password_changed');
    await trx.deleteFrom('mfa_challenges').where('user_id', '=', user.id).execute();
    for (const m of await activeMemberships(trx, user.id)) {
      await setActingUser(trx, user.id, m.organization_id);
      await recordAudit(trx, origin(req, m.organization_id, user.id), { entityType: 'user', entityId: user.id, action: 'auth.password_reset' });
    }
  });
}

export async function changePassword(services: Services, req: AuthRequest, who: { userId: string; organizationId: string; sessionId?: string | undefined }, current: string, next: string) {
  await withAuthScope(services.database.db, async (trx) => {
    const user = await findUserById(trx, who.userId);
    if (!user || !(await verifyPassword(user.password_hash, current))) {
      throw new AppError('invalid_credentials', 'The current password is incorrect', [{ field: 'body.current_password', message: 'Incorrect' }]);
    }
    const problems = passwordProblems(next, { email: user.email, names: [user.first_name, user.last_name] });
    if (problems.length) throw weakPassword(problems, 'body.new_password');
    await trx.updateTable('users').set({ password_hash: await hashPassword(next), password_changed_at: new Date() }).where('id', '=', user.id).execute();
    const ended = await revokeUserSessions(trx, user.id, 'password_changed', who.sessionId ? { except: who.sessionId } : {});
    await trx.deleteFrom('mfa_challenges').where('user_id', '=', user.id).execute();
    await setActingUser(trx, who.userId, who.organizationId);
    await recordAudit(trx, origin(req, who.organizationId, who.userId), { entityType: 'user', entityId: user.id, action: 'auth.password_changed', after: { other_sessions_ended: ended } });
    await notify({ organizationId: who.organizationId, trx, enqueue: (job, payload) => services.jobs.enqueue(trx, job, payload) }, {
      type: 'account_security', recipients: [user.id], priority: 'high', link: '/account/security',
      subject: 'Your password was changed',
      body: `The password of your BIG Live Portal account was changed${ended ? `, and ${ended} other session${ended === 1 ? ' was' : 's were'} signed out` : ''}. If this was not you, reset your password at once and tell your administrator.`,
    });
  }, who.userId);
}

export async function verifyEmail(services: Services, token: string): Promise<void> {
  await withAuthScope(services.database.db, async (trx) => {
    const row = await consumeToken(trx, token, 'email_verification');
    await trx.updateTable('users').set({ email_verified_at: new Date() }).where('id', '=', row.user_id).execute();
  });
}

export async function resendVerification(services: Services, req: AuthRequest, userId: string) {
  await withAuthScope(services.database.db, async (trx) => {
    const user = await findUserById(trx, userId);
    if (!user || user.email_verified_at) return;
    await queueMail(trx, services, await verificationEmail(trx, services, user));
  }, userId);
}
