/**
 * The session outside React: the access token (in memory only — never localStorage, so a script
 * injected into the page cannot lift a long-lived credential from storage) and the one refresh
 * that may be under way.
 *
 * The refresh token lives in an HttpOnly cookie the page never sees, and each one works once: a
 * second use of the same token makes the server revoke the whole session. So refreshes are
 * strictly one at a time — one shared promise inside this tab, and a Web Lock across tabs (the
 * next tab waits, then sends the cookie the first one received).
 */
import { api, ApiError } from '../api.js';
import type { Tokens } from './types.js';

let current: { value: string; expiresAt: number } | null = null;
let inflight: Promise<Tokens | null> | null = null;

const LOCK_NAME = 'big-live-portal:refresh';

export function accessToken(): string | null {
  return current?.value ?? null;
}

/** Milliseconds since the epoch at which the access token stops working; null when signed out. */
export function accessTokenExpiresAt(): number | null {
  return current?.expiresAt ?? null;
}

export function setTokens(tokens: Tokens | null) {
  current = tokens ? { value: tokens.access_token, expiresAt: Date.now() + tokens.expires_in * 1000 } : null;
}

/** A new access token for the same session (two-factor was just turned on); the refresh cookie stays. */
export function replaceAccessToken(value: string, expiresIn: number) {
  current = { value, expiresAt: Date.now() + expiresIn * 1000 };
}

function withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
  if (typeof navigator !== 'undefined' && navigator.locks?.request) {
    return navigator.locks.request(LOCK_NAME, { mode: 'exclusive' }, fn);
  }
  return fn();
}

/**
 * New tokens from the refresh cookie. Resolves null when the session is over (no cookie, expired,
 * revoked); rejects only when the server could not be reached or failed, which is worth retrying.
 */
export function refreshTokens(): Promise<Tokens | null> {
  inflight ??= withRefreshLock(async () => {
    try {
      return await api<Tokens>('/api/v1/auth/refresh', { method: 'POST', json: { use_cookie: true }, auth: false });
    } catch (err) {
      if (err instanceof ApiError && err.status >= 400 && err.status < 500) return null;
      throw err;
    }
  })
    .then((tokens) => {
      setTokens(tokens);
      return tokens;
    })
    .finally(() => {
      inflight = null;
    });
  return inflight;
}

/**
 * Whether this browser may hold a refresh cookie: a plain flag (no credential) in localStorage,
 * set at sign-in and cleared at sign-out, so a visitor who never signed in does not start every
 * visit with a refresh that can only fail (a 401 in the console and the server log).
 */
const HINT_KEY = 'big-live-portal:signed-in';

export function mayHaveSession(): boolean {
  try {
    return localStorage.getItem(HINT_KEY) === '1';
  } catch {
    return true; // storage blocked: just try
  }
}

export function rememberSessionHint(signedIn: boolean) {
  try {
    if (signedIn) localStorage.setItem(HINT_KEY, '1');
    else localStorage.removeItem(HINT_KEY);
  } catch {
    // storage blocked: the start-up refresh is simply always tried
  }
}

/** Messages between the tabs of one browser, so they agree about who is signed in. */
export type TabMessage =
  | { type: 'signed-in' }
  | { type: 'signed-out' }
  | { type: 'switched'; organization_id: string }
  | { type: 'activity' };

const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel('big-live-portal:auth') : null;

export function tellOtherTabs(message: TabMessage) {
  channel?.postMessage(message);
}

export function listenToOtherTabs(handler: (message: TabMessage) => void): () => void {
  if (!channel) return () => undefined;
  const listener = (event: MessageEvent<TabMessage>) => handler(event.data);
  channel.addEventListener('message', listener);
  return () => channel.removeEventListener('message', listener);
}

/** A same-site path to return to after sign-in; anything else (other sites, `//host`) becomes `/`. */
export function safeNext(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  return value;
}
