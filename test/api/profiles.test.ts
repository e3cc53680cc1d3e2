import { execFile, spawnSync } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { strFromU8, unzipSync } from 'fflate';
import { Redis } from 'ioredis';
import { generateSync } from 'otplib';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { createFieldCipher, generateKeySpec } from '../../src/server/crypto/field-encryption.js';
import { openDatabase, type Database } from '../../src/server/db/database.js';
import type { DB, Role } from '../../src/server/db/schema.js';
import { withTenant } from '../../src/server/db/tenant.js';
import type * as LoggerModule from '../../src/server/logger.js';
import { csvCell } from '../../src/server/files/csv.js';
import { hashPassword } from '../../src/server/modules/auth/passwords.js';
import { reencryptAll } from '../../src/server/modules/profiles/profiles.service.js';
import { ownerPool, type OwnerPool } from '../db/support.js';
import { addUser, createOrganization, onServer, startTestApp, type TestApp, type TestOrganization, type TestUser } from '../helpers/app.js';
import { expectProblem, problemShape, unique } from './support.js';

/**
 * Issue 3 items 8–9 and SECURITY.md row 23: profiles, sealed tax ID / bank account, masking per
 * role, audited decrypted reads, tamper and transplant refusal, export and deletion requests.
 */

// Every log line of the app built with a logger is captured here (the switch is on only while
// that app is built, so the other loggers of the run stay as they are).
const logs = vi.hoisted(() => ({ lines: [] as string[], capture: false }));
vi.mock('../../src/server/logger.js', async (importOriginal) => {
  const actual = await importOriginal<typeof LoggerModule>();
  const { Writable: W } = await import('node:stream');
  return {
    ...actual,
    loggerOptions: (level: string) =>
      logs.capture
        ? { ...actual.loggerOptions('trace'), stream: new W({ write(chunk: Buffer, _enc, cb) { logs.lines.push(chunk.toString('utf8')); cb(); } }) }
        : actual.loggerOptions(level),
  };
});

let t: TestApp;
let logged: FastifyInstance;
let owner: OwnerPool;

beforeAll(async () => {
  t = await startTestApp();
  logs.capture = true;
  logged = await buildApp(t.services, { logger: true });
  await logged.ready();
  logs.capture = false;
  owner = ownerPool(t);
});
afterAll(async () => {
  await logged?.close();
  await owner?.end();
  await t?.close();
});

// ---------------------------------------------------------------------------------------------
// Helpers

function makeIban(country: string, bban: string): string {
  const digits = `${bban}${country}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  return `${country}${String(98 - rest).padStart(2, '0')}${bban}`;
}
const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

/** Values that must never be found in clear outside the decrypting answers. */
function sentinels() {
  const ssn = `${randomInt(100, 899)}-${randomInt(10, 99)}-${randomInt(1000, 9999)}`;
  return {
    ssn,
    ssnNormalized: ssn.replaceAll('-', ''),
    iban: makeIban('DE', digits(18)),
    holder: `Xylo Sentinel ${unique('holder')}`,
    routing: '011000015',
    account: digits(13),
  };
}

async function patchArtist(user: TestUser, payload: Record<string, unknown>, app: FastifyInstance = t.app) {
  return app.inject({ method: 'PATCH', url: '/api/v1/me/artist-profile', headers: user.auth, payload });
}

async function auditRows(org: TestOrganization, action?: string) {
  return withTenant(t.services.database.db, { organizationId: org.id }, async (trx) => {
    let q = trx.selectFrom('audit_logs').selectAll().where('organization_id', '=', org.id);
    if (action) q = q.where('action', '=', action);
    return q.orderBy('seq').execute();
  });
}

/** Every row of every table (as text), searched for the needles; answers "table: needle" hits. */
async function scanDatabase(pool: pg.Pool, needles: string[]): Promise<string[]> {
  const tables = await pool.query<{ s: string; n: string }>(`
    SELECT table_schema AS s, table_name AS n FROM information_schema.tables
    WHERE table_schema IN ('public', 'pgboss') AND table_type = 'BASE TABLE'`);
  expect(tables.rows.map((r) => r.n)).toEqual(expect.arrayContaining(['artist_profiles', 'audit_logs', 'users', 'deletion_requests']));
  const hits: string[] = [];
  for (const { s, n } of tables.rows) {
    const rows = await pool.query<{ r: string }>(`SELECT t::text AS r FROM "${s}"."${n}" t`);
    for (const { r } of rows.rows) {
      const text = r.toLowerCase();
      for (const needle of needles) if (text.includes(needle.toLowerCase())) hits.push(`${s}.${n}: ${needle}`);
    }
  }
  return hits;
}

async function ownerQuery<R extends pg.QueryResultRow>(text: string, params: unknown[]) {
  return (await owner.pool.query<R>(text, params)).rows;
}

/** Flips one bit of the stored ciphertext (as the owner), keeping the v1 format intact. */
async function flipCiphertextByte(userId: string, column: 'tax_id_encrypted' | 'bank_account_encrypted') {
  const [row] = await ownerQuery<{ v: string }>(`SELECT ${column} AS v FROM artist_profiles WHERE user_id = $1`, [userId]);
  const parts = (row?.v ?? '').split(':');
  expect(parts).toHaveLength(5);
  const ct = Buffer.from(parts[4] ?? '', 'base64url');
  ct[0] = (ct[0] as number) ^ 0x01;
  parts[4] = ct.toString('base64url');
  await owner.pool.query(`UPDATE artist_profiles SET ${column} = $2 WHERE user_id = $1`, [userId, parts.join(':')]);
}

/** Minimal RFC 4180 reader for the export's CSV files. */
function parseCsv(text: string): string[][] {
  const src = text.replace(/^\uFEFF/, '');
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && src[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

const roles: Role[] = ['admin', 'artist', 'accountant', 'production_manager', 'finance_director', 'system_admin'];
const financeRoles: Role[] = ['accountant', 'finance_director'];

// ---------------------------------------------------------------------------------------------

describe('own profile', () => {
  it('reads and changes name, phone, locale and time zone; audited with the phone masked', async () => {
    const org = await createOrganization(t.services);
    const me = org.users.production_manager;
    const got = await t.app.inject({ url: '/api/v1/me/profile', headers: me.auth });
    expect(got.statusCode, got.body).toBe(200);
    expect(got.json()).toMatchObject({ id: me.id, email: me.email, locale: 'en', timezone: null, phone: null, email_verified: true, allowed_actions: ['profile:update'] });

    const res = await t.app.inject({
      method: 'PATCH', url: '/api/v1/me/profile', headers: me.auth,
      payload: { first_name: '  Ada ', last_name: 'Lovelace', phone: '+442079460123', locale: 'en-GB', timezone: 'Europe/London' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace', phone: '+442079460123', locale: 'en-GB', timezone: 'Europe/London' });
    expect((await t.app.inject({ url: '/api/v1/me/profile', headers: me.auth })).json()).toMatchObject({ first_name: 'Ada', timezone: 'Europe/London' });
    const cleared = await t.app.inject({ method: 'PATCH', url: '/api/v1/me/profile', headers: me.auth, payload: { phone: null, timezone: null } });
    expect(cleared.json()).toMatchObject({ phone: null, timezone: null, first_name: 'Ada' });

    const audit = await auditRows(org, 'profile.update');
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ entity_type: 'user', entity_id: me.id, actor_id: me.id });
    expect(audit[0]?.changed_fields).toEqual(expect.arrayContaining(['first_name', 'phone', 'timezone']));
    expect(JSON.stringify(audit)).not.toContain('2079460123');
  });

  it('refuses a bad IANA zone, a bad phone, a bad locale and unknown fields with 400 and changes nothing', async () => {
    const org = await createOrganization(t.services);
    const me = org.users.artist;
    const before = (await t.app.inject({ url: '/api/v1/me/profile', headers: me.auth })).json() as Record<string, unknown>;
    const bad: [Record<string, unknown>, string][] = [
      [{ timezone: 'Mars/Olympus_Mons' }, 'body.timezone'],
      [{ timezone: '+01:00' }, 'body.timezone'],
      [{ timezone: 'EST5EDT; DROP TABLE users' }, 'body.timezone'],
      [{ phone: '555-0123' }, 'body.phone'],
      [{ phone: '+0123456789' }, 'body.phone'],
      [{ phone: '+1 415 555 0123' }, 'body.phone'],
      [{ phone: '+1234567890123456' }, 'body.phone'],
      [{ locale: 'english please' }, 'body.locale'],
      [{ first_name: '   ' }, 'body.first_name'],
      [{ email: 'new@example.com' }, 'body'],
      [{ id: randomUUID() }, 'body'],
      [{ is_active: false }, 'body'],
      [{ password_hash: 'x' }, 'body'],
    ];
    for (const [payload, field] of bad) {
      const body = expectProblem(await t.app.inject({ method: 'PATCH', url: '/api/v1/me/profile', headers: me.auth, payload }), 400, 'validation_error');
      expect(JSON.stringify(body.errors), JSON.stringify(payload)).toContain(field);
    }
    expect((await t.app.inject({ url: '/api/v1/me/profile', headers: me.auth })).json()).toEqual(before);
  });
});

describe('artist profile', () => {
  const full = (s: ReturnType<typeof sentinels>) => ({
    legal_name: 'Maria Anna Callas',
    stage_name: 'La Divina',
    pronouns: 'she/her',
    phone: '+12125550147',
    mailing_address: { line1: '30 Lincoln Center Plaza', city: 'New York', region: 'NY', postal_code: '10023', country: 'US' },
    emergency_contact: { name: 'Giovanni Meneghini', relationship: 'spouse', phone: '+390458000000' },
    preferred_timezone: 'America/New_York',
    unions: ['AGMA', 'SAG-AFTRA'],
    skills: ['soprano', 'bel canto'],
    tax_id: s.ssn,
    bank_account: { account_holder: s.holder, iban: s.iban },
  });

  it('the artist saves every field; answers show tax ID and bank account only masked; audited without secrets', async () => {
    const org = await createOrganization(t.services);
    const me = org.users.artist;
    const empty = (await t.app.inject({ url: '/api/v1/me/artist-profile', headers: me.auth })).json() as Record<string, unknown>;
    expect(empty).toMatchObject({ user_id: me.id, legal_name: null, unions: [], tax_id_masked: null, updated_at: null });

    const s = sentinels();
    const res = await patchArtist(me, full(s));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const body = res.json() as Record<string, unknown>;
    expect(body).toMatchObject({
      user_id: me.id, legal_name: 'Maria Anna Callas', stage_name: 'La Divina', pronouns: 'she/her', phone: '+12125550147',
      mailing_address: { line1: '30 Lincoln Center Plaza', line2: null, city: 'New York', region: 'NY', postal_code: '10023', country: 'US' },
      emergency_contact: { name: 'Giovanni Meneghini', relationship: 'spouse', phone: '+390458000000' },
      preferred_timezone: 'America/New_York', unions: ['AGMA', 'SAG-AFTRA'], skills: ['soprano', 'bel canto'],
      tax_id_masked: `***-**-${s.ssn.slice(-4)}`, bank_account_masked: `****${s.iban.slice(-4)}`,
      allowed_actions: ['profile:update', 'profile:read_sensitive'],
    });
    expect(body).not.toHaveProperty('tax_id_duplicate');
    for (const secret of [s.ssn, s.ssnNormalized, s.iban, s.holder]) expect(res.body).not.toContain(secret);

    // Partial update keeps the rest; US bank account form; null removes the tax ID.
    const us = await patchArtist(me, { stage_name: null, bank_account: { account_holder: s.holder, routing_number: s.routing, account_number: s.account } });
    expect(us.statusCode, us.body).toBe(200);
    expect(us.json()).toMatchObject({ stage_name: null, legal_name: 'Maria Anna Callas', bank_account_masked: `****${s.account.slice(-4)}`, tax_id_masked: `***-**-${s.ssn.slice(-4)}` });
    expect((await patchArtist(me, { tax_id: null })).json()).toMatchObject({ tax_id_masked: null });

    const audit = await auditRows(org);
    const profileRows = audit.filter((a) => a.entity_type === 'artist_profile');
    expect(profileRows.map((a) => a.action)).toEqual(['create', 'update', 'update']);
    expect((profileRows[0]?.after as { fields_written: string[] }).fields_written).toEqual(expect.arrayContaining(['tax_id', 'bank_account', 'mailing_address']));
    expect((profileRows[1]?.after as { fields_written: string[] }).fields_written).toEqual(['bank_account', 'stage_name']);
    const text = JSON.stringify(audit);
    for (const secret of [s.ssn, s.ssnNormalized, s.iban, s.holder, s.account, '2125550147', 'Lincoln Center']) expect(text).not.toContain(secret);
  });

  it('refuses invalid values and unknown fields with 400, without echoing them', async () => {
    const org = await createOrganization(t.services);
    const me = org.users.artist;
    const s = sentinels();
    const bad: [Record<string, unknown>, string][] = [
      [{ preferred_timezone: 'Europe/Atlantis' }, 'body.preferred_timezone'],
      [{ phone: '0049 30 1234' }, 'body.phone'],
      [{ emergency_contact: { name: 'A', relationship: 'b', phone: '12345' } }, 'body.emergency_contact.phone'],
      [{ emergency_contact: { name: 'A', relationship: 'b', phone: '+12125550147', email: 'x@example.com' } }, 'body.emergency_contact'],
      [{ mailing_address: { line1: 'x', city: 'y', country: 'USA' } }, 'body.mailing_address.country'],
      [{ mailing_address: { line1: 'x', city: 'y', country: 'US', planet: 'Earth' } }, 'body.mailing_address'],
      [{ mailing_address: 'Main Street 1' }, 'body.mailing_address'],
      [{ unions: ['AGMA', 'agma'] }, 'body.unions'],
      [{ skills: Array.from({ length: 51 }, (_, i) => `skill ${i}`) }, 'body.skills'],
      [{ tax_id: `${s.ssn}!` }, 'body.tax_id'],
      [{ tax_id: '12' }, 'body.tax_id'],
      [{ bank_account: { account_holder: s.holder, iban: `${s.iban.slice(0, -1)}${(Number(s.iban.slice(-1)) + 1) % 10}` } }, 'body.bank_account.iban'],
      [{ bank_account: { account_holder: s.holder, iban: s.iban, routing_number: s.routing, account_number: s.account } }, 'body.bank_account.iban'],
      [{ bank_account: { account_holder: s.holder, routing_number: '123456789', account_number: s.account } }, 'body.bank_account.routing_number'],
      [{ bank_account: { account_holder: s.holder } }, 'body.bank_account.iban'],
      [{ bank_account: { account_holder: s.holder, iban: s.iban, bic: 'DEUTDEFF' } }, 'body.bank_account'],
      [{ user_id: randomUUID() }, 'body'],
      [{ tax_id_encrypted: 'v1:k:a:b:c' }, 'body'],
      [{ tax_id_hash: 'a'.repeat(64) }, 'body'],
      [{ redacted_at: null }, 'body'],
      [{ organization_id: org.id }, 'body'],
    ];
    for (const [payload, field] of bad) {
      const res = await patchArtist(me, payload);
      const body = expectProblem(res, 400, 'validation_error');
      expect(JSON.stringify(body.errors), JSON.stringify(payload)).toContain(field);
      for (const secret of [s.ssn, s.ssnNormalized, s.iban, s.holder, s.account]) expect(res.body).not.toContain(secret);
    }
    expect((await t.app.inject({ url: '/api/v1/me/artist-profile', headers: me.auth })).json()).toMatchObject({ updated_at: null });
  });

  it('masking per role: staff see masks, finance roles also the duplicate flag, artists nobody else; plaintext only via …/sensitive', async () => {
    const org = await createOrganization(t.services);
    const target = org.users.artist;
    const s = sentinels();
    expect((await patchArtist(target, full(s))).statusCode).toBe(200);
    const url = `/api/v1/members/${target.membershipId}/artist-profile`;
    for (const role of roles) {
      const res = await t.app.inject({ url, headers: org.users[role].auth });
      for (const secret of [s.ssn, s.ssnNormalized, s.iban, s.holder]) expect(res.body, role).not.toContain(secret);
      if (role === 'artist') {
        // The artist reads their own profile through their membership, masked.
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ tax_id_masked: `***-**-${s.ssn.slice(-4)}`, allowed_actions: ['profile:update', 'profile:read_sensitive'] });
        continue;
      }
      expect(res.statusCode, `${role}: ${res.body}`).toBe(200);
      const body = res.json() as Record<string, unknown>;
      expect(body, role).toMatchObject({ user_id: target.id, legal_name: 'Maria Anna Callas', tax_id_masked: `***-**-${s.ssn.slice(-4)}`, bank_account_masked: `****${s.iban.slice(-4)}` });
      if (financeRoles.includes(role)) {
        expect(body.tax_id_duplicate, role).toBe(false);
        expect(body.allowed_actions, role).toEqual(['artist_profiles:read_sensitive']);
      } else {
        expect(body, role).not.toHaveProperty('tax_id_duplicate');
        expect(body.allowed_actions, role).toEqual([]);
      }
    }
    // Another artist may read neither the profile nor the sealed values.
    const other = await addUser(t.services, org.id, 'artist', `${unique('other-artist')}@example.com`);
    expectProblem(await t.app.inject({ url, headers: other.auth }), 403, 'forbidden');
    expectProblem(await t.app.inject({ url: `${url}/sensitive`, headers: other.auth }), 403, 'forbidden');

    // The sensitive endpoint: finance roles only, plaintext, no-store, audited as pii.view.
    for (const role of roles) {
      const res = await t.app.inject({ url: `${url}/sensitive`, headers: org.users[role].auth });
      if (!financeRoles.includes(role)) {
        expectProblem(res, 403, 'forbidden');
        for (const secret of [s.ssn, s.ssnNormalized, s.iban, s.holder]) expect(res.body).not.toContain(secret);
        continue;
      }
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['cache-control']).toBe('private, no-store');
      expect(res.json()).toEqual({
        user_id: target.id, tax_id: s.ssnNormalized,
        bank_account: { account_holder: s.holder, iban: s.iban, routing_number: null, account_number: null },
      });
    }
    const views = await auditRows(org, 'pii.view');
    expect(views.map((v) => v.actor_id).sort()).toEqual([org.users.accountant.id, org.users.finance_director.id].sort());
    for (const v of views) {
      expect(v).toMatchObject({ entity_type: 'artist_profile', entity_id: target.id });
      expect(v.after).toEqual({ fields: ['tax_id', 'bank_account'], via: `membership:${target.membershipId}` });
    }

    // The owner reads their own values through /me, also audited.
    const own = await t.app.inject({ url: '/api/v1/me/artist-profile/sensitive', headers: target.auth });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ tax_id: s.ssnNormalized, bank_account: { iban: s.iban } });
    expect((await auditRows(org, 'pii.view')).filter((v) => v.actor_id === target.id)).toHaveLength(1);
    expect(JSON.stringify(await auditRows(org))).not.toContain(s.ssnNormalized);
  });

  it('finance roles see tax_id_duplicate when another member of the organization has the same tax ID (any formatting)', async () => {
    const A = await createOrganization(t.services, 'Dup A');
    const B = await createOrganization(t.services, 'Dup B');
    const s = sentinels();
    const twin = await addUser(t.services, A.id, 'artist', `${unique('twin')}@example.com`);
    const loner = await addUser(t.services, A.id, 'artist', `${unique('loner')}@example.com`);
    expect((await patchArtist(A.users.artist, { tax_id: s.ssn })).statusCode).toBe(200);
    expect((await patchArtist(twin, { tax_id: ` ${s.ssnNormalized.slice(0, 3)} ${s.ssnNormalized.slice(3)} ` })).statusCode).toBe(200);
    expect((await patchArtist(loner, { tax_id: sentinels().ssn })).statusCode).toBe(200);
    // Same tax ID in another organization only: no duplicate for B's finance people.
    expect((await patchArtist(B.users.artist, { tax_id: s.ssn })).statusCode).toBe(200);

    const flag = async (org: TestOrganization, u: TestUser, role: Role = 'finance_director') =>
      ((await t.app.inject({ url: `/api/v1/members/${u.membershipId}/artist-profile`, headers: org.users[role].auth })).json() as { tax_id_duplicate?: boolean }).tax_id_duplicate;
    expect(await flag(A, A.users.artist)).toBe(true);
    expect(await flag(A, twin, 'accountant')).toBe(true);
    expect(await flag(A, loner)).toBe(false);
    expect(await flag(B, B.users.artist)).toBe(false);
    expect(await flag(A, A.users.artist, 'admin')).toBeUndefined();
  });

  it("another organization's member ids answer 404 exactly like ids that do not exist, for every role", async () => {
    const A = await createOrganization(t.services, 'Alpha');
    const B = await createOrganization(t.services, 'Bravo');
    const s = sentinels();
    expect((await patchArtist(B.users.artist, { tax_id: s.ssn, legal_name: `Bravo Person ${B.id}` })).statusCode).toBe(200);
    const bRequest = (await t.app.inject({ method: 'POST', url: '/api/v1/me/deletion-request', headers: B.users.artist.auth })).json() as { id: string };
    for (const role of roles) {
      const actor = A.users[role];
      for (const [foreign, missing, method] of [
        [`/api/v1/members/${B.users.artist.membershipId}/artist-profile`, `/api/v1/members/${randomUUID()}/artist-profile`, 'GET'],
        [`/api/v1/members/${B.users.artist.membershipId}/artist-profile/sensitive`, `/api/v1/members/${randomUUID()}/artist-profile/sensitive`, 'GET'],
        [`/api/v1/admin/deletion-requests/${bRequest.id}/complete`, `/api/v1/admin/deletion-requests/${randomUUID()}/complete`, 'POST'],
      ] as const) {
        const got = await t.app.inject({ method, url: foreign, headers: actor.auth });
        const ref = await t.app.inject({ method, url: missing, headers: actor.auth });
        expectProblem(got, 404, 'not_found');
        expect(problemShape(got), `${role} ${foreign}`).toEqual(problemShape(ref));
        for (const secret of [s.ssn, s.ssnNormalized, B.id, 'Bravo']) expect(got.body).not.toContain(secret);
      }
    }
    expect((await t.app.inject({ url: '/api/v1/admin/deletion-requests?limit=100', headers: A.users.admin.auth })).body).not.toContain(bRequest.id);
    // B's request is untouched, and nobody in A viewed B's values.
    expect((await t.app.inject({ url: '/api/v1/me/deletion-request', headers: B.users.artist.auth })).json()).toMatchObject({ status: 'requested' });
    expect(await auditRows(A, 'pii.view')).toEqual([]);
  });
});

describe('sealed values at rest (SECURITY.md row 23)', () => {
  it('plaintext sentinels appear nowhere in the database, the logs or the audit rows after every flow', async () => {
    logs.lines.length = 0;
    const org = await createOrganization(t.services, 'Sentinel');
    const me = org.users.artist;
    const s = sentinels();
    const s2 = sentinels();
    const send = (opts: { url: string; headers: Record<string, string> }) => logged.inject(opts);
    // Writes (both bank forms), a refused write, a decrypted read by the owner and by finance, an export.
    expect((await patchArtist(me, { tax_id: s.ssn, bank_account: { account_holder: s.holder, iban: s.iban } }, logged)).statusCode).toBe(200);
    expect((await patchArtist(me, { bank_account: { account_holder: s2.holder, routing_number: s2.routing, account_number: s2.account } }, logged)).statusCode).toBe(200);
    expect((await patchArtist(me, { tax_id: `${s2.ssn}#`, bank_account: { account_holder: s2.holder, iban: `${s2.iban}0` } }, logged)).statusCode).toBe(400);
    expect((await send({ url: '/api/v1/me/artist-profile/sensitive', headers: me.auth })).statusCode).toBe(200);
    expect((await send({ url: `/api/v1/members/${me.membershipId}/artist-profile/sensitive`, headers: org.users.accountant.auth })).statusCode).toBe(200);
    expect((await send({ url: '/api/v1/me/export', headers: me.auth })).statusCode).toBe(200);
    // A tampered value: the refused read is logged (as a 500) — without the value.
    await flipCiphertextByte(me.id, 'tax_id_encrypted');
    expect((await send({ url: '/api/v1/me/artist-profile/sensitive', headers: me.auth })).statusCode).toBe(500);

    const needles = [s.ssn, s.ssnNormalized, s.iban, s.holder, s2.account, s2.holder];
    expect(await scanDatabase(owner.pool, needles)).toEqual([]);
    const audit = JSON.stringify(await auditRows(org));
    for (const n of needles) expect(audit).not.toContain(n);
    expect(audit).toContain('pii.view');
    const captured = logs.lines.join('');
    expect(captured).toContain('incoming request'); // the capture works
    expect(captured).toContain('internal_error');
    for (const n of needles) expect(captured.toLowerCase()).not.toContain(n.toLowerCase());
    // What is stored: ciphertexts with the current key id, a keyed hash, the last four characters.
    const [row] = await ownerQuery<{ tax_id_encrypted: string; tax_id_hash: string; tax_id_last4: string; bank_account_encrypted: string }>(
      'SELECT tax_id_encrypted, tax_id_hash, tax_id_last4, bank_account_encrypted FROM artist_profiles WHERE user_id = $1', [me.id]);
    expect(row?.bank_account_encrypted).toMatch(new RegExp(`^v1:${t.services.fieldCipher.currentKid}:`));
    expect(row?.tax_id_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.tax_id_last4).toBe(s.ssn.slice(-4));
  });

  it('the database refuses a plaintext written into a sealed column', async () => {
    const org = await createOrganization(t.services);
    expect((await patchArtist(org.users.artist, { tax_id: sentinels().ssn })).statusCode).toBe(200);
    let state = '';
    try {
      await owner.pool.query(`UPDATE artist_profiles SET tax_id_encrypted = '123456789' WHERE user_id = $1`, [org.users.artist.id]);
    } catch (err) {
      state = (err as { code?: string }).code ?? '';
    }
    expect(state).toBe('23514');
  });

  it('a flipped ciphertext byte is refused: 500 with a clear reason, no value, no pii.view audit row; masks still work', async () => {
    const org = await createOrganization(t.services);
    const me = org.users.artist;
    const s = sentinels();
    expect((await patchArtist(me, { tax_id: s.ssn, bank_account: { account_holder: s.holder, iban: s.iban } })).statusCode).toBe(200);
    await flipCiphertextByte(me.id, 'tax_id_encrypted');

    for (const [url, user] of [['/api/v1/me/artist-profile/sensitive', me], [`/api/v1/members/${me.membershipId}/artist-profile/sensitive`, org.users.finance_director], ['/api/v1/me/export', me]] as const) {
      const res = await t.app.inject({ url, headers: user.auth });
      const body = expectProblem(res, 500, 'internal_error');
      expect(body.detail).toMatch(/artist_profiles\.tax_id.*integrity check/);
      for (const secret of [s.ssn, s.ssnNormalized, s.iban, s.holder]) expect(res.body).not.toContain(secret);
    }
    expect(await auditRows(org, 'pii.view')).toEqual([]);
    expect(await auditRows(org, 'export')).toEqual([]);
    const masked = await t.app.inject({ url: '/api/v1/me/artist-profile', headers: me.auth });
    expect(masked.statusCode).toBe(200);
    expect(masked.json()).toMatchObject({ tax_id_masked: `***-**-${s.ssn.slice(-4)}` });
    // Writing a new value repairs the field.
    expect((await patchArtist(me, { tax_id: s.ssn })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/me/artist-profile/sensitive', headers: me.auth })).json()).toMatchObject({ tax_id: s.ssnNormalized });
  });

  it('a ciphertext moved to another person (or the other column) is refused', async () => {
    const org = await createOrganization(t.services);
    const victim = org.users.artist;
    const thief = await addUser(t.services, org.id, 'artist', `${unique('thief')}@example.com`);
    const s = sentinels();
    expect((await patchArtist(victim, { tax_id: s.ssn, bank_account: { account_holder: s.holder, iban: s.iban } })).statusCode).toBe(200);
    expect((await patchArtist(thief, { tax_id: sentinels().ssn, bank_account: { account_holder: 'Thief', iban: makeIban('FR', digits(23)) } })).statusCode).toBe(200);
    await owner.pool.query(`
      UPDATE artist_profiles t SET tax_id_encrypted = v.tax_id_encrypted, bank_account_encrypted = v.bank_account_encrypted
      FROM artist_profiles v WHERE v.user_id = $1 AND t.user_id = $2`, [victim.id, thief.id]);
    const moved = await t.app.inject({ url: '/api/v1/me/artist-profile/sensitive', headers: thief.auth });
    expectProblem(moved, 500, 'internal_error');
    for (const secret of [s.ssn, s.ssnNormalized, s.iban, s.holder]) expect(moved.body).not.toContain(secret);
    // Swapping columns within the victim's own row is refused too.
    await owner.pool.query('UPDATE artist_profiles SET tax_id_encrypted = bank_account_encrypted WHERE user_id = $1', [victim.id]);
    expectProblem(await t.app.inject({ url: `/api/v1/members/${victim.membershipId}/artist-profile/sensitive`, headers: org.users.accountant.auth }), 500, 'internal_error');
  });
});

/** pg_dump from PATH, else from Debian's versioned directories (newest first); null when absent. */
function findPgDump(): string | null {
  if (spawnSync('pg_dump', ['--version']).status === 0) return 'pg_dump';
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const candidate = path.join(base, version, 'bin', 'pg_dump');
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}
const pgDump = findPgDump();
const redisUrl = process.env.REDIS_URL;

/** Every key of the Redis database with its value as text, whatever the key's type. */
async function redisContents(redis: Redis): Promise<Map<string, string>> {
  const contents = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      let value: unknown;
      if (type === 'string') value = await redis.getBuffer(key).then((b) => b?.toString('latin1'));
      else if (type === 'hash') value = await redis.hgetall(key);
      else if (type === 'list') value = await redis.lrange(key, 0, -1);
      else if (type === 'set') value = await redis.smembers(key);
      else if (type === 'zset') value = await redis.zrange(key, 0, -1, 'WITHSCORES');
      else if (type === 'stream') value = await redis.xrange(key, '-', '+');
      else if (type === 'none') continue; // expired between SCAN and TYPE
      else value = `<${type}>`;
      contents.set(key, JSON.stringify(value));
    }
  } while (cursor !== '0');
  return contents;
}

// A real dump of the run's database and every Redis key, after the flows that handle the sealed
// values went through an app that uses Redis (when there is one): the rate-limit counters of the
// global, sign-in and two-factor limits live there then.
describe('sealed values in a pg_dump and in Redis (SECURITY.md row 23)', () => {
  const dumpable = onServer && pgDump !== null;
  let r: TestApp | null = null;
  let me: TestUser;
  let needles: string[] = [];
  let sealedTaxId = '';

  beforeAll(async () => {
    if (!dumpable && !redisUrl) return;
    r = redisUrl ? await startTestApp({ REDIS_URL: redisUrl }) : null;
    const app = r ?? t;
    const org = await createOrganization(app.services, 'Dumped');
    me = org.users.artist;
    const s = sentinels();
    const s2 = sentinels();
    expect((await patchArtist(me, { tax_id: s.ssn, bank_account: { account_holder: s.holder, iban: s.iban } }, app.app)).statusCode).toBe(200);
    expect((await patchArtist(me, { bank_account: { account_holder: s2.holder, routing_number: s2.routing, account_number: s2.account } }, app.app)).statusCode).toBe(200);
    expect((await app.app.inject({ url: '/api/v1/me/artist-profile/sensitive', headers: me.auth })).statusCode).toBe(200);
    expect((await app.app.inject({ url: `/api/v1/members/${me.membershipId}/artist-profile/sensitive`, headers: org.users.accountant.auth })).statusCode).toBe(200);
    expect((await app.app.inject({ url: '/api/v1/me/export', headers: me.auth })).statusCode).toBe(200);
    // Two-factor: enrol, then sign in with password and code (the secret is sealed like the others).
    const setup = await app.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/setup', headers: me.auth });
    expect(setup.statusCode, setup.body).toBe(200);
    const secret = (setup.json() as { secret: string }).secret;
    const code = (steps: number) => generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });
    const enable = await app.app.inject({ method: 'POST', url: '/api/v1/auth/2fa/enable', headers: me.auth, payload: { code: code(0) } });
    expect(enable.statusCode, enable.body).toBe(200);
    const password = 'Sealed-Lantern-Cellar-31';
    await owner.pool.query('UPDATE users SET password_hash = $2 WHERE id = $1', [me.id, await hashPassword(password)]);
    const first = await app.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.123.0.1', payload: { email: me.email, password } });
    expect(first.statusCode, first.body).toBe(200);
    const second = await app.app.inject({ method: 'POST', url: '/api/v1/auth/login/2fa', remoteAddress: '10.123.0.1', payload: { mfa_token: (first.json() as { mfa_token: string }).mfa_token, code: code(1) } });
    expect(second.statusCode, second.body).toBe(200);

    needles = [s.ssn, s.ssnNormalized, s.iban, s.holder, s2.account, s2.holder, secret];
    const [row] = await ownerQuery<{ v: string }>('SELECT tax_id_encrypted AS v FROM artist_profiles WHERE user_id = $1', [me.id]);
    sealedTaxId = row?.v ?? '';
    expect(sealedTaxId).toMatch(/^v1:/);
  });
  afterAll(async () => r?.close());

  it.runIf(dumpable)('a real pg_dump of the database holds none of the plaintext tax IDs, bank accounts or the TOTP secret', async () => {
    const { stdout: dump } = await promisify(execFile)(pgDump!, ['--no-owner', '--no-privileges', '--dbname', inject('ownerUrl')], { maxBuffer: 1024 ** 3, encoding: 'utf8' });
    // The dump is real and holds this person's rows: their e-mail, the sealed value as stored.
    expect(dump).toMatch(/PostgreSQL database dump complete/);
    expect(dump).toContain(me.email);
    expect(dump).toContain(sealedTaxId);
    const lower = dump.toLowerCase();
    expect(needles.filter((n) => lower.includes(n.toLowerCase()))).toEqual([]);
  });

  it.runIf(Boolean(redisUrl))('every Redis key and value holds none of them either', async () => {
    const redis = new Redis(redisUrl!, { maxRetriesPerRequest: 1 });
    try {
      const contents = await redisContents(redis);
      // The app under test wrote there: a rate-limit counter keyed by this person.
      expect([...contents.keys()].some((k) => k.startsWith('bigportal-rl:') && k.includes(me.id)), [...contents.keys()].slice(0, 20).join(', ')).toBe(true);
      const hits: string[] = [];
      for (const [key, value] of contents) {
        const text = `${key} ${value}`.toLowerCase();
        for (const n of needles) if (text.includes(n.toLowerCase())) hits.push(`${key}: ${n}`);
      }
      expect(hits).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});

describe('personal data export', () => {
  it('a zip with data.json and CSVs: own decrypted values, memberships, own audit entries; formula-safe; audited', async () => {
    const org = await createOrganization(t.services, 'Export');
    const me = org.users.artist;
    const s = sentinels();
    const payload = {
      legal_name: '=HYPERLINK("http://evil.example","click")',
      stage_name: '+SUM(1,2)',
      pronouns: '@cmd',
      unions: ['-2+3', '＝1+1'],
      skills: ['safe', 'comma, "quoted"'],
      tax_id: s.ssn,
      bank_account: { account_holder: s.holder, routing_number: s.routing, account_number: s.account },
      mailing_address: { line1: '=1+1', city: 'Berlin', country: 'DE' },
    };
    expect((await patchArtist(me, payload)).statusCode).toBe(200);
    const res = await t.app.inject({ url: '/api/v1/me/export', headers: me.auth });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(String(res.headers['content-disposition'])).toMatch(/^attachment; filename="big-live-portal-export-\d{4}-\d{2}-\d{2}\.zip"$/);
    expect(res.headers['cache-control']).toBe('private, no-store');

    const files = unzipSync(new Uint8Array(res.rawPayload));
    expect(Object.keys(files).sort()).toEqual(['artist_profile.csv', 'audit_entries.csv', 'data.json', 'deletion_requests.csv', 'memberships.csv', 'profile.csv']);
    const data = JSON.parse(strFromU8(files['data.json'] as Uint8Array)) as {
      profile: { id: string; email: string };
      artist_profile: { tax_id: string; bank_account: Record<string, unknown>; unions: string[] };
      memberships: { id: string; organization_id: string; role: string }[];
      audit_entries: { action: string; entity_id: string }[];
    };
    expect(data.profile).toMatchObject({ id: me.id, email: me.email });
    expect(data.artist_profile).toMatchObject({ tax_id: s.ssnNormalized, bank_account: { account_holder: s.holder, routing_number: s.routing, account_number: s.account, iban: null } });
    expect(data.artist_profile.unions).toEqual(['-2+3', '＝1+1']);
    expect(data.memberships).toEqual([expect.objectContaining({ id: me.membershipId, organization_id: org.id, role: 'artist' })]);
    expect(data.audit_entries.map((a) => a.action)).toContain('create');
    expect(JSON.stringify(data.audit_entries)).not.toContain('"before"');

    const artistCsv = parseCsv(strFromU8(files['artist_profile.csv'] as Uint8Array));
    const [header, row] = artistCsv as [string[], string[]];
    const cell = (name: string) => row[header.indexOf(name)];
    expect(cell('legal_name')).toBe(`'${payload.legal_name}`);
    expect(cell('stage_name')).toBe("'+SUM(1,2)");
    expect(cell('pronouns')).toBe("'@cmd");
    expect(cell('unions')).toBe("'-2+3; ＝1+1");
    expect(cell('skills')).toBe('safe; comma, "quoted"');
    expect(cell('mailing_address_line1')).toBe("'=1+1");
    expect(cell('tax_id')).toBe(s.ssnNormalized);
    expect(cell('bank_account_number')).toBe(s.account);
    // No cell of any CSV starts with a formula trigger.
    for (const [name, content] of Object.entries(files).filter(([n]) => n.endsWith('.csv'))) {
      for (const r of parseCsv(strFromU8(content))) for (const c of r) expect(c, `${name}: ${c}`).not.toMatch(/^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/);
    }
    const memberships = parseCsv(strFromU8(files['memberships.csv'] as Uint8Array));
    expect(memberships[1]?.[0]).toBe(me.membershipId);
    const profileCsv = parseCsv(strFromU8(files['profile.csv'] as Uint8Array));
    expect(profileCsv[1]?.[profileCsv[0]?.indexOf('email') ?? -1]).toBe(me.email);

    const exports = await auditRows(org, 'export');
    expect(exports).toHaveLength(1);
    expect(exports[0]).toMatchObject({ actor_id: me.id, entity_type: 'user', entity_id: me.id });
    expect(JSON.stringify(exports)).not.toContain(s.account);
  });

  it('csvCell neutralizes every formula trigger, including tab, carriage return and full-width forms', () => {
    for (const v of ['=1+1', '+1', '-1', '@A1', '\t=1', '\r=1', '\0=1', '＝1+1', '＋1', '－1', '＠A1']) {
      const out = csvCell(v);
      const unquoted = out.startsWith('"') ? out.slice(1, -1).replaceAll('""', '"') : out;
      expect(unquoted.startsWith("'"), JSON.stringify(v)).toBe(true);
    }
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(['a', '=b'])).toBe('a; =b');
  });
});

describe('deletion requests', () => {
  it('request → listed for admins → completed: personal data redacted, audit rows kept, e-mail tombstoned', async () => {
    const org = await createOrganization(t.services, 'Erase');
    const me = org.users.artist;
    const s = sentinels();
    expect((await patchArtist(me, { legal_name: 'Erase Me', stage_name: 'Gone Soon', phone: '+12125550199', tax_id: s.ssn, bank_account: { account_holder: s.holder, iban: s.iban } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'PATCH', url: '/api/v1/me/profile', headers: me.auth, payload: { phone: '+12125550199', first_name: 'Erin' } })).statusCode).toBe(200);

    const created = await t.app.inject({ method: 'POST', url: '/api/v1/me/deletion-request', headers: me.auth });
    expect(created.statusCode, created.body).toBe(201);
    const request = created.json() as { id: string; status: string; requested_at: string; due_at: string; overdue: boolean; allowed_actions: string[] };
    expect(request).toMatchObject({ status: 'requested', overdue: false, allowed_actions: [] });
    expect(Date.parse(request.due_at) - Date.parse(request.requested_at)).toBe(30 * 86_400_000);
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/me/deletion-request', headers: me.auth }), 409, 'conflict');
    expect((await t.app.inject({ url: '/api/v1/me/deletion-request', headers: me.auth })).json()).toMatchObject({ id: request.id, status: 'requested' });

    for (const role of ['artist', 'accountant', 'production_manager', 'finance_director'] as const) {
      expectProblem(await t.app.inject({ url: '/api/v1/admin/deletion-requests', headers: org.users[role].auth }), 403, 'forbidden');
      expectProblem(await t.app.inject({ method: 'POST', url: `/api/v1/admin/deletion-requests/${request.id}/complete`, headers: org.users[role].auth }), 403, 'forbidden');
    }
    const list = await t.app.inject({ url: '/api/v1/admin/deletion-requests?status=requested', headers: org.users.admin.auth });
    expect(list.statusCode, list.body).toBe(200);
    const listed = (list.json() as { data: { id: string; email: string; allowed_actions: string[] }[] }).data;
    expect(listed).toEqual([expect.objectContaining({ id: request.id, email: me.email, allowed_actions: ['deletion_requests:complete'] })]);
    const auditBefore = await auditRows(org);

    const done = await t.app.inject({ method: 'POST', url: `/api/v1/admin/deletion-requests/${request.id}/complete`, headers: org.users.system_admin.auth });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ id: request.id, status: 'completed', processed_by: org.users.system_admin.id, first_name: 'Deleted', last_name: 'user', allowed_actions: [] });
    expect((done.json() as { email: string }).email).toMatch(/^deleted\+[0-9a-f-]{36}@invalid\.example$/);
    expectProblem(await t.app.inject({ method: 'POST', url: `/api/v1/admin/deletion-requests/${request.id}/complete`, headers: org.users.admin.auth }), 409, 'conflict');

    // What stays: the person's id, the ended membership, every earlier audit row.
    const [user] = await ownerQuery<{ first_name: string; last_name: string; email: string; phone: string | null; is_active: boolean; password_hash: string | null }>(
      'SELECT first_name, last_name, email, phone, is_active, password_hash FROM users WHERE id = $1', [me.id]);
    expect(user).toMatchObject({ first_name: 'Deleted', last_name: 'user', phone: null, is_active: false, password_hash: null });
    expect(user?.email).not.toBe(me.email);
    const [profile] = await ownerQuery<Record<string, unknown>>('SELECT * FROM artist_profiles WHERE user_id = $1', [me.id]);
    expect(profile).toMatchObject({
      legal_name: null, stage_name: null, pronouns: null, phone: null, mailing_address: null, emergency_contact: null, preferred_timezone: null,
      unions: [], skills: [], tax_id_encrypted: null, tax_id_hash: null, tax_id_last4: null, bank_account_encrypted: null, bank_account_last4: null,
    });
    expect(profile?.redacted_at).not.toBeNull();
    const member = (await t.app.inject({ url: `/api/v1/members/${me.membershipId}`, headers: org.users.admin.auth })).json() as { end_date: string | null; is_active: boolean; first_name: string };
    expect(member).toMatchObject({ first_name: 'Deleted' });
    expect(member.end_date).not.toBeNull();
    const auditAfter = await auditRows(org);
    expect(auditAfter.slice(0, auditBefore.length)).toEqual(auditBefore);
    const completed = auditAfter.filter((a) => a.action === 'privacy.deletion_completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ actor_id: org.users.system_admin.id, entity_type: 'deletion_request', entity_id: request.id });
    expect(completed[0]?.after).toMatchObject({ status: 'completed', user_id: me.id, email_tombstoned: true });
    const chain = await t.app.inject({ url: '/api/v1/audit-logs/verify', headers: org.users.admin.auth });
    expect(chain.json()).toMatchObject({ valid: true, problems: [] });
    for (const gone of [me.email, 'Erase Me', 'Gone Soon', '2125550199', s.ssn, s.ssnNormalized, s.iban, s.holder]) {
      expect(JSON.stringify(completed)).not.toContain(gone);
    }
    // Sealed values are gone everywhere; plain fields remain only in the earlier (immutable) audit rows.
    expect(await scanDatabase(owner.pool, [s.ssnNormalized, s.iban, s.holder])).toEqual([]);
    expect((await scanDatabase(owner.pool, ['Gone Soon'])).every((hit) => hit === 'public.audit_logs: Gone Soon')).toBe(true);
  });

  it('a person active in another organization keeps their e-mail and sign-in; a withdrawn request cannot be completed', async () => {
    const A = await createOrganization(t.services, 'Multi A');
    const B = await createOrganization(t.services, 'Multi B');
    const me = A.users.artist;
    await withTenant(t.services.database.db, { organizationId: B.id, userId: me.id }, (trx) =>
      trx.insertInto('memberships').values({ organization_id: B.id, user_id: me.id, role: 'artist' }).execute());
    const req = (await t.app.inject({ method: 'POST', url: '/api/v1/me/deletion-request', headers: me.auth })).json() as { id: string };
    const done = await t.app.inject({ method: 'POST', url: `/api/v1/admin/deletion-requests/${req.id}/complete`, headers: A.users.admin.auth });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ email: me.email, first_name: 'Deleted' });
    const [row] = await ownerQuery<{ email: string; is_active: boolean }>('SELECT email, is_active FROM users WHERE id = $1', [me.id]);
    expect(row).toEqual({ email: me.email, is_active: true });
    expect((await auditRows(A, 'privacy.deletion_completed'))[0]?.after).toMatchObject({ email_tombstoned: false });

    // Withdrawn by the person: cancelled, no longer completable.
    const other = A.users.production_manager;
    const open = (await t.app.inject({ method: 'POST', url: '/api/v1/me/deletion-request', headers: other.auth })).json() as { id: string };
    const cancelled = await t.app.inject({ method: 'DELETE', url: '/api/v1/me/deletion-request', headers: other.auth });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ id: open.id, status: 'cancelled' });
    expectProblem(await t.app.inject({ method: 'DELETE', url: '/api/v1/me/deletion-request', headers: other.auth }), 404, 'not_found');
    expectProblem(await t.app.inject({ method: 'POST', url: `/api/v1/admin/deletion-requests/${open.id}/complete`, headers: A.users.admin.auth }), 409, 'conflict');
    const statuses = (await t.app.inject({ url: '/api/v1/admin/deletion-requests?status=completed,cancelled', headers: A.users.admin.auth })).json() as { data: { id: string; status: string }[] };
    expect(statuses.data.map((d) => [d.id, d.status]).sort()).toEqual([[open.id, 'cancelled'], [req.id, 'completed']].sort());
    expect((await auditRows(A, 'privacy.deletion_cancelled'))).toHaveLength(1);
  });

  it('the last administrator cannot be erased before another one is appointed', async () => {
    const org = await createOrganization(t.services, 'Last Admin');
    // Only one administrator left.
    expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/members/${org.users.system_admin.membershipId}`, headers: org.users.admin.auth, payload: { role: 'production_manager' } })).statusCode).toBe(200);
    const req = (await t.app.inject({ method: 'POST', url: '/api/v1/me/deletion-request', headers: org.users.admin.auth })).json() as { id: string };
    expectProblem(await t.app.inject({ method: 'POST', url: `/api/v1/admin/deletion-requests/${req.id}/complete`, headers: org.users.admin.auth }), 409, 'conflict');
    const [row] = await ownerQuery<{ first_name: string }>('SELECT first_name FROM users WHERE id = $1', [org.users.admin.id]);
    expect(row?.first_name).toBe('admin');
  });
});

describe('key rotation: npm run pii:reencrypt', () => {
  it('moves every value to the current key and recomputes hashes; old-key-only readers then fail; running again changes nothing', async () => {
    const org = await createOrganization(t.services, 'Rotate');
    const me = org.users.artist;
    const s = sentinels();
    expect((await patchArtist(me, { tax_id: s.ssn, bank_account: { account_holder: s.holder, iban: s.iban } })).statusCode).toBe(200);

    const devSpec = t.services.config.PII_ENCRYPTION_KEYS!;
    const next = generateKeySpec('k-next');
    const rotated = createFieldCipher(`${next},${devSpec}`);
    const back = createFieldCipher(`${devSpec},${next}`);
    let database: Database | null = null;
    let db: Kysely<DB> = t.services.database.db;
    if (onServer) {
      database = await openDatabase({ url: inject('ownerUrl'), poolSize: 2 });
      db = database.db;
    }
    try {
      const first = await reencryptAll(db, rotated, 3);
      expect(first.failures.every((f) => f.user_id !== me.id)).toBe(true);
      expect(first.reencrypted).toBeGreaterThanOrEqual(1);
      expect(first.rehashed).toBeGreaterThanOrEqual(1);
      const [row] = await ownerQuery<{ tax_id_encrypted: string; bank_account_encrypted: string; tax_id_hash: string }>(
        'SELECT tax_id_encrypted, bank_account_encrypted, tax_id_hash FROM artist_profiles WHERE user_id = $1', [me.id]);
      expect(row?.tax_id_encrypted).toMatch(/^v1:k-next:/);
      expect(row?.bank_account_encrypted).toMatch(/^v1:k-next:/);
      expect(row?.tax_id_hash).toBe(rotated.hash('tax_id', s.ssnNormalized));
      expect(rotated.decrypt(row?.tax_id_encrypted ?? '', { table: 'artist_profiles', rowId: me.id, column: 'tax_id' })).toBe(s.ssnNormalized);
      // The running app only knows the old key: the moved value is refused, not misread.
      expectProblem(await t.app.inject({ url: '/api/v1/me/artist-profile/sensitive', headers: me.auth }), 500, 'internal_error');
      const again = await reencryptAll(db, rotated);
      expect(again.reencrypted).toBe(0);
      expect(again.rehashed).toBe(0);

      // Rotate back so the rest of the run (same database on a server) reads with the app's key.
      const restored = await reencryptAll(db, back);
      expect(restored.reencrypted).toBeGreaterThanOrEqual(1);
      const res = await t.app.inject({ url: '/api/v1/me/artist-profile/sensitive', headers: me.auth });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ tax_id: s.ssnNormalized, bank_account: { iban: s.iban, account_holder: s.holder } });
    } finally {
      await database?.close();
    }
  });
});
