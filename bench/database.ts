import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { migrate, MIGRATIONS_DIR } from '../src/server/db/migrate.js';
import { ensureAppLogin, withDatabase } from '../src/server/db/provision.js';
import { jobDefinitions } from '../src/server/jobs/registry.js';
import { generate, generatorSignature } from './generate.js';

/** The LOGIN role the app under test connects as, a member of `bigportal_app` like production's. */
export const BENCH_APP_LOGIN = 'bigportal_bench_app';
const BENCH_APP_PASSWORD = 'bigportal-bench-only';

export interface BenchDatabase {
  ownerUrl: string;
  appUrl: string;
  /** True when this run generated the data (false: an identical seed was reused). */
  generated: boolean;
  seed: SeedFingerprint;
  generation?: Awaited<ReturnType<typeof generate>>;
}

export interface SeedFingerprint {
  scale: number;
  generator: string;
  /** sha256 over the migration files, so a schema change regenerates the data. */
  migrations: string;
}

function migrationsDigest(): string {
  const hash = createHash('sha256');
  for (const file of fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort()) {
    hash.update(file).update('\0').update(fs.readFileSync(path.join(MIGRATIONS_DIR, file))).update('\0');
  }
  return hash.digest('hex');
}

/**
 * Makes sure `options.database` exists on the server, is migrated and holds the generator's data
 * for this scale. The fingerprint of the seed (scale, generator versions, migrations) is kept as
 * the database's comment; when it differs the database is dropped and rebuilt.
 */
export async function prepareDatabase(options: { serverUrl: string; database: string; scale: number; reseed: boolean }, log: (m: string) => void): Promise<BenchDatabase> {
  const admin = new pg.Client({ connectionString: options.serverUrl, application_name: 'bigportal-bench-admin' });
  await admin.connect();
  const ownerUrl = withDatabase(options.serverUrl, options.database);
  const fingerprint: SeedFingerprint = { scale: options.scale, generator: generatorSignature(), migrations: migrationsDigest() };
  let generated = false;
  let generation: BenchDatabase['generation'];
  let appUrl: string;
  try {
    const me = await admin.query<{ rolsuper: boolean; current_user: string }>(`SELECT rolsuper, current_user FROM pg_roles WHERE rolname = current_user`);
    if (!me.rows[0]?.rolsuper) {
      throw new Error(`The benchmark needs a superuser connection (it creates a database and a role and seeds past row-level security); ${me.rows[0]?.current_user ?? 'this user'} is not one. Set BENCH_DATABASE_URL.`);
    }
    const existing = await admin.query<{ comment: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`, [options.database]);
    const found = existing.rows[0];
    let current: SeedFingerprint | null = null;
    try {
      current = found?.comment ? (JSON.parse(found.comment) as SeedFingerprint) : null;
    } catch {
      current = null;
    }
    const matches = current !== null && current.scale === fingerprint.scale && current.generator === fingerprint.generator && current.migrations === fingerprint.migrations;
    if (found && matches && !options.reseed) {
      log(`Reusing database ${options.database} (scale ${options.scale}); pass --reseed to regenerate it.`);
    } else {
      if (found) {
        const why = options.reseed ? '--reseed' : !current ? 'no complete seed recorded' : current.scale !== fingerprint.scale ? `scale ${current.scale} → ${fingerprint.scale}` : 'generator or migrations changed';
        log(`Dropping database ${options.database} (${why}).`);
        await admin.query(`DROP DATABASE IF EXISTS ${options.database} WITH (FORCE)`);
      }
      await admin.query(`CREATE DATABASE ${options.database}`);
      generated = true;
    }

    // Migrations run as the owner exactly as in production (a no-op when nothing is new).
    const owner = new pg.Pool({ connectionString: ownerUrl, max: 2, application_name: 'bigportal-bench-seed' });
    try {
      await migrate(owner, jobDefinitions);
      if (generated) {
        log(`Generating data at scale ${options.scale}:`);
        const started = performance.now();
        generation = await generate(owner, options.scale, log);
        log(`  total ${((performance.now() - started) / 1000).toFixed(1)} s`);
        await admin.query(`COMMENT ON DATABASE ${options.database} IS ${pg.escapeLiteral(JSON.stringify(fingerprint))}`);
      }
    } finally {
      await owner.end();
    }

    appUrl = await ensureAppLogin(admin, { ownerUrl, database: options.database, login: BENCH_APP_LOGIN, password: BENCH_APP_PASSWORD });
  } finally {
    await admin.end();
  }
  return { ownerUrl, appUrl, generated, seed: fingerprint, ...(generation ? { generation } : {}) };
}
