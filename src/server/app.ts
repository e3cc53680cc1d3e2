import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Actor } from './auth/tokens.js';
import { AppError } from './http/errors.js';
import { registerJsonParser } from './http/json-body.js';
import { transformObject } from './http/openapi.js';
import { registerProblemHandlers } from './http/problem.js';
import { clientKey } from './http/client-address.js';
import { failoverRateLimitStore } from './http/rate-limit-store.js';
import { registerSecurityHeaders } from './http/security.js';
import { loggerOptions } from './logger.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { filesRoutes } from './modules/files/files.routes.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { invitationsRoutes } from './modules/invitations/invitations.routes.js';
import { membersRoutes } from './modules/members/members.routes.js';
import { organizationRoutes } from './modules/organizations/organizations.routes.js';
import { ssoRoutes } from './modules/sso/sso.routes.js';
import { notificationsRoutes } from './modules/notifications/notifications.routes.js';
import { productionsRoutes } from './modules/productions/productions.routes.js';
import { schedulesRoutes } from './modules/schedules/schedules.routes.js';
import { contractsRoutes } from './modules/contracts/contracts.routes.js';
import { expensesRoutes } from './modules/expenses/expenses.routes.js';
import { realtimeRoutes } from './realtime/realtime.routes.js';
import { profilesRoutes } from './modules/profiles/profiles.routes.js';
import type { Services } from './services.js';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** Reachable without an access token. */
    public?: boolean;
    /** Reachable by a session that must still set up two-factor authentication (token claim mfa: enrol_required). */
    allowDuringMfaEnrolment?: boolean;
  }
}

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

export async function buildApp(services: Services, options: { logger?: boolean } = {}): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    logger: options.logger === false ? false : loggerOptions(config.LOG_LEVEL),
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Client addresses come from proxy headers only when the hop is a configured proxy.
    trustProxy: config.TRUSTED_PROXIES.length ? config.TRUSTED_PROXIES : false,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    requestIdHeader: false,
    genReqId: () => crypto.randomUUID(),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<ZodTypeProvider>();

  app.decorate('services', services);
  app.decorateRequest('actor', null);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandlers(app);
  registerJsonParser(app);
  registerSecurityHeaders(app);
  app.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });

  // Authentication: the organization of every request comes from the verified token only.
  app.addHook('onRequest', async (req) => {
    const header = req.headers.authorization;
    if (!header) return;
    const match = /^Bearer ([A-Za-z0-9_\-.]{10,4096})$/.exec(header);
    if (!match?.[1]) throw new AppError('invalid_token', 'Authorization must be "Bearer <token>"');
    try {
      req.actor = await services.tokens.verify(match[1]);
    } catch {
      throw new AppError('invalid_token');
    }
    // The organization requires two-factor for this role and the person has none yet: only
    // enrolment, /auth/me, sign-out and organization switching until then.
    const { config: route } = req.routeOptions;
    if (req.actor.mfa === 'enrol_required' && !req.is404 && !route.public && !route.allowDuringMfaEnrolment && req.url.startsWith('/api/') && !req.url.startsWith('/api/docs')) {
      throw new AppError('mfa_enrolment_required', 'Your organization requires two-factor authentication for your role: set it up with POST /api/v1/auth/2fa/setup and /auth/2fa/enable first');
    }
  });
  app.addHook('preHandler', async (req) => {
    const isPublic = req.is404 || req.routeOptions.config.public || req.url.startsWith('/api/docs') || !req.url.startsWith('/api/');
    if (!isPublic && !req.actor) {
      throw new AppError('unauthorized', 'Send a valid access token in the Authorization header');
    }
  });

  await app.register(cors, {
    origin: config.CORS_ORIGINS.length ? config.CORS_ORIGINS : false,
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after', 'idempotent-replayed'],
    maxAge: 600,
  });

  await app.register(cookie);

  await app.register(rateLimit, {
    global: true,
    max: config.RATE_LIMIT_MAX,
    timeWindow: config.RATE_LIMIT_WINDOW,
    enableDraftSpec: true,
    // Shared through Redis when configured; counted in memory while Redis is down (see the store).
    ...(services.redis ? { store: failoverRateLimitStore(services.redis, 'bigportal-rl:', app.log) } : {}),
    keyGenerator: (req) => (req.actor ? `user:${req.actor.userId}` : `ip:${clientKey(req.ip)}`),
    allowList: (req) => !req.url.startsWith('/api/') || req.url.startsWith('/api/v1/health') || req.url.startsWith('/api/v1/ready'),
    errorResponseBuilder: (_req, ctx) => new AppError('rate_limited', `Limit of ${ctx.max} requests per ${ctx.after} reached; retry later`),
  });

  await app.register(multipart, {
    throwFileSizeLimit: true,
    limits: { fileSize: config.FILE_MAX_BYTES, files: 1, fields: 20, fieldSize: 100_000, parts: 25, headerPairs: 200 },
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'BIG Live Portal API',
        version: '1.0.0',
        description: 'Contracts, expenses, schedules and notifications for performing-arts organizations. Errors are RFC 7807 problem documents; lists are cursor-paginated.',
      },
      servers: [{ url: config.publicUrl }],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearerAuth: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { url: '/api/v1/openapi.json' } as never, staticCSP: false });

  app.get('/api/v1/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());

  await app.register(healthRoutes, { prefix: '/api/v1' });
  await app.register(authRoutes, { prefix: '/api/v1' });
  await app.register(organizationRoutes, { prefix: '/api/v1' });
  await app.register(membersRoutes, { prefix: '/api/v1' });
  await app.register(invitationsRoutes, { prefix: '/api/v1' });
  await app.register(auditRoutes, { prefix: '/api/v1' });
  await app.register(filesRoutes, { prefix: '/api/v1' });
  await app.register(profilesRoutes, { prefix: '/api/v1' });
  await app.register(ssoRoutes, { prefix: '/api/v1' });
  await app.register(notificationsRoutes, { prefix: '/api/v1' });
  await app.register(productionsRoutes, { prefix: '/api/v1' });
  await app.register(schedulesRoutes, { prefix: '/api/v1' });
  await app.register(contractsRoutes, { prefix: '/api/v1' });
  await app.register(expensesRoutes, { prefix: '/api/v1' });
  await app.register(realtimeRoutes, { prefix: '/api/v1' });

  await registerWebApp(app);
  return app;
}

/** Serves the built React app; unknown non-API paths get index.html so client routes work. */
async function registerWebApp(app: FastifyInstance) {
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) return;
  await app.register(fastifyStatic, { root: WEB_DIST, prefix: '/', wildcard: false, index: ['index.html'], maxAge: '1h' });
  app.get('/*', { schema: { hide: true }, config: { public: true } }, async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    // API paths and missing files (e.g. a stale /assets/x.js after a deploy) are real 404s.
    if (path.startsWith('/api/') || /\.[a-z0-9]{1,8}$/i.test(path)) throw new AppError('route_not_found', `GET ${path} does not exist`);
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
