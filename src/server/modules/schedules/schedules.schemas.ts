import { z } from 'zod';
import { csvEnum, text } from '../../http/schemas.js';

export const eventTypes = ['rehearsal', 'performance', 'meeting', 'fitting', 'photo_call', 'travel', 'call_time', 'other'] as const;
export const rsvpStatuses = ['invited', 'confirmed', 'declined', 'tentative', 'no_response'] as const;
export const scopes = ['all', 'this', 'following'] as const;
export type Scope = (typeof scopes)[number];

/**
 * An IANA zone, answered in its canonical spelling ('america/new_york' → 'America/New_York').
 * Wider than the organization settings' list: UTC and older names are fine for an event.
 */
export const eventTimeZone = z.string().max(64).transform((v, ctx) => {
  try {
    if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(v)) throw new RangeError(v);
    return new Intl.DateTimeFormat('en-US', { timeZone: v }).resolvedOptions().timeZone;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'Must be an IANA time zone such as Europe/London' });
    return z.NEVER;
  }
}).describe('IANA time zone, e.g. America/New_York');

const wallOrInstant = z.string().regex(
  /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/,
  'A wall-clock time in the event\'s zone ("2026-03-03T19:00"), an instant with offset, or a date for all-day events',
);
const colour = z.string().regex(/^#[0-9A-Fa-f]{6}$/, 'A colour such as #1976D2');
const instant = z.iso.datetime({ offset: true }).describe('ISO 8601 instant');

const locationBody = z.strictObject({
  name: text(255).nullable().optional(),
  address: text(2000).nullable().optional(),
  latitude: z.number().min(-90).max(90).nullable().optional(),
  longitude: z.number().min(-180).max(180).nullable().optional(),
  virtual_url: z.url({ protocol: /^https?$/ }).max(2000).nullable().optional().describe('A video-call link (https)'),
}).refine((l) => (l.latitude === undefined || l.latitude === null) === (l.longitude === undefined || l.longitude === null), {
  message: 'Give latitude and longitude together', path: ['longitude'],
});

const participantBody = z.strictObject({
  user_id: z.uuid(),
  role: text(100).nullable().optional().describe('Their part, e.g. Mimì'),
});
const participantsBody = z.array(participantBody).max(500)
  .refine((list) => new Set(list.map((p) => p.user_id)).size === list.length, 'A person is listed twice');

const editable = {
  type: z.enum(eventTypes),
  title: text(255).pipe(z.string().min(1, 'Required')),
  description: text(5000).nullable().optional(),
  notes: text(5000).nullable().optional(),
  call_time_notes: text(2000).nullable().optional(),
  colour: colour.nullable().optional(),
  location: locationBody.nullable().optional(),
  production_id: z.uuid().nullable().optional(),
  required_roles: z.array(text(100).pipe(z.string().min(1))).max(50).optional(),
  max_participants: z.number().int().min(1).max(10_000).nullable().optional(),
  acknowledgment_deadline: instant.nullable().optional(),
};

export const createEventBody = z.strictObject({
  ...editable,
  time_zone: eventTimeZone,
  start: wallOrInstant,
  end: wallOrInstant,
  all_day: z.boolean().optional(),
  rrule: text(500).pipe(z.string().min(1)).nullable().optional().describe('RFC 5545 rule, e.g. FREQ=WEEKLY;BYDAY=TU;COUNT=10'),
  participants: participantsBody.optional(),
  attachment_file_ids: z.array(z.uuid()).max(20).optional(),
});
export type CreateEventInput = z.infer<typeof createEventBody>;

export const updateEventBody = z.strictObject({
  ...editable,
  type: editable.type.optional(),
  title: editable.title.optional(),
  time_zone: eventTimeZone.optional(),
  start: wallOrInstant.optional(),
  end: wallOrInstant.optional(),
  all_day: z.boolean().optional(),
  rrule: text(500).pipe(z.string().min(1)).nullable().optional(),
}).refine((v) => Object.keys(v).length > 0, 'Nothing to change');
export type UpdateEventInput = z.infer<typeof updateEventBody>;

export const scopeQuery = z.strictObject({
  scope: z.enum(scopes).default('all').describe('all occurrences, this one, or this and the following'),
  occurrence: instant.optional().describe('The occurrence (its original start) for scope this or following'),
}).refine((v) => v.scope === 'all' || v.occurrence, { message: 'Say which occurrence', path: ['occurrence'] });

export const cancelEventBody = z.strictObject({
  reason: text(1000).pipe(z.string().min(1, 'Say why: participants are told')),
  scope: z.enum(scopes).default('all'),
  occurrence: instant.optional(),
}).refine((v) => v.scope === 'all' || v.occurrence, { message: 'Say which occurrence', path: ['occurrence'] });

export const participantsPutBody = z.strictObject({ participants: participantsBody });
export const attachmentsPutBody = z.strictObject({
  file_ids: z.array(z.uuid()).max(20).describe('The files the event carries from now on: general uploads (purpose attachment) you can open yourself'),
});
export const rsvpBody = z.strictObject({ status: z.enum(['confirmed', 'declined', 'tentative']) });
export const acknowledgeBody = z.strictObject({ note: text(1000).nullable().optional() });
export const attendanceBody = z.strictObject({
  occurrence: instant.describe('The occurrence (its original start)'),
  user_id: z.uuid().optional().describe('Someone else (managers); yourself when omitted'),
});

const rangeValue = z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/, 'A date or an instant with offset');
const range = {
  from: rangeValue.optional().describe('Start: a date (read in tz) or an instant'),
  to: rangeValue.optional().describe('End: a date (inclusive, read in tz) or an instant (exclusive)'),
  tz: eventTimeZone.optional().describe("Zone of the answer's local times and of dates in from/to (default: yours, else the organization's)"),
};
export const listEventsQuery = z.strictObject({
  ...range,
  types: csvEnum(eventTypes).optional(),
  production_id: z.uuid().optional(),
  participant_id: z.uuid().optional().describe("Only this person's events (office roles)"),
  include_cancelled: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});
export type ListEventsQuery = z.infer<typeof listEventsQuery>;
export const rangeQuery = z.strictObject(range);
export type RangeQuery = z.infer<typeof rangeQuery>;

// ---------------------------------------------------------------------------------------------
// Answers

const locationSchema = z.object({
  name: z.string().nullable(),
  address: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  virtual_url: z.string().nullable(),
});
const participationSchema = z.object({
  role: z.string().nullable(),
  rsvp: z.enum(rsvpStatuses),
  acknowledged_at: z.string().nullable(),
  acknowledgment_note: z.string().nullable(),
});
export const conflictSchema = z.object({
  kind: z.enum(['participant_overlap', 'venue_overlap', 'short_turnaround']),
  message: z.string(),
  user_id: z.string().optional(),
  event_id: z.string().describe('The event concerned'),
  occurrence: z.string().describe('Its occurrence (original start)'),
  other_event_id: z.string(),
  other_occurrence: z.string(),
}).meta({ id: 'ScheduleConflict' });

export const occurrenceSchema = z.object({
  event_id: z.uuid(),
  occurrence: z.string().describe('Original start (ISO UTC): names the occurrence'),
  starts_at: z.string(),
  ends_at: z.string(),
  local_start: z.string().describe("'YYYY-MM-DDTHH:mm' in the answer's zone ('YYYY-MM-DD' all-day)"),
  local_end: z.string(),
  time_zone: z.string(),
  event_time_zone: z.string(),
  all_day: z.boolean(),
  type: z.enum(eventTypes),
  title: z.string(),
  colour: z.string().nullable(),
  location: locationSchema.nullable(),
  production_id: z.string().nullable(),
  production_name: z.string().nullable(),
  status: z.enum(['scheduled', 'cancelled']),
  cancellation_reason: z.string().nullable(),
  recurring: z.boolean(),
  modified: z.boolean().describe('This occurrence differs from the series'),
  participant_count: z.number().int(),
  acknowledgment_deadline: z.string().nullable(),
  my_participation: participationSchema.nullable(),
}).meta({ id: 'EventOccurrence' });

export const occurrenceListSchema = z.object({
  data: z.array(occurrenceSchema),
  time_zone: z.string(),
  from: z.string(),
  to: z.string(),
  truncated: z.boolean().describe('More occurrences than one answer holds: ask for a shorter range'),
}).meta({ id: 'EventOccurrenceList' });

export const eventSchema = z.object({
  id: z.uuid(),
  type: z.enum(eventTypes),
  title: z.string(),
  description: z.string().nullable(),
  notes: z.string().nullable(),
  call_time_notes: z.string().nullable(),
  colour: z.string().nullable(),
  time_zone: z.string(),
  all_day: z.boolean(),
  start: z.string().describe("Wall-clock start of the first occurrence in time_zone ('YYYY-MM-DDTHH:mm')"),
  end: z.string(),
  starts_at: z.string(),
  ends_at: z.string(),
  rrule: z.string().nullable().describe('Always bounded (COUNT)'),
  recurrence_capped: z.boolean(),
  recurrence_ends_at: z.string().nullable(),
  series_id: z.string().nullable().describe('The series this one was split from'),
  location: locationSchema.nullable(),
  production_id: z.string().nullable(),
  production_name: z.string().nullable(),
  required_roles: z.array(z.string()),
  max_participants: z.number().int().nullable(),
  acknowledgment_deadline: z.string().nullable(),
  status: z.enum(['scheduled', 'cancelled']),
  cancellation_reason: z.string().nullable(),
  participants: z.array(z.object({
    user_id: z.string(), name: z.string(), email: z.string(), ...participationSchema.shape,
  })).optional().describe('Office roles only'),
  exceptions: z.array(z.object({
    occurrence: z.string(), cancelled: z.boolean(), cancellation_reason: z.string().nullable(), starts_at: z.string().nullable(), ends_at: z.string().nullable(),
    title: z.string().nullable(), location_name: z.string().nullable(), location_address: z.string().nullable(), notes: z.string().nullable(),
  })),
  attachments: z.array(z.object({ file_id: z.string(), filename: z.string() })),
  my_participation: participationSchema.nullable(),
  allowed_actions: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
  conflicts: z.array(conflictSchema).optional().describe('After a change: overlaps and short turnarounds it causes (warnings)'),
}).meta({ id: 'ScheduleEvent' });

export const participationAnswer = participationSchema.extend({ event_id: z.string(), user_id: z.string() }).meta({ id: 'EventParticipation' });
export const attendanceSchema = z.object({
  event_id: z.string(), user_id: z.string(), occurrence: z.string(), checked_in_at: z.string().nullable(), checked_out_at: z.string().nullable(),
}).meta({ id: 'EventAttendance' });
export const updatesSchema = z.object({
  data: z.array(z.object({
    id: z.string(), occurrence: z.string().nullable(), change: z.string(), previous: z.record(z.string(), z.unknown()), current: z.record(z.string(), z.unknown()),
    changed_by: z.object({ id: z.string(), name: z.string() }).nullable(), created_at: z.string(),
  })),
}).meta({ id: 'EventUpdates' });
export const conflictListSchema = z.object({ data: z.array(conflictSchema), from: z.string(), to: z.string() }).meta({ id: 'ScheduleConflictList' });
export const feedSchema = z.object({
  active: z.boolean(),
  url: z.string().nullable().describe('Shown when the link is made; only its hash is kept'),
  webcal_url: z.string().nullable(),
  created_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
}).meta({ id: 'CalendarFeed' });

export const attachmentParams = z.strictObject({ id: z.uuid().describe('Event'), fileId: z.uuid().describe('Attached file') });
