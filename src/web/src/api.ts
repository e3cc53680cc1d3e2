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
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { json, headers, ...init } = options;
  const requestHeaders = new Headers(headers);
  requestHeaders.set('accept', 'application/json, application/problem+json');
  if (json !== undefined) requestHeaders.set('content-type', 'application/json');

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
