import { expect, test, type Browser, type Page } from '@playwright/test';
import { DateTime } from 'luxon';
import {
  BASE_URL, expectFitsScreen, expectNoAxeViolations, invite, registerFromInvitation, runId, sessionFactory, signUpOrganization, snap, watchForProblems,
  type SignedInAnswer,
} from './support.js';

/**
 * Seed 004's schedule journey (issue 7 item 9) in the browser, against the real server: a
 * production manager in New York creates a weekly rehearsal at 19:00 New York time with three
 * artists; an artist whose browser is in London sees it at midnight the next day (and at 19:00
 * once she switches the calendar to New York), opens it and acknowledges the call with a note;
 * the manager moves that occurrence by an hour and the artist's open calendar shows 01:00 without
 * a reload, with a notification. Then the artist subscribes to her calendar (the link serves
 * iCalendar until revoked) and the manager cancels the last rehearsal, which the artist sees
 * struck through with the reason.
 */

test.describe.configure({ mode: 'serial' });

const id = runId();
const title = `Act 2 rehearsal ${id}`;
const EVENT_ZONE = 'America/New_York';
const ARTIST_ZONE = 'Europe/London';
const WEEKS = 4;
const artists = [
  { first_name: 'Ada', last_name: `Lovell${id}`, email: `ada.${id}@example.com`, password: 'Harbour-Lantern-Cello-58', role: 'Mimì' },
  { first_name: 'Bo', last_name: `Reyes${id}`, email: `bo.${id}@example.com`, password: 'Meadow-Copper-Flute-26', role: 'Rodolfo' },
  { first_name: 'Cy', last_name: `Tanaka${id}`, email: `cy.${id}@example.com`, password: 'Orchid-Granite-Oboe-73', role: '' },
] as const;
const fullName = (p: (typeof artists)[number]) => `${p.first_name} ${p.last_name}`;
const RUNNING_ORDER = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

/** The first Tuesday at least two weeks ahead (in New York): the series and its dates, wherever the test runs. */
const firstTuesday = (() => {
  let d = DateTime.now().setZone(EVENT_ZONE).startOf('day').plus({ days: 14 });
  while (d.weekday !== 2) d = d.plus({ days: 1 });
  return d;
})();
const occurrenceAt = (week: number, time: string) =>
  DateTime.fromISO(`${firstTuesday.plus({ weeks: week }).toISODate()}T${time}`, { zone: EVENT_ZONE });
/** When an occurrence is in London: its date and 'HH:mm'. */
const inLondon = (at: DateTime) => {
  const l = at.setZone(ARTIST_ZONE);
  return { date: l.toISODate()!, time: l.toFormat('HH:mm'), weekStart: l.startOf('week').toISODate()! };
};

let admin: SignedInAnswer;
let managerSession: ReturnType<typeof sessionFactory>;
let artistSession: ReturnType<typeof sessionFactory>;
let productionName = '';
let eventId = '';

test.beforeAll(async ({ playwright }) => {
  const request = await playwright.request.newContext();
  admin = await signUpOrganization(request, {
    name: `Gaslight Opera ${id}`, slug: `gaslight-${id}`, email: `gina.${id}@example.com`, password: 'Velvet-Curtain-Tuba-64', first_name: 'Gina', last_name: 'Admin',
  });
  const manager = await registerFromInvitation(request, await invite(request, admin.tokens.access_token, `pia.${id}@example.com`, 'production_manager'), {
    password: 'Copper-Kettle-Basin-73', first_name: 'Pia', last_name: 'Manager',
  });
  managerSession = sessionFactory(request, manager);
  const joined: SignedInAnswer[] = [];
  for (const a of artists) joined.push(await registerFromInvitation(request, await invite(request, admin.tokens.access_token, a.email), a));
  artistSession = sessionFactory(request, joined[0]!);
  productionName = `La Bohème ${id}`;
  const res = await request.post(`${BASE_URL}/api/v1/productions`, {
    data: { name: productionName, start_date: firstTuesday.minus({ days: 30 }).toISODate(), end_date: firstTuesday.plus({ days: 120 }).toISODate() },
    headers: { authorization: `Bearer ${admin.tokens.access_token}` },
  });
  expect(res.status(), await res.text()).toBe(201);
});

/** The event as the API answers it to the administrator (who never opens a browser here). */
async function eventAsAdmin(page: Page) {
  const res = await page.request.get(`${BASE_URL}/api/v1/events/${eventId}`, { headers: { authorization: `Bearer ${admin.tokens.access_token}` } });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as { participants: { email: string; role: string | null; acknowledged_at: string | null; acknowledgment_note: string | null; rsvp: string }[]; rrule: string; time_zone: string; start: string; end: string };
}

async function managerDesk(browser: Browser) {
  const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 1280, height: 800 }, timezoneId: EVENT_ZONE, locale: 'en-US' });
  await managerSession(context);
  return { context, page: await context.newPage() };
}

async function artistPhone(browser: Browser) {
  const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 375, height: 812 }, timezoneId: ARTIST_ZONE, locale: 'en-GB', hasTouch: true, isMobile: true });
  await artistSession(context);
  return { context, page: await context.newPage() };
}

/** The button of one occurrence on the calendar, by the day it is on (in the zone on screen). */
const occurrenceOn = (page: Page, day: string) => page.locator(`[data-day="${day}"]`).getByRole('button', { name: new RegExp(title) });

test('a production manager creates a weekly rehearsal with three artists', async ({ browser }) => {
  test.setTimeout(120_000);
  const { context, page } = await managerDesk(browser);
  const problems = watchForProblems(page);

  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schedule' }).click();
  await expect(page).toHaveURL('/schedule');
  await expect(page.getByRole('heading', { level: 1, name: 'Schedule' })).toBeFocused();
  // The calendar is in this browser's zone until another is chosen.
  await expect(page.getByRole('combobox', { name: 'Time zone' })).toHaveValue('America/New York');
  await expect(page.getByText('Nothing scheduled this week')).toBeVisible();
  await expectNoAxeViolations(page);
  await snap(page, 'schedule-empty');

  await page.getByRole('button', { name: 'New event' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New event' });
  await expect(dialog).toBeVisible();
  // Nothing typed: told before anything is sent.
  await dialog.getByRole('button', { name: 'Create event' }).click();
  await expect(dialog.getByText('Give the event a title')).toBeVisible();

  await dialog.getByLabel('Title').fill(title);
  await expect(dialog.getByLabel('Type')).toHaveValue('rehearsal');
  await dialog.getByLabel('Date').fill(firstTuesday.toISODate()!);
  await dialog.getByLabel('Start').fill('19:00');
  await dialog.getByLabel('End').fill('21:00');
  await expect(dialog.getByRole('combobox', { name: 'Time zone' })).toHaveValue('America/New York');
  await dialog.getByLabel('Repeats').selectOption('weekly');
  await expect(dialog.getByRole('button', { name: 'Tuesday' })).toHaveAttribute('aria-pressed', 'true');
  await dialog.getByLabel('Number of weeks').fill(String(WEEKS));
  await expect(dialog.getByRole('status').filter({ hasText: `${WEEKS} rehearsals` })).toBeVisible();
  await dialog.getByLabel('Place (optional)').fill('Rehearsal room 2');
  await dialog.getByLabel('Address (optional)').fill('1 Stage Door Lane, New York');
  await dialog.getByLabel('Production (optional)').selectOption({ label: productionName });
  const picker = dialog.getByRole('combobox', { name: 'Invite artists' });
  for (const a of artists) {
    await picker.fill(a.last_name);
    await page.getByRole('option', { name: new RegExp(fullName(a)) }).click();
  }
  const invited = dialog.getByRole('list', { name: 'Invited' });
  await expect(invited.getByRole('listitem')).toHaveCount(3);
  for (const a of artists.filter((x) => x.role)) await invited.getByRole('textbox', { name: `Role of ${fullName(a)} (optional)` }).fill(a.role);
  // A running order for the cast, uploaded as soon as it is chosen.
  await dialog.locator('input[type="file"]').setInputFiles({ name: 'running-order.pdf', mimeType: 'application/pdf', buffer: RUNNING_ORDER });
  await expect(dialog.getByRole('list', { name: 'Attachments' })).toContainText('running-order.pdf');
  await dialog.getByRole('button', { name: 'Notes, colour and acknowledgment' }).click();
  await dialog.getByLabel('Call-time notes (optional)').fill('Principals 18:45, chorus 18:30');
  await expectNoAxeViolations(page);
  await snap(page, 'schedule-new-event');

  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/events') && r.request().method() === 'POST');
  await dialog.getByRole('button', { name: `Create ${WEEKS} rehearsals` }).click();
  const answer = await created;
  expect(answer.status(), await answer.text()).toBe(201);
  const body = (await answer.json()) as { id: string; rrule: string; conflicts: unknown[] };
  eventId = body.id;
  expect(body.rrule).toBe(`FREQ=WEEKLY;BYDAY=TU;COUNT=${WEEKS}`);
  // Conflicts are warnings after saving; this company has none yet.
  expect(body.conflicts).toEqual([]);
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `${title} created` })).toBeVisible();

  // The calendar went to the week of the first rehearsal: Tuesday, 7 PM in New York.
  const first = occurrenceOn(page, firstTuesday.toISODate()!);
  await expect(first).toBeVisible();
  await expect(first).toHaveAccessibleName(new RegExp(`^7:00\\sPM – 9:00\\sPM, ${title}, Rehearsal`));

  const stored = await eventAsAdmin(page);
  expect(stored).toMatchObject({ time_zone: EVENT_ZONE, start: `${firstTuesday.toISODate()}T19:00` });
  expect(stored.participants.map((p) => [p.email, p.role ?? ''])).toEqual(expect.arrayContaining(artists.map((a) => [a.email, a.role])));

  // The detail sheet: participants and their answers, and the manager's actions.
  await first.click();
  const sheet = page.getByRole('dialog', { name: title });
  await expect(sheet).toBeVisible();
  await expect(sheet.getByRole('region', { name: 'Participants (3)' })).toContainText('0 of 3 acknowledged');
  await expect(sheet.getByRole('button', { name: 'Change or move' })).toBeVisible();
  await expect(sheet).toContainText('Repeats weekly on Tuesday, 4 times');
  await expect(sheet.getByRole('link', { name: /Open in map/ })).toHaveAttribute('href', /openstreetmap\.org\/search\?query=Rehearsal%20room%202/);
  await expectNoAxeViolations(page);
  await snap(page, 'schedule-manager-sheet');

  // Files can be added after the event is made: a seating plan joins the running order.
  await sheet.getByRole('button', { name: 'Edit event' }).click();
  const edit = page.getByRole('dialog', { name: `Edit ${title}` });
  const files = edit.getByRole('list', { name: 'Attachments' });
  await expect(files).toContainText('running-order.pdf');
  await edit.locator('input[type="file"]').setInputFiles({ name: 'seating-plan.pdf', mimeType: 'application/pdf', buffer: RUNNING_ORDER });
  await expect(files).toContainText('seating-plan.pdf');
  const attached = page.waitForResponse((r) => r.url().endsWith(`/api/v1/events/${eventId}/attachments`) && r.request().method() === 'PUT');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  expect((await attached).status()).toBe(200);
  await expect(edit).toBeHidden();
  await expect(sheet.getByRole('button', { name: 'seating-plan.pdf' })).toBeVisible();
  await expect(sheet.getByRole('button', { name: 'running-order.pdf' })).toBeVisible();
  await sheet.getByRole('button', { name: 'Close' }).click();
  await expect(sheet).toBeHidden();

  // The month: every rehearsal of the month on the grid.
  await page.getByRole('button', { name: 'Month', exact: true }).click();
  await expect(page.getByTestId('range-title')).toHaveText(firstTuesday.toFormat('LLLL yyyy'));
  await expect(occurrenceOn(page, firstTuesday.toISODate()!)).toBeVisible();
  await expectNoAxeViolations(page);
  await snap(page, 'schedule-month');

  expect(problems).toEqual([]);
  await context.close();
});

test('an artist in London sees the rehearsal at her time, acknowledges it, and sees it move without reloading', async ({ browser }) => {
  test.setTimeout(150_000);
  expect(eventId, 'the event of the first test').not.toBe('');
  const first = occurrenceAt(0, '19:00');
  const there = inLondon(first);
  const artist = await artistPhone(browser);
  const page = artist.page;
  const problems = watchForProblems(page);
  // The live connection is authenticated before the change is made.
  const live = page.waitForEvent('websocket').then((ws) => ws.waitForEvent('framereceived', { predicate: (f) => String(f.payload).includes('"ready"') }));

  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schedule' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Schedule' })).toBeFocused();
  await expect(page.getByRole('combobox', { name: 'Time zone' })).toHaveValue('Europe/London');
  // Artists read their schedule; they do not create events.
  await expect(page.getByRole('button', { name: 'New event' })).toHaveCount(0);

  // Forward to the week of the first rehearsal (in London), a week at a time.
  const weeksAhead = Math.round(DateTime.fromISO(there.weekStart).diff(DateTime.now().setZone(ARTIST_ZONE).startOf('week'), 'weeks').weeks);
  for (let i = 0; i < weeksAhead; i++) await page.getByRole('button', { name: 'Next week' }).click();
  const rehearsal = occurrenceOn(page, there.date);
  await expect(rehearsal).toBeVisible();
  // 19:00 in New York is midnight in London, the next day (a Wednesday).
  expect(there.time).toBe(first.setZone(ARTIST_ZONE).toFormat('HH:mm'));
  await expect(rehearsal.getByTestId('occurrence-time')).toHaveText(new RegExp(`^${there.time} – ${first.plus({ hours: 2 }).setZone(ARTIST_ZONE).toFormat('HH:mm')}`));
  await expect(rehearsal).toHaveAccessibleName(/to acknowledge/);
  await expectFitsScreen(page);
  await expectNoAxeViolations(page);
  await snap(page, 'schedule-artist-week');

  // Touring: the same week in New York time puts it back on Tuesday at 19:00.
  const zone = page.getByRole('combobox', { name: 'Time zone' });
  await zone.click();
  await zone.fill('New York');
  await page.getByRole('option', { name: /America\/New York/ }).click();
  await expect(zone).toHaveValue('America/New York');
  await expect(occurrenceOn(page, first.toISODate()!).getByTestId('occurrence-time')).toHaveText(/^19:00 – 21:00/);
  await zone.click();
  await zone.fill('London');
  await page.getByRole('option', { name: /Europe\/London/ }).click();
  await expect(zone).toHaveValue('Europe/London');
  await expect(rehearsal).toBeVisible();

  // The detail: her time and the event's own, the call-time notes, the map link; she acknowledges.
  await rehearsal.click();
  const sheet = page.getByRole('dialog', { name: title });
  await expect(sheet).toBeVisible();
  await expect(sheet.getByTestId('sheet-time')).toContainText(`${there.time} – `);
  await expect(sheet.getByTestId('sheet-event-time')).toContainText('19:00 – 21:00');
  await expect(sheet.getByTestId('sheet-event-time')).toContainText('America/New York');
  await expect(sheet).toContainText('Principals 18:45, chorus 18:30');
  await expect(sheet.getByRole('region', { name: 'Your part' })).toContainText('Role: Mimì');
  // The running order opens from the sheet (a short-lived link, saved as its own name).
  const saved = page.waitForEvent('download');
  await sheet.getByRole('button', { name: 'running-order.pdf' }).click();
  expect((await saved).suggestedFilename()).toBe('running-order.pdf');
  // Artists do not see the other participants or the manager's actions.
  await expect(sheet.getByRole('region', { name: /Participants/ })).toHaveCount(0);
  await expect(sheet.getByRole('button', { name: 'Change or move' })).toHaveCount(0);
  await sheet.getByLabel('Note (optional)').fill('Flying in that morning');
  await expectNoAxeViolations(page);
  await snap(page, 'schedule-artist-sheet');
  await sheet.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(sheet.getByRole('status').filter({ hasText: 'Acknowledged' })).toContainText('Flying in that morning');
  await sheet.getByRole('button', { name: 'Going', exact: true }).click();
  await expect(sheet.getByRole('button', { name: 'Going', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(async () => (await eventAsAdmin(page)).participants.find((p) => p.email === artists[0].email)).toMatchObject({
    acknowledgment_note: 'Flying in that morning', rsvp: 'confirmed', acknowledged_at: expect.any(String),
  });
  await sheet.getByRole('button', { name: 'Close' }).click();
  await expect(sheet).toBeHidden();
  await expect(rehearsal).not.toHaveAccessibleName(/to acknowledge/);

  // Nothing below may reload the page: a marker on the window would be lost.
  await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
  const bell = page.getByRole('link', { name: /^Notifications/ });
  const unread = async () => Number(/(\d+) unread/.exec((await bell.getAttribute('aria-label')) ?? '')?.[1] ?? 0);
  const unreadBefore = await unread();
  await live;

  // The manager moves this occurrence an hour later (20:00 in New York).
  const desk = await managerDesk(browser);
  const managerProblems = watchForProblems(desk.page);
  await desk.page.goto(`/schedule?date=${first.toISODate()}`);
  await occurrenceOn(desk.page, first.toISODate()!).click();
  await desk.page.getByRole('dialog', { name: title }).getByRole('button', { name: 'Change or move' }).click();
  const move = desk.page.getByRole('dialog', { name: `Change or move: ${title}` });
  await expect(move.getByRole('radio', { name: 'This occurrence' })).toBeChecked();
  await move.getByLabel('Start').fill('20:00');
  await move.getByLabel('End').fill('22:00');
  await expectNoAxeViolations(desk.page);
  await snap(desk.page, 'schedule-move');
  await move.getByRole('button', { name: 'Save' }).click();
  await expect(move).toBeHidden();
  await expect(desk.page.getByRole('status').filter({ hasText: 'This occurrence changed' })).toBeVisible();
  expect(managerProblems).toEqual([]);
  await desk.context.close();

  // The artist's open calendar follows: 01:00 in London now, marked as changed; a notification arrived.
  const moved = inLondon(occurrenceAt(0, '20:00'));
  const movedRehearsal = occurrenceOn(page, moved.date);
  await expect(movedRehearsal.getByTestId('occurrence-time')).toHaveText(new RegExp(`^${moved.time} – `), { timeout: 15_000 });
  await expect(movedRehearsal).toHaveAccessibleName(/changed/);
  await expect.poll(unread, { timeout: 15_000 }).toBeGreaterThan(unreadBefore);
  expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
  // The other rehearsals keep their time.
  await page.getByRole('button', { name: 'Next week' }).click();
  await expect(occurrenceOn(page, inLondon(occurrenceAt(1, '19:00')).date).getByTestId('occurrence-time')).toHaveText(new RegExp(`^${there.time} – `));
  await snap(page, 'schedule-artist-moved');

  await bell.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText(title);

  expect(problems).toEqual([]);
  await artist.context.close();
});

test('the artist subscribes to her calendar; the manager cancels the last rehearsal and she sees why', async ({ browser }) => {
  test.setTimeout(120_000);
  const last = occurrenceAt(WEEKS - 1, '19:00');
  const lastThere = inLondon(last);

  // The manager cancels the last rehearsal, with the reason.
  const desk = await managerDesk(browser);
  const managerProblems = watchForProblems(desk.page);
  await desk.page.goto(`/schedule?date=${last.toISODate()}`);
  await occurrenceOn(desk.page, last.toISODate()!).click();
  await desk.page.getByRole('dialog', { name: title }).getByRole('button', { name: 'Cancel…' }).click();
  const cancel = desk.page.getByRole('dialog', { name: `Cancel ${title}?` });
  await expect(cancel.getByRole('radio', { name: 'This occurrence' })).toBeChecked();
  await cancel.getByRole('button', { name: 'Cancel this occurrence' }).click();
  await expect(cancel.getByText('Say why: participants are told')).toBeVisible();
  await cancel.getByLabel('Reason').fill('Theatre closed for the holiday');
  await cancel.getByRole('button', { name: 'Cancel this occurrence' }).click();
  await expect(cancel).toBeHidden();
  await expect(desk.page.getByRole('status').filter({ hasText: 'This occurrence cancelled' })).toBeVisible();
  expect(managerProblems).toEqual([]);
  await desk.context.close();

  const { context, page } = await artistPhone(browser);
  const problems = watchForProblems(page, { allowStatus: [] });
  await page.goto(`/schedule?view=month&date=${lastThere.date}`);
  await expect(page.getByTestId('range-title')).toHaveText(DateTime.fromISO(lastThere.date).setLocale('en-GB').toFormat('LLLL yyyy'));
  // On a phone the month is a grid of days with dots; a day shows its events below.
  await page.locator(`td[data-day="${lastThere.date}"]`).getByRole('button').click();
  const cancelled = page.getByRole('list', { name: DateTime.fromISO(lastThere.date).setLocale('en-GB').toFormat('cccc d MMMM') }).getByRole('button', { name: new RegExp(title) });
  await expect(cancelled).toHaveAccessibleName(/cancelled: Theatre closed for the holiday/);
  await expect(cancelled).toContainText('Cancelled: Theatre closed for the holiday');
  await expectFitsScreen(page);
  await expectNoAxeViolations(page);
  await snap(page, 'schedule-artist-month');

  // Her own calendar in her phone's calendar app: a secret link, iCalendar, revocable.
  await page.getByRole('button', { name: 'Subscribe' }).click();
  const dialog = page.getByRole('dialog', { name: 'Subscribe to your calendar' });
  await dialog.getByRole('button', { name: 'Create my link' }).click();
  const link = dialog.getByRole('textbox', { name: 'Your private link' });
  await expect(link).toHaveValue(/^https?:\/\/.+/);
  await expect(dialog.getByRole('link', { name: 'Open in calendar app' })).toHaveAttribute('href', /^webcal:\/\//);
  await expectNoAxeViolations(page);
  await snap(page, 'schedule-subscribe');
  const url = await link.inputValue();
  const feed = await page.request.get(url);
  expect(feed.status()).toBe(200);
  expect(feed.headers()['content-type']).toMatch(/^text\/calendar/);
  const ics = await feed.text();
  expect(ics).toContain('BEGIN:VCALENDAR');
  expect(ics).toContain(title);
  await dialog.getByRole('button', { name: 'Revoke' }).click();
  await expect(dialog.getByRole('button', { name: 'Create my link' })).toBeVisible();
  expect((await page.request.get(url)).status()).toBe(404);

  expect(problems).toEqual([]);
  await context.close();
});

test('with the live connection down, her open calendar still follows a change by asking again', async ({ browser }) => {
  test.setTimeout(120_000);
  const second = occurrenceAt(1, '19:00');
  const there = inLondon(second);
  const artist = await artistPhone(browser);
  const page = artist.page;
  const problems = watchForProblems(page);
  // Every attempt at the live connection is closed at once, as a proxy that drops WebSockets would.
  await page.routeWebSocket(/\/api\/v1\/realtime/, (ws) => ws.close());
  await page.goto(`/schedule?date=${there.date}`);
  const rehearsal = occurrenceOn(page, there.date);
  await expect(rehearsal.getByTestId('occurrence-time')).toHaveText(new RegExp(`^${there.time} – `));
  await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));

  // Moved half an hour later (19:30 in New York) by the office.
  const moved = await page.request.patch(`${BASE_URL}/api/v1/events/${eventId}?scope=this&occurrence=${encodeURIComponent(second.toUTC().toISO()!)}`, {
    headers: { authorization: `Bearer ${admin.tokens.access_token}` },
    data: { start: `${second.toISODate()}T19:30`, end: `${second.toISODate()}T21:30` },
  });
  expect(moved.status(), await moved.text()).toBe(200);

  // No push arrives; the calendar asks again on its own within the polling interval (20 s).
  const later = inLondon(occurrenceAt(1, '19:30'));
  await expect(occurrenceOn(page, later.date).getByTestId('occurrence-time')).toHaveText(new RegExp(`^${later.time} – `), { timeout: 45_000 });
  expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
  expect(problems).toEqual([]);
  await artist.context.close();
});
