import type { Redis } from 'ioredis';
import type { TokenService } from './auth/tokens.js';
import type { Config } from './config.js';
import type { FieldCipher } from './crypto/field-encryption.js';
import type { Database } from './db/database.js';
import type { FileStorage } from './files/storage.js';
import type { JobQueue } from './jobs/queue.js';
import type { Mailer } from './mail/mailer.js';
import type { OidcClients } from './modules/sso/oidc-clients.js';
import type { SignatureProvider } from './modules/contracts/signing/provider.js';
import type { NotificationChannels } from './modules/notifications/channels/index.js';
import type { RealtimeHub } from './realtime/hub.js';

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
  /** AES-256-GCM key ring for tax IDs and bank accounts (PII_ENCRYPTION_KEYS). */
  fieldCipher: FieldCipher;
  mailer: Mailer;
  /** Discovered OpenID Connect providers of the organizations that use single sign-on. */
  oidcClients: OidcClients;
  /** Notification channels besides in-app; null when not configured (SMS without Twilio). */
  channels: NotificationChannels;
  /** Where contracts are signed: built in, or DocuSign (SIGNATURE_PROVIDER). */
  signatureProvider: SignatureProvider;
  /** Live events to open screens, across instances through Redis. */
  realtime: RealtimeHub;
}
