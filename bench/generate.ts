import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { chainHash, GENESIS_HASH, type ChainedFields } from '../src/server/audit/audit.chain.js';

/**
 * Table-driven data generator for the benchmark database.
 *
 * Every table is one entry of `generatorTables`, run in array order by the schema owner on a
 * single connection (so session-local `TEMP` tables carry ids from one step to the next). Rows
 * are made by set-based SQL (`generate_series`), never one round trip per row. Sizes scale
 * linearly from PRODUCT.md §5 (scale 1 = 50 k users; expenses, events and contract
 * assignments are added by the issues that create those tables).
 *
 * Shape of the data: organization #1 is the large "bench" organization (slug `bench`) holding
 * 80 % of all users, so its list endpoints see 40 k rows at scale 1; the other organizations
 * get the rest with a skewed (quadratic) size distribution — a few mid-sized, most tiny.
 *
 * Helper tables for later generators (session TEMP tables, gone after seeding):
 *   seed_orgs(n int, id uuid)                 n = 1 is the big organization
 *   seed_users(n int, id uuid, org_n int)     org_n = the user's primary organization
 *   seed_memberships(n int, id uuid, org_n int, user_n int, role text)
 * Use them to pick foreign keys arithmetically, e.g. `JOIN seed_users u ON u.n = 1 + (g % $users)`.
 */

/** Row counts at scale 1 (PRODUCT.md §5 where it names a size; plausible ratios elsewhere). */
export const BASE_SIZES = {
  organizations: 1_000,
  users: 50_000,
  invitations: 2_000,
  files: 20_000,
  /** Audit rows of the big organization (a valid hash chain). */
  audit_logs: 100_000,
  /** Schedule events (PRODUCT.md §5), 80 % in the big organization; every 5th a weekly series of 10. */
  events: 100_000,
} as const;

/** Share of all users whose primary organization is the big one. */
export const BIG_ORG_SHARE = 0.8;
export const BIG_ORG_SLUG = 'bench';

export interface SeedPlan {
  scale: number;
  organizations: number;
  users: number;
  /** Users whose primary membership is in the big organization: users 1..bigOrgUsers. */
  bigOrgUsers: number;
}

export function planFor(scale: number): SeedPlan {
  const organizations = Math.max(3, Math.round(BASE_SIZES.organizations * scale));
  const users = Math.max(60, Math.round(BASE_SIZES.users * scale));
  return { scale, organizations, users, bigOrgUsers: Math.round(users * BIG_ORG_SHARE) };
}

export interface GeneratorContext {
  /** Owner connection; RLS does not apply (superuser). */
  client: pg.PoolClient;
  plan: SeedPlan;
  /** `Math.max(min, round(base × scale))`. */
  rows(base: number, min?: number): number;
  log(message: string): void;
}

export interface GeneratorTable {
  /** The table filled (used in progress output and the seed fingerprint). */
  name: string;
  /** Bump when the generated data changes so existing bench databases are regenerated. */
  version: number;
  /** Inserts the rows; returns how many. */
  generate(ctx: GeneratorContext): Promise<number>;
}

// Names for the trigram search scenarios: fragments such as "schmi" or "kowal" hit ~1/60 of users.
const FIRST_NAMES = [
  'Anna', 'Ben', 'Clara', 'David', 'Elena', 'Felix', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Katja', 'Leon',
  'Maria', 'Nils', 'Olga', 'Paul', 'Queenie', 'Rafael', 'Sofia', 'Tomas', 'Ursula', 'Viktor', 'Wanda', 'Xavier',
  'Yara', 'Zoltan', 'Amelie', 'Bruno', 'Chiara', 'Dmitri', 'Emma', 'Fabio', 'Giulia', 'Hannah', 'Igor', 'Julia',
  'Karim', 'Lena', 'Marco', 'Nadia', 'Oscar', 'Petra', 'Quentin', 'Rosa', 'Stefan', 'Tanja', 'Umberto', 'Vera',
  'Willem', 'Ximena', 'Yusuf', 'Zoe', 'Aiko', 'Bjorn', 'Carmen', 'Dario', 'Eva', 'Finn', 'Gabriel', 'Helga',
];
const LAST_NAMES = [
  'Schmidt', 'Anderson', 'Kowalski', 'Garcia', 'Rossi', 'Novak', 'Dubois', 'Jensen', 'Silva', 'Ivanova', 'Muller', 'Tanaka',
  'Okafor', 'Larsen', 'Fischer', 'Moreau', 'Petrov', 'Costa', 'Weber', 'Nakamura', 'Horvath', 'Lindqvist', 'Bianchi', 'Kaya',
  'Oconnor', 'Meyer', 'Popescu', 'Santos', 'Varga', 'Keller', 'Romano', 'Nielsen', 'Hoffmann', 'Lopez', 'Wagner', 'Berg',
  'Marino', 'Kovacs', 'Duarte', 'Svensson', 'Becker', 'Ferrari', 'Jovanovic', 'Richter', 'Martin', 'Kruger', 'Esposito', 'Nowak',
  'Schulz', 'Laurent', 'Hansen', 'Molina', 'Zimmermann', 'Conti', 'Vogel', 'Sorensen', 'Castro', 'Brandt', 'Greco', 'Lehmann',
];
const DEPARTMENTS = ['Orchestra', 'Chorus', 'Ballet', 'Stage', 'Lighting', 'Sound', 'Costume', 'Administration'];

const sqlArray = (values: readonly string[]) => `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')}]`;

/** Role by ordinal: 2 % admin, 1 % system_admin, 5 % production manager, 4 % accountant, 2 % finance, rest artists. */
const ROLE_SQL = (n: string) => `CASE
  WHEN ${n} % 100 < 2 THEN 'admin' WHEN ${n} % 100 = 2 THEN 'system_admin'
  WHEN ${n} % 100 < 8 THEN 'production_manager' WHEN ${n} % 100 < 12 THEN 'accountant'
  WHEN ${n} % 100 < 14 THEN 'finance_director' ELSE 'artist' END`;

export const generatorTables: GeneratorTable[] = [
  {
    name: 'organizations',
    version: 1,
    async generate({ client, plan }) {
      await client.query(`CREATE TEMP TABLE seed_orgs (n int PRIMARY KEY, id uuid NOT NULL)`);
      await client.query(`INSERT INTO seed_orgs SELECT n, gen_random_uuid() FROM generate_series(1, $1) n`, [plan.organizations]);
      const r = await client.query(`
        INSERT INTO organizations (id, name, slug, subscription_tier, created_at)
        SELECT id,
               CASE WHEN n = 1 THEN 'Bench Theatre' ELSE 'Company ' || n END,
               CASE WHEN n = 1 THEN '${BIG_ORG_SLUG}' ELSE 'company-' || n END,
               (ARRAY['artist','professional','enterprise'])[1 + n % 3],
               timestamptz '2018-01-01 00:00:00Z' + n * interval '1 hour'
        FROM seed_orgs`);
      return r.rowCount ?? 0;
    },
  },
  {
    name: 'users',
    version: 1,
    async generate({ client, plan }) {
      // Users 1..bigOrgUsers belong to the big organization; the rest are spread over the others,
      // quadratically skewed towards low organization numbers (a few mid-sized, many tiny).
      await client.query(`SELECT setseed(0.42)`);
      await client.query(`CREATE TEMP TABLE seed_users (n int PRIMARY KEY, id uuid NOT NULL, org_n int NOT NULL)`);
      await client.query(`
        INSERT INTO seed_users
        SELECT n, gen_random_uuid(),
               CASE WHEN n <= $2 THEN 1 ELSE 2 + floor(($3 - 1) * power(random(), 2))::int END
        FROM generate_series(1, $1) n`, [plan.users, plan.bigOrgUsers, plan.organizations]);
      const r = await client.query(`
        INSERT INTO users (id, email, first_name, last_name, phone, locale, timezone, email_verified_at, last_login_at, created_at)
        SELECT u.id,
               lower(f.name || '.' || l.name || '.' || u.n) || '@example.com',
               f.name, l.name,
               CASE WHEN u.n % 3 = 0 THEN '+4930' || lpad(u.n::text, 8, '0') END,
               (ARRAY['en','de','fr','es'])[1 + u.n % 4],
               (ARRAY['Europe/Berlin','America/New_York','Europe/London',NULL])[1 + u.n % 4],
               timestamptz '2019-01-01 00:00:00Z' + u.n * interval '37 minutes' + interval '1 day',
               CASE WHEN u.n % 5 <> 0 THEN timestamptz '2024-01-01 00:00:00Z' + u.n * interval '3 minutes' END,
               timestamptz '2019-01-01 00:00:00Z' + u.n * interval '37 minutes'
        FROM seed_users u
        CROSS JOIN LATERAL (SELECT (${sqlArray(FIRST_NAMES)})[1 + u.n % ${FIRST_NAMES.length}] AS name) f
        CROSS JOIN LATERAL (SELECT (${sqlArray(LAST_NAMES)})[1 + (u.n / ${FIRST_NAMES.length}) % ${LAST_NAMES.length}] AS name) l`);
      return r.rowCount ?? 0;
    },
  },
  {
    name: 'memberships',
    version: 1,
    async generate({ client, plan }) {
      // One primary membership per user, plus a second one in a small organization for every
      // 20th user of the big organization. 3 % of memberships have ended.
      await client.query(`CREATE TEMP TABLE seed_memberships (n int PRIMARY KEY, id uuid NOT NULL, org_n int NOT NULL, user_n int NOT NULL, role text NOT NULL)`);
      await client.query(`
        INSERT INTO seed_memberships
        SELECT row_number() OVER (ORDER BY user_n, org_n)::int, gen_random_uuid(), org_n, user_n, ${ROLE_SQL('user_n')}
        FROM (
          SELECT org_n, n AS user_n FROM seed_users
          UNION ALL
          SELECT 2 + (n / 20) % ($2 - 1), n FROM seed_users WHERE n <= $1 AND n % 20 = 0
        ) s`, [plan.bigOrgUsers, plan.organizations]);
      const r = await client.query(`
        INSERT INTO memberships (id, organization_id, user_id, role, department, title, start_date, end_date, is_primary, created_at)
        SELECT m.id, o.id, u.id, m.role,
               (${sqlArray(DEPARTMENTS)})[1 + m.n % ${DEPARTMENTS.length}],
               CASE WHEN m.n % 7 = 0 THEN 'Principal' WHEN m.n % 11 = 0 THEN 'Soloist' END,
               (timestamptz '2019-01-01 00:00:00Z' + m.n * interval '37 minutes')::date,
               CASE WHEN m.n % 33 = 0 THEN (timestamptz '2019-01-01 00:00:00Z' + m.n * interval '37 minutes')::date + 180 END,
               m.org_n = u.org_n,
               timestamptz '2019-01-01 00:00:00Z' + m.n * interval '37 minutes'
        FROM seed_memberships m
        JOIN seed_orgs o ON o.n = m.org_n
        JOIN seed_users u ON u.n = m.user_n`);
      return r.rowCount ?? 0;
    },
  },
  {
    name: 'invitations',
    version: 1,
    async generate({ client, rows }) {
      // 70 % to the big organization; a mix of open, expired, accepted and revoked.
      const r = await client.query(`
        INSERT INTO invitations (organization_id, email, role, first_name, last_name, department, message, token_hash,
                                 invited_by, created_at, expires_at, accepted_at, revoked_at)
        SELECT o.id, 'invitee.' || g || '@example.org', CASE WHEN g % 10 = 0 THEN 'production_manager' ELSE 'artist' END,
               'Invited', 'Person ' || g, 'Orchestra', CASE WHEN g % 4 = 0 THEN 'Welcome to the company' END,
               encode(sha256(convert_to('bench-invitation-' || g, 'UTF8')), 'hex'),
               NULL,
               now() - g * interval '17 minutes',
               now() - g * interval '17 minutes' + interval '7 days',
               CASE WHEN g % 5 = 1 THEN now() - g * interval '17 minutes' + interval '1 hour' END,
               CASE WHEN g % 9 = 2 AND g % 5 <> 1 THEN now() - g * interval '17 minutes' + interval '2 hours' END
        FROM generate_series(1, $1) g
        JOIN seed_orgs o ON o.n = CASE WHEN g % 10 < 7 THEN 1 ELSE 1 + (g % (SELECT count(*) FROM seed_orgs)) END`,
      [rows(BASE_SIZES.invitations, 20)]);
      return r.rowCount ?? 0;
    },
  },
  {
    name: 'files',
    version: 1,
    async generate({ client, rows, plan }) {
      const r = await client.query(`
        INSERT INTO files (organization_id, storage_key, original_name, content_type, size_bytes, sha256, purpose, uploaded_by, created_at)
        SELECT o.id, 'bench/' || g, 'document-' || g || '.pdf',
               (ARRAY['application/pdf','image/jpeg','image/png'])[1 + g % 3],
               1024 + (g * 7919) % 5000000,
               encode(sha256(convert_to('bench-file-' || g, 'UTF8')), 'hex'),
               (ARRAY['attachment','receipt','contract'])[1 + g % 3],
               CASE WHEN o.n = 1 THEN u.id END,
               timestamptz '2022-01-01 00:00:00Z' + g * interval '13 minutes'
        FROM generate_series(1, $1) g
        JOIN seed_orgs o ON o.n = CASE WHEN g % 5 < 4 THEN 1 ELSE 1 + (g % (SELECT count(*) FROM seed_orgs)) END
        JOIN seed_users u ON u.n = 1 + g % $2`, [rows(BASE_SIZES.files, 20), plan.bigOrgUsers]);
      return r.rowCount ?? 0;
    },
  },
  {
    name: 'audit_logs',
    version: 1,
    async generate({ client, rows, log }) {
      // A valid hash chain for the big organization (other organizations start with none): the
      // hashes are computed here with the app's own chainHash and inserted 5,000 rows at a time.
      const total = rows(BASE_SIZES.audit_logs, 50);
      const org = (await client.query<{ id: string }>(`SELECT id FROM seed_orgs WHERE n = 1`)).rows[0]?.id;
      if (!org) throw new Error('big organization missing');
      const admins = (await client.query<{ id: string }>(`
        SELECT u.id FROM seed_memberships m JOIN seed_users u ON u.n = m.user_n
        WHERE m.org_n = 1 AND m.role IN ('admin','system_admin') ORDER BY m.n LIMIT 50`)).rows.map((r) => r.id);
      const members = (await client.query<{ id: string }>(`SELECT id FROM seed_memberships WHERE org_n = 1 ORDER BY n LIMIT 2000`)).rows.map((r) => r.id);
      const start = Date.parse('2023-01-01T00:00:00Z');
      const stepMs = Math.max(1000, Math.floor((Date.now() - 86_400_000 - start) / total));
      let prevHash = GENESIS_HASH;
      const batchSize = 5_000;
      for (let from = 1; from <= total; from += batchSize) {
        const cols = { seq: [] as number[], actor: [] as (string | null)[], entityType: [] as string[], entityId: [] as string[], action: [] as string[],
          before: [] as string[], after: [] as string[], changed: [] as string[], ip: [] as string[], ua: [] as string[], requestId: [] as string[],
          createdAt: [] as string[], prev: [] as string[], hash: [] as string[] };
        for (let seq = from; seq < Math.min(from + batchSize, total + 1); seq++) {
          const titleChange = seq % 3 !== 0;
          const before = titleChange ? { role: 'artist', title: null } : { role: 'artist', title: 'Principal' };
          const after = titleChange ? { role: 'artist', title: 'Principal' } : { role: 'production_manager', title: 'Principal' };
          const fields: ChainedFields = {
            organization_id: org,
            seq,
            actor_id: admins[seq % Math.max(1, admins.length)] ?? null,
            entity_type: 'membership',
            entity_id: members[seq % Math.max(1, members.length)] ?? randomUUID(),
            action: titleChange ? 'update' : 'member.role_changed',
            before,
            after,
            changed_fields: titleChange ? ['title'] : ['role'],
            ip: `10.0.${(seq >> 8) & 255}.${seq & 255}`,
            user_agent: 'bench-generator',
            request_id: randomUUID(),
            created_at: new Date(start + seq * stepMs).toISOString(),
            prev_hash: prevHash,
          };
          const hash = chainHash(fields);
          cols.seq.push(seq);
          cols.actor.push(fields.actor_id);
          cols.entityType.push(fields.entity_type);
          cols.entityId.push(fields.entity_id ?? '');
          cols.action.push(fields.action);
          cols.before.push(JSON.stringify(before));
          cols.after.push(JSON.stringify(after));
          cols.changed.push(JSON.stringify(fields.changed_fields));
          cols.ip.push(fields.ip ?? '');
          cols.ua.push(fields.user_agent ?? '');
          cols.requestId.push(fields.request_id ?? '');
          cols.createdAt.push(fields.created_at);
          cols.prev.push(prevHash);
          cols.hash.push(hash);
          prevHash = hash;
        }
        await client.query(`
          INSERT INTO audit_logs (organization_id, seq, actor_id, entity_type, entity_id, action, before, after, changed_fields,
                                  ip, user_agent, request_id, created_at, prev_hash, hash)
          SELECT $1, seq, actor, et, eid, act, b::jsonb, a::jsonb,
                 ARRAY(SELECT jsonb_array_elements_text(cf::jsonb)), ip::inet, ua, rid, ca::timestamptz, prev, h
          FROM unnest($2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                      $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])
               AS t(seq, actor, et, eid, act, b, a, cf, ip, ua, rid, ca, prev, h)`,
        [org, cols.seq, cols.actor, cols.entityType, cols.entityId, cols.action, cols.before, cols.after, cols.changed,
          cols.ip, cols.ua, cols.requestId, cols.createdAt, cols.prev, cols.hash]);
        if (total > 20_000 && (from - 1) % 50_000 === 0 && from > 1) log(`  audit_logs ${from - 1}/${total}`);
      }
      await client.query(`INSERT INTO audit_chain_heads (organization_id, last_seq, last_hash) VALUES ($1, $2, $3)`, [org, total, prevHash]);
      return total;
    },
  },
  {
    name: 'events',
    version: 1,
    async generate({ client, plan, rows }) {
      // Three years of calls from January 2026 in four zones, 9:00–20:00 UTC starts, three hours
      // each, at six places; four members of the event's organization take part in each.
      const total = rows(BASE_SIZES.events, 50);
      await client.query(`CREATE TEMP TABLE seed_events (g int PRIMARY KEY, id uuid NOT NULL, org_n int NOT NULL, starts_at timestamptz NOT NULL)`);
      await client.query(`
        INSERT INTO seed_events
        SELECT g, gen_random_uuid(), CASE WHEN g % 5 <> 1 THEN 1 ELSE 2 + g % ($2 - 1) END,
               timestamptz '2026-01-01 00:00:00Z' + (g % 1096) * interval '1 day' + (9 + g % 12) * interval '1 hour'
        FROM generate_series(1, $1) g`, [total, plan.organizations]);
      const r = await client.query(`
        INSERT INTO events (id, organization_id, type, title, time_zone, starts_at, ends_at, rrule, recurrence_ends_at, location_name, call_time_notes)
        SELECT e.id, o.id,
               (ARRAY['rehearsal','performance','meeting','fitting','photo_call','travel','call_time','other'])[1 + e.g % 8],
               'Call ' || e.g,
               (ARRAY['Europe/Berlin','America/New_York','Europe/London','UTC'])[1 + e.g % 4],
               e.starts_at, e.starts_at + interval '3 hours',
               CASE WHEN e.g % 5 = 0 THEN 'FREQ=WEEKLY;COUNT=10' END,
               -- the series' last end, with an hour to spare for a daylight-saving change on the way
               CASE WHEN e.g % 5 = 0 THEN e.starts_at + interval '9 weeks 4 hours' ELSE e.starts_at + interval '3 hours' END,
               (ARRAY['Main Theatre','Studio A','Studio B','Rehearsal Room 1','Rehearsal Room 2','Foyer'])[1 + e.g % 6],
               CASE WHEN e.g % 3 = 0 THEN 'Half-hour call' END
        FROM seed_events e JOIN seed_orgs o ON o.n = e.org_n`);
      await client.query(`
        CREATE TEMP TABLE seed_org_members AS
        SELECT m.org_n, u.id AS user_id, row_number() OVER (PARTITION BY m.org_n ORDER BY m.n)::int AS rn, count(*) OVER (PARTITION BY m.org_n)::int AS members
        FROM seed_memberships m JOIN seed_users u ON u.n = m.user_n`);
      await client.query(`CREATE INDEX ON seed_org_members (org_n, rn)`);
      await client.query(`CREATE TEMP TABLE seed_org_sizes AS SELECT org_n, max(members) AS members FROM seed_org_members GROUP BY org_n`);
      await client.query(`ANALYZE seed_org_members`);
      await client.query(`
        INSERT INTO event_participants (organization_id, event_id, user_id, role, rsvp)
        SELECT o.id, e.id, m.user_id, NULL, (ARRAY['invited','confirmed','confirmed','tentative'])[1 + k]
        FROM seed_events e
        JOIN seed_orgs o ON o.n = e.org_n
        JOIN seed_org_sizes c ON c.org_n = e.org_n
        CROSS JOIN generate_series(0, 3) k
        JOIN seed_org_members m ON m.org_n = e.org_n AND m.rn = 1 + (e.g * 31 + k * 7919) % c.members
        ON CONFLICT DO NOTHING`);
      return r.rowCount ?? 0;
    },
  },
];

/** Identifies what the generator would produce at this scale; a change forces a reseed. */
export function generatorSignature(): string {
  return generatorTables.map((t) => `${t.name}@${t.version}`).join(',');
}

/** Fills an empty, migrated database. Returns rows per table and seconds taken. */
export async function generate(pool: pg.Pool, scale: number, log: (message: string) => void = console.log) {
  const plan = planFor(scale);
  const client = await pool.connect();
  const counts: Record<string, { rows: number; seconds: number }> = {};
  try {
    await client.query(`SET synchronous_commit = off`);
    await client.query(`SET maintenance_work_mem = '256MB'`);
    for (const table of generatorTables) {
      const started = performance.now();
      await client.query('BEGIN');
      try {
        const n = await table.generate({ client, plan, rows: (base, min = 1) => Math.max(min, Math.round(base * scale)), log });
        await client.query('COMMIT');
        counts[table.name] = { rows: n, seconds: (performance.now() - started) / 1000 };
        log(`  ${table.name.padEnd(24)} ${String(n).padStart(9)} rows  ${counts[table.name]!.seconds.toFixed(1)} s`);
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new Error(`generating ${table.name} failed: ${(err as Error).message}`, { cause: err });
      }
    }
  } finally {
    client.release(true); // drop the session and its TEMP tables
  }
  const started = performance.now();
  await pool.query('VACUUM (ANALYZE)');
  log(`  vacuum analyze ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { plan, counts };
}
