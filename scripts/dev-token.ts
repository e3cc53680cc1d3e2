/**
 * `npm run token -- <email> [organization-slug]`: prints a 15-minute access token for a member,
 * for trying the API in development (curl, /api/docs). Refused when DEV_TOKENS is off
 * (always off in production). Issue "Accounts" brings real sign-in.
 */
import { sql } from 'kysely';
import { createTokenService } from '../src/server/auth/tokens.js';
import { loadConfig } from '../src/server/config.js';
import { openDatabase } from '../src/server/db/database.js';
import type { Role } from '../src/server/db/schema.js';

const [email, slug] = process.argv.slice(2);
if (!email) {
  console.error('usage: npm run token -- <email> [organization-slug]');
  process.exit(2);
}
const config = loadConfig();
if (!config.DEV_TOKENS) {
  console.error('Development tokens are disabled (DEV_TOKENS=false or NODE_ENV=production).');
  process.exit(2);
}
const database = await openDatabase({ url: config.MIGRATION_DATABASE_URL ?? config.DATABASE_URL, dataDir: config.dataDir, poolSize: 1 });
try {
  // Read across organizations as the owner would; this tool is for development only.
  const rows = await database.db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('app.scope', 'system', true)`.execute(trx);
    const orgs = await trx.selectFrom('organizations').select(['id', 'slug']).execute();
    const found: { user_id: string; organization_id: string; role: Role; slug: string }[] = [];
    for (const org of orgs) {
      if (slug && org.slug !== slug) continue;
      await sql`SELECT set_config('app.organization_id', ${org.id}, true)`.execute(trx);
      const m = await trx.selectFrom('memberships as m').innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['m.user_id', 'm.organization_id', 'm.role'])
        .where(sql<boolean>`lower(u.email) = ${email.toLowerCase()}`).executeTakeFirst();
      if (m) found.push({ ...m, slug: org.slug });
    }
    return found;
  });
  const membership = rows[0];
  if (!membership) {
    console.error(`No membership for ${email}${slug ? ` in ${slug}` : ''}. Try \`npm run seed:demo\` first.`);
    process.exitCode = 1;
  } else {
    if (rows.length > 1) console.error(`${email} belongs to ${rows.map((r) => r.slug).join(', ')}; using ${membership.slug}.`);
    const tokens = await createTokenService({ privateKeyPem: config.JWT_PRIVATE_KEY, dataDir: config.dataDir, issuer: config.JWT_ISSUER });
    console.log(await tokens.sign({ userId: membership.user_id, organizationId: membership.organization_id, role: membership.role }));
  }
} finally {
  await database.close();
}
