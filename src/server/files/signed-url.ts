import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Short-lived download links: `<fileId>.<expiresAt>.<organizationId>.<hmac>` in base64url, signed
 * with a server secret. Whoever holds the link may download until it expires; links are only
 * handed out after an access check.
 */
export const SIGNED_URL_TTL_SECONDS = 15 * 60;

export interface SignedTarget {
  fileId: string;
  organizationId: string;
  expiresAt: number;
}

export function signDownload(secret: string, target: SignedTarget): string {
  const payload = `${target.fileId}.${target.expiresAt}.${target.organizationId}`;
  const mac = createHmac('sha256', secret).update(payload).digest('base64url');
  return Buffer.from(`${payload}.${mac}`).toString('base64url');
}

export type SignedCheck = { ok: true; target: SignedTarget } | { ok: false; reason: 'invalid' | 'expired' };

export function verifyDownload(secret: string, token: string, now = Date.now()): SignedCheck {
  if (token.length > 400 || !/^[A-Za-z0-9_-]+$/.test(token)) return { ok: false, reason: 'invalid' };
  // Base64 ignores the spare bits of its last character, so several spellings decode to the same
  // bytes; only the one spelling we issue counts, or a changed last character would still open.
  const decoded = Buffer.from(token, 'base64url');
  if (decoded.toString('base64url') !== token) return { ok: false, reason: 'invalid' };
  const parts = decoded.toString('utf8').split('.');
  if (parts.length !== 4) return { ok: false, reason: 'invalid' };
  const [fileId, expires, organizationId, mac] = parts as [string, string, string, string];
  const expected = Buffer.from(createHmac('sha256', secret).update(`${fileId}.${expires}.${organizationId}`).digest('base64url'));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  const expiresAt = Number(expires);
  if (!Number.isInteger(expiresAt)) return { ok: false, reason: 'invalid' };
  if (expiresAt * 1000 < now) return { ok: false, reason: 'expired' };
  return { ok: true, target: { fileId, organizationId, expiresAt } };
}
