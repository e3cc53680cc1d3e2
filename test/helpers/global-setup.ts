import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/server/db/migrate.js';
import { ensureAppLogin, withDatabase } from '../../src/server/db/provision.js';
import { jobDefinitions } from '../../src/server/jobs/registry.js';

export const TEST_APP_LOGIN = 'bigportal_app_test';
const TEST_APP_PASSWORD = 'bigportal-test-only';

/** On a real server: a fresh database per run, migrated as owner, plus a login for the app role. */
export default async function setup(project: TestProject) {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return;
  const name = `bigportal_test_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const ownerUrl = withDatabase(serverUrl, name);
  const owner = new pg.Pool({ connectionString: ownerUrl, max: 1 });
  await migrate(owner, jobDefinitions);
  await owner.end();
  const appUrl = await ensureAppLogin(admin, { ownerUrl, database: name, login: TEST_APP_LOGIN, password: TEST_APP_PASSWORD });
  project.provide('ownerUrl', ownerUrl);
  project.provide('appUrl', appUrl);
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    ownerUrl: string;
    appUrl: string;
  }
}
