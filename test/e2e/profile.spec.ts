import fs from 'node:fs';
import { expect, test, type Page, type Request } from '@playwright/test';
import {
  BASE_URL, expectFitsScreen, expectNoAxeViolations, invite, registerFromInvitation, runId, sessionFactory, signUpOrganization, snap, useSession,
  watchForProblems, type SignedInAnswer,
} from './support.js';

/**
 * Profile, artist profile and privacy screens against the real server (docs/API-profiles.md): a
 * round trip of one's own details through a reload, only changed fields sent, the write-only tax
 * ID and bank account shown masked and revealed on request, the data export, a deletion request
 * and its withdrawal, and an administrator completing another person's request.
 */

let admin: SignedInAnswer;
let signIn: ReturnType<typeof sessionFactory>;
const id = runId();

test.beforeAll(async ({ playwright }) => {
  const request = await playwright.request.newContext();
  admin = await signUpOrganization(request, {
    name: `Profile Playhouse ${id}`, slug: `profile-${id}`, email: `pia.${id}@example.com`, password: 'Orchard-Trumpet-Glacier-52', first_name: 'Pia', last_name: 'Admin',
  });
  signIn = sessionFactory(request, admin);
});

test.beforeEach(async ({ context }) => {
  await signIn(context);
});

/** The JSON body of the next PATCH to `path`. */
function nextPatch(page: Page, path: string) {
  return page.waitForRequest((r: Request) => r.method() === 'PATCH' && new URL(r.url()).pathname === path).then((r) => r.postDataJSON() as Record<string, unknown>);
}

async function pickTimeZone(page: Page, label: string, search: string, zone: string) {
  await page.getByRole('combobox', { name: label }).fill(search);
  await page.getByRole('option', { name: new RegExp(`^${zone.replace('_', ' ')}`) }).click();
}

test('own details: edit, save only what changed, and find them after a reload', async ({ page }) => {
  const problems = watchForProblems(page);
  await page.goto('/account/profile');
  await expect(page.getByRole('heading', { level: 1, name: 'Profile' })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Your details' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByLabel('First name')).toHaveValue('Pia');
  await expect(page.getByText(`pia.${id}@example.com`)).toBeVisible();
  await expectNoAxeViolations(page);
  await expectFitsScreen(page);
  await snap(page, 'profile-details');

  // Client-side checks first: a phone without the country code.
  await page.getByLabel('Phone').fill('0701234567');
  await page.getByRole('button', { name: 'Save details' }).click();
  await expect(page.getByText('Enter the number with + and the country code')).toBeVisible();
  await expect(page.getByLabel('Phone')).toBeFocused();
  await snap(page, 'profile-details-error');

  await page.getByLabel('First name').fill('Rosa');
  await page.getByLabel('Last name').fill('Lindqvist');
  // Spaces and dashes as people type them; the API wants E.164.
  await page.getByLabel('Phone').fill('+46 70-123 45 67');
  await page.getByLabel('Language and region').selectOption('sv-SE');
  await pickTimeZone(page, 'Time zone', 'stockholm', 'Europe/Stockholm');
  let sent = nextPatch(page, '/api/v1/me/profile');
  await page.getByRole('button', { name: 'Save details' }).click();
  expect(await sent).toEqual({ first_name: 'Rosa', last_name: 'Lindqvist', phone: '+46701234567', locale: 'sv-SE', timezone: 'Europe/Stockholm' });
  await expect(page.getByRole('status').filter({ hasText: 'Your details are saved.' })).toBeVisible();
  // The account menu follows the new name.
  await expect(page.getByRole('button', { name: 'Account menu for Rosa Lindqvist' })).toBeVisible();

  // A second save sends the one field that changed.
  await page.getByLabel('Phone').fill('+46 70 765 43 21');
  sent = nextPatch(page, '/api/v1/me/profile');
  await page.getByRole('button', { name: 'Save details' }).click();
  expect(await sent).toEqual({ phone: '+46707654321' });
  await expect(page.getByRole('status').filter({ hasText: 'Your details are saved.' })).toBeVisible();

  await page.reload();
  await expect(page.getByLabel('First name')).toHaveValue('Rosa');
  await expect(page.getByLabel('Last name')).toHaveValue('Lindqvist');
  await expect(page.getByLabel('Phone')).toHaveValue('+46707654321');
  await expect(page.getByLabel('Language and region')).toHaveValue('sv-SE');
  await expect(page.getByRole('combobox', { name: 'Time zone' })).toHaveValue('Europe/Stockholm');

  // Removing the phone sends null.
  await page.getByLabel('Phone').fill('');
  sent = nextPatch(page, '/api/v1/me/profile');
  await page.getByRole('button', { name: 'Save details' }).click();
  expect(await sent).toEqual({ phone: null });
  await page.reload();
  await expect(page.getByLabel('Phone')).toHaveValue('');
  expect(problems).toEqual([]);
});

test('artist profile: save, tax ID and bank account masked, revealed only on request', async ({ page }) => {
  // 400: the IBAN with wrong check digits, refused by the server at its field.
  const problems = watchForProblems(page, { allowStatus: [400] });
  const sensitiveReads: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/v1/me/artist-profile/sensitive') sensitiveReads.push(r.url());
  });

  await page.goto('/account/profile');
  await page.getByRole('tab', { name: 'Artist profile' }).click();
  await expect(page).toHaveURL(/\?tab=artist$/);
  await expect(page.getByRole('heading', { level: 2, name: 'Artist profile' })).toBeVisible();
  const sensitive = page.getByRole('region', { name: 'Tax and bank details' });
  await expect(sensitive).toContainText('Not given');
  await expect(sensitive.getByRole('button', { name: /Reveal/ })).toHaveCount(0);
  await expectNoAxeViolations(page);
  await snap(page, 'profile-artist-empty');

  await page.getByLabel('Legal name').fill('Rosa Maria Lindqvist');
  await page.getByLabel('Stage name').fill('Rosa Lind');
  await page.getByLabel('Pronouns').fill('she/her');
  await page.getByLabel('Street and number').fill('Drottninggatan 1');
  await page.getByLabel('City').fill('Stockholm');
  // An address needs its country; an emergency contact all three parts.
  await page.getByLabel('Their name').fill('Erik Lindqvist');
  await page.getByRole('button', { name: 'Save artist profile' }).click();
  await expect(page.getByText('Choose the country')).toBeVisible();
  await expect(page.getByText('Say how you know them')).toBeVisible();
  await expect(page.getByLabel('Country')).toBeFocused();
  await snap(page, 'profile-artist-errors');
  await page.getByLabel('Country').selectOption('SE');
  await page.getByLabel('Relationship').fill('brother');
  await page.getByLabel('Their phone').fill('+46 8 123 456 78');
  await pickTimeZone(page, 'Preferred time zone', 'new york', 'America/New_York');
  const unions = page.getByRole('combobox', { name: 'Unions' });
  await unions.fill('SAG-AFTRA');
  await unions.press('Enter');
  await unions.fill('AGMA,');
  const skills = page.getByRole('combobox', { name: 'Skills' });
  await skills.fill('Stage combat');
  await skills.press('Enter');
  // Still typed when Save is pressed: kept, not dropped.
  await skills.fill('Soprano');
  await skills.press('Escape'); // closes the suggestions, which would cover the button
  const sent = nextPatch(page, '/api/v1/me/artist-profile');
  await page.getByRole('button', { name: 'Save artist profile' }).click();
  expect(await sent).toEqual({
    legal_name: 'Rosa Maria Lindqvist',
    stage_name: 'Rosa Lind',
    pronouns: 'she/her',
    preferred_timezone: 'America/New_York',
    mailing_address: { line1: 'Drottninggatan 1', line2: null, city: 'Stockholm', region: null, postal_code: null, country: 'SE' },
    emergency_contact: { name: 'Erik Lindqvist', relationship: 'brother', phone: '+46812345678' },
    unions: ['SAG-AFTRA', 'AGMA'],
    skills: ['Stage combat', 'Soprano'],
  });
  await expect(page.getByRole('status').filter({ hasText: 'Your artist profile is saved.' })).toBeVisible();

  await test.step('tax ID and bank account are write-only', async () => {
    await sensitive.getByRole('button', { name: 'Add a tax ID' }).click();
    await sensitive.getByLabel('New tax ID').fill('123-45-6789');
    await sensitive.getByRole('button', { name: 'Save tax ID' }).click();
    await expect(sensitive).toContainText('***-**-6789');
    await expect(sensitive).not.toContainText('123456789');

    await sensitive.getByRole('button', { name: 'Add a bank account' }).click();
    await sensitive.getByLabel('Name on the account').fill('Rosa Lindqvist');
    // Wrong check digits: the server's message appears at the IBAN.
    await sensitive.getByLabel('IBAN').fill('DE00 3704 0044 0532 0130 00');
    await sensitive.getByRole('button', { name: 'Save bank account' }).click();
    await expect(sensitive.getByText('Not a valid IBAN')).toBeVisible();
    await expect(sensitive.getByLabel('IBAN')).toBeFocused();
    await snap(page, 'profile-artist-iban-error');
    await sensitive.getByLabel('IBAN').fill('DE89 3704 0044 0532 0130 00');
    await sensitive.getByRole('button', { name: 'Save bank account' }).click();
    await expect(sensitive).toContainText('****3000');
    expect(sensitiveReads).toEqual([]);
    await expectNoAxeViolations(page);
    await snap(page, 'profile-artist-masked');
  });

  await test.step('Reveal reads the values once, Hide forgets them', async () => {
    await sensitive.getByRole('button', { name: 'Reveal the full tax ID and bank account' }).click();
    await expect(sensitive).toContainText('123456789');
    await expect(sensitive).toContainText('IBAN DE89 3704 0044 0532 0130 00');
    expect(sensitiveReads).toHaveLength(1);
    await expectNoAxeViolations(page);
    await snap(page, 'profile-artist-revealed');
    await sensitive.getByRole('button', { name: 'Hide' }).click();
    await expect(sensitive).toContainText('***-**-6789');
    await expect(sensitive).not.toContainText('123456789');
  });

  await page.reload();
  await expect(page.getByLabel('Stage name')).toHaveValue('Rosa Lind');
  await expect(page.getByLabel('Country')).toHaveValue('SE');
  await expect(page.getByRole('button', { name: 'SAG-AFTRA' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Soprano' })).toBeVisible();
  await expect(sensitive).toContainText('***-**-6789');
  await expect(sensitive).toContainText('****3000');
  // Nothing revealed again by the reload.
  expect(sensitiveReads).toHaveLength(1);
  await expectFitsScreen(page);

  await test.step('remove the tax ID', async () => {
    await sensitive.getByRole('button', { name: 'Remove the tax ID' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove your tax ID?' });
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await expect(dialog).toBeHidden();
    await expect(sensitive).not.toContainText('***-**-6789');
    await expect(sensitive.getByRole('button', { name: 'Add a tax ID' })).toBeVisible();
  });
  expect(problems).toEqual([]);
});

test('privacy: download my data, ask for deletion and withdraw', async ({ page }) => {
  // 404: no deletion request yet.
  const problems = watchForProblems(page, { allowStatus: [404] });
  await page.goto('/account/profile?tab=privacy');
  await expect(page.getByRole('tab', { name: 'Privacy' })).toHaveAttribute('aria-selected', 'true');
  const deletion = page.getByRole('region', { name: 'Delete your personal data' });
  await expect(deletion.getByRole('button', { name: 'Request deletion' })).toBeVisible();
  await expectNoAxeViolations(page);
  await expectFitsScreen(page);
  await snap(page, 'profile-privacy');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download my data' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^big-live-portal-export-\d{4}-\d{2}-\d{2}\.zip$/);
  const zip = fs.readFileSync((await download.path())!);
  expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');
  expect(zip.includes(Buffer.from('data.json'))).toBe(true);

  await deletion.getByRole('button', { name: 'Request deletion' }).click();
  const dialog = page.getByRole('dialog', { name: 'Ask to delete your personal data?' });
  await expect(dialog).toContainText('within 30 days');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await expectNoAxeViolations(page);
  await snap(page, 'profile-privacy-confirm');
  await dialog.getByRole('button', { name: 'Request deletion' }).click();
  await expect(dialog).toBeHidden();
  const due = new Date(Date.now() + 30 * 86_400_000);
  const dueText = await page.evaluate((iso) => new Intl.DateTimeFormat(undefined, { dateStyle: 'long' }).format(new Date(iso)), due.toISOString());
  await expect(deletion).toContainText(`will complete it by ${dueText}`);
  await snap(page, 'profile-privacy-requested');

  // It survives a reload, and can be withdrawn.
  await page.reload();
  await deletion.getByRole('button', { name: 'Withdraw the request' }).click();
  await expect(deletion).toContainText('You withdrew your request');
  await expect(deletion.getByRole('button', { name: 'Request deletion' })).toBeVisible();
  expect(problems).toEqual([]);
});

test('an administrator completes a deletion request', async ({ page, request }) => {
  const problems = watchForProblems(page);
  const artistEmail = `del.${id}@example.com`;
  const link = await invite(request, admin.tokens.access_token, artistEmail);
  const artist = await registerFromInvitation(request, link, { password: 'Lantern-Pebble-Oboe-91', first_name: 'Dora', last_name: 'Lethe' });
  const asked = await request.post(`${BASE_URL}/api/v1/me/deletion-request`, { headers: { authorization: `Bearer ${artist.tokens.access_token}` } });
  expect(asked.status(), await asked.text()).toBe(201);

  await page.goto('/admin');
  await expect(page.getByRole('link', { name: /Deletion requests/ })).toBeVisible();
  await expectNoAxeViolations(page);
  await snap(page, 'admin');
  await page.getByRole('link', { name: /Deletion requests/ }).click();
  await expect(page).toHaveURL(/\/admin\/deletion-requests$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Deletion requests' })).toBeVisible();
  const list = page.getByRole('list', { name: 'Deletion requests' });
  const row = list.getByRole('listitem').filter({ hasText: 'Dora Lethe' });
  await expect(row).toContainText(artistEmail);
  await expect(row).toContainText('Open');
  await expect(row).not.toContainText('Overdue');
  await expectNoAxeViolations(page);
  await expectFitsScreen(page);
  await snap(page, 'admin-deletion-requests');

  await test.step('an overdue request is marked in red', async () => {
    // Thirty days cannot pass in a test: the list answer is marked overdue on its way in.
    await page.route('**/api/v1/admin/deletion-requests?*', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { data: { overdue: boolean }[] };
      await route.fulfill({ response, json: { ...body, data: body.data.map((r) => ({ ...r, overdue: true })) } });
    });
    await page.reload();
    const overdue = page.getByRole('list', { name: 'Deletion requests' }).getByRole('listitem').filter({ hasText: 'Dora Lethe' });
    await expect(overdue.getByText('Overdue')).toBeVisible();
    await expect(overdue.getByText(/^due /)).toHaveCSS('color', 'rgb(198, 40, 40)');
    await expectNoAxeViolations(page);
    await snap(page, 'admin-deletion-requests-overdue');
    await page.unrouteAll();
    await page.reload();
  });

  await row.getByRole('button', { name: 'Complete the deletion request of Dora Lethe' }).click();
  const dialog = page.getByRole('dialog', { name: 'Erase the personal data of Dora Lethe?' });
  await expect(dialog).toContainText('This cannot be undone');
  await expectNoAxeViolations(page);
  await snap(page, 'admin-deletion-confirm');
  await dialog.getByRole('button', { name: 'Erase and complete' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'The personal data of Dora Lethe is erased.' })).toBeVisible();
  await expect(page.getByText('No open requests')).toBeVisible();

  await page.getByLabel('Show').selectOption('completed');
  const done = page.getByRole('list', { name: 'Deletion requests' }).getByRole('listitem');
  await expect(done).toHaveCount(1);
  await expect(done).toContainText('Deleted user');
  await expect(done).toContainText('Completed');
  await expect(done.getByRole('button')).toHaveCount(0);
  await snap(page, 'admin-deletion-requests-completed');
  expect(problems).toEqual([]);
});

test('people without the administrator role do not see deletion requests', async ({ page, request, context }) => {
  const link = await invite(request, admin.tokens.access_token, `acct.${id}@example.com`, 'accountant');
  const accountant = await registerFromInvitation(request, link, { password: 'Granite-Ledger-Window-38', first_name: 'Abe', last_name: 'Count' });
  // Replaces the administrator's refresh cookie of beforeEach.
  await useSession(context, accountant);
  await page.goto('/admin');
  await expect(page.getByRole('heading', { level: 1, name: 'Admin' })).toBeVisible();
  await expect(page.getByRole('link', { name: /People/ })).toBeVisible();
  await expect(page.getByRole('link', { name: /Deletion requests/ })).toHaveCount(0);
  await page.goto('/admin/deletion-requests');
  await expect(page.getByText('You do not have access to deletion requests')).toBeVisible();
});
