import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chainHash, type ChainedFields } from '../../src/server/audit/audit.chain.js';
import { createOrganization, onServer, startTestApp, type TestApp, type TestOrganization } from '../helpers/app.js';
import { ownerPool, sqlState, type OwnerPool } from './support.js';

let t: TestApp;
let owner: OwnerPool;

beforeAll(async () => {
  t = await startTestApp();
  owner = ownerPool(t);
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

interface AuditLogOut {
  seq: number;
  actor_id: string | null;
  entity_type: string;
  entity_id: string | null;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  changed_fields: string[] | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  created_at: string;
  hash: string;
}

interface VerifyOut {
  valid: boolean;
  rows: number;
  problems: { seq: number; problem: string; detail: string }[];
}

async function auditLogs(org: TestOrganization): Promise<AuditLogOut[]> {
  const res = await t.app.inject({ url: '/api/v1/audit-logs?limit=200', headers: org.users.admin.auth });
  expect(res.statusCode).toBe(200);
  return (res.json() as { data: AuditLogOut[] }).data;
}

async function verify(org: TestOrganization): Promise<VerifyOut> {
  const res = await t.app.inject({ url: '/api/v1/audit-logs/verify', headers: org.users.admin.auth });
  expect(res.statusCode).toBe(200);
  return res.json() as VerifyOut;
}

function kinds(result: VerifyOut) {
  return [...new Set(result.problems.map((p) => p.problem))].sort();
}

/** A fresh organization whose audit chain holds `n` renames (seq 1..n), verified intact. */
async function orgWithChain(n: number): Promise<TestOrganization> {
  const org = await createOrganization(t.services, 'Audit Chain');
  for (let i = 1; i <= n; i++) {
    const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: org.users.admin.auth, payload: { name: `Rename ${i}` } });
    expect(res.statusCode).toBe(200);
  }
  const ok = await verify(org);
  expect(ok).toEqual({ valid: true, rows: n, problems: [] });
  return org;
}

describe('audit rows are written with the change, and only with it', () => {
  it('PATCH /organization records actor, entity, before/after, ip, user agent and request id', async () => {
    const org = await createOrganization(t.services, 'Audited');
    const res = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/organization',
      headers: { ...org.users.admin.auth, 'user-agent': 'audit-test/1.0' },
      payload: { name: 'Audited Renamed', settings: { default_currency: 'EUR' } },
    });
    expect(res.statusCode).toBe(200);
    const requestId = String(res.headers['x-request-id']);
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    const logs = await auditLogs(org);
    expect(logs).toHaveLength(1);
    const row = logs[0]!;
    expect(row).toMatchObject({
      seq: 1,
      actor_id: org.users.admin.id,
      entity_type: 'organization',
      entity_id: org.id,
      action: 'update',
      ip: '127.0.0.1',
      user_agent: 'audit-test/1.0',
      request_id: requestId,
    });
    expect(row.before).toMatchObject({ name: org.name, settings: { default_currency: 'USD' } });
    expect(row.after).toMatchObject({ name: 'Audited Renamed', settings: { default_currency: 'EUR' } });
    expect(row.changed_fields).toEqual(['name', 'settings']);
    expect(Math.abs(Date.parse(row.created_at) - Date.now())).toBeLessThan(60_000);
    expect(await verify(org)).toEqual({ valid: true, rows: 1, problems: [] });
  });

  it('PATCH /members/:id records the role change against the membership', async () => {
    const org = await createOrganization(t.services, 'Audited Members');
    const target = org.users.artist;
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/members/${target.membershipId}`,
      headers: { ...org.users.admin.auth, 'user-agent': 'audit-test/2.0' },
      payload: { role: 'accountant', department: 'Box office' },
    });
    expect(res.statusCode).toBe(200);
    const [row] = await auditLogs(org);
    expect(row).toMatchObject({
      actor_id: org.users.admin.id,
      entity_type: 'membership',
      entity_id: target.membershipId,
      action: 'member.role_changed',
      before: { role: 'artist', department: null },
      after: { role: 'accountant', department: 'Box office' },
      changed_fields: ['department', 'role'],
      ip: '127.0.0.1',
      user_agent: 'audit-test/2.0',
      request_id: String(res.headers['x-request-id']),
    });
  });

  it('a rejected mutation writes no audit row (validation error, or the service refusing after its UPDATE)', async () => {
    const org = await createOrganization(t.services, 'Audit Rollback');
    const admin = org.users.admin.auth;

    const invalid = await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: admin, payload: { settings: { approval_limits: { automatic: 900, admin: 500, finance: 1000 } } } });
    expect(invalid.statusCode).toBe(400);
    const unknownField = await t.app.inject({ method: 'PATCH', url: `/api/v1/members/${org.users.artist.membershipId}`, headers: admin, payload: { role: 'admin', organization_id: org.id } });
    expect(unknownField.statusCode).toBe(400);
    const badEnd = await t.app.inject({ method: 'PATCH', url: `/api/v1/members/${org.users.artist.membershipId}`, headers: admin, payload: { end_date: '1999-01-01' } });
    expect(badEnd.statusCode).toBe(400);
    expect(await auditLogs(org)).toEqual([]);

    // Two people can administer this organization; the first demotion is allowed and audited.
    const first = await t.app.inject({ method: 'PATCH', url: `/api/v1/members/${org.users.system_admin.membershipId}`, headers: admin, payload: { role: 'artist' } });
    expect(first.statusCode).toBe(200);
    expect(await auditLogs(org)).toHaveLength(1);

    // Demoting the last one: the service has already run its UPDATE when it refuses.
    const last = await t.app.inject({ method: 'PATCH', url: `/api/v1/members/${org.users.admin.membershipId}`, headers: admin, payload: { role: 'artist' } });
    expect(last.statusCode).toBe(409);
    expect((last.json() as { type: string }).type).toBe('conflict');
    const logs = await auditLogs(org);
    expect(logs).toHaveLength(1);
    expect(logs[0]!.entity_id).toBe(org.users.system_admin.membershipId);
    const stillAdmin = await t.app.inject({ url: `/api/v1/members/${org.users.admin.membershipId}`, headers: admin });
    expect((stillAdmin.json() as { role: string }).role).toBe('admin');
    expect(await verify(org)).toEqual({ valid: true, rows: 1, problems: [] });
  });

  it('chains of several organizations written side by side each verify', async () => {
    const [a, b] = await Promise.all([createOrganization(t.services, 'Side A'), createOrganization(t.services, 'Side B')]);
    await Promise.all([a!, b!].flatMap((org) => [1, 2, 3, 4, 5].map((i) =>
      t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: org.users.admin.auth, payload: { name: `Parallel ${i}` } }))));
    for (const org of [a!, b!]) {
      const logs = await auditLogs(org);
      expect(logs.map((l) => l.seq)).toEqual([5, 4, 3, 2, 1]);
      expect(await verify(org)).toEqual({ valid: true, rows: 5, problems: [] });
    }
  });

  it('values that JSONB stores differently from JavaScript (unicode, escapes, odd numbers) still verify', async () => {
    const org = await createOrganization(t.services, 'Audit Encoding');
    const name = 'Th\u00e9\u00e2tre \ud83c\udfad "Lumi\u00e8re" \\ <b>&amp;</b> \u2028 tab\there';
    const res = await t.app.inject({
      method: 'PATCH', url: '/api/v1/organization', headers: org.users.admin.auth,
      payload: { name, settings: { approval_limits: { automatic: 0.1, admin: 123.45, finance: 9_999_999.99 }, expense_categories: ['Caf\u00e9', '\u65c5\u8cbb'] } },
    });
    expect(res.statusCode).toBe(200);
    const [row] = await auditLogs(org);
    expect(row!.after).toMatchObject({ name, settings: { approval_limits: { automatic: 0.1, admin: 123.45, finance: 9_999_999.99 } } });
    expect(await verify(org)).toEqual({ valid: true, rows: 1, problems: [] });
  });
});

describe('tampering by someone with owner access is detected', () => {
  it('(a) editing a middle row → hash_mismatch', async () => {
    const org = await orgWithChain(5);
    const res = await owner.pool.query(`UPDATE audit_logs SET after = '{"name":"Nothing to see"}' WHERE organization_id = $1 AND seq = 3`, [org.id]);
    expect(res.rowCount).toBe(1);
    const result = await verify(org);
    expect(result.valid).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ seq: 3, problem: 'hash_mismatch' })]);
  });

  it('(b) deleting a middle row → sequence_gap and broken_link', async () => {
    const org = await orgWithChain(5);
    expect((await owner.pool.query('DELETE FROM audit_logs WHERE organization_id = $1 AND seq = 3', [org.id])).rowCount).toBe(1);
    const result = await verify(org);
    expect(result.valid).toBe(false);
    expect(kinds(result)).toEqual(['broken_link', 'sequence_gap']);
  });

  it('(c) appending a forged row, even one hashed correctly onto the chain → detected', async () => {
    const org = await orgWithChain(4);
    const last = (await owner.pool.query<{ hash: string }>('SELECT hash FROM audit_logs WHERE organization_id = $1 AND seq = 4', [org.id])).rows[0]!;
    const forged: ChainedFields = {
      organization_id: org.id,
      seq: 5,
      actor_id: org.users.artist.id,
      entity_type: 'organization',
      entity_id: org.id,
      action: 'update',
      before: null,
      after: { name: 'Approved by nobody' },
      changed_fields: null,
      ip: null,
      user_agent: null,
      request_id: null,
      created_at: new Date().toISOString(),
      prev_hash: last.hash,
    };
    await owner.pool.query(
      `INSERT INTO audit_logs (organization_id, seq, actor_id, entity_type, entity_id, action, after, created_at, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [org.id, forged.seq, forged.actor_id, forged.entity_type, forged.entity_id, forged.action, JSON.stringify(forged.after), forged.created_at, forged.prev_hash, chainHash(forged)],
    );
    const result = await verify(org);
    expect(result.valid).toBe(false);
    expect(kinds(result)).toEqual(['head_mismatch']);

    // A forgery with a made-up hash is caught at the row itself as well.
    const org2 = await orgWithChain(2);
    await owner.pool.query(
      `INSERT INTO audit_logs (organization_id, seq, entity_type, action, created_at, prev_hash, hash)
       VALUES ($1, 3, 'organization', 'delete', now(), $2, $3)`,
      [org2.id, 'f'.repeat(64), 'e'.repeat(64)],
    );
    const result2 = await verify(org2);
    expect(result2.valid).toBe(false);
    expect(kinds(result2)).toEqual(['broken_link', 'hash_mismatch', 'head_mismatch']);
  });

  it('(d) reordering two rows (swapping their seq) → detected', async () => {
    const org = await orgWithChain(5);
    const client = await owner.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('UPDATE audit_logs SET seq = 1000 WHERE organization_id = $1 AND seq = 2', [org.id]);
      await client.query('UPDATE audit_logs SET seq = 2 WHERE organization_id = $1 AND seq = 3', [org.id]);
      await client.query('UPDATE audit_logs SET seq = 3 WHERE organization_id = $1 AND seq = 1000', [org.id]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const result = await verify(org);
    expect(result.valid).toBe(false);
    expect(kinds(result)).toEqual(expect.arrayContaining(['broken_link', 'hash_mismatch']));
    expect(result.problems.every((p) => p.seq >= 2 && p.seq <= 4)).toBe(true);
  });

  it('(e) cutting the last row off the end → head_mismatch', async () => {
    const org = await orgWithChain(5);
    expect((await owner.pool.query('DELETE FROM audit_logs WHERE organization_id = $1 AND seq = 5', [org.id])).rowCount).toBe(1);
    const result = await verify(org);
    expect(result.valid).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ problem: 'head_mismatch', seq: 4 })]);
  });
});

describe.runIf(onServer)('the application role cannot rewrite history', () => {
  it('UPDATE, DELETE and TRUNCATE on audit_logs are refused (42501) and the chain still verifies', async () => {
    const org = await orgWithChain(3);
    const app = new pg.Client({ connectionString: inject('appUrl') });
    await app.connect();
    try {
      const attempts = [
        `UPDATE audit_logs SET after = '{}' WHERE seq = 2`,
        'DELETE FROM audit_logs WHERE seq = 3',
        'TRUNCATE audit_logs',
      ];
      for (const statement of attempts) {
        await app.query('BEGIN');
        await app.query(`SELECT set_config('app.organization_id', $1, true)`, [org.id]);
        expect(await sqlState(app.query(statement)), statement).toBe('42501');
        await app.query('ROLLBACK');
      }
      // Reading stays allowed.
      await app.query('BEGIN');
      await app.query(`SELECT set_config('app.organization_id', $1, true)`, [org.id]);
      const readable = await app.query('SELECT seq FROM audit_logs ORDER BY seq');
      expect(readable.rows.map((r) => r.seq)).toEqual([1, 2, 3]);
      await app.query('ROLLBACK');
    } finally {
      await app.end();
    }
    expect(await verify(org)).toEqual({ valid: true, rows: 3, problems: [] });
  });
});
