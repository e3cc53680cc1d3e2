import { execFileSync } from 'node:child_process';
import { createECDH, createPublicKey, randomBytes, randomUUID, type ECDH, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ece from 'http_ece';
import { jwtVerify, type JWTPayload } from 'jose';

/** A message the push service accepted, decrypted as the subscribed browser would. */
export interface ReceivedPush {
  headers: IncomingHttpHeaders;
  /** The decrypted payload (RFC 8291), parsed as JSON. */
  payload: unknown;
  /** The verified VAPID claims (RFC 8292). */
  vapid: JWTPayload;
}

/** A request the service refused (bad VAPID token, wrong key, undecryptable body…). */
export interface RefusedPush {
  subscriptionId: string;
  status: number;
  reason: string;
}

/** What the service answers for a subscription. */
export type PushBehaviour = 'accept' | 'gone' | 'error';

/** One browser subscription: what `PushSubscription.toJSON()` gives the web app, plus what it received. */
export interface FakeSubscription {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  /** The VAPID public key the browser subscribed with (`applicationServerKey`). */
  applicationServerKey: string;
  behaviour: PushBehaviour;
  received: ReceivedPush[];
}

export interface TestPushService {
  origin: string;
  /** The service's self-signed certificate (PEM), for the sender's `https.Agent({ ca })`. */
  ca: string;
  /** A browser subscribes: a fresh P-256 key pair and auth secret, an endpoint on this service. */
  subscribe(applicationServerKey: string): FakeSubscription;
  refused: RefusedPush[];
  /** Every request that reached the service, accepted or not. */
  requests: number;
  close(): Promise<void>;
}

/** A certificate for 127.0.0.1 (P-256, one day), made with the openssl command line. */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'push-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'pipe' });
    return { key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A VAPID `k` (65-byte uncompressed P-256 point, base64url) as a public key. */
function vapidKey(k: string): KeyObject {
  const point = Buffer.from(k, 'base64url');
  if (point.length !== 65 || point[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') }, format: 'jwk' });
}

class Refusal extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * A web push service (RFC 8030) over HTTPS on 127.0.0.1 that checks what a real one checks —
 * the VAPID token (RFC 8292: ES256 signature by the key in `k`, which must be the key the
 * browser subscribed with; `aud` this origin; `exp` in the future and at most 24 hours away;
 * `sub` the sender's contact), `TTL`, `Urgency` and `Content-Encoding: aes128gcm` — and then,
 * standing in for the browser, decrypts the payload (RFC 8291) with the subscription's private
 * key and auth secret. Each subscription can be made to answer 410 Gone or 500.
 */
export async function startPushService(options: { subject: string }): Promise<TestPushService> {
  const { key, cert } = selfSignedCertificate();
  const subscriptions = new Map<string, FakeSubscription & { ecdh: ECDH }>();
  const refused: RefusedPush[] = [];
  let origin = '';
  let requests = 0;

  async function accept(sub: FakeSubscription & { ecdh: ECDH }, headers: IncomingHttpHeaders, body: Buffer): Promise<ReceivedPush> {
    const ttl = headers.ttl;
    if (typeof ttl !== 'string' || !/^\d+$/.test(ttl)) throw new Refusal(400, 'TTL header missing or not a number');
    if (headers.urgency !== undefined && !['very-low', 'low', 'normal', 'high'].includes(String(headers.urgency))) throw new Refusal(400, `bad Urgency ${String(headers.urgency)}`);
    if (headers['content-encoding'] !== 'aes128gcm') throw new Refusal(415, `Content-Encoding ${String(headers['content-encoding'])}, expected aes128gcm`);

    const auth = /^vapid t=([A-Za-z0-9_.-]+),\s*k=([A-Za-z0-9_-]+)$/.exec(headers.authorization ?? '');
    if (!auth) throw new Refusal(401, `Authorization is not "vapid t=…, k=…": ${String(headers.authorization)}`);
    const token = auth[1]!;
    const k = auth[2]!;
    if (k !== sub.applicationServerKey) throw new Refusal(403, 'k is not the key this subscription was made with');
    let vapid: JWTPayload;
    try {
      ({ payload: vapid } = await jwtVerify(token, vapidKey(k), { algorithms: ['ES256'], audience: origin, subject: options.subject, requiredClaims: ['aud', 'exp', 'sub'] }));
    } catch (err) {
      throw new Refusal(403, `VAPID token: ${(err as Error).message}`);
    }
    if (vapid.exp! > Date.now() / 1000 + 24 * 3600) throw new Refusal(403, 'VAPID token expires more than 24 hours ahead');

    let plain: Buffer;
    try {
      plain = ece.decrypt(body, { version: 'aes128gcm', privateKey: sub.ecdh, authSecret: sub.keys.auth });
    } catch (err) {
      throw new Refusal(400, `cannot decrypt: ${(err as Error).message}`);
    }
    return { headers, payload: JSON.parse(plain.toString('utf8')) as unknown, vapid };
  }

  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const id = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1];
      const sub = id ? subscriptions.get(id) : undefined;
      if (req.method !== 'POST' || !sub) {
        res.writeHead(404).end();
        return;
      }
      if (sub.behaviour === 'gone') {
        res.writeHead(410, { 'content-type': 'text/plain' }).end('push subscription has unsubscribed or expired');
        return;
      }
      if (sub.behaviour === 'error') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
        return;
      }
      accept(sub, req.headers, Buffer.concat(chunks)).then((push) => {
        sub.received.push(push);
        res.writeHead(201, { location: `${origin}/message/${randomUUID()}`, ttl: String(req.headers.ttl) }).end();
      }, (err: unknown) => {
        const status = err instanceof Refusal ? err.status : 500;
        refused.push({ subscriptionId: sub.id, status, reason: (err as Error).message });
        res.writeHead(status, { 'content-type': 'text/plain' }).end((err as Error).message);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    ca: cert,
    refused,
    get requests() {
      return requests;
    },
    subscribe(applicationServerKey) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const id = randomUUID();
      const sub = {
        id,
        endpoint: `${origin}/push/${id}`,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
        applicationServerKey,
        behaviour: 'accept' as PushBehaviour,
        received: [] as ReceivedPush[],
        ecdh,
      };
      subscriptions.set(id, sub);
      return sub;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
