import { expect, test } from '@playwright/test';
import { startIdentityProvider, type TestIdentityProvider } from '../helpers/oidc-provider.js';
import {
  BASE_URL, expectFitsScreen, expectNoAxeViolations, invite, registerFromInvitation, runId, sessionFactory, signUpOrganization, snap,
  watchForProblems, type SignedInAnswer,
} from './support.js';

/**
 * Notifications and single sign-on in the browser against the real server: a notification that
 * reaches an open screen without reload (bell, toast, list), reading it, notification settings
 * that persist, and an administrator who configures OpenID Connect and signs in through a real
 * identity provider (oidc-provider on loopback).
 */

let admin: SignedInAnswer;
let artist: SignedInAnswer;
let adminSession: ReturnType<typeof sessionFactory>;
let artistSession: ReturnType<typeof sessionFactory>;
const id = runId();
const slug = `notify-${id}`;

test.beforeAll(async ({ playwright }) => {
  const request = await playwright.request.newContext();
  admin = await signUpOrganization(request, {
    name: `Notice Theatre ${id}`, slug, email: `nora.${id}@example.com`, password: 'Lantern-Harbour-Quartz-63', first_name: 'Nora', last_name: 'Admin',
  });
  const acceptUrl = await invite(request, admin.tokens.access_token, `arlo.${id}@example.com`);
  artist = await registerFromInvitation(request, acceptUrl, { password: 'Velvet-Cello-Morning-28', first_name: 'Arlo', last_name: 'Artist' });
  adminSession = sessionFactory(request, admin);
  artistSession = sessionFactory(request, artist);
});

test('a notification reaches the open screen without reload, and reading it clears the badge', async ({ browser, request }) => {
  const context = await browser.newContext();
  await artistSession(context);
  const page = await context.newPage();
  const problems = watchForProblems(page);
  // The live connection is authenticated before the announcement is made.
  const live = page.waitForEvent('websocket').then((ws) => ws.waitForEvent('framereceived', { predicate: (f) => String(f.payload).includes('"ready"') }));
  await page.goto('/notifications');
  await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
  await expect(page.getByText('No notifications yet.')).toBeVisible();
  const bell = page.getByRole('link', { name: /^Notifications/ });
  await expect(bell).toHaveAccessibleName('Notifications');
  await expectNoAxeViolations(page);
  await snap(page, 'notifications-empty');
  await live;

  // The administrator's sign-up session is still the current one (its browser sessions start later).
  const res = await request.post(`${BASE_URL}/api/v1/admin/announcements`, {
    headers: { authorization: `Bearer ${admin.tokens.access_token}` },
    data: { subject: 'Costume fitting moved to 3 pm', body: 'Wardrobe is in room 2 today.', roles: ['artist'], priority: 'normal' },
  });
  expect(res.status(), await res.text()).toBe(201);

  await expect(bell).toHaveAccessibleName('Notifications, 1 unread');
  await expect(page.getByRole('alert').filter({ hasText: 'Costume fitting moved to 3 pm' })).toBeVisible();
  const item = page.getByRole('button', { name: 'Unread: Costume fitting moved to 3 pm' });
  await expect(item).toBeVisible();
  await expectFitsScreen(page);
  await snap(page, 'notifications-list');

  await item.click();
  await expect(bell).toHaveAccessibleName('Notifications');
  await page.goto('/notifications');
  await expect(page.getByRole('button', { name: 'Costume fitting moved to 3 pm', exact: true })).toBeVisible();
  expect(problems).toEqual([]);
  await context.close();
});

test('notification settings: choices per type, quiet hours and digest survive a reload', async ({ page, context }) => {
  await artistSession(context);
  const problems = watchForProblems(page);
  await page.goto('/account/notifications');
  await expect(page.getByRole('heading', { level: 1, name: 'Notification settings' })).toBeVisible();
  const announcementMail = page.getByRole('switch', { name: 'Announcements from your organization: e-mail' });
  await expect(announcementMail).toBeChecked();
  await expect(page.getByRole('switch', { name: 'Security of your account: e-mail' })).toBeDisabled();
  await expectNoAxeViolations(page);
  await snap(page, 'notification-settings');

  await announcementMail.click();
  await page.getByRole('switch', { name: /Quiet hours/ }).click();
  await page.getByLabel('From', { exact: true }).fill('23:00');
  await page.getByLabel('Until', { exact: true }).fill('06:30');
  await page.getByRole('switch', { name: /Daily digest/ }).click();
  await page.getByRole('button', { name: 'Save preferences' }).click();
  await expect(page.getByText('Preferences saved.')).toBeVisible();

  await page.reload();
  await expect(page.getByRole('switch', { name: 'Announcements from your organization: e-mail' })).not.toBeChecked();
  await expect(page.getByLabel('From', { exact: true })).toHaveValue('23:00');
  await expect(page.getByLabel('Until', { exact: true })).toHaveValue('06:30');
  await expect(page.getByRole('switch', { name: /Daily digest/ })).toBeChecked();
  await expectFitsScreen(page);
  expect(problems).toEqual([]);
});

test('an administrator sends an announcement and checks deliveries', async ({ page, context }) => {
  await adminSession(context);
  const problems = watchForProblems(page);
  await page.goto('/admin');
  await page.getByRole('link', { name: /Announcements and deliveries/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Announcements and deliveries' })).toBeVisible();
  await expect(page.getByText('Nothing failed. Every notification reached its recipients.')).toBeVisible();
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByText('Give the announcement a subject')).toBeVisible();
  await page.getByRole('textbox', { name: 'Subject' }).fill('Company meeting on Friday');
  await page.getByRole('textbox', { name: 'Message' }).fill('On stage at 5 pm, all welcome.');
  await page.getByRole('checkbox', { name: 'Artist' }).check();
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByText('Sent to 1 person.')).toBeVisible();
  await expectNoAxeViolations(page);
  await expectFitsScreen(page);
  await snap(page, 'admin-notifications');
  expect(problems).toEqual([]);
});

test.describe('single sign-on', () => {
  let idp: TestIdentityProvider;
  test.beforeAll(async () => {
    idp = await startIdentityProvider(`${BASE_URL}/api/v1/auth/sso/callback`);
  });
  test.afterAll(async () => idp?.close());

  test('an administrator configures the provider, then signs in through it', async ({ page, context }) => {
    await adminSession(context);
    const problems = watchForProblems(page, { allowStatus: [404] });
    await page.goto('/admin');
    await page.getByRole('link', { name: /Single sign-on/ }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Single sign-on' })).toBeVisible();
    await expect(page.getByText(`${BASE_URL}/api/v1/auth/sso/callback`)).toBeVisible();
    await expectNoAxeViolations(page);
    await snap(page, 'sso-settings-empty');

    await page.getByLabel('Issuer URL').fill(idp.issuer);
    await page.getByLabel('Client (application) id').fill(idp.clientId);
    await page.getByLabel('Client secret').fill(idp.clientSecret);
    await page.getByRole('button', { name: 'Turn on single sign-on' }).click();
    await expect(page.getByRole('heading', { name: 'Single sign-on is on' })).toBeVisible();
    await expect(page.getByText('A secret is stored. Leave this empty to keep it.')).toBeVisible();
    await snap(page, 'sso-settings-on');

    // Signed out, the person comes back through the provider.
    await context.clearCookies();
    const fresh = await context.newPage();
    await fresh.goto('/sign-in');
    await fresh.getByRole('button', { name: 'Sign in with your organization' }).click();
    await fresh.getByLabel('Organization short name').fill('no-such-theatre');
    await fresh.getByRole('button', { name: 'Continue to single sign-on' }).click();
    await expect(fresh.getByText('No single sign-on for this organization')).toBeVisible();
    await snap(fresh, 'sign-in-sso');

    idp.signInAs({ sub: `entra-${id}`, email: `nora.${id}@example.com`, email_verified: true });
    await fresh.getByLabel('Organization short name').fill(slug);
    await fresh.getByRole('button', { name: 'Continue to single sign-on' }).click();
    await expect(fresh.getByRole('button', { name: 'Account menu for Nora Admin' })).toBeVisible({ timeout: 15_000 });
    expect(new URL(fresh.url()).pathname).toBe('/');

    // Someone the provider knows but who may not use it here is sent back with the reason.
    await context.clearCookies();
    idp.signInAs({ sub: `entra-artist-${id}`, email: `arlo.${id}@example.com`, email_verified: true });
    await fresh.goto('/sign-in');
    await fresh.getByRole('button', { name: 'Sign in with your organization' }).click();
    await fresh.getByLabel('Organization short name').fill(slug);
    await fresh.getByRole('button', { name: 'Continue to single sign-on' }).click();
    await expect(fresh.getByText('Your account may not use single sign-on in this organization.')).toBeVisible();
    await expectNoAxeViolations(fresh);
    expect(problems).toEqual([]);
  });
});
