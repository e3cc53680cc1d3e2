import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import { addUser, createOrganization, onServer, startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const search = async (auth: { authorization: string }, q: string) =>
  ((await t.app.inject({ url: `/api/v1/members?q=${encodeURIComponent(q)}&limit=100`, headers: auth })).json().data as { email: string }[]).map((m) => m.email);

describe('member search index', () => {
  it('finds members by name or e-mail inside the organization only, and follows renames', async () => {
    const a = await createOrganization(t.services);
    const b = await createOrganization(t.services);
    const ophelia = await addUser(t.services, a.id, 'artist', `ophelia-${a.id.slice(0, 8)}@example.com`);
    await addUser(t.services, b.id, 'artist', `ophelia-${b.id.slice(0, 8)}@example.com`);
    expect(await search(a.users.admin.auth, 'OPHELIA')).toEqual([ophelia.email]);

    await withTenant(t.services.database.db, { organizationId: a.id, userId: ophelia.id }, (trx) =>
      trx.updateTable('users').set({ first_name: 'Gertrude', last_name: 'Queen', email: `queen-${a.id.slice(0, 8)}@example.com` }).where('id', '=', ophelia.id).execute());
    expect(await search(a.users.admin.auth, 'ophelia')).toEqual([]);
    expect(await search(a.users.admin.auth, 'gertrude')).toEqual([`queen-${a.id.slice(0, 8)}@example.com`]);
  });

  it.runIf(onServer)('the application role cannot read or change the private search table', async () => {
    const app = new pg.Client({ connectionString: inject('appUrl') });
    await app.connect();
    try {
      const read = await app.query('SELECT count(*) FROM search_private.member_search').then(() => 'allowed', (e: { code: string }) => e.code);
      expect(read).toBe('42501');
      const fn = await app.query(`SELECT search_private.sync_user()`).then(() => 'allowed', (e: { code: string }) => e.code);
      expect(fn).toBe('42501');
      // Without an organization in context the search function finds nothing.
      expect((await app.query(`SELECT app_search_members('%')`)).rowCount).toBe(0);
    } finally {
      await app.end();
    }
  });
});
