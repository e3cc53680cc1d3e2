import { expect, test, type Page } from '@playwright/test';
import { BASE_URL, expectFitsScreen, expectNoAxeViolations, invite, newestMail, runId, signUpOrganization, snap, watchForProblems } from './support.js';

/**
 * The accounts journey in a real browser against the real server: an organization signs up,
 * invites an artist, the artist joins from the link and sees no Admin section, the administrator
 * resets a forgotten password from the e-mail in the outbox and signs in with the new one.
 * Sign-in (5/min), sign-up (5/min) and registration (10/min) are limited per address: these
 * journeys together sign in twice, sign up three times and register six times.
 */

async function openUserMenu(page: Page) {
  await page.getByRole('button', { name: /^Account menu for/ }).click();
  return page.getByRole('menu', { name: 'Account' });
}

async function signOutFromMenu(page: Page) {
  const menu = await openUserMenu(page);
  await menu.getByRole('menuitem', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
}

test('sign up, invite an artist, the artist joins; forgot and reset password', async ({ page, context }) => {
  test.setTimeout(120_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL });
  // 401 answers are part of the journey: the wrong password below.
  const problems = watchForProblems(page, { allowStatus: [400, 401] });
  const id = runId();
  const admin = { first: 'Ada', last: 'Okafor', email: `ada.${id}@example.com`, password: 'Violet-Harbour-Lantern-42' };
  const artist = { first: 'Max', last: 'Brenner', email: `max.${id}@example.com`, password: 'Quiet-Meadow-Trumpet-77' };
  const orgName = `Stagelight Theatre ${id}`;
  const newPassword = 'Copper-Window-Sparrow-19';

  await test.step('a visitor lands on the sign-in page', async () => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
    await expectNoAxeViolations(page);
    await snap(page, 'sign-in');
  });

  await test.step('sign up an organization', async () => {
    await page.getByRole('link', { name: 'Create an account' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Create your organization' })).toBeVisible();
    await expectNoAxeViolations(page);
    // Submitting empty shows every field's problem.
    await page.getByRole('button', { name: 'Create organization' }).click();
    await expect(page.getByText('Enter the name of your organization')).toBeVisible();
    await expect(page.getByLabel('Organization name')).toBeFocused();
    await snap(page, 'sign-up-errors');

    await page.getByLabel('Organization name').fill(orgName);
    await expect(page.getByLabel('Address')).toHaveValue(`stagelight-theatre-${id}`);
    await page.getByLabel('First name').fill(admin.first);
    await page.getByLabel('Last name').fill(admin.last);
    await page.getByLabel('E-mail').fill(admin.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(admin.password);
    await page.getByRole('button', { name: 'Create organization' }).click();

    await expect(page).toHaveURL(`${BASE_URL}/`);
    await expect(page.getByRole('heading', { level: 1, name: 'BIG Live Portal' })).toBeVisible();
    await expect(page.getByText(`Welcome, ${admin.first}`)).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' })).toBeVisible();
    await expect(page.getByRole('banner')).toContainText(orgName);
    await snap(page, 'home-admin');
  });

  let acceptUrl = '';
  await test.step('invite an artist from the People page', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('link', { name: /People/ }).click();
    await expect(page).toHaveURL(/\/admin\/people$/);
    await expect(page.getByRole('heading', { level: 1, name: 'People' })).toBeVisible();
    const members = page.getByRole('list', { name: 'Members' });
    await expect(members).toContainText(`${admin.first} ${admin.last}`);
    await expect(page.getByText('No one is waiting to join')).toBeVisible();
    await expectNoAxeViolations(page);
    await snap(page, 'people');

    await page.getByRole('button', { name: 'Invite a person' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite a person' });
    await expect(dialog.getByLabel('E-mail')).toBeFocused();
    await expectNoAxeViolations(page);
    await snap(page, 'invite-dialog');
    await dialog.getByLabel('E-mail').fill(artist.email);
    await expect(dialog.getByLabel('Role')).toHaveValue('artist');
    await dialog.getByRole('button', { name: 'Send invitation' }).click();

    const sent = page.getByRole('dialog', { name: 'Invitation sent' });
    await expect(sent).toContainText(artist.email);
    const link = sent.getByLabel('Invitation link');
    acceptUrl = await link.inputValue();
    expect(acceptUrl).toMatch(new RegExp(`^${BASE_URL}/accept-invitation\\?token=`));
    await expectFitsScreen(page);
    await sent.getByRole('button', { name: 'Copy link' }).click();
    await expect(sent.getByRole('button', { name: 'Copied' })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(acceptUrl);
    await expectNoAxeViolations(page);
    await snap(page, 'invite-sent');
    await sent.getByRole('button', { name: 'Done' }).click();
    await expect(sent).toBeHidden();

    const pending = page.getByRole('list', { name: 'Pending invitations' });
    await expect(pending).toContainText(artist.email);
    await expect(pending).toContainText('Artist');
  });

  await test.step('the Security page lists this session', async () => {
    const menu = await openUserMenu(page);
    await expect(menu).toContainText(admin.email);
    await menu.getByRole('menuitem', { name: 'Security' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Security' })).toBeVisible();
    const sessions = page.getByRole('list', { name: 'Sessions' });
    await expect(sessions.getByRole('listitem')).toHaveCount(1);
    await expect(sessions).toContainText('This device');
    await expect(sessions).toContainText(/Chrome on (Windows|Linux)/);
    await expectNoAxeViolations(page);
    await snap(page, 'security');
  });

  await test.step('sign out', async () => {
    await signOutFromMenu(page);
    // Signed out means signed out: protected pages send you back to sign in.
    await page.goto('/admin/people');
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fadmin%2Fpeople$/);
  });

  await test.step('the artist joins from the invitation link', async () => {
    await page.goto(acceptUrl);
    await expect(page.getByRole('heading', { level: 1, name: 'Join your organization' })).toBeVisible();
    await expectNoAxeViolations(page);
    await snap(page, 'accept-invitation');
    await page.getByLabel('First name').fill(artist.first);
    await page.getByLabel('Last name').fill(artist.last);
    // A breached password is refused by the server, with its message on the field.
    await page.getByLabel('Choose a password').fill('password1234');
    await expect(page.getByText('At least 12 characters (done)')).toBeAttached();
    await expectFitsScreen(page);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByText(/breached passwords/)).toBeVisible();
    await expect(page.getByLabel('Choose a password')).toBeFocused();
    await expectNoAxeViolations(page);
    await snap(page, 'accept-invitation-errors');
    await page.getByLabel('Choose a password').fill(artist.password);
    await page.getByRole('button', { name: 'Create account' }).click();

    await expect(page).toHaveURL(`${BASE_URL}/`);
    await expect(page.getByText(`Welcome, ${artist.first}`)).toBeVisible();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link', { name: 'Home' })).toBeVisible();
    await expect(nav.getByRole('link', { name: 'Admin' })).toHaveCount(0);
    await expect(page.getByRole('main').getByRole('link', { name: /Admin/ })).toHaveCount(0);
    await snap(page, 'home-artist');

    // Typing the address does not help either.
    await page.goto('/admin/people');
    await expect(page.getByText('You do not have access to the list of people')).toBeVisible();
    await signOutFromMenu(page);

    // The link works once: opened again, the page says so before anyone types.
    await page.goto(acceptUrl);
    await expect(page.getByRole('heading', { level: 1, name: 'This invitation link does not work' })).toBeVisible();
    await expect(page.getByLabel('First name')).toHaveCount(0);
  });

  await test.step('the administrator forgot the password and resets it from the e-mail', async () => {
    await page.goto('/sign-in');
    await page.getByLabel('E-mail').fill(admin.email);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Forgot your password?' })).toBeVisible();
    await expect(page.getByLabel('E-mail')).toHaveValue(admin.email);
    await expectNoAxeViolations(page);
    await snap(page, 'forgot');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Check your e-mail' })).toBeVisible();
    await snap(page, 'forgot-sent');

    const mail = await newestMail(admin.email, /https?:\/\/\S+\/reset-password\?token=[\w-]+/);
    await page.goto(mail.match[0]);
    await expect(page.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeVisible();
    await expectNoAxeViolations(page);
    await page.getByRole('textbox', { name: 'New password', exact: true }).fill(newPassword);
    await page.getByLabel('Repeat the new password').fill('something else entirely');
    await page.getByRole('button', { name: 'Save new password' }).click();
    await expect(page.getByText('The two passwords are not the same')).toBeVisible();
    await snap(page, 'reset');
    await page.getByLabel('Repeat the new password').fill(newPassword);
    await page.getByRole('button', { name: 'Save new password' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Password changed' })).toBeVisible();
    await page.getByRole('link', { name: 'Sign in' }).click();
  });

  await test.step('sign in with the new password', async () => {
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    await page.getByLabel('E-mail').fill(admin.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(admin.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert')).toContainText('E-mail or password is incorrect');
    await snap(page, 'sign-in-error');
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(newPassword);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page).toHaveURL(`${BASE_URL}/`);
    await expect(page.getByText(`Welcome, ${admin.first}`)).toBeVisible();
  });

  expect(problems).toEqual([]);
});

test('a person in two organizations switches between them; the session times out when idle', async ({ page, request }) => {
  test.setTimeout(90_000);
  const problems = watchForProblems(page, { allowStatus: [409] });
  const id = runId();
  const password = 'Amber-Canyon-Oboe-58';
  const orgA = await signUpOrganization(request, { name: `North Opera ${id}`, slug: `north-${id}`, email: `a.${id}@example.com`, password, first_name: 'Nora', last_name: 'North' });
  const orgB = await signUpOrganization(request, { name: `South Ballet ${id}`, slug: `south-${id}`, email: `b.${id}@example.com`, password, first_name: 'Sol', last_name: 'South' });
  const person = `pat.${id}@example.com`;
  const linkA = await invite(request, orgA.tokens.access_token, person);
  const linkB = await invite(request, orgB.tokens.access_token, person, 'production_manager');

  // A fake clock that runs normally until the test fast-forwards it.
  await page.clock.install();
  await page.goto(linkA);
  await page.getByLabel('First name').fill('Pat');
  await page.getByLabel('Last name').fill('Quinn');
  await page.getByLabel('Choose a password').fill('Silver-Tundra-Piano-31');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('Welcome, Pat')).toBeVisible();
  await expect(page.getByRole('banner')).toContainText(`North Opera ${id}`);
  await expect(page.getByRole('button', { name: /Switch organization/ })).toHaveCount(0);

  // The second invitation goes to the same e-mail: the page knows the account exists and asks for
  // its password instead of a new name and password.
  await page.goto(linkB);
  await expect(page.getByRole('main')).toContainText(`South Ballet ${id} invites ${person} to join as production manager`);
  await expect(page.getByText('There is already an account with the e-mail address')).toBeVisible();
  await expect(page.getByLabel('First name')).toHaveCount(0);
  await expectNoAxeViolations(page);
  await snap(page, 'accept-existing');
  await page.getByLabel('Password of your account').fill('Silver-Tundra-Piano-31');
  await page.getByRole('button', { name: 'Join organization' }).click();
  await expect(page.getByText('Welcome, Pat')).toBeVisible();
  await expect(page.getByRole('main')).toContainText(`South Ballet ${id}`);
  // A production manager sees the Admin section.
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' })).toBeVisible();

  const switcher = page.getByRole('button', { name: /Switch organization/ });
  await expect(switcher).toContainText(`South Ballet ${id}`);
  await switcher.click();
  const menu = page.getByRole('menu', { name: 'Your organizations' });
  await expect(menu.getByRole('menuitem')).toHaveCount(2);
  await snap(page, 'org-switcher');
  await menu.getByRole('menuitem', { name: new RegExp(`North Opera ${id}`) }).click();
  await expect(switcher).toContainText(`North Opera ${id}`);
  await expect(page.getByRole('main')).toContainText(`North Opera ${id}`);
  // As an artist in North Opera: no Admin.
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' })).toHaveCount(0);

  // Seed 004: a warning after 25 idle minutes; "Stay signed in" keeps the session.
  await page.clock.fastForward('25:05');
  const warning = page.getByRole('alertdialog', { name: 'Are you still there?' });
  await expect(warning).toBeVisible();
  await expectNoAxeViolations(page);
  await snap(page, 'timeout-warning');
  await warning.getByRole('button', { name: 'Stay signed in' }).click();
  await expect(warning).toBeHidden();
  await expect(page.getByText('Welcome, Pat')).toBeVisible();

  // Unanswered, it signs out at 30 minutes and says why.
  await page.clock.fastForward('25:05');
  await expect(warning).toBeVisible();
  await page.clock.fastForward('05:00');
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByText('You were signed out after 30 minutes without activity')).toBeVisible();

  expect(problems).toEqual([]);
});

/**
 * A portal with sign-up closed (ORGANIZATION_SIGNUP=closed or the signup.open setting): the
 * browser run has one server with sign-up open, so the API's two answers are stood in for here —
 * the status endpoint saying closed, and (status unknown) the 403 signup_closed problem of a
 * refused sign-up. The server's side is tested in test/api/auth.test.ts.
 */
test('the sign-up page says clearly when sign-up is closed', async ({ page }) => {
  const problems = watchForProblems(page, { allowStatus: [403, 503] });
  await test.step('the status endpoint says closed: no form, the way forward instead', async () => {
    await page.route('**/api/v1/organizations/signup', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ open: false }) }));
    await page.goto('/sign-up');
    await expect(page.getByRole('heading', { level: 1, name: 'Sign-up is closed' })).toBeVisible();
    await expect(page.getByText('This portal does not take new organizations')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Create organization' })).toHaveCount(0);
    await expectNoAxeViolations(page);
    await expectFitsScreen(page);
    await snap(page, 'sign-up-closed');
    await page.getByRole('link', { name: 'Go to sign in' }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await page.unroute('**/api/v1/organizations/signup');
  });

  await test.step('the status could not be read, the sign-up is refused with signup_closed: the same page', async () => {
    await page.route('**/api/v1/organizations/signup', (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ type: 'service_unavailable', title: 'Service temporarily unavailable', status: 503, detail: 'Try again', instance: '/api/v1/organizations/signup' }) }));
    await page.route('**/api/v1/organizations', (route) => route.fulfill({
      status: 403, contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'signup_closed', title: 'Sign-up of new organizations is closed', status: 403, detail: 'This portal does not take new organizations; ask an administrator of your organization for an invitation', instance: '/api/v1/organizations' }),
    }));
    await page.goto('/sign-up');
    await expect(page.getByRole('heading', { level: 1, name: 'Create your organization' })).toBeVisible();
    await page.getByLabel('Organization name').fill('Closed Doors Theatre');
    await page.getByLabel('First name').fill('Cleo');
    await page.getByLabel('Last name').fill('Shut');
    await page.getByLabel('E-mail').fill(`cleo.${runId()}@example.com`);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('Violet-Harbour-Lantern-42');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Sign-up is closed' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Create organization' })).toHaveCount(0);
  });
  expect(problems).toEqual([]);
});
