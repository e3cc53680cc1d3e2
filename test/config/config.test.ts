import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { loggerOptions } from '../../src/server/logger.js';

describe('configuration', () => {
  it('starts with no variables at all (the laptop default)', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.DEV_TOKENS).toBe(true);
  });

  it('names every bad value in one message', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'not a url', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT/);
      expect(problems).toMatch(/DATABASE_URL/);
      expect(problems).toMatch(/LOG_LEVEL/);
    }
  });

  it('ORGANIZATION_SIGNUP: open unless set to closed; any other value stops the start', () => {
    expect(loadConfig({}).ORGANIZATION_SIGNUP).toBe('open');
    expect(loadConfig({ ORGANIZATION_SIGNUP: '' }).ORGANIZATION_SIGNUP).toBe('open');
    expect(loadConfig({ ORGANIZATION_SIGNUP: 'closed' }).ORGANIZATION_SIGNUP).toBe('closed');
    expect(() => loadConfig({ ORGANIZATION_SIGNUP: 'false' })).toThrow(/ORGANIZATION_SIGNUP/);
  });

  it('SIGNATURE_PROVIDER=docusign needs every DocuSign setting, a real key and a Connect HMAC key', () => {
    expect(loadConfig({}).SIGNATURE_PROVIDER).toBe('builtin');
    expect(() => loadConfig({ SIGNATURE_PROVIDER: 'docusign' })).toThrow(/DOCUSIGN_API_URL, DOCUSIGN_AUTH_URL, DOCUSIGN_ACCOUNT_ID, DOCUSIGN_INTEGRATION_KEY, DOCUSIGN_USER_ID, DOCUSIGN_PRIVATE_KEY[\s\S]*DOCUSIGN_CONNECT_HMAC_KEYS/);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const settings = {
      SIGNATURE_PROVIDER: 'docusign', DOCUSIGN_API_URL: 'https://demo.docusign.net/restapi', DOCUSIGN_AUTH_URL: 'https://account-d.docusign.com',
      DOCUSIGN_ACCOUNT_ID: '1234567', DOCUSIGN_INTEGRATION_KEY: 'key', DOCUSIGN_USER_ID: 'user', DOCUSIGN_CONNECT_HMAC_KEYS: 'one, two',
    };
    expect(() => loadConfig({ ...settings, DOCUSIGN_PRIVATE_KEY: 'not a key' })).toThrow(/DOCUSIGN_PRIVATE_KEY: not a PEM private key/);
    // A key pasted on one line with \n escapes, as environment files often hold it.
    const oneLine = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().replace(/\n/g, '\\n');
    expect(loadConfig({ ...settings, DOCUSIGN_PRIVATE_KEY: oneLine }).DOCUSIGN_CONNECT_HMAC_KEYS).toEqual(['one', 'two']);
  });

  it('refuses production without secrets and with development tokens', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DEV_TOKENS: 'true' })).toThrow(/SIGNED_URL_SECRET[\s\S]*JWT_PRIVATE_KEY[\s\S]*PUBLIC_URL[\s\S]*DEV_TOKENS/);
    const ok = loadConfig({ NODE_ENV: 'production', SIGNED_URL_SECRET: 'x'.repeat(40), JWT_PRIVATE_KEY: 'pem', PUBLIC_URL: 'https://portal.example.org/', PII_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`, VAPID_PUBLIC_KEY: 'pub', VAPID_PRIVATE_KEY: 'priv' });
    expect(ok.DEV_TOKENS).toBe(false);
    expect(ok.publicUrl).toBe('https://portal.example.org');
  });

  it('treats empty values from a copied .env.example as unset and parses lists', () => {
    const c = loadConfig({ DATABASE_URL: '', CORS_ORIGINS: 'https://a.example, https://b.example', JOBS_IN_PROCESS: 'false' });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(c.JOBS_IN_PROCESS).toBe(false);
  });
});

describe('logging', () => {
  it('redacts personal data and credentials', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const log = pino(loggerOptions('info'), sink);
    log.info({ user: { email: 'jane@example.com', password: 'hunter2-hunter2', tax_id: '123-45-6789' }, req: { headers: { authorization: 'Bearer abc.def.ghi' } } }, 'x');
    const out = lines.join('');
    expect(out).not.toContain('jane@example.com');
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('123-45-6789');
    expect(out).toContain('[redacted]');
  });
});
