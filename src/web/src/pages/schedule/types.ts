/** Shapes of the schedules API (src/server/modules/schedules/schedules.schemas.ts) as the web app uses them. */
import type { Role } from '../../auth/types.js';

export const EVENT_TYPES = ['rehearsal', 'performance', 'meeting', 'fitting', 'photo_call', 'travel', 'call_time', 'other'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const TYPE_LABEL: Record<EventType, string> = {
  rehearsal: 'Rehearsal',
  performance: 'Performance',
  meeting: 'Meeting',
  fitting: 'Fitting',
  photo_call: 'Photo call',
  travel: 'Travel',
  call_time: 'Call time',
  other: 'Other',
};

/**
 * Each type's colour (an event's own `colour` wins). Used for dots, borders and tints only: text
 * on them stays in the theme's text colours, so any colour keeps AA contrast.
 */
export const TYPE_COLOUR: Record<EventType, string> = {
  rehearsal: '#1976D2',
  performance: '#8E24AA',
  meeting: '#00897B',
  fitting: '#F4511E',
  photo_call: '#C0CA33',
  travel: '#6D4C41',
  call_time: '#E53935',
  other: '#757575',
};

/** Colours offered for an event of its own (the type's colour when none is chosen). */
export const COLOUR_CHOICES = ['#1976D2', '#8E24AA', '#00897B', '#F4511E', '#FBC02D', '#6D4C41', '#E53935', '#3949AB'] as const;

export const RSVPS = ['invited', 'confirmed', 'declined', 'tentative', 'no_response'] as const;
export type Rsvp = (typeof RSVPS)[number];
export const RSVP_LABEL: Record<Rsvp, string> = {
  invited: 'Invited',
  confirmed: 'Going',
  declined: 'Not going',
  tentative: 'Maybe',
  no_response: 'No response',
};
export const RSVP_COLOUR = {
  invited: 'default',
  confirmed: 'success',
  declined: 'error',
  tentative: 'warning',
  no_response: 'default',
} as const satisfies Record<Rsvp, string>;

/** Who creates, moves and cancels events (the API's `events:write`). */
export const SCHEDULE_WRITE_ROLES: readonly Role[] = ['admin', 'system_admin', 'production_manager'];
/** Who sees everyone's events and the conflicts (office roles: `events:read:any`). */
export const SCHEDULE_OFFICE_ROLES: readonly Role[] = ['admin', 'system_admin', 'production_manager', 'accountant', 'finance_director'];

export interface EventLocation {
  name: string | null;
  address: string | null;
  latitude: number | string | null;
  longitude: number | string | null;
  virtual_url: string | null;
}

export interface MyParticipation {
  role: string | null;
  rsvp: Rsvp;
  acknowledged_at: string | null;
  acknowledgment_note: string | null;
}

export type EventStatus = 'scheduled' | 'cancelled';

/** GET /api/v1/events items: one occurrence. */
export interface Occurrence {
  event_id: string;
  /** ISO UTC original start: names the occurrence (RECURRENCE-ID). */
  occurrence: string;
  starts_at: string;
  ends_at: string;
  /** 'YYYY-MM-DDTHH:mm' (or 'YYYY-MM-DD' for all-day) in the requested zone. */
  local_start: string;
  local_end: string;
  time_zone: string;
  event_time_zone: string;
  all_day: boolean;
  type: EventType;
  title: string;
  colour: string | null;
  location: EventLocation | null;
  production_id: string | null;
  production_name: string | null;
  status: EventStatus;
  cancellation_reason: string | null;
  recurring: boolean;
  modified: boolean;
  participant_count: number;
  acknowledgment_deadline: string | null;
  my_participation: MyParticipation | null;
}

export interface OccurrenceList {
  data: Occurrence[];
  time_zone: string;
  from: string;
  to: string;
  truncated: boolean;
}

export interface Participant {
  user_id: string;
  name: string;
  email: string;
  role: string | null;
  rsvp: Rsvp;
  acknowledged_at: string | null;
  acknowledgment_note: string | null;
}

export interface EventException {
  occurrence: string;
  cancelled: boolean;
  starts_at: string | null;
  ends_at: string | null;
  title: string | null;
  location_name: string | null;
  notes: string | null;
}

export type ConflictKind = 'participant_overlap' | 'venue_overlap' | 'short_turnaround';
export interface Conflict {
  kind: ConflictKind;
  message: string;
  user_id?: string;
  event_id?: string;
  occurrence?: string;
}

/** GET /api/v1/events/:id (and the answers of POST and PATCH, with `conflicts`). */
export interface ScheduleEvent {
  id: string;
  type: EventType;
  title: string;
  description: string | null;
  notes: string | null;
  call_time_notes: string | null;
  colour: string | null;
  time_zone: string;
  all_day: boolean;
  /** Wall time in the event's zone: 'YYYY-MM-DDTHH:mm' (or a date for all-day events). */
  start: string;
  end: string;
  starts_at: string;
  ends_at: string;
  rrule: string | null;
  recurrence_capped: boolean;
  recurrence_ends_at: string | null;
  location: EventLocation | null;
  production_id: string | null;
  production_name: string | null;
  required_roles: string[];
  max_participants: number | null;
  acknowledgment_deadline: string | null;
  status: EventStatus;
  cancellation_reason: string | null;
  participants?: Participant[];
  exceptions?: EventException[];
  attachments?: { file_id: string; filename: string }[];
  my_participation: MyParticipation | null;
  allowed_actions: string[];
  created_at: string;
  updated_at: string;
  conflicts?: Conflict[];
}

export type Scope = 'this' | 'following' | 'all';
export const SCOPE_LABEL: Record<Scope, string> = {
  this: 'This occurrence',
  following: 'This and following',
  all: 'All occurrences',
};

/** GET/POST /api/v1/calendar/feed */
export interface CalendarFeed {
  active: boolean;
  url: string | null;
  webcal_url: string | null;
  created_at: string | null;
}

export const colourOf = (e: { colour: string | null; type: EventType }) => e.colour ?? TYPE_COLOUR[e.type] ?? TYPE_COLOUR.other;

export const scheduleKeys = {
  all: ['schedule'] as const,
  events: ['schedule', 'events'] as const,
  range: (params: Record<string, string>) => ['schedule', 'events', params] as const,
  detail: (id: string) => ['schedule', 'event', id] as const,
  conflicts: (from: string, to: string) => ['schedule', 'conflicts', from, to] as const,
  feed: ['schedule', 'feed'] as const,
};
