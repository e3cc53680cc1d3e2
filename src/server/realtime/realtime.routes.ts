import type { FastifyPluginAsync } from 'fastify';
import websocket from '@fastify/websocket';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import type { Actor } from '../auth/tokens.js';
import type { RealtimeEvent } from './hub.js';

const AUTH_TIMEOUT_MS = 10_000;
const PING_INTERVAL_MS = 30_000;

/** Close codes the web app acts on: sign in again (4401), or simply reconnect later. */
export const CLOSE = { unauthorized: 4401, tokenExpired: 4402, policy: 1008 } as const;

const clientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().min(10).max(4000) }),
  z.object({ type: z.literal('ping') }),
]);

function visibleTo(actor: Actor, event: RealtimeEvent): boolean {
  if (event.organizationId !== actor.organizationId) return false;
  if (event.userId) return event.userId === actor.userId;
  return !event.roles || event.roles.includes(actor.role);
}

/**
 * `GET /api/v1/realtime` (WebSocket). Browsers cannot send an Authorization header on a
 * WebSocket, and a token in the URL ends up in logs, so the first message must be
 * `{"type":"auth","token":"<access token>"}` within 10 seconds. The connection then receives the
 * events of the person's room and of their organization's room (filtered by role) as
 * `{"type": …, "data": …}`. Before the token expires the client sends a fresh one the same way;
 * at expiry without one the server closes with 4402. A token of another person is refused.
 */
export const realtimeRoutes: FastifyPluginAsync = async (app) => {
  await app.register(websocket, { options: { maxPayload: 16 * 1024 } });
  const { services } = app;

  app.get('/realtime', { websocket: true, config: { public: true }, schema: { hide: true } }, (socket, req) => {
    let actor: Actor | null = null;
    let expiry: NodeJS.Timeout | null = null;
    let unsubscribe: (() => void) | null = null;
    const send = (message: Record<string, unknown>) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    const close = (code: number, reason: string) => {
      if (socket.readyState === socket.OPEN) socket.close(code, reason);
    };
    const authTimer = setTimeout(() => close(CLOSE.unauthorized, 'authenticate first'), AUTH_TIMEOUT_MS);
    const ping = setInterval(() => socket.ping(), PING_INTERVAL_MS);

    socket.on('message', (raw: Buffer) => {
      void (async () => {
        let parsed;
        try {
          parsed = clientMessage.safeParse(JSON.parse(raw.toString('utf8')));
        } catch {
          parsed = null;
        }
        if (!parsed?.success) return close(CLOSE.policy, 'unexpected message');
        const message = parsed.data;
        if (message.type === 'ping') return send({ type: 'pong' });
        let next: Actor;
        try {
          next = await services.tokens.verify(message.token);
        } catch {
          return close(CLOSE.unauthorized, 'invalid token');
        }
        // A renewed token must be the same person in the same organization.
        if (actor && (actor.userId !== next.userId || actor.organizationId !== next.organizationId)) return close(CLOSE.policy, 'another identity');
        actor = next;
        clearTimeout(authTimer);
        if (expiry) clearTimeout(expiry);
        const exp = decodeJwt(message.token).exp ?? 0;
        expiry = setTimeout(() => close(CLOSE.tokenExpired, 'token expired'), Math.max(0, exp * 1000 - Date.now()));
        unsubscribe ??= services.realtime.subscribe((event) => {
          if (actor && visibleTo(actor, event)) send({ type: event.type, data: event.data });
        });
        send({ type: 'ready', expires_at: new Date(exp * 1000).toISOString() });
      })().catch((err: unknown) => {
        req.log.warn({ err: (err as Error).message }, 'realtime message failed');
        close(CLOSE.policy, 'error');
      });
    });
    socket.on('close', () => {
      clearTimeout(authTimer);
      clearInterval(ping);
      if (expiry) clearTimeout(expiry);
      unsubscribe?.();
    });
  });
};
