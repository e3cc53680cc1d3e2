import { closeServices, createServices } from './bootstrap.js';
import { ConfigError, loadConfig } from './config.js';

/**
 * `npm run worker`: runs the job handlers and cron schedules in a process of their own. Start
 * the API with JOBS_IN_PROCESS=false when you run this.
 */
async function main() {
  const config = { ...loadConfig(), JOBS_IN_PROCESS: true };
  if (!config.DATABASE_URL) {
    throw new ConfigError(['DATABASE_URL: a separate worker needs a PostgreSQL server; the embedded database runs jobs inside `npm start`']);
  }
  const services = await createServices(config);
  await services.jobs.work(config.JOBS_POLL_SECONDS);
  console.log(`BIG Live Portal worker running (database: ${services.database.engine})`);
  const stop = async () => {
    await closeServices(services);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
