import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/server/db/schema.js';
import { MIGRATIONS_DIR, migrate } from '../../src/server/db/migrate.js';
import { withTenant } from '../../src/server/db/tenant.js';
import { jobDefinitions } from '../../src/server/jobs/registry.js';
import { createOrganization, startTestApp, type TestApp } from '../helpers/app.js';
import { sqlState, throwawayDatabase } from './support.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

function copyMigrations(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bigportal-migrations-'));
  for (const f of fs.readdirSync(MIGRATIONS_DIR)) fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
  return dir;
}

describe('migrator', () => {
  it('applies every migration once; running it again changes nothing', async () => {
    const scratch = await throwawayDatabase();
    try {
      const first = await migrate(scratch.pool, jobDefinitions);
      const shipped = fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort();
      expect(first.applied).toEqual(shipped);
      const recorded = await scratch.pool.query<{ name: string; applied_at: Date }>('SELECT name, applied_at FROM schema_migrations ORDER BY name');
      const queues = await scratch.pool.query<{ name: string }>('SELECT name FROM pgboss.queue ORDER BY name');

      const second = await migrate(scratch.pool, jobDefinitions);
      expect(second.applied).toEqual([]);
      expect((await scratch.pool.query('SELECT name, applied_at FROM schema_migrations ORDER BY name')).rows).toEqual(recorded.rows);
      expect((await scratch.pool.query('SELECT name FROM pgboss.queue ORDER BY name')).rows).toEqual(queues.rows);
      expect(queues.rows.map((r) => r.name)).toEqual(expect.arrayContaining(jobDefinitions.map((d) => d.name)));
    } finally {
      await scratch.end();
    }
  }, 90_000);

  it('a failing migration leaves nothing half-applied; new files apply alone; an edited applied file stops the run', async () => {
    const dir = copyMigrations();
    const scratch = await throwawayDatabase();
    try {
      await migrate(scratch.pool, jobDefinitions, dir);

      fs.writeFileSync(path.join(dir, '9998_broken.sql'), 'CREATE TABLE half_done (id int);\nSELECT no_such_function();\n');
      await expect(migrate(scratch.pool, jobDefinitions, dir)).rejects.toThrow('migration 9998_broken.sql failed');
      expect((await scratch.pool.query(`SELECT to_regclass('public.half_done') AS t`)).rows[0].t).toBeNull();
      expect((await scratch.pool.query(`SELECT 1 FROM schema_migrations WHERE name = '9998_broken.sql'`)).rowCount).toBe(0);
      fs.rmSync(path.join(dir, '9998_broken.sql'));

      fs.writeFileSync(path.join(dir, '9999_added_later.sql'), 'CREATE TABLE added_later (id int PRIMARY KEY);\n');
      expect((await migrate(scratch.pool, jobDefinitions, dir)).applied).toEqual(['9999_added_later.sql']);

      const shipped = fs.readdirSync(dir).filter((f) => f.endsWith('.sql') && f !== '9999_added_later.sql').sort();
      const first = shipped[0]!;
      fs.appendFileSync(path.join(dir, first), '\n-- a harmless-looking edit\n');
      await expect(migrate(scratch.pool, jobDefinitions, dir)).rejects.toThrow(`migration ${first} was changed after it was applied`);
      const stored = await scratch.pool.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
      expect(stored.rows.map((r) => r.name)).toEqual([...shipped, '9999_added_later.sql']);
    } finally {
      await scratch.end();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('updated_at triggers', () => {
  it('every UPDATE stamps updated_at with the time of the change, whatever the statement says', async () => {
    const org = await createOrganization(t.services);
    const { db } = t.services.database;
    const scope = { organizationId: org.id, userId: org.users.admin.id };
    const before = await withTenant(db, scope, async (trx) => ({
      org: (await sql<{ updated_at: Date }>`SELECT updated_at FROM organizations WHERE id = ${org.id}`.execute(trx)).rows[0]!.updated_at,
      user: (await sql<{ updated_at: Date }>`SELECT updated_at FROM users WHERE id = ${org.users.admin.id}`.execute(trx)).rows[0]!.updated_at,
      member: (await sql<{ updated_at: Date }>`SELECT updated_at FROM memberships WHERE id = ${org.users.admin.membershipId}`.execute(trx)).rows[0]!.updated_at,
    }));

    const after = await withTenant(db, scope, async (trx) => {
      const now = (await sql<{ now: Date }>`SELECT now() AS now`.execute(trx)).rows[0]!.now;
      // Even an explicit attempt to back-date is overridden by the trigger.
      const o = await sql<{ updated_at: Date }>`UPDATE organizations SET name = 'Renamed', updated_at = '2000-01-01' WHERE id = ${org.id} RETURNING updated_at`.execute(trx);
      const u = await sql<{ updated_at: Date }>`UPDATE users SET first_name = 'Renamed' WHERE id = ${org.users.admin.id} RETURNING updated_at`.execute(trx);
      const m = await sql<{ updated_at: Date }>`UPDATE memberships SET department = 'Stage' WHERE id = ${org.users.admin.membershipId} RETURNING updated_at`.execute(trx);
      return { now, org: o.rows[0]!.updated_at, user: u.rows[0]!.updated_at, member: m.rows[0]!.updated_at };
    });

    for (const key of ['org', 'user', 'member'] as const) {
      expect(after[key].getTime(), key).toBe(after.now.getTime());
      expect(after[key].getTime(), key).toBeGreaterThan(before[key].getTime());
    }
  });
});

describe('CHECK constraints reject bad data (SQLSTATE 23514)', () => {
  function violation(organizationId: string, run: Parameters<typeof withTenant>[2]) {
    return sqlState(withTenant(t.services.database.db, { organizationId }, run));
  }

  it('organization slug must be lower-case letters, digits and hyphens', async () => {
    for (const slug of ['Bad Slug!', 'ab', '-leading', 'trailing-', 'UPPER']) {
      const id = randomUUID();
      expect(await violation(id, (trx) => trx.insertInto('organizations').values({ id, name: 'Slug test', slug }).execute()), slug).toBe('23514');
    }
    const id = randomUUID();
    await withTenant(t.services.database.db, { organizationId: id }, (trx) => trx.insertInto('organizations').values({ id, name: 'Slug test', slug: `ok-${id.slice(0, 8)}` }).execute());
  });

  it('user e-mail must look like an e-mail address', async () => {
    const org = await createOrganization(t.services);
    for (const email of ['not-an-email', 'a@b', 'two@@example.com', 'spaces in@example.com']) {
      expect(await violation(org.id, (trx) => trx.insertInto('users').values({ email, first_name: 'X', last_name: 'Y' }).execute()), email).toBe('23514');
    }
  });

  it('a membership cannot end before it starts', async () => {
    const org = await createOrganization(t.services);
    expect(await violation(org.id, (trx) => trx.updateTable('memberships').set({ start_date: '2025-06-01', end_date: '2025-05-31' })
      .where('id', '=', org.users.artist.membershipId).execute())).toBe('23514');
    await withTenant(t.services.database.db, { organizationId: org.id }, (trx) => trx.updateTable('memberships')
      .set({ start_date: '2025-06-01', end_date: '2025-06-01' }).where('id', '=', org.users.artist.membershipId).execute());
  });

  it('membership and invitation roles must be known roles', async () => {
    const org = await createOrganization(t.services);
    expect(await violation(org.id, (trx) => trx.updateTable('memberships').set({ role: 'overlord' as Role })
      .where('id', '=', org.users.artist.membershipId).execute())).toBe('23514');
    expect(await violation(org.id, (trx) => trx.insertInto('invitations').values({
      organization_id: org.id, email: 'new@example.com', role: 'overlord' as Role, token_hash: 'a'.repeat(64),
      expires_at: new Date(Date.now() + 86_400_000),
    }).execute())).toBe('23514');
    const role = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) =>
      trx.selectFrom('memberships').select('role').where('id', '=', org.users.artist.membershipId).executeTakeFirstOrThrow());
    expect(role.role).toBe('artist');
  });
});
