import { defineConfig } from 'vitest/config';

/**
 * One suite, two engines: without DATABASE_URL every test file gets an in-memory embedded
 * database; with it, globalSetup makes a fresh database on that server, migrates it as the owner
 * and the tests connect as the application's non-owner role.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    env: { TZ: 'UTC' },
  },
});
