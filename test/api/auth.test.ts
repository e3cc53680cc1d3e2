import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxMailer } from '../../src/server/mail/mailer.js';
import { REFRESH_TTL_DAYS, REMEMBER_ME_TTL_DAYS } from '../../src/server/modules/auth/sessions.js';
import { ownerPool, type OwnerPool } from '../db/support.js';
import { createOrganization, onServer, startTestApp, type TestApp } from '../helpers/app.js';
import { expectProblem } from './support.js';

let t: TestApp;
let owner: OwnerPool;
const password = 'Violet-Curtain-Rises-42';
let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${counter++}`;

beforeAll(async () => {
  t = await startTestApp();
  owner = ownerPool(t);
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

/** Counts rows as the schema owner (past row-level security): what a refused request must not have created. */
async function count(sql: string, params: unknown[]): Promise<number> {
  return Number((await owner.pool.query<{ n: string }>(sql, params)).rows[0]?.n);
}
const DAY_MS = 86_400_000;

const outbox = () => (t.services.mailer as OutboxMailer).sent;
async function waitForMail(to: string) {
  for (let i = 0; i < 50; i++) {
    const mail = [...outbox()].reverse().find((m) => m.to === to);
    if (mail) return mail;
    // E-mails go through the job queue: run what is due.
    await t.services.jobs.drain(['auth.password-reset', 'mail.send']);
  }
  throw new Error(`no e-mail to ${to}`);
}
const linkToken = (text: string) => /token=([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? '';

async function signUp(email = `${unique('admin')}@example.com`) {
  const slug = unique('co').toLowerCase();
  // Sign-ups are limited per client address; each comes from its own address here.
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/organizations', remoteAddress: `10.200.${counter % 250}.${Math.floor(counter / 250) + 1}`, payload: { name: 'Globe Theatre', slug, admin: { email, password, first_name: 'Ada', last_name: 'Lovelace' } } });
  expect(res.statusCode, res.body).toBe(201);
  return { ...res.json(), email, slug };
}

describe('organization sign-up and sign-in', () => {
  it('creates the organization, its admin and a session; the access token works', async () => {
    const s = await signUp();
    expect(s.role).toBe('admin');
    expect(s.tokens.refresh_token).toBeTruthy();
    const org = await t.app.inject({ url: '/api/v1/organization', headers: { authorization: `Bearer ${s.tokens.access_token}` } });
    expect(org.json()).toMatchObject({ slug: s.slug, name: 'Globe Theatre' });
    const mail = await waitForMail(s.email);
    expect(mail.subject).toMatch(/Confirm/);
    expect(mail.text).toContain('http://portal.test/verify-email?token=');
    const verify = await t.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token: linkToken(mail.text) } });
    expect(verify.statusCode).toBe(200);
    const me = await t.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${s.tokens.access_token}` } });
    expect(me.json().user.email_verified).toBe(true);
  });

  it('refuses weak or breached passwords and taken e-mails', async () => {
    const weak = await t.app.inject({ method: 'POST', url: '/api/v1/organizations', payload: { name: 'X', slug: unique('x'), admin: { email: `${unique('w')}@example.com`, password: 'password1234', first_name: 'A', last_name: 'B' } } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors[0].field).toBe('body.admin.password');
    const s = await signUp();
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/organizations', payload: { name: 'Y', slug: unique('y'), admin: { email: s.email, password, first_name: 'A', last_name: 'B' } } });
    expect(again.statusCode).toBe(409);
    expect(again.json().type).toBe('email_exists');
  });

  it('signs in; wrong passwords and unknown e-mails answer identically', async () => {
    const s = await signUp();
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.0.0.1', payload: { email: s.email.toUpperCase(), password } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().organization.slug).toBe(s.slug);
    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.0.0.2', payload: { email: s.email, password: 'not-the-password-at-all' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.0.0.3', payload: { email: `${unique('nobody')}@example.com`, password: 'not-the-password-at-all' } });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, request_id: undefined });
    expect(strip(wrong.json())).toEqual(strip(unknown.json()));
  });

  it('locks an e-mail after 10 failures for 30 minutes, even with the right password', async () => {
    const s = await signUp();
    for (let i = 0; i < 10; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: `10.1.${i}.1`, payload: { email: s.email, password: `wrong-password-${i}-xx` } });
      expect(res.statusCode).toBe(401);
    }
    const locked = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.1.99.1', payload: { email: s.email, password } });
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ type: 'too_many_attempts' });
    expect(locked.json().retry_after).toBeGreaterThan(29 * 60);
  });

  it('limits sign-in attempts to 5 per minute per client address: then 429 too_many_attempts with retry_after and Retry-After', async () => {
    const answers = [];
    for (let i = 0; i < 7; i++) {
      answers.push(await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.2.0.1', headers: { 'x-forwarded-for': `1.2.3.${i}` }, payload: { email: `${unique('r')}@example.com`, password: 'whatever-password-1' } }));
    }
    expect(answers.map((a) => a.statusCode)).toEqual([401, 401, 401, 401, 401, 429, 429]);
    for (const limited of answers.slice(5)) {
      // RFC 7807: application/problem+json with type, title, status, detail and instance.
      const body = expectProblem(limited, 429, 'too_many_attempts');
      expect(body).toMatchObject({ title: 'Too many attempts', instance: '/api/v1/auth/login' });
      expect(body.detail).toMatch(/sign-in attempts from this address/);
      // Seconds until the one-minute window ends, in the body and in the Retry-After header alike.
      expect(Number.isInteger(body.retry_after)).toBe(true);
      expect(body.retry_after).toBeGreaterThanOrEqual(1);
      expect(body.retry_after).toBeLessThanOrEqual(60);
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
      expect(Math.abs(Number(limited.headers['retry-after']) - (body.retry_after as number))).toBeLessThanOrEqual(1);
    }
    // The limit is the address's, not the e-mail's: another address still gets its own 5.
    const elsewhere = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.2.0.2', payload: { email: `${unique('r')}@example.com`, password: 'whatever-password-1' } });
    expect(elsewhere.statusCode).toBe(401);
  });
});

describe('organization sign-up closed by configuration (ORGANIZATION_SIGNUP) or by the signup.open setting', () => {
  let closed: TestApp;
  beforeAll(async () => {
    closed = await startTestApp({ ORGANIZATION_SIGNUP: 'closed' });
  });
  afterAll(async () => closed?.close());

  const attempt = (app: TestApp, email: string, slug: string, pw = password) => app.app.inject({
    method: 'POST', url: '/api/v1/organizations', remoteAddress: `10.210.${counter % 250}.${(counter++ % 200) + 1}`,
    payload: { name: 'Closed Theatre', slug, admin: { email, password: pw, first_name: 'Cleo', last_name: 'Shut' } },
  });
  async function expectNothingCreated(email: string, slug: string) {
    expect(await count('SELECT count(*) AS n FROM organizations WHERE slug = $1', [slug])).toBe(0);
    expect(await count('SELECT count(*) AS n FROM users WHERE lower(email) = lower($1)', [email])).toBe(0);
  }

  it('ORGANIZATION_SIGNUP=closed: 403 signup_closed (even for a weak password or a taken e-mail), nothing created; the status endpoint says closed', async () => {
    const email = `${unique('closed')}@example.com`;
    const slug = unique('closed').toLowerCase();
    const res = await attempt(closed, email, slug);
    const body = expectProblem(res, 403, 'signup_closed');
    expect(body.title).toBe('Sign-up of new organizations is closed');
    expect(body.detail).toMatch(/does not take new organizations/);
    await expectNothingCreated(email, slug);
    // Closed comes first: no password check, no "e-mail exists" answer that would tell who has an account.
    expectProblem(await attempt(closed, `${unique('weak')}@example.com`, unique('weak').toLowerCase(), 'password1234'), 403, 'signup_closed');
    const member = await signUp();
    expectProblem(await attempt(closed, member.email, unique('taken').toLowerCase()), 403, 'signup_closed');
    expect(await count('SELECT count(*) AS n FROM memberships m JOIN users u ON u.id = m.user_id WHERE lower(u.email) = lower($1)', [member.email])).toBe(1);
    const status = await closed.app.inject({ url: '/api/v1/organizations/signup' });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toEqual({ open: false });
  });

  it('open by default: the status endpoint says open and sign-up creates the organization', async () => {
    expect((await t.app.inject({ url: '/api/v1/organizations/signup' })).json()).toEqual({ open: true });
    const email = `${unique('opened')}@example.com`;
    const slug = unique('opened').toLowerCase();
    const res = await attempt(t, email, slug);
    expect(res.statusCode, res.body).toBe(201);
    expect(await count('SELECT count(*) AS n FROM organizations WHERE slug = $1', [slug])).toBe(1);
    expect(await count('SELECT count(*) AS n FROM users WHERE lower(email) = lower($1)', [email])).toBe(1);
  });

  // The setting is portal-wide: on a server every test file shares the database, so closing it
  // there would refuse the sign-ups of files running alongside. Each embedded run has its own.
  it.runIf(!onServer)('signup.open = false in system_settings closes it too, whatever ORGANIZATION_SIGNUP says; true reopens it', async () => {
    const setSignUp = (open: boolean) => owner.pool.query(`UPDATE system_settings SET value = $1::jsonb WHERE key = 'signup.open'`, [JSON.stringify(open)]);
    try {
      await setSignUp(false);
      const email = `${unique('setting')}@example.com`;
      const slug = unique('setting').toLowerCase();
      expectProblem(await attempt(t, email, slug), 403, 'signup_closed');
      await expectNothingCreated(email, slug);
      expect((await t.app.inject({ url: '/api/v1/organizations/signup' })).json()).toEqual({ open: false });
      // Set to true, the setting does not reopen what configuration closed.
      await setSignUp(true);
      expectProblem(await attempt(closed, email, slug), 403, 'signup_closed');
      expect((await attempt(t, email, slug)).statusCode).toBe(201);
    } finally {
      await setSignUp(true);
    }
  });
});

describe('refresh tokens', () => {
  it('rotate on every use; replaying a rotated one ends the whole session', async () => {
    const s = await signUp();
    const first = s.tokens.refresh_token;
    const r1 = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: first } });
    expect(r1.statusCode).toBe(200);
    const second = r1.json().refresh_token;
    expect(second).not.toBe(first);
    const replay = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: first } });
    expect(replay.statusCode).toBe(401);
    // The family is revoked: even the newest token is refused now.
    const after = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: second } });
    expect(after.statusCode).toBe(401);
  });

  it('access tokens live 15 minutes; remember-me keeps the refresh token 30 days, an ordinary sign-in 7 days in a browser-session cookie', async () => {
    const s = await signUp();
    const signIn = async (remember: boolean) => {
      const started = Date.now();
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: `10.230.0.${(counter++ % 250) + 1}`, payload: { email: s.email, password, use_cookie: true, remember_me: remember } });
      expect(res.statusCode, res.body).toBe(200);
      const cookie = ([res.headers['set-cookie']].flat() as string[]).find((c) => c.startsWith('bl_refresh='))!;
      expect(cookie).toBeDefined();
      return { started, body: res.json(), cookie };
    };
    const normal = await signIn(false);
    const remembered = await signIn(true);

    for (const { body } of [normal, remembered]) {
      const claims = decodeJwt(body.tokens.access_token);
      expect(claims.exp! - claims.iat!).toBe(15 * 60);
      expect(Math.abs(claims.iat! * 1000 - Date.now())).toBeLessThan(60_000);
      expect(body.tokens.expires_in).toBe(900);
    }
    expect(REMEMBER_ME_TTL_DAYS).toBe(30);
    expect(REFRESH_TTL_DAYS).toBeLessThan(30);
    const near = (iso: string, started: number, days: number) => expect(Math.abs(Date.parse(iso) - (started + days * DAY_MS))).toBeLessThan(60_000);
    near(normal.body.tokens.refresh_expires_at, normal.started, 7);
    near(remembered.body.tokens.refresh_expires_at, remembered.started, 30);

    // The cookie: remember-me persists until the refresh token ends; an ordinary sign-in ends with the browser.
    const expires = /;\s*Expires=([^;]+)/i.exec(remembered.cookie)?.[1];
    expect(expires, remembered.cookie).toBeDefined();
    near(new Date(expires!).toISOString(), remembered.started, 30);
    expect(normal.cookie).not.toMatch(/Expires=|Max-Age=/i);

    // What is stored decides, not the cookie: the session and its refresh token end 30 days vs 7 days out.
    const stored = async (sessionId: string) => (await owner.pool.query<{ s: Date; r: Date; remember_me: boolean }>(
      `SELECT s.expires_at AS s, max(r.expires_at) AS r, s.remember_me FROM auth_sessions s JOIN refresh_tokens r ON r.session_id = s.id WHERE s.id = $1 GROUP BY s.id`, [sessionId])).rows[0]!;
    const sessionOf = (access: string) => decodeJwt(access).sid as string;
    const longRow = await stored(sessionOf(remembered.body.tokens.access_token));
    const shortRow = await stored(sessionOf(normal.body.tokens.access_token));
    expect(longRow.remember_me).toBe(true);
    expect(shortRow.remember_me).toBe(false);
    near(longRow.s.toISOString(), remembered.started, 30);
    near(longRow.r.toISOString(), remembered.started, 30);
    near(shortRow.s.toISOString(), normal.started, 7);
    near(shortRow.r.toISOString(), normal.started, 7);

    // A rotation neither extends a session nor shortens remember-me; the new access token again lives 15 minutes.
    const rotated = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers: { cookie: remembered.cookie.split(';')[0]!, origin: 'http://portal.test' }, payload: { use_cookie: true } });
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect(rotated.json().refresh_expires_at).toBe(remembered.body.tokens.refresh_expires_at);
    const again = decodeJwt(rotated.json().access_token);
    expect(again.exp! - again.iat!).toBe(900);
  });

  it('stop working after logout, logout everywhere and a password change', async () => {
    const s = await signUp();
    const other = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.3.0.1', payload: { email: s.email, password } })).json();
    const logout = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${s.tokens.access_token}` }, payload: {} });
    expect(logout.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: s.tokens.refresh_token } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: other.tokens.refresh_token } })).statusCode).toBe(200);

    const a = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.3.0.2', payload: { email: s.email, password } })).json();
    const b = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.3.0.3', payload: { email: s.email, password } })).json();
    const change = await t.app.inject({ method: 'POST', url: '/api/v1/auth/change-password', headers: { authorization: `Bearer ${a.tokens.access_token}` }, payload: { current_password: password, new_password: 'Another-Stage-Door-77' } });
    expect(change.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: b.tokens.refresh_token } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: a.tokens.refresh_token } })).statusCode).toBe(200);
  });

  it('travel in an HttpOnly, Secure, SameSite=Strict cookie for the web app, accepted only from the portal origin', async () => {
    const s = await signUp();
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.4.0.1', payload: { email: s.email, password, use_cookie: true } });
    expect(login.json().tokens.refresh_token).toBeUndefined();
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/bl_refresh=/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(';')[0]!;
    const foreign = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers: { cookie, origin: 'https://evil.example' }, payload: { use_cookie: true } });
    expect(foreign.statusCode).toBe(403);
    const own = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers: { cookie, origin: 'http://portal.test' }, payload: { use_cookie: true } });
    expect(own.statusCode).toBe(200);
  });
});

describe('invitations and organization switching', () => {
  it('an invited person registers from the link, and an existing account joins a second organization', async () => {
    const s = await signUp();
    const admin = { authorization: `Bearer ${s.tokens.access_token}` };
    const artistEmail = `${unique('artist')}@example.com`;
    const invite = await t.app.inject({ method: 'POST', url: '/api/v1/admin/users', headers: admin, payload: { email: artistEmail, role: 'artist', first_name: 'Jane', last_name: 'Doe' } });
    expect(invite.statusCode).toBe(201);
    const token = linkToken(invite.json().accept_url);
    const preview = (tok: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/invitations/preview', payload: { token: tok } });
    const shown = await preview(token);
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toMatchObject({ organization_name: 'Globe Theatre', email: artistEmail, role: 'artist', first_name: 'Jane', last_name: 'Doe', existing_account: false });
    const reg = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { invitation_token: token, password } });
    expect(reg.statusCode, reg.body).toBe(201);
    expect(reg.json()).toMatchObject({ role: 'artist', user: { email: artistEmail, email_verified: true } });
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { invitation_token: token, password } })).statusCode).toBe(401);

    const other = await signUp();
    const invite2 = await t.app.inject({ method: 'POST', url: '/api/v1/admin/users', headers: { authorization: `Bearer ${other.tokens.access_token}` }, payload: { email: artistEmail, role: 'production_manager' } });
    const token2 = linkToken(invite2.json().accept_url);
    expect((await preview(token2)).json()).toMatchObject({ email: artistEmail, role: 'production_manager', existing_account: true });
    // A used, a made-up or a truncated link tells nothing.
    for (const bad of [token, 'x'.repeat(43), token2.slice(0, 30)]) expect((await preview(bad)).json().type).toBe('invalid_token');
    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { invitation_token: token2, password: 'Some-Other-Password-9' } });
    expect(wrong.statusCode).toBe(409);
    const joined = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { invitation_token: token2, password } });
    expect(joined.statusCode).toBe(201);
    expect(joined.json().memberships).toHaveLength(2);

    const switched = await t.app.inject({ method: 'POST', url: '/api/v1/auth/switch-organization', headers: { authorization: `Bearer ${reg.json().tokens.access_token}` }, payload: { organization_id: other.organization.organization_id } });
    expect(switched.statusCode).toBe(200);
    expect(switched.json()).toMatchObject({ role: 'production_manager', organization: { slug: other.slug } });
    const stranger = await createOrganization(t.services);
    const refused = await t.app.inject({ method: 'POST', url: '/api/v1/auth/switch-organization', headers: { authorization: `Bearer ${reg.json().tokens.access_token}` }, payload: { organization_id: stranger.id } });
    expect(refused.statusCode).toBe(404);
  });

  it('expired and revoked invitation links are refused by preview and register with 401 invalid_token; nothing is created', async () => {
    const s = await signUp();
    const admin = { authorization: `Bearer ${s.tokens.access_token}` };
    const orgId = s.organization.organization_id as string;
    const invite = async (email: string) => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/admin/users', headers: admin, payload: { email, role: 'artist', first_name: 'Tom', last_name: 'Late' } });
      expect(res.statusCode, res.body).toBe(201);
      return { id: res.json().id as string, token: linkToken(res.json().accept_url) };
    };
    const preview = (token: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/invitations/preview', remoteAddress: `10.220.0.${(counter++ % 250) + 1}`, payload: { token } });
    const register = (token: string, pw = password) => t.app.inject({ method: 'POST', url: '/api/v1/auth/register', remoteAddress: `10.221.0.${(counter++ % 250) + 1}`, payload: { invitation_token: token, password: pw, first_name: 'Tom', last_name: 'Late' } });
    const members = () => count('SELECT count(*) AS n FROM memberships WHERE organization_id = $1', [orgId]);
    const before = await members();

    // Expired: the link's time ran out (as if the invitation was sent long ago).
    const lateEmail = `${unique('late')}@example.com`;
    const late = await invite(lateEmail);
    expect((await preview(late.token)).statusCode).toBe(200);
    await owner.pool.query(`UPDATE invitations SET created_at = now() - interval '8 days', expires_at = now() - interval '1 minute' WHERE id = $1`, [late.id]);
    // Revoked by an administrator.
    const revokedEmail = `${unique('revoked')}@example.com`;
    const revoked = await invite(revokedEmail);
    const revoke = await t.app.inject({ method: 'DELETE', url: `/api/v1/admin/invitations/${revoked.id}`, headers: admin });
    expect(revoke.statusCode, revoke.body).toBe(200);
    // An existing account (of another organization) whose invitation expired: its right password does not join it either.
    const other = await signUp();
    const expiredForMember = await invite(other.email);
    await owner.pool.query(`UPDATE invitations SET created_at = now() - interval '8 days', expires_at = now() - interval '1 second' WHERE id = $1`, [expiredForMember.id]);

    for (const [what, token] of [['expired', late.token], ['revoked', revoked.token], ['expired, existing account', expiredForMember.token]] as const) {
      const shown = expectProblem(await preview(token), 401, 'invalid_token');
      expect(shown.detail, what).toMatch(/invitation link is not valid/);
      const used = expectProblem(await register(token), 401, 'invalid_token');
      expect(used.detail, what).toMatch(/invitation link is not valid/);
      // A strong new password changes nothing: the link is refused before any account is made.
      expectProblem(await register(token, 'Fresh-Lantern-Harbour-88'), 401, 'invalid_token');
    }
    expect(await count('SELECT count(*) AS n FROM users WHERE lower(email) IN (lower($1), lower($2))', [lateEmail, revokedEmail])).toBe(0);
    expect(await members()).toBe(before);
    expect(await count('SELECT count(*) AS n FROM memberships m JOIN users u ON u.id = m.user_id WHERE lower(u.email) = lower($1)', [other.email])).toBe(1);
    expect(await count('SELECT count(*) AS n FROM invitations WHERE id = ANY($1::uuid[]) AND accepted_at IS NOT NULL', [[late.id, revoked.id, expiredForMember.id]])).toBe(0);
    // The same checks let a live invitation through, so the refusals above are about expiry and revocation.
    const live = await invite(`${unique('live')}@example.com`);
    expect((await preview(live.token)).statusCode).toBe(200);
    expect((await register(live.token)).statusCode).toBe(201);
    expect(await members()).toBe(before + 1);
  });

  it('registration by organization id alone is refused unless the organization allows it', async () => {
    const s = await signUp();
    const body = { organization_id: s.organization.organization_id, email: `${unique('open')}@example.com`, password, first_name: 'Open', last_name: 'Door' };
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: body })).statusCode).toBe(403);
    await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: { authorization: `Bearer ${s.tokens.access_token}` }, payload: { settings: { allow_open_registration: true } } });
    const open = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: body });
    expect(open.statusCode).toBe(201);
    expect(open.json().role).toBe('artist');
  });
});

describe('forgot and reset password', () => {
  it('e-mails a single-use link built from configuration, valid once', async () => {
    const s = await signUp();
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/forgot-password', headers: { host: 'evil.example' }, payload: { email: s.email } });
    expect(res.statusCode).toBe(202);
    const unknown = await t.app.inject({ method: 'POST', url: '/api/v1/auth/forgot-password', payload: { email: `${unique('ghost')}@example.com` } });
    expect(unknown.statusCode).toBe(202);
    expect(unknown.json()).toEqual(res.json());
    const mail = await waitForMail(s.email);
    const resetMail = [...outbox()].reverse().find((m) => m.to === s.email && /Reset/.test(m.subject))!;
    expect(resetMail.text).toContain('http://portal.test/reset-password?token=');
    expect(resetMail.text).not.toContain('evil.example');
    void mail;
    const token = linkToken(resetMail.text);
    const newPassword = 'Fresh-Green-Room-2026';
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { token, password: newPassword } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { token, password: 'Yet-Another-One-2026' } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: s.tokens.refresh_token } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.5.0.1', payload: { email: s.email, password: newPassword } })).statusCode).toBe(200);
  });
});

describe('sessions', () => {
  it('lists the devices of the account and revokes one; a role change ends sessions in that organization', async () => {
    const s = await signUp();
    const phone = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.6.0.1', headers: { 'user-agent': 'Phone Safari' }, payload: { email: s.email, password } })).json();
    const list = await t.app.inject({ url: '/api/v1/auth/sessions', headers: { authorization: `Bearer ${s.tokens.access_token}` } });
    const sessions = list.json().data as { id: string; user_agent: string; current: boolean }[];
    expect(sessions.length).toBe(2);
    expect(sessions.filter((x) => x.current)).toHaveLength(1);
    const phoneSession = sessions.find((x) => x.user_agent === 'Phone Safari')!;
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${phoneSession.id}`, headers: { authorization: `Bearer ${s.tokens.access_token}` } })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: phone.tokens.refresh_token } })).statusCode).toBe(401);

    const admin = { authorization: `Bearer ${s.tokens.access_token}` };
    const email = `${unique('pm')}@example.com`;
    const invite = await t.app.inject({ method: 'POST', url: '/api/v1/admin/users', headers: admin, payload: { email, role: 'production_manager', first_name: 'Pat', last_name: 'Manager' } });
    const reg = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { invitation_token: linkToken(invite.json().accept_url), password } })).json();
    const members = await t.app.inject({ url: `/api/v1/members?q=${encodeURIComponent(email)}`, headers: admin });
    const memberId = members.json().data[0].id;
    await t.app.inject({ method: 'PATCH', url: `/api/v1/members/${memberId}`, headers: admin, payload: { role: 'artist' } });
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: reg.tokens.refresh_token } })).statusCode).toBe(401);
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.6.0.2', payload: { email, password } });
    expect(again.json().role).toBe('artist');
  });
});

describe('invitation e-mails', () => {
  it('e-mails the link once (not again on an idempotent replay); resending replaces the link', async () => {
    const s = await signUp();
    const admin = { authorization: `Bearer ${s.tokens.access_token}` };
    const email = `${unique('invitee')}@example.com`;
    const headers = { ...admin, 'idempotency-key': unique('key') };
    const invite = await t.app.inject({ method: 'POST', url: '/api/v1/admin/users', headers, payload: { email, role: 'artist', message: 'Welcome to the company!' } });
    expect(invite.statusCode).toBe(201);
    const mail = await waitForMail(email);
    expect(mail.subject).toMatch(/invited to join Globe Theatre/);
    expect(mail.text).toContain(invite.json().accept_url);
    expect(mail.text).toContain('Welcome to the company!');
    const replay = await t.app.inject({ method: 'POST', url: '/api/v1/admin/users', headers, payload: { email, role: 'artist', message: 'Welcome to the company!' } });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    await t.services.jobs.drain(['auth.password-reset', 'mail.send']);
    expect(outbox().filter((m) => m.to === email)).toHaveLength(1);

    const resent = await t.app.inject({ method: 'POST', url: `/api/v1/admin/invitations/${invite.json().id}/resend`, headers: admin });
    expect(resent.statusCode).toBe(200);
    expect(resent.json().accept_url).not.toBe(invite.json().accept_url);
    await t.services.jobs.drain(['auth.password-reset', 'mail.send']);
    expect(outbox().filter((m) => m.to === email)).toHaveLength(2);
    const old = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { invitation_token: linkToken(invite.json().accept_url), password } });
    expect(old.statusCode).toBe(401);
    const fresh = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { invitation_token: linkToken(resent.json().accept_url), password, first_name: 'Rosa', last_name: 'Lind' } });
    expect(fresh.statusCode).toBe(201);
    const again = await t.app.inject({ method: 'POST', url: `/api/v1/admin/invitations/${invite.json().id}/resend`, headers: admin });
    expect(again.statusCode).toBe(409);
  });
});
