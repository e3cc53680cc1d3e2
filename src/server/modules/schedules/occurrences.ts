import type { EventRow, ExceptionRow } from './schedules.queries.js';
import { expandSeries } from './recurrence.js';

/** One occurrence of an event as it stands: the rule's time unless moved, cancelled or renamed. */
export interface ResolvedOccurrence {
  event: EventRow;
  /** Its original start: the occurrence's name (iCal RECURRENCE-ID). */
  occurrence: Date;
  start: Date;
  end: Date;
  cancelled: boolean;
  cancellationReason: string | null;
  title: string;
  locationName: string | null;
  locationAddress: string | null;
  notes: string | null;
  modified: boolean;
}

export function seriesOf(event: EventRow) {
  return { id: event.id, updatedAt: event.updated_at, timeZone: event.time_zone, allDay: event.all_day, startsAt: event.starts_at, endsAt: event.ends_at, rrule: event.rrule };
}

/** Every occurrence of an event with its exceptions applied (the event's own cancellation included). */
export function resolveOccurrences(event: EventRow, exceptions: readonly ExceptionRow[]): ResolvedOccurrence[] {
  const byOccurrence = new Map(exceptions.filter((x) => x.event_id === event.id).map((x) => [x.occurrence.getTime(), x]));
  return expandSeries(seriesOf(event)).map(({ start, end }) => {
    const x = byOccurrence.get(start.getTime());
    const cancelled = event.status === 'cancelled' || Boolean(x?.cancelled);
    return {
      event,
      occurrence: start,
      start: x?.starts_at ?? start,
      end: x?.ends_at ?? end,
      cancelled,
      cancellationReason: event.status === 'cancelled' ? event.cancellation_reason : x?.cancelled ? x.cancellation_reason : null,
      title: x?.title ?? event.title,
      locationName: x?.location_name ?? event.location_name,
      locationAddress: x?.location_address ?? event.location_address,
      notes: x?.notes ?? event.notes,
      modified: Boolean(x && (x.starts_at || x.title || x.location_name || x.location_address || x.notes || x.cancelled)),
    };
  });
}

/** The occurrence named `occurrence` (its original start), or null when the series has none then. */
export function findOccurrence(event: EventRow, exceptions: readonly ExceptionRow[], occurrence: Date): ResolvedOccurrence | null {
  return resolveOccurrences(event, exceptions).find((o) => o.occurrence.getTime() === occurrence.getTime()) ?? null;
}

export const overlaps = (a: { start: Date; end: Date }, from: Date, to: Date) => a.start < to && a.end > from;
