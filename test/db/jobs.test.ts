import { randomUUID } from 'node:crypto';
import pino from 'pino';
import pg from 'pg';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import { DEAD_LETTER_QUEUE, defineJob, installQueues, JobQueue, PGBOSS_SCHEMA, type JobDefinition } from '../../src/server/jobs/queue.js';
import { jobDefinitions, purgeIdempotencyKeysJob, verifyAuditChainsJob } from '../../src/server/jobs/registry.js';
import { createOrganization, onServer, startTestApp, type TestApp, type TestOrganization } from '../helpers/app.js';
import { ownerPool, waitFor, type OwnerPool } from './support.js';

/** A handler's first try, for calling handlers directly. */
const firstAttempt = { id: 'direct', retryCount: 0, retryLimit: 0 };
const marker = z.object({ marker: z.string() });

/** Handler calls seen by this process: marker → times. */
const runs: { marker: string; at: number; job: string }[] = [];

const succeeds = defineJob({
  name: 'test.succeeds',
  payload: marker,
  retryLimit: 2,
  retryDelaySeconds: 1,
  async handler(payload) {
    runs.push({ marker: payload.marker, at: Date.now(), job: 'test.succeeds' });
  },
});

const alwaysFails = defineJob({
  name: 'test.always-fails',
  payload: marker,
  retryLimit: 2,
  retryDelaySeconds: 1,
  async handler(payload) {
    runs.push({ marker: payload.marker, at: Date.now(), job: 'test.always-fails' });
    throw new Error('this job always fails');
  },
});

const testJobs = [succeeds, alwaysFails] as unknown as JobDefinition<never>[];

interface JobRow {
  id: string;
  name: string;
  state: string;
  retry_count: number;
  data: { marker?: string };
}

let t: TestApp;
let owner: OwnerPool;
let org: TestOrganization;
let queue: JobQueue;

beforeAll(async () => {
  t = await startTestApp();
  owner = ownerPool(t);
  // Test-only queues are installed the way the migrator installs real ones: as the schema owner.
  await installQueues(owner.pool, testJobs);
  queue = JobQueue.create(t.services.database.pool, testJobs, { db: t.services.database.db, log: pino({ level: 'silent' }) }, { schedule: false, pollSeconds: 0.5 });
  org = await createOrganization(t.services, 'Jobs');
});
afterAll(async () => {
  await queue?.stop();
  await owner?.end();
  await t?.close();
});

async function jobById(id: string): Promise<JobRow | undefined> {
  const res = await t.services.database.pool.query<JobRow>(`SELECT id, name, state, retry_count, data FROM ${PGBOSS_SCHEMA}.job WHERE id = $1`, [id]);
  return res.rows[0];
}

async function jobsByMarker(name: string, value: string): Promise<JobRow[]> {
  const res = await t.services.database.pool.query<JobRow>(
    `SELECT id, name, state, retry_count, data FROM ${PGBOSS_SCHEMA}.job WHERE name = $1 AND data->>'marker' = $2`, [name, value]);
  return res.rows;
}

describe('enqueueing is part of the caller\u2019s transaction', () => {
  it('a committed transaction leaves its job in the queue', async () => {
    const value = randomUUID();
    const id = await withTenant(t.services.database.db, { organizationId: org.id }, async (trx) => {
      await trx.updateTable('organizations').set({ name: 'Jobs committed' }).where('id', '=', org.id).execute();
      return queue.enqueue(trx, succeeds, { marker: value });
    });
    expect(id).toBeTruthy();
    const job = await jobById(id!);
    expect(job).toMatchObject({ name: 'test.succeeds', state: 'created', retry_count: 0, data: { marker: value } });
  });

  it('a rolled-back transaction leaves no job behind', async () => {
    const value = randomUUID();
    let id: string | null = null;
    await expect(withTenant(t.services.database.db, { organizationId: org.id }, async (trx) => {
      id = await queue.enqueue(trx, succeeds, { marker: value });
      throw new Error('the change failed after enqueueing');
    })).rejects.toThrow('the change failed after enqueueing');
    expect(id).toBeTruthy();
    expect(await jobById(id!)).toBeUndefined();
    expect(await jobsByMarker('test.succeeds', value)).toEqual([]);
  });

  it('a payload that does not match the job\u2019s schema is refused before anything is queued', async () => {
    await expect(withTenant(t.services.database.db, { organizationId: org.id }, (trx) =>
      queue.enqueue(trx, succeeds, { marker: 42 } as unknown as { marker: string }))).rejects.toThrow();
  });

  it.runIf(onServer)('workers cannot see a job until its transaction commits', async () => {
    const value = randomUUID();
    const outside = new pg.Client({ connectionString: inject('ownerUrl') });
    await outside.connect();
    try {
      await withTenant(t.services.database.db, { organizationId: org.id }, async (trx) => {
        await queue.enqueue(trx, succeeds, { marker: value });
        const seen = await outside.query(`SELECT 1 FROM ${PGBOSS_SCHEMA}.job WHERE data->>'marker' = $1`, [value]);
        expect(seen.rowCount).toBe(0);
      });
      expect((await outside.query(`SELECT 1 FROM ${PGBOSS_SCHEMA}.job WHERE data->>'marker' = $1`, [value])).rowCount).toBe(1);
    } finally {
      await outside.end();
    }
  });
});

describe('working jobs', () => {
  beforeAll(async () => {
    await queue.work(0.5);
  });

  it('a succeeding job runs exactly once and completes', async () => {
    const value = randomUUID();
    const id = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) => queue.enqueue(trx, succeeds, { marker: value }));
    const done = await waitFor(async () => {
      const job = await jobById(id!);
      return job?.state === 'completed' ? job : undefined;
    }, 20_000, 'the job to complete');
    expect(done.retry_count).toBe(0);
    expect(runs.filter((r) => r.marker === value)).toHaveLength(1);
    expect(await jobsByMarker(DEAD_LETTER_QUEUE, value)).toEqual([]);
  });

  it('a failing job is retried with growing delays, then fails and lands in the dead-letter queue', async () => {
    const value = randomUUID();
    const id = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) => queue.enqueue(trx, alwaysFails, { marker: value }));
    const failed = await waitFor(async () => {
      const job = await jobById(id!);
      return job?.state === 'failed' ? job : undefined;
    }, 40_000, 'the job to fail for good', 200);
    expect(failed.retry_count).toBe(2);

    const attempts = runs.filter((r) => r.marker === value);
    expect(attempts).toHaveLength(3); // the first try and retryLimit = 2 retries
    // Exponential backoff from retryDelaySeconds = 1: the first retry waits ≥ 1 s, the second ≥ 2 s.
    const [first, second, third] = attempts.map((r) => r.at) as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(900);
    expect(third - second).toBeGreaterThanOrEqual(1_900);

    const dead = await waitFor(async () => {
      const rows = await jobsByMarker(DEAD_LETTER_QUEUE, value);
      return rows.length ? rows : undefined;
    }, 5_000, 'the dead-letter copy');
    expect(dead).toHaveLength(1);
    expect(dead[0]!.data).toEqual({ marker: value });
  }, 60_000);
});

describe('recurring jobs', () => {
  it('starting the workers registers every cron job from the registry in UTC', async () => {
    await t.services.jobs.work(0.5);
    const res = await t.services.database.pool.query<{ name: string; cron: string; timezone: string }>(
      `SELECT name, cron, timezone FROM ${PGBOSS_SCHEMA}.schedule ORDER BY name`);
    const expected = jobDefinitions.filter((d) => d.cron).map((d) => ({ name: d.name, cron: d.cron, timezone: 'UTC' }));
    expect(expected.map((e) => e.name)).toEqual(expect.arrayContaining(['audit.verify-chains', 'idempotency.purge-expired']));
    expect(res.rows).toEqual(expect.arrayContaining(expected));
    // Only jobs with a cron expression are scheduled.
    const scheduledNames = new Set(res.rows.map((r) => r.name));
    for (const def of [...jobDefinitions, ...testJobs].filter((d) => !d.cron)) expect(scheduledNames.has(def.name)).toBe(false);
  });
});

describe('the registry\u2019s jobs do their work as the application role', () => {
  it('idempotency.purge-expired removes expired keys in every organization and keeps live ones', async () => {
    const [a, b] = [await createOrganization(t.services, 'Purge A'), await createOrganization(t.services, 'Purge B')];
    for (const o of [a, b]) {
      await withTenant(t.services.database.db, { organizationId: o.id }, (trx) => trx.insertInto('idempotency_keys').values(['expired', 'live'].map((key) => ({
        organization_id: o.id, actor_id: o.users.admin.id, key, method: 'POST', path: '/api/v1/invitations', request_hash: 'c'.repeat(64),
        response_status: 201, response_body: '{}', expires_at: key === 'expired' ? new Date(Date.now() - 1_000) : new Date(Date.now() + 3_600_000),
      }))).execute());
    }
    await purgeIdempotencyKeysJob.handler({}, { db: t.services.database.db, log: pino({ level: 'silent' }) }, firstAttempt);
    for (const o of [a, b]) {
      const keys = await withTenant(t.services.database.db, { organizationId: o.id }, (trx) => trx.selectFrom('idempotency_keys').select('key').where('organization_id', '=', o.id).execute());
      expect(keys.map((k) => k.key)).toEqual(['live']);
    }
  });

  it('audit.verify-chains logs an error naming a tampered organization, and none for an intact one', async () => {
    const [intact, tampered] = [await createOrganization(t.services, 'Chain intact'), await createOrganization(t.services, 'Chain tampered')];
    for (const o of [intact, tampered]) {
      for (const name of ['One', 'Two', 'Three']) {
        const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: o.users.admin.auth, payload: { name } });
        expect(res.statusCode).toBe(200);
      }
    }
    await owner.pool.query(`UPDATE audit_logs SET after = '{"name":"Other"}' WHERE organization_id = $1 AND seq = 2`, [tampered.id]);
    const lines: { organizationId?: string; msg?: string; problems?: { problem: string }[] }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    await verifyAuditChainsJob.handler({}, { db: t.services.database.db, log }, firstAttempt);
    const broken = lines.filter((l) => l.msg === 'audit chain broken');
    expect(broken.some((l) => l.organizationId === tampered.id && l.problems?.some((p) => p.problem === 'hash_mismatch'))).toBe(true);
    expect(broken.some((l) => l.organizationId === intact.id)).toBe(false);
  });
});
