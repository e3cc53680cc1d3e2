import { expect } from 'vitest';

/** What `inject()` answers, reduced to what the API tests look at. */
export interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
  json(): unknown;
}

/** Asserts an RFC 7807 problem with the given status and type and returns its body. */
export function expectProblem(res: Answer, status: number, type?: string): Record<string, unknown> {
  expect(res.statusCode, res.body.slice(0, 500)).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = res.json() as Record<string, unknown>;
  expect(body.status).toBe(status);
  if (type) expect(body.type).toBe(type);
  for (const field of ['type', 'title', 'detail', 'instance'] as const) expect(typeof body[field]).toBe('string');
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|SELECT |INSERT |"stack"/i);
  return body;
}

/** The parts of a problem that must not depend on why a resource is missing. */
export function problemShape(res: Answer) {
  const body = res.json() as Record<string, unknown>;
  return { status: res.statusCode, type: body.type, title: body.title, detail: body.detail, errors: body.errors };
}

export function unique(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}
