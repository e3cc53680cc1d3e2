import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase } from '../../src/server/db/database.js';
import { onServer, type TestApp } from '../helpers/app.js';

/** A connection pool with the schema owner's rights (bypasses row-level security). */
export interface OwnerPool {
  pool: pg.Pool;
  end(): Promise<void>;
}

/**
 * The owner: on the embedded engine the app's own pool (its user is a superuser, and it is the
 * only connection there is); on a server a separate pool on the owner URL.
 */
export function ownerPool(t: TestApp): OwnerPool {
  if (!onServer) return { pool: t.services.database.pool, end: async () => undefined };
  const pool = new pg.Pool({ connectionString: inject('ownerUrl'), max: 2 });
  pool.on('error', () => undefined);
  return { pool, end: () => pool.end() };
}

/** An empty database nobody else uses: in memory on the embedded engine, a throwaway one on a server. */
export async function throwawayDatabase(): Promise<OwnerPool> {
  if (!onServer) {
    const database = await openDatabase({ dataDir: 'memory://' });
    return { pool: database.pool, end: () => database.close() };
  }
  const name = `bigportal_scratch_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('ownerUrl') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(inject('ownerUrl'));
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  pool.on('error', () => undefined);
  return {
    pool,
    end: async () => {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** The SQLSTATE a promise rejects with (fails the test if it resolves). */
export async function sqlState(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    throw err;
  }
  throw new Error('expected the statement to fail, but it succeeded');
}

/** Polls `probe` until it returns a value other than undefined, or fails after `ms`. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, ms: number, what: string, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
