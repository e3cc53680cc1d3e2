import type { FastifyInstance } from 'fastify';

/** Seed 004 §Security Headers, adapted: the API never renders HTML, so its CSP forbids everything. */
const baseHeaders: Record<string, string> = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains; preload',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'accelerometer=(), camera=(self), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()',
  'x-xss-protection': '1; mode=block',
  'cross-origin-opener-policy': 'same-origin',
};

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const DOCS_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
const WEB_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' ws: wss:; worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

export function registerSecurityHeaders(app: FastifyInstance) {
  app.addHook('onSend', async (req, reply) => {
    const path = req.url.split('?')[0] ?? req.url;
    void reply.headers(baseHeaders);
    if (!reply.hasHeader('content-security-policy')) {
      const csp = path.startsWith('/api/docs') ? DOCS_CSP : path.startsWith('/api/') ? API_CSP : WEB_CSP;
      void reply.header('content-security-policy', csp);
    }
    // Rate-limit figures under both the IETF draft names and the widespread X- names.
    for (const name of ['limit', 'remaining', 'reset'] as const) {
      const value = reply.getHeader(`ratelimit-${name}`);
      if (value !== undefined) void reply.header(`x-ratelimit-${name}`, value);
    }
    if (path.startsWith('/api/') && !reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  });
}
