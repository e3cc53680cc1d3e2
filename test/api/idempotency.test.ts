import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import { createOrganization, startTestApp, type TestApp, type TestOrganization, type TestUser } from '../helpers/app.js';
import { expectProblem, unique } from './support.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

function invite(user: TestUser, body: Record<string, unknown>, key?: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/admin/users',
    headers: { ...user.auth, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload: body,
  });
}

async function invitationsFor(org: TestOrganization, email: string) {
  const res = await t.app.inject({ url: `/api/v1/admin/invitations?q=${encodeURIComponent(email)}&limit=100`, headers: org.users.admin.auth });
  expect(res.statusCode).toBe(200);
  return (res.json() as { data: { id: string; email: string }[] }).data.filter((i) => i.email === email);
}

function email() {
  return `${unique('invitee')}@example.com`;
}

describe('Idempotency-Key on POST /admin/users', () => {
  it('same key and body answers the first result again, once stored', async () => {
    const org = await createOrganization(t.services);
    const body = { email: email(), role: 'artist', first_name: 'Ada' };
    const key = unique('key');

    const first = await invite(org.users.admin, body, key);
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const created = first.json() as { id: string; email: string; accept_url: string };
    expect(created.email).toBe(body.email);

    const again = await invite(org.users.admin, body, key);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(created);

    // A third time, for good measure: still the same answer, still one invitation.
    const third = await invite(org.users.admin, body, key);
    expect(third.json()).toEqual(created);
    const stored = await invitationsFor(org, body.email);
    expect(stored.map((i) => i.id)).toEqual([created.id]);
  });

  it('same key with another body → 422 idempotency_key_reused and nothing created', async () => {
    const org = await createOrganization(t.services);
    const key = unique('key');
    const body = { email: email(), role: 'artist' };
    expect((await invite(org.users.admin, body, key)).statusCode).toBe(201);

    const other = { email: email(), role: 'artist' };
    expectProblem(await invite(org.users.admin, other, key), 422, 'idempotency_key_reused');
    expectProblem(await invite(org.users.admin, { ...body, role: 'admin' }, key), 422, 'idempotency_key_reused');
    expect(await invitationsFor(org, other.email)).toHaveLength(0);
    expect(await invitationsFor(org, body.email)).toHaveLength(1);
  });

  it('without a key a repeated POST is a new request → 409 conflict', async () => {
    const org = await createOrganization(t.services);
    const body = { email: email(), role: 'accountant' };
    expect((await invite(org.users.admin, body)).statusCode).toBe(201);
    const second = await invite(org.users.admin, body);
    const problem = expectProblem(second, 409, 'conflict');
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(JSON.stringify(problem.errors)).toContain('body.email');
    expect(await invitationsFor(org, body.email)).toHaveLength(1);
  });

  it('rejects malformed keys with 400 and creates nothing', async () => {
    const org = await createOrganization(t.services);
    for (const key of ['', 'has space', 'tab\tkey', 'x'.repeat(256)]) {
      const body = { email: email(), role: 'artist' };
      const res = await invite(org.users.admin, body, key);
      const problem = expectProblem(res, 400, 'validation_error');
      expect(JSON.stringify(problem.errors)).toContain('idempotency-key');
      expect(await invitationsFor(org, body.email)).toHaveLength(0);
    }
    // The longest allowed key works.
    const longest = 'k'.repeat(255);
    expect((await invite(org.users.admin, { email: email(), role: 'artist' }, longest)).statusCode).toBe(201);
  });

  it('keys are scoped per user and per organization', async () => {
    const org = await createOrganization(t.services);
    const other = await createOrganization(t.services);
    const key = unique('shared-key');
    const body = { email: email(), role: 'artist' };
    const first = await invite(org.users.admin, body, key);
    expect(first.statusCode).toBe(201);

    // Another admin of the same organization with the same key: not a replay of someone else's answer.
    const sameBody = await invite(org.users.system_admin, body, key);
    expectProblem(sameBody, 409, 'conflict');
    expect(sameBody.headers['idempotent-replayed']).toBeUndefined();
    const fresh = await invite(org.users.system_admin, { email: email(), role: 'artist' }, key);
    expect(fresh.statusCode).toBe(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect((fresh.json() as { id: string }).id).not.toBe((first.json() as { id: string }).id);

    // An admin of another organization with the same key and body gets its own invitation.
    const elsewhere = await invite(other.users.admin, body, key);
    expect(elsewhere.statusCode).toBe(201);
    expect(elsewhere.headers['idempotent-replayed']).toBeUndefined();
    expect((elsewhere.json() as { id: string }).id).not.toBe((first.json() as { id: string }).id);
    expect(await invitationsFor(other, body.email)).toHaveLength(1);
    expect(await invitationsFor(org, body.email)).toHaveLength(1);
  });

  it('50 parallel requests with one key create exactly one invitation', async () => {
    const org = await createOrganization(t.services);
    const key = unique('burst');
    const body = { email: email(), role: 'production_manager' };
    const answers = await Promise.all(Array.from({ length: 50 }, () => invite(org.users.admin, body, key)));

    const statuses = new Set(answers.map((a) => a.statusCode));
    expect([...statuses].every((s) => s === 201 || s === 409), `statuses: ${[...statuses].join(',')}`).toBe(true);
    for (const a of answers.filter((x) => x.statusCode === 409)) {
      expectProblem(a, 409, 'idempotency_in_flight');
      expect(a.headers['retry-after']).toBe('1');
    }
    const created = answers.filter((a) => a.statusCode === 201).map((a) => a.json() as { id: string });
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((c) => JSON.stringify(c))).size).toBe(1);
    expect(answers.filter((a) => a.statusCode === 201 && a.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);

    const stored = await invitationsFor(org, body.email);
    expect(stored.map((i) => i.id)).toEqual([created[0]?.id]);

    // Once the burst is over, a retry gets the stored answer.
    const retry = await invite(org.users.admin, body, key);
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toEqual(created[0]);
  });

  it('a request that failed does not use up its key', async () => {
    const org = await createOrganization(t.services);
    const key = unique('retry');
    const good = { email: email(), role: 'artist' };

    // Rejected by validation: the client fixes the body and retries with the same key.
    expectProblem(await invite(org.users.admin, { email: 'not-an-email', role: 'artist' }, key), 400, 'validation_error');
    expectProblem(await invite(org.users.admin, { ...good, role: 'emperor' }, key), 400, 'validation_error');

    const ok = await invite(org.users.admin, good, key);
    expect(ok.statusCode).toBe(201);
    expect(ok.headers['idempotent-replayed']).toBeUndefined();

    // A conflict is not stored either: after the invitation is revoked the same key and body succeed.
    const key2 = unique('conflict');
    expectProblem(await invite(org.users.admin, good, key2), 409, 'conflict');
    const id = (ok.json() as { id: string }).id;
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/admin/invitations/${id}`, headers: org.users.admin.auth })).statusCode).toBe(200);
    const afterRevoke = await invite(org.users.admin, good, key2);
    expect(afterRevoke.statusCode).toBe(201);
    expect(afterRevoke.headers['idempotent-replayed']).toBeUndefined();
    expect((afterRevoke.json() as { id: string }).id).not.toBe(id);
  });

  it('an expired key runs the request again', async () => {
    const org = await createOrganization(t.services);
    const key = unique('old');
    const body = { email: email(), role: 'artist' };
    expect((await invite(org.users.admin, body, key)).statusCode).toBe(201);
    await withTenant(t.services.database.db, { organizationId: org.id, userId: org.users.admin.id }, async (trx) => {
      await sql`UPDATE idempotency_keys SET expires_at = now() - interval '1 minute' WHERE key = ${key}`.execute(trx);
    });
    // Re-executed, so the open invitation now conflicts instead of being replayed.
    const again = await invite(org.users.admin, body, key);
    expectProblem(again, 409, 'conflict');
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });
});
