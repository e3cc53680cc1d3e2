import path from 'node:path';
import type { BenchContext } from './context.js';

/**
 * The benchmark scenarios. Each one turns the seeded context into a list of concrete requests;
 * the load generator sends them round-robin across all connections, so tokens, ids and cursors
 * rotate. Later issues append their scenarios to `scenarios` (see bench/README.md).
 *
 * Placeholders: `{{n}}` anywhere in a path, header value or body is replaced by a counter that
 * increases with every request sent (unique names, idempotency keys, …).
 */
export interface RequestVariant {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** A binary body (e.g. a multipart upload), base64 so it survives the trip to the load generator. */
  bodyBase64?: string;
}

/** The body to send: binary bodies decoded, text bodies with `fill` applied. */
export function bodyOf(v: RequestVariant, fill: (s: string) => string = (s) => s): string | Buffer | undefined {
  if (v.bodyBase64 !== undefined) return Buffer.from(v.bodyBase64, 'base64');
  return v.body === undefined ? undefined : fill(v.body);
}

export interface Scenario {
  /** Short kebab-case name; `--only` matches on it. */
  name: string;
  /** One line saying what is measured. */
  description: string;
  /** True when the scenario changes data (it then runs after the read-only ones). */
  writes?: boolean;
  /** Overrides --connections for this scenario (e.g. a serialized write path). */
  connections?: number;
  requests(ctx: BenchContext): RequestVariant[] | Promise<RequestVariant[]>;
}

const API = '/api/v1';

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Pairs every token with every query in turn (the longer list sets the length). */
export function rotate(tokens: readonly string[], paths: readonly string[], method: RequestVariant['method'] = 'GET'): RequestVariant[] {
  if (!tokens.length || !paths.length) throw new Error('rotate() needs at least one token and one path');
  const n = Math.max(tokens.length, paths.length);
  return Array.from({ length: n }, (_, i) => ({ method, path: paths[i % paths.length]!, headers: bearer(tokens[i % tokens.length]!) }));
}

/** Name fragments that each hit roughly 1/60 of the users (see generate.ts name lists). */
const COMMON_FRAGMENTS = ['schmi', 'kowal', 'ander', 'elena', 'rossi', 'tanak', 'oscar', 'weber'];

/**
 * The artists with tokens take part in 300 one-off calls of 2027 each (a full-time ensemble
 * member's year), on top of what the generator gave them. Re-running adds nothing.
 */
async function makeArtistsBusy(ctx: BenchContext) {
  await ctx.query(`
    INSERT INTO event_participants (organization_id, event_id, user_id, rsvp)
    SELECT $1, e.id, a.id, 'confirmed'
    FROM unnest($2::uuid[]) AS a (id)
    CROSS JOIN LATERAL (
      SELECT id FROM events
      WHERE organization_id = $1 AND rrule IS NULL AND starts_at >= '2027-01-01' AND starts_at < '2028-01-01'
      ORDER BY hashtext(id::text || a.id::text) LIMIT 300
    ) e
    ON CONFLICT DO NOTHING`, [ctx.org.id, ctx.users.artist]);
}

export const scenarios: Scenario[] = [
  {
    name: 'health',
    description: 'GET /health without a token: framework + plugins + hooks, no database',
    requests: () => [{ method: 'GET', path: `${API}/health` }],
  },
  {
    name: 'organization',
    description: 'GET /organization: token check, tenant transaction, one row by primary key',
    requests: (ctx) => rotate([...ctx.tokens.staff, ...ctx.tokens.artist], [`${API}/organization`]),
  },
  {
    name: 'members-first-page',
    description: 'GET /members?limit=25 on the big organization (join users under RLS)',
    requests: (ctx) => rotate(ctx.tokens.staff, [`${API}/members?limit=25`]),
  },
  {
    name: 'members-deep-page',
    description: 'GET /members?limit=25&cursor=… at about page 200 (keyset pagination)',
    async requests(ctx) {
      const cursors: string[] = [];
      for (let page = 195; page <= 205; page++) {
        const cursor = await ctx.memberCursorAt(page * 25 - 1);
        if (cursor) cursors.push(cursor);
      }
      return rotate(ctx.tokens.staff, [...new Set(cursors)].map((c) => `${API}/members?limit=25&cursor=${encodeURIComponent(c)}`));
    },
  },
  {
    name: 'members-search',
    description: 'GET /members?q=<common name fragment> (trigram ILIKE, ~1/60 of members match)',
    requests: (ctx) => rotate(ctx.tokens.staff, COMMON_FRAGMENTS.map((q) => `${API}/members?limit=25&q=${q}`)),
  },
  {
    name: 'members-search-rare',
    description: 'GET /members?q=<one person\'s e-mail fragment> (trigram ILIKE, ~1 member matches)',
    async requests(ctx) {
      const rows = await ctx.query<{ fragment: string }>(`
        SELECT split_part(u.email, '@', 1) AS fragment FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.organization_id = $1 ORDER BY m.created_at LIMIT 40 OFFSET $2`, [ctx.org.id, Math.floor(ctx.org.members / 3)]);
      return rotate(ctx.tokens.staff, rows.map((r) => `${API}/members?limit=25&q=${encodeURIComponent(r.fragment)}`));
    },
  },
  {
    name: 'members-role-filter',
    description: 'GET /members?role=artist,admin (filter on most of the organization)',
    requests: (ctx) => rotate(ctx.tokens.staff, [`${API}/members?limit=25&role=artist,admin`]),
  },
  {
    name: 'audit-logs',
    description: 'GET /audit-logs?limit=50 as an admin (newest of the big organization\'s chain)',
    requests: (ctx) => rotate(ctx.tokens.admin, [`${API}/audit-logs?limit=50`]),
  },
  {
    name: 'events-month-artist',
    description: 'GET /events for a month as a busy artist (about 25 calls): range query, expansion of series, her participation',
    async requests(ctx) {
      await makeArtistsBusy(ctx);
      return rotate(ctx.tokens.artist, [`${API}/events?from=2027-03-01&to=2027-03-31&tz=Europe/London`, `${API}/events?from=2027-10-01&to=2027-10-31`]);
    },
  },
  {
    name: 'events-week-office',
    description: "GET /events for a week of the whole big organization as office staff (every call of the company)",
    requests: (ctx) => rotate(ctx.tokens.staff, [`${API}/events?from=2027-03-01&to=2027-03-07`, `${API}/events?from=2027-10-04&to=2027-10-10&types=rehearsal,performance`]),
  },
  {
    name: 'ical-export-year',
    description: 'GET /events/export (Accept: text/calendar) of a year for a busy artist (~300 calls), one at a time: PRODUCT.md §5 wants < 100 ms',
    connections: 1,
    async requests(ctx) {
      await makeArtistsBusy(ctx);
      return rotate(ctx.tokens.artist, [`${API}/events/export?from=2027-01-01&to=2027-12-31`]).map((v) => ({ ...v, headers: { ...v.headers, accept: 'text/calendar' } }));
    },
  },
  {
    name: 'organization-patch',
    description: 'PATCH /organization {name}: a write with its audit row (serialized on the chain head)',
    writes: true,
    requests: (ctx) => ctx.tokens.admin.map((token) => ({
      method: 'PATCH' as const,
      path: `${API}/organization`,
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bench Theatre {{n}}' }),
    })),
  },
  {
    name: 'contract-assign-500',
    description: 'POST /contracts/:id/assign with 500 artists (all at scale < 0.02) + notifications, each request on a fresh contract (target: well under 2 s)',
    writes: true,
    connections: 1,
    async requests(ctx) {
      const artists = await ctx.query<{ user_id: string }>(`
        SELECT user_id FROM memberships WHERE organization_id = $1 AND role = 'artist' AND end_date IS NULL ORDER BY created_at LIMIT 500`, [ctx.org.id]);
      // Below scale 0.02 the organization has fewer than 500 artists: the smoke run assigns them all.
      if (artists.length < 50) throw new Error(`contract-assign-500 needs at least 50 artists, the organization has ${artists.length}`);
      // Fresh contracts, made directly (the upload itself is not what is measured): more than one
      // connection can assign in the run, so every request finds nobody assigned yet. The storage
      // key is unique per run because the bench database outlives a run.
      const contracts = await ctx.query<{ id: string }>(`
        WITH file AS (
          INSERT INTO files (organization_id, storage_key, original_name, content_type, size_bytes, sha256, purpose)
          VALUES ($1, 'bench/contract-' || gen_random_uuid() || '.pdf', 'contract.pdf', 'application/pdf', 1024, repeat('0', 64), 'contract') RETURNING id
        ), made AS (
          INSERT INTO contracts (organization_id, title) SELECT $1, 'Bench contract ' || g FROM generate_series(1, 1000) g RETURNING id
        ), versions AS (
          INSERT INTO contract_versions (organization_id, contract_id, version, file_id, sha256) SELECT $1, made.id, 1, file.id, repeat('0', 64) FROM made, file
        )
        SELECT id FROM made`, [ctx.org.id]);
      const body = JSON.stringify({ artist_ids: artists.map((a) => a.user_id), message: 'Please sign', send_notification: true });
      return contracts.map((c, i) => ({
        method: 'POST' as const,
        path: `${API}/contracts/${c.id}/assign`,
        headers: { ...bearer(ctx.tokens.admin[i % ctx.tokens.admin.length]!), 'content-type': 'application/json' },
        body,
      }));
    },
  },
  {
    name: 'receipt-upload',
    description: 'POST /expenses/:id/receipts with a 12-megapixel phone photo: re-encode without EXIF, thumbnail, OCR (target: under 3 s)',
    writes: true,
    connections: 1,
    async requests(ctx) {
      const { default: sharp } = await import('sharp');
      const fixture = path.resolve('test/fixtures/receipts/receipt-gps.jpg');
      // A phone-sized photo of the receipt fixture (3024 × 4032, JPEG, EXIF kept).
      const photo = await sharp(fixture).resize(3024, 4032, { fit: 'fill' }).withMetadata().jpeg({ quality: 90 }).toBuffer();
      const boundary = 'benchReceiptBoundary';
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="IMG_1234.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`),
        photo,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]).toString('base64');
      // One draft per artist with a token (receipts can be added to a draft again and again).
      const drafts = await ctx.query<{ id: string; artist_id: string }>(`
        INSERT INTO expenses (organization_id, artist_id, category_id, amount, currency, base_currency, expense_date, merchant, description)
        SELECT $1, a.id, (SELECT id FROM expense_categories WHERE organization_id = $1 AND code = 'MEALS'), 125.50, 'USD', 'USD', CURRENT_DATE - 1, 'Corner Bistro', 'Bench receipt'
        FROM unnest($2::uuid[]) AS a (id) RETURNING id, artist_id`, [ctx.org.id, ctx.users.artist]);
      const tokenOf = new Map(ctx.users.artist.map((id, i) => [id, ctx.tokens.artist[i]!]));
      return drafts.map((d) => ({
        method: 'POST' as const,
        path: `${API}/expenses/${d.id}/receipts`,
        headers: { ...bearer(tokenOf.get(d.artist_id)!), 'content-type': `multipart/form-data; boundary=${boundary}` },
        bodyBase64: body,
      }));
    },
  },
];
