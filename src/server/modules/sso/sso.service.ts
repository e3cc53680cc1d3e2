import { randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import { authorize } from '../../auth/policy.js';
import { recordAudit } from '../../audit/audit.service.js';
import type { FieldContext } from '../../crypto/field-encryption.js';
import type { SsoConfiguration } from '../../db/schema.js';
import type { RequestContext } from '../../http/context.js';
import { AppError, notFound } from '../../http/errors.js';
import type { Services } from '../../services.js';
import { activeMemberships, findUserByEmail, findUserById, setActingUser, withAuthScope } from '../auth/auth.queries.js';
import { origin, type AuthRequest, type SignedIn } from '../auth/auth.service.js';
import { sha256, startSession } from '../auth/sessions.js';
import { describe, type ProviderSettings } from './oidc-clients.js';
import * as queries from './sso.queries.js';
import type { SsoConfigInput } from './sso.schemas.js';

const ATTEMPT_TTL_MS = 10 * 60 * 1000;
export const CALLBACK_PATH = '/api/v1/auth/sso/callback';

const secretField = (organizationId: string): FieldContext => ({ table: 'sso_configurations', rowId: organizationId, column: 'client_secret' });
const verifierField = (attemptId: string): FieldContext => ({ table: 'sso_login_attempts', rowId: attemptId, column: 'code_verifier' });

export const redirectUri = (publicUrl: string) => `${publicUrl}${CALLBACK_PATH}`;
export const signInUrl = (publicUrl: string, slug: string) => `${publicUrl}/api/v1/auth/sso/${slug}/start`;

function providerSettings(services: Services, config: SsoConfiguration): ProviderSettings {
  return {
    issuer: config.issuer,
    clientId: config.client_id,
    clientSecret: config.client_secret_encrypted ? services.fieldCipher.decrypt(config.client_secret_encrypted, secretField(config.organization_id)) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Configuration (administrators).

export async function getConfig(ctx: RequestContext): Promise<SsoConfiguration> {
  authorize(ctx.actor, 'sso:read');
  const config = await queries.findConfig(ctx.trx, ctx.organizationId);
  if (!config) throw notFound('Single sign-on configuration');
  return config;
}

/**
 * Checks that the provider answers its discovery document with these credentials before
 * anything is saved, so a typo in the issuer is reported now rather than at the next sign-in.
 */
export async function checkProvider(services: Services, input: SsoConfigInput, storedSecret: string | null): Promise<void> {
  const clientSecret = input.client_secret === undefined ? storedSecret : input.client_secret;
  await services.oidcClients.get({ issuer: input.issuer, clientId: input.client_id, clientSecret });
}

/** The stored secret in clear, for a change that keeps it (client_secret omitted). */
export async function storedSecret(services: Services, ctx: RequestContext): Promise<string | null> {
  authorize(ctx.actor, 'sso:configure');
  const current = await queries.findConfig(ctx.trx, ctx.organizationId);
  return current ? providerSettings(services, current).clientSecret : null;
}

export async function saveConfig(services: Services, ctx: RequestContext, input: SsoConfigInput): Promise<SsoConfiguration> {
  authorize(ctx.actor, 'sso:configure');
  const before = await queries.findConfig(ctx.trx, ctx.organizationId);
  const secret = input.client_secret === undefined
    ? before?.client_secret_encrypted ?? null
    : input.client_secret === null ? null : services.fieldCipher.encrypt(input.client_secret, secretField(ctx.organizationId));
  const { client_secret: _secret, ...settings } = input;
  const saved = await queries.upsertConfig(ctx.trx, ctx.organizationId, { ...settings, client_secret_encrypted: secret });
  const visible = (c: SsoConfiguration | undefined) => c && {
    issuer: c.issuer, client_id: c.client_id, scopes: c.scopes, allowed_roles: c.allowed_roles,
    trust_idp_mfa: c.trust_idp_mfa, enabled: c.enabled, display_name: c.display_name, client_secret_set: c.client_secret_encrypted !== null,
  };
  await ctx.audit({
    entityType: 'sso_configuration', entityId: ctx.organizationId, action: before ? 'update' : 'create',
    before: visible(before) ?? null, after: { ...visible(saved), client_secret_changed: input.client_secret !== undefined },
  });
  return saved;
}

export async function deleteConfig(ctx: RequestContext): Promise<void> {
  authorize(ctx.actor, 'sso:configure');
  const removed = await queries.deleteConfig(ctx.trx, ctx.organizationId);
  if (!removed) throw notFound('Single sign-on configuration');
  await ctx.audit({ entityType: 'sso_configuration', entityId: ctx.organizationId, action: 'delete', before: { issuer: removed.issuer, client_id: removed.client_id } });
}

// ---------------------------------------------------------------------------------------------
// Sign-in: authorization code flow with PKCE, state and nonce.

export function findSignInOption(services: Services, slug: string) {
  return withAuthScope(services.database.db, async (trx) => {
    const config = await queries.findEnabledConfigBySlug(trx, slug);
    if (!config) throw notFound('Single sign-on for this organization');
    return config;
  });
}

/** Where to send the browser: the provider's authorization endpoint for a new, single-use attempt. */
export async function startSignIn(services: Services, slug: string, options: { returnTo: string; rememberMe: boolean }): Promise<URL> {
  const config = await findSignInOption(services, slug);
  const client = await services.oidcClients.get(providerSettings(services, config));
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const id = randomUUID();
  await withAuthScope(services.database.db, async (trx) => {
    await queries.purgeAttempts(trx);
    await queries.insertAttempt(trx, {
      id,
      organization_id: config.organization_id,
      state_hash: sha256(state),
      code_verifier_encrypted: services.fieldCipher.encrypt(verifier, verifierField(id)),
      nonce,
      return_to: options.returnTo,
      remember_me: options.rememberMe,
      expires_at: new Date(Date.now() + ATTEMPT_TTL_MS),
    });
  });
  return oidc.buildAuthorizationUrl(client, {
    redirect_uri: redirectUri(services.config.publicUrl),
    scope: config.scopes,
    response_type: 'code',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
}

export interface SsoSignedIn extends SignedIn {
  returnTo: string;
  rememberMe: boolean;
}

/**
 * The provider sent the browser back with a code. The attempt (found by its state) is used up
 * first, whatever happens next, so a replayed callback never gets a second chance; then the
 * code is exchanged with the PKCE verifier and the ID token checked (issuer, audience,
 * signature, nonce). The person must already be a member with a role the configuration allows.
 */
export async function completeSignIn(services: Services, req: AuthRequest, params: Record<string, unknown>, search: string): Promise<SsoSignedIn> {
  const { db } = services.database;
  const state = typeof params.state === 'string' ? params.state : '';
  const attempt = state ? await withAuthScope(db, (trx) => queries.consumeAttempt(trx, sha256(state))) : undefined;
  if (!attempt) throw new AppError('invalid_token', 'This single sign-on has expired or was already used; start again from the sign-in page');

  const fail = async (detail: string, error: AppError = new AppError('sso_failed', detail)): Promise<never> => {
    await withAuthScope(db, async (trx) => {
      await setActingUser(trx, null, attempt.organization_id);
      await recordAudit(trx, origin(req, attempt.organization_id, null), {
        entityType: 'sso_login', entityId: attempt.id, action: 'auth.sso_failed', after: { reason: detail.slice(0, 300) },
      });
    });
    throw error;
  };

  const config = await withAuthScope(db, (trx) => queries.findConfig(trx, attempt.organization_id));
  if (!config?.enabled) return fail('Single sign-on is no longer enabled for this organization');
  const client = await services.oidcClients.get(providerSettings(services, config));
  const verifier = services.fieldCipher.decrypt(attempt.code_verifier_encrypted, verifierField(attempt.id));

  let claims: oidc.IDToken;
  try {
    const tokens = await oidc.authorizationCodeGrant(client, new URL(`${redirectUri(services.config.publicUrl)}${search}`), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: attempt.nonce,
      idTokenExpected: true,
    });
    const idToken = tokens.claims();
    if (!idToken) return await fail('The identity provider answered without an ID token');
    claims = idToken;
    // Conformant providers put scope-requested claims in the ID token only when no access token
    // is issued; the e-mail then comes from the UserInfo endpoint (for the same subject).
    if (typeof claims.email !== 'string' && client.serverMetadata().userinfo_endpoint) {
      const info = await oidc.fetchUserInfo(client, tokens.access_token, claims.sub);
      claims = { ...claims, email: info.email, email_verified: info.email_verified };
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    req.log.warn({ err: describe(err), organizationId: attempt.organization_id }, 'single sign-on refused');
    if (err instanceof oidc.AuthorizationResponseError) return fail(`The identity provider did not sign you in: ${describe(err)}`);
    if (err instanceof oidc.ResponseBodyError) return fail(`The identity provider refused the sign-in code: ${describe(err)}`);
    if (err instanceof TypeError || (err instanceof Error && /fetch|network|timeout|ECONN/i.test(`${err.message} ${String(err.cause)}`))) {
      return fail(`The identity provider could not be reached: ${describe(err)}`, new AppError('identity_provider_unavailable', 'The identity provider could not be reached; try again in a moment'));
    }
    return fail(`The identity provider's answer failed its checks: ${describe(err)}`);
  }

  const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : null;
  const amr = Array.isArray(claims.amr) ? claims.amr : [];
  const mfaVerified = config.trust_idp_mfa || amr.includes('mfa');

  type Outcome = { ok: true; signedIn: SsoSignedIn } | { ok: false; reason: string; forbidden?: boolean };
  const outcome = await withAuthScope(db, async (trx): Promise<Outcome> => {
    const linked = await queries.findIdentity(trx, attempt.organization_id, claims.iss, claims.sub);
    let user = linked ? await findUserById(trx, linked.user_id) : undefined;
    if (!linked) {
      // First sign-in: link by e-mail, unless the provider says the address is not verified.
      if (!email) return { ok: false, reason: 'The identity provider did not share an e-mail address (add the email scope or claim)' };
      if (claims.email_verified === false) return { ok: false, reason: 'The identity provider has not verified this e-mail address' };
      user = await findUserByEmail(trx, email);
    }
    if (!user?.is_active) return { ok: false, reason: 'No portal account matches this identity', forbidden: true };
    const membership = (await activeMemberships(trx, user.id)).find((m) => m.organization_id === attempt.organization_id);
    if (!membership || !config.allowed_roles.includes(membership.role)) {
      return { ok: false, reason: 'Your account may not use single sign-on in this organization', forbidden: true };
    }
    if (linked) await queries.touchIdentity(trx, linked.id);
    else await queries.linkIdentity(trx, { user_id: user.id, organization_id: attempt.organization_id, issuer: claims.iss, subject: claims.sub });

    const memberships = await activeMemberships(trx, user.id);
    await trx.updateTable('users').set({ last_login_at: new Date() }).where('id', '=', user.id).execute();
    const tokens = await startSession(trx, services.tokens, { userId: user.id, organizationId: membership.organization_id, role: membership.role }, {
      rememberMe: attempt.remember_me, mfaVerified, method: 'sso', ...req,
    });
    await setActingUser(trx, user.id, membership.organization_id);
    await recordAudit(trx, origin(req, membership.organization_id, user.id), {
      entityType: 'session', entityId: tokens.session_id, action: 'auth.login',
      after: { method: 'sso', issuer: claims.iss, identity_linked: !linked, mfa: mfaVerified, remember_me: attempt.remember_me },
    });
    return { ok: true, signedIn: { user, organization: membership, memberships, tokens, returnTo: attempt.return_to, rememberMe: attempt.remember_me } };
  });
  if (!outcome.ok) return fail(outcome.reason, new AppError(outcome.forbidden ? 'forbidden' : 'sso_failed', outcome.reason));
  return outcome.signedIn;
}
