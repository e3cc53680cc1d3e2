import { expect, test, type APIRequestContext } from '@playwright/test';
import {
  BASE_URL, expectNoAxeViolations, invite, newestMail, postPatiently, registerFromInvitation, runId, sessionFactory, signUpOrganization, watchForProblems,
  type SignedInAnswer,
} from './support.js';

/**
 * Issue 3 item 10 in the browser: an administrator resends one invitation (the old link stops
 * working, a new one is e-mailed), revokes another (its link stops working) and changes a
 * member's role; the member signs out another device and changes the password from Security.
 */
test.describe.configure({ mode: 'serial' });

const id = runId();
const member = { first_name: 'Noor', last_name: `Haddad${id}`, email: `noor.${id}@example.com`, password: 'Lantern-Harbour-Viola-41' };
const resendTo = `resend.${id}@example.com`;
const revokeTo = `revoke.${id}@example.com`;
let admin: SignedInAnswer;
let links: { resend: string; revoke: string };

/** What the accept page's preview answers for a link (200 for a usable one). */
const preview = (request: APIRequestContext, acceptUrl: string) =>
  request.post(`${BASE_URL}/api/v1/auth/invitations/preview`, { data: { token: new URL(acceptUrl).searchParams.get('token') } });

test.beforeAll(async ({ playwright }) => {
  const request = await playwright.request.newContext();
  admin = await signUpOrganization(request, {
    name: `Lyric Stage ${id}`, slug: `lyric-${id}`, email: `lena.${id}@example.com`, password: 'Balcony-Spotlight-Drum-92', first_name: 'Lena', last_name: 'Admin',
  });
  await registerFromInvitation(request, await invite(request, admin.tokens.access_token, member.email), member);
  links = { resend: await invite(request, admin.tokens.access_token, resendTo), revoke: await invite(request, admin.tokens.access_token, revokeTo, 'accountant') };
});

test('an administrator resends and revokes invitations and changes a role', async ({ browser, request }) => {
  const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 1280, height: 800 } });
  await sessionFactory(request, admin)(context);
  const page = await context.newPage();
  const problems = watchForProblems(page);
  await page.goto('/admin/people');
  await expect(page.getByRole('heading', { level: 1, name: 'People' })).toBeVisible();
  const pending = page.getByRole('list', { name: 'Pending invitations' });
  await expect(pending.getByRole('listitem')).toHaveCount(2);

  // Resend: a new link by e-mail; the first one no longer opens the accept page.
  expect((await preview(request, links.resend)).status()).toBe(200);
  await pending.getByRole('button', { name: `Send the invitation of ${resendTo} again` }).click();
  await expect(page.getByText('A new invitation e-mail is on its way; the earlier link no longer works.')).toBeVisible();
  expect((await preview(request, links.resend)).status()).toBe(401);
  // The e-mail goes out through the job queue: wait for the one with the new link.
  const newestLink = async () => (await newestMail(resendTo, /https?:\/\/\S+token=[\w-]+/)).match[0];
  await expect.poll(newestLink, { timeout: 15_000 }).not.toBe(links.resend);
  const fresh = await newestLink();
  expect((await preview(request, fresh)).status()).toBe(200);

  // Revoke: gone from the list, and its link refused.
  await pending.getByRole('button', { name: `Revoke the invitation of ${revokeTo}` }).click();
  await expect(pending.getByRole('listitem')).toHaveCount(1);
  await expect(pending).not.toContainText(revokeTo);
  const refused = await preview(request, links.revoke);
  expect(refused.status()).toBe(401);
  expect(await refused.json()).toMatchObject({ type: expect.stringMatching(/invalid_token$/) });

  // Role change: the member becomes a production manager, told on screen and kept by the server.
  const members = page.getByRole('list', { name: 'Members' });
  await members.getByLabel(`Role of ${member.first_name} ${member.last_name}`).selectOption('production_manager');
  await expect(page.getByRole('alert').filter({ hasText: `${member.first_name} ${member.last_name} is now production manager` })).toBeVisible();
  const listed = await request.get(`${BASE_URL}/api/v1/members?q=${encodeURIComponent(member.email)}`, { headers: { authorization: `Bearer ${admin.tokens.access_token}` } });
  expect(((await listed.json()) as { data: { email: string; role: string }[] }).data).toEqual([expect.objectContaining({ email: member.email, role: 'production_manager' })]);
  await expectNoAxeViolations(page);
  expect(problems).toEqual([]);
  await context.close();
});

test('a member signs out another device and changes the password', async ({ browser, request }) => {
  // The role change ended the member's sessions: sign in twice, as a phone and as this browser.
  const signIn = async () => {
    const res = await postPatiently(request, `${BASE_URL}/api/v1/auth/login`, { data: { email: member.email, password: member.password }, headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1' } });
    expect(res.status(), await res.text()).toBe(200);
    return (await res.json()) as SignedInAnswer;
  };
  const phone = await signIn();
  const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
  await sessionFactory(request, phone)(context);
  const page = await context.newPage();
  const problems = watchForProblems(page);
  const second = await signIn();
  await page.goto('/account/security');
  await expect(page.getByRole('heading', { level: 1, name: 'Security' })).toBeVisible();
  const sessions = page.getByRole('list', { name: 'Sessions' });
  await expect(sessions.getByRole('listitem')).toHaveCount(2);
  await sessions.getByRole('button', { name: /^Sign out / }).click();
  await expect(sessions.getByRole('listitem')).toHaveCount(1);
  await expect(sessions).toContainText('This device');
  // The device signed out cannot renew its session.
  const renewed = await request.post(`${BASE_URL}/api/v1/auth/refresh`, { data: { refresh_token: second.tokens.refresh_token } });
  expect(renewed.status()).toBe(401);

  const newPassword = 'Marigold-Tenor-Harp-37';
  await page.getByRole('textbox', { name: 'Current password', exact: true }).fill(member.password);
  await page.getByRole('textbox', { name: 'New password', exact: true }).fill(newPassword);
  await page.getByRole('textbox', { name: 'Repeat the new password', exact: true }).fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: /password/i })).toBeVisible();
  await expectNoAxeViolations(page);
  const withOld = await postPatiently(request, `${BASE_URL}/api/v1/auth/login`, { data: { email: member.email, password: member.password } });
  expect(withOld.status()).toBe(401);
  const withNew = await postPatiently(request, `${BASE_URL}/api/v1/auth/login`, { data: { email: member.email, password: newPassword } });
  expect(withNew.status(), await withNew.text()).toBe(200);
  expect(problems).toEqual([]);
  await context.close();
});
