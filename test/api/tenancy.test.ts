import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/server/db/schema.js';
import { createOrganization, startTestApp, type TestApp, type TestOrganization, type TestUser } from '../helpers/app.js';
import { expectProblem, multipart, problemShape, samples, unique } from './support.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

function zip<T>(a: T[], b: T[]): [T, T][] {
  return a.map((x, i) => [x, b[i] as T]);
}

const roles: Role[] = ['admin', 'artist', 'accountant', 'production_manager', 'finance_director', 'system_admin'];

async function upload(user: TestUser, name = 'contract.pdf', data = samples.pdf) {
  const body = multipart([{ filename: name, contentType: 'application/pdf', data }]);
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...user.auth, ...body.headers }, payload: body.payload });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string };
}

async function invite(org: TestOrganization, email: string) {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/admin/users', headers: org.users.admin.auth, payload: { email, role: 'artist', first_name: 'Sentinel' } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string };
}

/** Everything of B that A must neither see nor change, read as B's admin. */
async function snapshot(org: TestOrganization, fileIds: string[]) {
  const a = org.users.admin.auth;
  const members = await t.app.inject({ url: '/api/v1/members?limit=100', headers: a });
  const invitations = await t.app.inject({ url: '/api/v1/admin/invitations?limit=100', headers: a });
  const organization = await t.app.inject({ url: '/api/v1/organization', headers: a });
  const files = await Promise.all(fileIds.map((id) => t.app.inject({ url: `/api/v1/files/${id}`, headers: a })));
  for (const r of [members, invitations, organization, ...files]) expect(r.statusCode).toBe(200);
  return {
    members: members.json() as unknown,
    invitations: invitations.json() as unknown,
    organization: organization.json() as unknown,
    files: files.map((f) => f.json() as unknown),
  };
}

describe('cross-tenant access by id', () => {
  it("A's users of every role get the same 404 for B's ids as for ids that do not exist", async () => {
    const A = await createOrganization(t.services, 'Alpha');
    const B = await createOrganization(t.services, 'Bravo');
    const bFiles = [(await upload(B.users.admin, `b-secret-${B.id}.pdf`)).id, (await upload(B.users.artist, 'b-artist.pdf')).id];
    const bInvitation = (await invite(B, `${unique('b-invitee')}@example.com`)).id;
    const before = await snapshot(B, bFiles);

    type Op = { method: 'GET' | 'PATCH' | 'DELETE'; url: string; payload?: Record<string, unknown> };
    const memberOps = (id: string): Op[] => [
      { method: 'GET', url: `/api/v1/members/${id}` },
      { method: 'PATCH', url: `/api/v1/members/${id}`, payload: { title: 'Pwned', role: 'artist' } },
      { method: 'PATCH', url: `/api/v1/members/${id}`, payload: { end_date: '2999-01-01' } },
    ];
    const fileOps = (id: string): Op[] => [
      { method: 'GET', url: `/api/v1/files/${id}` },
      { method: 'GET', url: `/api/v1/files/${id}/download` },
    ];
    const invitationOps = (id: string): Op[] => [{ method: 'DELETE', url: `/api/v1/admin/invitations/${id}` }];
    // Each operation on B's object is paired with the same operation on an id that exists nowhere.
    const pairs: [Op, Op][] = [
      ...Object.values(B.users).flatMap((u) => zip(memberOps(u.membershipId), memberOps(randomUUID()))),
      ...bFiles.flatMap((id) => zip(fileOps(id), fileOps(randomUUID()))),
      ...zip(invitationOps(bInvitation), invitationOps(randomUUID())),
    ];

    let attempts = 0;
    for (const role of roles) {
      const actor = A.users[role];
      for (const [foreign, missing] of pairs) {
        const send = (op: Op) => t.app.inject({ method: op.method, url: op.url, headers: actor.auth, ...(op.payload ? { payload: op.payload } : {}) });
        const got = await send(foreign);
        const ref = await send(missing);
        attempts++;
        const label = `${role} ${foreign.method} ${foreign.url}`;
        expect([404, 403], label).toContain(got.statusCode);
        expectProblem(got, got.statusCode);
        // Managers pass every permission check, so what they meet is the lookup: "not found".
        if (role === 'admin' || role === 'system_admin') expect(got.statusCode, label).toBe(404);
        expect(problemShape(got), label).toEqual(problemShape(ref));
        expect(got.body, label).not.toContain(B.id);
        expect(got.body, label).not.toContain('Bravo');
      }
    }
    expect(attempts).toBe(roles.length * (6 * 3 + 2 * 2 + 1));
    expect(await snapshot(B, bFiles)).toEqual(before);
  }, 120_000);

  it("B's data stays out of A's lists and searches, and B's ids in bodies change nothing", async () => {
    const A = await createOrganization(t.services, 'Alpha');
    const B = await createOrganization(t.services, 'Bravo');
    const bEmail = `${unique('bravo-only')}@example.com`;
    await invite(B, bEmail);
    const before = await snapshot(B, []);
    const admin = A.users.admin.auth;

    const sentinel = B.id.slice(0, 8);
    for (const url of [
      `/api/v1/members?q=${sentinel}&limit=100`,
      `/api/v1/admin/invitations?q=${encodeURIComponent(bEmail)}`,
      '/api/v1/admin/invitations?limit=100',
      '/api/v1/members?limit=100',
    ]) {
      const res = await t.app.inject({ url, headers: admin });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain(sentinel);
      expect(res.body).not.toContain(bEmail);
    }
    // A cursor pointing into B's rows still pages A's own data only.
    const forged = Buffer.from(JSON.stringify({ t: new Date(Date.now() + 60_000).toISOString(), id: B.users.admin.membershipId })).toString('base64url');
    const viaCursor = await t.app.inject({ url: `/api/v1/members?cursor=${forged}&limit=100`, headers: admin });
    expect(viaCursor.statusCode).toBe(200);
    expect((viaCursor.json() as { data: { id: string }[] }).data.map((m) => m.id).sort()).toEqual(Object.values(A.users).map((u) => u.membershipId).sort());

    // Ids of B smuggled into bodies are refused, not followed.
    const patch = await t.app.inject({ method: 'PATCH', url: `/api/v1/members/${A.users.artist.membershipId}`, headers: admin, payload: { title: 'x', organization_id: B.id } });
    expectProblem(patch, 400, 'validation_error');
    const org = await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: admin, payload: { id: B.id, name: 'Taken over' } });
    expectProblem(org, 400, 'validation_error');
    // Inviting B's member into A is A's own business and creates nothing in B.
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/admin/users', headers: admin, payload: { email: B.users.admin.email, role: 'admin' } })).statusCode).toBe(201);
    expect(await snapshot(B, [])).toEqual(before);
  });
});

describe('mass assignment', () => {
  it('PATCH /members/:id refuses fields that are not editable and changes nothing', async () => {
    const org = await createOrganization(t.services);
    const other = await createOrganization(t.services);
    const target = org.users.artist;
    const url = `/api/v1/members/${target.membershipId}`;
    const before = (await t.app.inject({ url, headers: org.users.admin.auth })).json() as Record<string, unknown>;
    const attempts: Record<string, unknown>[] = [
      { organization_id: other.id },
      { user_id: org.users.admin.id },
      { created_at: '2000-01-01T00:00:00Z' },
      { id: randomUUID() },
      { email: 'new@example.com' },
      { is_active: false },
      { start_date: '2000-01-01' },
      { title: 'Lead', organization_id: other.id },
      { allowed_actions: ['organization:update'] },
    ];
    for (const payload of attempts) {
      const body = expectProblem(await t.app.inject({ method: 'PATCH', url, headers: org.users.admin.auth, payload }), 400, 'validation_error');
      expect(JSON.stringify(body.errors), JSON.stringify(payload)).toMatch(/body/);
    }
    expect((await t.app.inject({ url, headers: org.users.admin.auth })).json()).toEqual(before);
  });

  it('PATCH /organization refuses is_active, subscription_tier, id, slug', async () => {
    const org = await createOrganization(t.services);
    const before = (await t.app.inject({ url: '/api/v1/organization', headers: org.users.admin.auth })).json() as Record<string, unknown>;
    for (const payload of [
      { is_active: false },
      { subscription_tier: 'enterprise' },
      { id: randomUUID() },
      { slug: 'taken' },
      { name: 'Renamed', subscription_tier: 'enterprise' },
      { settings: { timezone: 'UTC', plan: 'gold' } },
      { created_at: '2000-01-01T00:00:00Z' },
    ]) {
      expectProblem(await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: org.users.admin.auth, payload }), 400, 'validation_error');
    }
    expect((await t.app.inject({ url: '/api/v1/organization', headers: org.users.admin.auth })).json()).toEqual(before);
  });
});

describe('role rules', () => {
  it('an admin changes a role and the change is visible', async () => {
    const org = await createOrganization(t.services);
    const url = `/api/v1/members/${org.users.artist.membershipId}`;
    const res = await t.app.inject({ method: 'PATCH', url, headers: org.users.admin.auth, payload: { role: 'accountant', title: 'Bookkeeper' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: org.users.artist.membershipId, role: 'accountant', title: 'Bookkeeper' });
    expect((await t.app.inject({ url, headers: org.users.system_admin.auth })).json()).toMatchObject({ role: 'accountant', title: 'Bookkeeper' });
    const accountants = (await t.app.inject({ url: '/api/v1/members?role=accountant', headers: org.users.admin.auth })).json() as { data: { id: string }[] };
    expect(accountants.data.map((m) => m.id)).toContain(org.users.artist.membershipId);
  });

  it('only managers may change memberships; nobody may promote themselves', async () => {
    const org = await createOrganization(t.services);
    for (const role of ['artist', 'accountant', 'production_manager', 'finance_director'] as const) {
      const self = org.users[role];
      expectProblem(await t.app.inject({ method: 'PATCH', url: `/api/v1/members/${self.membershipId}`, headers: self.auth, payload: { role: 'admin' } }), 403, 'forbidden');
      expectProblem(await t.app.inject({ method: 'PATCH', url: `/api/v1/members/${org.users.admin.membershipId}`, headers: self.auth, payload: { role: 'artist' } }), 403, 'forbidden');
      const me = (await t.app.inject({ url: `/api/v1/members/${self.membershipId}`, headers: org.users.admin.auth })).json() as { role: string };
      expect(me.role).toBe(role);
    }
    expect(((await t.app.inject({ url: `/api/v1/members/${org.users.admin.membershipId}`, headers: org.users.admin.auth })).json() as { role: string }).role).toBe('admin');
  });

  it('the last administrator can be neither demoted nor ended', async () => {
    const org = await createOrganization(t.services);
    const admin = org.users.admin;
    const demoteSys = await t.app.inject({ method: 'PATCH', url: `/api/v1/members/${org.users.system_admin.membershipId}`, headers: admin.auth, payload: { role: 'production_manager' } });
    expect(demoteSys.statusCode, demoteSys.body).toBe(200);

    const url = `/api/v1/members/${admin.membershipId}`;
    expectProblem(await t.app.inject({ method: 'PATCH', url, headers: admin.auth, payload: { role: 'artist' } }), 409, 'conflict');
    const startDate = ((await t.app.inject({ url, headers: admin.auth })).json() as { start_date: string }).start_date;
    expectProblem(await t.app.inject({ method: 'PATCH', url, headers: admin.auth, payload: { end_date: startDate } }), 409, 'conflict');
    expectProblem(await t.app.inject({ method: 'PATCH', url, headers: admin.auth, payload: { end_date: '2999-12-31' } }), 409, 'conflict');
    const after = (await t.app.inject({ url, headers: admin.auth })).json() as { role: string; end_date: string | null };
    expect(after).toMatchObject({ role: 'admin', end_date: null });

    // With a second administrator in place, the first may step down.
    const promote = await t.app.inject({ method: 'PATCH', url: `/api/v1/members/${org.users.accountant.membershipId}`, headers: admin.auth, payload: { role: 'admin' } });
    expect(promote.statusCode).toBe(200);
    const stepDown = await t.app.inject({ method: 'PATCH', url, headers: admin.auth, payload: { role: 'artist' } });
    expect(stepDown.statusCode, stepDown.body).toBe(200);
    expect(stepDown.json()).toMatchObject({ role: 'artist' });
  });
});

describe('allowed_actions', () => {
  it('match the role of the caller', async () => {
    const org = await createOrganization(t.services);
    const orgAs = async (role: Role) =>
      ((await t.app.inject({ url: '/api/v1/organization', headers: org.users[role].auth })).json() as { allowed_actions: string[] }).allowed_actions;
    expect(await orgAs('admin')).toEqual(expect.arrayContaining(['organization:update', 'members:read', 'invitations:create', 'audit:read']));
    expect(await orgAs('system_admin')).toContain('organization:update');
    expect(await orgAs('artist')).toEqual([]);
    for (const role of ['accountant', 'production_manager', 'finance_director'] as const) {
      const actions = await orgAs(role);
      expect(actions).toContain('members:read');
      expect(actions).not.toContain('organization:update');
      expect(actions).not.toContain('invitations:create');
    }

    const memberUrl = `/api/v1/members/${org.users.artist.membershipId}`;
    const memberAs = async (role: Role) =>
      ((await t.app.inject({ url: memberUrl, headers: org.users[role].auth })).json() as { allowed_actions: string[] }).allowed_actions;
    expect(await memberAs('admin')).toEqual(['members:update']);
    expect(await memberAs('accountant')).toEqual([]);
    expect(await memberAs('artist')).toEqual([]);

    // What allowed_actions promise holds: the admin's update works, the artist's is refused.
    expect((await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: org.users.admin.auth, payload: { name: 'Renamed Theatre' } })).statusCode).toBe(200);
    expectProblem(await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: org.users.artist.auth, payload: { name: 'Nope' } }), 403, 'forbidden');

    const invited = await invite(org, `${unique('aa')}@example.com`);
    const list = (await t.app.inject({ url: '/api/v1/admin/invitations', headers: org.users.admin.auth })).json() as { data: { id: string; allowed_actions: string[] }[] };
    expect(list.data.find((i) => i.id === invited.id)?.allowed_actions).toEqual(['invitations:revoke', 'invitations:create']); // revoke, and resend (needs the right to invite)
  });
});
