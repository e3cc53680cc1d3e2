import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { generateSync } from 'otplib';
import {
  BASE_URL, expectFitsScreen, expectNoAxeViolations, invite, registerFromInvitation, runId, sessionFactory, signUpOrganization, snap, useSession,
  watchForProblems, type SignedInAnswer,
} from './support.js';

/**
 * Two-factor authentication in the browser against the real server (docs/API-2fa.md): enrolment
 * on the Security page, the second sign-in step with a code and with a backup code, a second
 * step that runs out, the invitation of an existing account with two-factor, new backup codes,
 * turning it off, and an organization that requires it for a role.
 *
 * Codes come from the same library the server uses. Each code works once (the step of the last
 * accepted code and older ones are refused), so a later sign-in uses the code of the next 30-second
 * step, which the server accepts as clock drift, or a backup code.
 *
 * Limits per address that these journeys spend: sign-in 3 of 5/min, second step 9 of 10/min,
 * sign-up 2, registration 3.
 */

const totp = (secret: string, steps = 0) => generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });
/** A 6-digit code that is none of the ones the server would accept around now. */
function wrongCode(secret: string): string {
  const near = new Set([-2, -1, 0, 1, 2].map((s) => totp(secret, s)));
  return ['123456', '654321', '111111'].find((c) => !near.has(c))!;
}

async function openUserMenu(page: Page) {
  await page.getByRole('button', { name: /^Account menu for/ }).click();
  return page.getByRole('menu', { name: 'Account' });
}

async function signOut(page: Page) {
  const menu = await openUserMenu(page);
  await menu.getByRole('menuitem', { name: 'Sign out', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
}

async function password(page: Page, email: string, secret: string) {
  await page.getByLabel('E-mail').fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(secret);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

let org: SignedInAnswer;
let signIn: ReturnType<typeof sessionFactory>;
const id = runId();
const ada = { first: 'Ada', last: 'Quist', email: `ada.2fa.${id}@example.com`, password: 'Harbour-Violin-Cactus-83' };

test.beforeAll(async ({ playwright }) => {
  const request = await playwright.request.newContext();
  org = await signUpOrganization(request, {
    name: `Two Step Theatre ${id}`, slug: `two-step-${id}`, email: ada.email, password: ada.password, first_name: ada.first, last_name: ada.last,
  });
  signIn = sessionFactory(request, org);
});

test('an organization that requires two-factor keeps the person at enrolment until it is on', async ({ page, context, request }) => {
  test.setTimeout(90_000);
  // 403 mfa_enrolment_required is part of the journey.
  const problems = watchForProblems(page, { allowStatus: [403] });
  const auth = { authorization: `Bearer ${org.tokens.access_token}` };
  const settings = await request.patch(`${BASE_URL}/api/v1/organization`, { headers: auth, data: { settings: { require_2fa_roles: ['finance_director'] } } });
  expect(settings.status(), await settings.text()).toBe(200);
  const link = await invite(request, org.tokens.access_token, `fin.${id}@example.com`, 'finance_director');
  const fin = await registerFromInvitation(request, link, { password: 'Ledger-Sunrise-Piano-47', first_name: 'Fiona', last_name: 'Nakamura' });
  await useSession(context, fin);

  await test.step('an API call answering 403 mfa_enrolment_required sends the person to enrolment', async () => {
    // The status says "not required" (as it would before the requirement reached this session);
    // the profile read still answers 403, and that alone must close the app.
    await page.route('**/api/v1/auth/2fa', (route) =>
      route.request().method() === 'GET'
        ? route.fulfill({ json: { enabled: false, enabled_at: null, pending_setup: false, backup_codes_remaining: 0, required_by_organization: false, methods: ['totp', 'backup_code'] } })
        : route.fallback(),
    );
    await page.goto('/account/profile');
    await expect(page).toHaveURL(/\/two-factor-setup\?next=%2Faccount%2Fprofile$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Set up two-factor authentication' })).toBeVisible();
    await page.unrouteAll();
  });

  await test.step('with the real status, every address leads to enrolment, without navigation', async () => {
    await page.goto('/schedule');
    await expect(page).toHaveURL(/\/two-factor-setup\?next=%2Fschedule$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Set up two-factor authentication' })).toBeVisible();
    await expect(page.getByText(/asks every finance director/)).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
    await expectNoAxeViolations(page);
    await expectFitsScreen(page);
    await snap(page, '2fa-required');
    // The logo's link to home does not get around it either.
    await page.getByRole('link', { name: 'BIG Live Portal, home' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Set up two-factor authentication' })).toBeVisible();
  });

  await test.step('enrol, save the codes, and continue where the person was heading', async () => {
    await page.goto('/schedule');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    const key = page.getByLabel('Setup key');
    await expect(key).toBeVisible();
    await expectNoAxeViolations(page);
    await snap(page, '2fa-required-scan');
    const secret = (await key.inputValue()).replace(/\s/g, '');
    await page.getByLabel('6-digit code').fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await expect(page.getByRole('list', { name: 'Save your backup codes' }).getByRole('listitem')).toHaveCount(10);
    await page.getByRole('checkbox', { name: 'I have saved these codes somewhere safe' }).check();
    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page).toHaveURL(`${BASE_URL}/schedule`);
    await expect(page.getByRole('heading', { level: 1, name: 'Schedule' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(1);
    // The session's new access token works where the old one answered 403.
    await page.goto('/account/profile');
    await expect(page.getByLabel('First name')).toHaveValue('Fiona');
  });

  expect(problems).toEqual([]);
});

test('enrol on the Security page, sign in with a code and with a backup code, join another organization, manage codes', async ({ page, context, request }) => {
  test.setTimeout(180_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL });
  // 401: wrong codes and passwords, and the used-up second step; 409: the invitation of an existing account.
  const problems = watchForProblems(page, { allowStatus: [401, 409] });
  await signIn(context);
  let secret = '';
  let codes: string[] = [];

  await test.step('the Security page offers two-factor', async () => {
    await page.goto('/account/security');
    const card = page.getByRole('region', { name: 'Two-factor authentication' });
    await expect(card.getByText('Off', { exact: true })).toBeVisible();
    await expectNoAxeViolations(page);
    await snap(page, '2fa-security-off');
    await card.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    await expect(card.getByRole('img', { name: /QR code/ })).toBeVisible();
    secret = (await card.getByLabel('Setup key').inputValue()).replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await card.getByRole('button', { name: 'Copy key' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await expectNoAxeViolations(page);
    await expectFitsScreen(page);
    await snap(page, '2fa-security-scan');
  });

  await test.step('a wrong code is shown at the field and does not end the session', async () => {
    const card = page.getByRole('region', { name: 'Two-factor authentication' });
    await card.getByLabel('6-digit code').fill(wrongCode(secret));
    await card.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await expect(card.getByText('Incorrect or already used')).toBeVisible();
    await expect(card.getByLabel('6-digit code')).toBeFocused();
    await expect(page).toHaveURL(/\/account\/security$/);
    await snap(page, '2fa-security-wrong-code');
  });

  await test.step('the right code turns it on and shows the backup codes once', async () => {
    const card = page.getByRole('region', { name: 'Two-factor authentication' });
    await card.getByLabel('6-digit code').fill(totp(secret));
    await card.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await expect(card.getByText('Two-factor authentication is on.')).toBeVisible();
    const list = card.getByRole('list', { name: 'Save your backup codes' });
    await expect(list.getByRole('listitem')).toHaveCount(10);
    codes = (await list.getByRole('listitem').allTextContents()).map((c) => c.trim());
    for (const c of codes) expect(c).toMatch(/^[a-z0-9]{4}-[a-z0-9]{4}$/);
    await expectNoAxeViolations(page);
    await snap(page, '2fa-security-codes');

    const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'Download (.txt)' }).click()]);
    expect(download.suggestedFilename()).toBe('big-live-portal-backup-codes.txt');
    const text = fs.readFileSync((await download.path())!, 'utf8');
    for (const c of codes) expect(text).toContain(c);
    await card.getByRole('button', { name: 'Copy codes' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(codes[9]!);

    // "Done" needs the confirmation first.
    await card.getByRole('button', { name: 'Done' }).click();
    await expect(card.getByText('Save the codes first')).toBeVisible();
    await card.getByRole('checkbox', { name: 'I have saved these codes somewhere safe' }).check();
    await card.getByRole('button', { name: 'Done' }).click();
    await expect(card.getByText('On', { exact: true })).toBeVisible();
    await expect(card).toContainText('Backup codes left: 10 of 10');
    // The access token from the answer replaced the old one; the session list still loads with it.
    await page.reload();
    await expect(page.getByRole('list', { name: 'Sessions' }).getByRole('listitem')).toHaveCount(1);
    await expectNoAxeViolations(page);
    await snap(page, '2fa-security-on');
  });

  await test.step('a second step that runs out of attempts goes back to the password', async () => {
    await signOut(page);
    await password(page, ada.email, ada.password);
    await expect(page.getByRole('heading', { level: 1, name: 'Two-step verification' })).toBeVisible();
    const code = page.getByLabel('6-digit code');
    await expect(code).toBeFocused();
    await expect(code).toHaveAttribute('autocomplete', 'one-time-code');
    await expect(code).toHaveAttribute('inputmode', 'numeric');
    await expectNoAxeViolations(page);
    await expectFitsScreen(page);
    await snap(page, '2fa-sign-in-code');
    // Five wrong codes use the step up; the sixth try is refused as an expired step.
    for (let i = 0; i < 5; i++) {
      await code.fill(wrongCode(secret));
      await page.getByRole('button', { name: 'Verify and sign in' }).click();
      await expect(page.getByText('Incorrect or already used')).toBeVisible();
      if (i === 0) await snap(page, '2fa-sign-in-wrong-code');
    }
    await code.fill(wrongCode(secret));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    await expect(page.getByRole('status')).toContainText('Enter your password again');
    await expect(page.getByRole('textbox', { name: 'Password', exact: true })).toBeFocused();
    await snap(page, '2fa-sign-in-restart');
  });

  await test.step('password and the next code sign in', async () => {
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(ada.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // The code of the enrolment's step (or an older one) would be refused: use the next step's.
    await page.getByLabel('6-digit code').fill(totp(secret, 1));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await expect(page).toHaveURL(`${BASE_URL}/`);
    await expect(page.getByText(`Welcome, ${ada.first}`)).toBeVisible();
  });

  await test.step('a backup code signs in, with a warning when few are left', async () => {
    await signOut(page);
    await password(page, ada.email, ada.password);
    await page.getByRole('button', { name: 'Use a backup code' }).click();
    await expect(page.getByLabel('Backup code')).toBeFocused();
    await expectNoAxeViolations(page);
    await snap(page, '2fa-sign-in-backup');
    // The server answers 9 left; pretend it were 2 to see the warning (the real count is checked below).
    await page.route('**/api/v1/auth/login/2fa', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as Record<string, unknown>;
      expect(body.backup_codes_remaining).toBe(9);
      await route.fulfill({ response, json: { ...body, backup_codes_remaining: 2 } });
    });
    await page.getByLabel('Backup code').fill(codes[0]!.toUpperCase());
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'You are running out of backup codes' })).toBeVisible();
    await expect(page.getByRole('status')).toContainText('You have 2 backup codes left.');
    await expectNoAxeViolations(page);
    await snap(page, '2fa-sign-in-low-codes');
    await page.unrouteAll();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByText(`Welcome, ${ada.first}`)).toBeVisible();
    // The refresh cookie of that sign-in keeps the session across a reload.
    await page.reload();
    await expect(page.getByText(`Welcome, ${ada.first}`)).toBeVisible();
  });

  await test.step('an invitation for the existing account finishes with the second step', async () => {
    const other = await signUpOrganization(request, {
      name: `Second Stage ${id}`, slug: `second-stage-${id}`, email: `owner.${id}@example.com`, password: 'Meadow-Copper-Flute-26', first_name: 'Owen', last_name: 'Er',
    });
    const link = await invite(request, other.tokens.access_token, ada.email, 'production_manager');
    await page.goto(link);
    await page.getByLabel('Password of your account').fill(ada.password);
    await page.getByRole('button', { name: 'Join organization' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Two-step verification' })).toBeVisible();
    await page.getByRole('button', { name: 'Use a backup code' }).click();
    await page.getByLabel('Backup code').fill(codes[1]!);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await expect(page.getByText(`Welcome, ${ada.first}`)).toBeVisible();
    await expect(page.getByRole('banner')).toContainText(`Second Stage ${id}`);
  });

  let fresh: string[] = [];
  await test.step('new backup codes need the password and a code', async () => {
    await page.goto('/account/security');
    const card = page.getByRole('region', { name: 'Two-factor authentication' });
    await expect(card).toContainText('Backup codes left: 8 of 10');
    await card.getByRole('button', { name: 'Make new backup codes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Make new backup codes?' });
    await expect(dialog.getByRole('textbox', { name: 'Password', exact: true })).toBeFocused();
    await expectNoAxeViolations(page);
    await snap(page, '2fa-step-up');
    await dialog.getByRole('textbox', { name: 'Password', exact: true }).fill('not-my-password-at-all');
    await dialog.getByLabel('Code from your app, or a backup code').fill(codes[2]!);
    await dialog.getByRole('button', { name: 'Make new codes' }).click();
    // Wrong password: its field says so, and the person is still signed in.
    await expect(dialog.getByText('Incorrect', { exact: true })).toBeVisible();
    await expect(dialog.getByRole('textbox', { name: 'Password', exact: true })).toBeFocused();
    await snap(page, '2fa-step-up-wrong-password');
    await dialog.getByRole('textbox', { name: 'Password', exact: true }).fill(ada.password);
    await dialog.getByRole('button', { name: 'Make new codes' }).click();
    await expect(dialog).toBeHidden();
    const list = card.getByRole('list', { name: 'Save your backup codes' });
    await expect(list.getByRole('listitem')).toHaveCount(10);
    fresh = (await list.getByRole('listitem').allTextContents()).map((c) => c.trim());
    expect(fresh).not.toContain(codes[3]);
    await card.getByRole('checkbox', { name: 'I have saved these codes somewhere safe' }).check();
    await card.getByRole('button', { name: 'Done' }).click();
    await expect(card).toContainText('Backup codes left: 10 of 10');
  });

  await test.step('turning it off needs the password and a code too', async () => {
    const card = page.getByRole('region', { name: 'Two-factor authentication' });
    await card.getByRole('button', { name: 'Turn off' }).click();
    const dialog = page.getByRole('dialog', { name: 'Turn off two-factor authentication?' });
    await dialog.getByRole('textbox', { name: 'Password', exact: true }).fill(ada.password);
    // An old backup code no longer works.
    await dialog.getByLabel('Code from your app, or a backup code').fill(codes[3]!);
    await dialog.getByRole('button', { name: 'Turn off' }).click();
    await expect(dialog.getByText('Incorrect or already used')).toBeVisible();
    await dialog.getByLabel('Code from your app, or a backup code').fill(fresh[0]!);
    await dialog.getByRole('button', { name: 'Turn off' }).click();
    await expect(dialog).toBeHidden();
    await expect(card.getByText('Two-factor authentication is off.')).toBeVisible();
    await expect(card.getByText('Off', { exact: true })).toBeVisible();
    await expect(card.getByRole('button', { name: 'Set up two-factor authentication' })).toBeVisible();
  });

  expect(problems).toEqual([]);
});
