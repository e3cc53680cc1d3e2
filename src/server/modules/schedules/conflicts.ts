import { DateTime } from 'luxon';
import type { ResolvedOccurrence } from './occurrences.js';

export type ConflictKind = 'participant_overlap' | 'venue_overlap' | 'short_turnaround';
export interface Conflict {
  kind: ConflictKind;
  message: string;
  user_id?: string;
  event_id: string;
  occurrence: string;
  other_event_id: string;
  other_occurrence: string;
}

export interface Person {
  user_id: string;
  name: string;
  rsvp: string;
}

const MAX_CONFLICTS = 200;

function when(o: ResolvedOccurrence): string {
  const zone = o.event.time_zone;
  const start = DateTime.fromJSDate(o.start, { zone });
  if (o.event.all_day) return start.toFormat('ccc d LLL');
  return `${start.toFormat('ccc d LLL HH:mm')}–${DateTime.fromJSDate(o.end, { zone }).toFormat('HH:mm')} (${zone.replace(/_/g, ' ')})`;
}

const label = (o: ResolvedOccurrence) => `“${o.title}” ${when(o)}`;
const venueOf = (o: ResolvedOccurrence) => o.locationName?.trim().toLowerCase() || null;

/**
 * Overlaps of one person's calls, two events at one place at once, and too little rest between
 * one person's calls on different days (less than `minTurnaroundHours` from the end of one to the
 * start of the next). Cancelled occurrences and people who declined do not count. With `focus`,
 * only conflicts involving those events (a create or a move warns of what it causes).
 */
export function findConflicts(
  occurrences: readonly ResolvedOccurrence[],
  people: ReadonlyMap<string, readonly Person[]>,
  minTurnaroundHours: number,
  focus?: ReadonlySet<string>,
): Conflict[] {
  const live = occurrences.filter((o) => !o.cancelled).sort((a, b) => a.start.getTime() - b.start.getTime());
  const found: Conflict[] = [];
  const relevant = (a: ResolvedOccurrence, b: ResolvedOccurrence) => a.event.id !== b.event.id && (!focus || focus.has(a.event.id) || focus.has(b.event.id));
  const add = (kind: ConflictKind, a: ResolvedOccurrence, b: ResolvedOccurrence, message: string, userId?: string) => {
    // Name the focused event first, so a warning reads from the event just saved.
    const [self, other] = focus && !focus.has(a.event.id) ? [b, a] : [a, b];
    found.push({
      kind, message, ...(userId ? { user_id: userId } : {}),
      event_id: self.event.id, occurrence: self.occurrence.toISOString(), other_event_id: other.event.id, other_occurrence: other.occurrence.toISOString(),
    });
  };

  const byPerson = new Map<string, { name: string; calls: ResolvedOccurrence[] }>();
  for (const o of live) {
    for (const p of people.get(o.event.id) ?? []) {
      if (p.rsvp === 'declined') continue;
      const entry = byPerson.get(p.user_id) ?? { name: p.name, calls: [] };
      entry.calls.push(o);
      byPerson.set(p.user_id, entry);
    }
  }
  const minRestMs = minTurnaroundHours * 3_600_000;
  for (const [userId, { name, calls }] of byPerson) {
    // The call that ends last so far: rest is counted from it, not from a shorter call inside it.
    let latest: ResolvedOccurrence | undefined;
    for (let i = 0; i < calls.length; i++) {
      const a = calls[i]!;
      for (let j = i + 1; j < calls.length && calls[j]!.start < a.end; j++) {
        const b = calls[j]!;
        if (relevant(a, b)) add('participant_overlap', a, b, `${name} is called to ${label(a)} and ${label(b)} at the same time`, userId);
      }
      if (latest && a.start >= latest.end && relevant(latest, a) && minRestMs > 0) {
        const rest = a.start.getTime() - latest.end.getTime();
        const zone = latest.event.time_zone;
        const sameDay = DateTime.fromJSDate(latest.start, { zone }).toISODate() === DateTime.fromJSDate(a.start, { zone }).toISODate();
        if (rest < minRestMs && !sameDay) {
          const hours = Math.round((rest / 3_600_000) * 10) / 10;
          add('short_turnaround', latest, a, `${name} has ${hours} h between ${label(latest)} and ${label(a)} (at least ${minTurnaroundHours} h wanted)`, userId);
        }
      }
      if (!latest || a.end > latest.end) latest = a;
    }
  }

  const byVenue = new Map<string, ResolvedOccurrence[]>();
  for (const o of live) {
    const venue = venueOf(o);
    if (venue) byVenue.set(venue, [...(byVenue.get(venue) ?? []), o]);
  }
  for (const list of byVenue.values()) {
    for (let i = 0; i < list.length; i++) {
      const a = list[i]!;
      for (let j = i + 1; j < list.length && list[j]!.start < a.end; j++) {
        const b = list[j]!;
        if (relevant(a, b)) add('venue_overlap', a, b, `${a.locationName} is booked for ${label(a)} and ${label(b)}`);
      }
    }
  }
  return found.slice(0, MAX_CONFLICTS);
}
