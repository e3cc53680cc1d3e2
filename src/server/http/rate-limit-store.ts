import { createRequire } from 'node:module';
import type { FastifyBaseLogger } from 'fastify';
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Redis } from 'ioredis';

type Counted = { current: number; ttl: number };
type Callback = (error: Error | null, result?: Counted) => void;
interface Store {
  incr(key: string, callback: Callback, timeWindow: number, max: number): void;
  child(routeOptions: unknown): Store;
}
type StoreClass<A extends unknown[]> = new (continueExceeding: boolean, exponentialBackoff: boolean, ...rest: A) => Store;

// The plugin's own stores (not part of its typed exports).
const require = createRequire(import.meta.url);
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as StoreClass<[cache?: number]>;
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as StoreClass<[redis: Redis, key: string]>;

/**
 * Rate-limit counters shared through Redis while it answers, kept in this process's memory while
 * it does not. Decision for a Redis outage: neither fail open (no limits at all: sign-in brute
 * force unthrottled) nor fail closed (every request refused or a 500: the outage of a cache
 * becomes the outage of the portal). Limits keep holding per instance; the per-account lockout
 * lives in PostgreSQL and is not affected. When Redis is back, the shared counters take over again.
 */
class FailoverStore implements Store {
  constructor(
    private readonly redis: Redis,
    private readonly shared: Store,
    private readonly local: Store,
    private readonly health: { degraded: boolean; log: FastifyBaseLogger },
  ) {}

  incr(key: string, callback: Callback, timeWindow: number, max: number): void {
    if (this.redis.status !== 'ready') {
      this.degrade(new Error(`redis ${this.redis.status}`));
      this.local.incr(key, callback, timeWindow, max);
      return;
    }
    this.shared.incr(key, (error, result) => {
      if (error || !result) {
        this.degrade(error ?? new Error('no answer'));
        this.local.incr(key, callback, timeWindow, max);
        return;
      }
      if (this.health.degraded) {
        this.health.degraded = false;
        this.health.log.info('rate limits shared through Redis again');
      }
      callback(null, result);
    }, timeWindow, max);
  }

  child(routeOptions: unknown): Store {
    return new FailoverStore(this.redis, this.shared.child(routeOptions), this.local.child(routeOptions), this.health);
  }

  private degrade(error: Error) {
    if (this.health.degraded) return;
    this.health.degraded = true;
    this.health.log.warn({ err: error.message }, 'Redis unavailable: rate limits counted per instance until it is back');
  }
}

export function failoverRateLimitStore(redis: Redis, nameSpace: string, log: FastifyBaseLogger): FastifyRateLimitStoreCtor {
  const health = { degraded: false, log };
  return class extends FailoverStore {
    // The plugin passes its resolved global parameters.
    constructor(options: { continueExceeding?: boolean; exponentialBackoff?: boolean }) {
      const continueExceeding = options.continueExceeding ?? false;
      const exponentialBackoff = options.exponentialBackoff ?? false;
      super(redis, new RedisStore(continueExceeding, exponentialBackoff, redis, nameSpace), new LocalStore(continueExceeding, exponentialBackoff), health);
    }
  } as unknown as FastifyRateLimitStoreCtor;
}
