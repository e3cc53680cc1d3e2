import { DateTime } from 'luxon';
import { allowedActions, authorize, can } from '../../auth/policy.js';
import type { Actor } from '../../auth/tokens.js';
import type { Role } from '../../db/schema.js';
import type { Tx } from '../../db/tenant.js';
import { signDownload, SIGNED_URL_TTL_SECONDS } from '../../files/signed-url.js';
import type { RequestContext } from '../../http/context.js';
import { AppError, notFound, type FieldError } from '../../http/errors.js';
import { notify } from '../notifications/notifications.service.js';
import { cancelReminders, scheduleReminders } from '../notifications/reminders.js';
import { findConflicts, type Conflict, type Person } from './conflicts.js';
import { findOccurrence, overlaps, resolveOccurrences, type ResolvedOccurrence } from './occurrences.js';
import { expandSeries, instantOf, planSeries, startOfDate, wallClock, withCount } from './recurrence.js';
import * as queries from './schedules.queries.js';
import type { EventRow, ExceptionRow, ParticipantRow } from './schedules.queries.js';
import type { CreateEventInput, ListEventsQuery, RangeQuery, Scope, UpdateEventInput } from './schedules.schemas.js';

/** Roles whose open screens follow every schedule change (they see everyone's events). */
const OFFICE_ROLES: Role[] = ['admin', 'system_admin', 'production_manager', 'accountant', 'finance_director'];
const MAX_RANGE_DAYS = 400;
const MAX_OCCURRENCES_ANSWERED = 2000;
const MAX_EVENT_DAYS = 31;

const eventNotFound = () => new AppError('event_not_found', 'Event not found');
const invalid = (field: string, message: string) => new AppError('validation_error', message, [{ field, message }]);

/** Office roles see every event; others only those they take part in. */
const seesAll = (actor: Actor) => can(actor, 'events:read', { ownerId: null });

// ---------------------------------------------------------------------------------------------
// Times

/** The instants an event's first occurrence starts and ends, from its wall-clock (or offset) values. */
function resolveTimes(values: { start: string; end: string; allDay: boolean; timeZone: string }) {
  if (values.allDay) {
    const startDate = values.start.slice(0, 10);
    const endDate = values.end.slice(0, 10);
    const start = startOfDate(startDate, values.timeZone);
    const lastDay = startOfDate(endDate, values.timeZone);
    if (!start) throw invalid('body.start', 'Not a date');
    if (!lastDay) throw invalid('body.end', 'Not a date');
    if (endDate < startDate) throw invalid('body.end', 'The end is before the start');
    return { start, end: DateTime.fromJSDate(lastDay, { zone: values.timeZone }).plus({ days: 1 }).toJSDate() };
  }
  if (!values.start.includes('T')) throw invalid('body.start', 'Give a time, or make the event all-day');
  if (!values.end.includes('T')) throw invalid('body.end', 'Give a time, or make the event all-day');
  const start = instantOf(values.start, values.timeZone);
  const end = instantOf(values.end, values.timeZone);
  if (!start) throw invalid('body.start', 'Not a valid date and time');
  if (!end) throw invalid('body.end', 'Not a valid date and time');
  if (end <= start) throw invalid('body.end', 'The end is before the start');
  if (end.getTime() - start.getTime() > MAX_EVENT_DAYS * 86_400_000) throw invalid('body.end', `An event lasts at most ${MAX_EVENT_DAYS} days`);
  return { start, end };
}

/** The inclusive last date of an all-day event, or the wall-clock end of a timed one. */
function wallEnd(event: { ends_at: Date; time_zone: string; all_day: boolean }): string {
  return event.all_day
    ? DateTime.fromJSDate(event.ends_at, { zone: event.time_zone }).minus({ days: 1 }).toISODate()!
    : wallClock(event.ends_at, event.time_zone);
}

function describeWhen(start: Date, end: Date, zone: string, allDay: boolean): string {
  const s = DateTime.fromJSDate(start, { zone }).setLocale('en-GB');
  if (allDay) return s.toFormat('cccc d LLLL yyyy');
  return `${s.toFormat('cccc d LLLL yyyy, HH:mm')}–${DateTime.fromJSDate(end, { zone }).toFormat('HH:mm')} (${zone.replace(/_/g, ' ')})`;
}

/** What the history keeps of an event. */
function snapshot(e: EventRow) {
  return {
    type: e.type, title: e.title, time_zone: e.time_zone, all_day: e.all_day, start: wallClock(e.starts_at, e.time_zone, e.all_day), end: wallEnd(e),
    rrule: e.rrule, location_name: e.location_name, location_address: e.location_address, virtual_url: e.virtual_url, latitude: e.latitude, longitude: e.longitude,
    description: e.description, notes: e.notes, call_time_notes: e.call_time_notes, colour: e.colour, production_id: e.production_id,
    required_roles: e.required_roles, max_participants: e.max_participants, acknowledgment_deadline: e.acknowledgment_deadline?.toISOString() ?? null,
    status: e.status, cancellation_reason: e.cancellation_reason,
  };
}

function diff<T extends Record<string, unknown>>(before: T, after: T) {
  const previous: Record<string, unknown> = {};
  const current: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      previous[key] = before[key];
      current[key] = after[key];
    }
  }
  return { previous, current, changed: Object.keys(current) };
}

/** Changes participants must hear about: when and where. */
const MATTERS = new Set(['start', 'end', 'time_zone', 'all_day', 'rrule', 'location_name', 'location_address', 'virtual_url', 'status']);

// ---------------------------------------------------------------------------------------------
// Presenting

const presentLocation = (e: { location_name: string | null; location_address: string | null; latitude: number | null; longitude: number | null; virtual_url: string | null }, name = e.location_name, address = e.location_address) =>
  name || address || e.latitude !== null || e.virtual_url
    ? { name, address, latitude: e.latitude, longitude: e.longitude, virtual_url: e.virtual_url }
    : null;

const presentParticipation = (p: ParticipantRow | undefined) => p
  ? { role: p.role, rsvp: p.rsvp, acknowledged_at: p.acknowledged_at?.toISOString() ?? null, acknowledgment_note: p.acknowledgment_note }
  : null;

function localOf(instant: Date, zone: string, allDay: boolean, eventZone: string, isEnd = false): string {
  if (!allDay) return wallClock(instant, zone);
  // All-day events keep their dates wherever one looks from; the end is the last day.
  const local = DateTime.fromJSDate(instant, { zone: eventZone });
  return (isEnd ? local.minus({ days: 1 }) : local).toISODate()!;
}

function presentOccurrence(o: ResolvedOccurrence, zone: string, participantCount: number, mine: ParticipantRow | undefined) {
  const e = o.event;
  return {
    event_id: e.id,
    occurrence: o.occurrence.toISOString(),
    starts_at: o.start.toISOString(),
    ends_at: o.end.toISOString(),
    local_start: localOf(o.start, zone, e.all_day, e.time_zone),
    local_end: localOf(o.end, zone, e.all_day, e.time_zone, true),
    time_zone: zone,
    event_time_zone: e.time_zone,
    all_day: e.all_day,
    type: e.type,
    title: o.title,
    colour: e.colour,
    location: presentLocation(e, o.locationName, o.locationAddress),
    production_id: e.production_id,
    production_name: e.production_name,
    status: o.cancelled ? 'cancelled' as const : 'scheduled' as const,
    cancellation_reason: o.cancellationReason,
    recurring: Boolean(e.rrule),
    modified: o.modified,
    participant_count: participantCount,
    acknowledgment_deadline: e.acknowledgment_deadline?.toISOString() ?? null,
    my_participation: presentParticipation(mine),
  };
}

async function detail(ctx: RequestContext, event: EventRow, conflicts?: Conflict[]) {
  const [participants, exceptions, attachments] = await Promise.all([
    queries.participantsOf(ctx.trx, ctx.organizationId, [event.id]),
    queries.exceptionsOf(ctx.trx, ctx.organizationId, [event.id]),
    queries.attachmentsOf(ctx.trx, ctx.organizationId, event.id),
  ]);
  const mine = participants.find((p) => p.user_id === ctx.actor.userId);
  return {
    id: event.id,
    type: event.type,
    title: event.title,
    description: event.description,
    notes: event.notes,
    call_time_notes: event.call_time_notes,
    colour: event.colour,
    time_zone: event.time_zone,
    all_day: event.all_day,
    start: wallClock(event.starts_at, event.time_zone, event.all_day),
    end: wallEnd(event),
    starts_at: event.starts_at.toISOString(),
    ends_at: event.ends_at.toISOString(),
    rrule: event.rrule,
    recurrence_capped: event.recurrence_capped,
    recurrence_ends_at: event.rrule ? event.recurrence_ends_at.toISOString() : null,
    series_id: event.series_id,
    location: presentLocation(event),
    production_id: event.production_id,
    production_name: event.production_name,
    required_roles: event.required_roles,
    max_participants: event.max_participants,
    acknowledgment_deadline: event.acknowledgment_deadline?.toISOString() ?? null,
    status: event.status,
    cancellation_reason: event.cancellation_reason,
    ...(seesAll(ctx.actor)
      ? { participants: participants.map((p) => ({ user_id: p.user_id, name: p.name, email: p.email, ...presentParticipation(p)! })) }
      : {}),
    exceptions: exceptions.map((x) => ({
      occurrence: x.occurrence.toISOString(), cancelled: x.cancelled, cancellation_reason: x.cancellation_reason,
      starts_at: x.starts_at?.toISOString() ?? null, ends_at: x.ends_at?.toISOString() ?? null, title: x.title,
      location_name: x.location_name, location_address: x.location_address, notes: x.notes,
    })),
    attachments,
    my_participation: presentParticipation(mine),
    allowed_actions: allowedActions(ctx.actor, ['events:write', 'events:respond']).filter((a) => a !== 'events:respond' || mine),
    created_at: event.created_at.toISOString(),
    updated_at: event.updated_at.toISOString(),
    ...(conflicts ? { conflicts } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Loading with visibility

async function visibleEvent(ctx: RequestContext, id: string, lock = false): Promise<EventRow> {
  const event = lock ? await queries.lockEvent(ctx.trx, ctx.organizationId, id) : await queries.findEvent(ctx.trx, ctx.organizationId, id);
  if (!event) throw eventNotFound();
  if (!seesAll(ctx.actor)) {
    const mine = await queries.participantsOf(ctx.trx, ctx.organizationId, [id]);
    if (!mine.some((p) => p.user_id === ctx.actor.userId)) throw eventNotFound();
  }
  return event;
}

async function writableEvent(ctx: RequestContext, id: string): Promise<EventRow> {
  authorize(ctx.actor, 'events:write');
  const event = await queries.lockEvent(ctx.trx, ctx.organizationId, id);
  if (!event) throw eventNotFound();
  if (event.status === 'cancelled') throw new AppError('conflict', 'This event is cancelled: it can no longer be changed');
  return event;
}

async function requireOccurrence(event: EventRow, exceptions: readonly ExceptionRow[], occurrence: string, field: string) {
  const found = findOccurrence(event, exceptions, new Date(occurrence));
  if (!found) throw invalid(field, 'The event has no occurrence starting then (name it by its original start)');
  return found;
}

// ---------------------------------------------------------------------------------------------
// Telling people

const eventLink = (id: string, occurrence?: Date) => `/schedule?event=${id}${occurrence ? `&occurrence=${encodeURIComponent(occurrence.toISOString())}` : ''}`;

function publishChange(ctx: RequestContext, eventId: string, change: string, userIds: readonly string[], occurrence?: Date) {
  const data = { event_id: eventId, change, occurrence: occurrence?.toISOString() ?? null };
  ctx.publish({ type: 'schedule.changed', organizationId: ctx.organizationId, roles: OFFICE_ROLES, data });
  for (const userId of new Set(userIds)) ctx.publish({ type: 'schedule.changed', organizationId: ctx.organizationId, userId, data });
}

async function tell(ctx: RequestContext, recipients: readonly string[], subject: string, body: string, link: string, data: Record<string, unknown>) {
  const others = recipients.filter((id) => id !== ctx.actor.userId);
  if (others.length) await notify(ctx, { type: 'schedule_change', recipients: others, subject, body, link, data });
}

/**
 * Reminders a day and two hours before each future occurrence, to the people taking part (not
 * those who declined). Rescheduled as a whole whenever the event or its people change.
 */
/** The 24 h / 2 h reminders and the acknowledgment reminder of an event, rebuilt from its current state. */
export async function syncReminders(ctx: Pick<RequestContext, 'trx' | 'organizationId'>, eventId: string) {
  await cancelReminders(ctx.trx, ctx.organizationId, `event:${eventId}:`);
  const event = await queries.findEvent(ctx.trx, ctx.organizationId, eventId);
  if (!event || event.status === 'cancelled') return;
  const [participants, exceptions] = await Promise.all([
    queries.participantsOf(ctx.trx, ctx.organizationId, [eventId]),
    queries.exceptionsOf(ctx.trx, ctx.organizationId, [eventId]),
  ]);
  const recipients = participants.filter((p) => p.rsvp !== 'declined').map((p) => p.user_id);
  if (!recipients.length) return;
  const now = Date.now();
  const rows = [];
  // A day before the acknowledgment deadline, those who have not acknowledged yet are asked to.
  const unacknowledged = participants.filter((p) => p.rsvp !== 'declined' && !p.acknowledged_at).map((p) => p.user_id);
  const deadline = event.acknowledgment_deadline;
  if (deadline && unacknowledged.length && deadline.getTime() - 86_400_000 > now) {
    rows.push({
      key: `event:${eventId}:acknowledge`,
      fireAt: new Date(deadline.getTime() - 86_400_000),
      notification: {
        type: 'schedule_reminder' as const,
        recipients: unacknowledged,
        subject: `Please acknowledge: ${event.title}`,
        body: `The production team asks you to acknowledge this call by ${DateTime.fromJSDate(deadline, { zone: event.time_zone }).setLocale('en-GB').toFormat('cccc d LLLL, HH:mm')} (${event.time_zone.replace(/_/g, ' ')}).`,
        link: eventLink(eventId),
        data: { event_id: eventId },
      },
    });
  }
  for (const o of resolveOccurrences(event, exceptions)) {
    if (o.cancelled || o.start.getTime() <= now) continue;
    for (const [label, hours, words] of [['24h', 24, 'Tomorrow'], ['2h', 2, 'In 2 hours']] as const) {
      const fireAt = new Date(o.start.getTime() - hours * 3_600_000);
      if (fireAt.getTime() <= now) continue;
      const place = [o.locationName, o.locationAddress].filter(Boolean).join(', ');
      rows.push({
        key: `event:${eventId}:${o.occurrence.toISOString()}:${label}`,
        fireAt,
        notification: {
          type: 'schedule_reminder' as const,
          recipients,
          subject: `${words}: ${o.title}`,
          body: `${describeWhen(o.start, o.end, event.time_zone, event.all_day)}${place ? ` at ${place}` : ''}.${event.call_time_notes ? ` Call: ${event.call_time_notes}` : ''}`,
          link: eventLink(eventId, o.occurrence),
          data: { event_id: eventId, occurrence: o.occurrence.toISOString() },
        },
      });
    }
  }
  await scheduleReminders(ctx.trx, ctx.organizationId, rows);
}

// ---------------------------------------------------------------------------------------------
// Conflicts

/** What one event's occurrences collide with, from the events around them. */
async function conflictsFor(ctx: RequestContext, eventIds: readonly string[]): Promise<Conflict[]> {
  const focus = await Promise.all(eventIds.map((id) => queries.findEvent(ctx.trx, ctx.organizationId, id)));
  const live = focus.filter((e): e is EventRow => Boolean(e && e.status === 'scheduled'));
  if (!live.length) return [];
  const { minTurnaroundHours } = await queries.organizationTimeZone(ctx.trx, ctx.organizationId);
  const margin = Math.max(minTurnaroundHours, 24) * 3_600_000;
  const from = new Date(Math.min(...live.map((e) => e.starts_at.getTime())) - margin);
  const to = new Date(Math.max(...live.map((e) => e.recurrence_ends_at.getTime())) + margin);
  return conflictsIn(ctx, from, to, minTurnaroundHours, new Set(live.map((e) => e.id)));
}

async function conflictsIn(ctx: RequestContext, from: Date, to: Date, minTurnaroundHours: number, focus?: ReadonlySet<string>) {
  const events = await queries.eventsInRange(ctx.trx, ctx.organizationId, { from, to });
  const ids = events.map((e) => e.id);
  const [exceptions, participants] = await Promise.all([
    queries.exceptionsOf(ctx.trx, ctx.organizationId, ids),
    queries.participantsOf(ctx.trx, ctx.organizationId, ids),
  ]);
  const people = new Map<string, Person[]>();
  for (const p of participants) {
    const list = people.get(p.event_id);
    if (list) list.push(p);
    else people.set(p.event_id, [p]);
  }
  const occurrences = events.flatMap((e) => resolveOccurrences(e, exceptions).filter((o) => overlaps(o, from, to)));
  return findConflicts(occurrences, people, minTurnaroundHours, focus);
}

// ---------------------------------------------------------------------------------------------
// Ranges

async function answerZone(ctx: RequestContext, tz: string | undefined) {
  const org = await queries.organizationTimeZone(ctx.trx, ctx.organizationId);
  return { zone: tz ?? (await queries.userTimeZone(ctx.trx, ctx.actor.userId)) ?? org.timezone, org };
}

/** [from, to) from dates (read in `zone`, `to` inclusive) or instants; without them, `back` days before today to `ahead` days after. */
function resolveRange(query: { from?: string | undefined; to?: string | undefined }, zone: string, defaults: { back: number; ahead: number }) {
  const read = (value: string, isEnd: boolean) => {
    if (value.includes('T')) return instantOf(value, zone);
    const day = startOfDate(value, zone);
    return day && isEnd ? DateTime.fromJSDate(day, { zone }).plus({ days: 1 }).toJSDate() : day;
  };
  const today = DateTime.now().setZone(zone).startOf('day');
  const from = query.from ? read(query.from, false) : today.minus({ days: defaults.back }).toJSDate();
  const to = query.to ? read(query.to, true) : DateTime.fromJSDate(from ?? today.toJSDate(), { zone }).plus({ days: defaults.ahead + defaults.back }).toJSDate();
  if (!from) throw invalid('query.from', 'Not a valid date');
  if (!to) throw invalid('query.to', 'Not a valid date');
  if (to <= from) throw invalid('query.to', '`to` is before `from`');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) throw invalid('query.to', `Ask for at most ${MAX_RANGE_DAYS} days at once`);
  return { from, to };
}

/** Whose events the actor asks for: office roles anyone's (or all), others only their own. */
function participantFilter(actor: Actor, asked: string | undefined) {
  if (seesAll(actor)) return asked;
  if (asked && asked !== actor.userId) throw new AppError('forbidden', 'You can see only your own schedule');
  return actor.userId;
}

/** The events of a range with their exceptions (cancelled ones too: they are told apart later). */
async function seriesInRange(trx: Tx, organizationId: string, filter: Parameters<typeof queries.eventsInRange>[2]) {
  const events = await queries.eventsInRange(trx, organizationId, { ...filter, includeCancelled: true });
  return { events, exceptions: await queries.exceptionsOf(trx, organizationId, events.map((e) => e.id)) };
}

export async function listEvents(ctx: RequestContext, query: ListEventsQuery) {
  authorize(ctx.actor, 'events:read');
  const { zone } = await answerZone(ctx, query.tz);
  const { from, to } = resolveRange(query, zone, { back: 0, ahead: 30 });
  const { events, exceptions } = await seriesInRange(ctx.trx, ctx.organizationId, {
    from, to, participantId: participantFilter(ctx.actor, query.participant_id), types: query.types, productionId: query.production_id,
  });
  const { counts, mine } = await queries.participationSummary(ctx.trx, ctx.organizationId, events.map((e) => e.id), ctx.actor.userId);
  const occurrences = events
    .flatMap((e) => resolveOccurrences(e, exceptions))
    .filter((o) => overlaps(o, from, to) && (query.include_cancelled || !o.cancelled))
    .sort((a, b) => a.start.getTime() - b.start.getTime() || a.title.localeCompare(b.title));
  return {
    data: occurrences.slice(0, MAX_OCCURRENCES_ANSWERED).map((o) => presentOccurrence(o, zone, counts.get(o.event.id) ?? 0, mine.get(o.event.id))),
    time_zone: zone,
    from: from.toISOString(),
    to: to.toISOString(),
    truncated: occurrences.length > MAX_OCCURRENCES_ANSWERED,
  };
}

export async function getEvent(ctx: RequestContext, id: string) {
  authorize(ctx.actor, 'events:read');
  return detail(ctx, await visibleEvent(ctx, id));
}

/** A 15-minute link to one of an event's attachments, for anyone who sees the event. */
export async function attachmentLink(ctx: RequestContext, id: string, fileId: string, secret: string, publicUrl: string) {
  authorize(ctx.actor, 'events:read');
  const event = await visibleEvent(ctx, id);
  const attachment = (await queries.attachmentsOf(ctx.trx, ctx.organizationId, event.id)).find((a) => a.file_id === fileId);
  if (!attachment) throw notFound('Attachment');
  const expiresAt = Math.floor(Date.now() / 1000) + SIGNED_URL_TTL_SECONDS;
  const token = signDownload(secret, { fileId, organizationId: ctx.organizationId, expiresAt });
  await ctx.audit({ entityType: 'event', entityId: event.id, action: 'event.attachment_link', after: { file_id: fileId } });
  return { url: `${publicUrl}/api/v1/files/download/${token}`, expires_at: new Date(expiresAt * 1000).toISOString() };
}

export async function listConflicts(ctx: RequestContext, query: RangeQuery) {
  authorize(ctx.actor, 'events:read', { ownerId: null });
  const { zone, org } = await answerZone(ctx, query.tz);
  const { from, to } = resolveRange(query, zone, { back: 0, ahead: 30 });
  return { data: await conflictsIn(ctx, from, to, org.minTurnaroundHours), from: from.toISOString(), to: to.toISOString() };
}

// ---------------------------------------------------------------------------------------------
// Creating and changing

async function checkParticipants(ctx: RequestContext, list: readonly { user_id: string }[], max: number | null) {
  if (max !== null && list.length > max) throw invalid('body.participants', `At most ${max} participants`);
  const members = await queries.activeMembers(ctx.trx, ctx.organizationId, list.map((p) => p.user_id));
  const missing: FieldError[] = list.flatMap((p, i) => (members.has(p.user_id) ? [] : [{ field: `body.participants.${i}.user_id`, message: 'No such member' }]));
  if (missing.length) throw new AppError('not_found', 'Member not found', missing);
}

async function checkReferences(ctx: RequestContext, input: { production_id?: string | null | undefined; attachment_file_ids?: string[] | undefined }) {
  if (input.production_id && !(await queries.productionExists(ctx.trx, ctx.organizationId, input.production_id))) {
    throw new AppError('not_found', 'Production not found', [{ field: 'body.production_id', message: 'No such production' }]);
  }
  await checkAttachable(ctx, input.attachment_file_ids ?? [], 'body.attachment_file_ids');
}

/**
 * Only files uploaded as attachments that the person could open themselves may be attached: a
 * contract or a receipt attached here would be shown to every participant. Files the event
 * already carries stay allowed.
 */
async function checkAttachable(ctx: RequestContext, fileIds: readonly string[], field: string, attached: ReadonlySet<string> = new Set()) {
  const candidates = fileIds.filter((id) => !attached.has(id));
  if (!candidates.length) return;
  const files = await queries.attachableFiles(ctx.trx, ctx.organizationId, candidates);
  const allowed = new Set(files.filter((f) => can(ctx.actor, 'files:read', { ownerId: f.uploaded_by })).map((f) => f.id));
  const missing = fileIds.flatMap((id, i) => (attached.has(id) || allowed.has(id) ? [] : [{ field: `${field}.${i}`, message: 'No such file' }]));
  if (missing.length) throw new AppError('not_found', 'File not found', missing);
}

function locationColumns(location: CreateEventInput['location'], before?: EventRow) {
  if (location === undefined) return {};
  if (location === null) return { location_name: null, location_address: null, latitude: null, longitude: null, virtual_url: null };
  const keep = <K extends 'location_name' | 'location_address' | 'latitude' | 'longitude' | 'virtual_url'>(key: K, value: EventRow[K] | undefined) =>
    value !== undefined ? value : (before?.[key] ?? null);
  return {
    location_name: keep('location_name', location.name),
    location_address: keep('location_address', location.address),
    latitude: keep('latitude', location.latitude),
    longitude: keep('longitude', location.longitude),
    virtual_url: keep('virtual_url', location.virtual_url),
  };
}

export async function createEvent(ctx: RequestContext, input: CreateEventInput) {
  authorize(ctx.actor, 'events:write');
  const allDay = input.all_day ?? false;
  const { start, end } = resolveTimes({ start: input.start, end: input.end, allDay, timeZone: input.time_zone });
  const plan = planSeries({ timeZone: input.time_zone, allDay, start, end, rrule: input.rrule ?? null });
  const participants = input.participants ?? [];
  await checkParticipants(ctx, participants, input.max_participants ?? null);
  await checkReferences(ctx, input);
  const id = await queries.insertEvent(ctx.trx, {
    organization_id: ctx.organizationId,
    production_id: input.production_id ?? null,
    type: input.type,
    title: input.title,
    description: input.description ?? null,
    notes: input.notes ?? null,
    call_time_notes: input.call_time_notes ?? null,
    colour: input.colour ?? null,
    time_zone: input.time_zone,
    all_day: allDay,
    starts_at: plan.startsAt,
    ends_at: plan.endsAt,
    rrule: plan.rrule,
    recurrence_ends_at: plan.recurrenceEndsAt,
    recurrence_capped: plan.capped,
    ...locationColumns(input.location ?? null),
    required_roles: input.required_roles ?? [],
    max_participants: input.max_participants ?? null,
    acknowledgment_deadline: input.acknowledgment_deadline ?? null,
    created_by: ctx.actor.userId,
  });
  await queries.insertParticipants(ctx.trx, participants.map((p) => ({ organization_id: ctx.organizationId, event_id: id, user_id: p.user_id, role: p.role ?? null })));
  await queries.insertAttachments(ctx.trx, (input.attachment_file_ids ?? []).map((file_id) => ({ organization_id: ctx.organizationId, event_id: id, file_id })));
  const event = (await queries.findEvent(ctx.trx, ctx.organizationId, id))!;
  const after = snapshot(event);
  await queries.recordUpdate(ctx.trx, { organization_id: ctx.organizationId, event_id: id, occurrence: null, change: 'created', previous: {}, current: after, changed_by: ctx.actor.userId });
  await ctx.audit({ entityType: 'event', entityId: id, action: 'create', after: { ...after, participants } });
  const recipients = participants.map((p) => p.user_id);
  await tell(ctx, recipients, `New on your schedule: ${event.title}`,
    `${describeWhen(event.starts_at, event.ends_at, event.time_zone, event.all_day)}${event.rrule ? ', repeating' : ''}${event.location_name ? ` at ${event.location_name}` : ''}.`,
    eventLink(id), { event_id: id, change: 'created' });
  await syncReminders(ctx, id);
  publishChange(ctx, id, 'created', recipients);
  return detail(ctx, event, await conflictsFor(ctx, [id]));
}

/** Changes every occurrence (scope all); a move of the series keeps each exception on its occurrence. */
async function changeSeries(ctx: RequestContext, before: EventRow, input: UpdateEventInput) {
  const timeZone = input.time_zone ?? before.time_zone;
  const allDay = input.all_day ?? before.all_day;
  const values: Record<string, unknown> = {};
  const timing = input.start !== undefined || input.end !== undefined || input.time_zone !== undefined || input.all_day !== undefined || input.rrule !== undefined;
  if (timing) {
    const start = input.start ?? wallClock(before.starts_at, before.time_zone, allDay);
    let end = input.end;
    if (end === undefined) {
      // Only the start moved: the event keeps its length (an hour, or a day, when its kind changes).
      if (allDay) {
        const days = before.all_day ? Math.max(1, Math.round((before.ends_at.getTime() - before.starts_at.getTime()) / 86_400_000)) : 1;
        end = DateTime.fromISO(start.slice(0, 10)).plus({ days: days - 1 }).toISODate() ?? start;
      } else {
        const startInstant = instantOf(start, timeZone);
        const length = before.all_day ? 3_600_000 : before.ends_at.getTime() - before.starts_at.getTime();
        end = startInstant ? new Date(startInstant.getTime() + length).toISOString() : start;
      }
    }
    const times = resolveTimes({ start, end, allDay, timeZone });
    const rrule = input.rrule !== undefined ? input.rrule : before.rrule;
    const plan = planSeries({ timeZone, allDay, start: times.start, end: times.end, rrule });
    Object.assign(values, {
      time_zone: timeZone, all_day: allDay, starts_at: plan.startsAt, ends_at: plan.endsAt, rrule: plan.rrule,
      recurrence_ends_at: plan.recurrenceEndsAt, recurrence_capped: plan.capped,
    });
    // Exceptions follow their occurrence by position (the third Tuesday stays the third).
    const exceptions = await queries.exceptionsOf(ctx.trx, ctx.organizationId, [before.id]);
    if (exceptions.length) {
      const old = expandSeries({ timeZone: before.time_zone, allDay: before.all_day, startsAt: before.starts_at, endsAt: before.ends_at, rrule: before.rrule });
      const index = new Map(old.map((o, i) => [o.start.getTime(), i]));
      const moved = exceptions.flatMap((x) => {
        const target = plan.occurrences[index.get(x.occurrence.getTime()) ?? -1];
        return target ? [{ ...x, occurrence: target.start }] : [];
      });
      await queries.replaceExceptions(ctx.trx, ctx.organizationId, before.id, moved.map(({ event_id: _e, ...x }) => x));
    }
  }
  for (const key of ['type', 'title', 'description', 'notes', 'call_time_notes', 'colour', 'production_id', 'required_roles', 'max_participants', 'acknowledgment_deadline'] as const) {
    if (input[key] !== undefined) values[key] = input[key];
  }
  Object.assign(values, locationColumns(input.location, before));
  if (input.max_participants) {
    const count = (await queries.participantsOf(ctx.trx, ctx.organizationId, [before.id])).length;
    if (count > input.max_participants) throw invalid('body.max_participants', `${count} people already take part`);
  }
  await queries.updateEvent(ctx.trx, ctx.organizationId, before.id, values);
  return (await queries.findEvent(ctx.trx, ctx.organizationId, before.id))!;
}

/** Changes one occurrence: its times, title, place or notes. */
async function changeOccurrence(ctx: RequestContext, event: EventRow, target: ResolvedOccurrence, input: UpdateEventInput) {
  const allowed = new Set(['start', 'end', 'title', 'location', 'notes']);
  const refused = Object.keys(input).filter((k) => !allowed.has(k));
  if (refused.length) {
    throw new AppError('validation_error', 'One occurrence can change only its times, title, place and notes; change all occurrences for the rest',
      refused.map((k) => ({ field: `body.${k}`, message: 'Not for one occurrence' })));
  }
  let start = target.start;
  let end = target.end;
  if (input.start !== undefined || input.end !== undefined) {
    const length = target.end.getTime() - target.start.getTime();
    const s = input.start ?? wallClock(target.start, event.time_zone, event.all_day);
    const e = input.end ?? (event.all_day ? s.slice(0, 10) : wallClock(new Date((instantOf(s, event.time_zone) ?? target.start).getTime() + length), event.time_zone));
    ({ start, end } = resolveTimes({ start: s, end: e, allDay: event.all_day, timeZone: event.time_zone }));
  }
  const moved = start.getTime() !== target.occurrence.getTime() || end.getTime() !== target.occurrence.getTime() + (event.ends_at.getTime() - event.starts_at.getTime());
  await queries.upsertException(ctx.trx, {
    organization_id: ctx.organizationId, event_id: event.id, occurrence: target.occurrence,
    starts_at: moved ? start : null, ends_at: moved ? end : null,
    ...(input.title !== undefined ? { title: input.title === event.title ? null : input.title } : {}),
    ...(input.location !== undefined ? { location_name: input.location?.name ?? null, location_address: input.location?.address ?? null } : {}),
    ...(input.notes !== undefined ? { notes: input.notes } : {}),
  });
  const exceptions = await queries.exceptionsOf(ctx.trx, ctx.organizationId, [event.id]);
  return findOccurrence(event, exceptions, target.occurrence)!;
}

const occurrenceSnapshot = (o: ResolvedOccurrence) => ({
  start: wallClock(o.start, o.event.time_zone, o.event.all_day), end: wallClock(o.end, o.event.time_zone, o.event.all_day),
  title: o.title, location_name: o.locationName, location_address: o.locationAddress, notes: o.notes, cancelled: o.cancelled, cancellation_reason: o.cancellationReason,
});

/**
 * Splits a series before occurrence `index`: the earlier ones stay, a new event (same people,
 * attachments and exceptions from then on) carries the rest. Answers the new event.
 */
async function splitSeries(ctx: RequestContext, event: EventRow, index: number): Promise<EventRow> {
  const all = expandSeries({ timeZone: event.time_zone, allDay: event.all_day, startsAt: event.starts_at, endsAt: event.ends_at, rrule: event.rrule });
  const first = all[index]!;
  const last = all.at(-1)!;
  const { id: _id, organization_id: _o, production_name: _p, created_at: _c, updated_at: _u, ...copy } = event;
  const newId = await queries.insertEvent(ctx.trx, {
    ...copy,
    organization_id: ctx.organizationId,
    series_id: event.series_id ?? event.id,
    starts_at: first.start,
    ends_at: first.end,
    rrule: withCount(event.rrule!, all.length - index),
    recurrence_ends_at: last.end,
    created_by: ctx.actor.userId,
  });
  await queries.updateEvent(ctx.trx, ctx.organizationId, event.id, {
    rrule: withCount(event.rrule!, index), recurrence_ends_at: all[index - 1]!.end, recurrence_capped: false,
  });
  const [participants, exceptions, attachments] = await Promise.all([
    queries.participantsOf(ctx.trx, ctx.organizationId, [event.id]),
    queries.exceptionsOf(ctx.trx, ctx.organizationId, [event.id]),
    queries.attachmentsOf(ctx.trx, ctx.organizationId, event.id),
  ]);
  await queries.insertParticipants(ctx.trx, participants.map((p) => ({
    organization_id: ctx.organizationId, event_id: newId, user_id: p.user_id, role: p.role, rsvp: p.rsvp, responded_at: p.responded_at,
    acknowledged_at: p.acknowledged_at, acknowledgment_note: p.acknowledgment_note,
  })));
  await queries.insertAttachments(ctx.trx, attachments.map((a) => ({ organization_id: ctx.organizationId, event_id: newId, file_id: a.file_id })));
  const later = (x: ExceptionRow) => x.occurrence >= first.start;
  await queries.replaceExceptions(ctx.trx, ctx.organizationId, event.id, exceptions.filter((x) => !later(x)).map(({ event_id: _e, ...x }) => x));
  await queries.replaceExceptions(ctx.trx, ctx.organizationId, newId, exceptions.filter(later).map(({ event_id: _e, ...x }) => x));
  await queries.recordUpdate(ctx.trx, {
    organization_id: ctx.organizationId, event_id: event.id, occurrence: first.start, change: 'split',
    previous: { rrule: event.rrule }, current: { rrule: withCount(event.rrule!, index), following_event_id: newId }, changed_by: ctx.actor.userId,
  });
  await ctx.audit({ entityType: 'event', entityId: event.id, action: 'event.split', before: { rrule: event.rrule }, after: { rrule: withCount(event.rrule!, index), following_event_id: newId } });
  await syncReminders(ctx, event.id);
  return (await queries.findEvent(ctx.trx, ctx.organizationId, newId))!;
}

/** The series position of an occurrence, for "this and following". */
function indexOf(event: EventRow, occurrence: Date): number {
  return expandSeries({ timeZone: event.time_zone, allDay: event.all_day, startsAt: event.starts_at, endsAt: event.ends_at, rrule: event.rrule })
    .findIndex((o) => o.start.getTime() === occurrence.getTime());
}

export async function updateEvent(ctx: RequestContext, id: string, where: { scope: Scope; occurrence?: string | undefined }, input: UpdateEventInput) {
  const before = await writableEvent(ctx, id);
  await checkReferences(ctx, input);
  const participants = (await queries.participantsOf(ctx.trx, ctx.organizationId, [id])).map((p) => p.user_id);
  const scope = before.rrule ? where.scope : 'all';

  if (scope === 'this') {
    const exceptions = await queries.exceptionsOf(ctx.trx, ctx.organizationId, [id]);
    const target = await requireOccurrence(before, exceptions, where.occurrence!, 'query.occurrence');
    if (target.cancelled) throw new AppError('conflict', 'This occurrence is cancelled');
    const after = await changeOccurrence(ctx, before, target, input);
    const change = diff(occurrenceSnapshot(target), occurrenceSnapshot(after));
    await queries.recordUpdate(ctx.trx, { organization_id: ctx.organizationId, event_id: id, occurrence: target.occurrence, change: 'occurrence_changed', previous: change.previous, current: change.current, changed_by: ctx.actor.userId });
    await ctx.audit({ entityType: 'event', entityId: id, action: 'event.occurrence_changed', before: { occurrence: target.occurrence, ...change.previous }, after: { occurrence: target.occurrence, ...change.current } });
    if (change.changed.some((k) => ['start', 'end', 'location_name', 'location_address'].includes(k))) {
      await tell(ctx, participants, `Changed: ${after.title}`,
        `The ${describeWhen(target.start, target.end, before.time_zone, before.all_day)} occurrence is now ${describeWhen(after.start, after.end, before.time_zone, before.all_day)}${after.locationName ? ` at ${after.locationName}` : ''}.`,
        eventLink(id, target.occurrence), { event_id: id, occurrence: target.occurrence.toISOString(), change: change.current });
    }
    await syncReminders(ctx, id);
    publishChange(ctx, id, 'occurrence_changed', participants, target.occurrence);
    const event = (await queries.findEvent(ctx.trx, ctx.organizationId, id))!;
    return detail(ctx, event, await conflictsFor(ctx, [id]));
  }

  let series = before;
  if (scope === 'following') {
    const exceptions = await queries.exceptionsOf(ctx.trx, ctx.organizationId, [id]);
    const target = await requireOccurrence(before, exceptions, where.occurrence!, 'query.occurrence');
    const index = indexOf(before, target.occurrence);
    if (index > 0) series = await splitSeries(ctx, before, index);
  }
  const after = await changeSeries(ctx, series, input);
  const change = diff(snapshot(series), snapshot(after));
  await queries.recordUpdate(ctx.trx, { organization_id: ctx.organizationId, event_id: after.id, occurrence: null, change: 'changed', previous: change.previous, current: change.current, changed_by: ctx.actor.userId });
  await ctx.audit({ entityType: 'event', entityId: after.id, action: 'update', before: change.previous, after: change.current });
  if (change.changed.some((k) => MATTERS.has(k))) {
    await tell(ctx, participants, `Changed: ${after.title}`,
      `${series.id !== id ? 'From this occurrence on, it' : 'It'} is now ${describeWhen(after.starts_at, after.ends_at, after.time_zone, after.all_day)}${after.rrule ? ', repeating' : ''}${after.location_name ? ` at ${after.location_name}` : ''}.`,
      eventLink(after.id), { event_id: after.id, change: change.current });
  }
  await syncReminders(ctx, after.id);
  publishChange(ctx, after.id, 'changed', participants);
  return detail(ctx, after, await conflictsFor(ctx, [after.id]));
}

export async function cancelEvent(ctx: RequestContext, id: string, input: { reason: string; scope: Scope; occurrence?: string | undefined }) {
  const before = await writableEvent(ctx, id);
  const participants = (await queries.participantsOf(ctx.trx, ctx.organizationId, [id])).map((p) => p.user_id);
  const scope = before.rrule ? input.scope : 'all';
  const exceptions = await queries.exceptionsOf(ctx.trx, ctx.organizationId, [id]);

  if (scope === 'this') {
    const target = await requireOccurrence(before, exceptions, input.occurrence!, 'body.occurrence');
    if (target.cancelled) throw new AppError('conflict', 'This occurrence is already cancelled');
    await queries.upsertException(ctx.trx, { organization_id: ctx.organizationId, event_id: id, occurrence: target.occurrence, cancelled: true, cancellation_reason: input.reason });
    await queries.recordUpdate(ctx.trx, {
      organization_id: ctx.organizationId, event_id: id, occurrence: target.occurrence, change: 'occurrence_cancelled',
      previous: { cancelled: false }, current: { cancelled: true, cancellation_reason: input.reason }, changed_by: ctx.actor.userId,
    });
    await ctx.audit({ entityType: 'event', entityId: id, action: 'event.occurrence_cancelled', after: { occurrence: target.occurrence, reason: input.reason } });
    await tell(ctx, participants, `Cancelled: ${target.title}`,
      `${describeWhen(target.start, target.end, before.time_zone, before.all_day)} is cancelled: ${input.reason}`,
      eventLink(id, target.occurrence), { event_id: id, occurrence: target.occurrence.toISOString(), change: 'cancelled' });
    await syncReminders(ctx, id);
    publishChange(ctx, id, 'occurrence_cancelled', participants, target.occurrence);
    return detail(ctx, (await queries.findEvent(ctx.trx, ctx.organizationId, id))!);
  }

  let event = before;
  if (scope === 'following') {
    const target = await requireOccurrence(before, exceptions, input.occurrence!, 'body.occurrence');
    const index = indexOf(before, target.occurrence);
    if (index > 0) event = await splitSeries(ctx, before, index);
  }
  await queries.updateEvent(ctx.trx, ctx.organizationId, event.id, { status: 'cancelled', cancellation_reason: input.reason, cancelled_at: new Date() });
  await queries.recordUpdate(ctx.trx, {
    organization_id: ctx.organizationId, event_id: event.id, occurrence: null, change: 'cancelled',
    previous: { status: 'scheduled' }, current: { status: 'cancelled', cancellation_reason: input.reason }, changed_by: ctx.actor.userId,
  });
  await ctx.audit({ entityType: 'event', entityId: event.id, action: 'event.cancel', before: { status: 'scheduled' }, after: { status: 'cancelled', reason: input.reason } });
  await tell(ctx, participants, `Cancelled: ${event.title}`,
    `${event.id !== id ? 'From ' : ''}${describeWhen(event.starts_at, event.ends_at, event.time_zone, event.all_day)}${event.rrule ? (event.id !== id ? ' on, every occurrence' : ' and every later occurrence') : ''} is cancelled: ${input.reason}`,
    eventLink(event.id), { event_id: event.id, change: 'cancelled' });
  await cancelReminders(ctx.trx, ctx.organizationId, `event:${event.id}:`);
  publishChange(ctx, event.id, 'cancelled', participants);
  return detail(ctx, (await queries.findEvent(ctx.trx, ctx.organizationId, event.id))!);
}

export async function setParticipants(ctx: RequestContext, id: string, list: { user_id: string; role?: string | null | undefined }[]) {
  const event = await writableEvent(ctx, id);
  await checkParticipants(ctx, list, event.max_participants);
  const current = await queries.participantsOf(ctx.trx, ctx.organizationId, [id]);
  const wanted = new Map(list.map((p) => [p.user_id, p.role ?? null]));
  const removed = current.filter((p) => !wanted.has(p.user_id)).map((p) => p.user_id);
  const added = list.filter((p) => !current.some((c) => c.user_id === p.user_id));
  await queries.removeParticipants(ctx.trx, ctx.organizationId, id, removed);
  await queries.insertParticipants(ctx.trx, added.map((p) => ({ organization_id: ctx.organizationId, event_id: id, user_id: p.user_id, role: p.role ?? null })));
  for (const p of current) {
    const role = wanted.get(p.user_id);
    if (role !== undefined && role !== p.role) await queries.updateParticipant(ctx.trx, ctx.organizationId, id, p.user_id, { role });
  }
  const previous = current.map((p) => ({ user_id: p.user_id, role: p.role }));
  const next = list.map((p) => ({ user_id: p.user_id, role: p.role ?? null }));
  await queries.recordUpdate(ctx.trx, { organization_id: ctx.organizationId, event_id: id, occurrence: null, change: 'participants', previous: { participants: previous }, current: { participants: next }, changed_by: ctx.actor.userId });
  await ctx.audit({ entityType: 'event', entityId: id, action: 'event.participants', before: { participants: previous }, after: { participants: next } });
  const when = describeWhen(event.starts_at, event.ends_at, event.time_zone, event.all_day);
  await tell(ctx, added.map((p) => p.user_id), `New on your schedule: ${event.title}`, `${when}${event.rrule ? ', repeating' : ''}.`, eventLink(id), { event_id: id, change: 'added' });
  await tell(ctx, removed, `No longer on your schedule: ${event.title}`, `You are no longer called to ${event.title} (${when}).`, '/schedule', { event_id: id, change: 'removed' });
  await syncReminders(ctx, id);
  publishChange(ctx, id, 'participants', [...current.map((p) => p.user_id), ...added.map((p) => p.user_id)]);
  return detail(ctx, event, await conflictsFor(ctx, [id]));
}

/**
 * Sets the files an event carries (the whole series). Participants' open calendars refresh; no
 * message is sent, as a new handout changes neither the time nor the place.
 */
export async function setAttachments(ctx: RequestContext, id: string, fileIds: string[]) {
  const event = await writableEvent(ctx, id);
  const wanted = [...new Set(fileIds)];
  const current = await queries.attachmentsOf(ctx.trx, ctx.organizationId, id);
  await checkAttachable(ctx, fileIds, 'body.file_ids', new Set(current.map((a) => a.file_id)));
  const added = wanted.filter((fileId) => !current.some((a) => a.file_id === fileId));
  await queries.removeAttachments(ctx.trx, ctx.organizationId, id, current.filter((a) => !wanted.includes(a.file_id)).map((a) => a.file_id));
  await queries.insertAttachments(ctx.trx, added.map((file_id) => ({ organization_id: ctx.organizationId, event_id: id, file_id })));
  const previous = current.map((a) => ({ file_id: a.file_id, filename: a.filename }));
  const next = await queries.attachmentsOf(ctx.trx, ctx.organizationId, id);
  await queries.recordUpdate(ctx.trx, { organization_id: ctx.organizationId, event_id: id, occurrence: null, change: 'attachments', previous: { attachments: previous }, current: { attachments: next }, changed_by: ctx.actor.userId });
  await ctx.audit({ entityType: 'event', entityId: id, action: 'event.attachments', before: { attachments: previous }, after: { attachments: next } });
  publishChange(ctx, id, 'attachments', (await queries.participantsOf(ctx.trx, ctx.organizationId, [id])).map((p) => p.user_id));
  return detail(ctx, event);
}

// ---------------------------------------------------------------------------------------------
// A participant's answers

async function myParticipation(ctx: RequestContext, id: string) {
  authorize(ctx.actor, 'events:respond');
  const event = await queries.lockEvent(ctx.trx, ctx.organizationId, id);
  const mine = event && (await queries.participantsOf(ctx.trx, ctx.organizationId, [id])).find((p) => p.user_id === ctx.actor.userId);
  if (!event || !mine) throw eventNotFound();
  if (event.status === 'cancelled') throw new AppError('conflict', 'This event is cancelled');
  return { event, mine };
}

async function answerParticipation(ctx: RequestContext, id: string, action: string, before: ParticipantRow, values: Parameters<typeof queries.updateParticipant>[4]) {
  await queries.updateParticipant(ctx.trx, ctx.organizationId, id, ctx.actor.userId, values);
  const after = (await queries.participantsOf(ctx.trx, ctx.organizationId, [id])).find((p) => p.user_id === ctx.actor.userId)!;
  await ctx.audit({ entityType: 'event', entityId: id, action, before: presentParticipation(before)!, after: presentParticipation(after)! });
  publishChange(ctx, id, action, [ctx.actor.userId]);
  return { event_id: id, user_id: ctx.actor.userId, ...presentParticipation(after)! };
}

export async function respond(ctx: RequestContext, id: string, status: 'confirmed' | 'declined' | 'tentative') {
  const { mine } = await myParticipation(ctx, id);
  const answer = await answerParticipation(ctx, id, 'event.rsvp', mine, { rsvp: status, responded_at: new Date() });
  // Someone who declines gets no reminders; changing one's mind brings them back.
  if ((mine.rsvp === 'declined') !== (status === 'declined')) await syncReminders(ctx, id);
  return answer;
}

export async function acknowledge(ctx: RequestContext, id: string, note: string | null | undefined) {
  const { mine } = await myParticipation(ctx, id);
  const answer = await answerParticipation(ctx, id, 'event.acknowledge', mine, { acknowledged_at: new Date(), acknowledgment_note: note ?? null });
  // No more "please acknowledge" for someone who has.
  if (!mine.acknowledged_at) await syncReminders(ctx, id);
  return answer;
}

export async function recordAttendance(ctx: RequestContext, id: string, kind: 'check_in' | 'check_out', input: { occurrence: string; user_id?: string | undefined }) {
  const userId = input.user_id ?? ctx.actor.userId;
  if (userId !== ctx.actor.userId) authorize(ctx.actor, 'events:write');
  else authorize(ctx.actor, 'events:respond');
  const event = await visibleEvent(ctx, id, true);
  const participant = (await queries.participantsOf(ctx.trx, ctx.organizationId, [id])).find((p) => p.user_id === userId);
  if (!participant) throw userId === ctx.actor.userId ? eventNotFound() : notFound('Participant');
  const exceptions = await queries.exceptionsOf(ctx.trx, ctx.organizationId, [id]);
  const target = await requireOccurrence(event, exceptions, input.occurrence, 'body.occurrence');
  if (target.cancelled) throw new AppError('conflict', 'This occurrence is cancelled');
  const existing = await queries.findAttendance(ctx.trx, ctx.organizationId, id, userId, target.occurrence);
  const now = new Date();
  if (kind === 'check_out' && !existing?.checked_in_at) throw new AppError('conflict', 'Check in first');
  // A repeated tap (a phone retrying) answers what is recorded.
  const unchanged = kind === 'check_in' ? Boolean(existing?.checked_in_at) : Boolean(existing?.checked_out_at);
  const saved = unchanged ? existing! : await queries.saveAttendance(ctx.trx, {
    organization_id: ctx.organizationId, event_id: id, user_id: userId, occurrence: target.occurrence,
    checked_in_at: existing?.checked_in_at ?? now, checked_out_at: kind === 'check_out' ? now : null, recorded_by: ctx.actor.userId,
  });
  if (!unchanged) {
    await ctx.audit({ entityType: 'event', entityId: id, action: `event.${kind}`, after: { user_id: userId, occurrence: target.occurrence, at: now } });
    publishChange(ctx, id, kind, [userId], target.occurrence);
  }
  return {
    event_id: id, user_id: userId, occurrence: target.occurrence.toISOString(),
    checked_in_at: saved.checked_in_at?.toISOString() ?? null, checked_out_at: saved.checked_out_at?.toISOString() ?? null,
  };
}

export async function listUpdates(ctx: RequestContext, id: string) {
  authorize(ctx.actor, 'events:read');
  await visibleEvent(ctx, id);
  const rows = await queries.listUpdates(ctx.trx, ctx.organizationId, id);
  return {
    data: rows.map((r) => ({
      id: r.id, occurrence: r.occurrence?.toISOString() ?? null, change: r.change,
      previous: r.previous as Record<string, unknown>, current: r.current as Record<string, unknown>,
      changed_by: r.changed_by ? { id: r.changed_by, name: r.changed_by_name ?? '' } : null, created_at: r.created_at.toISOString(),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// iCalendar

/** The events (whole series) a calendar file holds, with their occurrences resolved. */
export async function calendarEvents(trx: Tx, organizationId: string, range: { from: Date; to: Date }, participantId: string | undefined) {
  const { events, exceptions } = await seriesInRange(trx, organizationId, { ...range, participantId });
  const occurrences = new Map(events.map((e) => [e.id, resolveOccurrences(e, exceptions)]));
  return { events, occurrences };
}

export async function exportRange(ctx: RequestContext, query: RangeQuery) {
  authorize(ctx.actor, 'events:read');
  const { zone } = await answerZone(ctx, query.tz);
  const range = resolveRange(query, zone, { back: 30, ahead: 365 });
  return calendarEvents(ctx.trx, ctx.organizationId, range, participantFilter(ctx.actor, undefined));
}
