import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { AppError } from '../../http/errors.js';

export interface ProviderSettings {
  issuer: string;
  clientId: string;
  /** Null for a public client that proves itself with PKCE alone. */
  clientSecret: string | null;
}

const DISCOVERY_TTL_MS = 60 * 60 * 1000;
const HTTP_TIMEOUT_SECONDS = 10;

/** Plain http is accepted only for an identity provider on this machine (development, tests). */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/**
 * The openid-client configuration (discovered provider metadata + client credentials) of each
 * organization's identity provider, discovered once an hour rather than on every sign-in.
 */
export class OidcClients {
  private readonly cache = new Map<string, { config: Promise<oidc.Configuration>; expires: number }>();

  get(settings: ProviderSettings): Promise<oidc.Configuration> {
    const key = createHash('sha256').update(`${settings.issuer}\u0000${settings.clientId}\u0000${settings.clientSecret ?? ''}`).digest('hex');
    const cached = this.cache.get(key);
    if (cached && cached.expires > Date.now()) return cached.config;
    const config = this.discover(settings);
    this.cache.set(key, { config, expires: Date.now() + DISCOVERY_TTL_MS });
    // A failed discovery is not remembered: the next sign-in tries again.
    config.catch(() => this.cache.delete(key));
    return config;
  }

  private async discover(settings: ProviderSettings): Promise<oidc.Configuration> {
    const issuer = new URL(settings.issuer);
    const auth = settings.clientSecret ? oidc.ClientSecretBasic(settings.clientSecret) : oidc.None();
    try {
      return await oidc.discovery(issuer, settings.clientId, undefined, auth, {
        execute: isLoopbackHttp(issuer) ? [oidc.allowInsecureRequests] : [],
        timeout: HTTP_TIMEOUT_SECONDS,
      });
    } catch (err) {
      throw new AppError('identity_provider_unavailable', `The identity provider's discovery document at ${issuer.origin} could not be used: ${describe(err)}`);
    }
  }
}

/** A short reason for the log and the problem detail; never a token or a secret. */
export function describe(err: unknown): string {
  if (err instanceof oidc.ResponseBodyError) return `${err.error}${err.error_description ? ` (${err.error_description})` : ''}`;
  if (err instanceof oidc.AuthorizationResponseError) return `${err.error}${err.error_description ? ` (${err.error_description})` : ''}`;
  if (err instanceof Error) return (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message).slice(0, 300);
  return 'unknown error';
}
