import type { LoggerOptions } from 'pino';

/** Paths that may hold personal or secret data; pino replaces them before anything is written. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.password_hash',
  '*.token',
  '*.refresh_token',
  '*.access_token',
  '*.tax_id',
  '*.bank_account',
  '*.email',
  '*.phone',
  '*.date_of_birth',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      // Query strings may carry search terms or signed-link tokens: log the path only.
      req: (req: { method?: string; url?: string; id?: string }) => ({ method: req.method, path: (req.url ?? '').split('?')[0], id: req.id }),
    },
  };
}
