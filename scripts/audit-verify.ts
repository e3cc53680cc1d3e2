/**
 * `npm run audit:verify`: walks every organization's audit hash chain and reports each break
 * (edited, removed, inserted or reordered rows, or rows cut from the end). Exits 1 on any break.
 */
import { verifyOrganizationChain } from '../src/server/audit/audit.service.js';
import { loadConfig } from '../src/server/config.js';
import { openDatabase } from '../src/server/db/database.js';
import { listOrganizationIds, withTenant } from '../src/server/db/tenant.js';

const config = loadConfig();
const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.dataDir, poolSize: 2 });
let broken = 0;
try {
  const organizations = await listOrganizationIds(database.db);
  for (const organizationId of organizations) {
    const result = await withTenant(database.db, { organizationId }, (trx) => verifyOrganizationChain(trx, organizationId));
    if (result.problems.length) {
      broken++;
      console.log(`✗ ${organizationId}: ${result.rows} rows, ${result.problems.length} problem(s)`);
      for (const p of result.problems) console.log(`    seq ${p.seq}: ${p.problem} — ${p.detail}`);
    } else {
      console.log(`✓ ${organizationId}: ${result.rows} rows, chain intact`);
    }
  }
  console.log(`\n${organizations.length} organization(s) checked, ${broken} with a broken chain.`);
} finally {
  await database.close();
}
process.exit(broken ? 1 : 0);
