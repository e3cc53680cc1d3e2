import pg from 'pg';
import { APP_ROLE } from './migrate.js';

/**
 * Helpers for tools that set up a database on a PostgreSQL server the production way (tests on
 * the server engine, the browser tests, the benchmark): the schema owned by the connecting
 * superuser, the application connected as a LOGIN role that is a member of `bigportal_app`.
 */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates (once) a LOGIN member of the application role and answers its connection URL. */
export async function ensureAppLogin(admin: pg.Client, options: { ownerUrl: string; database: string; login: string; password: string }): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(options.login) || !/^[a-z_][a-z0-9_]*$/.test(options.database)) throw new Error('unsafe identifier');
  await admin.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${options.login}') THEN
        CREATE ROLE ${options.login} LOGIN PASSWORD ${pg.escapeLiteral(options.password)} IN ROLE ${APP_ROLE};
      END IF; END $$`);
  await admin.query(`GRANT CONNECT ON DATABASE ${options.database} TO ${options.login}`);
  const appUrl = new URL(options.ownerUrl);
  appUrl.username = options.login;
  appUrl.password = options.password;
  return appUrl.toString();
}
