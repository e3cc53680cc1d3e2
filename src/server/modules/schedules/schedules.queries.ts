import { sql, type Insertable, type Updateable } from 'kysely';
import type { EventsTable } from '../../db/schema.js';
import type { Tx } from '../../db/tenant.js';

/** Coordinates read as numbers on both engines (numeric arrives as text from node-postgres). */
function events(trx: Tx, organizationId: string) {
  return trx.selectFrom('events as e')
    .leftJoin('productions as p', (j) => j.onRef('p.id', '=', 'e.production_id').onRef('p.organization_id', '=', 'e.organization_id'))
    .select([
      'e.id', 'e.organization_id', 'e.production_id', 'e.series_id', 'e.type', 'e.title', 'e.description', 'e.notes', 'e.call_time_notes', 'e.colour',
      'e.time_zone', 'e.all_day', 'e.starts_at', 'e.ends_at', 'e.rrule', 'e.recurrence_ends_at', 'e.recurrence_capped', 'e.location_name',
      'e.location_address', 'e.virtual_url', 'e.required_roles', 'e.max_participants', 'e.acknowledgment_deadline', 'e.status',
      'e.cancellation_reason', 'e.cancelled_at', 'e.created_by', 'e.created_at', 'e.updated_at', 'p.name as production_name',
      sql<number | null>`e.latitude::float8`.as('latitude'),
      sql<number | null>`e.longitude::float8`.as('longitude'),
    ])
    .where('e.organization_id', '=', organizationId);
}
export type EventRow = NonNullable<Awaited<ReturnType<typeof findEvent>>>;

export function findEvent(trx: Tx, organizationId: string, id: string) {
  return events(trx, organizationId).where('e.id', '=', id).executeTakeFirst();
}

export async function lockEvent(trx: Tx, organizationId: string, id: string) {
  const locked = await trx.selectFrom('events').select('id').where('organization_id', '=', organizationId).where('id', '=', id).forUpdate().executeTakeFirst();
  return locked ? findEvent(trx, organizationId, id) : undefined;
}

/**
 * Events with an occurrence that may touch [from, to): the series spans it, or one of its
 * occurrences was moved into it. Optionally only one person's events.
 */
export function eventsInRange(trx: Tx, organizationId: string, filter: {
  from: Date; to: Date; participantId?: string | undefined; types?: string[] | undefined; productionId?: string | undefined; includeCancelled?: boolean | undefined;
}) {
  // The ids first (a union the planner turns into a semi-join): an OR of the two would scan
  // every event of the organization.
  const spanning = trx.selectFrom('events as r').select('r.id')
    .where('r.organization_id', '=', organizationId)
    .where(sql<boolean>`tstzrange(r.starts_at, r.recurrence_ends_at) && tstzrange(${filter.from}, ${filter.to})`)
    .union(trx.selectFrom('event_exceptions as x').select('x.event_id as id')
      .where('x.organization_id', '=', organizationId).where('x.starts_at', '<', filter.to).where('x.ends_at', '>', filter.from));
  let q = events(trx, organizationId).where('e.id', 'in', spanning);
  if (filter.participantId) {
    q = q.where('e.id', 'in', (eb) => eb.selectFrom('event_participants as ep').select('ep.event_id')
      .where('ep.organization_id', '=', organizationId).where('ep.user_id', '=', filter.participantId!));
  }
  if (filter.types) q = q.where('e.type', 'in', filter.types as EventsTable['type'][]);
  if (filter.productionId) q = q.where('e.production_id', '=', filter.productionId);
  if (!filter.includeCancelled) q = q.where('e.status', '=', 'scheduled');
  return q.orderBy('e.starts_at').limit(2000).execute();
}

export function exceptionsOf(trx: Tx, organizationId: string, eventIds: string[]) {
  if (!eventIds.length) return Promise.resolve([]);
  return trx.selectFrom('event_exceptions')
    .select(['event_id', 'occurrence', 'cancelled', 'cancellation_reason', 'starts_at', 'ends_at', 'title', 'location_name', 'location_address', 'notes'])
    .where('organization_id', '=', organizationId).where('event_id', 'in', eventIds).orderBy('occurrence').execute();
}
export type ExceptionRow = Awaited<ReturnType<typeof exceptionsOf>>[number];

export function participantsOf(trx: Tx, organizationId: string, eventIds: string[], onlyUserId?: string) {
  if (!eventIds.length) return Promise.resolve([]);
  let q = trx.selectFrom('event_participants as ep')
    .innerJoin('users as u', 'u.id', 'ep.user_id')
    .select(['ep.event_id', 'ep.user_id', 'ep.role', 'ep.rsvp', 'ep.responded_at', 'ep.acknowledged_at', 'ep.acknowledgment_note', 'u.email',
      sql<string>`u.first_name || ' ' || u.last_name`.as('name')])
    .where('ep.organization_id', '=', organizationId).where('ep.event_id', 'in', eventIds);
  if (onlyUserId) q = q.where('ep.user_id', '=', onlyUserId);
  return q.orderBy('u.last_name').orderBy('u.first_name').execute();
}
export type ParticipantRow = Awaited<ReturnType<typeof participantsOf>>[number];

/** For lists: how many take part in each event, and the caller's own part. */
export async function participationSummary(trx: Tx, organizationId: string, eventIds: string[], userId: string) {
  if (!eventIds.length) return { counts: new Map<string, number>(), mine: new Map<string, ParticipantRow>() };
  const [counts, mine] = await Promise.all([
    trx.selectFrom('event_participants').select(['event_id', (eb) => eb.fn.countAll<string>().as('n')])
      .where('organization_id', '=', organizationId).where('event_id', 'in', eventIds).groupBy('event_id').execute(),
    participantsOf(trx, organizationId, eventIds, userId),
  ]);
  return { counts: new Map(counts.map((c) => [c.event_id, Number(c.n)])), mine: new Map(mine.map((p) => [p.event_id, p])) };
}

export function attachmentsOf(trx: Tx, organizationId: string, eventId: string) {
  return trx.selectFrom('event_attachments as a').innerJoin('files as f', 'f.id', 'a.file_id')
    .select(['a.file_id', 'f.original_name as filename']).orderBy('f.original_name').orderBy('a.file_id')
    .where('a.organization_id', '=', organizationId).where('a.event_id', '=', eventId).execute();
}

export async function insertEvent(trx: Tx, values: Insertable<EventsTable>): Promise<string> {
  return (await trx.insertInto('events').values(values).returning('id').executeTakeFirstOrThrow()).id;
}

export function updateEvent(trx: Tx, organizationId: string, id: string, values: Updateable<EventsTable>) {
  return trx.updateTable('events').set({ ...values, updated_at: new Date() }).where('organization_id', '=', organizationId).where('id', '=', id).execute();
}

export function upsertException(trx: Tx, values: {
  organization_id: string; event_id: string; occurrence: Date; cancelled?: boolean; cancellation_reason?: string | null;
  starts_at?: Date | null; ends_at?: Date | null; title?: string | null; location_name?: string | null; location_address?: string | null; notes?: string | null;
}) {
  const { organization_id: _o, event_id: _e, occurrence: _x, ...changes } = values;
  return trx.insertInto('event_exceptions').values(values)
    .onConflict((oc) => oc.columns(['event_id', 'occurrence']).doUpdateSet({ ...changes, updated_at: new Date() })).execute();
}

export function replaceExceptions(trx: Tx, organizationId: string, eventId: string, rows: Omit<ExceptionRow, 'event_id'>[]) {
  return trx.deleteFrom('event_exceptions').where('organization_id', '=', organizationId).where('event_id', '=', eventId).execute()
    .then(() => rows.length ? trx.insertInto('event_exceptions').values(rows.map((r) => ({ ...r, organization_id: organizationId, event_id: eventId }))).execute() : []);
}

export function insertParticipants(trx: Tx, rows: { organization_id: string; event_id: string; user_id: string; role: string | null; rsvp?: ParticipantRow['rsvp']; responded_at?: Date | null; acknowledged_at?: Date | null; acknowledgment_note?: string | null }[]) {
  return rows.length ? trx.insertInto('event_participants').values(rows).execute() : Promise.resolve([]);
}

export function removeParticipants(trx: Tx, organizationId: string, eventId: string, userIds: string[]) {
  return userIds.length
    ? trx.deleteFrom('event_participants').where('organization_id', '=', organizationId).where('event_id', '=', eventId).where('user_id', 'in', userIds).execute()
    : Promise.resolve([]);
}

export function updateParticipant(trx: Tx, organizationId: string, eventId: string, userId: string, values: {
  role?: string | null; rsvp?: ParticipantRow['rsvp']; responded_at?: Date; acknowledged_at?: Date; acknowledgment_note?: string | null;
}) {
  return trx.updateTable('event_participants').set(values)
    .where('organization_id', '=', organizationId).where('event_id', '=', eventId).where('user_id', '=', userId).execute();
}

/** Members of the organization among `userIds` whose membership has not ended. */
export async function activeMembers(trx: Tx, organizationId: string, userIds: string[]): Promise<Set<string>> {
  if (!userIds.length) return new Set();
  const rows = await trx.selectFrom('memberships as m').innerJoin('users as u', 'u.id', 'm.user_id').select('m.user_id')
    .where('m.organization_id', '=', organizationId).where('m.user_id', 'in', userIds).where('u.deleted_at', 'is', null)
    .where((eb) => eb.or([eb('m.end_date', 'is', null), eb('m.end_date', '>=', sql<string>`CURRENT_DATE`)])).execute();
  return new Set(rows.map((r) => r.user_id));
}

/** General uploads (not contracts, receipts or signed copies) among these ids, with who uploaded each. */
export function attachableFiles(trx: Tx, organizationId: string, fileIds: string[]) {
  if (!fileIds.length) return Promise.resolve([]);
  return trx.selectFrom('files').select(['id', 'uploaded_by']).where('organization_id', '=', organizationId).where('id', 'in', fileIds)
    .where('purpose', '=', 'attachment').where('deleted_at', 'is', null).execute();
}

export function removeAttachments(trx: Tx, organizationId: string, eventId: string, fileIds: string[]) {
  if (!fileIds.length) return Promise.resolve([]);
  return trx.deleteFrom('event_attachments').where('organization_id', '=', organizationId).where('event_id', '=', eventId).where('file_id', 'in', fileIds).execute();
}

export function insertAttachments(trx: Tx, rows: { organization_id: string; event_id: string; file_id: string }[]) {
  return rows.length ? trx.insertInto('event_attachments').values(rows).onConflict((oc) => oc.doNothing()).execute() : Promise.resolve([]);
}

export function recordUpdate(trx: Tx, values: { organization_id: string; event_id: string; occurrence: Date | null; change: string; previous: object; current: object; changed_by: string | null }) {
  return trx.insertInto('event_updates').values({ ...values, previous: JSON.stringify(values.previous), current: JSON.stringify(values.current) }).execute();
}

export function listUpdates(trx: Tx, organizationId: string, eventId: string) {
  return trx.selectFrom('event_updates as x').leftJoin('users as u', 'u.id', 'x.changed_by')
    .select(['x.id', 'x.occurrence', 'x.change', 'x.previous', 'x.current', 'x.changed_by', 'x.created_at',
      sql<string | null>`u.first_name || ' ' || u.last_name`.as('changed_by_name')])
    .where('x.organization_id', '=', organizationId).where('x.event_id', '=', eventId)
    .orderBy('x.created_at', 'desc').orderBy('x.id').limit(500).execute();
}

export function findAttendance(trx: Tx, organizationId: string, eventId: string, userId: string, occurrence: Date) {
  return trx.selectFrom('event_attendance').selectAll()
    .where('organization_id', '=', organizationId).where('event_id', '=', eventId).where('user_id', '=', userId).where('occurrence', '=', occurrence)
    .forUpdate().executeTakeFirst();
}

export function saveAttendance(trx: Tx, values: { organization_id: string; event_id: string; user_id: string; occurrence: Date; checked_in_at: Date | null; checked_out_at: Date | null; recorded_by: string }) {
  return trx.insertInto('event_attendance').values(values)
    .onConflict((oc) => oc.columns(['event_id', 'user_id', 'occurrence']).doUpdateSet({ checked_in_at: values.checked_in_at, checked_out_at: values.checked_out_at, recorded_by: values.recorded_by }))
    .returningAll().executeTakeFirstOrThrow();
}

// Calendar feeds --------------------------------------------------------------------------------

export function activeFeed(trx: Tx, organizationId: string, userId: string) {
  return trx.selectFrom('calendar_feeds').select(['id', 'created_at', 'last_used_at'])
    .where('organization_id', '=', organizationId).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
}

export function revokeFeeds(trx: Tx, organizationId: string, userId: string) {
  return trx.updateTable('calendar_feeds').set({ revoked_at: new Date() })
    .where('organization_id', '=', organizationId).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
}

export function insertFeed(trx: Tx, values: { organization_id: string; user_id: string; token_hash: string }) {
  return trx.insertInto('calendar_feeds').values(values).returning(['created_at', 'last_used_at']).executeTakeFirstOrThrow();
}

export function feedByHash(trx: Tx, tokenHash: string) {
  return trx.selectFrom('calendar_feeds').select(['id', 'organization_id', 'user_id'])
    .where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).executeTakeFirst();
}

export function touchFeed(trx: Tx, organizationId: string, id: string) {
  return trx.updateTable('calendar_feeds').set({ last_used_at: new Date() }).where('organization_id', '=', organizationId).where('id', '=', id).execute();
}

export function membershipRole(trx: Tx, organizationId: string, userId: string) {
  return trx.selectFrom('memberships as m').innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.role', 'u.timezone', 'u.is_active'])
    .where('m.organization_id', '=', organizationId).where('m.user_id', '=', userId).where('u.deleted_at', 'is', null)
    .where((eb) => eb.or([eb('m.end_date', 'is', null), eb('m.end_date', '>=', sql<string>`CURRENT_DATE`)])).executeTakeFirst();
}

export async function organizationTimeZone(trx: Tx, organizationId: string): Promise<{ timezone: string; minTurnaroundHours: number }> {
  const org = await trx.selectFrom('organizations').select('settings').where('id', '=', organizationId).executeTakeFirstOrThrow();
  const settings = org.settings as { timezone?: unknown; schedule_min_turnaround_hours?: unknown };
  return {
    timezone: typeof settings.timezone === 'string' ? settings.timezone : 'UTC',
    minTurnaroundHours: typeof settings.schedule_min_turnaround_hours === 'number' ? settings.schedule_min_turnaround_hours : 10,
  };
}

export async function userTimeZone(trx: Tx, userId: string): Promise<string | null> {
  const row = await trx.selectFrom('users as u').leftJoin('artist_profiles as ap', 'ap.user_id', 'u.id')
    .select(['u.timezone', 'ap.preferred_timezone']).where('u.id', '=', userId).executeTakeFirst();
  return row?.preferred_timezone ?? row?.timezone ?? null;
}

export async function productionExists(trx: Tx, organizationId: string, id: string): Promise<boolean> {
  return Boolean(await trx.selectFrom('productions').select('id').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst());
}
