import { expect, test, type Page } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';
import { expectFitsScreen, runId, sessionFactory, signUpOrganization, watchForProblems } from './support.js';

/**
 * Smoke test of the web shell on the real server: it loads under the production CSP without a
 * single console error, shows live system status, and every navigation destination works on a
 * phone (bottom bar) and on a desktop (side drawer). Signed in as an organization's administrator
 * (who sees every section); the signed-out shell is the sign-in page.
 */

/** The sections of the main navigation; those still being built say "Coming soon". */
const SECTIONS = [
  { label: 'Contracts', path: '/contracts', mentions: /upload contract/i, comingSoon: false },
  { label: 'Expenses', path: '/expenses', mentions: /photograph a receipt/i, comingSoon: false },
  { label: 'Schedule', path: '/schedule', mentions: /subscribe/i, comingSoon: false },
  { label: 'Admin', path: '/admin', mentions: /audit/i, comingSoon: true },
] as const;

const VIEWPORTS = [
  { name: 'phone', width: 375, height: 812 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

/** One sign-up for the whole file; every test then gets its own fresh session (see support.ts). */
let signIn: Awaited<ReturnType<typeof sessionFactory>>;
test.beforeAll(async ({ playwright }) => {
  const request = await playwright.request.newContext();
  const id = runId();
  const admin = await signUpOrganization(request, {
    name: `Shell Players ${id}`, slug: `shell-${id}`, email: `shell.${id}@example.com`, password: 'Granite-Lighthouse-Fern-64', first_name: 'Sam', last_name: 'Shell',
  });
  signIn = sessionFactory(request, admin);
});

/** Waits until the signed-in app has replaced the start-up splash. */
async function signedInHome(page: Page) {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'BIG Live Portal' })).toBeVisible();
}

test.describe('signed out', () => {
  for (const viewport of VIEWPORTS) {
    test(`the app opens on the sign-in page without navigation (${viewport.name})`, async ({ page }) => {
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      const problems = watchForProblems(page);
      const response = await page.goto('/');
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      await expect(page).toHaveURL(/\/sign-in$/);
      await expect(page).toHaveTitle('Sign in · BIG Live Portal');
      await expect(page.locator('html')).toHaveAttribute('lang', 'en');
      await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
      await expect(page.getByRole('main')).toBeVisible();
      await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
      await expect(page.getByRole('link', { name: 'Forgot password?' })).toBeVisible();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);

      // A protected address brings you back after signing in.
      await page.goto('/schedule');
      await expect(page).toHaveURL(/\/sign-in\?next=%2Fschedule$/);
      expect(problems).toEqual([]);
    });
  }

  test('public pages fit a phone and have no accessibility violations', async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 812 });
    const problems = watchForProblems(page);
    for (const path of ['/sign-in', '/sign-up', '/forgot-password', '/reset-password?token=nope', '/accept-invitation', '/verify-email']) {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await expectFitsScreen(page);
      const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      expect(results.violations.map((v) => `${path} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    }
    expect(problems).toEqual([]);
  });
});

test.describe('signed in', () => {
  test.beforeEach(async ({ context }) => {
    await signIn(context);
  });

  for (const viewport of VIEWPORTS) {
    test.describe(`${viewport.name} (${viewport.width}px)`, () => {
      test.use({ viewport: { width: viewport.width, height: viewport.height } });

      test('home shows the shell and live system status', async ({ page }) => {
        const problems = watchForProblems(page);
        const response = await page.goto('/');
        expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

        await expect(page).toHaveTitle('BIG Live Portal');
        await expect(page.locator('html')).toHaveAttribute('lang', 'en');
        await expect(page.getByRole('banner')).toContainText('BIG Live Portal');
        await expect(page.getByRole('heading', { level: 1, name: 'BIG Live Portal' })).toBeVisible();
        await expect(page.getByRole('main')).toBeVisible();

        const status = page.getByRole('region', { name: 'System status' });
        await expect(status.getByRole('status')).toHaveText('All systems OK');
        await expect(status).toContainText(process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite (embedded)');
        await expect(status).toContainText('Ready');
        await expect(status).toContainText(/Up for \d+/);
        await expect(page.getByRole('link', { name: 'API documentation' }).first()).toHaveAttribute('href', '/api/docs');

        // Exactly one main navigation is visible: the bottom bar on phones, the drawer on desktops.
        const nav = page.getByRole('navigation', { name: 'Main' });
        await expect(nav).toHaveCount(1);
        const navBox = await nav.boundingBox();
        if (viewport.name === 'phone') expect(navBox!.y + navBox!.height).toBeCloseTo(viewport.height, 0);
        else expect(navBox!.x).toBeLessThan(10);
        await expect(nav.getByRole('link', { name: 'Home' })).toHaveAttribute('aria-current', 'page');

        // Nothing is wider than the screen.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);

        expect(problems).toEqual([]);
      });

      test('every section is reachable from the navigation', async ({ page }) => {
        const problems = watchForProblems(page);
        await page.goto('/');
        const nav = page.getByRole('navigation', { name: 'Main' });

        for (const section of SECTIONS) {
          await nav.getByRole('link', { name: section.label, exact: true }).click();
          await expect(page).toHaveURL(section.path);
          const heading = page.getByRole('heading', { level: 1, name: section.label });
          await expect(heading).toBeVisible();
          await expect(heading).toBeFocused();
          await expect(page).toHaveTitle(`${section.label} · BIG Live Portal`);
          if (section.comingSoon) await expect(page.getByRole('main')).toContainText('Coming soon');
          else await expect(page.getByRole('main')).not.toContainText('Coming soon');
          await expect(page.getByRole('main')).toContainText(section.mentions);
          await expect(nav.getByRole('link', { name: section.label, exact: true })).toHaveAttribute('aria-current', 'page');
          await expect(nav.getByRole('link', { name: 'Home', exact: true })).not.toHaveAttribute('aria-current', 'page');
        }

        await nav.getByRole('link', { name: 'Home', exact: true }).click();
        await expect(page).toHaveURL('/');
        await expect(page.getByRole('heading', { level: 1, name: 'BIG Live Portal' })).toBeVisible();

        expect(problems).toEqual([]);
      });

      test('a direct visit to a section and an unknown address both work', async ({ page }) => {
        const problems = watchForProblems(page);
        await page.goto('/schedule');
        await expect(page.getByRole('heading', { level: 1, name: 'Schedule' })).toBeVisible();

        const response = await page.goto('/no/such/page');
        expect(response?.status()).toBe(200); // the server hands client routes to the app
        await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
        await expect(page.getByRole('main')).toContainText('/no/such/page');
        await expect(page).toHaveTitle('Page not found · BIG Live Portal');
        await page.getByRole('link', { name: 'Go to home' }).click();
        await expect(page).toHaveURL('/');
        await expect(page.getByRole('heading', { level: 1, name: 'BIG Live Portal' })).toBeVisible();

        expect(problems).toEqual([]);
      });
    });
  }

  test('keyboard users can skip to the content', async ({ page }) => {
    await signedInHome(page);
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to main content' });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('main')).toBeFocused();
  });

  test('works on the narrowest supported phone (320px)', async ({ page }) => {
    await page.setViewportSize({ width: 320, height: 640 });
    await page.goto('/');
    await expect(page.getByRole('region', { name: 'System status' }).getByRole('status')).toHaveText('All systems OK');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // Every control is at least 44px tall.
    const small = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('a, button')]
        .filter((el) => el.offsetParent !== null && !el.textContent?.includes('Skip to main content'))
        .map((el) => ({ text: el.textContent?.trim(), height: el.getBoundingClientRect().height }))
        .filter((c) => c.height < 44),
    );
    expect(small).toEqual([]);
  });

  test('the web app manifest and icons are served', async ({ request }) => {
    const manifest = await request.get('/manifest.webmanifest');
    expect(manifest.ok()).toBe(true);
    const body = (await manifest.json()) as { name: string; display: string; icons: { src: string }[] };
    expect(body).toMatchObject({ name: 'BIG Live Portal', display: 'standalone' });
    for (const icon of body.icons) expect((await request.get(icon.src)).ok(), icon.src).toBe(true);
  });

  test('the status card reports a database that is not ready', async ({ page }) => {
    await page.route('**/api/v1/ready', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/problem+json; charset=utf-8',
        body: JSON.stringify({
          type: 'service_unavailable',
          title: 'Service unavailable',
          status: 503,
          detail: 'The database is not reachable',
          instance: '/api/v1/ready',
          request_id: 'test',
        }),
      }),
    );
    await page.goto('/');
    const status = page.getByRole('region', { name: 'System status' });
    // The query retries 5xx twice before it gives up.
    await expect(status.getByRole('status')).toHaveText('Needs attention', { timeout: 15_000 });
    await expect(status).toContainText('Not ready');
    await expect(status).toContainText('The database is not reachable');
    await expect(status).toContainText('Up for'); // the server itself is fine
  });

  test.describe('accessibility (axe, WCAG 2.1 A/AA)', () => {
    for (const vp of VIEWPORTS) {
      for (const path of ['/', '/contracts', '/does-not-exist']) {
        test(`${path} at ${vp.name} size has no violations`, async ({ page }) => {
          await page.setViewportSize({ width: vp.width, height: vp.height });
          await page.goto(path);
          await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
          const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
          expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
        });
      }
    }
  });
});
