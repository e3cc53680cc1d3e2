import { buildApp } from './app.js';
import { closeServices, createServices } from './bootstrap.js';
import { ConfigError, loadConfig } from './config.js';

/** `npm start`: migrate, serve the API and the web app, and run jobs in-process unless told not to. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const services = await createServices(config);
  const app = await buildApp(services);
  await services.jobs.start();
  if (config.JOBS_IN_PROCESS) await services.jobs.work(config.JOBS_POLL_SECONDS);
  await app.listen({ port: config.PORT, host: config.HOST });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  console.log(`\nBIG Live Portal is running on http://localhost:${port}  (database: ${services.database.engine}, API docs: http://localhost:${port}/api/docs)\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await closeServices(services);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error('BIG Live Portal failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
