import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../src/server/db/database.js';
import { withTenant } from '../../src/server/db/tenant.js';
import { createOrganization, onServer, startTestApp, type TestApp, type TestOrganization } from '../helpers/app.js';
import { ownerPool, sqlState, type OwnerPool } from './support.js';

/**
 * Row-level security as the second wall (SECURITY.md rows 5 and 6). Only meaningful on a real
 * server: the embedded engine's single user is a superuser, to whom RLS never applies.
 */
describe.runIf(onServer)('row-level security on the real server', () => {
  let t: TestApp;
  let owner: OwnerPool;
  let a: TestOrganization;
  let b: TestOrganization;
  let app: pg.Client;

  const tenantTables = ['organizations', 'memberships', 'invitations', 'files', 'audit_logs', 'idempotency_keys'] as const;

  /** One row in every tenant table for the organization (audit through the API, the rest directly). */
  async function seed(org: TestOrganization) {
    const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: org.users.admin.auth, payload: { name: `${org.name} (seeded)` } });
    expect(res.statusCode).toBe(200);
    await withTenant(t.services.database.db, { organizationId: org.id, userId: org.users.admin.id }, async (trx) => {
      await trx.insertInto('invitations').values({
        organization_id: org.id, email: `invitee-${org.id.slice(0, 8)}@example.com`, role: 'artist',
        token_hash: randomUUID().replaceAll('-', '').padEnd(64, '0'), expires_at: new Date(Date.now() + 86_400_000),
      }).execute();
      await trx.insertInto('files').values({
        organization_id: org.id, storage_key: `rls/${randomUUID()}`, original_name: 'contract.pdf', content_type: 'application/pdf',
        size_bytes: 1234, sha256: 'a'.repeat(64), uploaded_by: org.users.admin.id,
      }).execute();
      await trx.insertInto('idempotency_keys').values({
        organization_id: org.id, actor_id: org.users.admin.id, key: `k-${randomUUID()}`, method: 'POST', path: '/api/v1/invitations',
        request_hash: 'b'.repeat(64), response_status: 201, response_body: '{}',
      }).execute();
    });
  }

  beforeAll(async () => {
    t = await startTestApp();
    owner = ownerPool(t);
    a = await createOrganization(t.services, 'Tenant A');
    b = await createOrganization(t.services, 'Tenant B');
    await seed(a);
    await seed(b);
    app = new pg.Client({ connectionString: inject('appUrl') });
    await app.connect();
  });
  afterAll(async () => {
    await app?.end();
    await owner?.end();
    await t?.close();
  });

  async function asTenant<T>(organizationId: string, fn: () => Promise<T>): Promise<T> {
    await app.query('BEGIN');
    try {
      await app.query(`SELECT set_config('app.organization_id', $1, true)`, [organizationId]);
      return await fn();
    } finally {
      await app.query('ROLLBACK');
    }
  }

  describe('catalogue', () => {
    it('every tenant table has row-level security enabled and forced', async () => {
      const { rows } = await owner.pool.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean; policies: number }>(`
        SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
               (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)::int AS policies
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
          AND (c.relname IN ('organizations', 'users')
               OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped))
        ORDER BY c.relname`);
      const names = rows.map((r) => r.relname);
      expect(names).toEqual(expect.arrayContaining(['organizations', 'users', 'memberships', 'invitations', 'files', 'audit_logs', 'audit_chain_heads', 'idempotency_keys']));
      const failing = rows.filter((r) => !r.relrowsecurity || !r.relforcerowsecurity || r.policies === 0).map((r) => r.relname);
      expect(failing).toEqual([]);
    });

    it('the application login is no superuser, cannot bypass RLS, owns nothing and cannot become postgres', async () => {
      const me = await app.query<{ user: string; rolsuper: boolean; rolbypassrls: boolean }>(
        'SELECT current_user AS user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user');
      expect(me.rows).toEqual([{ user: 'bigportal_app_test', rolsuper: false, rolbypassrls: false }]);

      // Nor through any role it belongs to.
      const inherited = await owner.pool.query<{ rolname: string }>(`
        SELECT rolname FROM pg_roles
        WHERE (rolsuper OR rolbypassrls) AND pg_has_role('bigportal_app_test', oid, 'MEMBER')`);
      expect(inherited.rows).toEqual([]);

      // Owning a table (directly or through a role) would switch RLS off unless forced, and allow ALTER/DROP.
      const owned = await owner.pool.query<{ relname: string }>(`
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('public', 'pgboss') AND pg_has_role('bigportal_app_test', c.relowner, 'MEMBER')`);
      expect(owned.rows).toEqual([]);

      expect(await sqlState(app.query('SET ROLE postgres'))).toBe('42501');
      expect(await sqlState(app.query('ALTER TABLE memberships DISABLE ROW LEVEL SECURITY'))).toBe('42501');
      expect((await app.query('SELECT current_user AS u')).rows[0].u).toBe('bigportal_app_test');
    });
  });

  describe('without a tenant context nothing is visible', () => {
    it('the owner sees both tenants\u2019 rows, the application role sees none', async () => {
      for (const table of tenantTables) {
        const col = table === 'organizations' ? 'id' : 'organization_id';
        const seen = await owner.pool.query(`SELECT 1 FROM ${table} WHERE ${col} = ANY($1)`, [[a.id, b.id]]);
        expect(seen.rowCount, `${table} seeded`).toBeGreaterThanOrEqual(2);
        expect((await app.query(`SELECT * FROM ${table}`)).rowCount, table).toBe(0);
      }
      expect((await app.query('SELECT * FROM users')).rowCount).toBe(0);
      expect((await app.query('SELECT * FROM audit_chain_heads')).rowCount).toBe(0);
      // An empty setting is the same as none.
      await app.query('BEGIN');
      await app.query(`SELECT set_config('app.organization_id', '', true)`);
      expect((await app.query('SELECT * FROM memberships')).rowCount).toBe(0);
      await app.query('ROLLBACK');
    });

    it('writes without a tenant context are refused', async () => {
      expect((await app.query(`UPDATE memberships SET department = 'x' WHERE organization_id = $1`, [b.id])).rowCount).toBe(0);
      expect((await app.query('DELETE FROM memberships WHERE organization_id = $1', [b.id])).rowCount).toBe(0);
      expect(await sqlState(app.query('INSERT INTO memberships (organization_id, user_id, role) VALUES ($1, $2, $3)', [b.id, a.users.artist.id, 'artist']))).toBe('42501');
    });
  });

  describe('with organization A set, raw SQL cannot reach B', () => {
    it('SELECT returns only A\u2019s rows in every tenant table', async () => {
      await asTenant(a.id, async () => {
        const members = await app.query<{ organization_id: string }>('SELECT * FROM memberships');
        expect(members.rowCount).toBe(6);
        expect(new Set(members.rows.map((r) => r.organization_id))).toEqual(new Set([a.id]));
        const orgs = await app.query<{ id: string }>('SELECT * FROM organizations');
        expect(orgs.rows.map((r) => r.id)).toEqual([a.id]);
        for (const table of tenantTables.filter((x) => x !== 'organizations')) {
          const rows = await app.query<{ organization_id: string }>(`SELECT organization_id FROM ${table}`);
          expect(rows.rowCount, table).toBeGreaterThan(0);
          expect(rows.rows.every((r) => r.organization_id === a.id), table).toBe(true);
        }
        const users = await app.query<{ id: string }>('SELECT id FROM users');
        expect(new Set(users.rows.map((r) => r.id))).toEqual(new Set(Object.values(a.users).map((u) => u.id)));
        expect((await app.query('SELECT 1 FROM memberships WHERE organization_id = $1', [b.id])).rowCount).toBe(0);
      });
    });

    it('UPDATE and DELETE aimed at B affect nothing; INSERT into B and moving a row to B fail with 42501', async () => {
      const before = await owner.pool.query('SELECT * FROM memberships WHERE organization_id = $1 ORDER BY id', [b.id]);
      const orgBefore = await owner.pool.query('SELECT * FROM organizations WHERE id = $1', [b.id]);
      await asTenant(a.id, async () => {
        expect((await app.query(`UPDATE memberships SET department = 'x' WHERE organization_id = $1`, [b.id])).rowCount).toBe(0);
        expect((await app.query('DELETE FROM memberships WHERE organization_id = $1', [b.id])).rowCount).toBe(0);
        expect((await app.query(`UPDATE organizations SET name = 'Taken over' WHERE id = $1`, [b.id])).rowCount).toBe(0);
        expect((await app.query('DELETE FROM files WHERE organization_id = $1', [b.id])).rowCount).toBe(0);
        expect((await app.query(`UPDATE users SET first_name = 'Taken' WHERE id = $1`, [b.users.admin.id])).rowCount).toBe(0);
      });
      await asTenant(a.id, async () => {
        const state = await sqlState(app.query('INSERT INTO memberships (organization_id, user_id, role) VALUES ($1, $2, $3)', [b.id, a.users.artist.id, 'admin']));
        expect(state).toBe('42501');
      });
      await asTenant(a.id, async () => {
        const state = await sqlState(app.query('UPDATE memberships SET organization_id = $1 WHERE id = $2', [b.id, a.users.artist.membershipId]));
        expect(state).toBe('42501');
      });
      await asTenant(a.id, async () => {
        const state = await sqlState(app.query(`INSERT INTO audit_logs (organization_id, seq, entity_type, action, created_at, prev_hash, hash)
          VALUES ($1, 999, 'organization', 'update', now(), $2, $2)`, [b.id, '0'.repeat(64)]));
        expect(state).toBe('42501');
      });
      expect((await owner.pool.query('SELECT * FROM memberships WHERE organization_id = $1 ORDER BY id', [b.id])).rows).toEqual(before.rows);
      expect((await owner.pool.query('SELECT * FROM organizations WHERE id = $1', [b.id])).rows).toEqual(orgBefore.rows);
      const artistA = await owner.pool.query('SELECT organization_id FROM memberships WHERE id = $1', [a.users.artist.membershipId]);
      expect(artistA.rows[0].organization_id).toBe(a.id);
    });
  });

  it('no tenant bleed through a pool of 2: 2,000 interleaved A/B transactions (with failures) never see a foreign row', async () => {
    const database = await openDatabase({ url: inject('appUrl'), poolSize: 2 });
    const foreign: string[] = [];
    const empty: number[] = [];
    let unscopedRows = 0;
    try {
      // Eight callers share the two connections, so consecutive transactions on one connection
      // keep switching tenant (more callers would only queue past the pool's connect timeout).
      let next = 0;
      const runOne = async (i: number) => {
        const org = i % 2 === 0 ? a : b;
        const fail = i % 17 === 0;
        try {
          await withTenant(database.db, { organizationId: org.id }, async (trx) => {
            const members = await sql<{ organization_id: string }>`SELECT organization_id FROM memberships`.execute(trx);
            const orgs = await sql<{ id: string }>`SELECT id FROM organizations`.execute(trx);
            if (members.rows.length === 0 || orgs.rows.length === 0) empty.push(i);
            for (const r of members.rows) if (r.organization_id !== org.id) foreign.push(`${i}: membership of ${r.organization_id}`);
            for (const r of orgs.rows) if (r.id !== org.id) foreign.push(`${i}: organization ${r.id}`);
            if (fail) throw new Error('rolled back on purpose');
          });
        } catch (err) {
          if (!fail) throw err;
        }
        // Between transactions the connection carries no tenant.
        if (i % 50 === 25) unscopedRows += (await sql`SELECT 1 FROM memberships`.execute(database.db)).rows.length;
      };
      await Promise.all(Array.from({ length: 8 }, async () => {
        while (next < 2_000) await runOne(next++);
      }));
      expect(next).toBe(2_000);
    } finally {
      await database.close();
    }
    expect(foreign).toEqual([]);
    expect(empty).toEqual([]);
    expect(unscopedRows).toBe(0);
  }, 120_000);
});
