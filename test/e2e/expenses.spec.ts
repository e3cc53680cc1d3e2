import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import {
  BASE_URL, expectFitsScreen, expectNoAxeViolations, invite, registerFromInvitation, runId, sessionFactory, signUpOrganization, snap, watchForProblems,
  type SignedInAnswer,
} from './support.js';

/**
 * Seed 004's expense journey against the real server, OCR included: an artist on a phone
 * photographs a receipt, the portal reads the amount, the artist submits it; an accountant
 * approves it from the queue with the keyboard. A larger claim (1,200) is beyond the accountant's
 * limit: not in their queue, refused by the API, explained on its page; the finance director
 * approves it, batches both, exports the bank file and marks the batch paid; the artist sees
 * "Paid". Offline, a claim waits on the phone and is sent once when the network is back — even
 * when the first answer is lost and the same request is replayed.
 */

const RECEIPT = path.resolve('test/fixtures/receipts/receipt-gps.jpg');
/** The date printed on the receipt fixture: what OCR must read, whatever today is. */
const PRINTED_DATE = '2026-11-14';
/**
 * Days before today in the organization's time zone (new organizations keep seed 000's
 * America/New_York), as the date field and the server read them. The server takes claims of the
 * last 90 days, so every date the journeys submit is counted back from today.
 */
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
/**
 * The dinner is claimed with the date OCR read while that date is inside the window (with a
 * margin); once the fixture's date has aged out of it, the artist corrects it to a recent one.
 */
const dinnerDate = PRINTED_DATE >= daysAgo(80) && PRINTED_DATE <= daysAgo(14) ? PRINTED_DATE : daysAgo(20);
const hotelDate = daysAgo(3);
const RECEIPT_PNG = path.resolve('test/fixtures/receipts/receipt.png');
const id = runId();
const bistro = 'CORNER BISTRO & CAFE';
const hotel = `Grand Hotel ${id}`;
const nightBus = `Night Bus ${id}`;

let request: APIRequestContext;
let admin: SignedInAnswer;
let artist: SignedInAnswer;
let accountant: SignedInAnswer;
let artistSession: ReturnType<typeof sessionFactory>;
let accountantSession: ReturnType<typeof sessionFactory>;
let directorSession: ReturnType<typeof sessionFactory>;

test.beforeAll(async ({ playwright }) => {
  request = await playwright.request.newContext();
  admin = await signUpOrganization(request, {
    name: `Lantern Theatre ${id}`, slug: `lantern-${id}`, email: `ada.${id}@example.com`, password: 'Amber-Lantern-Oboe-58', first_name: 'Ada', last_name: 'Admin',
  });
  const join = async (email: string, role: string, first: string, last: string, password: string) =>
    registerFromInvitation(request, await invite(request, admin.tokens.access_token, email, role), { password, first_name: first, last_name: last });
  artist = await join(`rosa.${id}@example.com`, 'artist', 'Rosa', 'Singer', 'Violet-Harbour-Cello-21');
  accountant = await join(`abel.${id}@example.com`, 'accountant', 'Abel', 'Ledger', 'Copper-Kettle-Basin-73');
  const director = await join(`fiona.${id}@example.com`, 'finance_director', 'Fiona', 'Director', 'Silver-Forest-Drum-85');
  artistSession = sessionFactory(request, artist);
  accountantSession = sessionFactory(request, accountant);
  directorSession = sessionFactory(request, director);
});

interface ExpenseAnswer {
  id: string;
  possible_duplicates?: string[];
  merchant: string;
  amount: string;
  status: string;
  receipts?: { id: string }[];
}

/** The artist's expenses with these words, through the API. */
async function artistExpenses(words: string): Promise<ExpenseAnswer[]> {
  const res = await request.get(`${BASE_URL}/api/v1/expenses?q=${encodeURIComponent(words)}`, { headers: { authorization: `Bearer ${artist.tokens.access_token}` } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { data: ExpenseAnswer[] }).data;
}

/** A desktop browser for an office role. */
async function desk(browser: Browser, signIn: ReturnType<typeof sessionFactory>) {
  const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 1280, height: 800 } });
  await signIn(context);
  return { context, page: await context.newPage() };
}

/** The entry of an expense in a list. */
const row = (page: Page, list: string, text: string) => page.getByRole('list', { name: list, exact: true }).getByRole('listitem').filter({ hasText: text });

/** Office screens are for desks, but fit a phone too. */
async function fitsPhone(page: Page) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 375, height: 812 });
  await expectFitsScreen(page);
  if (size) await page.setViewportSize(size);
}

async function photograph(page: Page, file: string) {
  const camera = page.getByTestId('receipt-camera');
  await expect(camera).toHaveAttribute('capture', 'environment');
  await expect(camera).toHaveAttribute('accept', 'image/*,application/pdf');
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Take a photo of the receipt' }).click();
  await (await chooser).setFiles(file);
}

test('an artist claims a photographed receipt; approvals follow the limits; the batch is paid and the artist sees it', async ({ page, context, browser }) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 375, height: 812 });
  await artistSession(context);
  // 400: a date outside the submission window, answered by the server at its field.
  const problems = watchForProblems(page, { allowStatus: [400] });

  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Expenses' }).click();
  await expect(page).toHaveURL('/expenses');
  await expect(page.getByRole('heading', { level: 1, name: 'Expenses' })).toBeFocused();
  await expect(page.getByText('No expenses yet')).toBeVisible();
  // An artist has no approval or payment sections.
  await expect(page.getByRole('navigation', { name: 'Expenses' })).toHaveCount(0);
  await expectFitsScreen(page);
  await expectNoAxeViolations(page);
  await snap(page, 'expenses-empty');

  // Camera first: the photo is read and the amount, date and merchant are filled in.
  await page.getByRole('link', { name: 'New expense' }).first().click();
  await expect(page).toHaveURL('/expenses/new');
  await expect(page.getByRole('heading', { level: 1, name: 'New expense' })).toBeVisible();
  await expect(page.getByLabel('Currency')).toHaveValue('USD');
  await expectFitsScreen(page);
  await expectNoAxeViolations(page);
  await snap(page, 'expenses-new');

  await photograph(page, RECEIPT);
  await expect(page.getByLabel('Amount')).toHaveValue('125.50', { timeout: 60_000 });
  await expect(page.getByLabel('Date')).toHaveValue(PRINTED_DATE);
  await expect(page.getByLabel('Merchant')).toHaveValue(/CORNER BISTRO/);
  if (dinnerDate !== PRINTED_DATE) await page.getByLabel('Date').fill(dinnerDate);
  // The thumbnail is the server's copy, through a signed link.
  await expect(page.getByRole('img', { name: /Receipt/ })).toHaveAttribute('src', /\/api\/v1\/files\/download\//);
  await page.getByLabel('Category').selectOption({ label: 'Meals' });
  await page.getByLabel('What was it for?').fill('Cast dinner after the dress rehearsal');
  await expectFitsScreen(page);
  await expectNoAxeViolations(page);
  await snap(page, 'expenses-receipt-read');
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await expect(page).toHaveURL('/expenses');
  await expect(page.getByText('Submitted. Waiting for approval.')).toBeVisible();
  await expect(row(page, 'Expenses', bistro)).toContainText('Submitted');
  await expect(row(page, 'Expenses', bistro)).toContainText('$125.50');

  // A larger claim: the same photo, the amount corrected by hand; a date the server refuses first.
  await page.getByRole('link', { name: 'New expense' }).first().click();
  await photograph(page, RECEIPT);
  await expect(page.getByLabel('Amount')).toHaveValue('125.50', { timeout: 60_000 });
  await page.getByLabel('Amount').fill('1200');
  await page.getByLabel('Merchant').fill(hotel);
  await page.getByLabel('Category').selectOption({ label: 'Accommodation' });
  await page.getByLabel('What was it for?').fill('Two nights on the regional tour');
  await page.getByLabel('Date').fill(daysAgo(120));
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await expect(page.getByText('Older than the 90-day submission window', { exact: true })).toBeVisible();
  await expect(page.getByLabel('Date')).toHaveAttribute('aria-invalid', 'true');
  await expectFitsScreen(page);
  await snap(page, 'expenses-field-error');
  await page.getByLabel('Date').fill(hotelDate);
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await expect(page).toHaveURL('/expenses');
  await expect(row(page, 'Expenses', hotel)).toContainText('Submitted');
  await expect(row(page, 'Expenses', hotel)).toContainText('$1,200.00');
  await expectFitsScreen(page);
  await expectNoAxeViolations(page);
  await snap(page, 'expenses-history');
  await page.getByRole('button', { name: 'Filter by date' }).click();
  // From a day after the dinner up to the hotel night: only the hotel.
  await page.getByLabel('From').fill(daysAgo(10));
  await expect(page.getByRole('status').filter({ hasText: 'Showing 1 expense matching your search' })).toBeVisible();
  await expect(row(page, 'Expenses', hotel)).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByLabel('From').fill('');
  await expect(page.getByRole('status').filter({ hasText: 'Showing 2 expenses' })).toBeVisible();
  const [hotelClaim] = await artistExpenses(hotel);
  expect(hotelClaim).toMatchObject({ amount: '1200.00', status: 'submitted' });

  // The accountant approves the dinner with the keyboard; the hotel is not in their queue.
  const acc = await desk(browser, accountantSession);
  const accProblems = watchForProblems(acc.page);
  await acc.page.goto('/expenses/approvals');
  await expect(acc.page.getByRole('heading', { level: 1, name: 'Approvals' })).toBeVisible();
  await expect(acc.page.getByText('up to your approval limit of $1,000.00')).toBeVisible();
  await expect(acc.page.getByText('Keyboard:')).toBeVisible();
  const queue = acc.page.getByRole('list', { name: 'Claims waiting for approval' });
  await expect(queue.getByRole('listitem')).toHaveCount(1);
  await expect(queue).toContainText(bistro);
  await expect(queue).not.toContainText(hotel);
  const claim = acc.page.getByRole('region', { name: bistro });
  await expect(claim.getByRole('img', { name: /Receipt from/ })).toBeVisible();
  await expect(claim).toContainText('Rosa Singer');
  await expectNoAxeViolations(acc.page);
  await snap(acc.page, 'expenses-approvals');
  await fitsPhone(acc.page);
  await acc.page.keyboard.press('a');
  await expect(acc.page.getByText(`Approved: ${bistro}, $125.50.`)).toBeVisible();
  await expect(acc.page.getByText('Nothing waits for you')).toBeVisible();
  await snap(acc.page, 'expenses-approvals-empty');

  // Above the accountant's limit: the API refuses, the claim's page says who must approve it.
  const refused = await request.post(`${BASE_URL}/api/v1/expenses/${hotelClaim!.id}/approve`, { data: {}, headers: { authorization: `Bearer ${accountant.tokens.access_token}` } });
  expect(refused.status()).toBe(403);
  expect(((await refused.json()) as { type: string }).type).toBe('insufficient_approval_limit');
  await acc.page.goto(`/expenses/${hotelClaim!.id}`);
  await expect(acc.page.getByRole('heading', { level: 1, name: hotel })).toBeVisible();
  await expect(acc.page.getByText('Above your approval limit: it needs a finance director.')).toBeVisible();
  await expect(acc.page.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  await expectNoAxeViolations(acc.page);
  await snap(acc.page, 'expenses-above-limit');
  await fitsPhone(acc.page);
  expect(accProblems).toEqual([]);
  await acc.context.close();

  // The finance director approves the hotel (selected with X, approved in bulk), then pays both.
  const fd = await desk(browser, directorSession);
  const fdProblems = watchForProblems(fd.page);
  await fd.page.goto('/expenses');
  await fd.page.getByRole('navigation', { name: 'Expenses' }).getByRole('link', { name: 'Approvals' }).click();
  await expect(fd.page).toHaveURL('/expenses/approvals');
  const fdQueue = fd.page.getByRole('list', { name: 'Claims waiting for approval' });
  await expect(fdQueue.getByRole('listitem')).toHaveCount(1);
  await expect(fdQueue).toContainText(hotel);
  await fd.page.keyboard.press('x');
  await expect(fd.page.getByRole('checkbox', { name: `Select ${hotel}, Rosa Singer` })).toBeChecked();
  await expect(fd.page.getByText('1 selected, $1,200.00')).toBeVisible();
  await fd.page.getByRole('button', { name: 'Approve selected' }).click();
  await expect(fd.page.getByText('Approved 1 claim.')).toBeVisible();
  await expect(fd.page.getByText('Nothing waits for you')).toBeVisible();

  await fd.page.getByRole('navigation', { name: 'Expenses' }).getByRole('link', { name: 'Payments' }).click();
  await expect(fd.page.getByRole('heading', { level: 1, name: 'Payments' })).toBeVisible();
  const ready = fd.page.getByRole('list', { name: 'Approved claims' });
  await expect(ready.getByRole('listitem')).toHaveCount(2);
  await expect(fd.page.getByText('No batches yet')).toBeVisible();
  await expectNoAxeViolations(fd.page);
  await snap(fd.page, 'expenses-payments');
  await fitsPhone(fd.page);
  await fd.page.getByRole('checkbox', { name: 'Select every approved claim' }).check();
  await expect(fd.page.getByText('2 selected, $1,325.50')).toBeVisible();
  await fd.page.getByRole('button', { name: 'Create payment batch' }).click();
  await expect(fd.page.getByText(/Batch PAY-\d{8}-[0-9A-F]{6} created: 2 claims, \$1,325\.50\./)).toBeVisible();
  await expect(fd.page.getByText('Nothing to pay')).toBeVisible();
  const batch = fd.page.getByRole('list', { name: 'Payment batches' }).getByRole('listitem').first();
  await expect(batch).toContainText('Processing');
  await expect(batch).toContainText('$1,325.50');

  const download = fd.page.waitForEvent('download');
  await batch.getByRole('button', { name: /Export PAY-.* as CSV/ }).click();
  const csv = fs.readFileSync((await (await download).path())!, 'utf8');
  expect(csv).toMatch(/^\uFEFFbatch_reference,payee_name,payee_email,amount,currency/);
  expect(csv).toContain(`Rosa Singer,rosa.${id}@example.com,1325.50,USD,2`);
  // The finance director may add the payees' bank accounts (Rosa has none on file: empty columns).
  const withBank = fd.page.waitForEvent('download');
  await batch.getByRole('button', { name: /Export PAY-.* with bank details/ }).click();
  const bankCsv = fs.readFileSync((await (await withBank).path())!, 'utf8');
  expect(bankCsv.split('\r\n')[0]).toMatch(/,account_holder,iban,routing_number,account_number$/);
  expect(bankCsv).toContain(`Rosa Singer,rosa.${id}@example.com,1325.50,USD,2`);

  await batch.getByRole('button', { name: /Mark PAY-.* as paid/ }).click();
  const confirm = fd.page.getByRole('dialog', { name: /Mark PAY-.* as paid\?/ });
  await confirm.getByRole('button', { name: 'Mark paid' }).click();
  await expect(confirm).toBeHidden();
  await expect(batch).toContainText('Paid');
  await expect(batch.getByRole('button', { name: /Mark .* as paid/ })).toHaveCount(0);
  await expectNoAxeViolations(fd.page);
  await snap(fd.page, 'expenses-payments-paid');
  await fitsPhone(fd.page);
  expect(fdProblems).toEqual([]);
  await fd.context.close();

  // The artist sees both claims paid.
  await page.reload();
  await expect(row(page, 'Expenses', bistro)).toContainText('Paid');
  await expect(row(page, 'Expenses', hotel)).toContainText('Paid');
  await row(page, 'Expenses', hotel).getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name: hotel })).toBeVisible();
  await expect(page.getByText('Approved by Fiona Director')).toBeVisible();
  await expect(page.getByText(/^Paid by Fiona Director$/)).toBeVisible();
  await expectFitsScreen(page);
  await expectNoAxeViolations(page);
  await snap(page, 'expenses-paid-detail');
  expect(problems).toEqual([]);
});

test('offline, a claim waits on the phone and is sent exactly once when the network is back', async ({ page, context }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 375, height: 812 });
  await artistSession(context);
  await page.goto('/expenses');
  await expect(page.getByRole('heading', { level: 1, name: 'Expenses' })).toBeVisible();
  // Loaded while online: the categories (kept on the device for the offline form) and the list.
  await expect(page.getByLabel('Category').locator('option')).toHaveCount(7);
  await expect(page.getByRole('progressbar', { name: 'Loading expenses' })).toHaveCount(0);
  await page.waitForLoadState('networkidle');

  await context.setOffline(true);
  await expect(page.getByText('You are offline.')).toBeVisible();
  await page.getByRole('link', { name: 'New expense' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'New expense' })).toBeVisible();
  await photograph(page, RECEIPT_PNG);
  await expect(page.getByText('the photo is kept on this device')).toBeVisible();
  await page.getByLabel('Amount').fill('42.00');
  await page.getByLabel('Merchant').fill(nightBus);
  await page.getByLabel('Category').selectOption({ label: 'Transportation' });
  await page.getByLabel('What was it for?').fill('Night bus home after the late show');
  await expectFitsScreen(page);
  await expectNoAxeViolations(page);
  await snap(page, 'expenses-new-offline');
  await page.getByRole('button', { name: 'Submit for approval' }).click();

  await expect(page).toHaveURL('/expenses');
  await expect(page.getByText('Saved on this device: it is sent as soon as you are back online.')).toBeVisible();
  const waiting = page.getByRole('region', { name: '1 waiting to send' });
  await expect(waiting).toBeVisible();
  await expect(waiting).toContainText(`${nightBus}, $42.00`);
  await expect(waiting).toContainText('To submit, with receipt photo · waiting for a connection');
  await expectFitsScreen(page);
  await expectNoAxeViolations(page);
  await snap(page, 'expenses-queued');
  expect(await artistExpenses(nightBus)).toHaveLength(0);

  // Back online, the first answer is lost on the way: the claim stays queued, and the replay
  // with the same Idempotency-Key gets the first answer back instead of making a second claim.
  const keys: string[] = [];
  let lost = false;
  await page.route(`${BASE_URL}/api/v1/expenses`, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    keys.push(route.request().headers()['idempotency-key'] ?? '');
    if (lost) return route.continue();
    lost = true;
    await route.fetch();
    await route.abort('connectionreset');
  });
  await context.setOffline(false);
  await expect(page.getByText('You are offline.')).toBeHidden();
  await expect.poll(async () => (await artistExpenses(nightBus)).length).toBe(1);
  await expect(waiting).toContainText(`${nightBus}, $42.00`);
  await expect(waiting).toContainText('waiting');

  await page.getByRole('button', { name: 'Send now' }).click();
  await expect(page.getByRole('region', { name: /waiting to send/ })).toHaveCount(0, { timeout: 60_000 });
  expect(keys.length).toBe(2);
  expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
  expect(keys[1]).toBe(keys[0]);

  const sent = await artistExpenses(nightBus);
  expect(sent).toHaveLength(1);
  // 42.00 is under the automatic limit: approved as soon as it is submitted, with its photo.
  expect(sent[0]!.status).toBe('approved');
  const detail = await request.get(`${BASE_URL}/api/v1/expenses/${sent[0]!.id}`, { headers: { authorization: `Bearer ${artist.tokens.access_token}` } });
  expect(((await detail.json()) as ExpenseAnswer).receipts).toHaveLength(1);
  await expect(row(page, 'Expenses', nightBus)).toContainText('Approved');
});

test('a duplicate claim is flagged, rejected from the keyboard with a reason, corrected and submitted again', async ({ page, context, browser }) => {
  test.setTimeout(120_000);
  const as = (who: SignedInAnswer) => ({ authorization: `Bearer ${who.tokens.access_token}` });
  // A category without receipts (administrators make them), and the same claim made twice.
  const category = await request.post(`${BASE_URL}/api/v1/expense-categories`, { data: { name: 'Per diem', code: 'PER_DIEM', requires_receipt: false }, headers: as(admin) });
  expect(category.status(), await category.text()).toBe(201);
  const perDiem = `Tour per diem ${id}`;
  const claim = async () => {
    const created = await request.post(`${BASE_URL}/api/v1/expenses`, {
      data: { category_id: ((await category.json()) as { id: string }).id, amount: '250.00', expense_date: daysAgo(6), merchant: perDiem, description: 'Three days in Leeds' },
      headers: as(artist),
    });
    expect(created.status(), await created.text()).toBe(201);
    const submitted = await request.post(`${BASE_URL}/api/v1/expenses/${((await created.json()) as ExpenseAnswer).id}/submit`, { data: {}, headers: as(artist) });
    expect(submitted.status(), await submitted.text()).toBe(200);
    return (await submitted.json()) as ExpenseAnswer;
  };
  const first = await claim();
  const second = await claim();
  expect(second.possible_duplicates).toEqual([first.id]);

  const acc = await desk(browser, accountantSession);
  const accProblems = watchForProblems(acc.page);
  await acc.page.goto('/expenses/approvals');
  const queue = acc.page.getByRole('list', { name: 'Claims waiting for approval' });
  await expect(queue.getByRole('listitem').filter({ hasText: perDiem })).toHaveCount(2);
  // Newest first: the duplicate is open; J and K move between the claims.
  const duplicateRow = queue.getByRole('listitem').filter({ hasText: 'Possible duplicate' });
  await expect(duplicateRow.getByRole('button')).toHaveAttribute('aria-current', 'true');
  const detail = acc.page.getByRole('region', { name: perDiem });
  await expect(detail.getByText('Possible duplicate.')).toBeVisible();
  await expect(detail.getByRole('link', { name: 'claim 1' })).toHaveAttribute('href', `/expenses/${first.id}`);
  await expectNoAxeViolations(acc.page);
  await snap(acc.page, 'expenses-approvals-duplicate');
  await fitsPhone(acc.page);
  await acc.page.keyboard.press('j');
  await expect(duplicateRow.getByRole('button')).not.toHaveAttribute('aria-current', 'true');
  await expect(detail.getByText('Possible duplicate.')).toHaveCount(0);
  await acc.page.keyboard.press('k');
  await expect(duplicateRow.getByRole('button')).toHaveAttribute('aria-current', 'true');

  // R asks for the reason, which is required.
  await acc.page.keyboard.press('r');
  const reject = acc.page.getByRole('dialog', { name: 'Reject this claim?' });
  await expect(reject.getByLabel('Reason')).toBeFocused();
  await reject.getByRole('button', { name: 'Reject' }).click();
  await expect(reject.getByText('Say why, so the artist can fix it')).toBeVisible();
  await reject.getByLabel('Reason').fill('Claimed twice: the first claim covers these days.');
  await expectNoAxeViolations(acc.page);
  await snap(acc.page, 'expenses-reject-dialog');
  await reject.getByRole('button', { name: 'Reject' }).click();
  await expect(reject).toBeHidden();
  await expect(acc.page.getByText(`Rejected: ${perDiem}. Rosa Singer is told why.`)).toBeVisible();
  await expect(queue.getByRole('listitem').filter({ hasText: perDiem })).toHaveCount(1);
  expect(accProblems).toEqual([]);
  await acc.context.close();

  // The artist sees why, corrects the claim and sends it again.
  await page.setViewportSize({ width: 375, height: 812 });
  await artistSession(context);
  const problems = watchForProblems(page);
  await page.goto('/expenses');
  const rejected = row(page, 'Expenses', 'Claimed twice: the first claim covers these days.');
  await expect(rejected).toContainText('Rejected');
  await expect(rejected).toContainText(perDiem);
  await expectFitsScreen(page);
  await snap(page, 'expenses-rejected');
  await rejected.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name: perDiem })).toBeVisible();
  await expect(page.getByText('Reason for rejecting:')).toBeVisible();
  await expect(page.getByLabel('Amount')).toHaveValue('250.00');
  await page.getByLabel('Amount').fill('120.00');
  await page.getByLabel('What was it for?').fill('One extra day in Leeds (the first claim covers the other two)');
  await expectFitsScreen(page);
  await expectNoAxeViolations(page);
  await snap(page, 'expenses-correct-rejected');
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await expect(page).toHaveURL('/expenses');
  await expect(page.getByText('Submitted. Waiting for approval.')).toBeVisible();
  const corrected = (await artistExpenses(perDiem)).find((e) => e.id === second.id);
  expect(corrected).toMatchObject({ amount: '120.00', status: 'submitted', possible_duplicates: [] });
  expect(problems).toEqual([]);
});
