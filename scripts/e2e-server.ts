/**
 * Starts the portal for the browser tests. Without DATABASE_URL it uses a fresh embedded database
 * in DATA_DIR; with it, a fresh database on that server, migrated as owner, with the portal
 * connected as a non-owner login of `bigportal_app` — the production arrangement.
 */
import fs from 'node:fs';
import pg from 'pg';
import { migrate } from '../src/server/db/migrate.js';
import { ensureAppLogin, withDatabase } from '../src/server/db/provision.js';
import { jobDefinitions } from '../src/server/jobs/registry.js';

// A second server of the browser tests (DocuSign) names its own database.
const E2E_DB = process.env.E2E_DB_NAME ?? 'bigportal_e2e';
if (!/^[a-z_][a-z0-9_]*$/.test(E2E_DB)) throw new Error('E2E_DB_NAME: lower-case letters, digits and _ only');
const E2E_LOGIN = 'bigportal_app_e2e';

if (process.env.DATA_DIR) fs.rmSync(process.env.DATA_DIR, { recursive: true, force: true });

const serverUrl = process.env.DATABASE_URL;
if (serverUrl) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${E2E_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${E2E_DB}`);
  const ownerUrl = withDatabase(serverUrl, E2E_DB);
  const owner = new pg.Pool({ connectionString: ownerUrl, max: 1 });
  await migrate(owner, jobDefinitions);
  await owner.end();
  const appUrl = await ensureAppLogin(admin, { ownerUrl, database: E2E_DB, login: E2E_LOGIN, password: 'e2e-only' });
  await admin.end();
  process.env.MIGRATION_DATABASE_URL = ownerUrl;
  process.env.DATABASE_URL = appUrl;
}

await import('../src/server/main.js');
