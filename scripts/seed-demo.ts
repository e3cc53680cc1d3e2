/**
 * `npm run seed:demo`: loads the demo organization (idempotent) into the configured database
 * and prints how to sign in.
 */
import { closeServices, createServices } from '../src/server/bootstrap.js';
import { loadConfig } from '../src/server/config.js';
import { DEMO_ORGANIZATION, DEMO_PEOPLE, seedDemo } from '../src/server/demo/demo-data.js';

const config = loadConfig();
const services = await createServices(config);
try {
  const report = await seedDemo(services.database.db);
  console.log(report.created.length ? `Created: ${report.created.join(', ')}` : 'Demo data already present; nothing changed.');
  console.log(`\nDemo organization: ${DEMO_ORGANIZATION.name} (${DEMO_ORGANIZATION.slug})`);
  for (const p of DEMO_PEOPLE) console.log(`  ${p.role.padEnd(12)} ${p.email}  (${p.first_name} ${p.last_name})`);
  console.log('\nSign-in with passwords arrives with the Accounts issue. Until then, get an API token with');
  console.log('  npm run token -- admin@example.com');
  console.log('and use it as "Authorization: Bearer <token>" (for example in the API docs at /api/docs).');
} finally {
  await closeServices(services);
}
