import type { FastifyReply } from 'fastify';
import type { Config } from '../../config.js';
import type { IssuedTokens } from './sessions.js';

export const REFRESH_COOKIE = 'bl_refresh';
export const REFRESH_COOKIE_PATH = '/api/v1/auth';

/**
 * Hands the refresh token to the web app as an HttpOnly cookie, sent only to the auth endpoints.
 * A remember-me session keeps its persistent cookie through every rotation; otherwise the
 * cookie ends with the browser.
 */
export function setRefreshCookie(reply: FastifyReply, config: Config, tokens: IssuedTokens, rememberMe = false): void {
  void reply.setCookie(REFRESH_COOKIE, tokens.refresh_token, {
    httpOnly: true, secure: config.COOKIE_SECURE, sameSite: 'strict', path: REFRESH_COOKIE_PATH,
    ...(rememberMe || tokens.remember_me ? { expires: new Date(tokens.refresh_expires_at) } : {}),
  });
}

export function clearRefreshCookie(reply: FastifyReply): void {
  void reply.clearCookie(REFRESH_COOKIE, { path: REFRESH_COOKIE_PATH });
}
