import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { recordAudit, type AuditOrigin } from '../audit/audit.service.js';
import type { Role } from '../db/schema.js';
import { withTenant, type Tx } from '../db/tenant.js';
import { hashPassword } from '../modules/auth/passwords.js';
import { planSeries } from '../modules/schedules/recurrence.js';
import { syncReminders } from '../modules/schedules/schedules.service.js';
import type { Services } from '../services.js';

/** Shared password of the demo people (development data only; `seed:demo` refuses production). */
export const DEMO_PASSWORD = 'Stage-Door-Demo-2026';

/**
 * Seed 000's demo organization. Fixed ids so re-running changes nothing; each later capability
 * adds its part (the "Hamlet" production, contracts, expenses, a month of rehearsals…).
 */
export const DEMO_ORGANIZATION = {
  id: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  name: 'Test Theatre Company',
  slug: 'test-theatre',
};

export const DEMO_PEOPLE: { id: string; membershipId: string; email: string; first_name: string; last_name: string; role: Role; department: string | null }[] = [
  { id: 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', membershipId: 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', email: 'admin@example.com', first_name: 'Admin', last_name: 'User', role: 'admin', department: 'Company Management' },
  { id: 'c0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', membershipId: 'c1eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', email: 'artist1@example.com', first_name: 'Jane', last_name: 'Doe', role: 'artist', department: 'Cast' },
  { id: 'd0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', membershipId: 'd1eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', email: 'artist2@example.com', first_name: 'John', last_name: 'Smith', role: 'artist', department: 'Cast' },
  { id: 'e0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', membershipId: 'e1eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', email: 'finance@example.com', first_name: 'Finance', last_name: 'Manager', role: 'accountant', department: 'Finance' },
];

export interface SeedReport {
  created: string[];
}

export async function seedDemo(services: Services): Promise<SeedReport> {
  const { db } = services.database;
  const created: string[] = [];
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const org = DEMO_ORGANIZATION;
  await withTenant(db, { organizationId: org.id }, async (trx) => {
    const origin = { organizationId: org.id, actorId: null, ip: null, userAgent: 'seed:demo', requestId: null };
    const inserted = await trx.insertInto('organizations').values({ id: org.id, name: org.name, slug: org.slug })
      .onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst();
    if (inserted) {
      created.push(`organization ${org.name}`);
      await recordAudit(trx, origin, { entityType: 'organization', entityId: org.id, action: 'create', after: { name: org.name, slug: org.slug } });
    }
    for (const person of DEMO_PEOPLE) {
      // The user row must be visible to RETURNING/ON CONFLICT checks under RLS.
      await sql`SELECT set_config('app.user_id', ${person.id}, true)`.execute(trx);
      const user = await trx.insertInto('users').values({
        id: person.id, email: person.email, first_name: person.first_name, last_name: person.last_name, email_verified_at: new Date(),
        password_hash: passwordHash, password_changed_at: new Date(),
      }).onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst();
      const membership = await trx.insertInto('memberships').values({
        id: person.membershipId, organization_id: org.id, user_id: person.id, role: person.role, department: person.department, is_primary: true,
      }).onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst();
      if (user || membership) {
        created.push(`${person.role} ${person.email}`);
        await recordAudit(trx, origin, { entityType: 'membership', entityId: person.membershipId, action: 'create', after: { email: person.email, role: person.role } });
      }
    }
    await seedHamlet(services, trx, origin, created);
    await seedHamletSchedule(trx, origin, created);
  });
  return { created };
}

export const DEMO_PRODUCTION_ID = 'f0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
export const DEMO_CONTRACT_ID = 'f1eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
export const DEMO_REHEARSALS_ID = 'f2eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
export const DEMO_PERFORMANCES_ID = 'f3eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';

const isoDay = (daysFromNow: number) => new Date(Date.now() + daysFromNow * 86_400_000).toISOString().slice(0, 10);

/** A one-page ensemble agreement, readable in the viewer and signable. */
async function demoAgreement(start: string, end: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.setTitle('Hamlet — ensemble agreement');
  const page = doc.addPage([595.28, 841.89]);
  const [regular, bold] = [await doc.embedFont(StandardFonts.Helvetica), await doc.embedFont(StandardFonts.HelveticaBold)];
  let y = 780;
  const line = (text: string, size = 11, font = regular) => {
    page.drawText(text, { x: 64, y, size, font, maxWidth: 467, lineHeight: size * 1.4 });
    y -= size * 1.4 * Math.max(1, Math.ceil(font.widthOfTextAtSize(text, size) / 467)) + 6;
  };
  line('Test Theatre Company', 10);
  line('Hamlet — ensemble agreement', 20, bold);
  y -= 10;
  line(`Engagement: rehearsals and performances of Hamlet from ${start} to ${end}.`);
  line('Fee: USD 4,800.00, paid in two instalments: USD 2,400.00 at the first rehearsal and USD 2,400.00 after the closing performance.');
  line('Schedule: rehearsals on weekdays 19:00–22:00, performances on Saturdays and Sundays; call times are published in the portal.');
  line('Union: Actors\' Equity Association, production contract rules apply.');
  line('Expenses: travel and per diems are claimed through the BIG Live Portal with receipts, under the company\'s expense policy.');
  line('The Artist signs this agreement electronically in the BIG Live Portal.');
  return Buffer.from(await doc.save());
}

/** Seed 000's "Hamlet" production and an ensemble agreement sent to both demo artists to sign. */
async function seedHamlet(services: Services, trx: Tx, origin: AuditOrigin, created: string[]) {
  const orgId = DEMO_ORGANIZATION.id;
  const admin = DEMO_PEOPLE.find((p) => p.role === 'admin')!;
  const [start, end] = [isoDay(30), isoDay(90)];
  const production = await trx.insertInto('productions').values({
    id: DEMO_PRODUCTION_ID, organization_id: orgId, name: 'Hamlet', start_date: start, end_date: end,
    budget_amount: '250000.00', budget_currency: 'USD', created_by: admin.id,
  }).onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst();
  if (production) {
    created.push('production Hamlet');
    await recordAudit(trx, origin, { entityType: 'production', entityId: DEMO_PRODUCTION_ID, action: 'create', after: { name: 'Hamlet', start_date: start, end_date: end } });
  }
  const exists = await trx.selectFrom('contracts').select('id').where('id', '=', DEMO_CONTRACT_ID).executeTakeFirst();
  if (exists) return;
  const pdf = await demoAgreement(start, end);
  const stored = await services.storage.put(Readable.from(pdf), { organizationId: orgId, maxBytes: services.config.FILE_MAX_BYTES });
  const file = await trx.insertInto('files').values({
    organization_id: orgId, storage_provider: services.storage.provider, storage_key: stored.key, original_name: 'hamlet-ensemble-agreement.pdf',
    content_type: 'application/pdf', size_bytes: stored.sizeBytes, sha256: stored.sha256, uploaded_by: admin.id, purpose: 'contract',
  }).returning('id').executeTakeFirstOrThrow();
  await trx.insertInto('contracts').values({
    id: DEMO_CONTRACT_ID, organization_id: orgId, production_id: DEMO_PRODUCTION_ID, title: 'Hamlet — ensemble agreement', status: 'pending',
    description: 'Season agreement for the Hamlet ensemble', created_by: admin.id, tags: ['hamlet', 'ensemble'], signing_deadline: isoDay(21),
    terms: JSON.stringify({ amount: '4800.00', currency: 'USD', start_date: start, end_date: end, union: { name: "Actors' Equity Association" },
      payment_schedule: [{ label: 'First rehearsal', due_date: start, amount: '2400.00' }, { label: 'Closing performance', due_date: end, amount: '2400.00' }] }),
  }).execute();
  await trx.insertInto('contract_versions').values({
    organization_id: orgId, contract_id: DEMO_CONTRACT_ID, version: 1, file_id: file.id, sha256: stored.sha256, change_summary: null,
    created_by: admin.id, conversion_status: null, pdf_file_id: null, conversion_error: null,
  }).execute();
  const artists = DEMO_PEOPLE.filter((p) => p.role === 'artist');
  await trx.insertInto('contract_assignments').values(artists.map((a) => ({
    organization_id: orgId, contract_id: DEMO_CONTRACT_ID, artist_id: a.id, status: 'sent' as const, sent_at: new Date(), version_assigned: 1,
    message: 'Welcome to the Hamlet company! Please read and sign your agreement.', assigned_by: admin.id,
  }))).execute();
  created.push('contract Hamlet — ensemble agreement (sent to the artists)');
  await recordAudit(trx, origin, { entityType: 'contract', entityId: DEMO_CONTRACT_ID, action: 'create', after: { title: 'Hamlet — ensemble agreement', file_sha256: stored.sha256, assigned: artists.length } });
}

/**
 * Hamlet's calendar in the company's zone: four weeks of weekday rehearsals (19:00–22:00) from the
 * production's start, then four weekends of performances at the Main Theatre, both demo artists
 * called to all of them.
 */
async function seedHamletSchedule(trx: Tx, origin: AuditOrigin, created: string[]) {
  const orgId = DEMO_ORGANIZATION.id;
  const zone = 'America/New_York';
  const admin = DEMO_PEOPLE.find((p) => p.role === 'admin')!;
  const artists = DEMO_PEOPLE.filter((p) => p.role === 'artist');
  const parts = ['Hamlet', 'Ophelia'];
  const series = [
    {
      id: DEMO_REHEARSALS_ID, type: 'rehearsal' as const, title: 'Hamlet — rehearsal', rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=20',
      start: '19:00', end: '22:00', offsetDays: 0, location_name: 'Rehearsal Studio A', call_time_notes: 'Warm-up 18:45',
    },
    {
      id: DEMO_PERFORMANCES_ID, type: 'performance' as const, title: 'Hamlet', rrule: 'FREQ=WEEKLY;BYDAY=SA,SU;COUNT=8',
      start: '19:30', end: '22:30', offsetDays: 28, location_name: 'Main Theatre', call_time_notes: 'Call 18:00, half-hour 19:00',
    },
  ];
  for (const s of series) {
    const exists = await trx.selectFrom('events').select('id').where('id', '=', s.id).executeTakeFirst();
    if (exists) continue;
    // Wall-clock times in New York, whatever the server's zone.
    const day = DateTime.fromISO(isoDay(30), { zone }).plus({ days: s.offsetDays }).toISODate()!;
    const plan = planSeries({
      timeZone: zone, allDay: false, rrule: s.rrule,
      start: DateTime.fromISO(`${day}T${s.start}`, { zone }).toJSDate(), end: DateTime.fromISO(`${day}T${s.end}`, { zone }).toJSDate(),
    });
    await trx.insertInto('events').values({
      id: s.id, organization_id: orgId, production_id: DEMO_PRODUCTION_ID, type: s.type, title: s.title, time_zone: zone,
      starts_at: plan.startsAt, ends_at: plan.endsAt, rrule: plan.rrule, recurrence_ends_at: plan.recurrenceEndsAt, recurrence_capped: plan.capped,
      location_name: s.location_name, location_address: '1 Broadway, New York, NY', call_time_notes: s.call_time_notes, created_by: admin.id,
    }).execute();
    await trx.insertInto('event_participants').values(artists.map((a, i) => ({ organization_id: orgId, event_id: s.id, user_id: a.id, role: parts[i] ?? null }))).execute();
    await syncReminders({ trx, organizationId: orgId }, s.id);
    created.push(`${plan.occurrences.length} ${s.type}s of Hamlet`);
    await recordAudit(trx, origin, { entityType: 'event', entityId: s.id, action: 'create', after: { title: s.title, rrule: plan.rrule, participants: artists.length } });
  }
}
