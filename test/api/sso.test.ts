import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import { withAuthScope } from '../../src/server/modules/auth/auth.queries.js';
import { redirectUri } from '../../src/server/modules/sso/sso.service.js';
import { addUser, createOrganization, startTestApp, type TestApp, type TestOrganization } from '../helpers/app.js';
import { startIdentityProvider, type TestIdentityProvider } from '../helpers/oidc-provider.js';
import { expectProblem } from './support.js';

/**
 * OpenID Connect single sign-on (issue 3 item 5) against a real identity provider on loopback
 * (oidc-provider): authorization code + PKCE + state + nonce, the refresh cookie for the web app,
 * linking by e-mail then by subject, and the refusals — a replayed callback, a replayed code,
 * a code redeemed with another sign-in's verifier, people without the right role.
 */
let t: TestApp;
let idp: TestIdentityProvider;
let org: TestOrganization;
let counter = 0;
const addr = () => `10.91.${Math.floor(counter / 250) % 250}.${(counter++ % 250) + 1}`;
const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

beforeAll(async () => {
  t = await startTestApp();
  idp = await startIdentityProvider(redirectUri(t.services.config.publicUrl));
  org = await createOrganization(t.services, 'SSO Theatre');
  const res = await t.app.inject({
    method: 'PUT', url: '/api/v1/admin/sso', headers: org.users.admin.auth,
    payload: { issuer: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret, display_name: 'Theatre Microsoft 365' },
  });
  expect(res.statusCode, res.body).toBe(200);
});
afterAll(async () => {
  await idp?.close();
  await t?.close();
});

/** The portal's start endpoint → the provider → the callback URL the provider sends the browser to. */
async function throughProvider(slug = org.slug, query = ''): Promise<URL> {
  const start = await t.app.inject({ method: 'GET', url: `/api/v1/auth/sso/${slug}/start${query}`, remoteAddress: addr() });
  expect(start.statusCode, start.body).toBe(302);
  return idp.authorize(String(start.headers.location));
}

function callback(url: URL, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'GET', url: `${url.pathname}${url.search}`, remoteAddress: addr(), headers });
}

function refreshCookie(res: { cookies: Array<{ name: string; value: string; httpOnly?: boolean; sameSite?: string }> }) {
  return res.cookies.find((c) => c.name === 'bl_refresh');
}

async function refreshWith(cookie: string) {
  return t.app.inject({
    method: 'POST', url: '/api/v1/auth/refresh', remoteAddress: addr(),
    headers: { origin: t.services.config.publicUrl, cookie: `bl_refresh=${cookie}` }, payload: { use_cookie: true },
  });
}

describe('configuration (administrators)', () => {
  it('shows the redirect URI to register and never the client secret', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/admin/sso', headers: org.users.admin.auth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      issuer: idp.issuer, client_id: idp.clientId, client_secret_set: true, allowed_roles: ['admin', 'system_admin'],
      redirect_uri: 'http://portal.test/api/v1/auth/sso/callback', sign_in_url: `http://portal.test/api/v1/auth/sso/${org.slug}/start`,
      allowed_actions: ['sso:configure'],
    });
    expect(res.body).not.toContain(idp.clientSecret);
    const stored = await withAuthScope(t.services.database.db, (trx) =>
      trx.selectFrom('sso_configurations').select('client_secret_encrypted').where('organization_id', '=', org.id).executeTakeFirstOrThrow());
    expect(stored.client_secret_encrypted).not.toContain(idp.clientSecret);
  });

  it('is for administrators only; other organizations see nothing', async () => {
    for (const role of ['artist', 'accountant', 'production_manager', 'finance_director'] as const) {
      expectProblem(await t.app.inject({ method: 'GET', url: '/api/v1/admin/sso', headers: org.users[role].auth }), 403, 'forbidden');
      expectProblem(await t.app.inject({ method: 'PUT', url: '/api/v1/admin/sso', headers: org.users[role].auth, payload: { issuer: idp.issuer, client_id: 'x' } }), 403, 'forbidden');
    }
    const other = await createOrganization(t.services, 'No SSO');
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/v1/admin/sso', headers: other.users.admin.auth }), 404, 'not_found');
    expectProblem(await t.app.inject({ method: 'DELETE', url: '/api/v1/admin/sso', headers: other.users.admin.auth }), 404, 'not_found');
  });

  it('checks the provider before saving: an issuer that does not answer is refused and nothing changes', async () => {
    const res = await t.app.inject({
      method: 'PUT', url: '/api/v1/admin/sso', headers: org.users.admin.auth,
      payload: { issuer: 'http://127.0.0.1:9/nothing-here', client_id: idp.clientId },
    });
    expectProblem(res, 502, 'identity_provider_unavailable');
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/admin/sso', headers: org.users.admin.auth });
    expect(after.json().issuer).toBe(idp.issuer);
  });

  it('refuses bad settings with field errors', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ issuer: 'http://idp.example.com', client_id: 'x' }, 'body.issuer'], // plain http off loopback
      [{ issuer: 'ftp://127.0.0.1', client_id: 'x' }, 'body.issuer'],
      [{ issuer: idp.issuer, client_id: '' }, 'body.client_id'],
      [{ issuer: idp.issuer, client_id: 'x', scopes: 'email profile' }, 'body.scopes'],
      [{ issuer: idp.issuer, client_id: 'x', allowed_roles: [] }, 'body.allowed_roles'],
      [{ issuer: idp.issuer, client_id: 'x', allowed_roles: ['owner'] }, 'body.allowed_roles.0'],
    ];
    for (const [payload, field] of cases) {
      const body = expectProblem(await t.app.inject({ method: 'PUT', url: '/api/v1/admin/sso', headers: org.users.admin.auth, payload }), 400, 'validation_error');
      expect((body.errors as Array<{ field: string }>).map((e) => e.field), JSON.stringify(payload)).toContain(field);
    }
  });

  it('is audited without the secret', async () => {
    const rows = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) => trx.selectFrom('audit_logs').select(['action', 'after'])
      .where('organization_id', '=', org.id).where('entity_type', '=', 'sso_configuration').execute());
    expect(rows.map((r) => r.action)).toContain('create');
    expect(JSON.stringify(rows)).not.toContain(idp.clientSecret);
  });
});

describe('signing in through the provider', () => {
  it('offers the sign-in publicly by organization short name', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/auth/sso/${org.slug}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ organization_name: org.name, display_name: 'Theatre Microsoft 365', sign_in_url: `http://portal.test/api/v1/auth/sso/${org.slug}/start` });
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/v1/auth/sso/no-such-theatre' }), 404, 'not_found');
  });

  it('sends the browser to the provider with PKCE (S256), state and nonce', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/auth/sso/${org.slug}/start`, remoteAddress: addr() });
    expect(res.statusCode).toBe(302);
    const location = new URL(String(res.headers.location));
    expect(location.origin).toBe(idp.issuer);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      client_id: idp.clientId, response_type: 'code', code_challenge_method: 'S256', redirect_uri: 'http://portal.test/api/v1/auth/sso/callback', scope: 'openid email profile',
    });
    for (const p of ['code_challenge', 'state', 'nonce']) expect(location.searchParams.get(p)?.length).toBeGreaterThanOrEqual(43);
  });

  it('an administrator signs in: linked by e-mail, refresh cookie for the web app, tokens say "federated"', async () => {
    const admin = await addUser(t.services, org.id, 'admin', `sso-admin-${Date.now()}@example.com`);
    idp.signInAs({ sub: `azure-${admin.id}`, email: admin.email.toUpperCase(), email_verified: true });
    const back = await throughProvider(org.slug, '?return_to=/admin/people&remember_me=true');
    expect(back.origin + back.pathname).toBe('http://portal.test/api/v1/auth/sso/callback');
    expect(back.searchParams.get('code')).toBeTruthy();

    const res = await callback(back, { accept: 'text/html' });
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('http://portal.test/admin/people');
    const cookie = refreshCookie(res);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth' });
    expect(res.cookies.find((c) => c.name === 'bl_refresh')).toHaveProperty('expires'); // remember-me: persistent

    const refreshed = await refreshWith(cookie?.value ?? '');
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    const access = refreshed.json().access_token as string;
    expect(claims(access)).toMatchObject({ sub: admin.id, org: org.id, role: 'admin', amr: ['fed'] });
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${access}` } });
    expect(me.json().user.email).toBe(admin.email);

    const identity = await withAuthScope(t.services.database.db, (trx) => trx.selectFrom('user_identities').selectAll().where('user_id', '=', admin.id).execute());
    expect(identity).toHaveLength(1);
    expect(identity[0]).toMatchObject({ organization_id: org.id, issuer: idp.issuer, subject: `azure-${admin.id}` });
    const audit = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) => trx.selectFrom('audit_logs').select(['action', 'after'])
      .where('organization_id', '=', org.id).where('actor_id', '=', admin.id).where('action', '=', 'auth.login').execute());
    expect(audit.at(-1)?.after).toMatchObject({ method: 'sso', issuer: idp.issuer, identity_linked: true });

    // The second time the subject decides, even after the e-mail changed at the provider.
    idp.signInAs({ sub: `azure-${admin.id}`, email: 'renamed@elsewhere.example', email_verified: true });
    const again = await callback(await throughProvider());
    expect(again.statusCode, again.body).toBe(303);
    expect(again.headers.location).toBe('http://portal.test/');
  });

  it('a replayed callback is refused by the portal: each state works once', async () => {
    const admin = await addUser(t.services, org.id, 'admin', `sso-replay-${Date.now()}@example.com`);
    idp.signInAs({ sub: `replay-${admin.id}`, email: admin.email, email_verified: true });
    const back = await throughProvider();
    expect((await callback(back)).statusCode).toBe(303);
    const replay = await callback(back);
    expectProblem(replay, 401, 'invalid_token');
    expect(refreshCookie(replay)).toBeUndefined();
  });

  it('a replayed code is refused by the provider even when the state is let through again', async () => {
    const admin = await addUser(t.services, org.id, 'admin', `sso-code-${Date.now()}@example.com`);
    idp.signInAs({ sub: `code-${admin.id}`, email: admin.email, email_verified: true });
    const back = await throughProvider();
    expect((await callback(back)).statusCode).toBe(303);
    // Simulate a flaw in the portal's own single-use check: the provider is the second wall.
    const state = back.searchParams.get('state') ?? '';
    await withAuthScope(t.services.database.db, (trx) =>
      sql`UPDATE sso_login_attempts SET consumed_at = NULL WHERE state_hash = encode(sha256(convert_to(${state}, 'UTF8')), 'hex')`.execute(trx));
    const replay = await callback(back);
    const problem = expectProblem(replay, 401, 'sso_failed');
    expect(String(problem.detail)).toMatch(/invalid_grant/);
    expect(refreshCookie(replay)).toBeUndefined();
  });

  it('a code redeemed with another sign-in\'s PKCE verifier is refused', async () => {
    const admin = await addUser(t.services, org.id, 'admin', `sso-pkce-${Date.now()}@example.com`);
    idp.signInAs({ sub: `pkce-${admin.id}`, email: admin.email, email_verified: true });
    const first = await throughProvider();
    const second = await throughProvider();
    // The code of the first sign-in, presented with the second one's state (hence its verifier and nonce).
    const swapped = new URL(second);
    swapped.searchParams.set('code', first.searchParams.get('code') ?? '');
    const res = await callback(swapped);
    const problem = expectProblem(res, 401, 'sso_failed');
    expect(String(problem.detail)).toMatch(/invalid_grant|PKCE|code_verifier/i);
    expect(refreshCookie(res)).toBeUndefined();
    const failures = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) => trx.selectFrom('audit_logs').select('after')
      .where('organization_id', '=', org.id).where('action', '=', 'auth.sso_failed').execute());
    expect(failures.length).toBeGreaterThan(0);
  });

  it('only members with an allowed role sign in this way; unverified e-mails do not link', async () => {
    const cases: Array<[Parameters<TestIdentityProvider['signInAs']>[0], number, string]> = [
      [{ sub: 'artist-1', email: org.users.artist.email, email_verified: true }, 403, 'forbidden'], // role not allowed
      [{ sub: 'stranger-1', email: 'stranger@example.com', email_verified: true }, 403, 'forbidden'], // no account
      [{ sub: 'unverified-1', email: org.users.admin.email, email_verified: false }, 401, 'sso_failed'],
      [{ sub: 'no-email-1' }, 401, 'sso_failed'],
    ];
    for (const [account, status, type] of cases) {
      idp.signInAs(account);
      const res = await callback(await throughProvider());
      expectProblem(res, status, type);
      expect(refreshCookie(res)).toBeUndefined();
    }
    const links = await withAuthScope(t.services.database.db, (trx) => trx.selectFrom('user_identities').select('subject')
      .where('subject', 'in', ['artist-1', 'stranger-1', 'unverified-1']).execute());
    expect(links).toEqual([]);
  });

  it('a browser is sent back to the sign-in page with the reason', async () => {
    idp.signInAs({ sub: 'browser-stranger', email: 'nobody-here@example.com', email_verified: true });
    const res = await callback(await throughProvider(), { accept: 'text/html,application/xhtml+xml' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('http://portal.test/sign-in?sso_error=forbidden');
    const unknown = await t.app.inject({ method: 'GET', url: '/api/v1/auth/sso/no-such-theatre/start', headers: { accept: 'text/html' } });
    expect(unknown.statusCode).toBe(303);
    expect(unknown.headers.location).toBe('http://portal.test/sign-in?sso_error=not_found');
  });

  it('never redirects off the site after signing in', async () => {
    for (const target of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/auth/sso/${org.slug}/start?return_to=${encodeURIComponent(target)}` });
      expectProblem(res, 400, 'validation_error');
    }
  });

  it('a callback without a known state, or with the provider\'s error, changes nothing', async () => {
    expectProblem(await callback(new URL('http://portal.test/api/v1/auth/sso/callback?code=abc&state=made-up')), 401, 'invalid_token');
    expectProblem(await callback(new URL('http://portal.test/api/v1/auth/sso/callback')), 401, 'invalid_token');
    // The provider answers an error (the person cancelled): the attempt is used up and reported.
    const start = await t.app.inject({ method: 'GET', url: `/api/v1/auth/sso/${org.slug}/start`, remoteAddress: addr() });
    const state = new URL(String(start.headers.location)).searchParams.get('state') ?? '';
    const cancelled = await callback(new URL(`http://portal.test/api/v1/auth/sso/callback?error=access_denied&error_description=cancelled&state=${state}&iss=${encodeURIComponent(idp.issuer)}`));
    expect(String(expectProblem(cancelled, 401, 'sso_failed').detail)).toMatch(/access_denied/);
  });
});

describe('two-factor and single sign-on', () => {
  it("an organization requiring two-factor accepts the provider's multi-factor only when told to trust it", async () => {
    const strict = await createOrganization(t.services, 'Strict SSO');
    await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: strict.users.admin.auth, payload: { settings: { require_2fa_roles: ['admin'] } } });
    const put = (trust: boolean) => t.app.inject({
      method: 'PUT', url: '/api/v1/admin/sso', headers: strict.users.system_admin.auth,
      payload: { issuer: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret, trust_idp_mfa: trust },
    });
    expect((await put(false)).statusCode).toBe(200);
    idp.signInAs({ sub: `strict-${strict.id}`, email: strict.users.admin.email, email_verified: true });
    const first = await callback(await throughProvider(strict.slug));
    const untrusted = await refreshWith(refreshCookie(first)?.value ?? '');
    expect(claims(untrusted.json().access_token as string)).toMatchObject({ amr: ['fed'], mfa: 'enrol_required' });

    // Changing the configuration keeps the stored secret when client_secret is omitted.
    const trusted = await t.app.inject({
      method: 'PUT', url: '/api/v1/admin/sso', headers: strict.users.system_admin.auth,
      payload: { issuer: idp.issuer, client_id: idp.clientId, trust_idp_mfa: true },
    });
    expect(trusted.json()).toMatchObject({ client_secret_set: true, trust_idp_mfa: true });
    const second = await callback(await throughProvider(strict.slug));
    const token = claims((await refreshWith(refreshCookie(second)?.value ?? '')).json().access_token as string);
    expect(token.amr).toEqual(['fed', 'mfa']);
    expect(token.mfa).toBeUndefined();

    // Without the trust setting, a provider that reports a multi-factor sign-in (amr) is believed.
    await put(false);
    idp.signInAs({ sub: `strict-${strict.id}`, email: strict.users.admin.email, email_verified: true, amr: ['pwd', 'mfa'] });
    const third = await callback(await throughProvider(strict.slug));
    const reported = claims((await refreshWith(refreshCookie(third)?.value ?? '')).json().access_token as string);
    expect(reported).toMatchObject({ amr: ['fed', 'mfa'] });
    expect(reported.mfa).toBeUndefined();
  });

  it('turning single sign-on off stops new sign-ins at once', async () => {
    const gone = await createOrganization(t.services, 'Gone SSO');
    await t.app.inject({ method: 'PUT', url: '/api/v1/admin/sso', headers: gone.users.admin.auth, payload: { issuer: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret } });
    idp.signInAs({ sub: `gone-${gone.id}`, email: gone.users.admin.email, email_verified: true });
    const back = await throughProvider(gone.slug);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/admin/sso', headers: gone.users.admin.auth })).statusCode).toBe(204);
    expectProblem(await callback(back), 401, 'sso_failed');
    expectProblem(await t.app.inject({ method: 'GET', url: `/api/v1/auth/sso/${gone.slug}/start` }), 404, 'not_found');
  });
});
