import { exportPKCS8, generateKeyPair } from 'jose';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, onServer, startTestApp, type TestApp, type TestOrganization, type TestUser } from '../helpers/app.js';

/**
 * Live updates (issue 4 item 6): an authenticated WebSocket per open screen; events of the
 * person's room and their organization's room; with Redis, events raised on one instance reach
 * clients connected to another.
 */
interface Client {
  socket: WebSocket;
  messages: Array<{ type: string; data?: Record<string, unknown> }>;
  closed: Promise<{ code: number; reason: string }>;
  /** The next message of a type (already received or still to come). */
  next(type: string, timeoutMs?: number): Promise<{ type: string; data?: Record<string, unknown> }>;
}

async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/api/v1/realtime`;
}

async function connect(url: string, token?: string): Promise<Client> {
  const socket = new WebSocket(url);
  const messages: Client['messages'] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  socket.on('message', (raw) => messages.push(JSON.parse(String(raw)) as Client['messages'][number]));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const client: Client = {
    socket, messages, closed,
    async next(type, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = messages.findIndex((m) => m.type === type);
        if (found >= 0) return messages.splice(found, 1)[0]!;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`no "${type}" message within ${timeoutMs} ms (got ${JSON.stringify(messages)})`);
    },
  };
  if (token) {
    socket.send(JSON.stringify({ type: 'auth', token }));
    await client.next('ready');
  }
  return client;
}

const announce = (t: TestApp, admin: TestUser, subject: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/admin/announcements', headers: admin.auth, payload: { subject, body: 'Notes for tonight.' } });

describe('one instance', () => {
  let t: TestApp;
  let url: string;
  let org: TestOrganization;
  let other: TestOrganization;
  const open: Client[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    url = await listen(t);
    org = await createOrganization(t.services, 'Live');
    other = await createOrganization(t.services, 'Elsewhere');
  });
  afterAll(async () => {
    for (const c of open) c.socket.close();
    await t?.close();
  });
  const tracked = async (token?: string) => {
    const c = await connect(url, token);
    open.push(c);
    return c;
  };

  it('pushes a new notification to its recipient only, not to other people or organizations', async () => {
    const artist = await tracked(org.users.artist.token);
    const accountant = await tracked(org.users.accountant.token);
    const stranger = await tracked(other.users.artist.token);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/admin/announcements', headers: org.users.admin.auth, payload: { subject: 'Half hour call', body: 'Places in 30.', roles: ['artist'] } });
    expect(res.statusCode, res.body).toBe(201);
    const event = await artist.next('notification.created');
    expect(event.data).toMatchObject({ type: 'announcement', subject: 'Half hour call', link: '/notifications' });
    await new Promise((r) => setTimeout(r, 150));
    expect(accountant.messages.filter((m) => m.type === 'notification.created')).toEqual([]);
    expect(stranger.messages.filter((m) => m.type === 'notification.created')).toEqual([]);
  });

  it('sends an organization event to the roles it names, and an organization-wide one to every member, never to another organization', async () => {
    const admin = await tracked(org.users.admin.token);
    const accountant = await tracked(org.users.accountant.token);
    const artist = await tracked(org.users.artist.token);
    const otherAdmin = await tracked(other.users.admin.token);
    t.services.realtime.publish({ type: 'contract.status', organizationId: org.id, roles: ['admin', 'system_admin'], data: { contract_id: 'c1', status: 'signed' } });
    t.services.realtime.publish({ type: 'organization.updated', organizationId: org.id, data: { name: 'Live' } });
    expect((await admin.next('contract.status')).data).toEqual({ contract_id: 'c1', status: 'signed' });
    for (const member of [admin, accountant, artist]) expect((await member.next('organization.updated')).data).toEqual({ name: 'Live' });
    await new Promise((r) => setTimeout(r, 150));
    expect([...accountant.messages, ...artist.messages].filter((m) => m.type === 'contract.status')).toEqual([]);
    expect(otherAdmin.messages.filter((m) => m.type === 'contract.status' || m.type === 'organization.updated')).toEqual([]);
  });

  it('tells the person\'s other open screens when they read notifications', async () => {
    const phone = await tracked(org.users.production_manager.token);
    const laptop = await tracked(org.users.production_manager.token);
    await announce(t, org.users.admin, 'Read me');
    const { data } = await phone.next('notification.created');
    await laptop.next('notification.created');
    const read = await t.app.inject({ method: 'POST', url: `/api/v1/notifications/${String(data?.id)}/read`, headers: org.users.production_manager.auth });
    expect(read.statusCode).toBe(200);
    expect((await laptop.next('notification.read')).data).toEqual({ id: data?.id });
  });

  it('refuses a connection without a valid token, and a renewed token of someone else', async () => {
    const forged = await tracked();
    forged.socket.send(JSON.stringify({ type: 'auth', token: `${org.users.artist.token.slice(0, -4)}AAAA` }));
    expect((await forged.closed).code).toBe(4401);
    const garbage = await tracked();
    garbage.socket.send('not json');
    expect((await garbage.closed).code).toBe(1008);
    const switched = await tracked(org.users.artist.token);
    switched.socket.send(JSON.stringify({ type: 'auth', token: org.users.accountant.token }));
    expect((await switched.closed).code).toBe(1008);
  });

  it('closes when the token expires unless a fresh one arrives first', async () => {
    // Two seconds of life leave room for connecting on a busy machine. The renewed socket's first
    // token is made first, so it has run out by the time the other one has.
    const shortLived = () => t.services.tokens.sign({ userId: org.users.artist.id, organizationId: org.id, role: 'artist' }, 2);
    const renewedToken = await shortLived();
    const expiringToken = await shortLived();
    const renewed = await tracked(renewedToken);
    const expiring = await tracked(expiringToken);
    renewed.socket.send(JSON.stringify({ type: 'auth', token: org.users.artist.token }));
    await renewed.next('ready');
    expect((await expiring.closed).code).toBe(4402);
    await new Promise((r) => setTimeout(r, 300));
    expect(renewed.socket.readyState).toBe(WebSocket.OPEN);
  });
});

// Two instances need one database and one Redis: the real-server run.
describe.runIf(onServer && Boolean(process.env.REDIS_URL))('two instances fanned out through Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let org: TestOrganization;
  let client: Client | undefined;
  beforeAll(async () => {
    // Both instances verify the same tokens, as production instances share their signing key.
    const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const env = { REDIS_URL: process.env.REDIS_URL ?? '', JWT_PRIVATE_KEY: await exportPKCS8(privateKey) };
    a = await startTestApp(env);
    b = await startTestApp(env);
    await Promise.all([a.services.realtime.ready(), b.services.realtime.ready()]);
    await listen(a);
    org = await createOrganization(a.services, 'Fan-out');
  });
  afterAll(async () => {
    client?.socket.close();
    await a?.close();
    await b?.close();
  });

  it('a client on instance B receives what happened on instance A', async () => {
    client = await connect(await listen(b), org.users.artist.token);
    const res = await announce(a, org.users.admin, 'From the other instance');
    expect(res.statusCode, res.body).toBe(201);
    expect((await client.next('notification.created')).data).toMatchObject({ subject: 'From the other instance' });
    // Exactly once, though both instances heard it from Redis.
    await new Promise((r) => setTimeout(r, 200));
    expect(client.messages.filter((m) => m.type === 'notification.created')).toEqual([]);
  });
});
