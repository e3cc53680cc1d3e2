import type { Redis } from 'ioredis';
import type { TokenService } from './auth/tokens.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { FileStorage } from './files/storage.js';
import type { JobQueue } from './jobs/queue.js';

/** Long-lived things a request or job may use; built once at start (see main.ts / test helpers). */
export interface Services {
  config: Config;
  database: Database;
  storage: FileStorage;
  jobs: JobQueue;
  tokens: TokenService;
  /** HMAC secret for signed download links. */
  signingSecret: string;
  redis: Redis | null;
}
