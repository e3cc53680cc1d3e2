import { createPrivateKey } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { parseHashKey, parseKeyRing } from './crypto/field-encryption.js';

/**
 * Every setting the server reads, validated once at start. A bad or missing value stops the
 * process with one line per problem instead of failing later in some request.
 */
const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

const csv = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

/** Key settings are checked by their parser; its message never contains key material. */
function checkKey(parse: () => unknown, ctx: z.RefinementCtx) {
  try {
    parse();
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
}

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.url().optional(),
  MIGRATION_DATABASE_URL: z.url().optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CORS_ORIGINS: csv.default([]),
  TRUSTED_PROXIES: csv.default([]),
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(1000),
  RATE_LIMIT_WINDOW: z.string().default('1 hour'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  FILE_MAX_BYTES: z.coerce.number().int().min(1024).default(52_428_800),
  /** LibreOffice's command, for Word contracts → PDF. */
  SOFFICE_PATH: z.string().min(1).default('soffice'),
  SIGNED_URL_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_PRIVATE_KEY: z.string().optional(),
  JWT_ISSUER: z.string().default('big-live-portal'),
  JOBS_IN_PROCESS: booleanFlag.default(true),
  JOBS_POLL_SECONDS: z.coerce.number().min(0.5).default(2),
  DEV_TOKENS: booleanFlag.optional(),
  /** Field-encryption key ring `kid:base64key,…` (32-byte keys, first = current); generated under DATA_DIR/keys outside production. */
  PII_ENCRYPTION_KEYS: z.string().superRefine((v, ctx) => checkKey(() => parseKeyRing(v), ctx)).optional(),
  /** HMAC key (≥ 32 bytes, base64) for tax ID duplicate detection; derived from the current encryption key when unset. */
  PII_HASH_KEY: z.string().superRefine((v, ctx) => checkKey(() => parseHashKey(v), ctx)).optional(),
  SMTP_URL: z.url().optional(),
  MAIL_FROM: z.string().default('BIG Live Portal <no-reply@localhost>'),
  COOKIE_SECURE: booleanFlag.optional(),
  /**
   * `closed` refuses `POST /api/v1/organizations` (403 signup_closed). The `signup.open` row of
   * system_settings closes it too: either one closed means closed.
   */
  ORGANIZATION_SIGNUP: z.enum(['open', 'closed']).default('open'),
  /** SMS through Twilio; without these three, SMS is off. TWILIO_API_URL points the client elsewhere (tests, a regional edge). */
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'AC followed by 32 hex digits').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
  TWILIO_FROM_NUMBER: z.string().regex(/^\+[1-9]\d{6,14}$/, 'E.164, e.g. +14155550123').optional(),
  TWILIO_API_URL: z.url().optional(),
  /** Where contracts are signed: on the portal (default), or DocuSign embedded signing with the DOCUSIGN_* settings. */
  SIGNATURE_PROVIDER: z.enum(['builtin', 'docusign']).default('builtin'),
  /** eSignature REST base, e.g. https://demo.docusign.net/restapi (production: your account's base URI + /restapi). */
  DOCUSIGN_API_URL: z.url().optional(),
  /** OAuth host of the JWT grant: https://account-d.docusign.com (demo) or https://account.docusign.com. */
  DOCUSIGN_AUTH_URL: z.url().optional(),
  DOCUSIGN_ACCOUNT_ID: z.string().min(1).max(100).optional(),
  DOCUSIGN_INTEGRATION_KEY: z.string().min(1).max(100).optional(),
  /** The user the portal sends envelopes as (impersonated through the JWT grant; consent given once). */
  DOCUSIGN_USER_ID: z.string().min(1).max(100).optional(),
  /** The integration's RSA private key (PEM; \n escapes allowed). */
  DOCUSIGN_PRIVATE_KEY: z.string().optional(),
  /** Connect HMAC keys, comma-separated (several while rotating). */
  DOCUSIGN_CONNECT_HMAC_KEYS: csv.optional(),
  /** Web push (VAPID); generated under DATA_DIR/keys outside production. */
  VAPID_PUBLIC_KEY: z.string().optional(),
  VAPID_PRIVATE_KEY: z.string().optional(),
  VAPID_SUBJECT: z.string().regex(/^(mailto:|https:\/\/)/, 'mailto: or https: URL').default('mailto:no-reply@localhost'),
});

export type Config = Omit<z.infer<typeof envSchema>, 'DEV_TOKENS' | 'COOKIE_SECURE'> & {
  DEV_TOKENS: boolean;
  /** Refresh cookies carry Secure (off only for plain-http development on a LAN address). */
  COOKIE_SECURE: boolean;
  dataDir: string;
  storageDir: string;
  publicUrl: string;
};

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, so a copied .env.example with blank values still starts.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`),
    );
  }
  const c = parsed.data;
  const problems: string[] = [];
  if (c.NODE_ENV === 'production') {
    if (!c.SIGNED_URL_SECRET) problems.push('SIGNED_URL_SECRET: required in production');
    if (!c.JWT_PRIVATE_KEY) problems.push('JWT_PRIVATE_KEY: required in production');
    if (!c.PUBLIC_URL) problems.push('PUBLIC_URL: required in production');
    if (c.DEV_TOKENS) problems.push('DEV_TOKENS: must not be enabled in production');
    if (!c.PII_ENCRYPTION_KEYS) problems.push('PII_ENCRYPTION_KEYS: required in production');
    if (!c.VAPID_PUBLIC_KEY || !c.VAPID_PRIVATE_KEY) problems.push('VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: required in production (npx web-push generate-vapid-keys)');
  }
  const twilio = [c.TWILIO_ACCOUNT_SID, c.TWILIO_AUTH_TOKEN, c.TWILIO_FROM_NUMBER].filter(Boolean).length;
  if (twilio !== 0 && twilio !== 3) problems.push('TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER: set all three or none');
  if (c.SIGNATURE_PROVIDER === 'docusign') {
    const missing = (['DOCUSIGN_API_URL', 'DOCUSIGN_AUTH_URL', 'DOCUSIGN_ACCOUNT_ID', 'DOCUSIGN_INTEGRATION_KEY', 'DOCUSIGN_USER_ID', 'DOCUSIGN_PRIVATE_KEY'] as const).filter((k) => !c[k]);
    if (missing.length) problems.push(`${missing.join(', ')}: required with SIGNATURE_PROVIDER=docusign`);
    if (!c.DOCUSIGN_CONNECT_HMAC_KEYS?.length) problems.push('DOCUSIGN_CONNECT_HMAC_KEYS: required with SIGNATURE_PROVIDER=docusign (Connect deliveries are checked by HMAC)');
    if (c.DOCUSIGN_PRIVATE_KEY) {
      try {
        createPrivateKey(c.DOCUSIGN_PRIVATE_KEY.replace(/\\n/g, '\n'));
      } catch {
        problems.push('DOCUSIGN_PRIVATE_KEY: not a PEM private key');
      }
    }
  }
  if (problems.length) throw new ConfigError(problems);
  const dataDir = path.resolve(c.DATA_DIR);
  return {
    ...c,
    DEV_TOKENS: c.DEV_TOKENS ?? c.NODE_ENV !== 'production',
    COOKIE_SECURE: c.COOKIE_SECURE ?? true,
    dataDir,
    storageDir: path.join(dataDir, 'files'),
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
  };
}
