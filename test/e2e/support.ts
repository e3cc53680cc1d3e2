import fs from 'node:fs';
import path from 'node:path';
import { expect, type APIRequestContext, type BrowserContext, type Page } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';

/** Same values as playwright.config.ts. */
const PORT = Number(process.env.E2E_PORT ?? 3199);
export const BASE_URL = `http://localhost:${PORT}`;
/** The second portal, signing through DocuSign (playwright.config.ts). */
export const DOCUSIGN_BASE_URL = `http://localhost:${PORT + 2}`;
export const OUTBOX_DIR = path.resolve(PORT === 3199 ? 'data/e2e/outbox' : `data/e2e-${PORT}/outbox`);

/** A suffix that keeps e-mails and addresses unique when a run is retried on the same database. */
export const runId = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;

/** Collects console errors, uncaught exceptions and failed same-origin requests for the whole test. */
export function watchForProblems(page: Page, { allowStatus = [] as number[] } = {}) {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // Chromium logs every 4xx answer to fetch; the expected ones are not problems.
    const status = /status of (\d{3})/.exec(msg.text())?.[1];
    if (status && allowStatus.includes(Number(status))) return;
    problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    // A navigation away cancels requests still in flight; that is not a problem of the page.
    if (req.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400 && !allowStatus.includes(res.status())) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return problems;
}

export async function expectNoAxeViolations(page: Page) {
  // Contrast measured mid-fade is not the contrast a person sees: let transitions settle first.
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** Nothing is wider than the screen (no sideways scrolling on phones). */
export async function expectFitsScreen(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

export interface SignedInAnswer {
  user: { id: string; email: string; first_name: string; last_name: string };
  organization: { organization_id: string; name: string; slug: string; role: string };
  role: string;
  tokens: { access_token: string; refresh_token?: string };
}

/**
 * A setup call through the API that waits out the per-address limits (sign-up 5/min, registration
 * 10/min) which the spec files share, instead of failing the journey that happens to come last.
 */
export async function postPatiently(request: APIRequestContext, url: string, options: Parameters<APIRequestContext['post']>[1]) {
  for (let attempt = 0; ; attempt++) {
    const res = await request.post(url, options);
    if (res.status() !== 429 || attempt >= 2) return res;
    const wait = Number(res.headers()['retry-after'] ?? 30);
    await new Promise((r) => setTimeout(r, (Number.isFinite(wait) ? wait + 1 : 31) * 1000));
  }
}

/** Signs up an organization through the API (one of the 5 sign-ups per minute per address). */
export async function signUpOrganization(request: APIRequestContext, who: { name: string; slug: string; email: string; password: string; first_name: string; last_name: string }, base = BASE_URL) {
  const res = await postPatiently(request, `${base}/api/v1/organizations`, {
    data: { name: who.name, slug: who.slug, admin: { email: who.email, password: who.password, first_name: who.first_name, last_name: who.last_name } },
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as SignedInAnswer;
}

/** Invites someone through the API and answers the accept link. */
export async function invite(request: APIRequestContext, accessToken: string, email: string, role = 'artist', base = BASE_URL) {
  const res = await postPatiently(request, `${base}/api/v1/admin/users`, { data: { email, role }, headers: { authorization: `Bearer ${accessToken}` } });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { accept_url: string }).accept_url;
}

/**
 * Fresh browser sessions for one account without signing in again (sign-in is limited to five a
 * minute per address): switching to the same organization starts a new session with its own
 * refresh token and ends the previous one — which belonged to the previous, finished test.
 */
export function sessionFactory(request: APIRequestContext, first: SignedInAnswer) {
  let accessToken = first.tokens.access_token;
  const organizationId = first.organization.organization_id;
  return async function signIn(context: BrowserContext) {
    const res = await request.post(`${BASE_URL}/api/v1/auth/switch-organization`, {
      data: { organization_id: organizationId },
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(res.status(), await res.text()).toBe(200);
    const answer = (await res.json()) as SignedInAnswer;
    accessToken = answer.tokens.access_token;
    await useSession(context, answer);
  };
}

/** Hands a session answered by the API (with its refresh token in the body) to a browser context. */
export async function useSession(context: BrowserContext, answer: SignedInAnswer) {
  await context.addCookies([
    { name: 'bl_refresh', value: answer.tokens.refresh_token!, domain: 'localhost', path: '/api/v1/auth', httpOnly: true, secure: true, sameSite: 'Strict' },
  ]);
  // The app's "may have a session" hint (not a credential), as a real sign-in leaves it.
  await context.addInitScript(() => localStorage.setItem('big-live-portal:signed-in', '1'));
}

/** Joins through an invitation link with the API (as the web app would, but with the refresh token in the body). */
export async function registerFromInvitation(request: APIRequestContext, acceptUrl: string, who: { password: string; first_name: string; last_name: string }, base = BASE_URL) {
  const token = new URL(acceptUrl).searchParams.get('token');
  const res = await postPatiently(request, `${base}/api/v1/auth/register`, {
    data: { invitation_token: token, password: who.password, first_name: who.first_name, last_name: who.last_name },
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as SignedInAnswer;
}

/** The newest e-mail in the outbox to `to` whose text matches `pattern`; waits for it to be written. */
export async function newestMail(to: string, pattern: RegExp, timeoutMs = 10_000): Promise<{ subject: string; text: string; match: RegExpMatchArray }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const files = fs.existsSync(OUTBOX_DIR) ? fs.readdirSync(OUTBOX_DIR).filter((f) => f.endsWith('.json')) : [];
    const mails = files
      .map((f) => ({ file: f, mtime: fs.statSync(path.join(OUTBOX_DIR, f)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime || b.file.localeCompare(a.file))
      .map(({ file }) => JSON.parse(fs.readFileSync(path.join(OUTBOX_DIR, file), 'utf8')) as { to: string; subject: string; text: string });
    for (const mail of mails) {
      const match = mail.to === to ? mail.text.match(pattern) : null;
      if (match) return { subject: mail.subject, text: mail.text, match };
    }
    if (Date.now() > deadline) throw new Error(`No e-mail to ${to} matching ${pattern} in ${OUTBOX_DIR}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** With SCREENSHOTS=1: full-page screenshots of the current screen at 375px and 1280px in /tmp/shots (or SCREENSHOTS_DIR). */
export async function snap(page: Page, name: string) {
  if (!process.env.SCREENSHOTS) return;
  const dir = process.env.SCREENSHOTS_DIR ?? '/tmp/shots';
  const original = page.viewportSize();
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 800 });
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(dir, `${name}-${width}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}
