import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, startTestApp, type TestApp, type TestOrganization } from '../helpers/app.js';

let t: TestApp;
let org: TestOrganization;

beforeAll(async () => {
  t = await startTestApp();
  org = await createOrganization(t.services);
});
afterAll(async () => t?.close());

function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number, type: string) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = res.json() as Record<string, unknown>;
  expect(body).toMatchObject({ type, status });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(typeof body.instance).toBe('string');
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|SELECT|INSERT|stack/i);
  return body;
}

describe('health', () => {
  it('answers liveness and readiness without a token', async () => {
    expect((await t.app.inject('/api/v1/health')).json()).toMatchObject({ status: 'ok' });
    const ready = await t.app.inject('/api/v1/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().status).toBe('ready');
  });
});

describe('RFC 7807 errors', () => {
  it('unknown route → 404 route_not_found', async () => {
    expectProblem(await t.app.inject('/api/v1/nope'), 404, 'route_not_found');
  });

  it('wrong method on a known route → 405 with Allow', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: '/api/v1/organization', headers: org.users.admin.auth });
    expectProblem(res, 405, 'method_not_allowed');
    expect(res.headers.allow).toContain('GET');
  });

  it('missing token → 401 unauthorized; forged token → 401 invalid_token', async () => {
    expectProblem(await t.app.inject('/api/v1/organization'), 401, 'unauthorized');
    const forged = `${org.users.admin.token.slice(0, -4)}AAAA`;
    expectProblem(await t.app.inject({ url: '/api/v1/organization', headers: { authorization: `Bearer ${forged}` } }), 401, 'invalid_token');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${org.users.admin.token.split('.')[1]}.`;
    expectProblem(await t.app.inject({ url: '/api/v1/organization', headers: { authorization: `Bearer ${none}` } }), 401, 'invalid_token');
  });

  it('role without the permission → 403 forbidden', async () => {
    const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: org.users.artist.auth, payload: { name: 'Hijacked' } });
    expectProblem(res, 403, 'forbidden');
  });

  it('malformed JSON → 400 malformed_json and nothing changes', async () => {
    const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: { ...org.users.admin.auth, 'content-type': 'application/json' }, payload: '{"name": "x"' });
    expectProblem(res, 400, 'malformed_json');
    const after = await t.app.inject({ url: '/api/v1/organization', headers: org.users.admin.auth });
    expect(after.json().name).toBe(org.name);
  });

  it('wrong content type → 415', async () => {
    const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: { ...org.users.admin.auth, 'content-type': 'text/plain' }, payload: 'name=x' });
    expectProblem(res, 415, 'unsupported_media_type');
  });

  it('oversized body → 413', async () => {
    const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: { ...org.users.admin.auth, 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x'.repeat(2_000_000) }) });
    expectProblem(res, 413, 'payload_too_large');
  });

  it('unknown fields are rejected, not stored', async () => {
    const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: org.users.admin.auth, payload: { name: 'Renamed', organization_id: 'x', is_active: false } });
    const body = expectProblem(res, 400, 'validation_error');
    expect(JSON.stringify(body.errors)).toMatch(/organization_id|is_active/);
    expect((await t.app.inject({ url: '/api/v1/organization', headers: org.users.admin.auth })).json().name).toBe(org.name);
  });

  it('huge numbers and NUL bytes → 400', async () => {
    const huge = await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: { ...org.users.admin.auth, 'content-type': 'application/json' }, payload: '{"settings":{"expense_submission_window_days":1e309}}' });
    expectProblem(huge, 400, 'validation_error');
    const nul = await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: { ...org.users.admin.auth, 'content-type': 'application/json' }, payload: '{"name":"bad\\u0000name"}' });
    expectProblem(nul, 400, 'invalid_characters');
    const proto = await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: { ...org.users.admin.auth, 'content-type': 'application/json' }, payload: '{"__proto__":{"admin":true}}' });
    expectProblem(proto, 400, 'malformed_json');
  });

  it('validation errors name the field', async () => {
    const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: org.users.admin.auth, payload: { settings: { timezone: 'Mars/Olympus', default_currency: 'XXQ' } } });
    const body = expectProblem(res, 400, 'validation_error');
    const fields = (body.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.settings.timezone', 'body.settings.default_currency']));
  });
});

describe('security headers and request ids', () => {
  it('sets the seed 004 headers and a request id on every answer', async () => {
    const res = await t.app.inject('/api/v1/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['strict-transport-security']).toContain('max-age=63072000');
    expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['permissions-policy']).toContain('camera=(self)');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('does not reflect arbitrary CORS origins', async () => {
    const res = await t.app.inject({ method: 'OPTIONS', url: '/api/v1/organization', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
