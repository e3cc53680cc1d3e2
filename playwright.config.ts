import { defineConfig, devices } from '@playwright/test';

/**
 * Browser tests against the real portal: the built web app (run `npm run build:web` first;
 * `npm run test:e2e` does both) served by the Fastify server on a fresh database — embedded in a
 * throw-away data directory, or on the PostgreSQL server named by DATABASE_URL.
 *
 * The browser is Debian's chromium (`apt-get install -y chromium`); never `playwright install`.
 */
const PORT = Number(process.env.E2E_PORT ?? 3199);
const BASE_URL = `http://localhost:${PORT}`;
// Another port, another data directory: two runs side by side never share (or wipe) a database.
const DATA_DIR = PORT === 3199 ? './data/e2e' : `./data/e2e-${PORT}`;
/** A second portal, signing through DocuSign (test/e2e/fixtures/docusign-server.ts), two ports up (support.ts knows it too). */
const DOCUSIGN_PORT = PORT + 2;

export default defineConfig({
  testDir: 'test/e2e',
  // Each run cleans its output folder at start: runs side by side keep their own.
  outputDir: PORT === 3199 ? 'test-results' : `test-results-${PORT}`,
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: process.env.CI ? 1 : 0,
  reporter: 'list',
  // Journeys run many steps and an accessibility scan per screen; on a busy 2-core machine 30 s was too tight.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: BASE_URL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
  webServer: [
    {
      // A fresh database every run: embedded in DATA_DIR, or a new one on the DATABASE_URL server.
      command: 'npx tsx scripts/e2e-server.ts',
      url: `${BASE_URL}/api/v1/ready`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: { PORT: String(PORT), DATA_DIR, LOG_LEVEL: 'warn', TZ: 'UTC', NODE_ENV: 'development' },
    },
    {
      // Prism loads DocuSign's 2 MB Swagger file first: allow for a slow machine.
      command: 'npx tsx test/e2e/fixtures/docusign-server.ts',
      url: `http://localhost:${DOCUSIGN_PORT}/api/v1/ready`,
      reuseExistingServer: false,
      timeout: 240_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: { PORT: String(DOCUSIGN_PORT), DATA_DIR: `${DATA_DIR}-docusign`, E2E_DB_NAME: 'bigportal_e2e_docusign', LOG_LEVEL: 'warn', TZ: 'UTC', NODE_ENV: 'development' },
    },
  ],
});
