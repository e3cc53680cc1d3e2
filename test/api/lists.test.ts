import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createOrganization, startTestApp, type TestApp, type TestOrganization, type TestUser } from '../helpers/app.js';
import { expectProblem, unique } from './support.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

interface Item {
  id: string;
  created_at: string;
  [k: string]: unknown;
}
interface ListBody {
  data: Item[];
  pagination: { next_cursor: string | null; has_more: boolean };
}

async function get(user: TestUser, url: string) {
  return t.app.inject({ url, headers: user.auth });
}

/** Follows next_cursor until has_more is false; returns every item in the order served. */
async function walk(user: TestUser, path: string, limit: number, startCursor: string | null = null): Promise<{ items: Item[]; pages: number }> {
  const items: Item[] = [];
  let cursor = startCursor;
  let pages = 0;
  const sep = path.includes('?') ? '&' : '?';
  for (;;) {
    const url = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await get(user, url);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as ListBody;
    pages += 1;
    expect(body.data.length).toBeLessThanOrEqual(limit);
    items.push(...body.data);
    if (!body.pagination.has_more) {
      expect(body.pagination.next_cursor).toBeNull();
      break;
    }
    expect(body.data).toHaveLength(limit);
    expect(typeof body.pagination.next_cursor).toBe('string');
    cursor = body.pagination.next_cursor;
    expect(pages).toBeLessThan(100);
  }
  return { items, pages };
}

/** Newest first, ties on the millisecond broken by id, both descending. */
function expectNewestFirst(items: Item[]) {
  for (let i = 1; i < items.length; i++) {
    const prev = items[i - 1] as Item;
    const cur = items[i] as Item;
    const order = Date.parse(prev.created_at) - Date.parse(cur.created_at) || (prev.id > cur.id ? 1 : -1);
    expect(order, `${prev.created_at}/${prev.id} before ${cur.created_at}/${cur.id}`).toBeGreaterThan(0);
  }
}

async function inviteMany(org: TestOrganization, count: number, tag: string, extra: (i: number) => Record<string, unknown> = () => ({})) {
  const created: Item[] = [];
  // Batches of parallel requests make several invitations share a millisecond, which the cursor must handle.
  for (let start = 0; start < count; start += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, count - start) }, (_, j) => {
        const i = start + j;
        return t.app.inject({
          method: 'POST',
          url: '/api/v1/admin/users',
          headers: org.users.admin.auth,
          payload: { email: `${tag}-${String(i).padStart(3, '0')}@example.com`, role: i % 2 ? 'artist' : 'accountant', ...extra(i) },
        });
      }),
    );
    for (const res of batch) {
      expect(res.statusCode, res.body).toBe(201);
      created.push(res.json() as Item);
    }
  }
  return created;
}

describe('cursor pagination', () => {
  it('walks 60 invitations 7 at a time: each once, newest first', async () => {
    const org = await createOrganization(t.services);
    const created = await inviteMany(org, 60, unique('page'));
    const { items, pages } = await walk(org.users.admin, '/api/v1/admin/invitations', 7);
    expect(pages).toBe(9);
    expect(items).toHaveLength(60);
    expect(new Set(items.map((i) => i.id)).size).toBe(60);
    expect(new Set(items.map((i) => i.id))).toEqual(new Set(created.map((c) => c.id)));
    expectNewestFirst(items);
    // The served items carry no secrets of the invitation.
    expect(Object.keys(items[0] as Item)).not.toEqual(expect.arrayContaining(['token_hash']));
    expect(JSON.stringify(items)).not.toMatch(/token_hash|organization_id/);
  });

  it('items created while paging do not shift the pages already walked', async () => {
    const org = await createOrganization(t.services);
    const tag = unique('shift');
    const before = await inviteMany(org, 20, tag);
    const first = (await get(org.users.admin, '/api/v1/admin/invitations?limit=5')).json() as ListBody;
    await inviteMany(org, 5, `${tag}-new`);
    expect(first.pagination.next_cursor).toBeTruthy();
    const rest = await walk(org.users.admin, '/api/v1/admin/invitations', 5, first.pagination.next_cursor);
    const ids = [...first.data, ...rest.items].map((i) => i.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids)).toEqual(new Set(before.map((b) => b.id)));
  });

  it('walks members 7 at a time', async () => {
    const org = await createOrganization(t.services);
    const tag = unique('member');
    for (let i = 0; i < 20; i++) await addUser(t.services, org.id, i % 3 ? 'artist' : 'accountant', `${tag}-${i}@example.com`);
    const { items, pages } = await walk(org.users.admin, '/api/v1/members', 7);
    expect(items).toHaveLength(26);
    expect(pages).toBe(4);
    expect(new Set(items.map((i) => i.id)).size).toBe(26);
    expect(items.map((i) => i.id)).toEqual(expect.arrayContaining(Object.values(org.users).map((u) => u.membershipId)));
    expectNewestFirst(items);
  });

  it('a cursor that was not issued by the API → 400 invalid_cursor', async () => {
    const org = await createOrganization(t.services);
    await inviteMany(org, 3, unique('cursor'));
    const page = (await get(org.users.admin, '/api/v1/admin/invitations?limit=1')).json() as ListBody;
    const cursor = page.pagination.next_cursor ?? '';
    expect(cursor).not.toBe('');
    const forged = [
      cursor.slice(0, -3),
      'not-a-cursor',
      Buffer.from('{"t":"yesterday","id":"x"}').toString('base64url'),
      Buffer.from(`{"t":"2024-01-01T00:00:00.000Z","id":"1' OR '1'='1"}`).toString('base64url'),
      Buffer.from('[1,2]').toString('base64url'),
    ];
    for (const bad of forged) {
      for (const path of ['/api/v1/admin/invitations', '/api/v1/members']) {
        const res = await get(org.users.admin, `${path}?cursor=${encodeURIComponent(bad)}`);
        expectProblem(res, 400, 'invalid_cursor');
      }
    }
    expectProblem(await get(org.users.admin, `/api/v1/members?cursor=${'A'.repeat(501)}`), 400, 'validation_error');
  });

  it('limit must be 1–100', async () => {
    const org = await createOrganization(t.services);
    for (const limit of ['0', '101', '-1', 'ten', '2.5']) {
      expectProblem(await get(org.users.admin, `/api/v1/members?limit=${limit}`), 400, 'validation_error');
    }
    const one = (await get(org.users.admin, '/api/v1/members?limit=1')).json() as ListBody;
    expect(one.data).toHaveLength(1);
    expect(one.pagination.has_more).toBe(true);
    const all = (await get(org.users.admin, '/api/v1/members')).json() as ListBody;
    expect(all.data).toHaveLength(6);
    expect(all.pagination).toEqual({ has_more: false, next_cursor: null });
  });
});

describe('invitation filters', () => {
  it('?status= filters by state, alone and combined, and pages within the filter', async () => {
    const org = await createOrganization(t.services);
    const created = await inviteMany(org, 15, unique('status'));
    const revoked = created.filter((_, i) => i % 3 === 0).map((c) => c.id);
    for (const id of revoked) {
      const res = await t.app.inject({ method: 'DELETE', url: `/api/v1/admin/invitations/${id}`, headers: org.users.admin.auth });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id, status: 'revoked', allowed_actions: [] });
    }
    const pending = created.map((c) => c.id).filter((id) => !revoked.includes(id));

    const onlyRevoked = await walk(org.users.admin, '/api/v1/admin/invitations?status=revoked', 2);
    expect(new Set(onlyRevoked.items.map((i) => i.id))).toEqual(new Set(revoked));
    expect(onlyRevoked.items.every((i) => i.status === 'revoked')).toBe(true);

    const onlyPending = await walk(org.users.admin, '/api/v1/admin/invitations?status=pending', 4);
    expect(onlyPending.items.map((i) => i.id).sort()).toEqual([...pending].sort());
    expect(onlyPending.items.every((i) => i.status === 'pending' && (i.allowed_actions as string[]).includes('invitations:revoke'))).toBe(true);

    const both = await walk(org.users.admin, '/api/v1/admin/invitations?status=pending,revoked', 7);
    expect(both.items).toHaveLength(15);
    expectNewestFirst(both.items);

    const none = (await get(org.users.admin, '/api/v1/admin/invitations?status=accepted,expired')).json() as ListBody;
    expect(none.data).toEqual([]);

    // A revoked invitation cannot be revoked again.
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/api/v1/admin/invitations/${revoked[0]}`, headers: org.users.admin.auth }), 409, 'conflict');
  });

  it('?q= matches part of the e-mail or name; % and _ are literal', async () => {
    const org = await createOrganization(t.services);
    const tag = unique('q').toLowerCase();
    const mk = (email: string, extra: Record<string, unknown> = {}) =>
      t.app.inject({ method: 'POST', url: '/api/v1/admin/users', headers: org.users.admin.auth, payload: { email, role: 'artist', ...extra } });
    const underscore = (await mk(`a_b.${tag}@example.com`)).json() as Item;
    const plain = (await mk(`axb.${tag}@example.com`)).json() as Item;
    const percent = (await mk(`other.${tag}@example.com`, { first_name: 'Hundred%', last_name: 'Sure' })).json() as Item;

    const search = async (q: string) =>
      ((await get(org.users.admin, `/api/v1/admin/invitations?q=${encodeURIComponent(q)}`)).json() as ListBody).data.map((i) => i.id).sort();

    expect(await search(tag)).toEqual([underscore.id, plain.id, percent.id].sort());
    expect(await search(tag.toUpperCase())).toHaveLength(3);
    expect(await search('a_b')).toEqual([underscore.id]);
    expect(await search('axb.')).toEqual([plain.id]);
    expect(await search('%')).toEqual([percent.id]);
    expect(await search('d%')).toEqual([percent.id]);
    expect(await search('_')).toEqual([underscore.id]);
    expect(await search('hundred')).toEqual([percent.id]);
    expect(await search('nobody-matches-this')).toEqual([]);
    expect(await search("' OR 1=1 --")).toEqual([]);
    expectProblem(await get(org.users.admin, '/api/v1/admin/invitations?q='), 400, 'validation_error');
    expectProblem(await get(org.users.admin, `/api/v1/admin/invitations?q=${'x'.repeat(201)}`), 400, 'validation_error');
  });

  it('created_after / created_before split the list at an instant', async () => {
    const org = await createOrganization(t.services);
    const tag = unique('range');
    await inviteMany(org, 6, `${tag}-a`);
    await new Promise((r) => setTimeout(r, 20));
    const later = await inviteMany(org, 6, `${tag}-b`);
    const all = (await walk(org.users.admin, '/api/v1/admin/invitations', 100)).items;
    const boundary = later.map((l) => l.created_at).sort()[0] as string;

    const after = (await walk(org.users.admin, `/api/v1/admin/invitations?created_after=${encodeURIComponent(boundary)}`, 4)).items;
    const before = (await walk(org.users.admin, `/api/v1/admin/invitations?created_before=${encodeURIComponent(boundary)}`, 4)).items;
    expect(after.map((i) => i.id).sort()).toEqual(all.filter((i) => i.created_at >= boundary).map((i) => i.id).sort());
    expect(before.map((i) => i.id).sort()).toEqual(all.filter((i) => i.created_at < boundary).map((i) => i.id).sort());
    expect(after.length + before.length).toBe(12);
    expect(after.map((i) => i.id)).toEqual(expect.arrayContaining(later.map((l) => l.id)));

    const between = (await get(org.users.admin, `/api/v1/admin/invitations?created_after=${encodeURIComponent(boundary)}&created_before=${encodeURIComponent(boundary)}`)).json() as ListBody;
    expect(between.data).toEqual([]);
    // Plain dates and offsets are accepted.
    expect(((await get(org.users.admin, '/api/v1/admin/invitations?created_after=2000-01-01&limit=100')).json() as ListBody).data).toHaveLength(12);
    expect(((await get(org.users.admin, '/api/v1/admin/invitations?created_before=2000-01-01T00:00:00%2B02:00')).json() as ListBody).data).toHaveLength(0);
    for (const bad of ['yesterday', '2024-13-01', '2024-01-01T25:00:00Z', '1700000000']) {
      expectProblem(await get(org.users.admin, `/api/v1/admin/invitations?created_after=${bad}`), 400, 'validation_error');
    }
  });

  it('unknown filter values and unknown parameters → 400 validation_error', async () => {
    const org = await createOrganization(t.services);
    const admin = org.users.admin;
    for (const url of [
      '/api/v1/admin/invitations?status=pending,bogus',
      '/api/v1/admin/invitations?status=',
      '/api/v1/admin/invitations?status=,',
      '/api/v1/admin/invitations?sort=email',
      '/api/v1/admin/invitations?organization_id=00000000-0000-4000-8000-000000000000',
      '/api/v1/members?role=king',
      '/api/v1/members?role=artist,king',
      '/api/v1/members?active=maybe',
      '/api/v1/members?include_deleted=true',
    ]) {
      const body = expectProblem(await get(admin, url), 400, 'validation_error');
      expect(Array.isArray(body.errors), url).toBe(true);
    }
  });

  it('invitation lists are for administrators only', async () => {
    const org = await createOrganization(t.services);
    for (const role of ['artist', 'accountant', 'production_manager', 'finance_director'] as const) {
      expectProblem(await get(org.users[role], '/api/v1/admin/invitations'), 403, 'forbidden');
    }
    expect((await get(org.users.system_admin, '/api/v1/admin/invitations')).statusCode).toBe(200);
  });
});

describe('member filters and visibility', () => {
  it('?role=, ?q=, ?active= and date ranges filter members', async () => {
    const org = await createOrganization(t.services);
    const tag = unique('who').toLowerCase();
    const extraArtist = await addUser(t.services, org.id, 'artist', `star_${tag}@example.com`);
    const extraAdmin = await addUser(t.services, org.id, 'admin', `boss.${tag}@example.com`);

    const ids = async (query: string) =>
      ((await walk(org.users.admin, `/api/v1/members?${query}`, 3)).items).map((i) => i.id).sort();

    expect(await ids('role=artist,admin')).toEqual(
      [org.users.artist.membershipId, org.users.admin.membershipId, extraArtist.membershipId, extraAdmin.membershipId].sort(),
    );
    expect(await ids('role=finance_director')).toEqual([org.users.finance_director.membershipId]);
    expect(await ids(`q=${encodeURIComponent(tag)}`)).toEqual([extraArtist.membershipId, extraAdmin.membershipId].sort());
    expect(await ids(`q=${encodeURIComponent(`star_${tag}`)}`)).toEqual([extraArtist.membershipId]);
    expect(await ids(`q=${encodeURIComponent(`star%${tag}`)}`)).toEqual([]);
    expect(await ids(`role=admin&q=${encodeURIComponent(tag)}`)).toEqual([extraAdmin.membershipId]);

    // A membership ending today is still active today.
    const end = await t.app.inject({ method: 'PATCH', url: `/api/v1/members/${extraArtist.membershipId}`, headers: org.users.admin.auth, payload: { end_date: '2000-01-01' } });
    expectProblem(end, 400, 'validation_error'); // before the start date
    const startDate = ((await get(org.users.admin, `/api/v1/members/${extraArtist.membershipId}`)).json() as { start_date: string }).start_date;
    const ended = await t.app.inject({ method: 'PATCH', url: `/api/v1/members/${extraArtist.membershipId}`, headers: org.users.admin.auth, payload: { end_date: startDate } });
    expect(ended.statusCode, ended.body).toBe(200);
    expect(ended.json()).toMatchObject({ end_date: startDate, is_active: true });
    expect(await ids('active=true')).toContain(extraArtist.membershipId);

    const members = (await walk(org.users.admin, '/api/v1/members', 100)).items;
    const newest = members[0] as Item;
    expect(await ids(`created_after=${encodeURIComponent(newest.created_at)}`)).toContain(newest.id);
    expect(await ids(`created_before=${encodeURIComponent(newest.created_at)}`)).not.toContain(newest.id);
    expect(await ids('created_after=2000-01-01')).toHaveLength(8);
  });

  it('artists cannot list members but can read their own membership, and only theirs', async () => {
    const org = await createOrganization(t.services);
    const artist = org.users.artist;
    expectProblem(await get(artist, '/api/v1/members'), 403, 'forbidden');
    expectProblem(await get(artist, '/api/v1/members?role=admin'), 403, 'forbidden');

    const own = await get(artist, `/api/v1/members/${artist.membershipId}`);
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ id: artist.membershipId, user_id: artist.id, role: 'artist', email: artist.email, allowed_actions: [] });

    const unknown = await get(artist, '/api/v1/members/00000000-0000-4000-8000-000000000000');
    const other = await get(artist, `/api/v1/members/${org.users.admin.membershipId}`);
    expectProblem(other, 404, 'not_found');
    expectProblem(unknown, 404, 'not_found');
    expect((other.json() as Record<string, unknown>).detail).toBe((unknown.json() as Record<string, unknown>).detail);

    // Staff roles may read everyone.
    for (const role of ['accountant', 'production_manager', 'finance_director', 'admin', 'system_admin'] as const) {
      expect((await get(org.users[role], `/api/v1/members/${artist.membershipId}`)).statusCode).toBe(200);
      expect((await get(org.users[role], '/api/v1/members')).statusCode).toBe(200);
    }
  });
});
