import fs from 'node:fs';
import path from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importJWK,
  importPKCS8,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
  type KeyObject,
} from 'jose';
import { z } from 'zod';
import type { Role } from '../db/schema.js';

/**
 * Access tokens: EdDSA-signed JWTs with a `kid`, verified against an allow-list of one
 * algorithm. Issue "Accounts" adds refresh tokens and sign-in on top of this.
 */
const ALGORITHM = 'EdDSA';
export const ACCESS_TOKEN_AUDIENCE = 'big-live-portal-api';
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

const roles = ['artist', 'admin', 'accountant', 'production_manager', 'finance_director', 'system_admin'] as const;

const claimsSchema = z.object({
  sub: z.uuid(),
  org: z.uuid(),
  role: z.enum(roles),
  sid: z.string().max(100).optional(),
  amr: z.array(z.enum(['pwd', 'otp', 'fed', 'mfa'])).max(4).optional(),
  mfa: z.literal('enrol_required').optional(),
});

export interface Actor {
  userId: string;
  organizationId: string;
  role: Role;
  sessionId?: string;
  /** How the session signed in (RFC 8176): ['pwd'] or ['pwd', 'otp']. */
  amr?: AuthMethod[];
  /** 'enrol_required': the organization requires two-factor for this role and the person has none yet. */
  mfa?: 'enrol_required';
}

/** RFC 8176 values: password, one-time code, federated (single sign-on), provider-verified multi-factor. */
export type AuthMethod = 'pwd' | 'otp' | 'fed' | 'mfa';

type Key = CryptoKey | KeyObject;

export interface TokenService {
  kid: string;
  jwks: { keys: JWK[] };
  sign(actor: Actor, ttlSeconds?: number): Promise<string>;
  verify(token: string): Promise<Actor>;
}

export async function createTokenService(options: { privateKeyPem?: string; dataDir: string; issuer: string }): Promise<TokenService> {
  const pem = options.privateKeyPem ?? (await loadOrCreateDevKey(options.dataDir));
  const privateKey = await importPKCS8(pem, ALGORITHM, { extractable: true });
  const publicJwk = await exportJWK(privateKey);
  delete publicJwk.d;
  const kid = await calculateJwkThumbprint(publicJwk);
  const publicKey = (await importJWK(publicJwk, ALGORITHM)) as Key;

  return {
    kid,
    jwks: { keys: [{ ...publicJwk, kid, alg: ALGORITHM, use: 'sig' }] },
    async sign(actor, ttlSeconds = ACCESS_TOKEN_TTL_SECONDS) {
      // One clock reading for both claims: read twice, a second boundary between them made exp − iat 901.
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        org: actor.organizationId, role: actor.role, ...(actor.sessionId ? { sid: actor.sessionId } : {}),
        ...(actor.amr ? { amr: actor.amr } : {}), ...(actor.mfa ? { mfa: actor.mfa } : {}),
      })
        .setProtectedHeader({ alg: ALGORITHM, kid, typ: 'JWT' })
        .setSubject(actor.userId)
        .setIssuer(options.issuer)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(privateKey);
    },
    async verify(token) {
      const { payload, protectedHeader } = await jwtVerify(token, publicKey, {
        algorithms: [ALGORITHM],
        issuer: options.issuer,
        audience: ACCESS_TOKEN_AUDIENCE,
        requiredClaims: ['exp', 'iat', 'sub'],
      });
      // Keys are never taken from the token itself.
      if (protectedHeader.kid !== kid || 'jku' in protectedHeader || 'jwk' in protectedHeader || 'x5u' in protectedHeader) {
        throw new Error('unexpected key reference');
      }
      const claims = claimsSchema.parse(payload);
      return {
        userId: claims.sub, organizationId: claims.org, role: claims.role, ...(claims.sid ? { sessionId: claims.sid } : {}),
        ...(claims.amr ? { amr: claims.amr } : {}), ...(claims.mfa ? { mfa: claims.mfa } : {}),
      };
    },
  };
}

/** Development and tests only: a key generated once and kept in the data folder. */
async function loadOrCreateDevKey(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'keys', 'jwt-ed25519.pem');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const pem = await exportPKCS8(privateKey);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, pem, { mode: 0o600 });
  return pem;
}
