import { createHash, randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { authorize } from '../../auth/policy.js';
import { withTenant } from '../../db/tenant.js';
import type { RequestContext } from '../../http/context.js';
import type { Services } from '../../services.js';
import { withAuthScope } from '../auth/auth.queries.js';
import { buildCalendar } from './ical.js';
import * as queries from './schedules.queries.js';
import { calendarEvents } from './schedules.service.js';

/**
 * A person's secret subscription link: the token is the key (calendar apps send no sign-in), so
 * only its SHA-256 is kept, it is shown once, and making a new one or revoking ends the old one.
 */

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const FEED_PATH = '/api/v1/calendar/feeds/';

function present(services: Services, feed: { created_at: Date; last_used_at: Date | null } | undefined, token?: string) {
  const url = token ? `${services.config.publicUrl}${FEED_PATH}${token}.ics` : null;
  return {
    active: Boolean(feed),
    url,
    webcal_url: url?.replace(/^https?:/, 'webcal:') ?? null,
    created_at: feed?.created_at.toISOString() ?? null,
    last_used_at: feed?.last_used_at?.toISOString() ?? null,
  };
}

export async function getFeed(services: Services, ctx: RequestContext) {
  authorize(ctx.actor, 'events:read');
  return present(services, await queries.activeFeed(ctx.trx, ctx.organizationId, ctx.actor.userId));
}

export async function createFeed(services: Services, ctx: RequestContext) {
  authorize(ctx.actor, 'events:read');
  const replaced = Number((await queries.revokeFeeds(ctx.trx, ctx.organizationId, ctx.actor.userId)).numUpdatedRows);
  const token = randomBytes(32).toString('base64url');
  const feed = await queries.insertFeed(ctx.trx, { organization_id: ctx.organizationId, user_id: ctx.actor.userId, token_hash: hashOf(token) });
  await ctx.audit({ entityType: 'calendar_feed', entityId: ctx.actor.userId, action: replaced ? 'calendar_feed.replace' : 'calendar_feed.create' });
  return present(services, feed, token);
}

export async function revokeFeed(ctx: RequestContext) {
  authorize(ctx.actor, 'events:read');
  const revoked = Number((await queries.revokeFeeds(ctx.trx, ctx.organizationId, ctx.actor.userId)).numUpdatedRows);
  if (revoked) await ctx.audit({ entityType: 'calendar_feed', entityId: ctx.actor.userId, action: 'calendar_feed.revoke' });
}

/**
 * The calendar behind a token: the person's events from 30 days back to a year ahead, or null
 * when the token is unknown, revoked, or its owner is no longer a member.
 */
export async function feedCalendar(services: Services, token: string): Promise<string | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const feed = await withAuthScope(services.database.db, (trx) => queries.feedByHash(trx, hashOf(token)));
  if (!feed) return null;
  return withTenant(services.database.db, { organizationId: feed.organization_id, userId: feed.user_id }, async (trx) => {
    const member = await queries.membershipRole(trx, feed.organization_id, feed.user_id);
    if (!member?.is_active) return null;
    const org = await trx.selectFrom('organizations').select('name').where('id', '=', feed.organization_id).executeTakeFirstOrThrow();
    const today = DateTime.now().startOf('day');
    const range = { from: today.minus({ days: 30 }).toJSDate(), to: today.plus({ days: 365 }).toJSDate() };
    const { events, occurrences } = await calendarEvents(trx, feed.organization_id, range, feed.user_id);
    await queries.touchFeed(trx, feed.organization_id, feed.id);
    return buildCalendar(`${org.name} — my schedule`, events, occurrences, (e) => `${services.config.publicUrl}/schedule?event=${e.id}`);
  });
}
