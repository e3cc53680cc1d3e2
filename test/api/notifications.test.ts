import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import { deliver, notify, sendDigests } from '../../src/server/modules/notifications/notifications.service.js';
import { addUser, createOrganization, startTestApp, type TestApp, type TestOrganization } from '../helpers/app.js';
import { readMail, startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { expectProblem } from './support.js';

/**
 * Notifications (issue 4): the in-app centre, preferences, and e-mail delivery through the job
 * queue to a real SMTP server in-process — retries when it is down, failures visible to admins,
 * one-click unsubscribe.
 */
let t: TestApp;
let smtp: TestSmtpServer;
let org: TestOrganization;

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ SMTP_URL: smtp.url, MAIL_FROM: 'Portal <portal@example.com>' });
  org = await createOrganization(t.services, 'Notify Theatre');
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const drain = () => t.services.jobs.drain(['notifications.dispatch', 'notifications.deliver', 'mail.send']);

/** Notifies people the way domain code does: in a transaction of the organization. */
async function notifyUsers(organizationId: string, recipients: string[], extra: Partial<Parameters<typeof notify>[1]> = {}) {
  return withTenant(t.services.database.db, { organizationId }, (trx) => notify(
    { organizationId, trx, enqueue: (job, payload) => t.services.jobs.enqueue(trx, job, payload) },
    { type: 'expense_approved', recipients, subject: 'Your expense was approved', body: 'Taxi to the venue: 42.00 EUR.', link: '/expenses', ...extra },
  ));
}

const mailsTo = (email: string) => smtp.mails.filter((m) => m.to.includes(email));

describe('in-app centre', () => {
  it('lists a person\'s own notifications newest first with unread filter, count, read and read-all', async () => {
    const artist = org.users.artist;
    for (const n of [1, 2, 3]) await notifyUsers(org.id, [artist.id], { subject: `Update ${n}` });
    await notifyUsers(org.id, [org.users.accountant.id], { subject: 'Not for the artist' });

    const list = await t.app.inject({ method: 'GET', url: '/api/v1/notifications?limit=2', headers: artist.auth });
    expect(list.statusCode).toBe(200);
    expect(list.json().data.map((n: { subject: string }) => n.subject)).toEqual(['Update 3', 'Update 2']);
    const next = await t.app.inject({ method: 'GET', url: `/api/v1/notifications?limit=2&cursor=${list.json().pagination.next_cursor}`, headers: artist.auth });
    expect(next.json().data.map((n: { subject: string }) => n.subject)).toEqual(['Update 1']);

    const count = async () => (await t.app.inject({ method: 'GET', url: '/api/v1/notifications/unread-count', headers: artist.auth })).json().unread as number;
    expect(await count()).toBe(3);
    const first = list.json().data[0] as { id: string; link: string };
    expect(first.link).toBe('/expenses');
    const read = await t.app.inject({ method: 'POST', url: `/api/v1/notifications/${first.id}/read`, headers: artist.auth });
    expect(read.statusCode).toBe(200);
    expect(read.json().read_at).toBeTruthy();
    expect(await count()).toBe(2);
    const unread = await t.app.inject({ method: 'GET', url: '/api/v1/notifications?unread=true', headers: artist.auth });
    expect(unread.json().data).toHaveLength(2);
    const all = await t.app.inject({ method: 'POST', url: '/api/v1/notifications/read-all', headers: artist.auth });
    expect(all.json()).toEqual({ updated: 2 });
    expect(await count()).toBe(0);
  });

  it('another person\'s notification, or another organization\'s, is not found', async () => {
    const [row] = await notifyUsers(org.id, [org.users.accountant.id]);
    const other = await createOrganization(t.services, 'Elsewhere');
    for (const headers of [org.users.artist.auth, other.users.accountant.auth, other.users.admin.auth]) {
      expectProblem(await t.app.inject({ method: 'POST', url: `/api/v1/notifications/${row!.id}/read`, headers }), 404, 'not_found');
    }
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/notifications/00000000-0000-4000-8000-000000000000/read', headers: org.users.artist.auth }), 404, 'not_found');
  });

  it('nothing is notified when the change that asked for it rolls back', async () => {
    const user = org.users.production_manager;
    await expect(withTenant(t.services.database.db, { organizationId: org.id }, async (trx) => {
      await notify({ organizationId: org.id, trx, enqueue: (job, payload) => t.services.jobs.enqueue(trx, job, payload) },
        { type: 'announcement', recipients: [user.id], subject: 'Rolled back', body: 'x' });
      throw new Error('the change failed');
    })).rejects.toThrow('the change failed');
    await drain();
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/notifications', headers: user.auth });
    expect(list.json().data.map((n: { subject: string }) => n.subject)).not.toContain('Rolled back');
  });
});

describe('e-mail delivery', () => {
  it('sends a branded e-mail over SMTP with an unsubscribe link, and records it as sent', async () => {
    const artist = org.users.artist;
    const before = mailsTo(artist.email).length;
    const [row] = await notifyUsers(org.id, [artist.id], { subject: 'Receipt approved', body: 'Your taxi receipt was approved.' });
    await drain();
    const mails = mailsTo(artist.email);
    expect(mails).toHaveLength(before + 1);
    const { headers, body } = readMail(mails.at(-1)!.raw);
    expect(headers).toMatch(/^Subject: Receipt approved/m);
    expect(headers).toMatch(/^From: Portal <portal@example\.com>/m);
    expect(body).toContain(org.name);
    expect(body).toContain('Your taxi receipt was approved.');
    expect(body).toContain('http://portal.test/expenses');
    expect(headers).toMatch(/^List-Unsubscribe: <http:\/\/portal\.test\/unsubscribe\?u=/m);
    expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);

    const deliveries = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) =>
      trx.selectFrom('notification_deliveries').selectAll().where('notification_id', '=', row!.id).execute());
    expect(deliveries.map((d) => [d.channel, d.status])).toEqual([['email', 'sent']]);
    expect(deliveries[0]!.sent_at).toBeTruthy();
  });

  it('one-click unsubscribe stops that type of e-mail, and a forged link is refused', async () => {
    const user = org.users.finance_director;
    await notifyUsers(org.id, [user.id]);
    await drain();
    const { headers } = readMail(mailsTo(user.email).at(-1)!.raw);
    const link = new URL(/<(http:\/\/portal\.test\/unsubscribe\?[^>]+)>/.exec(headers)![1]!);
    const forged = new URL(link);
    forged.searchParams.set('u', org.users.artist.id);
    expectProblem(await t.app.inject({ method: 'POST', url: `/api/v1/notifications/unsubscribe${forged.search}` }), 401, 'invalid_token');
    const ok = await t.app.inject({ method: 'POST', url: `/api/v1/notifications/unsubscribe${link.search}` });
    expect(ok.statusCode, ok.body).toBe(200);

    const count = mailsTo(user.email).length;
    await notifyUsers(org.id, [user.id]);
    await drain();
    expect(mailsTo(user.email)).toHaveLength(count);
    const prefs = await t.app.inject({ method: 'GET', url: '/api/v1/me/notification-preferences', headers: user.auth });
    expect(prefs.json().types.find((p: { type: string }) => p.type === 'expense_approved').channels.email).toBe(false);
    // Still in the app.
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/notifications?limit=1', headers: user.auth });
    expect(list.json().data[0].subject).toBe('Your expense was approved');
  });
});

describe('daily digest and account security', () => {
  it('collects low-priority e-mail into one morning digest per person', async () => {
    const user = org.users.system_admin;
    const set = await t.app.inject({ method: 'PUT', url: '/api/v1/me/notification-preferences', headers: user.auth, payload: { daily_digest: true } });
    expect(set.statusCode).toBe(200);
    const before = mailsTo(user.email).length;
    await notifyUsers(org.id, [user.id], { type: 'announcement', priority: 'low', subject: 'Bar opens at 6', body: 'Foyer bar.' });
    await notifyUsers(org.id, [user.id], { type: 'announcement', priority: 'low', subject: 'New rehearsal room', body: 'Room 4.', link: '/schedule' });
    await drain();
    expect(mailsTo(user.email)).toHaveLength(before); // held for the digest
    const held = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) => trx.selectFrom('notification_deliveries')
      .select(['id', 'status', 'scheduled_for']).where('user_id', '=', user.id).where('status', '=', 'pending').execute());
    expect(held).toHaveLength(2);
    const morning = new Date(Math.max(...held.map((h) => h.scheduled_for!.getTime())) + 60_000);
    // Not yet: nothing goes out before the hour.
    await sendDigests(t.services, org.id, new Date(morning.getTime() - 2 * 86_400_000));
    expect(mailsTo(user.email)).toHaveLength(before);
    await sendDigests(t.services, org.id, morning);
    const mails = mailsTo(user.email);
    expect(mails).toHaveLength(before + 1);
    const { headers, body } = readMail(mails.at(-1)!.raw);
    expect(headers).toMatch(/^Subject: .*2 updates today/m);
    expect(body).toContain('Bar opens at 6');
    expect(body).toContain('New rehearsal room — http://portal.test/schedule');
    const after = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) => trx.selectFrom('notification_deliveries')
      .select('status').where('id', 'in', held.map((h) => h.id)).execute());
    expect(after.map((a) => a.status)).toEqual(['sent', 'sent']);
    await sendDigests(t.services, org.id, morning);
    expect(mailsTo(user.email)).toHaveLength(before + 1);
  });

  it('a role change tells the person in the app and by e-mail, which they cannot turn off', async () => {
    const member = await addUser(t.services, org.id, 'production_manager', `promoted-${Date.now()}@example.com`);
    await t.app.inject({ method: 'PUT', url: '/api/v1/me/notification-preferences', headers: member.auth, payload: { channels: { expense_approved: { email: false } } } });
    const before = mailsTo(member.email).length;
    const res = await t.app.inject({ method: 'PATCH', url: `/api/v1/members/${member.membershipId}`, headers: org.users.admin.auth, payload: { role: 'accountant' } });
    expect(res.statusCode, res.body).toBe(200);
    await drain();
    const mails = mailsTo(member.email);
    expect(mails).toHaveLength(before + 1);
    const { headers } = readMail(mails.at(-1)!.raw);
    expect(headers).toMatch(/^Subject: Your role is now accountant/m);
    expect(headers).not.toMatch(/^List-Unsubscribe/m);
    const token = await t.services.tokens.sign({ userId: member.id, organizationId: org.id, role: 'accountant' });
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/notifications?limit=1', headers: { authorization: `Bearer ${token}` } });
    expect(list.json().data[0]).toMatchObject({ type: 'account_security', subject: 'Your role is now accountant' });
  });
});

describe('a dead mail server', () => {
  let dead: TestApp;
  let deadOrg: TestOrganization;
  beforeAll(async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    dead = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    deadOrg = await createOrganization(dead.services, 'Dead Mail');
  });
  afterAll(async () => dead?.close());

  it('never fails the request; the delivery records each error, then fails and shows up for admins, who can retry it', async () => {
    const res = await dead.app.inject({ method: 'POST', url: '/api/v1/admin/announcements', headers: deadOrg.users.admin.auth, payload: { subject: 'Season opening', body: 'Drinks at 6.', roles: ['artist'], priority: 'normal' } });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({ recipients: 1 });
    await dead.services.jobs.drain(['notifications.dispatch', 'notifications.deliver']);
    const read = () => withTenant(dead.services.database.db, { organizationId: deadOrg.id }, (trx) =>
      trx.selectFrom('notification_deliveries').selectAll().where('user_id', '=', deadOrg.users.artist.id).executeTakeFirstOrThrow());
    let delivery = await read();
    expect(delivery).toMatchObject({ channel: 'email', status: 'pending', retry_count: 1 });
    expect(delivery.error_message).toMatch(/ECONNREFUSED|connect/i);

    // The queue's last attempt (the backoff between attempts is minutes long; run it directly).
    await expect(deliver(dead.services, { organizationId: deadOrg.id, userId: deadOrg.users.artist.id, deliveryId: delivery.id }, { id: 'last', retryCount: 5, retryLimit: 5 })).rejects.toThrow();
    delivery = await read();
    expect(delivery).toMatchObject({ status: 'failed', retry_count: 6 });

    const failed = await dead.app.inject({ method: 'GET', url: '/api/v1/admin/notification-deliveries?status=failed', headers: deadOrg.users.admin.auth });
    expect(failed.statusCode).toBe(200);
    expect(failed.json().data).toEqual([expect.objectContaining({ id: delivery.id, channel: 'email', status: 'failed', subject: 'Season opening', allowed_actions: ['notifications:manage'] })]);
    expectProblem(await dead.app.inject({ method: 'GET', url: '/api/v1/admin/notification-deliveries', headers: deadOrg.users.artist.auth }), 403, 'forbidden');

    const retry = await dead.app.inject({ method: 'POST', url: `/api/v1/admin/notification-deliveries/${delivery.id}/retry`, headers: deadOrg.users.admin.auth });
    expect(retry.statusCode).toBe(202);
    expect((await read()).status).toBe('pending');
    expectProblem(await dead.app.inject({ method: 'POST', url: `/api/v1/admin/notification-deliveries/${delivery.id}/retry`, headers: deadOrg.users.admin.auth }), 409, 'conflict');
  });
});

describe('preferences', () => {
  it('start from the defaults and change only what is sent', async () => {
    const user = org.users.production_manager;
    const initial = (await t.app.inject({ method: 'GET', url: '/api/v1/me/notification-preferences', headers: user.auth })).json();
    expect(initial).toMatchObject({ quiet_hours: null, daily_digest: false, sms_available: false, push_available: true });
    expect(initial.types.find((p: { type: string }) => p.type === 'schedule_change').channels).toEqual({ in_app: true, email: true, sms: null, push: true });

    const res = await t.app.inject({
      method: 'PUT', url: '/api/v1/me/notification-preferences', headers: user.auth,
      payload: { channels: { schedule_change: { sms: true, push: false } }, quiet_hours: { start: '22:00', end: '07:30' }, daily_digest: true },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ quiet_hours: { start: '22:00', end: '07:30' }, daily_digest: true });
    expect(res.json().types.find((p: { type: string }) => p.type === 'schedule_change').channels).toEqual({ in_app: true, email: true, sms: true, push: false });

    const back = await t.app.inject({ method: 'PUT', url: '/api/v1/me/notification-preferences', headers: user.auth, payload: { channels: { schedule_change: { sms: null } } } });
    expect(back.json().types.find((p: { type: string }) => p.type === 'schedule_change').channels).toEqual({ in_app: true, email: true, sms: null, push: false });
    expect(back.json().quiet_hours).toEqual({ start: '22:00', end: '07:30' });
  });

  it('refuses what makes no sense', async () => {
    const user = org.users.artist;
    const cases: Array<[unknown, string]> = [
      [{ channels: { account_security: { email: false } } }, 'body.channels.account_security.email'],
      [{ channels: { no_such_type: { email: false } } }, 'body.channels'],
      [{ quiet_hours: { start: '25:00', end: '07:00' } }, 'body.quiet_hours.start'],
      [{ quiet_hours: { start: '07:00', end: '07:00' } }, 'body.quiet_hours'],
      [{ daily_digest: 'yes' }, 'body.daily_digest'],
    ];
    for (const [payload, field] of cases) {
      const body = expectProblem(await t.app.inject({ method: 'PUT', url: '/api/v1/me/notification-preferences', headers: user.auth, payload: payload as object }), 400, 'validation_error');
      expect((body.errors as Array<{ field: string }>).map((e) => e.field), JSON.stringify(payload)).toContain(field);
    }
  });

  it('accepts a browser push subscription and refuses malformed ones', async () => {
    const user = org.users.artist;
    const p256dh = Buffer.alloc(65, 4).toString('base64url');
    const auth = Buffer.alloc(16, 9).toString('base64url');
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/me/push-subscriptions', headers: { ...user.auth, 'user-agent': 'Firefox' }, payload: { endpoint: 'https://push.example.net/wpush/v2/abc', keys: { p256dh, auth }, expirationTime: null } });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ endpoint_host: 'push.example.net', user_agent: 'Firefox' });
    for (const bad of [
      { endpoint: 'http://push.example.net/x', keys: { p256dh, auth } },
      { endpoint: 'https://push.example.net/x', keys: { p256dh: 'short', auth } },
      { endpoint: 'https://push.example.net/x', keys: { p256dh, auth: 'a b' } },
      { endpoint: 'https://push.example.net/x' },
    ]) {
      expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/me/push-subscriptions', headers: user.auth, payload: bad }), 400, 'validation_error');
    }
    const devices = await t.app.inject({ method: 'GET', url: '/api/v1/me/push-subscriptions', headers: user.auth });
    expect(devices.json().data).toHaveLength(1);
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/api/v1/me/push-subscriptions/${ok.json().id}`, headers: org.users.accountant.auth }), 404, 'not_found');
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/me/push-subscriptions/${ok.json().id}`, headers: user.auth })).statusCode).toBe(204);
  });
});
