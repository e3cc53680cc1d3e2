import type pg from 'pg';
import type { Actor, TokenService } from '../src/server/auth/tokens.js';
import type { Role } from '../src/server/db/schema.js';
import { encodeCursor } from '../src/server/http/pagination.js';
import { BIG_ORG_SLUG, planFor, type SeedPlan } from './generate.js';

/** What scenarios may use to build their requests; everything refers to the seeded data. */
export interface BenchContext {
  scale: number;
  plan: SeedPlan;
  /** The big organization (slug `bench`) and its number of memberships. */
  org: { id: string; slug: string; members: number };
  /** Access tokens of real, active members of the big organization. staff = every non-artist role. */
  tokens: { admin: string[]; staff: string[]; artist: string[] };
  /** The user ids behind `tokens`, same order. */
  users: { admin: string[]; staff: string[]; artist: string[] };
  /** SQL as the database owner (row-level security does not apply), for picking ids. */
  query<R extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<R[]>;
  /** Signs an access token valid for the whole run. */
  sign(actor: Actor): Promise<string>;
  /** The `?cursor=` value that continues after the member at `offset` (newest first), clamped to the last full page. */
  memberCursorAt(offset: number): Promise<string | null>;
  /** Encodes a keyset cursor the way the API does, for other (created_at, id) lists. */
  cursorFor(row: { created_at: Date; id: string }): string;
}

const TOKEN_TTL_SECONDS = 6 * 60 * 60;
const TOKENS_PER_GROUP = 40;

export async function buildContext(owner: pg.Pool, tokens: TokenService, scale: number): Promise<BenchContext> {
  const org = (await owner.query<{ id: string; slug: string; members: number }>(`
    SELECT o.id, o.slug, (SELECT count(*) FROM memberships m WHERE m.organization_id = o.id)::int AS members
    FROM organizations o WHERE o.slug = $1`, [BIG_ORG_SLUG])).rows[0];
  if (!org) throw new Error(`the seeded organization "${BIG_ORG_SLUG}" is missing`);
  const sign = (actor: Actor) => tokens.sign(actor, TOKEN_TTL_SECONDS);

  const pick = async (roles: Role[]) => {
    const rows = (await owner.query<{ user_id: string; role: Role }>(`
      SELECT user_id, role FROM memberships
      WHERE organization_id = $1 AND role = ANY($2) AND end_date IS NULL
      ORDER BY created_at LIMIT $3`, [org.id, roles, TOKENS_PER_GROUP])).rows;
    if (!rows.length) throw new Error(`no active ${roles.join('/')} in the big organization`);
    return { users: rows.map((r) => r.user_id), tokens: await Promise.all(rows.map((r) => sign({ userId: r.user_id, organizationId: org.id, role: r.role }))) };
  };
  const admin = await pick(['admin', 'system_admin']);
  const staff = await pick(['admin', 'system_admin', 'production_manager', 'accountant', 'finance_director']);
  const artist = await pick(['artist']);

  return {
    scale,
    plan: planFor(scale),
    org,
    tokens: { admin: admin.tokens, staff: staff.tokens, artist: artist.tokens },
    users: { admin: admin.users, staff: staff.users, artist: artist.users },
    query: async (text, params) => (await owner.query(text, params)).rows,
    sign,
    async memberCursorAt(offset) {
      const at = Math.max(0, Math.min(offset, org.members - 27));
      const row = (await owner.query<{ created_at: Date; id: string }>(`
        SELECT created_at, id FROM memberships WHERE organization_id = $1
        ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1`, [org.id, at])).rows[0];
      return row ? encodeCursor({ t: row.created_at.toISOString(), id: row.id }) : null;
    },
    cursorFor: (row) => encodeCursor({ t: row.created_at.toISOString(), id: row.id }),
  };
}
