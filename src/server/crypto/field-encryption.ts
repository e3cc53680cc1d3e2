import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Field-level encryption for personal data the database must never hold in clear (tax IDs, bank
 * accounts): AES-256-GCM from node:crypto with a fresh random 12-byte IV per value and a 16-byte
 * authentication tag. A stored value reads
 *
 *     v1:<kid>:<iv base64url>:<tag base64url>:<ciphertext base64url>
 *
 * where `kid` names the key of the ring that encrypted it (rotation: new values use the first,
 * current key; older values stay readable until `npm run pii:reencrypt` moves them). The
 * additional authenticated data binds each ciphertext to its row and column
 * (`v1:<kid>:artist_profiles:<user id>:tax_id`), so a value copied to another row or column, or
 * with any byte changed, is refused instead of decrypted.
 */

const VERSION = 'v1';
const KID = /^[A-Za-z0-9_-]{1,32}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface FieldKey {
  kid: string;
  key: Buffer;
}

/** Where a value lives; part of the authenticated data, so the value only decrypts there. */
export interface FieldContext {
  table: string;
  rowId: string;
  column: string;
}

export class KeyRingError extends Error {
  override name = 'KeyRingError';
}

/**
 * A stored value that cannot be decrypted: not in the v1 format, under a key no longer in the
 * ring, or failing the integrity check (tampered, truncated, or moved from another row/column).
 * The message names the field and the reason, never the value.
 */
export class FieldDecryptionError extends Error {
  override name = 'FieldDecryptionError';
  constructor(
    readonly reason: 'malformed' | 'unknown_key' | 'integrity',
    readonly field: string,
  ) {
    super(`Protected field ${field} could not be decrypted (${reason === 'integrity' ? 'integrity check failed' : reason.replace('_', ' ')})`);
  }
}

function decodeKey(b64: string): Buffer | null {
  const trimmed = b64.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return null;
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === KEY_BYTES ? key : null;
}

/**
 * Parses `kid:base64key,kid:base64key,…` (first = current). Each key is 32 random bytes in
 * base64 or base64url; key ids are 1–32 of A–Z a–z 0–9 _ -. Throws KeyRingError with a message
 * that never contains key material.
 */
export function parseKeyRing(spec: string): FieldKey[] {
  const entries = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (!entries.length) throw new KeyRingError('expected at least one "kid:base64key" entry');
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const at = entry.indexOf(':');
    const kid = at > 0 ? entry.slice(0, at) : '';
    if (!KID.test(kid)) throw new KeyRingError(`entry ${i + 1}: the key id must be 1–32 characters of A-Z a-z 0-9 _ - followed by ":"`);
    if (seen.has(kid)) throw new KeyRingError(`entry ${i + 1}: key id "${kid}" appears twice`);
    seen.add(kid);
    const key = decodeKey(entry.slice(at + 1));
    if (!key) throw new KeyRingError(`entry ${i + 1} ("${kid}"): the key must be exactly 32 bytes in base64`);
    return { kid, key };
  });
}

/** `PII_HASH_KEY`: at least 32 bytes in base64. */
export function parseHashKey(b64: string): Buffer {
  const trimmed = b64.trim();
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64') : Buffer.alloc(0);
  if (key.length < KEY_BYTES) throw new KeyRingError('the hash key must be at least 32 bytes in base64');
  return key;
}

/** A new random key ring entry, e.g. for development or `openssl rand -base64 32`. */
export function generateKeySpec(kid: string): string {
  return `${kid}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

function b64url(buf: Buffer): string {
  return buf.toString('base64url');
}

function fromB64url(part: string | undefined, bytes: number | null): Buffer | null {
  if (!part || !B64URL.test(part)) return null;
  const buf = Buffer.from(part, 'base64url');
  if (bytes !== null && buf.length !== bytes) return null;
  if (b64url(buf) !== part) return null; // no alternative encodings of the same bytes
  return buf;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export class FieldCipher {
  readonly currentKid: string;
  private readonly keys: Map<string, Buffer>;
  private readonly hashKey: Buffer;

  /**
   * `keys[0]` encrypts; every key decrypts. Without an explicit hash key, the HMAC key for
   * duplicate detection is derived (HKDF-SHA256) from the current encryption key, so rotating
   * keys changes the hashes until `pii:reencrypt` recomputes them; set PII_HASH_KEY to keep them
   * stable across rotations.
   */
  constructor(keys: readonly FieldKey[], hashKey?: Buffer) {
    const first = keys[0];
    if (!first) throw new KeyRingError('the key ring is empty');
    this.currentKid = first.kid;
    this.keys = new Map(keys.map((k) => [k.kid, Buffer.from(k.key)]));
    this.hashKey = hashKey ? Buffer.from(hashKey) : Buffer.from(hkdfSync('sha256', first.key, 'big-live-portal', 'pii-hash-v1', KEY_BYTES));
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  encrypt(plaintext: string, where: FieldContext): string {
    const kid = this.currentKid;
    const key = this.keys.get(kid) as Buffer;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(kid, where));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${VERSION}:${kid}:${b64url(iv)}:${b64url(tag)}:${b64url(ct)}`;
  }

  /** The plaintext, or FieldDecryptionError (never a partial or unauthenticated value). */
  decrypt(stored: string, where: FieldContext): string {
    const field = `${where.table}.${where.column}`;
    const parts = stored.split(':');
    if (parts.length !== 5 || parts[0] !== VERSION || !KID.test(parts[1] ?? '')) throw new FieldDecryptionError('malformed', field);
    const kid = parts[1] as string;
    const iv = fromB64url(parts[2], IV_BYTES);
    const tag = fromB64url(parts[3], TAG_BYTES);
    const ct = parts[4] === '' ? Buffer.alloc(0) : fromB64url(parts[4], null);
    if (!iv || !tag || !ct) throw new FieldDecryptionError('malformed', field);
    const key = this.keys.get(kid);
    if (!key) throw new FieldDecryptionError('unknown_key', field);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(kid, where));
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(ct), decipher.final()]);
      return strictUtf8.decode(plain);
    } catch {
      throw new FieldDecryptionError('integrity', field);
    }
  }

  /** The key id a stored value names, or null when it is not in the v1 format. */
  keyIdOf(stored: string): string | null {
    const parts = stored.split(':');
    return parts.length === 5 && parts[0] === VERSION && KID.test(parts[1] ?? '') ? (parts[1] as string) : null;
  }

  isCurrent(stored: string): boolean {
    return this.keyIdOf(stored) === this.currentKid;
  }

  /** Keyed hash (HMAC-SHA256, hex) of an already normalized value, for equality lookups. */
  hash(purpose: string, normalized: string): string {
    return createHmac('sha256', this.hashKey).update(`${purpose}\u0000${normalized}`).digest('hex');
  }
}

function aad(kid: string, where: FieldContext): Buffer {
  return Buffer.from(`${VERSION}:${kid}:${where.table}:${where.rowId}:${where.column}`, 'utf8');
}

export function createFieldCipher(keySpec: string, hashKey?: string): FieldCipher {
  return new FieldCipher(parseKeyRing(keySpec), hashKey ? parseHashKey(hashKey) : undefined);
}
