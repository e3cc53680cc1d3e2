import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/server/db/tenant.js';
import { cancelReminders, fireDueReminders, scheduleReminder } from '../../src/server/modules/notifications/reminders.js';
import { createOrganization, onServer, startTestApp, type TestApp, type TestOrganization } from '../helpers/app.js';

/** The reminders engine (issue 4 item 7): time-based notifications that fire once, even with two workers. */
let t: TestApp;
let second: TestApp;
let org: TestOrganization;

beforeAll(async () => {
  t = await startTestApp();
  // On a server a second instance shares the database; the embedded engine has one, so its
  // second "worker" is a concurrent run in the same process.
  second = onServer ? await startTestApp() : t;
  org = await createOrganization(t.services, 'Reminders');
});
afterAll(async () => {
  if (second !== t) await second?.close();
  await t?.close();
});

const minutes = (n: number) => new Date(Date.now() + n * 60_000);
const schedule = (key: string, at: Date, subject = 'Rehearsal in 2 hours') => withTenant(t.services.database.db, { organizationId: org.id }, (trx) =>
  scheduleReminder(trx, org.id, key, at, { type: 'schedule_reminder', recipients: [org.users.artist.id], subject, body: 'Studio 2, 19:00.', link: '/schedule' }));
const received = async (subject: string) => withTenant(t.services.database.db, { organizationId: org.id }, (trx) =>
  trx.selectFrom('notifications').select('id').where('user_id', '=', org.users.artist.id).where('subject', '=', subject).execute());

describe('reminders', () => {
  it('fire once when due, however many workers run at that moment', async () => {
    await schedule('event:a:2h', minutes(-1), 'Due now');
    const counts = await Promise.all([
      fireDueReminders(t.services, org.id), fireDueReminders(second.services, org.id), fireDueReminders(second.services, org.id),
    ]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await received('Due now')).toHaveLength(1);
    expect(await fireDueReminders(t.services, org.id)).toBe(0);
  });

  it('tell the recipient\'s open screens', async () => {
    const heard: string[] = [];
    const stop = t.services.realtime.subscribe((event) => { if (event.userId === org.users.artist.id) heard.push(String(event.data.subject)); });
    await schedule('event:live:2h', minutes(-1), 'Live reminder');
    expect(await fireDueReminders(t.services, org.id)).toBe(1);
    stop();
    expect(heard).toEqual(['Live reminder']);
  });

  it('wait for their time; scheduling the same key again moves the reminder instead of adding one', async () => {
    await schedule('event:b:24h', minutes(30), 'Moved');
    expect(await fireDueReminders(t.services, org.id)).toBe(0);
    await schedule('event:b:24h', minutes(-1), 'Moved');
    expect(await fireDueReminders(t.services, org.id)).toBe(1);
    expect(await received('Moved')).toHaveLength(1);
    // Already fired: an earlier time does not fire it again; a later one (the event moved later) does.
    await schedule('event:b:24h', minutes(-5), 'Moved');
    expect(await fireDueReminders(t.services, org.id)).toBe(0);
  });

  it('can be cancelled by key prefix (an event cancelled)', async () => {
    await schedule('event:c:24h', minutes(-1), 'Cancelled one');
    await schedule('event:c:2h', minutes(-1), 'Cancelled one');
    await schedule('event:c_other:2h', minutes(-1), 'Not this one'); // `_` is not a wildcard
    const cancelled = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) => cancelReminders(trx, org.id, 'event:c:'));
    expect(cancelled).toBe(2);
    expect(await fireDueReminders(t.services, org.id)).toBe(1);
    expect(await received('Cancelled one')).toHaveLength(0);
    expect(await received('Not this one')).toHaveLength(1);
  });
});
