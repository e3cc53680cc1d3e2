import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.js';
import {
  createFieldCipher, FieldCipher, FieldDecryptionError, generateKeySpec, KeyRingError, parseKeyRing, type FieldContext,
} from '../../src/server/crypto/field-encryption.js';

/** SECURITY.md row 23, the cryptographic half: IV uniqueness, tamper and transplant refusal, rotation. */

const k1 = generateKeySpec('k1');
const k2 = generateKeySpec('k2');
const at: FieldContext = { table: 'artist_profiles', rowId: '4f7d5c1e-8a2b-4c3d-9e4f-5a6b7c8d9e0f', column: 'tax_id' };

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FieldDecryptionError);
    return (err as FieldDecryptionError).reason;
  }
  throw new Error('expected decryption to be refused');
}

describe('field encryption (AES-256-GCM)', () => {
  it('round-trips and produces v1:<kid>:<iv>:<tag>:<ct> with a 12-byte IV and a 16-byte tag', () => {
    const cipher = createFieldCipher(k1);
    const sealed = cipher.encrypt('987654321', at);
    expect(sealed).toMatch(/^v1:k1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('987654321');
    const [, , iv, tag] = sealed.split(':') as [string, string, string, string, string];
    expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag, 'base64url')).toHaveLength(16);
    expect(cipher.decrypt(sealed, at)).toBe('987654321');
    expect(cipher.decrypt(cipher.encrypt('Ünïcødé ✓ {"a":1}', at), at)).toBe('Ünïcødé ✓ {"a":1}');
  });

  it('10,000 encryptions of the same value never repeat an IV or a ciphertext', () => {
    const cipher = createFieldCipher(k1);
    const ivs = new Set<string>();
    const cts = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const [, , iv, , ct] = cipher.encrypt('123-45-6789', at).split(':') as [string, string, string, string, string];
      ivs.add(iv);
      cts.add(ct);
    }
    expect(ivs.size).toBe(10_000);
    expect(cts.size).toBe(10_000);
  });

  it('refuses every single flipped bit of IV, tag or ciphertext (no partial plaintext)', () => {
    const cipher = createFieldCipher(k1);
    const sealed = cipher.encrypt('DE89370400440532013000', at);
    const [v, kid, ...parts] = sealed.split(':') as [string, string, string, string, string];
    let refused = 0;
    let accepted = 0;
    parts.forEach((part, p) => {
      const bytes = Buffer.from(part, 'base64url');
      for (let i = 0; i < bytes.length; i++) {
        for (const bit of [0x01, 0x80]) {
          const copy = Buffer.from(bytes);
          copy[i] = (copy[i] as number) ^ bit;
          const tampered = [v, kid, ...parts.map((x, j) => (j === p ? copy.toString('base64url') : x))].join(':');
          try {
            cipher.decrypt(tampered, at);
            accepted++;
          } catch (err) {
            expect(err).toBeInstanceOf(FieldDecryptionError);
            expect((err as Error).message).not.toContain('DE89');
            refused++;
          }
        }
      }
    });
    expect(accepted).toBe(0);
    expect(refused).toBeGreaterThan(80);
  });

  it('refuses a ciphertext moved to another row or column, truncated, or relabelled with another key id', () => {
    const cipher = new FieldCipher([...parseKeyRing(k1), ...parseKeyRing(k2)]);
    const sealed = cipher.encrypt('987654321', at);
    expect(reason(() => cipher.decrypt(sealed, { ...at, rowId: '00000000-0000-4000-8000-000000000000' }))).toBe('integrity');
    expect(reason(() => cipher.decrypt(sealed, { ...at, column: 'bank_account' }))).toBe('integrity');
    expect(reason(() => cipher.decrypt(sealed, { ...at, table: 'users' }))).toBe('integrity');
    expect(reason(() => cipher.decrypt(sealed.replace(':k1:', ':k2:'), at))).toBe('integrity');
    expect(reason(() => cipher.decrypt(sealed.replace(':k1:', ':k9:'), at))).toBe('unknown_key');
    expect(reason(() => cipher.decrypt(sealed.slice(0, -4), at))).toBe('integrity');
    expect(['integrity', 'malformed']).toContain(reason(() => cipher.decrypt(sealed.slice(0, -1), at)));
    expect(reason(() => cipher.decrypt('987654321', at))).toBe('malformed');
    expect(reason(() => cipher.decrypt(`v2${sealed.slice(2)}`, at))).toBe('malformed');
    expect(reason(() => cipher.decrypt(`${sealed}:x`, at))).toBe('malformed');
    // The same bytes spelt differently (padding, standard alphabet) are not accepted either.
    expect(reason(() => cipher.decrypt(sealed.replace(/:([^:]+)$/, ':$1='), at))).toBe('malformed');
  });

  it('rotation: values under an old key stay readable, new ones use the first key; a ring without the old key refuses them', () => {
    const old = createFieldCipher(k1);
    const sealedOld = old.encrypt('secret-1', at);
    const rotated = createFieldCipher(`${k2},${k1}`);
    expect(rotated.currentKid).toBe('k2');
    expect(rotated.isCurrent(sealedOld)).toBe(false);
    expect(rotated.decrypt(sealedOld, at)).toBe('secret-1');
    const sealedNew = rotated.encrypt('secret-1', at);
    expect(rotated.keyIdOf(sealedNew)).toBe('k2');
    expect(reason(() => createFieldCipher(k2).decrypt(sealedOld, at))).toBe('unknown_key');
  });

  it('keyed hash: deterministic per key, different across keys and purposes, never the value', () => {
    const a = createFieldCipher(k1);
    expect(a.hash('tax_id', '987654321')).toBe(createFieldCipher(k1).hash('tax_id', '987654321'));
    expect(a.hash('tax_id', '987654321')).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash('tax_id', '987654321')).not.toBe(a.hash('tax_id', '987654322'));
    expect(a.hash('tax_id', '987654321')).not.toBe(a.hash('other', '987654321'));
    expect(a.hash('tax_id', '987654321')).not.toBe(createFieldCipher(k2).hash('tax_id', '987654321'));
    // An explicit hash key keeps hashes stable across encryption key rotations.
    const hashKey = randomBytes(32).toString('base64');
    expect(createFieldCipher(k1, hashKey).hash('tax_id', 'X')).toBe(createFieldCipher(`${k2},${k1}`, hashKey).hash('tax_id', 'X'));
  });

  it('key ring parsing refuses bad entries without echoing key material', () => {
    const short = randomBytes(16).toString('base64');
    for (const spec of ['', 'nokid', `:${randomBytes(32).toString('base64')}`, `k1:${short}`, `k1:not base64!!`, `${k1},${k1}`, `bad kid!:${randomBytes(32).toString('base64')}`]) {
      let message = '';
      try {
        parseKeyRing(spec);
      } catch (err) {
        expect(err).toBeInstanceOf(KeyRingError);
        message = (err as Error).message;
      }
      expect(message, spec).not.toBe('');
      expect(message).not.toContain(short);
      expect(message).not.toContain(k1.split(':')[1]);
    }
    expect(parseKeyRing(`${k1}, ${k2}`).map((k) => k.kid)).toEqual(['k1', 'k2']);
    // base64url keys are accepted too
    expect(parseKeyRing(`u1:${randomBytes(32).toString('base64url')}`)).toHaveLength(1);
  });

  it('configuration: PII_ENCRYPTION_KEYS is checked at start and required in production', () => {
    const base = { NODE_ENV: 'production', SIGNED_URL_SECRET: 'x'.repeat(40), JWT_PRIVATE_KEY: 'pem', PUBLIC_URL: 'https://portal.example.org/', VAPID_PUBLIC_KEY: 'pub', VAPID_PRIVATE_KEY: 'priv' };
    expect(() => loadConfig(base)).toThrow(/PII_ENCRYPTION_KEYS: required in production/);
    expect(loadConfig({ ...base, PII_ENCRYPTION_KEYS: k1 }).PII_ENCRYPTION_KEYS).toBe(k1);
    const secret = randomBytes(16).toString('base64');
    let message = '';
    try {
      loadConfig({ PII_ENCRYPTION_KEYS: `k1:${secret}` });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/PII_ENCRYPTION_KEYS: .*32 bytes/);
    expect(message).not.toContain(secret);
    expect(() => loadConfig({ PII_HASH_KEY: 'short' })).toThrow(/PII_HASH_KEY/);
  });
});
