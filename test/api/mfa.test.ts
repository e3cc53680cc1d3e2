import { sql } from 'kysely';
import { generateSync } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAuthScope } from '../../src/server/modules/auth/auth.queries.js';
import { createFieldCipher, generateKeySpec } from '../../src/server/crypto/field-encryption.js';
import { reencryptTotpSecrets, startChallenge } from '../../src/server/modules/auth/mfa.service.js';
import { sha256 } from '../../src/server/modules/auth/sessions.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { expectProblem, type Answer } from './support.js';

/**
 * Two-factor authentication (issue 3 item 4, SECURITY.md row 13): TOTP enrolment, the second
 * sign-in step, replay and brute-force limits, backup codes, and organizations that require 2FA.
 */
let t: TestApp;
const password = 'Violet-Curtain-Rises-42';
let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${counter++}`;
/** Each request from its own address, so the per-address sign-in limits stay out of the way. */
const addr = () => `10.77.${Math.floor(counter / 250) % 250}.${(counter++ % 250) + 1}`;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

/** The TOTP code of the step `steps` away from now (what an authenticator app shows). */
const totp = (secret: string, steps = 0) => generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

interface Account {
  email: string;
  organizationId: string;
  access: string;
  refresh: string;
}

async function signUp(): Promise<Account> {
  const email = `${unique('mfa')}@example.com`;
  const res = await t.app.inject({
    method: 'POST', url: '/api/v1/organizations', remoteAddress: addr(),
    payload: { name: 'Two Step Theatre', slug: unique('ts').toLowerCase(), admin: { email, password, first_name: 'Tess', last_name: 'Stepper' } },
  });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json();
  return { email, organizationId: body.organization.organization_id, access: body.tokens.access_token, refresh: body.tokens.refresh_token };
}

function login(email: string, extra: Record<string, unknown> = {}) {
  return t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: addr(), payload: { email, password, ...extra } });
}

function secondStep(payload: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/api/v1/auth/login/2fa', remoteAddress: addr(), payload });
}

async function mfaToken(email: string): Promise<string> {
  const res = await login(email);
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  expect(body).toEqual({ mfa_required: true, mfa_token: expect.any(String), methods: ['totp', 'backup_code'], expires_in: 300 });
  return body.mfa_token as string;
}

/** A new account with two-factor on (enabled with the current step's code). */
async function enrolled() {
  const account = await signUp();
  const setup = await t.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/setup', headers: bearer(account.access) });
  expect(setup.statusCode, setup.body).toBe(200);
  const { secret } = setup.json();
  const enable = await t.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/enable', headers: bearer(account.access), payload: { code: totp(secret) } });
  expect(enable.statusCode, enable.body).toBe(200);
  return { ...account, secret: secret as string, backupCodes: enable.json().backup_codes as string[], enabled: enable.json() };
}

async function auditActions(access: string, actions: string): Promise<{ action: string; after: Record<string, unknown> | null }[]> {
  const res = await t.app.inject({ url: `/api/v1/audit-logs?action=${actions}&limit=100`, headers: bearer(access) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data;
}

describe('enrolment, sign-in with a second step, replay, backup codes, disable', () => {
  it('walks the whole life of two-factor on one account', async () => {
    const account = await signUp();
    const auth = bearer(account.access);

    // Setup: secret, otpauth URL and a PNG QR code; running it again replaces the pending secret.
    const first = await t.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/setup', headers: auth });
    expect(first.statusCode, first.body).toBe(200);
    const setup = first.json();
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.otpauth_url).toMatch(/^otpauth:\/\/totp\/BIG%20Live%20Portal:/);
    expect(setup.otpauth_url).toContain(`secret=${setup.secret}`);
    expect(setup.qr_code_data_url).toMatch(/^data:image\/png;base64,/);
    const again = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/setup', headers: auth })).json();
    expect(again.secret).not.toBe(setup.secret);
    const secret = again.secret as string;
    expect((await t.app.inject({ url: '/api/v1/auth/2fa', headers: auth })).json()).toMatchObject({ enabled: false, pending_setup: true });

    // The secret is stored sealed (AES-256-GCM, bound to the row), never in clear.
    const stored = await withAuthScope(t.services.database.db, (trx) => trx.selectFrom('users').select(['id', 'totp_secret_encrypted']).where('email', '=', account.email).executeTakeFirstOrThrow());
    expect(stored.totp_secret_encrypted).toMatch(/^v1:/);
    expect(stored.totp_secret_encrypted).not.toContain(secret);
    expect(t.services.fieldCipher.decrypt(stored.totp_secret_encrypted!, { table: 'users', rowId: stored.id, column: 'totp_secret' })).toBe(secret);

    // A code of the replaced secret, or a wrong one, does not enable.
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/enable', headers: auth, payload: { code: totp(setup.secret) } }), 401, 'invalid_credentials');
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/enable', headers: auth, payload: { code: 'abcdef' } }), 401, 'invalid_credentials');

    const enable = await t.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/enable', headers: auth, payload: { code: totp(secret) } });
    expect(enable.statusCode, enable.body).toBe(200);
    const backupCodes = enable.json().backup_codes as string[];
    expect(backupCodes).toHaveLength(10);
    expect(new Set(backupCodes).size).toBe(10);
    for (const c of backupCodes) expect(c).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}$/);
    expect(claims(enable.json().access_token)).toMatchObject({ amr: ['pwd', 'otp'] });
    const stepUpAccess = enable.json().access_token as string;
    // Backup codes are kept only as hashes.
    const hashes = await withAuthScope(t.services.database.db, (trx) => trx.selectFrom('mfa_backup_codes').select('code_hash').where('user_id', '=', stored.id).execute());
    expect(hashes).toHaveLength(10);
    expect(JSON.stringify(hashes)).not.toMatch(new RegExp(backupCodes.map((c) => c.replace('-', '-?')).join('|')));
    // Setup again is refused once enabled.
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/setup', headers: auth }), 409, 'conflict');

    // The password alone no longer signs in: no tokens, no session, no cookie.
    const step1 = await login(account.email, { use_cookie: true });
    expect(step1.statusCode).toBe(200);
    expect(step1.json()).not.toHaveProperty('tokens');
    expect(step1.headers['set-cookie']).toBeUndefined();
    const token = step1.json().mfa_token as string;

    // The correct (next-step) code completes it, with the same payload as a normal sign-in.
    const code = totp(secret, 1);
    const done = await secondStep({ mfa_token: token, code, use_cookie: true });
    expect(done.statusCode, done.body).toBe(200);
    const signedIn = done.json();
    expect(signedIn).toMatchObject({ method: 'totp', role: 'admin', user: { email: account.email, totp_enabled: true }, organization: { organization_id: account.organizationId } });
    expect(signedIn.tokens.refresh_token).toBeUndefined();
    expect(String(done.headers['set-cookie'])).toMatch(/bl_refresh=.*HttpOnly/);
    expect(claims(signedIn.tokens.access_token)).toMatchObject({ amr: ['pwd', 'otp'] });
    expect(claims(signedIn.tokens.access_token)).not.toHaveProperty('mfa');
    // The mfa_token worked once.
    expectProblem(await secondStep({ mfa_token: token, code }), 401, 'invalid_token');

    // The same code again, on a fresh challenge, is a replay; so is an older one.
    expectProblem(await secondStep({ mfa_token: await mfaToken(account.email), code }), 401, 'invalid_credentials');
    expectProblem(await secondStep({ mfa_token: await mfaToken(account.email), code: totp(secret) }), 401, 'invalid_credentials');

    // A backup code works once.
    const backup = await secondStep({ mfa_token: await mfaToken(account.email), backup_code: backupCodes[0]!.toUpperCase() });
    expect(backup.statusCode, backup.body).toBe(200);
    expect(backup.json()).toMatchObject({ method: 'backup_code', backup_codes_remaining: 9 });
    expect(claims(backup.json().tokens.access_token)).toMatchObject({ amr: ['pwd', 'otp'] });
    expectProblem(await secondStep({ mfa_token: await mfaToken(account.email), backup_code: backupCodes[0] }), 401, 'invalid_credentials');
    expectProblem(await secondStep({ mfa_token: await mfaToken(account.email), code: '123456', backup_code: backupCodes[1] }), 400, 'validation_error');

    // Refresh keeps how the session signed in.
    const refreshed = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: backup.json().tokens.refresh_token } });
    expect(refreshed.statusCode).toBe(200);
    expect(claims(refreshed.json().access_token)).toMatchObject({ amr: ['pwd', 'otp'] });

    // New backup codes need the password and a code; the old ones stop working.
    const me = bearer(backup.json().tokens.access_token);
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/backup-codes', headers: me, payload: { password: 'Wrong-Password-1234', code: backupCodes[1] } }), 401, 'invalid_credentials');
    const regenerated = await t.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/backup-codes', headers: me, payload: { password, code: backupCodes[1] } });
    expect(regenerated.statusCode, regenerated.body).toBe(200);
    const fresh = regenerated.json().backup_codes as string[];
    expect(fresh).toHaveLength(10);
    expectProblem(await secondStep({ mfa_token: await mfaToken(account.email), backup_code: backupCodes[2] }), 401, 'invalid_credentials');
    expect((await t.app.inject({ url: '/api/v1/auth/2fa', headers: me })).json()).toMatchObject({ enabled: true, backup_codes_remaining: 10 });

    // Disable: password and a code (here a backup code) — then the password alone signs in again.
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/disable', headers: me, payload: { password, code: '000000' } }), 401, 'invalid_credentials');
    const off = await t.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/disable', headers: me, payload: { password, code: fresh[0] } });
    expect(off.statusCode, off.body).toBe(200);
    const plain = await login(account.email);
    expect(plain.statusCode).toBe(200);
    expect(plain.json().tokens.access_token).toBeTruthy();
    expect(claims(plain.json().tokens.access_token)).toMatchObject({ amr: ['pwd'] });
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: bearer(plain.json().tokens.access_token) })).json().user.totp_enabled).toBe(false);

    // Everything is in the organization's audit chain.
    const audit = await auditActions(stepUpAccess, 'auth.2fa_enabled,auth.2fa_disabled,auth.2fa_backup_codes_regenerated,auth.2fa_failed,auth.login');
    const actions = audit.map((a) => a.action);
    for (const a of ['auth.2fa_enabled', 'auth.2fa_disabled', 'auth.2fa_backup_codes_regenerated', 'auth.2fa_failed']) expect(actions).toContain(a);
    expect(audit.filter((a) => a.action === 'auth.login').map((a) => a.after?.mfa)).toEqual(expect.arrayContaining(['totp', 'backup_code']));
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('enabling ends the account\u2019s other (password-only) sessions', async () => {
    const account = await signUp();
    const other = (await login(account.email)).json();
    const setup = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/setup', headers: bearer(account.access) })).json();
    const enable = await t.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/enable', headers: bearer(account.access), payload: { code: totp(setup.secret) } });
    expect(enable.json().other_sessions_ended).toBe(1);
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: other.tokens.refresh_token } }), 401, 'invalid_token');
    const own = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: account.refresh } });
    expect(own.statusCode).toBe(200);
    expect(claims(own.json().access_token)).toMatchObject({ amr: ['pwd', 'otp'] });
  });

  it('the same code sent twice at once signs in only once', async () => {
    const a = await enrolled();
    const [m1, m2] = [await mfaToken(a.email), await mfaToken(a.email)];
    const code = totp(a.secret, 1);
    const answers = await Promise.all([secondStep({ mfa_token: m1, code }), secondStep({ mfa_token: m2, code })]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 401]);
  });
});

describe('brute force and lockout', () => {
  it('wrong codes count toward the per-e-mail lockout, which the right password does not reset', async () => {
    const a = await enrolled();
    const wrong = (n: number) => String((Number(totp(a.secret)) + 1000 + n * 7) % 1_000_000).padStart(6, '0');
    // One challenge takes at most 5 wrong codes.
    const first = await mfaToken(a.email);
    for (let i = 0; i < 5; i++) expectProblem(await secondStep({ mfa_token: first, code: wrong(i) }), 401, 'invalid_credentials');
    expectProblem(await secondStep({ mfa_token: first, code: totp(a.secret, 1) }), 401, 'invalid_token');
    // The right password gives a new challenge but the 5 failures still count: 5 more lock the e-mail.
    const second = await mfaToken(a.email);
    for (let i = 5; i < 10; i++) expectProblem(await secondStep({ mfa_token: second, code: wrong(i) }), 401, 'invalid_credentials');
    const third = await login(a.email);
    const locked = expectProblem(third, 429, 'too_many_attempts');
    expect(locked.retry_after as number).toBeGreaterThan(29 * 60);
    // Even a right code on a still-valid challenge is refused while locked.
    const raced = await withAuthScope(t.services.database.db, async (trx) => {
      const user = await trx.selectFrom('users').select('id').where('email', '=', a.email).executeTakeFirstOrThrow();
      return (await startChallenge(trx, user.id, a.organizationId, false)).mfa_token;
    });
    expectProblem(await secondStep({ mfa_token: raced, code: totp(a.secret, 1) }), 429, 'too_many_attempts');
    expectProblem(await secondStep({ mfa_token: raced, backup_code: a.backupCodes[0] }), 429, 'too_many_attempts');
    // The step-up endpoints honour the same lockout.
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/disable', headers: bearer(a.enabled.access_token), payload: { password, code: a.backupCodes[1] } }), 429, 'too_many_attempts');
  });

  it('the second step is limited per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login/2fa', remoteAddress: '10.78.0.1', payload: { mfa_token: `not-a-real-token-${'x'.repeat(30)}`, code: '123456' } });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});

describe('mfa_token versus access token', () => {
  it('neither works in place of the other, and an expired mfa_token is refused', async () => {
    const a = await enrolled();
    const token = await mfaToken(a.email);
    expectProblem(await t.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) }), 401, 'invalid_token');
    expectProblem(await t.app.inject({ url: '/api/v1/organization', headers: bearer(token) }), 401, 'invalid_token');
    expectProblem(await secondStep({ mfa_token: a.enabled.access_token, code: totp(a.secret, 1) }), 401, 'invalid_token');
    expectProblem(await secondStep({ mfa_token: a.refresh, code: totp(a.secret, 1) }), 401, 'invalid_token');

    await withAuthScope(t.services.database.db, (trx) => sql`
      UPDATE mfa_challenges SET created_at = now() - interval '6 minutes', expires_at = now() - interval '1 minute'
      WHERE token_hash = ${sha256(token)}`.execute(trx));
    expectProblem(await secondStep({ mfa_token: token, code: totp(a.secret, 1) }), 401, 'invalid_token');
    // The code was not spent on the refused attempt: a fresh challenge takes it.
    expect((await secondStep({ mfa_token: await mfaToken(a.email), code: totp(a.secret, 1) })).statusCode).toBe(200);
  });
});

describe('organizations that require two-factor for a role', () => {
  it('a password-only session may only enrol, see /auth/me and sign out until two-factor is on', async () => {
    const admin = await signUp();
    const patch = await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: bearer(admin.access), payload: { settings: { require_2fa_roles: ['admin', 'finance_director'] } } });
    expect(patch.statusCode, patch.body).toBe(200);

    const res = await login(admin.email);
    expect(res.statusCode).toBe(200);
    const restricted = res.json().tokens.access_token as string;
    expect(claims(restricted)).toMatchObject({ mfa: 'enrol_required', amr: ['pwd'] });
    const r = bearer(restricted);

    const blocked = expectProblem(await t.app.inject({ url: '/api/v1/organization', headers: r }), 403, 'mfa_enrolment_required');
    expect(blocked.detail).toMatch(/2fa\/setup/);
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: r })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/auth/2fa', headers: r })).json()).toMatchObject({ enabled: false, required_by_organization: true });

    // Every other operation of the API answers 403 mfa_enrolment_required.
    const doc = (await t.app.inject('/api/v1/openapi.json')).json() as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    const allowed = new Set(['GET /api/v1/auth/me', 'POST /api/v1/auth/logout', 'POST /api/v1/auth/switch-organization', 'GET /api/v1/auth/2fa']);
    const swept: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const label = `${method.toUpperCase()} ${path}`;
        if (Array.isArray(op.security) && op.security.length === 0) continue; // public
        if (allowed.has(label) || path.startsWith('/api/v1/auth/2fa')) continue;
        const url = path.replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000');
        const answer: Answer = await t.app.inject({ method: method.toUpperCase() as 'GET', url, headers: { ...r, 'content-type': 'application/json' }, payload: '{}' });
        expect(answer.statusCode, `${label}: ${answer.body.slice(0, 200)}`).toBe(403);
        expect((answer.json() as { type: string }).type, label).toBe('mfa_enrolment_required');
        swept.push(label);
      }
    }
    expect(swept).toEqual(expect.arrayContaining(['GET /api/v1/organization', 'PATCH /api/v1/organization', 'GET /api/v1/members', 'POST /api/v1/admin/users', 'GET /api/v1/auth/sessions', 'POST /api/v1/files']));
    // Refresh keeps the restriction while two-factor is off.
    const refreshed = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: res.json().tokens.refresh_token } });
    expect(claims(refreshed.json().access_token)).toMatchObject({ mfa: 'enrol_required' });

    // Enrolment is reachable; turning 2FA on answers an unrestricted access token for this session.
    const setup = await t.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/setup', headers: r });
    expect(setup.statusCode, setup.body).toBe(200);
    const enable = await t.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/enable', headers: r, payload: { code: totp(setup.json().secret) } });
    expect(enable.statusCode, enable.body).toBe(200);
    const upgraded = enable.json().access_token as string;
    expect(claims(upgraded)).not.toHaveProperty('mfa');
    expect((await t.app.inject({ url: '/api/v1/organization', headers: bearer(upgraded) })).statusCode).toBe(200);
    const after = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: refreshed.json().refresh_token } });
    expect(after.statusCode).toBe(200);
    expect(claims(after.json().access_token)).toMatchObject({ amr: ['pwd', 'otp'] });
    expect(claims(after.json().access_token)).not.toHaveProperty('mfa');

    // From now on, signing in needs the second step.
    expect((await login(admin.email)).json()).toMatchObject({ mfa_required: true });
  });

  it('roles outside the list are not affected', async () => {
    const admin = await signUp();
    await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: bearer(admin.access), payload: { settings: { require_2fa_roles: ['finance_director'] } } });
    const res = await login(admin.email);
    expect(claims(res.json().tokens.access_token)).not.toHaveProperty('mfa');
    expect((await t.app.inject({ url: '/api/v1/organization', headers: bearer(res.json().tokens.access_token) })).statusCode).toBe(200);
  });
});

describe('joining another organization with an account that has two-factor on', () => {
  it('registration by invitation adds the membership but the sign-in still needs a code', async () => {
    const a = await enrolled();
    const other = await signUp();
    const invite = await t.app.inject({ method: 'POST', url: '/api/v1/admin/users', headers: bearer(other.access), payload: { email: a.email, role: 'production_manager' } });
    expect(invite.statusCode, invite.body).toBe(201);
    const token = /token=([A-Za-z0-9_-]+)/.exec(invite.json().accept_url)?.[1];
    const reg = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', remoteAddress: addr(), payload: { invitation_token: token, password } });
    expect(reg.statusCode, reg.body).toBe(201);
    expect(reg.json()).toMatchObject({ mfa_required: true });
    expect(reg.json()).not.toHaveProperty('tokens');
    const done = await secondStep({ mfa_token: reg.json().mfa_token, code: totp(a.secret, 1) });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ role: 'production_manager', organization: { organization_id: other.organizationId } });
  });
});

describe('key rotation', () => {
  it('moves TOTP secrets to the current key; codes and backup codes keep working', async () => {
    const a = await enrolled();
    const devSpec = t.services.config.PII_ENCRYPTION_KEYS!;
    const next = generateKeySpec('k-next');
    const rotated = createFieldCipher(`${next},${devSpec}`);
    const first = await reencryptTotpSecrets(t.services.database.db, rotated, 2);
    expect(first.failures).toEqual([]);
    expect(first.reencrypted).toBeGreaterThanOrEqual(1);
    const row = await withAuthScope(t.services.database.db, (trx) => trx.selectFrom('users').select(['id', 'totp_secret_encrypted']).where('email', '=', a.email).executeTakeFirstOrThrow());
    expect(rotated.keyIdOf(row.totp_secret_encrypted!)).toBe('k-next');
    expect(rotated.decrypt(row.totp_secret_encrypted!, { table: 'users', rowId: row.id, column: 'totp_secret' })).toBe(a.secret);
    expect((await reencryptTotpSecrets(t.services.database.db, rotated)).reencrypted).toBe(0);
    // Back under the app's own key: the running app reads it again, so sign-in with a code works.
    const back = await reencryptTotpSecrets(t.services.database.db, createFieldCipher(`${devSpec},${next}`));
    expect(back.reencrypted).toBe(first.reencrypted);
    const done = await secondStep({ mfa_token: await mfaToken(a.email), backup_code: a.backupCodes[3] });
    expect(done.statusCode, done.body).toBe(200);
  });
});
