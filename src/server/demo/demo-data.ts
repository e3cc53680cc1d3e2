import { sql, type Kysely } from 'kysely';
import { recordAudit } from '../audit/audit.service.js';
import type { DB, Role } from '../db/schema.js';
import { withTenant } from '../db/tenant.js';
import { hashPassword } from '../modules/auth/passwords.js';

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

export async function seedDemo(db: Kysely<DB>): Promise<SeedReport> {
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
  });
  return { created };
}
