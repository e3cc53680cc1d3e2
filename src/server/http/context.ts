import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { canonicalJson } from '../audit/audit.chain.js';
import { recordAudit, type AuditEntry } from '../audit/audit.service.js';
import type { Actor } from '../auth/tokens.js';
import { withTenant, type Tx } from '../db/tenant.js';
import type { JobDefinition } from '../jobs/queue.js';
import { AppError } from './errors.js';
import type { RealtimeEvent } from '../realtime/hub.js';

/**
 * What a service function receives: who acts, in which organization, inside which transaction,
 * and how to audit and enqueue within that same transaction.
 */
export interface RequestContext {
  actor: Actor;
  organizationId: string;
  trx: Tx;
  requestId: string;
  audit(entry: AuditEntry): Promise<void>;
  enqueue<P>(job: JobDefinition<P>, payload: P): Promise<string | null>;
  /** Tells open screens once the transaction has committed (never for a change that rolled back). */
  publish(event: RealtimeEvent): void;
}

export function requireActor(req: FastifyRequest): Actor {
  if (!req.actor) throw new AppError('unauthorized', 'Send a valid access token in the Authorization header');
  return req.actor;
}

function buildContext(req: FastifyRequest, actor: Actor, trx: Tx, published: RealtimeEvent[]): RequestContext {
  const origin = {
    organizationId: actor.organizationId,
    actorId: actor.userId,
    ip: req.ip,
    userAgent: req.headers['user-agent']?.slice(0, 500) ?? null,
    requestId: req.id,
  };
  return {
    actor,
    organizationId: actor.organizationId,
    trx,
    requestId: req.id,
    audit: (entry) => recordAudit(trx, origin, entry),
    enqueue: (job, payload) => req.server.services.jobs.enqueue(trx, job, payload),
    publish: (event) => void published.push(event),
  };
}

function publishAll(req: FastifyRequest, events: RealtimeEvent[]) {
  for (const event of events) req.server.services.realtime.publish(event);
}

/** A read inside the actor's organization. */
export async function readInTenant<T>(req: FastifyRequest, fn: (ctx: RequestContext) => Promise<T>): Promise<T> {
  const actor = requireActor(req);
  const published: RealtimeEvent[] = [];
  const result = await withTenant(req.server.services.database.db, { organizationId: actor.organizationId, userId: actor.userId }, (trx) =>
    fn(buildContext(req, actor, trx, published)),
  );
  publishAll(req, published);
  return result;
}

export interface MutationResult<B> {
  status: number;
  body: B;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * A change inside the actor's organization, in one transaction with its audit rows and jobs.
 * With an `Idempotency-Key` (POST), the first answer is stored in that same transaction:
 * the same key and body answer it again, another body is refused (422) and a key whose first
 * request is still running answers 409.
 */
export async function mutateInTenant<B>(
  req: FastifyRequest,
  reply: FastifyReply,
  fn: (ctx: RequestContext) => Promise<MutationResult<B>>,
  options: { fingerprint?: string } = {},
): Promise<B> {
  const actor = requireActor(req);
  const rawKey = req.headers['idempotency-key'];
  const key = req.method === 'POST' && typeof rawKey === 'string' ? rawKey : undefined;
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new AppError('validation_error', 'Idempotency-Key must be 1–255 visible ASCII characters', [{ field: 'header.idempotency-key', message: 'Invalid format' }]);
  }
  const published: RealtimeEvent[] = [];
  const requestHash = key
    ? createHash('sha256').update(`${req.method} ${req.url}\n${options.fingerprint ?? canonicalJson(req.body ?? null)}`).digest('hex')
    : '';
  const result = await withTenant(
    req.server.services.database.db,
    { organizationId: actor.organizationId, userId: actor.userId },
    async (trx): Promise<MutationResult<unknown> & { replayed: boolean }> => {
      if (key) {
        const lock = await sql<{ locked: boolean }>`
          SELECT pg_try_advisory_xact_lock(hashtextextended(${`${actor.organizationId}:${actor.userId}:${key}`}, 0)) AS locked`.execute(trx);
        if (!lock.rows[0]?.locked) throw new AppError('idempotency_in_flight', 'Retry after the first request with this key has finished', undefined, { 'retry-after': '1' });
        const previous = await trx
          .selectFrom('idempotency_keys')
          .select(['request_hash', 'response_status', 'response_body', 'expires_at'])
          .where('organization_id', '=', actor.organizationId)
          .where('actor_id', '=', actor.userId)
          .where('key', '=', key)
          .executeTakeFirst();
        if (previous && previous.expires_at > new Date()) {
          if (previous.request_hash !== requestHash) throw new AppError('idempotency_key_reused');
          return { status: previous.response_status, body: previous.response_body, replayed: true };
        }
        if (previous) {
          await trx.deleteFrom('idempotency_keys').where('organization_id', '=', actor.organizationId)
            .where('actor_id', '=', actor.userId).where('key', '=', key).execute();
        }
      }
      const outcome = await fn(buildContext(req, actor, trx, published));
      if (key) {
        await trx.insertInto('idempotency_keys').values({
          organization_id: actor.organizationId,
          actor_id: actor.userId,
          key,
          method: req.method,
          path: req.url.slice(0, 2000),
          request_hash: requestHash,
          response_status: outcome.status,
          response_body: JSON.stringify(outcome.body ?? null),
        }).execute();
      }
      return { ...outcome, replayed: false };
    },
  );
  publishAll(req, published);
  if (result.replayed) void reply.header('idempotent-replayed', 'true');
  void reply.code(result.status);
  return result.body as B;
}
