import { createHmac, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { exportJWK, generateKeyPair, importPKCS8, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxMailer } from '../../src/server/mail/mailer.js';
import { hashPassword } from '../../src/server/modules/auth/passwords.js';
import { sha256 } from '../../src/server/modules/auth/sessions.js';
import { ownerPool, type OwnerPool } from '../db/support.js';
import { addUser, createOrganization, startTestApp, type TestApp } from '../helpers/app.js';

/**
 * SECURITY.md battery rows 9–14 (accounts and sign-in), on whichever engine the suite runs.
 * Every figure of the battery is an assertion here: "accepted forgeries", "post-revoke
 * successes", "over-limit attempts let through", "response differences", "failures" — all 0.
 */

const PASSWORD = 'Violet-Curtain-Rises-42';
const PUBLIC_URL = 'http://portal.test';
const CORS_ORIGIN = 'https://app.example.com';

let t: TestApp;
let owner: OwnerPool;
let seq = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${seq++}`;
/** A fresh client address for each call, so per-address limits never mix tests. */
const nextAddress = () => { seq++; return `10.${100 + (seq >> 16)}.${(seq >> 8) & 255}.${(seq & 255) || 1}`; };

beforeAll(async () => {
  t = await startTestApp();
  owner = ownerPool(t);
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

type Injected = Awaited<ReturnType<TestApp['app']['inject']>>;
const problemType = (res: Injected) => (res.json() as { type?: string }).type;

interface Account {
  email: string;
  organizationId: string;
  access: string;
  refresh: string;
}

/** A real organization and admin, signed up through the API (password hashed, session started). */
async function signUp(app: TestApp = t): Promise<Account> {
  const email = `${unique('owner')}@example.com`;
  const res = await app.app.inject({
    method: 'POST', url: '/api/v1/organizations', remoteAddress: nextAddress(),
    payload: { name: 'Battery Hall', slug: unique('battery').toLowerCase(), admin: { email, password: PASSWORD, first_name: 'Ada', last_name: 'Lovelace' } },
  });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json() as { organization: { organization_id: string }; tokens: { access_token: string; refresh_token: string } };
  return { email, organizationId: body.organization.organization_id, access: body.tokens.access_token, refresh: body.tokens.refresh_token };
}

function login(email: string, password = PASSWORD, extra: { remoteAddress?: string; headers?: Record<string, string>; payload?: Record<string, unknown>; app?: TestApp } = {}) {
  return (extra.app ?? t).app.inject({
    method: 'POST', url: '/api/v1/auth/login', remoteAddress: extra.remoteAddress ?? nextAddress(),
    ...(extra.headers ? { headers: extra.headers } : {}),
    payload: { email, password, ...extra.payload },
  });
}

async function signedIn(email: string, password = PASSWORD) {
  const res = await login(email, password);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { tokens: { access_token: string; refresh_token: string } }).tokens;
}

const refresh = (token: string, app: TestApp = t) => app.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: token } });

const outbox = (app: TestApp = t) => (app.services.mailer as OutboxMailer).sent;
async function mailTo(to: string, subject: RegExp, app: TestApp = t, after = 0) {
  for (let i = 0; i < 100; i++) {
    const mail = outbox(app).slice(after).reverse().find((m) => m.to === to && subject.test(m.subject));
    if (mail) return mail;
    // E-mails go through the job queue: run what is due.
    await app.services.jobs.drain(['auth.password-reset', 'mail.send']);
  }
  throw new Error(`no "${String(subject)}" e-mail to ${to}`);
}
const linkToken = (text: string) => /token=([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? '';

async function forgot(email: string, headers: Record<string, string> = {}, app: TestApp = t) {
  const before = outbox(app).length;
  const res = await app.app.inject({ method: 'POST', url: '/api/v1/auth/forgot-password', remoteAddress: nextAddress(), headers, payload: { email } });
  expect(res.statusCode).toBe(202);
  await app.services.jobs.drain(['auth.password-reset', 'mail.send']);
  return mailTo(email, /Reset/, app, before);
}

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

// ---------------------------------------------------------------------------------------------
describe('9 · JWT forgery: every forged or unfit access token is refused with 401 invalid_token', () => {
  const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

  it('alg none, HS256 with the public key, injected kid/jku/jwk/x5u, expired, no exp, wrong audience or issuer, a stranger\'s key with our kid', async () => {
    const { config } = t.services;
    const org = await createOrganization(t.services, 'Forgery');
    const admin = org.users.admin;
    const jwks = (await t.app.inject('/api/v1/auth/jwks.json')).json() as { keys: (JWK & { kid: string })[] };
    expect(jwks.keys).toHaveLength(1);
    const publicJwk = jwks.keys[0]!;
    expect(publicJwk).not.toHaveProperty('d');
    const kid = publicJwk.kid;
    // The server's own key (the dev key in the data folder): used to show that even correctly
    // signed tokens are refused when a claim or header is wrong.
    const ownKey = await importPKCS8(fs.readFileSync(path.join(config.dataDir, 'keys', 'jwt-ed25519.pem'), 'utf8'), 'EdDSA');
    const stranger = await generateKeyPair('EdDSA', { extractable: true });
    const strangerJwk = await exportJWK(stranger.publicKey);

    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: admin.id, org: org.id, role: 'admin', iss: config.JWT_ISSUER, aud: 'big-live-portal-api', iat: now, exp: now + 600 };
    const sign = (key: Parameters<SignJWT['sign']>[0], header: Record<string, unknown>, payload: Record<string, unknown> = claims) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid, ...header }).sign(key);
    const hs256 = (secret: string | Buffer, header: Record<string, unknown> = {}) => {
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid, ...header })}.${b64(claims)}`;
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    };
    const publicPem = createPublicKey({ key: publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    const { exp: _exp, ...withoutExp } = claims;

    const forgeries: Record<string, string> = {
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      'alg none, kid kept': `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64(claims)}.`,
      'alg NONE': `${b64({ alg: 'NONE', typ: 'JWT', kid })}.${b64(claims)}.`,
      'HS256 keyed with the public PEM': hs256(publicPem),
      'HS256 keyed with the JWK x': hs256(Buffer.from(publicJwk.x!, 'base64url')),
      'HS256 keyed with the JWK as JSON': hs256(JSON.stringify(publicJwk)),
      'HS256 keyed with the JWK x text': hs256(publicJwk.x!),
      'stranger key, our kid': await sign(stranger.privateKey, {}),
      'stranger key, kid path traversal': await sign(stranger.privateKey, { kid: '../../../../dev/null' }),
      'stranger key, kid SQL': await sign(stranger.privateKey, { kid: "x' UNION SELECT 'k" }),
      'stranger key, jku to attacker': await sign(stranger.privateKey, { jku: 'https://attacker.example/jwks.json' }),
      'stranger key, embedded jwk': await sign(stranger.privateKey, { jwk: strangerJwk }),
      'stranger key, x5u to attacker': await sign(stranger.privateKey, { x5u: 'https://attacker.example/cert.pem' }),
      'own key, unknown kid': await sign(ownKey, { kid: 'rotated-away' }),
      'own key, no kid': await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign(ownKey),
      'own key, jku header': await sign(ownKey, { jku: 'https://attacker.example/jwks.json' }),
      'own key, jwk header': await sign(ownKey, { jwk: strangerJwk }),
      'own key, x5u header': await sign(ownKey, { x5u: 'https://attacker.example/cert.pem' }),
      'own key, expired': await sign(ownKey, {}, { ...claims, iat: now - 3600, exp: now - 60 }),
      'own key, no exp': await sign(ownKey, {}, withoutExp),
      'own key, wrong audience': await sign(ownKey, {}, { ...claims, aud: 'another-api' }),
      'own key, no audience': await sign(ownKey, {}, { ...claims, aud: undefined }),
      'own key, wrong issuer': await sign(ownKey, {}, { ...claims, iss: 'https://attacker.example' }),
      'own key, not yet valid': await sign(ownKey, {}, { ...claims, nbf: now + 3600 }),
      'own key, unknown role': await sign(ownKey, {}, { ...claims, role: 'superuser' }),
    };
    // A signed token whose payload is replaced afterwards (privilege escalation by editing).
    const genuine = await sign(ownKey, {}, { ...claims, role: 'artist' });
    const [h, , s] = genuine.split('.');
    forgeries['valid signature, payload swapped to another role'] = `${h}.${b64(claims)}.${s}`;

    // The harness itself is right: the same claims signed properly are accepted.
    const control = await t.app.inject({ url: '/api/v1/organization', headers: { authorization: `Bearer ${await sign(ownKey, {})}` } });
    expect(control.statusCode, control.body).toBe(200);

    const accepted: string[] = [];
    for (const [name, token] of Object.entries(forgeries)) {
      const res = await t.app.inject({ url: '/api/v1/organization', headers: { authorization: `Bearer ${token}` } });
      if (res.statusCode !== 401 || problemType(res) !== 'invalid_token') accepted.push(`${name}: ${res.statusCode} ${res.body.slice(0, 120)}`);
    }
    expect(accepted).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('10 · refresh tokens after revocation, replay and two tabs', () => {
  it('refresh fails after logout, logout everywhere, a password change, a password reset and a role change', async () => {
    const a = await signUp();
    const postRevoke: string[] = [];
    const expectDead = async (what: string, token: string) => {
      const res = await refresh(token);
      if (res.statusCode !== 401 || problemType(res) !== 'invalid_token') postRevoke.push(`${what}: ${res.statusCode}`);
    };

    // logout ends this session only
    const other = await signedIn(a.email);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${a.access}` }, payload: {} })).statusCode).toBe(204);
    await expectDead('after logout', a.refresh);
    // logout everywhere ends them all
    const third = await signedIn(a.email);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${third.access_token}` }, payload: { everywhere: true } })).statusCode).toBe(204);
    await expectDead('after logout everywhere (other device)', other.refresh_token);
    await expectDead('after logout everywhere (this device)', third.refresh_token);

    // a password change ends the other sessions
    const phone = await signedIn(a.email);
    const laptop = await signedIn(a.email);
    const newPassword = 'Another-Stage-Door-77';
    const change = await t.app.inject({ method: 'POST', url: '/api/v1/auth/change-password', headers: { authorization: `Bearer ${laptop.access_token}` }, payload: { current_password: PASSWORD, new_password: newPassword } });
    expect(change.statusCode, change.body).toBe(200);
    await expectDead('after password change', phone.refresh_token);

    // a reset ends every session
    const tablet = await signedIn(a.email, newPassword);
    const mail = await forgot(a.email);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { token: linkToken(mail.text), password: PASSWORD } })).statusCode).toBe(200);
    await expectDead('after password reset', tablet.refresh_token);

    // a role change ends the person's sessions in that organization
    const org = await createOrganization(t.services, 'Roles');
    const hash = await hashPassword(PASSWORD);
    await owner.pool.query('UPDATE users SET password_hash = $1 WHERE id = $2', [hash, org.users.production_manager.id]);
    const pm = await signedIn(org.users.production_manager.email);
    const demote = await t.app.inject({ method: 'PATCH', url: `/api/v1/members/${org.users.production_manager.membershipId}`, headers: org.users.admin.auth, payload: { role: 'artist' } });
    expect(demote.statusCode, demote.body).toBe(200);
    await expectDead('after role change', pm.refresh_token);
    const again = await login(org.users.production_manager.email);
    expect((again.json() as { role: string }).role).toBe('artist');

    expect(postRevoke).toEqual([]);
  });

  it('replaying a rotated refresh token revokes its whole family', async () => {
    const a = await signUp();
    const r1 = await refresh(a.refresh);
    expect(r1.statusCode).toBe(200);
    const second = (r1.json() as { refresh_token: string }).refresh_token;
    const r2 = await refresh(second);
    expect(r2.statusCode).toBe(200);
    const third = (r2.json() as { refresh_token: string }).refresh_token;
    // The thief replays the first token: refused, and the family (this session) ends.
    expect((await refresh(a.refresh)).statusCode).toBe(401);
    expect((await refresh(third)).statusCode).toBe(401);
    expect((await refresh(second)).statusCode).toBe(401);
    const sessions = await t.app.inject({ url: '/api/v1/auth/sessions', headers: { authorization: `Bearer ${a.access}` } });
    expect((sessions.json() as { data: { current: boolean }[] }).data.filter((s) => s.current)).toEqual([]);
  });

  /*
   * Two tabs refreshing with the same token at once: the refresh row is locked FOR UPDATE, so the
   * second request waits, then sees a rotated token and treats it as a replay — at most one
   * succeeds, and the session ends. What the web app must do (and does, src/web/src/auth/session.ts):
   * run every refresh under one Web Lock (`navigator.locks`, name `big-live-portal:refresh`) shared
   * by all tabs, and let a tab that waited re-read the new access token (BroadcastChannel) or
   * refresh with the cookie the winner just replaced — never send the same refresh token twice.
   */
  it('two (or five) concurrent refreshes with one token: at most one succeeds', async () => {
    for (const parallel of [2, 5]) {
      const a = await signUp();
      const answers = await Promise.all(Array.from({ length: parallel }, () => refresh(a.refresh)));
      const ok = answers.filter((r) => r.statusCode === 200);
      expect(ok.length, `${parallel} in parallel`).toBeLessThanOrEqual(1);
      for (const r of answers) expect([200, 401]).toContain(r.statusCode);
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('11 · sign-in rate limit, lockout and Redis outage', () => {
  let proxied: TestApp;
  beforeAll(async () => {
    proxied = await startTestApp({ TRUSTED_PROXIES: '127.0.0.1' });
  });
  afterAll(async () => proxied?.close());

  const attempt = (app: TestApp, remoteAddress: string, headers: Record<string, string> = {}) =>
    login(`${unique('nobody')}@example.com`, 'wrong-password-123', { app, remoteAddress, headers });

  it('30 sign-ins in a minute with a rotating X-Forwarded-For: at most 5 get past the limit (proxy headers not trusted by default)', async () => {
    const statuses: number[] = [];
    const badRefusals: string[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await attempt(t, '127.0.0.1', { 'x-forwarded-for': `203.0.113.${i + 1}`, forwarded: `for=198.51.100.${i + 1}`, 'x-real-ip': `192.0.2.${i + 1}` });
      statuses.push(res.statusCode);
      if (res.statusCode !== 429) continue;
      // Each refusal is an RFC 7807 too_many_attempts saying when to come back, in the body and the header.
      const body = res.json() as { type?: string; status?: number; retry_after?: unknown };
      const header = Number(res.headers['retry-after']);
      const ok = /^application\/problem\+json/.test(String(res.headers['content-type'])) && body.type === 'too_many_attempts' && body.status === 429
        && Number.isInteger(body.retry_after) && (body.retry_after as number) >= 1 && (body.retry_after as number) <= 60
        && Number.isInteger(header) && Math.abs(header - (body.retry_after as number)) <= 1;
      if (!ok) badRefusals.push(`${String(res.headers['content-type'])} retry-after=${String(res.headers['retry-after'])} ${res.body}`);
    }
    expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(5);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(badRefusals).toEqual([]);
  });

  it('with TRUSTED_PROXIES=127.0.0.1, X-Forwarded-For names the client: each client has its own budget, spoofing from elsewhere is ignored', async () => {
    const distinct: number[] = [];
    for (let i = 0; i < 10; i++) distinct.push((await attempt(proxied, '127.0.0.1', { 'x-forwarded-for': `203.0.113.${i + 1}` })).statusCode);
    expect(distinct.every((s) => s === 401)).toBe(true);

    const same: number[] = [];
    for (let i = 0; i < 8; i++) same.push((await attempt(proxied, '127.0.0.1', { 'x-forwarded-for': '198.51.100.7' })).statusCode);
    expect(same).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);

    // A client that is not a configured proxy cannot choose its address with the header.
    const spoofed: number[] = [];
    for (let i = 0; i < 10; i++) spoofed.push((await attempt(proxied, '10.77.0.1', { 'x-forwarded-for': `203.0.113.${100 + i}` })).statusCode);
    expect(spoofed.filter((s) => s !== 429).length).toBe(5);
  });

  it('10 loopback source addresses are limited separately; IPv6 clients by their /64', async () => {
    let passed = 0;
    for (let host = 1; host <= 10; host++) {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await attempt(t, `127.0.9.${host}`)).statusCode);
      expect(statuses, `127.0.9.${host}`).toEqual([401, 401, 401, 401, 401, 429, 429]);
      passed += statuses.filter((s) => s !== 429).length;
    }
    expect(passed).toBe(50);
    // Rotating through one /64 (what any IPv6 subscriber can do) is one client.
    const v6: number[] = [];
    for (let i = 0; i < 12; i++) v6.push((await attempt(t, `2001:db8:77:1::${(i + 1).toString(16)}`)).statusCode);
    expect(v6.filter((s) => s !== 429).length).toBe(5);
    // IPv4-mapped IPv6 is the IPv4 address.
    const mapped: number[] = [];
    for (let i = 0; i < 3; i++) mapped.push((await attempt(t, '::ffff:127.0.9.1')).statusCode);
    expect(mapped).toEqual([429, 429, 429]);
  });

  it('during a lockout the right password answers 429 too_many_attempts, from any address', async () => {
    const a = await signUp();
    for (let i = 0; i < 10; i++) expect((await login(a.email, `wrong-password-${i}-xx`)).statusCode).toBe(401);
    let letThrough = 0;
    for (let i = 0; i < 3; i++) {
      const res = await login(a.email);
      if (res.statusCode !== 429) letThrough++;
      else expect(res.json()).toMatchObject({ type: 'too_many_attempts', retry_after: expect.any(Number) as number });
    }
    expect(letThrough).toBe(0);
    // An unknown e-mail locks the same way (the lock is per e-mail, not per account).
    const ghost = `${unique('ghost')}@example.com`;
    for (let i = 0; i < 10; i++) await login(ghost, `wrong-password-${i}-xx`);
    expect((await login(ghost, 'wrong-password-xx')).statusCode).toBe(429);
  });

  // Behind a load balancer the limit is shared: one client spread over two instances still gets 5.
  describe.runIf(Boolean(process.env.REDIS_URL))('with a shared Redis', () => {
    let one: TestApp;
    let two: TestApp;
    beforeAll(async () => {
      const env = { REDIS_URL: process.env.REDIS_URL ?? '' };
      one = await startTestApp(env);
      two = await startTestApp(env);
    });
    afterAll(async () => {
      await one?.close();
      await two?.close();
    });

    it('30 sign-ins rotating X-Forwarded-For over two instances: at most 5 get past the limit', async () => {
      // A fresh address each run: the counters live in Redis for a minute.
      const address = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 1}`;
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await attempt(i % 2 ? one : two, address, { 'x-forwarded-for': `203.0.113.${i + 1}` })).statusCode);
      expect(statuses.filter((s) => s !== 429).length).toBe(5);
    });
  });

  /*
   * Decision for a Redis outage: the limiter fails over to per-instance memory (neither open nor
   * closed). Sign-in keeps answering, limits keep holding on each instance, and the account
   * lockout in PostgreSQL is untouched. See src/server/http/rate-limit-store.ts.
   */
  describe('with REDIS_URL pointing at a closed port', () => {
    let down: TestApp;
    beforeAll(async () => {
      down = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}`, RATE_LIMIT_MAX: '1000' });
    });
    afterAll(async () => down?.close());

    it('sign-in still answers (no 5xx) and the per-address limit still holds', async () => {
      const a = await signUp(down);
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await login(`${unique('nobody')}@example.com`, 'wrong-password-123', { app: down, remoteAddress: '10.88.0.1' })).statusCode);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
      const ok = await login(a.email, PASSWORD, { app: down });
      expect(ok.statusCode, ok.body).toBe(200);
      const me = await down.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${(ok.json() as { tokens: { access_token: string } }).tokens.access_token}` } });
      expect(me.statusCode).toBe(200);
    });
  });
});

// ---------------------------------------------------------------------------------------------
describe('12 · known and unknown e-mails answer alike (50 each)', () => {
  const N = 50;
  let known: string[];

  beforeAll(async () => {
    const org = await createOrganization(t.services, 'Timing');
    known = [];
    for (let i = 0; i < N; i++) known.push((await addUser(t.services, org.id, 'artist', `known-${i}-${org.id.slice(0, 8)}@example.com`)).email);
    const hash = await hashPassword(PASSWORD);
    await owner.pool.query('UPDATE users SET password_hash = $1 WHERE email = ANY($2::text[])', [hash, known]);
  }, 120_000);

  const strip = (res: Injected) => ({ ...(res.json() as Record<string, unknown>), request_id: undefined, instance: undefined });

  async function compare(send: (email: string) => Promise<Injected>, unknownEmail: (i: number) => string) {
    await send(known[0]!);
    await send(unknownEmail(-1)); // warm-up (the dummy hash is computed on first use)
    const times = { known: [] as number[], unknown: [] as number[] };
    const differences: string[] = [];
    let reference: Injected | undefined;
    for (let i = 0; i < N; i++) {
      // Interleaved, so drift in machine load hits both sides alike.
      for (const side of i % 2 ? (['unknown', 'known'] as const) : (['known', 'unknown'] as const)) {
        const email = side === 'known' ? known[i]! : unknownEmail(i);
        const start = performance.now();
        const res = await send(email);
        times[side].push(performance.now() - start);
        reference ??= res;
        if (res.statusCode !== reference.statusCode) differences.push(`${side} ${email}: status ${res.statusCode}`);
        else if (JSON.stringify(strip(res)) !== JSON.stringify(strip(reference))) differences.push(`${side} ${email}: ${res.body}`);
        for (const header of ['content-type', 'retry-after', 'set-cookie']) {
          if (res.headers[header] !== reference.headers[header]) differences.push(`${side} ${email}: header ${header}`);
        }
      }
    }
    return { differences, gap: Math.abs(median(times.known) - median(times.unknown)), medians: [median(times.known), median(times.unknown)] };
  }

  it('sign-in with a wrong password: identical answers, median timing gap < 20 ms', async () => {
    const result = await compare((email) => login(email, 'Wrong-But-Long-Enough-1'), (i) => `unknown-${i}-${unique('u')}@example.com`);
    expect(result.differences).toEqual([]);
    expect(result.gap, `medians known/unknown ${result.medians.map((m) => m.toFixed(1)).join(' / ')} ms`).toBeLessThan(20);
  }, 120_000);

  it('forgot-password: identical answers, median timing gap < 20 ms', async () => {
    const send = (email: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/forgot-password', remoteAddress: nextAddress(), payload: { email } });
    const result = await compare(send, (i) => `unknown-${i}-${unique('u')}@example.com`);
    expect(result.differences).toEqual([]);
    expect(result.gap, `medians known/unknown ${result.medians.map((m) => m.toFixed(1)).join(' / ')} ms`).toBeLessThan(20);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------
describe('13 · reset tokens and reset links', () => {
  const reset = (token: string, password: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/reset-password', remoteAddress: nextAddress(), payload: { token, password } });

  it('a reset token works once, not after it expired, only for its own account, and not for another purpose', async () => {
    const a = await signUp();
    const b = await signUp();
    const accepted: string[] = [];
    const refused = async (what: string, res: Injected) => {
      if (res.statusCode !== 401 || problemType(res) !== 'invalid_token') accepted.push(`${what}: ${res.statusCode} ${res.body.slice(0, 100)}`);
    };

    // reused
    const first = linkToken((await forgot(a.email)).text);
    expect((await reset(first, 'First-New-Password-2026')).statusCode).toBe(200);
    await refused('reused', await reset(first, 'Second-New-Password-2026'));
    expect((await login(a.email, 'First-New-Password-2026')).statusCode).toBe(200);

    // expired (an hour has passed)
    const late = linkToken((await forgot(a.email)).text);
    const moved = await owner.pool.query("UPDATE auth_tokens SET expires_at = now() - interval '1 minute' WHERE token_hash = $1", [sha256(late)]);
    expect(moved.rowCount).toBe(1);
    await refused('expired', await reset(late, 'Late-New-Password-2026'));
    expect((await login(a.email, 'First-New-Password-2026')).statusCode).toBe(200);

    // a newer link replaces an older one
    const older = linkToken((await forgot(a.email)).text);
    const newer = linkToken((await forgot(a.email)).text);
    await refused('superseded', await reset(older, 'Older-Link-Password-2026'));

    // cross-user: A's token changes A's password, never B's, whatever else the body says
    const smuggled = await t.app.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { token: newer, password: 'Smuggled-Password-2026', email: b.email } });
    expect(smuggled.statusCode).toBe(400);
    expect((await reset(newer, 'Only-For-A-Password-2026')).statusCode).toBe(200);
    expect((await login(a.email, 'Only-For-A-Password-2026')).statusCode).toBe(200);
    expect((await login(b.email, PASSWORD)).statusCode).toBe(200);
    expect((await login(b.email, 'Only-For-A-Password-2026')).statusCode).toBe(401);

    // an e-mail verification token is not a reset token
    const verification = await mailTo(b.email, /Confirm/);
    await refused('verification token as reset token', await reset(linkToken(verification.text), 'Wrong-Purpose-Password-2026'));
    // garbage and a hash of a real token are not tokens
    await refused('made-up token', await reset('A'.repeat(43), 'Made-Up-Password-2026'));
    await refused('token hash instead of token', await reset(sha256(newer), 'Hash-As-Token-Password-2026'));

    expect(accepted).toEqual([]);
  });

  it('spoofed Host, X-Forwarded-Host and Forwarded never reach the e-mailed link (also behind a trusted proxy)', async () => {
    const spoofs: Record<string, string>[] = [
      { host: 'evil.example' },
      { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
      { forwarded: 'host=evil.example;proto=https' },
      { host: 'portal.test@evil.example' },
      { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-original-host': 'evil.example', 'x-host': 'evil.example' },
    ];
    const proxied = await startTestApp({ TRUSTED_PROXIES: '127.0.0.1' });
    try {
      const leaks: string[] = [];
      for (const app of [t, proxied]) {
        const a = await signUp(app);
        for (const headers of spoofs) {
          const mail = await forgot(a.email, headers, app);
          const links = [...mail.text.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0]);
          if (!links.length || links.some((l) => !l.startsWith(`${PUBLIC_URL}/reset-password?token=`)) || /evil/.test(mail.text + (mail.html ?? ''))) {
            leaks.push(`${JSON.stringify(headers)} → ${links.join(' ')}`);
          }
        }
        // The invitation link shown to admins is built the same way.
        const invite = await app.app.inject({ method: 'POST', url: '/api/v1/admin/users', headers: { authorization: `Bearer ${a.access}`, host: 'evil.example', 'x-forwarded-host': 'evil.example' }, payload: { email: `${unique('inv')}@example.com`, role: 'artist' } });
        expect(invite.statusCode, invite.body).toBe(201);
        if (!(invite.json() as { accept_url: string }).accept_url.startsWith(`${PUBLIC_URL}/`)) leaks.push(`invitation: ${invite.body}`);
      }
      expect(leaks).toEqual([]);
    } finally {
      await proxied.close();
    }
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------
describe('14 · refresh cookie, cross-origin refresh and CORS', () => {
  let cors: TestApp;
  beforeAll(async () => {
    cors = await startTestApp({ CORS_ORIGINS: CORS_ORIGIN });
  });
  afterAll(async () => cors?.close());

  const cookieOf = (res: Injected) => {
    const header = res.headers['set-cookie'];
    const all = Array.isArray(header) ? header : header ? [String(header)] : [];
    return all.find((c) => c.startsWith('bl_refresh='));
  };
  const cookieRefresh = (app: TestApp, cookie: string, headers: Record<string, string>) =>
    app.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers: { cookie, ...headers }, payload: { use_cookie: true } });

  function expectFlags(setCookie: string | undefined, what: string) {
    expect(setCookie, what).toBeDefined();
    const attributes = setCookie!.split(';').map((p) => p.trim().toLowerCase());
    expect(attributes, what).toContain('httponly');
    expect(attributes, what).toContain('secure');
    expect(attributes, what).toContain('samesite=strict');
    expect(attributes, what).toContain('path=/api/v1/auth');
    expect(attributes.some((a) => a.startsWith('domain=')), what).toBe(false);
  }

  it('cookie flags: Secure, HttpOnly, SameSite=Strict, Path=/api/v1/auth, host-only — at sign-in and after each rotation', async () => {
    const a = await signUp();
    const signIn = await login(a.email, PASSWORD, { payload: { use_cookie: true } });
    expect(signIn.statusCode).toBe(200);
    expect((signIn.json() as { tokens: Record<string, unknown> }).tokens.refresh_token).toBeUndefined();
    expectFlags(cookieOf(signIn), 'sign-in');
    const rotated = await cookieRefresh(t, cookieOf(signIn)!.split(';')[0]!, { origin: PUBLIC_URL });
    expect(rotated.statusCode).toBe(200);
    expect((rotated.json() as Record<string, unknown>).refresh_token).toBeUndefined();
    expectFlags(cookieOf(rotated), 'rotation');
    const remembered = await login(a.email, PASSWORD, { payload: { use_cookie: true, remember_me: true } });
    expectFlags(cookieOf(remembered), 'remember me');
    expect(cookieOf(remembered)!.toLowerCase()).toMatch(/expires=/);
    // Rotation keeps a remember-me cookie persistent, and an ordinary one a browser-session cookie.
    const rotatedRemembered = await cookieRefresh(t, cookieOf(remembered)!.split(';')[0]!, { origin: PUBLIC_URL });
    expectFlags(cookieOf(rotatedRemembered), 'remember-me rotation');
    expect(cookieOf(rotatedRemembered)!.toLowerCase()).toMatch(/expires=/);
    expect(cookieOf(rotated)!.toLowerCase()).not.toMatch(/expires=|max-age=/);
    const logout = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${(remembered.json() as { tokens: { access_token: string } }).tokens.access_token}` }, payload: {} });
    expect(logout.statusCode).toBe(204);
    expect(cookieOf(logout)?.toLowerCase()).toMatch(/path=\/api\/v1\/auth/);
  });

  it('a refresh with the cookie from any other origin (or none) is refused and leaves the cookie usable', async () => {
    const failures: string[] = [];
    for (const app of [t, cors]) {
      const a = await signUp(app);
      const signIn = await login(a.email, PASSWORD, { app, payload: { use_cookie: true } });
      const cookie = cookieOf(signIn)!.split(';')[0]!;
      const foreign: Record<string, string>[] = [
        { origin: 'https://evil.example' },
        {},
        { origin: 'null' },
        { origin: 'https://portal.test' },
        { origin: 'http://portal.test.evil.example' },
        { origin: `${CORS_ORIGIN}.evil.example` },
        { origin: 'http://app.example.com' },
        { referer: `${PUBLIC_URL}/` },
        { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' },
      ];
      for (const headers of foreign) {
        const res = await cookieRefresh(app, cookie, headers);
        if (res.statusCode !== 403 || cookieOf(res)) failures.push(`${JSON.stringify(headers)}: ${res.statusCode}`);
      }
      // Refusals happen before rotation: the cookie still works from the portal itself.
      const own = await cookieRefresh(app, cookie, { origin: PUBLIC_URL });
      if (own.statusCode !== 200) failures.push(`own origin after refusals: ${own.statusCode}`);
    }
    // The configured web origin may refresh with the cookie too.
    const a = await signUp(cors);
    const signIn = await login(a.email, PASSWORD, { app: cors, payload: { use_cookie: true } });
    const fromApp = await cookieRefresh(cors, cookieOf(signIn)!.split(';')[0]!, { origin: CORS_ORIGIN });
    if (fromApp.statusCode !== 200) failures.push(`configured origin: ${fromApp.statusCode}`);
    expect(failures).toEqual([]);
  });

  it('CORS never reflects an arbitrary Origin; with CORS_ORIGINS only that origin is allowed, with credentials', async () => {
    const failures: string[] = [];
    const preflight = (app: TestApp, origin: string) => app.app.inject({
      method: 'OPTIONS', url: '/api/v1/auth/refresh',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    const simple = (app: TestApp, origin: string) => app.app.inject({ url: '/api/v1/health', headers: { origin } });
    const others = ['https://evil.example', 'null', `${CORS_ORIGIN}.evil.example`, 'http://app.example.com', 'https://sub.app.example.com', 'https://app.example.com:8443', PUBLIC_URL.replace('http:', 'https:')];

    for (const [name, app] of [['default', t], ['CORS_ORIGINS', cors]] as const) {
      for (const origin of others) {
        for (const res of [await preflight(app, origin), await simple(app, origin)]) {
          const allow = res.headers['access-control-allow-origin'];
          if (allow !== undefined && allow !== '') failures.push(`${name} reflected ${origin} as ${String(allow)}`);
          if (allow === '*' && res.headers['access-control-allow-credentials'] === 'true') failures.push(`${name} wildcard with credentials`);
        }
      }
    }
    for (const res of [await preflight(cors, CORS_ORIGIN), await simple(cors, CORS_ORIGIN)]) {
      expect(res.headers['access-control-allow-origin']).toBe(CORS_ORIGIN);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(String(res.headers.vary ?? '')).toMatch(/origin/i);
    }
    expect((await preflight(cors, CORS_ORIGIN)).statusCode).toBeLessThan(300);
    expect(failures).toEqual([]);
  });
});
