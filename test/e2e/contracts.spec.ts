import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Download, type Page } from '@playwright/test';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import {
  BASE_URL, expectFitsScreen, expectNoAxeViolations, invite, registerFromInvitation, runId, sessionFactory, signUpOrganization, snap, watchForProblems,
} from './support.js';

/**
 * Seed 004's contract journey in the browser, against the real server: an administrator uploads a
 * PDF (dropped on the upload zone, progress shown, a date outside the production refused at its
 * field) and assigns it to three artists; the first opens it on a phone, reads it in the PDF
 * viewer and signs with a typed name, the second declines with a reason, and the administrator
 * sees signed / declined with the reason / sent. The signed PDFs downloaded from the browser —
 * by the signer and by the administrator — verify with Debian's pdfsig and qpdf. A second
 * contract goes to the third artist through the dashboard's bulk assignment and is signed with a
 * drawn signature.
 */

test.describe.configure({ mode: 'serial' });

const id = runId();
const title = `Engagement ${id}`;
const amendmentTitle = `Touring rider ${id}`;
const people = [
  { first_name: 'Ada', last_name: `Lovell${id}`, email: `ada.${id}@example.com`, password: 'Harbour-Lantern-Cello-58' },
  { first_name: 'Bo', last_name: `Reyes${id}`, email: `bo.${id}@example.com`, password: 'Meadow-Copper-Flute-26' },
  { first_name: 'Cy', last_name: `Tanaka${id}`, email: `cy.${id}@example.com`, password: 'Orchid-Granite-Oboe-73' },
] as const;
const fullName = (p: (typeof people)[number]) => `${p.first_name} ${p.last_name}`;

/**
 * Days from today in the organization's time zone (seed 000's America/New_York), as the server
 * reads dates: the production runs a month from now for about four months, and the signing
 * deadline is half a year away, so the server (which refuses past deadlines) takes them on any day.
 */
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
const production = { start: inDays(30), end: inDays(140) };
const signingDeadline = inDays(180);

let adminSession: ReturnType<typeof sessionFactory>;
const artistSessions: ReturnType<typeof sessionFactory>[] = [];
let productionName = '';
let contractUrl = '';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'contracts-e2e-'));

/** A small real PDF: two pages of text, and optionally an attachment of `padding` bytes to make it big. */
async function makePdf(heading: string, padding = 0): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let n = 1; n <= 2; n++) {
    const page = doc.addPage([595, 842]);
    page.drawText(heading, { x: 56, y: 770, size: 22, font, color: rgb(0.05, 0.16, 0.36) });
    const lines = n === 1
      ? ['This engagement contract is made between the company and the artist.', 'The artist agrees to rehearse and perform as scheduled.', 'Fee, payments and dates are set out in the terms.']
      : ['Signatures', 'Both parties sign electronically through the BIG Live Portal.'];
    lines.forEach((line, i) => page.drawText(line, { x: 56, y: 720 - i * 22, size: 12, font }));
    page.drawText(`Page ${n} of 2`, { x: 56, y: 40, size: 10, font });
  }
  // Incompressible filler in an attachment: makes the upload big enough to watch it progress.
  if (padding) await doc.attach(randomBytes(padding), 'filler.bin', { mimeType: 'application/octet-stream' });
  return Buffer.from(await doc.save());
}

/** pdfsig's report of a signed PDF (it exits 0 whatever it finds, so the text is what counts). */
function pdfsig(file: string): string {
  return execFileSync('pdfsig', [file], { encoding: 'utf8' });
}

function expectValidSignedPdf(file: string) {
  expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
  const report = pdfsig(file);
  expect(report).toContain('Signature Validation: Signature is Valid.');
  // qpdf --check exits non-zero on a damaged file.
  expect(execFileSync('qpdf', ['--check', file], { encoding: 'utf8' })).toContain('No syntax or stream encoding errors');
}

async function saveDownload(download: Download, name: string) {
  const file = path.join(work, name);
  await download.saveAs(file);
  return file;
}

/** Drops a file on the upload zone as a person dragging it from their desktop would. */
async function dropFile(page: Page, bytes: Buffer, name: string, type: string) {
  const dataTransfer = await page.evaluateHandle(({ b64, name, type }) => {
    const raw = atob(b64);
    const data = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) data[i] = raw.charCodeAt(i);
    const transfer = new DataTransfer();
    transfer.items.add(new File([data], name, { type }));
    return transfer;
  }, { b64: bytes.toString('base64'), name, type });
  await page.getByTestId('file-drop').dispatchEvent('dragover', { dataTransfer });
  await page.getByTestId('file-drop').dispatchEvent('drop', { dataTransfer });
}

/**
 * A link to the portal that carries uploads at about `bytesPerSecond` (answers at full speed): on
 * this machine an upload otherwise takes milliseconds, too fast to see its progress. The browser's
 * upload progress follows the bytes the socket takes, so it moves as it would on a slow network.
 * (A test-only link: it also rewrites the requests' Origin header to the portal's own.)
 */
async function slowUploadLink(bytesPerSecond: number): Promise<{ origin: string; close: () => Promise<void> }> {
  const target = Number(new URL(BASE_URL).port);
  const sockets = new Set<net.Socket>();
  let origin = '';
  let originHeader = /$^/;
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      // The portal accepts session refreshes only from its own origin: requests say they come from it.
      const text = chunk.toString('latin1');
      upstream.write(origin && text.includes(origin) ? Buffer.from(text.replace(originHeader, `$1${BASE_URL}`), 'latin1') : chunk);
      client.pause();
      setTimeout(() => client.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  origin = `http://localhost:${port}`;
  originHeader = new RegExp(`^(origin: *)${origin.replace(/[.]/g, '\\.')}(?=\r$)`, 'gim');
  return {
    origin,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** Picks people in the artist multi-select by typing part of their name. */
async function pickPeople(page: Page, scope: ReturnType<Page['getByRole']>, who: readonly (typeof people)[number][]) {
  const picker = scope.getByRole('combobox', { name: 'People to assign' });
  for (const p of who) {
    await picker.fill(p.last_name);
    await page.getByRole('option', { name: new RegExp(fullName(p)) }).click();
  }
}

test.beforeAll(async ({ playwright }) => {
  const request = await playwright.request.newContext();
  const admin = await signUpOrganization(request, {
    name: `Harbour Opera ${id}`, slug: `harbour-${id}`, email: `hal.${id}@example.com`, password: 'Velvet-Curtain-Tuba-64', first_name: 'Hal', last_name: 'Admin',
  });
  adminSession = sessionFactory(request, admin);
  for (const p of people) {
    const acceptUrl = await invite(request, admin.tokens.access_token, p.email);
    artistSessions.push(sessionFactory(request, await registerFromInvitation(request, acceptUrl, p)));
  }
  productionName = `La Bohème ${id}`;
  const res = await request.post(`${BASE_URL}/api/v1/productions`, {
    data: { name: productionName, start_date: production.start, end_date: production.end },
    headers: { authorization: `Bearer ${admin.tokens.access_token}` },
  });
  expect(res.status(), await res.text()).toBe(201);
});

let closeLink: (() => Promise<void>) | null = null;

test.afterAll(async () => {
  await closeLink?.();
  fs.rmSync(work, { recursive: true, force: true });
});

test('an administrator uploads a contract with progress and assigns it to three artists', async ({ page, context }) => {
  test.setTimeout(90_000);
  await adminSession(context);
  // 400: the dates outside the production, answered at their field by the server.
  const problems = watchForProblems(page, { allowStatus: [400] });
  const link = await slowUploadLink(4_000_000);
  closeLink = link.close;
  await page.goto(`${link.origin}/`);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contracts' }).click();
  await expect(page).toHaveURL(`${link.origin}/contracts`);
  await expect(page.getByRole('heading', { level: 1, name: 'Contracts' })).toBeFocused();
  await expect(page.getByText('No contracts yet')).toBeVisible();
  await expectNoAxeViolations(page);
  await snap(page, 'contracts-empty');

  await page.getByRole('button', { name: 'Upload contract' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Upload a contract' });
  await expect(dialog).toBeVisible();

  // Nothing chosen: told before anything is sent. A wrong type: told when chosen.
  await dialog.getByRole('button', { name: 'Upload contract' }).click();
  await expect(dialog.getByText('Choose the document (PDF or DOCX)')).toBeVisible();
  await expect(dialog.getByText('Give the contract a title')).toBeVisible();
  await dialog.locator('input[type=file]').setInputFiles({ name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ not a contract') });
  await expect(dialog.getByText('setup.exe is not a PDF or Word (DOCX) document')).toBeVisible();

  // The real document, dropped on the zone; its name becomes the title, which we change.
  await dropFile(page, await makePdf(title), 'engagement-contract.pdf', 'application/pdf');
  await expect(dialog.getByText('engagement-contract.pdf')).toBeVisible();
  await expect(dialog.getByLabel('Title')).toHaveValue('engagement contract');
  await dialog.getByLabel('Title').fill(title);
  await dialog.getByLabel('Description (optional)').fill('Principal role, autumn season.');
  await dialog.getByLabel('Production (optional)').selectOption({ label: productionName });
  await dialog.getByLabel('Tags (optional)').fill('principal');
  await dialog.getByLabel('Tags (optional)').press('Enter');
  await dialog.getByLabel('Fee (optional)').fill('4500.00');
  await dialog.getByLabel('Currency').selectOption('EUR');
  // A month before the production opens: refused at its field below.
  await dialog.getByLabel('Start date (optional)').fill(inDays(0));
  await dialog.getByLabel('End date (optional)').fill(production.end);
  await dialog.getByRole('button', { name: 'Add a payment' }).click();
  await dialog.getByRole('group', { name: 'Payment 1' }).getByLabel('Milestone').fill('On signing');
  await dialog.getByRole('group', { name: 'Payment 1' }).getByLabel('Due').fill(production.start);
  await dialog.getByRole('group', { name: 'Payment 1' }).getByLabel('Amount').fill('1500.00');
  await dialog.getByLabel('Union (optional)').fill('Equity');
  await dialog.getByLabel('Signing deadline (optional)').fill(signingDeadline);
  await expectNoAxeViolations(page);
  await snap(page, 'contracts-upload-dialog');

  // The server checks the dates against the production and answers at the field.
  await dialog.getByRole('button', { name: 'Upload contract' }).click();
  await expect(dialog.getByText(/Contract dates must fall within the production/)).toBeVisible();
  await expect(dialog.getByLabel('Start date (optional)')).toHaveAttribute('aria-invalid', 'true');
  await dialog.getByLabel('Start date (optional)').fill(production.start);

  // The final document is big (24 MB: more than the sockets on this machine buffer), picked with the
  // file chooser this time, and sent over a link of about 4 MB/s.
  await dialog.locator('input[type=file]').setInputFiles({ name: 'engagement-contract.pdf', mimeType: 'application/pdf', buffer: await makePdf(title, 24_000_000) });
  await expect(dialog.getByText(/^2[23](\.\d)? MB$/)).toBeVisible();

  await dialog.getByRole('button', { name: 'Upload contract' }).click();
  const bar = dialog.getByRole('progressbar', { name: 'Upload progress' });
  await expect(bar).toBeVisible();
  // Part of the way: "Uploading… 37% (8.5 MB of 22.9 MB)", the bar at about the same value.
  const progressText = dialog.getByRole('status').filter({ hasText: /^Uploading… \d+% / });
  await expect(progressText).toHaveText(/^Uploading… (?:[1-9]|[1-9]\d)% \([\d.]+ [kM]B of [\d.]+ MB\)$/, { timeout: 20_000 });
  // Text and bar read at the same moment (the upload keeps moving between two separate reads).
  const [shown, barValue] = await dialog.evaluate((el) => {
    const text = [...el.querySelectorAll('[role=status]')].map((s) => s.textContent ?? '').find((t) => t.startsWith('Uploading…')) ?? '';
    return [Number(/(\d+)%/.exec(text)?.[1]), Number(el.querySelector('[role=progressbar][aria-label="Upload progress"]')?.getAttribute('aria-valuenow'))];
  });
  expect(Math.abs(barValue - shown)).toBeLessThanOrEqual(10);
  await snap(page, 'contracts-upload-progress');
  await expect(dialog).toBeHidden({ timeout: 30_000 });

  // The new contract's page: details, and assignment.
  await expect(page).toHaveURL(/\/contracts\/[0-9a-f-]{36}$/);
  contractUrl = new URL(page.url()).pathname;
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page.getByText(`${title} is uploaded.`)).toBeVisible();
  const details = page.getByRole('region', { name: 'Details' });
  await expect(details).toContainText('€4,500.00');
  await expect(details).toContainText('On signing: €1,500.00');
  await expect(details).toContainText('Equity');
  await expect(page.getByRole('region', { name: 'Versions' })).toContainText('engagement-contract.pdf');
  await expect(page.getByRole('region', { name: 'Signatures' })).toContainText('Nobody is assigned yet');

  const assign = page.getByRole('region', { name: 'Assign people' });
  await pickPeople(page, assign, people);
  await assign.getByLabel('Message (optional)').fill('Please sign by the end of the month.');
  await expect(assign.getByRole('switch', { name: /Notify them now/ })).toBeChecked();
  await assign.getByRole('button', { name: 'Assign 3 people' }).click();
  await expect(assign.getByRole('list', { name: 'Assignment results' })).toContainText(`Assigned to ${people.map(fullName).join(', ')}.`);
  const status = page.getByRole('table', { name: 'Signature status per person' });
  for (const p of people) await expect(status.getByRole('row').filter({ hasText: fullName(p) })).toContainText('Sent');
  await expect(page.getByRole('list', { name: 'Signature counts' })).toContainText('Sent 3');

  // Assigning someone again is reported, not doubled.
  await pickPeople(page, assign, [people[0]]);
  await assign.getByRole('button', { name: 'Assign', exact: true }).click();
  await expect(assign.getByRole('list', { name: 'Assignment results' })).toContainText(`Nobody new assigned. Already assigned: ${fullName(people[0])}.`);
  await expectNoAxeViolations(page);
  await snap(page, 'contract-admin-assigned');
  expect(problems).toEqual([]);
});

test('the first artist reads the contract on a phone and signs with a typed name', async ({ page, context }) => {
  await page.setViewportSize({ width: 375, height: 812 });
  await artistSessions[0]!(context);
  const problems = watchForProblems(page);
  await page.goto('/');
  const toSign = page.getByRole('region', { name: /To sign/ });
  await expect(toSign).toContainText(title);
  await expectFitsScreen(page);
  await expectNoAxeViolations(page);
  await snap(page, 'contracts-home-to-sign');

  await toSign.getByRole('link', { name: new RegExp(title) }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page.getByText('Please sign by the end of the month.')).toBeVisible();

  // The viewer draws both pages on canvases, with ink on them.
  const firstPage = page.getByRole('img', { name: 'Page 1 of 2' });
  await expect(firstPage).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('img', { name: 'Page 2 of 2' })).toBeAttached();
  await expect.poll(() => firstPage.evaluate((canvas: HTMLCanvasElement) => {
    const ctx = canvas.getContext('2d');
    if (!ctx || !canvas.width) return 0;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let dark = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! < 128 && data[i + 3]! > 0) dark++;
    return dark;
  }), { timeout: 10_000 }).toBeGreaterThan(500);
  const pages = page.getByTestId('pdf-pages');
  // Pinch-zoom and panning allowed (Chromium reports pan-x pan-y pinch-zoom by its short name).
  await expect(pages).toHaveCSS('touch-action', 'manipulation');
  const before = (await firstPage.boundingBox())!.width;
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await expect(page.getByRole('toolbar', { name: 'Document view' }).getByRole('status')).toHaveText('125%');
  await expect.poll(async () => (await firstPage.boundingBox())!.width).toBeGreaterThan(before * 1.2);
  await page.getByRole('button', { name: 'Fit width' }).click();
  await expect.poll(async () => Math.round((await firstPage.boundingBox())!.width)).toBe(Math.round(before));

  // Consent first.
  const sign = page.getByRole('region', { name: 'Sign this contract' });
  await expect(sign.getByLabel('Full name')).toHaveValue(fullName(people[0]));
  await sign.getByRole('button', { name: 'Sign contract' }).click();
  await expect(sign.getByText('Tick the box to agree to sign electronically')).toBeVisible();
  await sign.getByRole('checkbox', { name: /I agree to sign this document electronically/ }).check();
  await expectFitsScreen(page);
  await expectNoAxeViolations(page);
  await snap(page, 'contract-artist-sign');
  await sign.getByRole('button', { name: 'Sign contract' }).click();
  await expect(page.getByRole('heading', { name: 'Signed. Thank you!' })).toBeVisible({ timeout: 20_000 });

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download signed PDF' }).click();
  expectValidSignedPdf(await saveDownload(await downloading, 'signed-by-artist.pdf'));
  await expect(page.getByText('Signed', { exact: true })).toBeVisible();
  await expectFitsScreen(page);
  await expectNoAxeViolations(page);
  await snap(page, 'contract-artist-signed');
  expect(problems).toEqual([]);
});

test('the second artist declines with a reason', async ({ page, context }) => {
  await page.setViewportSize({ width: 375, height: 812 });
  await artistSessions[1]!(context);
  const problems = watchForProblems(page);
  await page.goto('/contracts');
  await expect(page.getByRole('heading', { level: 2, name: 'To sign (1)' })).toBeVisible();
  await expectNoAxeViolations(page);
  await snap(page, 'contracts-artist-list');
  await page.getByRole('link', { name: new RegExp(title) }).click();
  await expect(page.getByRole('img', { name: 'Page 1 of 2' })).toBeVisible({ timeout: 20_000 });

  await page.getByRole('button', { name: 'Decline' }).click();
  const dialog = page.getByRole('dialog', { name: `Decline ${title}?` });
  await dialog.getByRole('button', { name: 'Decline contract' }).click();
  await expect(dialog.getByText('Say briefly why')).toBeVisible();
  await dialog.getByLabel('Reason').fill('The rehearsal dates clash with another engagement.');
  await expectNoAxeViolations(page);
  await snap(page, 'contract-artist-decline');
  await dialog.getByRole('button', { name: 'Decline contract' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(/You declined this contract .*The rehearsal dates clash with another engagement/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign contract' })).toHaveCount(0);
  await expectFitsScreen(page);
  expect(problems).toEqual([]);
});

test('the administrator sees signed, declined with the reason, and sent, and downloads the signed copy', async ({ page, context }) => {
  await adminSession(context);
  const problems = watchForProblems(page);
  await page.goto(contractUrl);
  const status = page.getByRole('table', { name: 'Signature status per person' });
  const row = (p: (typeof people)[number]) => status.getByRole('row').filter({ hasText: fullName(p) });
  await expect(row(people[0])).toContainText('Signed');
  await expect(row(people[0])).toContainText('typed');
  await expect(row(people[1])).toContainText('Declined');
  await expect(row(people[1])).toContainText('The rehearsal dates clash with another engagement.');
  await expect(row(people[2])).toContainText('Sent');
  await expect(row(people[2]).getByRole('button', { name: 'Signed PDF' })).toHaveCount(0);
  await expect(page.getByRole('list', { name: 'Signature counts' })).toContainText('Signed 1');
  await expect(page.getByRole('list', { name: 'Signature counts' })).toContainText('Declined 1');

  const downloading = page.waitForEvent('download');
  await row(people[0]).getByRole('button', { name: 'Signed PDF' }).click();
  expectValidSignedPdf(await saveDownload(await downloading, 'signed-by-admin.pdf'));
  await expectNoAxeViolations(page);
  await snap(page, 'contract-admin-statuses');

  // On a phone the same facts, as a list.
  await page.setViewportSize({ width: 375, height: 812 });
  const list = page.getByRole('list', { name: 'Signature status per person' });
  await expect(list.getByRole('listitem', { name: fullName(people[1]) })).toContainText('The rehearsal dates clash with another engagement.');
  await expect(list.getByRole('listitem', { name: fullName(people[2]) })).toContainText('Sent');
  await expectFitsScreen(page);
  await expectNoAxeViolations(page);
  expect(problems).toEqual([]);
});

test('bulk assignment from the dashboard, then a drawn signature', async ({ page, context }) => {
  test.setTimeout(60_000);
  await adminSession(context);
  const problems = watchForProblems(page);
  await page.goto('/contracts');
  // A second contract, picked with a file chooser this time.
  await page.getByRole('button', { name: 'Upload contract' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Upload a contract' });
  await dialog.locator('input[type=file]').setInputFiles({ name: 'rider.pdf', mimeType: 'application/pdf', buffer: await makePdf(amendmentTitle) });
  await dialog.getByLabel('Title').fill(amendmentTitle);
  await dialog.getByRole('button', { name: 'Upload contract' }).click();
  await expect(page.getByRole('heading', { level: 1, name: amendmentTitle })).toBeVisible();
  await page.getByRole('link', { name: 'All contracts' }).click();

  // The dashboard: search, status chips, selection and bulk assignment.
  const table = page.getByRole('table', { name: 'Contracts' });
  await expect(table.getByRole('row')).toHaveCount(3);
  await page.getByRole('group', { name: 'Status' }).getByRole('button', { name: 'Draft' }).click();
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table).toContainText(amendmentTitle);
  await page.getByRole('group', { name: 'Status' }).getByRole('button', { name: 'All' }).click();
  await page.getByRole('searchbox', { name: 'Search titles and descriptions' }).fill('rider');
  await expect(page.getByRole('status').filter({ hasText: 'Showing 1 contract matching your filters' })).toBeVisible();
  await page.getByRole('checkbox', { name: `Select ${amendmentTitle}` }).check();
  await expect(page.getByRole('region', { name: 'Selected contracts' })).toContainText('1 contract selected');
  await expectNoAxeViolations(page);
  await snap(page, 'contracts-dashboard');
  await page.getByRole('button', { name: 'Assign people' }).click();
  const bulk = page.getByRole('dialog', { name: `Assign ${amendmentTitle}` });
  await pickPeople(page, bulk, [people[2]]);
  await bulk.getByRole('button', { name: 'Assign', exact: true }).click();
  await expect(bulk.getByRole('list', { name: 'Assignment results' })).toContainText(`Assigned to ${fullName(people[2])}.`);
  await bulk.getByRole('button', { name: 'Close' }).click();
  expect(problems).toEqual([]);

  // The third artist draws a signature on a phone.
  const artist = await context.browser()!.newContext({ viewport: { width: 375, height: 812 }, hasTouch: true });
  await artistSessions[2]!(artist);
  const phone = await artist.newPage();
  const phoneProblems = watchForProblems(phone);
  await phone.goto('/');
  const toSign = phone.getByRole('region', { name: /To sign/ });
  await expect(toSign.getByRole('listitem')).toHaveCount(2);
  await toSign.getByRole('link', { name: new RegExp(amendmentTitle) }).click();
  await expect(phone.getByRole('img', { name: 'Page 1 of 2' })).toBeVisible({ timeout: 20_000 });
  const sign = phone.getByRole('region', { name: 'Sign this contract' });
  await sign.getByRole('radio', { name: 'Draw my signature' }).check();
  await sign.getByRole('checkbox', { name: /I agree to sign/ }).check();
  await sign.getByRole('button', { name: 'Sign contract' }).click();
  await expect(sign.getByText('Draw your signature in the box')).toBeVisible();
  const pad = phone.getByTestId('signature-pad');
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await phone.mouse.move(box.x + 30, box.y + 110);
  await phone.mouse.down();
  for (let i = 1; i <= 12; i++) await phone.mouse.move(box.x + 30 + i * 20, box.y + 110 - Math.sin(i / 2) * 40, { steps: 2 });
  await phone.mouse.up();
  await expect(sign.getByText('Draw your signature in the box')).toBeHidden();
  await expectFitsScreen(phone);
  await expectNoAxeViolations(phone);
  await snap(phone, 'contract-artist-draw');
  await sign.getByRole('button', { name: 'Sign contract' }).click();
  await expect(phone.getByRole('heading', { name: 'Signed. Thank you!' })).toBeVisible({ timeout: 20_000 });
  const downloading = phone.waitForEvent('download');
  await phone.getByRole('button', { name: 'Download signed PDF' }).click();
  expectValidSignedPdf(await saveDownload(await downloading, 'signed-drawn.pdf'));
  expect(phoneProblems).toEqual([]);
  await artist.close();
});
