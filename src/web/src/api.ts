/**
 * The one way screens talk to the API: same-origin JSON over fetch. Any answer other than 2xx
 * becomes an `ApiError` carrying the server's RFC 7807 problem document when there is one, so
 * screens can show `error.message` (the problem's `detail`) without parsing anything themselves.
 */

/** RFC 7807 problem document as the portal's API sends it (see src/server/http/problem.ts). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  request_id?: string;
  errors?: { field?: string; message: string; code?: string }[];
  /** Seconds to wait, on 429 answers. */
  retry_after?: number;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    /** HTTP status, or 0 when the server could not be reached. */
    readonly status: number,
    message: string,
    readonly problem?: Problem,
  ) {
    super(message);
  }
}

function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.title === 'string' && typeof v.status === 'number';
}

export interface RequestOptions extends Omit<RequestInit, 'body'> {
  /** Sent as JSON with `content-type: application/json`. */
  json?: unknown;
  /**
   * Attach the signed-in person's access token (default). `false` for the public auth calls
   * (sign-in, refresh, reset…), which must never trigger the refresh-and-retry below.
   */
  auth?: boolean;
}

/**
 * How `api()` reaches the session without importing React: the AuthProvider plugs these in.
 * `refresh` shares one in-flight refresh among every caller (see auth/session.ts).
 */
export interface AuthBridge {
  accessToken(): string | null;
  /** A fresh access token, or null when the session is over (the provider then signs out). */
  refresh(): Promise<string | null>;
}

let bridge: AuthBridge | null = null;
export function connectAuth(next: AuthBridge | null) {
  bridge = next;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { auth = true, ...rest } = options;
  const token = auth ? bridge?.accessToken() ?? null : null;
  try {
    return await send<T>(path, rest, token);
  } catch (err) {
    // An access token that expired (or was revoked) under us: refresh once and try again.
    // (A wrong password, `invalid_credentials`, is a 401 too, but no refresh will fix that.)
    if (!(err instanceof ApiError) || err.status !== 401 || err.problem?.type === 'invalid_credentials') throw err;
    if (!auth || !token || !bridge) throw err;
    const fresh = await bridge.refresh();
    if (!fresh) throw err;
    return send<T>(path, rest, fresh);
  }
}

async function send<T>(path: string, options: Omit<RequestOptions, 'auth'>, token: string | null): Promise<T> {
  const { json, headers, ...init } = options;
  const requestHeaders = new Headers(headers);
  requestHeaders.set('accept', 'application/json, application/problem+json');
  if (json !== undefined) requestHeaders.set('content-type', 'application/json');
  if (token) requestHeaders.set('authorization', `Bearer ${token}`);

  let response: Response;
  try {
    response = await fetch(path, {
      credentials: 'same-origin',
      ...init,
      headers: requestHeaders,
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'The server could not be reached. Check your connection and try again.');
  }

  const type = response.headers.get('content-type') ?? '';
  const isJson = /\bjson\b/i.test(type);
  const body: unknown = isJson && response.status !== 204 ? await response.json().catch(() => undefined) : undefined;

  if (!response.ok) {
    if (isProblem(body)) throw new ApiError(response.status, body.detail || body.title, body);
    throw new ApiError(response.status, `Request failed with status ${response.status}${response.statusText ? ` (${response.statusText})` : ''}`);
  }
  return body as T;
}

export const apiGet = <T>(path: string, init?: RequestOptions) => api<T>(path, { ...init, method: 'GET' });
export const apiPost = <T>(path: string, json?: unknown, init?: RequestOptions) =>
  api<T>(path, { ...init, method: 'POST', json: json ?? {} });

/**
 * Field messages of a problem, keyed by the field path without its `body.`/`query.` prefix:
 * `body.admin.email` → `admin.email`. Several messages for one field are joined.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError)) return out;
  for (const e of error.problem?.errors ?? []) {
    if (!e.field) continue;
    const key = e.field.replace(/^(body|query|params|header)\./, '');
    out[key] = out[key] ? `${out[key]} ${e.message}` : e.message;
  }
  return out;
}

/** GET /api/v1/health */
export interface Health {
  status: 'ok';
  uptime_seconds: number;
}

/** GET /api/v1/ready */
export interface Readiness {
  status: 'ready';
  database: 'pglite' | 'postgres';
}
