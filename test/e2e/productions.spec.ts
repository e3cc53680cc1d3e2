import { expect, test, type Page } from '@playwright/test';
import {
  expectFitsScreen, expectNoAxeViolations, invite, registerFromInvitation, runId, sessionFactory, signUpOrganization, snap, watchForProblems,
} from './support.js';

/**
 * The Productions screen against the real server: an administrator creates productions through
 * the dialog (a client-side date error first, a duplicate code the server refuses), finds them by
 * words and status, starts one, cancels another with a reason and deletes one still in planning;
 * on a phone the screen is reached from Admin; an artist sees neither the entry nor the screen.
 */

let adminSession: ReturnType<typeof sessionFactory>;
let artistSession: ReturnType<typeof sessionFactory>;
const id = runId();
const hamlet = `Hamlet ${id}`;
const tour = `Winter Tour ${id}`;
const reading = `Studio reading ${id}`;

test.beforeAll(async ({ playwright }) => {
  const request = await playwright.request.newContext();
  const admin = await signUpOrganization(request, {
    name: `Globe Players ${id}`, slug: `globe-${id}`, email: `prue.${id}@example.com`, password: 'Copper-Meadow-Violin-47', first_name: 'Prue', last_name: 'Producer',
  });
  const acceptUrl = await invite(request, admin.tokens.access_token, `ari.${id}@example.com`);
  const artist = await registerFromInvitation(request, acceptUrl, { password: 'Saffron-Tide-Piano-39', first_name: 'Ari', last_name: 'Artist' });
  adminSession = sessionFactory(request, admin);
  artistSession = sessionFactory(request, artist);
});

/** The production's entry in the list. */
const row = (page: Page, name: string) => page.getByRole('list', { name: 'Productions' }).getByRole('listitem').filter({ hasText: name });

async function fillDialog(page: Page, v: { name?: string; code?: string; start?: string; end?: string; budget?: string; currency?: string }) {
  const dialog = page.getByRole('dialog');
  if (v.name !== undefined) await dialog.getByLabel('Name').fill(v.name);
  if (v.code !== undefined) await dialog.getByLabel('Code (optional)').fill(v.code);
  if (v.start !== undefined) await dialog.getByLabel('Start date').fill(v.start);
  if (v.end !== undefined) await dialog.getByLabel('End date').fill(v.end);
  if (v.budget !== undefined) await dialog.getByLabel('Budget (optional)').fill(v.budget);
  if (v.currency !== undefined) await dialog.getByLabel('Currency').selectOption(v.currency);
}

test('an administrator creates, finds, starts, cancels and deletes productions', async ({ page, context }) => {
  // A long journey with five accessibility scans: 18 s on a quiet machine, over 30 s on a busy one.
  test.setTimeout(90_000);
  await adminSession(context);
  // 409: the duplicate code, answered at its field.
  const problems = watchForProblems(page, { allowStatus: [409] });
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Productions' }).click();
  await expect(page).toHaveURL('/productions');
  await expect(page.getByRole('heading', { level: 1, name: 'Productions' })).toBeFocused();
  await expect(page).toHaveTitle('Productions · BIG Live Portal');
  await expect(page.getByText('No productions yet')).toBeVisible();
  await expectNoAxeViolations(page);
  await snap(page, 'productions-empty');

  // The call to action of the empty list opens the dialog; a date error is told before sending.
  await page.getByRole('main').getByRole('button', { name: 'New production' }).last().click();
  const dialog = page.getByRole('dialog', { name: 'New production' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Currency')).toHaveValue('USD');
  await fillDialog(page, { name: hamlet, code: `HAM-${id}`, start: '2026-05-31', end: '2026-03-01', budget: '125000.505', currency: 'EUR' });
  await dialog.getByRole('button', { name: 'Create production' }).click();
  await expect(dialog.getByText('The end date is before the start date')).toBeVisible();
  await expect(dialog.getByText(/at most 2 decimals/)).toBeVisible();
  await expect(dialog.getByLabel('End date')).toHaveAttribute('aria-invalid', 'true');
  await expectNoAxeViolations(page);
  await snap(page, 'productions-dialog-error');

  await fillDialog(page, { start: '2026-03-01', end: '2026-05-31', budget: '125000.50' });
  await dialog.getByRole('button', { name: 'Create production' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`${hamlet} is added.`)).toBeVisible();
  const hamletRow = row(page, hamlet);
  await expect(hamletRow).toContainText('Planning');
  await expect(hamletRow).toContainText(`HAM-${id}`);
  await expect(hamletRow).toContainText('Mar 1 – May 31, 2026');
  await expect(hamletRow).toContainText('€125,000.50');

  // The same code again: the server's 409 is shown at the code field.
  await page.getByRole('button', { name: 'New production' }).first().click();
  await fillDialog(page, { name: tour, code: `HAM-${id}`, start: '2026-11-01', end: '2027-02-28' });
  await dialog.getByRole('button', { name: 'Create production' }).click();
  await expect(dialog.getByText('Already in use')).toBeVisible();
  await expect(dialog.getByLabel('Code (optional)')).toHaveAttribute('aria-invalid', 'true');
  await fillDialog(page, { code: `WT-${id}`, budget: '9800' });
  await dialog.getByRole('button', { name: 'Create production' }).click();
  await expect(dialog).toBeHidden();
  await expect(row(page, tour)).toContainText('Nov 1, 2026 – Feb 28, 2027');
  await expect(row(page, tour)).toContainText('$9,800.00');

  await page.getByRole('button', { name: 'New production' }).first().click();
  await fillDialog(page, { name: reading, start: '2026-02-10', end: '2026-02-10' });
  await dialog.getByRole('button', { name: 'Create production' }).click();
  await expect(dialog).toBeHidden();
  await expect(row(page, reading)).toContainText('Not set');
  await expect(page.getByRole('status').filter({ hasText: 'Showing 3 productions' })).toBeVisible();

  // Words find it (debounced).
  const search = page.getByRole('searchbox', { name: 'Search by name, code or description' });
  await search.fill('Hamlet');
  await expect(page.getByRole('status').filter({ hasText: 'Showing 1 production matching your search' })).toBeVisible();
  await expect(row(page, hamlet)).toBeVisible();
  await search.fill('');
  await expect(page.getByRole('status').filter({ hasText: 'Showing 3 productions' })).toBeVisible();

  // Start one.
  await hamletRow.getByRole('button', { name: `Start ${hamlet}` }).click();
  const confirm = page.getByRole('dialog', { name: 'Start this production?' });
  await confirm.getByRole('button', { name: 'Start' }).click();
  await expect(confirm).toBeHidden();
  await expect(hamletRow).toContainText('Active');
  await expect(hamletRow.getByRole('button', { name: `Complete ${hamlet}` })).toBeVisible();
  await expect(hamletRow.getByRole('button', { name: `Delete ${hamlet}` })).toHaveCount(0);

  // Cancel another, with its reason.
  await row(page, tour).getByRole('button', { name: `Cancel ${tour}` }).click();
  const cancel = page.getByRole('dialog', { name: `Cancel ${tour}?` });
  await cancel.getByRole('button', { name: 'Cancel production' }).click();
  await expect(cancel.getByText('Say why it is cancelled')).toBeVisible();
  await cancel.getByLabel('Reason').fill('The venue closes for renovation.');
  await expectNoAxeViolations(page);
  await snap(page, 'productions-cancel');
  await cancel.getByRole('button', { name: 'Cancel production' }).click();
  await expect(cancel).toBeHidden();
  await expect(row(page, tour)).toContainText('Cancelled');
  await expect(row(page, tour)).toContainText('The venue closes for renovation.');

  // Delete the one still in planning.
  await row(page, reading).getByRole('button', { name: `Delete ${reading}` }).click();
  const del = page.getByRole('dialog', { name: `Delete ${reading}?` });
  await del.getByRole('button', { name: 'Delete' }).click();
  await expect(del).toBeHidden();
  await expect(row(page, reading)).toHaveCount(0);

  // By status.
  const status = page.getByLabel('Status', { exact: true });
  await status.selectOption('active');
  await expect(page.getByRole('status').filter({ hasText: 'Showing 1 production matching your search' })).toBeVisible();
  await expect(row(page, hamlet)).toBeVisible();
  await status.selectOption('cancelled');
  await expect(row(page, tour)).toBeVisible();
  await expect(row(page, hamlet)).toHaveCount(0);
  await status.selectOption('completed');
  await expect(page.getByText('No productions match')).toBeVisible();
  await status.selectOption('');
  await expect(page.getByRole('status').filter({ hasText: 'Showing 2 productions' })).toBeVisible();

  // Edit keeps the exact budget.
  await hamletRow.getByRole('button', { name: `Edit ${hamlet}` }).click();
  const edit = page.getByRole('dialog', { name: `Edit ${hamlet}` });
  await expect(edit.getByLabel('Budget (optional)')).toHaveValue('125000.50');
  await expect(edit.getByLabel('Currency')).toHaveValue('EUR');
  await edit.getByLabel('Budget (optional)').fill('9999999999999.99');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  await expect(hamletRow).toContainText('€9,999,999,999,999.99');
  await page.getByRole('alert').filter({ hasText: 'is saved.' }).getByRole('button', { name: 'Close' }).click();

  await expectNoAxeViolations(page);
  await page.setViewportSize({ width: 375, height: 812 });
  await expectFitsScreen(page);
  await snap(page, 'productions-list');
  expect(problems).toEqual([]);
});

test('on a phone, Productions is reached from Admin and the dialog fills the screen', async ({ page, context }) => {
  await page.setViewportSize({ width: 375, height: 812 });
  await adminSession(context);
  const problems = watchForProblems(page);
  await page.goto('/');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link')).toHaveCount(5);
  await expect(nav.getByRole('link', { name: 'Productions' })).toHaveCount(0);
  await nav.getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('link', { name: /Productions/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Productions' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Admin' })).toHaveAttribute('aria-current', 'page');
  await expectFitsScreen(page);

  await page.getByRole('button', { name: 'New production' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New production' });
  await expect(dialog.getByLabel('Budget (optional)')).toHaveAttribute('inputmode', 'decimal');
  const box = await page.locator('.MuiDialog-paper').boundingBox();
  expect(box?.width).toBe(375);
  await expectFitsScreen(page);
  await expectNoAxeViolations(page);
  await snap(page, 'productions-dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect(problems).toEqual([]);
});

test('an artist has no Productions entry and no access to the screen', async ({ page, context }) => {
  await artistSession(context);
  const problems = watchForProblems(page);
  await page.goto('/');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Home' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Productions' })).toHaveCount(0);
  await page.goto('/productions');
  await expect(page.getByRole('heading', { level: 1, name: 'Productions' })).toBeVisible();
  await expect(page.getByText('You do not have access to productions')).toBeVisible();
  await expect(page.getByRole('button', { name: 'New production' })).toHaveCount(0);
  await expectNoAxeViolations(page);
  await snap(page, 'productions-artist');
  expect(problems).toEqual([]);
});
