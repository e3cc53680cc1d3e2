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

/** A cursor-paginated list answer (see src/server/http/pagination.ts). */
export interface Paged<T> {
  data: T[];
  pagination: { next_cursor: string | null; has_more: boolean };
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
  /** The organization requires two-factor for this role and the person has not set it up yet. */
  enrolmentRequired(): void;
}

let bridge: AuthBridge | null = null;
export function connectAuth(next: AuthBridge | null) {
  bridge = next;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return withSession(options, (init, token) => send<T>(path, init, token));
}

/**
 * A file from the API (an export, say) as a blob with the name the server gave it in
 * Content-Disposition; the same session handling as `api()`.
 */
export async function apiDownload(path: string, options: RequestOptions = {}): Promise<{ blob: Blob; filename: string | null }> {
  return withSession(options, async (init, token) => {
    const headers = new Headers(init.headers);
    headers.set('accept', '*/*');
    const response = await request(path, { ...init, headers }, token);
    if (!response.ok) await failed(response);
    return { blob: await response.blob(), filename: filenameOf(response.headers.get('content-disposition')) };
  });
}

/** `attachment; filename="x.zip"` (or RFC 5987 `filename*=UTF-8''x.zip`) → `x.zip`; null without one. */
export function filenameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition)?.[1];
  if (extended) {
    try {
      return decodeURIComponent(extended.trim());
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/.exec(disposition);
  const name = (plain?.[1] ?? plain?.[2])?.trim();
  // Only a base name: the browser would strip a path anyway, but never pass one on.
  return name ? name.replace(/^.*[\\/]/, '') || null : null;
}

/** Attaches the token, refreshes once after a 401 and reports the enrolment restriction. */
async function withSession<T>(options: RequestOptions, call: (init: Omit<RequestOptions, 'auth'>, token: string | null) => Promise<T>): Promise<T> {
  const { auth = true, ...rest } = options;
  const token = auth ? bridge?.accessToken() ?? null : null;
  try {
    return await call(rest, token);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    // The organization requires two-factor for this role: the app sends the person to enrolment.
    if (err.status === 403 && err.problem?.type === 'mfa_enrolment_required') {
      bridge?.enrolmentRequired();
      throw err;
    }
    // An access token that expired (or was revoked) under us: refresh once and try again.
    // (A wrong password or code, `invalid_credentials`, is a 401 too, but no refresh will fix that.)
    if (err.status !== 401 || err.problem?.type === 'invalid_credentials') throw err;
    if (!auth || !token || !bridge) throw err;
    const fresh = await bridge.refresh();
    if (!fresh) throw err;
    return call(rest, fresh);
  }
}

async function request(path: string, options: Omit<RequestOptions, 'auth'>, token: string | null): Promise<Response> {
  const { json, headers, ...init } = options;
  const requestHeaders = new Headers(headers);
  if (!requestHeaders.has('accept')) requestHeaders.set('accept', 'application/json, application/problem+json');
  if (json !== undefined) requestHeaders.set('content-type', 'application/json');
  if (token) requestHeaders.set('authorization', `Bearer ${token}`);
  try {
    return await fetch(path, {
      credentials: 'same-origin',
      ...init,
      headers: requestHeaders,
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'The server could not be reached. Check your connection and try again.');
  }
}

/** Throws the `ApiError` for an answer that is not 2xx. */
async function failed(response: Response): Promise<never> {
  const isJson = /\bjson\b/i.test(response.headers.get('content-type') ?? '');
  const body: unknown = isJson ? await response.json().catch(() => undefined) : undefined;
  if (isProblem(body)) throw new ApiError(response.status, body.detail || body.title, body);
  throw new ApiError(response.status, `Request failed with status ${response.status}${response.statusText ? ` (${response.statusText})` : ''}`);
}

async function send<T>(path: string, options: Omit<RequestOptions, 'auth'>, token: string | null): Promise<T> {
  const response = await request(path, options, token);
  if (!response.ok) return failed(response);
  const isJson = /\bjson\b/i.test(response.headers.get('content-type') ?? '');
  const body: unknown = isJson && response.status !== 204 ? await response.json().catch(() => undefined) : undefined;
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

/** How far an upload has come: bytes sent of the request body. */
export interface UploadProgress {
  loaded: number;
  total: number;
  /** 0–100 once the size is known, else null. */
  percent: number | null;
}

/**
 * A multipart upload (`FormData`) that reports its progress: fetch cannot tell how much of a
 * request body has been sent, XMLHttpRequest can. The same session handling as `api()`: the
 * access token is attached and, after a 401 on an expired token, refreshed once and the upload
 * sent again. Answers like `api()`, with `ApiError` carrying the problem document.
 */
export function apiUpload<T>(
  path: string,
  body: FormData,
  { onProgress, signal, headers }: { onProgress?: (progress: UploadProgress) => void; signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<T> {
  return withSession({}, (_init, token) => sendWithProgress<T>(path, body, token, onProgress, signal, headers));
}

function sendWithProgress<T>(
  path: string,
  body: FormData,
  token: string | null,
  onProgress: ((progress: UploadProgress) => void) | undefined,
  signal: AbortSignal | undefined,
  headers: Record<string, string> | undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException('The upload was cancelled', 'AbortError'));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = false;
    xhr.setRequestHeader('accept', 'application/json, application/problem+json');
    for (const [name, value] of Object.entries(headers ?? {})) xhr.setRequestHeader(name, value);
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (event) => {
      onProgress?.({ loaded: event.loaded, total: event.total, percent: event.lengthComputable && event.total > 0 ? Math.round((event.loaded / event.total) * 100) : null });
    };
    const abort = () => xhr.abort();
    signal?.addEventListener('abort', abort, { once: true });
    const done = () => signal?.removeEventListener('abort', abort);
    xhr.onabort = () => {
      done();
      reject(new DOMException('The upload was cancelled', 'AbortError'));
    };
    xhr.onerror = () => {
      done();
      reject(new ApiError(0, 'The server could not be reached. Check your connection and try again.'));
    };
    xhr.onload = () => {
      done();
      const isJson = /\bjson\b/i.test(xhr.getResponseHeader('content-type') ?? '');
      let parsed: unknown;
      if (isJson && xhr.responseText) {
        try {
          parsed = JSON.parse(xhr.responseText);
        } catch {
          parsed = undefined;
        }
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(parsed as T);
        return;
      }
      if (isProblem(parsed)) reject(new ApiError(xhr.status, parsed.detail || parsed.title, parsed));
      else reject(new ApiError(xhr.status, `Request failed with status ${xhr.status}${xhr.statusText ? ` (${xhr.statusText})` : ''}`));
    };
    xhr.send(body);
  });
}

/** A 15-minute signed link to a file (contract documents, signed copies, event attachments). */
export interface DownloadLink {
  url: string;
  expires_at: string;
  version?: number;
}

/**
 * Saves the file behind a same-origin signed link: an `<a download>` click, so the browser keeps
 * the server's file name and treats it as a download even where a PDF would open inline.
 */
export function saveLink(url: string) {
  const link = document.createElement('a');
  link.href = url;
  link.download = '';
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}
