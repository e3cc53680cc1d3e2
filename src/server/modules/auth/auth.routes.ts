import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clientKey } from '../../http/client-address.js';
import { requireActor } from '../../http/context.js';
import { AppError } from '../../http/errors.js';
import { idParams, problems } from '../../http/schemas.js';
import type { User } from '../../db/schema.js';
import type { MembershipSummary } from './auth.queries.js';
import {
  accountSchema, changePasswordBody, forgotBody, invitationLookupBody, invitationPreviewSchema, loginBody, logoutBody, messageSchema, refreshBody, registerBody,
  resetBody, sessionSchema, signedInSchema, signUpBody, switchBody, tokensSchema, verifyEmailBody,
} from './auth.schemas.js';
import * as auth from './auth.service.js';
import { mfaRoutes } from './mfa.routes.js';
import { clearRefreshCookie, REFRESH_COOKIE, setRefreshCookie } from './refresh-cookie.js';
import { loginResultSchema, loginSecondStepBody, signedInWithMfaSchema } from './mfa.schemas.js';
import * as mfa from './mfa.service.js';
import type { IssuedTokens } from './sessions.js';


function presentUser(u: User) {
  return { id: u.id, email: u.email, first_name: u.first_name, last_name: u.last_name, email_verified: Boolean(u.email_verified_at), totp_enabled: Boolean(u.totp_enabled_at) };
}

function presentMembership(m: MembershipSummary) {
  return { organization_id: m.organization_id, name: m.name, slug: m.slug, role: m.role };
}

export const authRoutes: FastifyPluginAsyncZod = async (app) => {
  const { services } = app;
  const { config } = services;
  const allowedOrigins = new Set([new URL(config.publicUrl).origin, ...config.CORS_ORIGINS]);

  const authReq = (req: FastifyRequest): auth.AuthRequest => ({ ip: req.ip, userAgent: req.headers['user-agent'] ?? null, requestId: req.id, log: req.log });

  /** The web app gets the refresh token as an HttpOnly cookie; API clients in the body. */
  function deliver(reply: FastifyReply, tokens: IssuedTokens, useCookie: boolean, rememberMe = false) {
    const { session_id: _sessionId, remember_me: _remembered, ...rest } = tokens;
    if (!useCookie) return rest;
    setRefreshCookie(reply, config, tokens, rememberMe);
    const { refresh_token: _refresh, ...withoutRefresh } = rest;
    return withoutRefresh;
  }

  const signedIn = (reply: FastifyReply, result: auth.SignedIn, useCookie: boolean, rememberMe = false) => ({
    user: presentUser(result.user),
    organization: presentMembership(result.organization),
    role: result.organization.role,
    memberships: result.memberships.map(presentMembership),
    tokens: deliver(reply, result.tokens, useCookie, rememberMe),
  });

  /** Signed in, or the second step (two-factor) is still due: no tokens, no session yet. */
  const signInResult = (reply: FastifyReply, result: auth.SignInResult, useCookie: boolean, rememberMe = false) =>
    'mfa_required' in result ? result : signedIn(reply, result, useCookie, rememberMe);

  /** Cookie-borne requests must come from our own pages (CSRF defence on top of SameSite). */
  function cookieToken(req: FastifyRequest): string {
    const origin = req.headers.origin;
    if (!origin || !allowedOrigins.has(origin)) throw new AppError('forbidden', 'Cookie refresh is only accepted from the portal itself');
    const token = req.cookies[REFRESH_COOKIE];
    if (!token) throw new AppError('invalid_token', 'No refresh token; sign in again');
    return token;
  }

  // Brute-force defence per client address, on top of the per-account lockout.
  const loginRateLimit = {
    max: 5,
    timeWindow: '1 minute',
    keyGenerator: (req: FastifyRequest) => `login:${clientKey(req.ip)}`,
    errorResponseBuilder: (_req: FastifyRequest, ctx: { ttl: number }) =>
      new AppError('too_many_attempts', 'Too many sign-in attempts from this address; wait a minute', undefined, undefined, { retry_after: Math.max(1, Math.ceil(ctx.ttl / 1000)) }),
  };

  app.post('/auth/login', {
    config: { public: true, rateLimit: loginRateLimit },
    schema: {
      tags: ['auth'], summary: 'Sign in with e-mail and password (accounts with two-factor then need POST /auth/login/2fa)', security: [], body: loginBody,
      response: { 200: loginResultSchema, ...problems(400, 401, 403, 429) },
    },
  }, async (req, reply) => {
    const result = await auth.login(services, authReq(req), req.body);
    return signInResult(reply, result, req.body.use_cookie, req.body.remember_me);
  });

  app.post('/auth/login/2fa', {
    config: { public: true, rateLimit: { ...loginRateLimit, max: 10, keyGenerator: (req: FastifyRequest) => `login-2fa:${clientKey(req.ip)}` } },
    schema: {
      tags: ['auth'], summary: 'Complete a sign-in with a TOTP code or a backup code', security: [], body: loginSecondStepBody,
      response: { 200: signedInWithMfaSchema, ...problems(400, 401, 403, 429) },
    },
  }, async (req, reply) => {
    const result = await mfa.completeSignIn(services, authReq(req), req.body);
    return {
      ...signedIn(reply, result, req.body.use_cookie, result.rememberMe),
      method: result.method,
      ...(result.backup_codes_remaining !== undefined ? { backup_codes_remaining: result.backup_codes_remaining } : {}),
    };
  });

  // Lets the sign-up page say up front that the portal takes no new organizations.
  app.get('/organizations/signup', {
    config: { public: true },
    schema: {
      tags: ['auth'], summary: 'Whether POST /organizations takes new organizations on this portal', security: [],
      response: { 200: z.object({ open: z.boolean().describe('false: sign-up answers 403 signup_closed') }) },
    },
  }, async () => ({ open: await auth.organizationSignUpOpen(services) }));

  app.post('/organizations', {
    config: { public: true, rateLimit: { ...loginRateLimit, keyGenerator: (req: FastifyRequest) => `signup:${clientKey(req.ip)}` } },
    schema: { tags: ['auth'], summary: 'Sign up a new organization and its first administrator', security: [], body: signUpBody, response: { 201: signedInSchema, ...problems(400, 403, 409, 429) } },
  }, async (req, reply) => {
    const result = await auth.signUpOrganization(services, authReq(req), req.body);
    void reply.code(201);
    return signedIn(reply, result, req.body.use_cookie);
  });

  app.post('/auth/register', {
    config: { public: true, rateLimit: { ...loginRateLimit, max: 10, keyGenerator: (req: FastifyRequest) => `register:${clientKey(req.ip)}` } },
    schema: {
      tags: ['auth'], summary: 'Create an account from an invitation (or join with an existing account; with two-factor on, then POST /auth/login/2fa)', security: [], body: registerBody,
      response: { 201: loginResultSchema, ...problems(400, 401, 403, 409, 429) },
    },
  }, async (req, reply) => {
    const result = await auth.register(services, authReq(req), req.body);
    void reply.code(201);
    return signInResult(reply, result, req.body.use_cookie);
  });

  app.post('/auth/invitations/preview', {
    config: { public: true, rateLimit: { ...loginRateLimit, max: 20, keyGenerator: (req: FastifyRequest) => `invitation-preview:${clientKey(req.ip)}` } },
    schema: {
      tags: ['auth'], summary: 'Who invites, for which address and role (the accept page, before registering)', security: [],
      body: invitationLookupBody, response: { 200: invitationPreviewSchema, ...problems(400, 401, 429) },
    },
  }, (req) => auth.previewInvitation(services, req.body.token));

  app.post('/auth/refresh', {
    config: { public: true },
    schema: { tags: ['auth'], summary: 'Exchange a refresh token for a new pair (each refresh token works once)', security: [], body: refreshBody, response: { 200: tokensSchema, ...problems(400, 401, 403) } },
  }, async (req, reply) => {
    const token = req.body.use_cookie || !req.body.refresh_token ? cookieToken(req) : req.body.refresh_token;
    const tokens = await auth.refresh(services, authReq(req), token);
    return deliver(reply, tokens, req.body.use_cookie || !req.body.refresh_token);
  });

  app.post('/auth/logout', {
    config: { allowDuringMfaEnrolment: true },
    schema: { tags: ['auth'], summary: 'End this session (or every session with everywhere: true)', body: logoutBody, response: { 204: z.null(), ...problems(401) } },
  }, async (req, reply) => {
    const actor = requireActor(req);
    await auth.logout(services, authReq(req), actor, req.body.everywhere);
    clearRefreshCookie(reply);
    return reply.code(204).send(null);
  });

  app.post('/auth/switch-organization', {
    config: { allowDuringMfaEnrolment: true },
    schema: { tags: ['auth'], summary: 'New tokens for another of your organizations', body: switchBody, response: { 200: signedInSchema, ...problems(400, 401, 404) } },
  }, async (req, reply) => {
    const actor = requireActor(req);
    const result = await auth.switchOrganization(services, authReq(req), actor, req.body.organization_id);
    return signedIn(reply, result, req.body.use_cookie);
  });

  app.get('/auth/me', {
    config: { allowDuringMfaEnrolment: true },
    schema: { tags: ['auth'], summary: 'Who is signed in, where, and which organizations they can switch to', response: { 200: accountSchema, ...problems(401) } },
  }, async (req) => {
    const result = await auth.me(services, requireActor(req));
    return { user: presentUser(result.user), organization: presentMembership(result.organization), role: result.organization.role, memberships: result.memberships.map(presentMembership) };
  });

  app.get('/auth/sessions', {
    schema: { tags: ['auth'], summary: 'Your active sessions (devices)', response: { 200: z.object({ data: z.array(sessionSchema) }), ...problems(401) } },
  }, async (req) => {
    const actor = requireActor(req);
    const rows = await auth.listSessions(services, actor.userId);
    return {
      data: rows.map((s) => ({
        ...s,
        created_at: s.created_at.toISOString(), last_used_at: s.last_used_at.toISOString(), expires_at: s.expires_at.toISOString(),
        current: s.id === actor.sessionId,
      })),
    };
  });

  app.delete('/auth/sessions/:id', {
    schema: { tags: ['auth'], summary: 'End one of your sessions', params: idParams, response: { 204: z.null(), ...problems(401, 404) } },
  }, async (req, reply) => {
    await auth.revokeOwnSession(services, authReq(req), requireActor(req), req.params.id);
    return reply.code(204).send(null);
  });

  app.post('/auth/forgot-password', {
    config: { public: true, rateLimit: { ...loginRateLimit, keyGenerator: (req: FastifyRequest) => `forgot:${clientKey(req.ip)}` } },
    schema: { tags: ['auth'], summary: 'E-mail a password reset link (same answer whether or not the account exists)', security: [], body: forgotBody, response: { 202: messageSchema, ...problems(400, 429) } },
  }, async (req, reply) => {
    await auth.forgotPassword(services, authReq(req), req.body.email);
    void reply.code(202);
    return { message: 'If an account exists for this e-mail, a reset link is on its way. It works once, for one hour.' };
  });

  app.post('/auth/reset-password', {
    config: { public: true, rateLimit: { ...loginRateLimit, max: 10, keyGenerator: (req: FastifyRequest) => `reset:${clientKey(req.ip)}` } },
    schema: { tags: ['auth'], summary: 'Set a new password with the link from the e-mail; ends every session', security: [], body: resetBody, response: { 200: messageSchema, ...problems(400, 401, 429) } },
  }, async (req) => {
    await auth.resetPassword(services, authReq(req), req.body.token, req.body.password);
    return { message: 'Your password has been changed. Sign in with the new one.' };
  });

  app.post('/auth/change-password', {
    schema: { tags: ['auth'], summary: 'Change your password; your other sessions end', body: changePasswordBody, response: { 200: messageSchema, ...problems(400, 401) } },
  }, async (req) => {
    await auth.changePassword(services, authReq(req), requireActor(req), req.body.current_password, req.body.new_password);
    return { message: 'Password changed. Your other sessions have been signed out.' };
  });

  app.post('/auth/verify-email', {
    config: { public: true },
    schema: { tags: ['auth'], summary: 'Confirm the e-mail address with the link from the e-mail', security: [], body: verifyEmailBody, response: { 200: messageSchema, ...problems(400, 401) } },
  }, async (req) => {
    await auth.verifyEmail(services, req.body.token);
    return { message: 'E-mail address confirmed.' };
  });

  app.post('/auth/resend-verification', {
    schema: { tags: ['auth'], summary: 'Send the confirmation e-mail again', response: { 202: messageSchema, ...problems(401) } },
  }, async (req, reply) => {
    await auth.resendVerification(services, authReq(req), requireActor(req).userId);
    void reply.code(202);
    return { message: 'If your address is not confirmed yet, a new link is on its way.' };
  });

  app.get('/auth/jwks.json', {
    config: { public: true },
    schema: { tags: ['auth'], summary: 'Public keys that verify access tokens (JWKS)', security: [] },
  }, async (_req, reply) => reply.header('cache-control', 'public, max-age=300').send(services.tokens.jwks));

  await app.register(mfaRoutes);
};
