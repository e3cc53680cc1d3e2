import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { closeServices, createServices } from '../../src/server/bootstrap.js';
import { loadConfig } from '../../src/server/config.js';
import { openDatabase, type Database } from '../../src/server/db/database.js';
import { migrate } from '../../src/server/db/migrate.js';
import type { Role } from '../../src/server/db/schema.js';
import { withTenant } from '../../src/server/db/tenant.js';
import { jobDefinitions } from '../../src/server/jobs/registry.js';
import type { Services } from '../../src/server/services.js';

/**
 * One PII key ring for every app a test run starts: on a server all test files share one
 * database, as production instances share their keys.
 */
export const TEST_PII_KEYS = `test:${Buffer.alloc(32, 0x5a).toString('base64')}`;

/** True when the suite runs against a real PostgreSQL server (DATABASE_URL set). */
export const onServer = Boolean(process.env.DATABASE_URL);

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  close(): Promise<void>;
}

/**
 * The whole app built in-process, exercised with `inject`. On the embedded engine each test file
 * gets its own in-memory database; on a server every file shares the run's database, and tests
 * stay apart by creating their own organizations.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bigportal-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://portal.test',
    RATE_LIMIT_MAX: '100000',
    PII_ENCRYPTION_KEYS: TEST_PII_KEYS,
    ...(onServer ? { DATABASE_URL: inject('appUrl') } : {}),
    ...env,
  });
  let database: Database;
  if (onServer) {
    database = await openDatabase({ url: config.DATABASE_URL, poolSize: 4 });
  } else {
    database = await openDatabase({ dataDir: 'memory://' });
    await migrate(database.pool, jobDefinitions);
  }
  const services = await createServices(config, { database });
  const app = await buildApp(services, { logger: false });
  await app.ready();
  return {
    app,
    services,
    close: async () => {
      await app.close();
      await closeServices(services);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestUser {
  id: string;
  email: string;
  role: Role;
  membershipId: string;
  token: string;
  /** Authorization header for inject(). */
  auth: { authorization: string };
}

export interface TestOrganization {
  id: string;
  slug: string;
  name: string;
  users: Record<Role, TestUser>;
}

const allRoles: Role[] = ['admin', 'artist', 'accountant', 'production_manager', 'finance_director', 'system_admin'];

/** A fresh organization with one user per role and their access tokens (outline's factory pattern). */
export async function createOrganization(services: Services, name = 'Test Theatre'): Promise<TestOrganization> {
  const id = randomUUID();
  const slug = `org-${id.slice(0, 8)}`;
  const sentinel = id.slice(0, 8);
  const users = {} as Record<Role, TestUser>;
  await withTenant(services.database.db, { organizationId: id }, async (trx) => {
    await trx.insertInto('organizations').values({ id, name: `${name} ${sentinel}`, slug }).execute();
  });
  for (const role of allRoles) {
    users[role] = await addUser(services, id, role, `${role.replace('_', '-')}-${sentinel}@example.com`);
  }
  return { id, slug, name: `${name} ${sentinel}`, users };
}

export async function addUser(services: Services, organizationId: string, role: Role, email: string): Promise<TestUser> {
  const userId = randomUUID();
  const membershipId = randomUUID();
  await withTenant(services.database.db, { organizationId, userId }, async (trx) => {
    await trx.insertInto('users').values({ id: userId, email, first_name: role, last_name: `User ${email.split('@')[0]}`, email_verified_at: new Date() }).execute();
    await trx.insertInto('memberships').values({ id: membershipId, organization_id: organizationId, user_id: userId, role }).execute();
  });
  const token = await services.tokens.sign({ userId, organizationId, role });
  return { id: userId, email, role, membershipId, token, auth: { authorization: `Bearer ${token}` } };
}
