import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { createOrganization, startTestApp, type TestApp } from '../helpers/app.js';

describe('server faults', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('an unexpected error answers 500 with the request id and nothing of the error', async () => {
    const app = await buildApp(t.services, { logger: false });
    app.get('/api/v1/test-crash', { config: { public: true } }, async () => {
      throw new Error('relation "secret" does not exist: SELECT tax_id FROM users at /src/server/x.ts:12');
    });
    const res = await app.inject('/api/v1/test-crash');
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body).toMatchObject({ type: 'internal_error', status: 500, request_id: res.headers['x-request-id'] });
    expect(res.body).not.toMatch(/secret|SELECT|tax_id|\.ts:|stack/);
    await app.close();
  });

  it('a database that stops answering gives 503 problems, never a stack trace', async () => {
    const other = await startTestApp();
    const org = await createOrganization(other.services);
    await other.services.database.close();
    const ready = await other.app.inject('/api/v1/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ type: 'service_unavailable' });
    const read = await other.app.inject({ url: '/api/v1/organization', headers: org.users.admin.auth });
    expect(read.statusCode).toBeGreaterThanOrEqual(500);
    expect(read.headers['content-type']).toMatch(/problem\+json/);
    expect(read.body).not.toMatch(/at .*\.(ts|js):\d+|pool|SELECT/i);
    await other.app.close();
  });
});
