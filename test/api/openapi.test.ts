import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization, startTestApp, type TestApp, type TestOrganization } from '../helpers/app.js';
import { expectProblem } from './support.js';

let t: TestApp;
let doc: OpenApiDoc;

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  pattern?: string;
  format?: string;
  maxLength?: number;
  minItems?: number;
  minimum?: number;
  maximum?: number;
  $ref?: string;
}
interface Operation {
  summary?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}
interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
}

beforeAll(async () => {
  t = await startTestApp();
  const res = await t.app.inject('/api/v1/openapi.json');
  expect(res.statusCode).toBe(200);
  doc = res.json() as OpenApiDoc;
});
afterAll(async () => t?.close());

/** Every operation the API offers; a new route must be added here (and so be documented). */
const expectedOperations = [
  'GET /api/v1/health',
  'GET /api/v1/ready',
  'GET /api/v1/organization',
  'PATCH /api/v1/organization',
  'GET /api/v1/members',
  'GET /api/v1/members/{id}',
  'PATCH /api/v1/members/{id}',
  'POST /api/v1/admin/users',
  'GET /api/v1/admin/invitations',
  'DELETE /api/v1/admin/invitations/{id}',
  'GET /api/v1/audit-logs',
  'GET /api/v1/audit-logs/verify',
  'POST /api/v1/files',
  'GET /api/v1/files/{id}',
  'GET /api/v1/files/{id}/download',
  'GET /api/v1/files/download/{token}',
];

function operations(): { method: string; path: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
}

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toMatch(/^3\.1/);
  });

  it('lists every API route, each served by the app', () => {
    const documented = operations().map((o) => `${o.method} ${o.path}`);
    expect(documented).toEqual(expect.arrayContaining(expectedOperations));
    for (const { method, path } of operations()) {
      expect(path.startsWith('/api/v1/'), path).toBe(true);
      const url = path.replace(/\{(\w+)\}/g, ':$1');
      expect(t.app.hasRoute({ method: method as 'GET', url }), `${method} ${path}`).toBe(true);
    }
    // Only the document itself is left out of itself.
    expect(documented).not.toContain('GET /api/v1/openapi.json');
  });

  it('describes each operation with a summary and RFC 7807 errors', () => {
    expect(doc.components.schemas.Problem).toBeDefined();
    expect(doc.components.schemas.Problem?.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'instance']));
    for (const { method, path, op } of operations()) {
      const label = `${method} ${path}`;
      expect(op.summary?.length ?? 0, label).toBeGreaterThan(5);
      const errors = Object.entries(op.responses).filter(([status]) => Number(status) >= 400);
      expect(errors.map(([s]) => s), label).toEqual(expect.arrayContaining(['429', '500']));
      if (op.requestBody) expect(errors.map(([s]) => s), label).toEqual(expect.arrayContaining(['400', '413', '415']));
      for (const [status, response] of errors) {
        // Declared exactly as sent: RFC 7807 problem documents.
        expect(Object.keys(response.content ?? {}), `${label} ${status}`).toEqual(['application/problem+json']);
        const schemas = Object.values(response.content ?? {}).map((c) => c.schema);
        for (const schema of schemas) expect(schema.$ref, `${label} ${status}`).toBe('#/components/schemas/Problem');
      }
      // Path parameters are documented.
      const params = path.match(/\{\w+\}/g) ?? [];
      expect(op.parameters?.filter((p) => p.in === 'path').map((p) => `{${p.name}}`) ?? [], label).toEqual(params);
    }
  });

  it('serves the interactive docs as HTML', async () => {
    let res = await t.app.inject('/api/docs');
    if (res.statusCode >= 300 && res.statusCode < 400) res = await t.app.inject(String(res.headers.location).replace(/^(?!\/)/, '/api/docs/'));
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['content-type'])).toContain('text/html');
    expect(res.body).toMatch(/swagger/i);
  });
});

// ---------------------------------------------------------------------------------------------
// Schema-driven fuzz: every operation with a JSON body gets bodies that break its schema.

interface Case {
  label: string;
  payload: string | Buffer;
  contentType: string;
}

const MB_STRING = 'x'.repeat(1_048_576);
const DEEP = `${'['.repeat(200)}${']'.repeat(200)}`;

function resolve(schema: JsonSchema): JsonSchema {
  if (schema.$ref) return resolve(doc.components.schemas[schema.$ref.split('/').pop() ?? ''] ?? {});
  return schema;
}

/** The JSON types a schema accepts ('integer' counted apart from 'number'). */
function acceptedTypes(schema: JsonSchema): Set<string> {
  const s = resolve(schema);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return new Set(alternatives.flatMap((a) => [...acceptedTypes(a)]));
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : ['string', 'number', 'integer', 'boolean', 'null', 'array', 'object'];
  if (types.includes('number')) types.push('integer');
  return new Set(types);
}

const wrongByType: [string, string][] = [
  ['string', '"text"'],
  ['integer', '7'],
  ['number', '12.5'],
  ['boolean', 'true'],
  ['null', 'null'],
  ['array', '["a",1]'],
  ['object', '{"k":"v"}'],
];

/** Raw JSON values that the property `schema` must refuse. */
function badValues(schema: JsonSchema): [string, string][] {
  const s = resolve(schema);
  const accepted = acceptedTypes(s);
  const out: [string, string][] = wrongByType.filter(([type]) => !accepted.has(type)).map(([type, raw]) => [`wrong type ${type}`, raw]);
  const variants = (s.anyOf ?? s.oneOf ?? [s]).map(resolve);
  for (const v of variants) {
    if (v.type === 'string') {
      if (v.maxLength !== undefined) out.push(['one char too long', JSON.stringify('x'.repeat(v.maxLength + 1))]);
      out.push(['1 MB string', JSON.stringify(MB_STRING)]);
      out.push(['NUL character', '"a\\u0000b"']);
      if (v.enum || v.pattern || v.format) out.push(['not the format', '"!!! not valid !!!"']);
    }
    if (v.type === 'integer' || v.type === 'number') {
      out.push(['1e309', '1e309'], ['-1e309', '-1e309'], ['numeric string', '"5"']);
      if (v.type === 'integer') out.push(['fraction', '1.5']);
      if (v.minimum !== undefined) out.push(['below minimum', String(v.minimum - 1)]);
      if (v.maximum !== undefined) out.push(['above maximum', String(v.maximum + 1)]);
    }
    if (v.type === 'boolean') out.push(['string boolean', '"true"']);
    if (v.type === 'array') {
      if (v.minItems) out.push(['empty array', '[]']);
      out.push(['deeply nested arrays', DEEP]);
      const items = v.items ? resolve(v.items) : null;
      if (items && !acceptedTypes(items).has('object')) out.push(['object as item', '[{"a":1}]']);
    }
  }
  return out;
}

/** A minimal valid body: just the required properties. */
function validBase(schema: JsonSchema, n: number): Record<string, unknown> {
  const s = resolve(schema);
  const base: Record<string, unknown> = {};
  for (const key of s.required ?? []) {
    const p = resolve(s.properties?.[key] ?? {});
    if (p.format === 'email') base[key] = `fuzz-${n}@example.com`;
    else if (p.enum) base[key] = p.enum[0];
    else if (p.type === 'integer' || p.type === 'number') base[key] = p.minimum ?? 1;
    else if (p.type === 'boolean') base[key] = false;
    else base[key] = 'x';
  }
  return base;
}

/** `base` with `raw` (JSON text) placed at `path`, written by hand so 1e309 and friends survive. */
function withValue(base: Record<string, unknown>, path: string[], raw: string): string {
  const [head, ...rest] = path as [string, ...string[]];
  const entries = Object.entries(base).filter(([k]) => k !== head).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  const value = rest.length ? withValue({}, rest, raw) : raw;
  return `{${[...entries, `${JSON.stringify(head)}:${value}`].join(',')}}`;
}

function fuzzCases(schema: JsonSchema): Case[] {
  const json = 'application/json';
  const base = validBase(schema, Math.floor(Math.random() * 1e9));
  const cases: Case[] = [];
  const walk = (s: JsonSchema, path: string[]) => {
    const r = resolve(s);
    for (const [name, prop] of Object.entries(r.properties ?? {})) {
      for (const [what, raw] of badValues(prop)) cases.push({ label: `${[...path, name].join('.')}: ${what}`, payload: withValue(base, [...path, name], raw), contentType: json });
      const p = resolve(prop);
      if (p.properties && path.length < 2) walk(p, [...path, name]);
    }
  };
  walk(schema, []);
  const s = resolve(schema);
  for (const key of s.required ?? []) {
    const { [key]: _dropped, ...rest } = base;
    cases.push({ label: `missing ${key}`, payload: JSON.stringify(rest), contentType: json });
  }
  cases.push(
    { label: 'unknown property', payload: withValue(base, ['zz_unknown'], '1'), contentType: json },
    { label: 'organization_id smuggled in', payload: withValue(base, ['organization_id'], '"00000000-0000-4000-8000-000000000000"'), contentType: json },
    { label: '__proto__', payload: '{"__proto__":{}}', contentType: json },
    { label: '__proto__ with base', payload: withValue(base, ['__proto__'], '{"isAdmin":true}'), contentType: json },
    { label: 'constructor.prototype', payload: '{"constructor":{"prototype":{"isAdmin":true}}}', contentType: json },
    { label: 'array instead of object', payload: '[]', contentType: json },
    { label: 'array of the body', payload: `[${JSON.stringify(base)}]`, contentType: json },
    { label: 'null body', payload: 'null', contentType: json },
    { label: 'string body', payload: '"hello"', contentType: json },
    { label: 'number body', payload: '1e309', contentType: json },
    { label: 'empty body', payload: '', contentType: json },
    { label: 'whitespace body', payload: '   ', contentType: json },
    { label: 'truncated JSON', payload: '{"a":', contentType: json },
    { label: 'trailing garbage', payload: `${JSON.stringify(base)}xyz`, contentType: json },
    { label: 'invalid UTF-8', payload: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), contentType: json },
    { label: 'deeply nested arrays', payload: withValue(base, ['zz_deep'], DEEP), contentType: json },
    { label: 'deeply nested objects', payload: `${'{"a":'.repeat(100)}1${'}'.repeat(100)}`, contentType: json },
    { label: 'NUL in a key', payload: withValue(base, ['a\u0000b'], '1'), contentType: json },
    { label: '1 MB unknown string', payload: withValue(base, ['zz_big'], JSON.stringify(MB_STRING)), contentType: json },
    { label: 'text/plain', payload: JSON.stringify(base), contentType: 'text/plain' },
    { label: 'form-urlencoded', payload: 'email=a%40b.c&role=admin', contentType: 'application/x-www-form-urlencoded' },
    { label: 'xml', payload: '<a/>', contentType: 'application/xml' },
    { label: 'multipart', payload: '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--b--\r\n', contentType: 'multipart/form-data; boundary=b' },
  );
  return cases;
}

describe('schema-driven fuzz of JSON bodies', () => {
  let org: TestOrganization;
  beforeAll(async () => {
    org = await createOrganization(t.services);
  });

  async function state() {
    const a = org.users.admin.auth;
    return {
      organization: (await t.app.inject({ url: '/api/v1/organization', headers: a })).json() as unknown,
      members: (await t.app.inject({ url: '/api/v1/members?limit=100', headers: a })).json() as unknown,
      invitations: (await t.app.inject({ url: '/api/v1/admin/invitations?limit=100', headers: a })).json() as unknown,
    };
  }

  it('answers every broken body with a 4xx problem document, never 5xx, and changes nothing', async () => {
    const before = await state();
    const targets = operations().filter((o) => o.op.requestBody?.content['application/json']);
    // Every operation with a JSON body is fuzzed, public sign-in routes included.
    expect(targets.map((o) => `${o.method} ${o.path}`)).toEqual(expect.arrayContaining(['PATCH /api/v1/members/{id}', 'PATCH /api/v1/organization', 'POST /api/v1/admin/users', 'POST /api/v1/auth/login', 'POST /api/v1/organizations']));
    let client = 0;
    const statuses = new Map<number, number>();
    for (const { method, path, op } of targets) {
      const schema = op.requestBody?.content['application/json']?.schema ?? {};
      const url = path.replace('{id}', org.users.artist.membershipId);
      const cases = fuzzCases(schema);
      expect(cases.length, path).toBeGreaterThanOrEqual(30);
      for (const c of cases) {
        // A fresh client address per case, so sign-in rate limits do not answer in place of validation.
        client++;
        const res = await t.app.inject({
          method: method as 'POST',
          url,
          remoteAddress: `10.77.${Math.floor(client / 250) % 250}.${(client % 250) + 1}`,
          headers: { ...org.users.admin.auth, 'content-type': c.contentType },
          payload: c.payload,
        });
        const label = `${method} ${path} — ${c.label}`;
        expect(res.statusCode, `${label}: ${res.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, label).toBeLessThan(500);
        const body = expectProblem(res, res.statusCode);
        expect(body.instance, label).toBe(url);
        expect(typeof body.request_id, label).toBe('string');
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      }
    }
    // The fuzz reached more than one kind of refusal (validation, size, media type).
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([400, 413, 415]));
    expect(await state()).toEqual(before);
  }, 300_000);
});
