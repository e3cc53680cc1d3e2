/**
 * `npm run seed:demo`: loads the demo organization (idempotent) into the configured database
 * and prints how to sign in.
 */
import { closeServices, createServices } from '../src/server/bootstrap.js';
import { loadConfig } from '../src/server/config.js';
import { DEMO_ORGANIZATION, DEMO_PASSWORD, DEMO_PEOPLE, seedDemo } from '../src/server/demo/demo-data.js';

const config = loadConfig();
if (config.NODE_ENV === 'production') {
  console.error('seed:demo loads people with a published password; it does not run with NODE_ENV=production.');
  process.exit(2);
}
const services = await createServices(config);
try {
  const report = await seedDemo(services);
  console.log(report.created.length ? `Created: ${report.created.join(', ')}` : 'Demo data already present; nothing changed.');
  console.log(`\nDemo organization: ${DEMO_ORGANIZATION.name} (${DEMO_ORGANIZATION.slug})`);
  for (const p of DEMO_PEOPLE) console.log(`  ${p.role.padEnd(12)} ${p.email}  (${p.first_name} ${p.last_name})`);
  console.log(`\nSign in at ${config.publicUrl}/sign-in with any of these e-mails and the password ${DEMO_PASSWORD}`);
  console.log('(people created earlier keep the password they had). For the API, `npm run token -- admin@example.com`');
  console.log('prints a 15-minute access token to use as "Authorization: Bearer <token>", e.g. in /api/docs.');
} finally {
  await closeServices(services);
}
