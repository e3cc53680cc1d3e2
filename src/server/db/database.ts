import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { DB } from './schema.js';

export type Engine = 'pglite' | 'postgres';

/** One handle on the database, whichever engine sits behind it. */
export interface Database {
  engine: Engine;
  pool: pg.Pool;
  db: Kysely<DB>;
  close(): Promise<void>;
}

// int8 (counts, sizes, sequence numbers) arrives as a string from both engines; ours stay far
// below 2^53, so read them as numbers. numeric stays a string so money is never a float.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface OpenOptions {
  /** A postgres:// URL; without it the embedded engine stores its files in `dataDir`. */
  url?: string;
  dataDir?: string;
  poolSize?: number;
  applicationName?: string;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'big-live-portal',
      // A request must not hang forever on a stuck database; fail and answer 503.
      connectionTimeoutMillis: 5_000,
      statement_timeout: 30_000,
    });
    // An idle client losing its connection (server restart) must not crash the process.
    pool.on('error', () => undefined);
    return wrap('postgres', pool, async () => undefined);
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
  const { pgcrypto } = await import('@electric-sql/pglite/contrib/pgcrypto');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const dataDir = options.dataDir ?? path.resolve('data');
  let dir: string | undefined;
  if (dataDir !== 'memory://') {
    dir = path.join(dataDir, 'pglite');
    fs.mkdirSync(dataDir, { recursive: true });
  }
  const lite = await PGlite.create(dir, { extensions: { pgcrypto, pg_trgm } });
  // PGlite is a single connection with shared session state: one pool client, and only
  // transaction-local settings anywhere in the code.
  const pool = new pg.Pool({ ...createPgConfig(lite), max: 1 });
  return wrap('pglite', pool, () => lite.close());
}

/** Kysely owns the pool and ends it; `afterPool` releases what sits behind the pool. */
function wrap(engine: Engine, pool: pg.Pool, afterPool: () => Promise<void>): Database {
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    engine,
    pool,
    db,
    close: async () => {
      await db.destroy();
      await afterPool();
    },
  };
}
