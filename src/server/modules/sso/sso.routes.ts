import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { allowedActions } from '../../auth/policy.js';
import type { Actor } from '../../auth/tokens.js';
import type { SsoConfiguration } from '../../db/schema.js';
import { clientKey } from '../../http/client-address.js';
import { mutateInTenant, readInTenant } from '../../http/context.js';
import { AppError } from '../../http/errors.js';
import { problems } from '../../http/schemas.js';
import { setRefreshCookie } from '../auth/refresh-cookie.js';
import { callbackQuery, publicSsoSchema, slugParams, ssoConfigBody, ssoConfigSchema, startQuery } from './sso.schemas.js';
import * as service from './sso.service.js';

export const ssoRoutes: FastifyPluginAsyncZod = async (app) => {
  const { services } = app;
  const { publicUrl } = services.config;

  const present = (config: SsoConfiguration, slug: string, actor: Actor) => ({
    issuer: config.issuer,
    client_id: config.client_id,
    client_secret_set: config.client_secret_encrypted !== null,
    scopes: config.scopes,
    allowed_roles: config.allowed_roles,
    trust_idp_mfa: config.trust_idp_mfa,
    enabled: config.enabled,
    display_name: config.display_name,
    redirect_uri: service.redirectUri(publicUrl),
    sign_in_url: service.signInUrl(publicUrl, slug),
    updated_at: config.updated_at.toISOString(),
    allowed_actions: allowedActions(actor, ['sso:configure']),
  });
  const slugOf = async (req: FastifyRequest) => readInTenant(req, async (ctx) =>
    (await ctx.trx.selectFrom('organizations').select('slug').where('id', '=', ctx.organizationId).executeTakeFirstOrThrow()).slug);

  app.get('/admin/sso', {
    schema: { tags: ['sso'], summary: "The organization's single sign-on provider (admins)", response: { 200: ssoConfigSchema, ...problems(401, 403, 404) } },
  }, async (req) => {
    const config = await readInTenant(req, (ctx) => service.getConfig(ctx));
    return present(config, await slugOf(req), req.actor as Actor);
  });

  app.put('/admin/sso', {
    schema: {
      tags: ['sso'],
      summary: 'Configure OpenID Connect single sign-on (admins); the provider is checked (discovery) before saving',
      body: ssoConfigBody,
      response: { 200: ssoConfigSchema, ...problems(400, 401, 403, 415, 502) },
    },
  }, async (req, reply) => {
    const secret = await readInTenant(req, (ctx) => service.storedSecret(services, ctx));
    // Outside any transaction: the provider may take seconds to answer.
    await service.checkProvider(services, req.body, secret);
    const saved = await mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: await service.saveConfig(services, ctx, req.body) }));
    return present(saved, await slugOf(req), req.actor as Actor);
  });

  app.delete('/admin/sso', {
    schema: { tags: ['sso'], summary: 'Turn single sign-on off and forget the provider (admins)', response: { 204: z.null(), ...problems(401, 403, 404) } },
  }, async (req, reply) => {
    await mutateInTenant(req, reply, async (ctx) => ({ status: 204, body: await service.deleteConfig(ctx) }));
    return reply.code(204).send(null);
  });

  // --- Sign-in (public; the browser navigates here, so failures go back to the sign-in page) ---

  const ssoRateLimit = (name: string) => ({ max: 20, timeWindow: '1 minute', keyGenerator: (req: FastifyRequest) => `sso-${name}:${clientKey(req.ip)}` });

  /** A browser is sent back to the sign-in page with the problem's code; an API client gets the problem itself. */
  async function failInBrowser(req: FastifyRequest, reply: FastifyReply, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      if (!(err instanceof AppError) || !req.headers.accept?.includes('text/html')) throw err;
      void reply.redirect(`${publicUrl}/sign-in?sso_error=${encodeURIComponent(err.code)}`, 303);
    }
  }

  app.get('/auth/sso/:slug', {
    config: { public: true, rateLimit: ssoRateLimit('option') },
    schema: { tags: ['sso'], summary: 'Whether an organization offers single sign-on, and where to start it', security: [], params: slugParams, response: { 200: publicSsoSchema, ...problems(400, 404, 429) } },
  }, async (req) => {
    const option = await service.findSignInOption(services, req.params.slug);
    return { organization_name: option.organization_name, display_name: option.display_name, sign_in_url: service.signInUrl(publicUrl, option.slug) };
  });

  app.get('/auth/sso/:slug/start', {
    config: { public: true, rateLimit: ssoRateLimit('start') },
    schema: {
      tags: ['sso'], summary: "Start single sign-on: redirects to the organization's identity provider (authorization code + PKCE)", security: [],
      params: slugParams, querystring: startQuery,
      response: { 302: z.null().describe("Location: the provider's authorization endpoint"), 303: z.null().describe('Location: the sign-in page with ?sso_error=<code>'), ...problems(400, 404, 429, 502) },
    },
  }, (req, reply) => failInBrowser(req, reply, async () => {
    const url = await service.startSignIn(services, req.params.slug, { returnTo: req.query.return_to ?? '/', rememberMe: req.query.remember_me });
    void reply.header('cache-control', 'no-store');
    void reply.redirect(url.href, 302);
  }));

  app.get('/auth/sso/callback', {
    config: { public: true, rateLimit: ssoRateLimit('callback') },
    schema: {
      tags: ['sso'], summary: 'Where the identity provider sends the browser back; signs in and redirects to the web app with the refresh cookie', security: [],
      querystring: callbackQuery,
      response: { 303: z.null().describe('Location: the web app (signed in) or the sign-in page with ?sso_error=<code>'), ...problems(400, 401, 403, 429, 502) },
    },
  }, (req, reply) => failInBrowser(req, reply, async () => {
    const search = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    const result = await service.completeSignIn(services, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null, requestId: req.id, log: req.log }, req.query, search);
    setRefreshCookie(reply, services.config, result.tokens, result.rememberMe);
    void reply.header('cache-control', 'no-store');
    void reply.redirect(`${publicUrl}${result.returnTo}`, 303);
  }));
};
