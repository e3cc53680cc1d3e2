import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { createTokenService } from './auth/tokens.js';
import type { Config } from './config.js';
import { createFieldCipher, generateKeySpec } from './crypto/field-encryption.js';
import { openDatabase, type Database } from './db/database.js';
import { migrate } from './db/migrate.js';
import { LocalDiskStorage } from './files/storage.js';
import { JobQueue } from './jobs/queue.js';
import { OidcClients } from './modules/sso/oidc-clients.js';
import { createChannels } from './modules/notifications/channels/index.js';
import { RealtimeHub } from './realtime/hub.js';
import { jobDefinitions } from './jobs/registry.js';
import { signatureProviderFor } from './modules/contracts/signing/provider.js';
import { loggerOptions } from './logger.js';
import { OutboxMailer, SmtpMailer } from './mail/mailer.js';
import type { Services } from './services.js';
import { closeReceiptOcr } from './modules/expenses/ocr.js';

/**
 * Opens the database (migrating it first as the schema owner), and builds every long-lived
 * service. Shared by `npm start`, the separate worker and the tests.
 */
export async function createServices(config: Config, options: { migrate?: boolean; database?: Database } = {}): Promise<Services> {
  const log = pino(loggerOptions(config.LOG_LEVEL));
  let database = options.database;
  if (!database) {
    if (config.DATABASE_URL && options.migrate !== false) {
      // Migrations run as the owner; the application then connects as its own, lesser role.
      const owner = await openDatabase({ url: config.MIGRATION_DATABASE_URL ?? config.DATABASE_URL, poolSize: 1, applicationName: 'big-live-portal-migrate' });
      try {
        await migrate(owner.pool, jobDefinitions);
      } finally {
        await owner.close();
      }
    }
    database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.dataDir, poolSize: config.DATABASE_POOL_SIZE });
    if (!config.DATABASE_URL && options.migrate !== false) await migrate(database.pool, jobDefinitions);
  }
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false }) : null;
  redis?.on('error', (err) => log.warn({ err: err.message }, 'redis unavailable'));
  const jobs = JobQueue.create(database.pool, jobDefinitions, { db: database.db, log }, { schedule: config.JOBS_IN_PROCESS, pollSeconds: config.JOBS_POLL_SECONDS });
  const mailer = config.SMTP_URL ? new SmtpMailer(config.SMTP_URL, config.MAIL_FROM) : new OutboxMailer(path.join(config.dataDir, 'outbox'));
  const fieldCipher = createFieldCipher(config.PII_ENCRYPTION_KEYS ?? devPiiKeys(config.dataDir), config.PII_HASH_KEY);
  const services: Services = {
    config,
    database,
    storage: new LocalDiskStorage(config.storageDir),
    jobs,
    tokens: await createTokenService({ privateKeyPem: config.JWT_PRIVATE_KEY, dataDir: config.dataDir, issuer: config.JWT_ISSUER }),
    signingSecret: config.SIGNED_URL_SECRET ?? devSecret(config.dataDir),
    fieldCipher,
    redis,
    mailer,
    oidcClients: new OidcClients(),
    channels: createChannels(config, mailer),
    signatureProvider: signatureProviderFor(config, fieldCipher),
    realtime: new RealtimeHub(log, config.REDIS_URL),
  };
  jobs.attach(services);
  return services;
}

export async function closeServices(services: Services) {
  await services.jobs.stop();
  services.redis?.disconnect();
  services.realtime.close();
  // The OCR worker is made on the first receipt; a process that never saw one has nothing to stop.
  await closeReceiptOcr();
  await services.database.close();
}

/** Development only: a random secret kept in the data folder so links survive restarts. */
function devSecret(dataDir: string): string {
  const file = path.join(dataDir, 'keys', 'signed-url.secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** Development only: a field-encryption key kept in the data folder so encrypted values stay readable. */
function devPiiKeys(dataDir: string): string {
  const file = path.join(dataDir, 'keys', 'pii-encryption.keys');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const spec = generateKeySpec(`dev-${randomBytes(3).toString('hex')}`);
  fs.writeFileSync(file, spec, { mode: 0o600 });
  return spec;
}
