import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import type { ResolvedOccurrence } from './occurrences.js';
import type { EventRow } from './schedules.queries.js';

/**
 * Events as an RFC 5545 calendar, written with ical.js: one VEVENT per series in its own zone
 * (with the zone's VTIMEZONE), its RRULE, an EXDATE per cancelled occurrence and an overriding
 * VEVENT (RECURRENCE-ID) per moved or renamed one; alarms a day and two hours before.
 */

const ALARMS = [{ seconds: 86_400, words: 'tomorrow' }, { seconds: 7_200, words: 'in 2 hours' }];

function icalTime(instant: Date, zone: string, allDay: boolean): ICAL.Time {
  const l = DateTime.fromJSDate(instant, { zone });
  return allDay
    ? ICAL.Time.fromData({ year: l.year, month: l.month, day: l.day, isDate: true })
    : ICAL.Time.fromData({ year: l.year, month: l.month, day: l.day, hour: l.hour, minute: l.minute, second: l.second });
}

function setTime(component: ICAL.Component, name: string, instant: Date, event: EventRow, add = false) {
  const value = icalTime(instant, event.time_zone, event.all_day);
  const property = add ? component.addPropertyWithValue(name, value) : component.updatePropertyWithValue(name, value);
  if (!event.all_day) property.setParameter('tzid', event.time_zone);
}

function describe(event: EventRow, notes: string | null): string {
  return [event.description, event.call_time_notes && `Call: ${event.call_time_notes}`, notes, event.virtual_url && `Join: ${event.virtual_url}`]
    .filter(Boolean).join('\n\n');
}

function fill(vevent: ICAL.Component, event: EventRow, o: { start: Date; end: Date; title: string; locationName: string | null; locationAddress: string | null; notes: string | null }, link: string, cancelled: boolean) {
  vevent.updatePropertyWithValue('uid', `${event.id}@big-live-portal`);
  vevent.updatePropertyWithValue('dtstamp', ICAL.Time.fromJSDate(event.updated_at, true));
  vevent.updatePropertyWithValue('last-modified', ICAL.Time.fromJSDate(event.updated_at, true));
  vevent.updatePropertyWithValue('created', ICAL.Time.fromJSDate(event.created_at, true));
  setTime(vevent, 'dtstart', o.start, event);
  setTime(vevent, 'dtend', o.end, event);
  vevent.updatePropertyWithValue('summary', o.title);
  const description = describe(event, o.notes);
  if (description) vevent.updatePropertyWithValue('description', description);
  const location = [o.locationName, o.locationAddress].filter(Boolean).join(', ');
  if (location) vevent.updatePropertyWithValue('location', location);
  if (event.latitude !== null && event.longitude !== null) vevent.updatePropertyWithValue('geo', [event.latitude, event.longitude]);
  vevent.updatePropertyWithValue('categories', event.type.replace('_', ' '));
  vevent.updatePropertyWithValue('url', link);
  vevent.updatePropertyWithValue('status', cancelled ? 'CANCELLED' : 'CONFIRMED');
  if (!cancelled) {
    for (const alarm of ALARMS) {
      const valarm = new ICAL.Component('valarm');
      valarm.updatePropertyWithValue('action', 'DISPLAY');
      valarm.updatePropertyWithValue('trigger', ICAL.Duration.fromSeconds(-alarm.seconds));
      valarm.updatePropertyWithValue('description', `${o.title} ${alarm.words}`);
      vevent.addSubcomponent(valarm);
    }
  }
}

/** `occurrences` holds every occurrence of each event (resolved with its exceptions). */
export function buildCalendar(name: string, events: readonly EventRow[], occurrences: ReadonlyMap<string, readonly ResolvedOccurrence[]>, linkOf: (event: EventRow) => string): string {
  const calendar = new ICAL.Component(['vcalendar', [], []]);
  calendar.updatePropertyWithValue('prodid', '-//BIG Live Portal//Schedule//EN');
  calendar.updatePropertyWithValue('version', '2.0');
  calendar.updatePropertyWithValue('calscale', 'GREGORIAN');
  calendar.updatePropertyWithValue('method', 'PUBLISH');
  calendar.updatePropertyWithValue('x-wr-calname', name);
  // Calendar apps ask again about every hour.
  calendar.updatePropertyWithValue('refresh-interval', ICAL.Duration.fromSeconds(3600));
  calendar.updatePropertyWithValue('x-published-ttl', 'PT1H');

  for (const zone of new Set(events.filter((e) => !e.all_day).map((e) => e.time_zone))) {
    const vtimezone = getVtimezoneComponent(zone);
    if (vtimezone) calendar.addSubcomponent(new ICAL.Component(ICAL.parse(vtimezone) as unknown[]));
  }

  for (const event of events) {
    const link = linkOf(event);
    const all = occurrences.get(event.id) ?? [];
    const first = all[0];
    if (!first) continue;
    const master = new ICAL.Component('vevent');
    fill(master, event, { start: event.starts_at, end: event.ends_at, title: event.title, locationName: event.location_name, locationAddress: event.location_address, notes: event.notes }, link, event.status === 'cancelled');
    if (event.rrule) master.updatePropertyWithValue('rrule', ICAL.Recur.fromString(event.rrule));
    calendar.addSubcomponent(master);
    if (!event.rrule || event.status === 'cancelled') continue;
    for (const o of all) {
      if (o.cancelled) {
        setTime(master, 'exdate', o.occurrence, event, true);
      } else if (o.modified) {
        const override = new ICAL.Component('vevent');
        fill(override, event, o, link, false);
        setTime(override, 'recurrence-id', o.occurrence, event);
        calendar.addSubcomponent(override);
      }
    }
  }
  // RFC 5545 ends every content line, the last one too, with CRLF.
  return `${calendar.toString()}\r\n`;
}
