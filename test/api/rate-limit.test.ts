import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, startTestApp, type TestApp, type TestOrganization } from '../helpers/app.js';

describe('rate limiting (in memory)', () => {
  let t: TestApp;
  let org: TestOrganization;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW: '1 minute' });
    org = await createOrganization(t.services);
  });
  afterAll(async () => t?.close());

  it('counts per user, sends RateLimit-* and X-RateLimit-* headers, then answers 429 as a problem', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await t.app.inject({ url: '/api/v1/organization', headers: org.users.admin.auth });
      statuses.push(last.statusCode);
      if (i === 0) {
        expect(last.headers['ratelimit-limit']).toBe('3');
        expect(last.headers['x-ratelimit-limit']).toBe('3');
        expect(last.headers['x-ratelimit-remaining']).toBe('2');
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last!.headers['content-type']).toMatch(/problem\+json/);
    expect(last!.json()).toMatchObject({ type: 'rate_limited', status: 429 });
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    // Another user of the same organization has their own budget.
    expect((await t.app.inject({ url: '/api/v1/organization', headers: org.users.artist.auth })).statusCode).toBe(200);
  });

  it('does not count health checks', async () => {
    for (let i = 0; i < 5; i++) expect((await t.app.inject('/api/v1/health')).statusCode).toBe(200);
  });
});

// With REDIS_URL, two API instances share one budget (the production setup behind a load balancer).
describe.runIf(Boolean(process.env.REDIS_URL))('rate limiting shared through Redis', () => {
  let one: TestApp;
  let two: TestApp;
  beforeAll(async () => {
    const env = { RATE_LIMIT_MAX: '4', RATE_LIMIT_WINDOW: '1 minute', REDIS_URL: process.env.REDIS_URL ?? '' };
    one = await startTestApp(env);
    two = await startTestApp(env);
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  it('a user spreading requests over two instances still hits one limit', async () => {
    const org = await createOrganization(one.services);
    const token = await two.services.tokens.sign({ userId: org.users.admin.id, organizationId: org.id, role: 'admin' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const app = i % 2 === 0 ? one.app : two.app;
      const headers = i % 2 === 0 ? org.users.admin.auth : { authorization: `Bearer ${token}` };
      statuses.push((await app.inject({ url: '/api/v1/organization', headers })).statusCode);
    }
    // On the embedded engine each instance has its own database, so only the limit is compared.
    expect(statuses.slice(0, 4).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(4)).toEqual([429, 429]);
  });
});
