import path from 'node:path';
import { z } from 'zod';

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
  SIGNED_URL_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_PRIVATE_KEY: z.string().optional(),
  JWT_ISSUER: z.string().default('big-live-portal'),
  JOBS_IN_PROCESS: booleanFlag.default(true),
  JOBS_POLL_SECONDS: z.coerce.number().min(0.5).default(2),
  DEV_TOKENS: booleanFlag.optional(),
});

export type Config = Omit<z.infer<typeof envSchema>, 'DEV_TOKENS'> & {
  DEV_TOKENS: boolean;
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
  }
  if (problems.length) throw new ConfigError(problems);
  const dataDir = path.resolve(c.DATA_DIR);
  return {
    ...c,
    DEV_TOKENS: c.DEV_TOKENS ?? c.NODE_ENV !== 'production',
    dataDir,
    storageDir: path.join(dataDir, 'files'),
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
  };
}
