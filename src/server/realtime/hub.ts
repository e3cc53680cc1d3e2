import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Role } from '../db/schema.js';

/**
 * Something that happened which open screens should show without reloading. It goes to one
 * person (`userId`) or to everyone in the organization, optionally only some roles.
 */
export interface RealtimeEvent {
  type: string;
  organizationId: string;
  userId?: string;
  roles?: Role[];
  data: Record<string, unknown>;
}

const CHANNEL = 'bigportal:realtime';

/**
 * Fans events out to the WebSocket connections of this process and, with Redis, of every
 * instance: an event is published once to Redis and each instance (this one included) delivers
 * it to its own connections. Without Redis, or while it is down, events reach this instance's
 * connections only.
 */
export class RealtimeHub {
  private readonly local = new EventEmitter();
  private publisher: Redis | null = null;
  private subscriber: Redis | null = null;

  constructor(private readonly log: Logger, redisUrl?: string) {
    this.local.setMaxListeners(0);
    if (!redisUrl) return;
    const options = { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false } as const;
    this.publisher = new Redis(redisUrl, options);
    this.subscriber = new Redis(redisUrl, { ...options, enableOfflineQueue: true });
    for (const client of [this.publisher, this.subscriber]) client.on('error', (err) => log.warn({ err: err.message }, 'realtime: redis unavailable'));
    void this.subscriber.subscribe(CHANNEL).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'realtime: cannot subscribe'));
    this.subscriber.on('message', (_channel: string, raw: string) => {
      try {
        this.local.emit('event', JSON.parse(raw) as RealtimeEvent);
      } catch {
        log.warn('realtime: malformed message ignored');
      }
    });
  }

  /** Resolves once the Redis subscription is live (tests wait for it; production does not need to). */
  async ready(): Promise<void> {
    if (!this.subscriber) return;
    if (this.subscriber.status !== 'ready') await new Promise((resolve) => this.subscriber?.once('ready', resolve));
    await this.subscriber.subscribe(CHANNEL);
  }

  publish(event: RealtimeEvent): void {
    if (this.publisher?.status === 'ready') {
      this.publisher.publish(CHANNEL, JSON.stringify(event)).catch(() => this.local.emit('event', event));
      return;
    }
    this.local.emit('event', event);
  }

  subscribe(listener: (event: RealtimeEvent) => void): () => void {
    this.local.on('event', listener);
    return () => this.local.off('event', listener);
  }

  close(): void {
    this.publisher?.disconnect();
    this.subscriber?.disconnect();
  }
}
