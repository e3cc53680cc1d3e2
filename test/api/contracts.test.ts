import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import { addUser, createOrganization, startTestApp, type TestApp, type TestOrganization } from '../helpers/app.js';
import { expectProblem, multipart, samples } from './support.js';

/**
 * Contracts, first part of issue 5 (items 2, 3, 8, 9): upload with terms checked against the
 * production, document checked by content, versions, lists, signed download.
 */
let t: TestApp;
let org: TestOrganization;
let productionId: string;

beforeAll(async () => {
  t = await startTestApp();
  org = await createOrganization(t.services, 'Contracts');
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/productions', headers: org.users.admin.auth, payload: { name: 'Hamlet', start_date: '2026-03-01', end_date: '2026-05-31' } });
  productionId = res.json().id;
});
afterAll(async () => t?.close());

const details = (over: Record<string, unknown> = {}) => ({
  title: 'Hamlet — principal artist agreement',
  description: 'Season 2026, Equity rules',
  production_id: productionId,
  terms: {
    amount: '12000.00', currency: 'EUR', start_date: '2026-03-01', end_date: '2026-05-31', union: { name: 'Equity', agreement: 'ITC 2026' },
    payment_schedule: [{ label: 'Signing', due_date: '2026-03-01', amount: '6000.00' }, { label: 'Closing night', due_date: '2026-05-31', amount: '6000.00' }],
  },
  tags: ['principal', 'season-2026'],
  ...over,
});

function upload(data: unknown, file = { filename: 'contract.pdf', contentType: 'application/pdf', data: samples.pdf }, headers = org.users.admin.auth, url = '/api/v1/contracts') {
  const body = multipart([file], { data: JSON.stringify(data) });
  return t.app.inject({ method: 'POST', url, headers: { ...headers, ...body.headers }, payload: body.payload });
}

const count = (table: 'contracts' | 'files') => withTenant(t.services.database.db, { organizationId: org.id }, async (trx) =>
  Number((await trx.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow()).n));

describe('uploading contracts', () => {
  it('stores the document with its hash, the terms, tags and version 1; reads it back; audits it', async () => {
    const res = await upload(details());
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      title: 'Hamlet — principal artist agreement', status: 'draft', current_version: 1, production: { id: productionId, name: 'Hamlet' },
      terms: { amount: '12000.00', currency: 'EUR', union: { name: 'Equity' } }, tags: ['principal', 'season-2026'],
      allowed_actions: ['contracts:write', 'contracts:assign', 'contracts:delete'],
    });
    expect(body.versions).toEqual([expect.objectContaining({ version: 1, change_summary: null, file: expect.objectContaining({
      name: 'contract.pdf', content_type: 'application/pdf', sha256: createHash('sha256').update(samples.pdf).digest('hex'),
    }) })]);
    const read = await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${body.id}`, headers: org.users.system_admin.auth });
    expect(read.json().versions).toHaveLength(1);
  });

  it('refuses terms that do not fit, wrong documents and missing parts, storing nothing', async () => {
    const [contracts, files] = [await count('contracts'), await count('files')];
    const badTerms: Array<[Record<string, unknown>, string]> = [
      [details({ terms: { start_date: '2026-02-15', end_date: '2026-05-31' } }), 'body.terms.start_date'],
      [details({ terms: { start_date: '2026-03-01', end_date: '2026-06-30' } }), 'body.terms.end_date'],
      [details({ terms: { start_date: '2026-05-01', end_date: '2026-04-01' } }), 'body.terms.end_date'],
      [details({ terms: { amount: '100.00', currency: 'EUR', payment_schedule: [{ label: 'All', due_date: '2026-03-01', amount: '100.01' }] } }), 'body.terms.payment_schedule'],
      [details({ terms: { amount: 100 } }), 'body.terms.amount'],
      [details({ terms: { currency: 'EURO' } }), 'body.terms.currency'],
      [details({ title: '' }), 'body.title'],
      [details({ production_id: '00000000-0000-4000-8000-000000000000' }), 'body.production_id'],
      [details({ surprise: true }), 'body'],
    ];
    for (const [data, field] of badTerms) {
      const body = expectProblem(await upload(data), 400, 'validation_error');
      expect((body.errors as Array<{ field: string }>).map((e) => e.field), JSON.stringify(data)).toContain(field);
    }
    const wrongFiles = [
      { filename: 'contract.pdf', contentType: 'application/pdf', data: Buffer.from('MZ\x90\x00 this is really an executable') },
      { filename: 'contract.pdf', contentType: 'application/pdf', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') },
      { filename: 'receipt.png', contentType: 'image/png', data: samples.png },
    ];
    for (const file of wrongFiles) expectProblem(await upload(details(), file), 400, 'invalid_file_type');
    const noData = multipart([{ filename: 'contract.pdf', contentType: 'application/pdf', data: samples.pdf }]);
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/contracts', headers: { ...org.users.admin.auth, ...noData.headers }, payload: noData.payload }), 400, 'validation_error');
    const badJson = multipart([{ filename: 'contract.pdf', contentType: 'application/pdf', data: samples.pdf }], { data: '{"title":' });
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/contracts', headers: { ...org.users.admin.auth, ...badJson.headers }, payload: badJson.payload }), 400, 'malformed_json');
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/contracts', headers: org.users.admin.auth, payload: details() }), 415, 'unsupported_media_type');
    expect([await count('contracts'), await count('files')]).toEqual([contracts, files]);
  });

  it('keeps a path-traversal file name harmless', async () => {
    const res = await upload(details({ title: 'Traversal' }), { filename: '../../etc/passwd.pdf', contentType: 'application/pdf', data: samples.pdf });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().versions[0].file.name).not.toMatch(/[\\/]|\.\./);
  });

  it('only administrators upload; other organizations see nothing', async () => {
    for (const role of ['artist', 'accountant', 'production_manager', 'finance_director'] as const) {
      expectProblem(await upload(details(), undefined, org.users[role].auth), 403, 'forbidden');
    }
    const other = await createOrganization(t.services, 'Elsewhere');
    const mine = (await upload(details({ title: 'Mine' }))).json();
    expectProblem(await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${mine.id}`, headers: other.users.admin.auth }), 404, 'contract_not_found');
    expectProblem(await upload({ change_summary: 'Takeover' }, undefined, other.users.admin.auth, `/api/v1/contracts/${mine.id}/versions`), 404, 'contract_not_found');
    // A production of another organization is not found either.
    const theirs = await t.app.inject({ method: 'POST', url: '/api/v1/productions', headers: other.users.admin.auth, payload: { name: 'Theirs', start_date: '2026-01-01', end_date: '2026-12-31' } });
    const cross = expectProblem(await upload(details({ production_id: theirs.json().id, terms: {} })), 400, 'validation_error');
    expect(cross.errors).toEqual([expect.objectContaining({ field: 'body.production_id' })]);
  });
});

describe('versions, lists and download', () => {
  it('an amendment adds version 2 and keeps version 1', async () => {
    const { id } = (await upload(details({ title: 'Amended agreement' }))).json();
    const amended = Buffer.concat([samples.pdf, Buffer.from('% amendment 1\n')]);
    const res = await upload({ change_summary: 'Fee raised to 13,000' }, { filename: 'contract-v2.pdf', contentType: 'application/pdf', data: amended }, org.users.admin.auth, `/api/v1/contracts/${id}/versions`);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().current_version).toBe(2);
    expect(res.json().versions.map((v: { version: number; change_summary: string | null }) => [v.version, v.change_summary])).toEqual([[2, 'Fee raised to 13,000'], [1, null]]);
    expectProblem(await upload({}, undefined, org.users.admin.auth, `/api/v1/contracts/${id}/versions`), 400, 'validation_error');

    const link = await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${id}/download`, headers: org.users.admin.auth });
    expect(link.json().version).toBe(2);
    const file = await t.app.inject({ method: 'GET', url: new URL(link.json().url).pathname });
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(amended)).toBe(true);
    expect(file.headers['content-disposition']).toMatch(/^inline; filename=/);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(String(file.headers['content-security-policy'])).toContain("default-src 'none'");
    // Not assigned to the artist: as if it did not exist.
    expectProblem(await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${id}/download`, headers: org.users.artist.auth }), 404, 'contract_not_found');
  });

  it('lists by words, tag, production and status with cursor pages', async () => {
    const mine = await createOrganization(t.services, 'Listing');
    const prod = (await t.app.inject({ method: 'POST', url: '/api/v1/productions', headers: mine.users.admin.auth, payload: { name: 'Gala', start_date: '2026-01-01', end_date: '2026-12-31' } })).json();
    const put = (title: string, extra: Record<string, unknown> = {}) => upload({ title, ...extra }, undefined, mine.users.admin.auth).then((r) => r.json());
    await put('Orchestra services agreement', { description: 'Strings and brass', tags: ['orchestra'] });
    await put('Gala host', { production_id: prod.id });
    const beforeLast = new Date().toISOString();
    await put('Lighting designer');
    const page = (query: string) => t.app.inject({ method: 'GET', url: `/api/v1/contracts?${query}`, headers: mine.users.admin.auth })
      .then((r) => r.json() as { data: { title: string }[]; pagination: { next_cursor: string | null; has_more: boolean } });
    const list = (query: string) => page(query).then((p) => p.data.map((c) => c.title));
    expect(await list('q=brass')).toEqual(['Orchestra services agreement']);
    expect(await list('tag=orchestra')).toEqual(['Orchestra services agreement']);
    expect(await list(`production_id=${prod.id}`)).toEqual(['Gala host']);
    expect(await list('status=draft&limit=2')).toEqual(['Lighting designer', 'Gala host']);
    expect(await list('status=active')).toEqual([]);
    // Several statuses at once, a creation window, and the next page from the cursor.
    expect(await list('status=active,draft')).toHaveLength(3);
    expect(await list('status=active,pending')).toEqual([]);
    expect(await list(`created_after=${beforeLast}`)).toEqual(['Lighting designer']);
    expect(await list(`created_before=${beforeLast}`)).toEqual(['Gala host', 'Orchestra services agreement']);
    const first = await page('limit=2');
    expect(first.pagination).toMatchObject({ has_more: true, next_cursor: expect.any(String) });
    const second = await page(`limit=2&cursor=${encodeURIComponent(first.pagination.next_cursor!)}`);
    expect(second).toMatchObject({ data: [{ title: 'Orchestra services agreement' }], pagination: { has_more: false, next_cursor: null } });
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/v1/contracts?status=signed', headers: mine.users.admin.auth }), 400, 'validation_error');
  });
});

describe('assignment', () => {
  it('assigns many at once, answers per person, notifies the new ones, and the artists see only theirs', async () => {
    const mine = await createOrganization(t.services, 'Assign');
    const put = (title: string) => upload({ title }, undefined, mine.users.admin.auth).then((r) => r.json() as { id: string });
    const contract = await put('Ensemble agreement');
    const otherContract = await put('Not for the artist');
    const artists = [mine.users.artist, await addUser(t.services, mine.id, 'artist', `a2-${mine.id.slice(0, 8)}@example.com`), await addUser(t.services, mine.id, 'artist', `a3-${mine.id.slice(0, 8)}@example.com`)];
    const assign = (payload: Record<string, unknown>, headers = mine.users.admin.auth) =>
      t.app.inject({ method: 'POST', url: `/api/v1/contracts/${contract.id}/assign`, headers, payload });

    const res = await assign({ artist_ids: artists.map((a) => a.id), message: 'Please sign by Friday.' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ assigned: 3, results: artists.map((a) => ({ artist_id: a.id, result: 'assigned' })) });
    const again = await assign({ artist_ids: [artists[0]!.id, mine.users.production_manager.id] });
    expect(again.json().results.map((r: { result: string }) => r.result)).toEqual(['already_assigned', 'assigned']);

    // The contract waits for signatures; each new person got a notification.
    const status = await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}/status`, headers: mine.users.admin.auth });
    expect(status.json()).toMatchObject({ status: 'pending', counts: { sent: 4, signed: 0 } });
    const notes = await withTenant(t.services.database.db, { organizationId: mine.id }, (trx) =>
      trx.selectFrom('notifications').select(['user_id', 'subject', 'link']).where('organization_id', '=', mine.id).where('type', '=', 'contract_assigned').execute());
    expect(notes).toHaveLength(4);
    expect(notes[0]).toMatchObject({ subject: 'A contract to sign: Ensemble agreement', link: `/contracts/${contract.id}` });

    // Administrators find a person's contracts.
    const byArtist = await t.app.inject({ method: 'GET', url: `/api/v1/contracts?artist_id=${artists[2]!.id}`, headers: mine.users.admin.auth });
    expect(byArtist.json().data.map((c: { id: string }) => c.id)).toEqual([contract.id]);

    const artist = artists[1]!;
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/contracts', headers: artist.auth });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().data.map((c: { id: string }) => c.id)).toEqual([contract.id]);
    // Each item says where the viewer stands; only administrators see how far signing has got.
    expect(list.json().data[0]).toMatchObject({ my_assignment: { status: 'sent', message: 'Please sign by Friday.', can_sign: true }, signatures: null });
    const adminList = await t.app.inject({ method: 'GET', url: '/api/v1/contracts', headers: mine.users.admin.auth });
    expect(adminList.json().data.find((c: { id: string }) => c.id === contract.id)).toMatchObject({ my_assignment: null, signatures: { assigned: 4, signed: 0, declined: 0 } });
    expectProblem(await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${otherContract.id}`, headers: artist.auth }), 404, 'contract_not_found');
    expectProblem(await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${otherContract.id}/download`, headers: artist.auth }), 404, 'contract_not_found');
    const link = await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}/download`, headers: artist.auth });
    expect(link.statusCode, link.body).toBe(200);
    const after = await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}/status`, headers: mine.users.admin.auth });
    const mineNow = after.json().assignments.find((a: { artist: { id: string } }) => a.artist.id === artist.id);
    expect(mineNow).toMatchObject({ status: 'viewed' });
    expect(mineNow.viewed_at).toBeTruthy();
    expectProblem(await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}/status`, headers: artist.auth }), 403, 'forbidden');
    expectProblem(await assign({ artist_ids: [artist.id] }, artist.auth), 403, 'forbidden');
  });

  it('assigns quietly without notice, and sends the contract when a later assignment that notifies names them', async () => {
    const mine = await createOrganization(t.services, 'Quiet');
    const contract = (await upload({ title: 'Draft rider' }, undefined, mine.users.admin.auth)).json() as { id: string };
    const assign = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: `/api/v1/contracts/${contract.id}/assign`, headers: mine.users.admin.auth, payload });
    const told = () => withTenant(t.services.database.db, { organizationId: mine.id }, (trx) =>
      trx.selectFrom('notifications').select('user_id').where('organization_id', '=', mine.id).where('type', '=', 'contract_assigned').execute());
    const assignment = async () => ((await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}/status`, headers: mine.users.admin.auth })).json() as { assignments: { status: string; sent_at: string | null }[] }).assignments[0];

    expect((await assign({ artist_ids: [mine.users.artist.id], send_notification: false })).statusCode).toBe(200);
    expect(await told()).toEqual([]);
    expect(await assignment()).toMatchObject({ status: 'pending', sent_at: null });

    const again = await assign({ artist_ids: [mine.users.artist.id], message: 'Ready now' });
    expect(again.json()).toMatchObject({ assigned: 0, results: [{ result: 'already_assigned' }] });
    expect(await told()).toEqual([{ user_id: mine.users.artist.id }]);
    expect(await assignment()).toMatchObject({ status: 'sent', sent_at: expect.any(String) });
    // Once sent, naming them again does not tell them twice.
    await assign({ artist_ids: [mine.users.artist.id] });
    expect(await told()).toHaveLength(1);
  });

  it('refuses duplicates and people of another organization, assigning nobody', async () => {
    const mine = await createOrganization(t.services, 'Assign refusals');
    const stranger = await createOrganization(t.services, 'Strangers');
    const contract = (await upload({ title: 'Refusals' }, undefined, mine.users.admin.auth)).json() as { id: string };
    const assign = (artistIds: string[]) => t.app.inject({ method: 'POST', url: `/api/v1/contracts/${contract.id}/assign`, headers: mine.users.admin.auth, payload: { artist_ids: artistIds } });
    expectProblem(await assign([mine.users.artist.id, mine.users.artist.id]), 400, 'validation_error');
    const cross = expectProblem(await assign([mine.users.artist.id, stranger.users.artist.id]), 404, 'not_found');
    expect(cross.errors).toEqual([expect.objectContaining({ field: 'body.artist_ids.1' })]);
    const status = await t.app.inject({ method: 'GET', url: `/api/v1/contracts/${contract.id}/status`, headers: mine.users.admin.auth });
    expect(status.json()).toMatchObject({ status: 'draft', assignments: [] });
    expectProblem(await t.app.inject({ method: 'POST', url: `/api/v1/contracts/${contract.id}/assign`, headers: stranger.users.admin.auth, payload: { artist_ids: [stranger.users.artist.id] } }), 404, 'contract_not_found');
  });

  it('assigns 500 people in one request', async () => {
    const mine = await createOrganization(t.services, 'Big cast');
    const contract = (await upload({ title: 'Chorus' }, undefined, mine.users.admin.auth)).json() as { id: string };
    const ids = await withTenant(t.services.database.db, { organizationId: mine.id }, async (trx) => {
      // Ids made here: the app role may create users but sees only its organization's members.
      const users = Array.from({ length: 500 }, (_, i) => ({ id: randomUUID(), email: `chorus-${i}-${mine.id.slice(0, 8)}@example.com`, first_name: 'Chorus', last_name: `Member ${i}` }));
      await trx.insertInto('users').values(users).execute();
      await trx.insertInto('memberships').values(users.map((u) => ({ organization_id: mine.id, user_id: u.id, role: 'artist' as const }))).execute();
      return users.map((u) => u.id);
    });
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/contracts/${contract.id}/assign`, headers: mine.users.admin.auth, payload: { artist_ids: ids, send_notification: true } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().assigned).toBe(500);
    const notes = await withTenant(t.services.database.db, { organizationId: mine.id }, (trx) =>
      trx.selectFrom('notifications').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', mine.id).where('type', '=', 'contract_assigned').executeTakeFirstOrThrow());
    expect(Number(notes.n)).toBe(500);
  });
});
