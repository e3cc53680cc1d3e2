import PgBoss from 'pg-boss';
import { CompiledQuery, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { DB } from '../db/schema.js';
import type { Tx } from '../db/tenant.js';
import type { Services } from '../services.js';

/**
 * Durable jobs on pg-boss, the same on both engines. A job is a name, a payload schema and a
 * handler; enqueueing takes the caller's transaction so a job exists only if the change that
 * asked for it was committed.
 */
export const DEAD_LETTER_QUEUE = 'dead-letter';
export const PGBOSS_SCHEMA = 'pgboss';

export interface JobDeps {
  db: Kysely<DB>;
  log: Logger;
  /** Everything else a handler may need (mailer, channels, cipher); attached once services are built. */
  services?: Services;
}

/** Which attempt this is: handlers record retries and mark the last failure as final. */
export interface JobAttempt {
  id: string;
  retryCount: number;
  retryLimit: number;
}

export interface JobDefinition<P = unknown> {
  name: string;
  payload: z.ZodType<P>;
  /** Attempts after the first one; with exponential backoff starting at retryDelaySeconds. */
  retryLimit?: number;
  retryDelaySeconds?: number;
  expireInSeconds?: number;
  /** Cron expression (UTC) for recurring jobs. */
  cron?: string;
  handler(payload: P, deps: JobDeps, attempt: JobAttempt): Promise<void>;
}

export function defineJob<P>(definition: JobDefinition<P>): JobDefinition<P> {
  return definition;
}

/** pg-boss talks to the database through our own pool (one connection on the embedded engine). */
export function poolAdapter(pool: pg.Pool): PgBoss.Db {
  return { executeSql: (text, values) => pool.query(text, values) };
}

function transactionAdapter(trx: Tx): PgBoss.Db {
  return { executeSql: async (text, values) => ({ rows: (await trx.executeQuery(CompiledQuery.raw(text, values))).rows as unknown[] }) };
}

export function queueOptions(def: JobDefinition<never> | JobDefinition): PgBoss.Queue {
  return {
    name: def.name,
    retryLimit: def.retryLimit ?? 5,
    retryDelay: def.retryDelaySeconds ?? 10,
    retryBackoff: true,
    expireInSeconds: def.expireInSeconds ?? 15 * 60,
    deadLetter: DEAD_LETTER_QUEUE,
  };
}

/** Creates pg-boss's schema and every queue; run by the migrator as the schema owner. */
export async function installQueues(pool: pg.Pool, definitions: readonly JobDefinition<never>[]) {
  const boss = new PgBoss({ db: poolAdapter(pool), schema: PGBOSS_SCHEMA, supervise: false, schedule: false, migrate: true });
  boss.on('error', () => undefined);
  await boss.start();
  const existing = new Set((await boss.getQueues()).map((q) => q.name));
  if (!existing.has(DEAD_LETTER_QUEUE)) await boss.createQueue(DEAD_LETTER_QUEUE, { name: DEAD_LETTER_QUEUE, retentionDays: 30 });
  for (const def of definitions) {
    if (existing.has(def.name)) await boss.updateQueue(def.name, queueOptions(def));
    else await boss.createQueue(def.name, queueOptions(def));
  }
  await boss.stop({ graceful: false, close: false });
}

export class JobQueue {
  private readonly byName = new Map<string, JobDefinition<never>>();
  private started = false;

  constructor(
    readonly boss: PgBoss,
    definitions: readonly JobDefinition<never>[],
    private readonly deps: JobDeps,
  ) {
    for (const def of definitions) this.byName.set(def.name, def);
  }

  static create(pool: pg.Pool, definitions: readonly JobDefinition<never>[], deps: JobDeps, options: { schedule: boolean; pollSeconds: number }) {
    const boss = new PgBoss({
      db: poolAdapter(pool),
      schema: PGBOSS_SCHEMA,
      migrate: false,
      supervise: options.schedule,
      schedule: options.schedule,
    });
    boss.on('error', (err) => deps.log.error({ err }, 'job queue error'));
    return new JobQueue(boss, definitions, deps);
  }

  /** Adds a job inside `trx`: it becomes visible to workers only when the transaction commits. */
  async enqueue<P>(trx: Tx, def: JobDefinition<P>, payload: P, options: PgBoss.SendOptions = {}): Promise<string | null> {
    const data = def.payload.parse(payload) as object;
    return this.boss.send(def.name, data, { ...queueOptions(def as JobDefinition<never>), ...options, db: transactionAdapter(trx) });
  }

  /** Gives handlers the services, which are built after the queue. */
  attach(services: Services) {
    this.deps.services = services;
  }

  async start() {
    if (this.started) return;
    await this.boss.start();
    this.started = true;
  }

  /** Starts handlers for every job and registers cron schedules. */
  async work(pollSeconds: number) {
    await this.start();
    for (const def of this.byName.values()) {
      await this.boss.work<unknown>(def.name, { pollingIntervalSeconds: pollSeconds, batchSize: 1, includeMetadata: true }, async ([job]) => {
        if (!job) return;
        const payload = def.payload.safeParse(job.data);
        if (!payload.success) throw new Error(`invalid payload for ${def.name}: ${payload.error.message}`);
        await def.handler(payload.data as never, this.deps, { id: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit });
      });
      if (def.cron) await this.boss.schedule(def.name, def.cron, {}, { tz: 'UTC' });
      else await this.boss.unschedule(def.name).catch(() => undefined);
    }
  }

  /**
   * Runs, in this process, every job of the given queues that is due now, until none is left;
   * for tests and one-off scripts that cannot wait for polling. Failures count as attempts.
   */
  async drain(names: readonly string[] = [...this.byName.keys()]): Promise<number> {
    await this.start();
    let ran = 0;
    for (let round = 0; round < 20; round++) {
      let found = 0;
      for (const name of names) {
        const def = this.byName.get(name);
        if (!def) throw new Error(`unknown job ${name}`);
        for (const job of await this.boss.fetch<unknown>(name, { batchSize: 50, includeMetadata: true })) {
          found++;
          try {
            const payload = def.payload.parse(job.data);
            await def.handler(payload as never, this.deps, { id: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit });
            await this.boss.complete(name, job.id);
          } catch (err) {
            await this.boss.fail(name, job.id, { message: (err as Error).message });
          }
        }
      }
      ran += found;
      if (found === 0) break;
    }
    return ran;
  }

  async stop() {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, close: false, timeout: 5_000 });
  }
}
