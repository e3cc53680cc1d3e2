/**
 * `npm run pii:reencrypt`: rewrites every sealed value (tax ID, bank account, two-factor secret) that
 * is not under the current key of PII_ENCRYPTION_KEYS, and recomputes tax ID hashes when the hash
 * key changed. Rotate a key by putting the new entry first and keeping the old ones after it,
 * restart the app, run this, then drop the old entries. It connects as the schema owner
 * (MIGRATION_DATABASE_URL, else DATABASE_URL), which sees every person's row. Prints counts and,
 * for values that fail to decrypt, the user id, field and reason — never a value. Exit 1 then.
 */
import { loadConfig } from '../src/server/config.js';
import { createFieldCipher } from '../src/server/crypto/field-encryption.js';
import { openDatabase } from '../src/server/db/database.js';
import { reencryptTotpSecrets } from '../src/server/modules/auth/mfa.service.js';
import { reencryptAll, type ReencryptReport } from '../src/server/modules/profiles/profiles.service.js';

const config = loadConfig();
if (!config.PII_ENCRYPTION_KEYS) {
  console.error('Set PII_ENCRYPTION_KEYS ("newkid:base64key,oldkid:base64key"): the first key is the one values are moved to.');
  process.exit(2);
}
const cipher = createFieldCipher(config.PII_ENCRYPTION_KEYS, config.PII_HASH_KEY);
const database = await openDatabase({ url: config.MIGRATION_DATABASE_URL ?? config.DATABASE_URL, dataDir: config.dataDir, poolSize: 2, applicationName: 'big-live-portal-pii-reencrypt' });
let report: ReencryptReport;
let totp: Awaited<ReturnType<typeof reencryptTotpSecrets>>;
try {
  report = await reencryptAll(database.db, cipher);
  // Two-factor secrets are sealed with the same key ring.
  totp = await reencryptTotpSecrets(database.db, cipher);
} finally {
  await database.close();
}
console.log(`current key: ${cipher.currentKid} (ring: ${cipher.keyIds.join(', ')})`);
console.log(`${report.scanned} profile(s) with sealed values, ${report.reencrypted} re-encrypted, ${report.rehashed} tax ID hash(es) recomputed, ${report.skippedConcurrent} changed meanwhile (run again)`);
console.log(`${totp.scanned} two-factor secret(s), ${totp.reencrypted} re-encrypted, ${totp.skippedConcurrent} changed meanwhile (run again)`);
for (const f of report.failures) console.log(`✗ user ${f.user_id}: ${f.field} — ${f.reason}`);
for (const f of totp.failures) console.log(`✗ user ${f.user_id}: totp_secret — ${f.reason}`);
process.exit(report.failures.length || totp.failures.length ? 1 : 0);
