import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireActor } from '../../http/context.js';
import { problems } from '../../http/schemas.js';
import { messageSchema } from './auth.schemas.js';
import type { AuthRequest } from './auth.service.js';
import { backupCodesSchema, enableBody, mfaEnabledSchema, mfaSetupSchema, mfaStatusSchema, stepUpBody } from './mfa.schemas.js';
import * as mfa from './mfa.service.js';

/**
 * Two-factor management for the signed-in person (docs/API-2fa.md). Reachable while the
 * organization still waits for enrolment (`allowDuringMfaEnrolment`). The second sign-in step,
 * POST /auth/login/2fa, lives in auth.routes.ts beside the first.
 */
export const mfaRoutes: FastifyPluginAsyncZod = async (app) => {
  const { services } = app;
  const authReq = (req: FastifyRequest): AuthRequest => ({ ip: req.ip, userAgent: req.headers['user-agent'] ?? null, requestId: req.id, log: req.log });
  const config = { allowDuringMfaEnrolment: true };
  // Guessing codes for a secret one set up oneself gains nothing, but keep enrolment calls modest.
  const perUser = { max: 20, timeWindow: '1 minute', keyGenerator: (req: FastifyRequest) => `2fa:${req.actor?.userId ?? req.ip}` };

  app.get('/auth/2fa', {
    config,
    schema: { tags: ['auth'], summary: 'Whether two-factor authentication is on, and whether your organization requires it', response: { 200: mfaStatusSchema, ...problems(401) } },
  }, async (req) => mfa.status(services, requireActor(req)));

  app.post('/auth/2fa/setup', {
    config: { ...config, rateLimit: perUser },
    schema: { tags: ['auth'], summary: 'Start two-factor enrolment: a new TOTP secret and its QR code (replaces a pending one)', response: { 200: mfaSetupSchema, ...problems(401, 409) } },
  }, async (req) => mfa.setup(services, requireActor(req)));

  app.post('/auth/2fa/enable', {
    config: { ...config, rateLimit: perUser },
    schema: { tags: ['auth'], summary: 'Confirm enrolment with a code; answers 10 backup codes (shown once) and ends your other sessions', body: enableBody, response: { 200: mfaEnabledSchema, ...problems(400, 401, 409) } },
  }, async (req) => mfa.enable(services, authReq(req), requireActor(req), req.body.code));

  app.post('/auth/2fa/disable', {
    config: { ...config, rateLimit: perUser },
    schema: { tags: ['auth'], summary: 'Turn two-factor authentication off (password and a current code)', body: stepUpBody, response: { 200: messageSchema, ...problems(400, 401, 409, 429) } },
  }, async (req) => {
    await mfa.disable(services, authReq(req), requireActor(req), req.body);
    return { message: 'Two-factor authentication is off.' };
  });

  app.post('/auth/2fa/backup-codes', {
    config: { ...config, rateLimit: perUser },
    schema: { tags: ['auth'], summary: 'Replace your backup codes with 10 new ones (password and a current code)', body: stepUpBody, response: { 200: backupCodesSchema, ...problems(400, 401, 409, 429) } },
  }, async (req) => mfa.regenerateBackupCodes(services, authReq(req), requireActor(req), req.body));
};
