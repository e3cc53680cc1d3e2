import https from 'node:https';
import { fileURLToPath } from 'node:url';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import { PushChannel } from '../../src/server/modules/notifications/channels/push.js';
import { SmsChannel } from '../../src/server/modules/notifications/channels/sms.js';
import { PermanentDeliveryError, type NotificationChannel, type OutgoingNotification } from '../../src/server/modules/notifications/channels/types.js';
import { deliver, notify } from '../../src/server/modules/notifications/notifications.service.js';
import { addUser, createOrganization, startTestApp, type TestApp, type TestOrganization, type TestUser } from '../helpers/app.js';
import { startPrism, type PrismMock } from '../helpers/prism.js';
import { startPushService, type FakeSubscription, type TestPushService } from '../helpers/push-service.js';

/**
 * Notification channels speaking their real protocols (issue 4): SMS through the official
 * Twilio client to Stoplight Prism mocking Twilio's own OpenAPI document (requests that violate
 * it are refused), and web push with VAPID to a local HTTPS push service that verifies the
 * token and decrypts the payload as the browser would.
 */
const TWILIO_SPEC = fileURLToPath(new URL('../fixtures/specs/twilio_api_v2010.yaml', import.meta.url));
const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
const FROM = '+15005550006';
const VAPID_SUBJECT = 'mailto:ops@portal.test';
const vapid = webpush.generateVAPIDKeys();

let t: TestApp;
let prism: PrismMock;
let pushService: TestPushService;
/** The push channel the app built from its configuration (trusting only the usual authorities). */
let configuredPush: NotificationChannel | null;

beforeAll(async () => {
  [prism, pushService] = await Promise.all([startPrism(TWILIO_SPEC), startPushService({ subject: VAPID_SUBJECT })]);
  t = await startTestApp({
    TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM_NUMBER: FROM, TWILIO_API_URL: prism.url,
    VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, VAPID_SUBJECT,
  });
  configuredPush = t.services.channels.push;
  // The same channel, trusting the local push service's self-signed certificate (and nothing is disabled globally).
  t.services.channels.push = new PushChannel({ publicKey: vapid.publicKey, privateKey: vapid.privateKey, subject: VAPID_SUBJECT, agent: new https.Agent({ ca: pushService.ca }) });
});
afterAll(async () => {
  await t?.close();
  await prism?.stop();
  await pushService?.close();
});

const drain = () => t.services.jobs.drain(['notifications.dispatch', 'notifications.deliver']);

async function setPhone(user: TestUser, phone: string) {
  const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/me/profile', headers: user.auth, payload: { phone } });
  expect(res.statusCode, res.body).toBe(200);
}

async function setChannels(user: TestUser, channels: Record<string, Record<string, boolean | null>>) {
  const res = await t.app.inject({ method: 'PUT', url: '/api/v1/me/notification-preferences', headers: user.auth, payload: { channels } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { types: Array<{ type: string; channels: Record<string, boolean | null> }> };
}

/** An administrator's announcement to the organization's artists, the way the admin console sends it. */
async function announce(org: TestOrganization, priority: 'low' | 'normal' | 'high' | 'urgent', subject: string) {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/admin/announcements', headers: org.users.admin.auth, payload: { subject, body: `${subject}. Details in the portal.`, roles: ['artist'], priority } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { recipients: number };
}

/** Notifies people the way domain code does: in a transaction of the organization. */
function notifyUsers(organizationId: string, recipients: string[], input: Omit<Parameters<typeof notify>[1], 'recipients'>) {
  return withTenant(t.services.database.db, { organizationId }, (trx) => notify(
    { organizationId, trx, enqueue: (job, payload) => t.services.jobs.enqueue(trx, job, payload) },
    { ...input, recipients },
  ));
}

function deliveriesOf(organizationId: string, userId: string) {
  return withTenant(t.services.database.db, { organizationId }, (trx) => trx.selectFrom('notification_deliveries')
    .innerJoin('notifications', 'notifications.id', 'notification_deliveries.notification_id')
    .select(['notification_deliveries.id', 'notification_deliveries.notification_id', 'notification_deliveries.channel', 'notification_deliveries.status',
      'notification_deliveries.provider_message_id', 'notification_deliveries.error_message', 'notification_deliveries.retry_count',
      'notification_deliveries.sent_at', 'notification_deliveries.delivered_at', 'notifications.subject'])
    .where('notification_deliveries.organization_id', '=', organizationId).where('notification_deliveries.user_id', '=', userId)
    .orderBy('notification_deliveries.created_at').execute());
}

/** The queue's record of a delivery's job: `completed`, or `retry` when it will run again. */
async function deliverJob(deliveryId: string) {
  const { rows } = await t.services.database.pool.query<{ state: string; retry_count: number; start_after: Date }>(
    "SELECT state, retry_count, start_after FROM pgboss.job WHERE name = 'notifications.deliver' AND data->>'deliveryId' = $1", [deliveryId]);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

// ---------------------------------------------------------------------------------------------

describe('SMS through Twilio, validated by Prism against the official spec', () => {
  const messagesPath = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;
  const basicAuth = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
  const smsTo = (phone: string) => prism.exchanges.filter((e) => e.path === messagesPath && new URLSearchParams(e.body).get('To') === phone);

  it('an urgent announcement goes out as SMS: a request Prism accepts, recorded as sent with the SID Twilio answered', async () => {
    const org = await createOrganization(t.services, 'SMS Theatre');
    const artist = org.users.artist;
    await setPhone(artist, '+14155550101');

    expect(await announce(org, 'urgent', 'Evacuation drill at 3 pm')).toEqual({ recipients: 1 });
    await drain();

    const sent = smsTo('+14155550101');
    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request!.status, `Prism refused the request:\n${request!.response}`).toBe(201);
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request!.headers.authorization).toBe(basicAuth);
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({
      To: '+14155550101', From: FROM, Body: `${org.name}: Evacuation drill at 3 pm http://portal.test/notifications`,
    });
    const answer = JSON.parse(request!.response) as { sid: string; status: string };
    expect(answer.sid).toMatch(/^SM[0-9a-fA-F]{32}$/);

    const rows = await deliveriesOf(org.id, artist.id);
    expect(rows.find((r) => r.channel === 'sms')).toMatchObject({ status: 'sent', provider_message_id: answer.sid, error_message: null, retry_count: 0, sent_at: expect.any(Date) });
  });

  it('Prism really validates: a request without To, without credentials or for a malformed account is refused, and the channel takes a refusal as permanent', async () => {
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const post = (path: string, body: string, headers: Record<string, string> = { authorization: basicAuth }) =>
      fetch(`${prism.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

    const noTo = await post(messagesPath, form({ From: FROM, Body: 'hello' }));
    expect(noTo.status).toBe(422);
    const problem = await noTo.json() as { validation: Array<{ location: string[]; message: string }> };
    expect(problem.validation).toEqual([expect.objectContaining({ location: ['body'], message: expect.stringContaining("required property 'To'") })]);

    expect((await post(messagesPath, form({ To: '+14155550102', From: FROM, Body: 'hello' }), {})).status).toBe(401);
    const valid = await post(messagesPath, form({ To: '+14155550102', From: FROM, Body: 'hello' }));
    expect(valid.status).toBe(201);

    // The official client with an account SID the spec's pattern refuses: Prism answers 422.
    const channel = new SmsChannel({ accountSid: 'AC-not-an-account', authToken: AUTH_TOKEN, from: FROM, apiUrl: prism.url });
    const message: OutgoingNotification = {
      deliveryId: '00000000-0000-4000-8000-000000000001', type: 'announcement', priority: 'urgent', subject: 'Refused', body: 'x', url: null,
      organizationName: 'Nowhere', recipient: { userId: '00000000-0000-4000-8000-000000000002', email: 'x@example.com', name: 'X', phone: '+14155550103' }, unsubscribeUrl: null,
    };
    const refused = await channel.send(message).then(() => null, (err: unknown) => err);
    expect(refused).toBeInstanceOf(PermanentDeliveryError);
    expect((refused as Error).message).toMatch(/Twilio refused the message \(422\)/);
    const exchange = prism.exchanges.at(-1)!;
    expect(exchange).toMatchObject({ path: '/2010-04-01/Accounts/AC-not-an-account/Messages.json', status: 422 });
    expect(exchange.response).toMatch(/must match pattern/);
  });

  it('normal-priority notifications send no SMS by default; a person who opts in for that type gets them', async () => {
    const org = await createOrganization(t.services, 'SMS Opt-in');
    const artist = org.users.artist;
    await setPhone(artist, '+14155550111');

    await announce(org, 'normal', 'Costume fitting on Monday');
    await drain();
    expect(smsTo('+14155550111')).toHaveLength(0);
    let rows = await deliveriesOf(org.id, artist.id);
    expect(rows.map((r) => r.channel)).toEqual(['email']);

    const prefs = await setChannels(artist, { announcement: { sms: true } });
    expect(prefs.types.find((p) => p.type === 'announcement')!.channels.sms).toBe(true);
    await announce(org, 'normal', 'Costume fitting moved to Tuesday');
    await drain();
    const sent = smsTo('+14155550111');
    expect(sent.map((e) => [e.status, new URLSearchParams(e.body).get('Body')])).toEqual([[201, `${org.name}: Costume fitting moved to Tuesday http://portal.test/notifications`]]);
    rows = await deliveriesOf(org.id, artist.id);
    expect(rows.filter((r) => r.channel === 'sms').map((r) => [r.subject, r.status])).toEqual([['Costume fitting moved to Tuesday', 'sent']]);
  });

  it('nobody who opted out of SMS, or has no phone, gets one — even for urgent notifications', async () => {
    const org = await createOrganization(t.services, 'SMS Opt-out');
    const optedOut = org.users.artist;
    const noPhone = await addUser(t.services, org.id, 'artist', `artist-nophone-${org.slug}@example.com`);
    const control = await addUser(t.services, org.id, 'artist', `artist-control-${org.slug}@example.com`);
    await setPhone(optedOut, '+14155550121');
    await setPhone(control, '+14155550122');
    await setChannels(optedOut, { announcement: { sms: false } });

    expect(await announce(org, 'urgent', 'Stage door closed tonight')).toEqual({ recipients: 3 });
    await drain();

    expect(smsTo('+14155550121')).toHaveLength(0);
    expect(smsTo('+14155550122').map((e) => e.status)).toEqual([201]);
    for (const user of [optedOut, noPhone]) {
      const rows = await deliveriesOf(org.id, user.id);
      expect(rows.map((r) => r.channel), user.email).toEqual(['email']); // still e-mailed and in the app
    }
    expect((await deliveriesOf(org.id, control.id)).map((r) => [r.channel, r.status]).sort()).toEqual([['email', 'sent'], ['sms', 'sent']]);
  });

  it('a number that is not E.164 cannot be stored, not even by writing the row directly (the profile API refuses it too: profiles.test.ts)', async () => {
    const org = await createOrganization(t.services, 'SMS E164');
    const user = org.users.artist;
    await expect(withTenant(t.services.database.db, { organizationId: org.id, userId: user.id }, (trx) =>
      trx.updateTable('users').set({ phone: '0044 20 7946 0123' }).where('id', '=', user.id).execute())).rejects.toThrow(/users_phone_format/);
  });
});

// ---------------------------------------------------------------------------------------------

describe('web push with VAPID to a local HTTPS push service', () => {
  /** A browser subscribes with the portal's key and registers the subscription through the API. */
  async function registerBrowser(user: TestUser, userAgent: string, service = pushService): Promise<FakeSubscription & { deviceId: string }> {
    const key = await t.app.inject({ method: 'GET', url: '/api/v1/notifications/push-key', headers: user.auth });
    expect(key.json()).toEqual({ public_key: vapid.publicKey });
    const sub = service.subscribe(key.json().public_key as string);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/me/push-subscriptions', headers: { ...user.auth, 'user-agent': userAgent }, payload: { endpoint: sub.endpoint, keys: sub.keys, expirationTime: null } });
    expect(res.statusCode, res.body).toBe(201);
    return Object.assign(sub, { deviceId: res.json().id as string });
  }

  const devicesOf = async (user: TestUser) => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/me/push-subscriptions', headers: user.auth });
    expect(res.statusCode).toBe(200);
    return res.json().data as Array<{ id: string; endpoint_host: string; user_agent: string; last_used_at: string | null }>;
  };

  it('a schedule change reaches every registered device: VAPID token verified, payload decrypted, delivery delivered', async () => {
    const org = await createOrganization(t.services, 'Push Theatre');
    const artist = org.users.artist;
    const firefox = await registerBrowser(artist, 'Firefox on a laptop');
    const phone = await registerBrowser(artist, 'Chrome on a phone');
    expect((await devicesOf(artist)).map((d) => d.user_agent)).toEqual(['Firefox on a laptop', 'Chrome on a phone']);

    const [note] = await notifyUsers(org.id, [artist.id], {
      type: 'schedule_change', subject: 'Dress rehearsal moved to 18:00', body: 'Main stage, Thursday. Call time 17:15.', link: '/schedule/events/7f1c',
    });
    await drain();

    expect(pushService.refused).toEqual([]);
    const rows = await deliveriesOf(org.id, artist.id);
    const delivery = rows.find((r) => r.channel === 'push')!;
    expect(delivery).toMatchObject({ notification_id: note!.id, status: 'delivered', error_message: null, retry_count: 0, sent_at: expect.any(Date), delivered_at: expect.any(Date) });
    for (const device of [firefox, phone]) {
      expect(device.received).toHaveLength(1);
      const [push] = device.received;
      expect(push!.payload).toEqual({
        title: 'Dress rehearsal moved to 18:00', body: 'Main stage, Thursday. Call time 17:15.', url: 'http://portal.test/schedule/events/7f1c', type: 'schedule_change', tag: delivery.id,
      });
      expect(push!.vapid).toMatchObject({ aud: pushService.origin, sub: VAPID_SUBJECT });
      expect(push!.headers).toMatchObject({ ttl: '86400', urgency: 'normal', 'content-encoding': 'aes128gcm' });
    }
    expect((await devicesOf(artist)).every((d) => d.last_used_at !== null)).toBe(true);
  });

  it('the push service checks what a real one checks: another VAPID key, a forged or misaddressed token, another subject, a payload for other keys or the old encoding are refused', async () => {
    const sub = pushService.subscribe(vapid.publicKey);
    const agent = new https.Agent({ ca: pushService.ca });
    const other = webpush.generateVAPIDKeys();
    const stranger = pushService.subscribe(vapid.publicKey); // its keys, not sub's
    const refusedBefore = pushService.refused.length;
    const send = (options: webpush.RequestOptions, keys = sub.keys) =>
      webpush.sendNotification({ endpoint: sub.endpoint, keys }, JSON.stringify({ hello: 'stage' }), { TTL: 60, agent, ...options })
        .then((r) => r.statusCode, (err: { statusCode?: number }) => err.statusCode ?? 0);
    const details = { subject: VAPID_SUBJECT, publicKey: vapid.publicKey, privateKey: vapid.privateKey };
    /** An Authorization header built by hand: a token for `audience` signed with `signer`, presented with the key `k`. */
    const header = (audience: string, signer: { publicKey: string; privateKey: string }, k: string) =>
      webpush.getVapidHeaders(audience, VAPID_SUBJECT, signer.publicKey, signer.privateKey, 'aes128gcm').Authorization.replace(/k=[\w-]+$/, `k=${k}`);

    expect(await send({ vapidDetails: { ...details, publicKey: other.publicKey, privateKey: other.privateKey } })).toBe(403);
    expect(await send({ headers: { Authorization: header(pushService.origin, other, vapid.publicKey) } })).toBe(403);
    expect(await send({ headers: { Authorization: header('https://push.example.net', vapid, vapid.publicKey) } })).toBe(403);
    expect(await send({ vapidDetails: { ...details, subject: 'mailto:someone-else@example.com' } })).toBe(403);
    expect(await send({ vapidDetails: details }, stranger.keys)).toBe(400);
    expect(await send({ vapidDetails: details, contentEncoding: 'aesgcm' })).toBe(415);
    expect(pushService.refused.slice(refusedBefore).map((r) => r.reason)).toEqual([
      expect.stringMatching(/^k is not the key/), expect.stringMatching(/^VAPID token: signature verification failed/),
      expect.stringMatching(/^VAPID token: unexpected "aud"/), expect.stringMatching(/^VAPID token: unexpected "sub"/),
      expect.stringMatching(/^cannot decrypt/), expect.stringMatching(/^Content-Encoding aesgcm/),
    ]);
    expect(sub.received).toEqual([]);

    expect(await send({ vapidDetails: details })).toBe(201);
    expect(sub.received.map((p) => p.payload)).toEqual([{ hello: 'stage' }]);
  });

  it('the channel the app builds from its configuration verifies TLS: a push service it has no reason to trust is refused', async () => {
    const sub = pushService.subscribe(vapid.publicKey);
    const before = pushService.requests;
    const message: OutgoingNotification = {
      deliveryId: '00000000-0000-4000-8000-000000000003', type: 'schedule_change', priority: 'high', subject: 'Untrusted', body: 'x', url: null,
      organizationName: 'Nowhere', recipient: { userId: '00000000-0000-4000-8000-000000000004', email: 'x@example.com', name: 'X', phone: null }, unsubscribeUrl: null,
      devices: [{ endpoint: sub.endpoint, p256dh: sub.keys.p256dh, auth: sub.keys.auth }],
    };
    await expect(configuredPush!.send(message)).rejects.toThrow(/self[- ]signed certificate/i);
    expect(pushService.requests).toBe(before);
    expect(sub.received).toEqual([]);
  });

  it('an endpoint the service reports gone (410) is forgotten; with no device left the delivery fails at once, without retries', async () => {
    const org = await createOrganization(t.services, 'Push Gone');
    const artist = org.users.artist;
    const stale = await registerBrowser(artist, 'Old tablet');
    stale.behaviour = 'gone';

    await notifyUsers(org.id, [artist.id], { type: 'schedule_change', subject: 'Matinee cancelled', body: 'No show on Sunday.' });
    await drain();

    const delivery = (await deliveriesOf(org.id, artist.id)).find((r) => r.channel === 'push')!;
    expect(delivery).toMatchObject({ status: 'failed', retry_count: 1, error_message: 'Every registered device has unsubscribed' });
    expect(await devicesOf(artist)).toEqual([]);
    expect(await deliverJob(delivery.id)).toMatchObject({ state: 'completed', retry_count: 0 });
  });

  it('with another device still subscribed, the message is delivered there and only the gone endpoint is forgotten', async () => {
    const org = await createOrganization(t.services, 'Push Half Gone');
    const artist = org.users.artist;
    const stale = await registerBrowser(artist, 'Old tablet');
    const current = await registerBrowser(artist, 'New phone');
    stale.behaviour = 'gone';

    await notifyUsers(org.id, [artist.id], { type: 'schedule_change', subject: 'Load-in at 9', body: 'Bring the props.' });
    await drain();

    expect((await deliveriesOf(org.id, artist.id)).find((r) => r.channel === 'push')).toMatchObject({ status: 'delivered' });
    expect(current.received.map((p) => (p.payload as { title: string }).title)).toEqual(['Load-in at 9']);
    expect(stale.received).toEqual([]);
    expect((await devicesOf(artist)).map((d) => d.id)).toEqual([current.deviceId]);
  });

  it('a push service answering 500 never fails the request: the delivery stays pending with the error, and the retry delivers it', async () => {
    const org = await createOrganization(t.services, 'Push Error');
    const artist = org.users.artist;
    await setChannels(artist, { announcement: { push: true } }); // announcements are not pushed by default
    const device = await registerBrowser(artist, 'Firefox');
    device.behaviour = 'error';

    expect(await announce(org, 'high', 'Company meeting at noon')).toEqual({ recipients: 1 });
    await drain();

    let delivery = (await deliveriesOf(org.id, artist.id)).find((r) => r.channel === 'push')!;
    expect(delivery).toMatchObject({ status: 'pending', retry_count: 1, delivered_at: null });
    expect(delivery.error_message).toMatch(/^No push service accepted the message: 127\.0\.0\.1:\d+: 500 /);
    const job = await deliverJob(delivery.id);
    expect(job).toMatchObject({ state: 'retry' });
    expect(job.start_after.getTime()).toBeGreaterThan(Date.now()); // backoff: not retried at once
    expect(await devicesOf(artist)).toHaveLength(1); // an error is not a goodbye

    // The service recovers; the queue's next attempt (run directly: the backoff is 30 s).
    device.behaviour = 'accept';
    await deliver(t.services, { organizationId: org.id, userId: artist.id, deliveryId: delivery.id }, { id: 'retry', retryCount: 1, retryLimit: 5 });
    delivery = (await deliveriesOf(org.id, artist.id)).find((r) => r.channel === 'push')!;
    expect(delivery).toMatchObject({ status: 'delivered', error_message: null, retry_count: 1 });
    expect(device.received.map((p) => p.payload)).toEqual([expect.objectContaining({ title: 'Company meeting at noon', type: 'announcement', tag: delivery.id })]);
  });

  it('a push service that is down never fails the request: the delivery stays pending with the connection error, to be retried', async () => {
    const org = await createOrganization(t.services, 'Push Down');
    const artist = org.users.artist;
    await setChannels(artist, { announcement: { push: true } });
    const gone = await startPushService({ subject: VAPID_SUBJECT });
    await registerBrowser(artist, 'Firefox', gone);
    await gone.close(); // the browser subscribed, then the service went away

    expect(await announce(org, 'urgent', 'Theatre closed: burst pipe')).toEqual({ recipients: 1 });
    await drain();

    const delivery = (await deliveriesOf(org.id, artist.id)).find((r) => r.channel === 'push')!;
    expect(delivery).toMatchObject({ status: 'pending', retry_count: 1 });
    expect(delivery.error_message).toMatch(/ECONNREFUSED/);
    expect(await deliverJob(delivery.id)).toMatchObject({ state: 'retry' });
    expect(await devicesOf(artist)).toHaveLength(1);
  });
});
