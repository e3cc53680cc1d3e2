import { describe, expect, it } from 'vitest';
import { signDownload, verifyDownload } from '../../src/server/files/signed-url.js';

const secret = 'a-test-secret-of-some-length-0123456789';
const target = { fileId: '0b7f5f0e-8d7b-4b8e-9a51-2f1f3c4d5e6f', organizationId: '6a1d2c3b-4e5f-4a7b-8c9d-0e1f2a3b4c5d', expiresAt: 2_000_000_000 };
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('signed download links', () => {
  it('opens the file it was made for until it expires', () => {
    const token = signDownload(secret, target);
    expect(verifyDownload(secret, token, 1_000)).toEqual({ ok: true, target });
    expect(verifyDownload(secret, token, (target.expiresAt + 1) * 1000)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyDownload('another-secret', token, 1_000)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses every link that differs from the issued one by a single character, the last one included', () => {
    // The last base64url character carries spare bits; a lenient decoder lets some of its
    // neighbours decode to the same bytes, which made a forged link open one time in sixteen.
    const token = signDownload(secret, target);
    let tried = 0;
    for (let i = 0; i < token.length; i++) {
      for (const c of alphabet) {
        if (c === token[i]) continue;
        const forged = token.slice(0, i) + c + token.slice(i + 1);
        expect(verifyDownload(secret, forged, 1_000).ok, `position ${i} → ${c}`).toBe(false);
        tried++;
      }
    }
    expect(tried).toBe(token.length * 63);
  });

  it('refuses links cut short, lengthened or padded', () => {
    const token = signDownload(secret, target);
    for (const bad of [token.slice(0, -1), `${token}A`, `${token}=`, `${token}==`, '', 'x'.repeat(401)]) {
      expect(verifyDownload(secret, bad, 1_000).ok).toBe(false);
    }
  });
});
