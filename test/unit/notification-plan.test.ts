import { describe, expect, it } from 'vitest';
import { nextDigestAt, planDeliveries, quietUntil, type RecipientPreferences } from '../../src/server/modules/notifications/plan.js';

/** Which channels carry a notification and when (issue 4 items 3–4), whatever the server's time zone. */
const prefs = (over: Partial<RecipientPreferences> = {}): RecipientPreferences => ({
  channels: {}, quietHoursStart: null, quietHoursEnd: null, dailyDigest: false, timeZone: 'Europe/Berlin', ...over,
});
const everywhere = { email: true, sms: true, push: true };
const channels = (plans: ReturnType<typeof planDeliveries>) => plans.map((p) => p.channel);

describe('channel choice', () => {
  it('follows the type defaults: SMS only for urgent notifications', () => {
    const at = new Date('2026-11-22T12:00:00Z');
    expect(channels(planDeliveries('schedule_change', 'high', prefs(), everywhere, at))).toEqual(['email', 'push']);
    expect(channels(planDeliveries('schedule_change', 'urgent', prefs(), everywhere, at))).toEqual(['email', 'sms', 'push']);
    expect(channels(planDeliveries('schedule_reminder', 'normal', prefs(), everywhere, at))).toEqual(['push']);
  });

  it('honours opt-outs and opt-ins, never e-mail opt-outs of essential types, and skips unreachable channels', () => {
    const at = new Date('2026-11-22T12:00:00Z');
    const chosen = prefs({ channels: { schedule_change: { sms: false, email: false }, announcement: { sms: true }, account_security: { email: false } } });
    expect(channels(planDeliveries('schedule_change', 'urgent', chosen, everywhere, at))).toEqual(['push']);
    expect(channels(planDeliveries('announcement', 'low', chosen, everywhere, at))).toEqual(['email', 'sms']);
    expect(channels(planDeliveries('account_security', 'high', chosen, everywhere, at))).toEqual(['email']);
    expect(channels(planDeliveries('schedule_change', 'urgent', prefs(), { email: true, sms: false, push: false }, at))).toEqual(['email']);
  });
});

describe('quiet hours in the recipient\'s time zone', () => {
  const night = prefs({ quietHoursStart: '22:00', quietHoursEnd: '07:00', timeZone: 'America/New_York' });

  it('hold SMS and push until the end of a window that spans midnight; e-mail and urgent ones go at once', () => {
    const at = new Date('2026-11-22T04:30:00Z'); // 23:30 in New York (EST, UTC-5)
    const plans = planDeliveries('schedule_change', 'high', { ...night, channels: { schedule_change: { sms: true } } }, everywhere, at);
    expect(plans).toEqual([
      { channel: 'email', sendAt: null, digest: false },
      { channel: 'sms', sendAt: new Date('2026-11-22T12:00:00Z'), digest: false }, // 07:00 EST
      { channel: 'push', sendAt: new Date('2026-11-22T12:00:00Z'), digest: false },
    ]);
    expect(planDeliveries('schedule_change', 'urgent', night, everywhere, at).every((p) => p.sendAt === null)).toBe(true);
  });

  it('outside the window nothing waits; a daytime window works too', () => {
    expect(quietUntil(new Date('2026-11-22T17:00:00Z'), night)).toBeNull(); // 12:00 in New York
    const lunch = prefs({ quietHoursStart: '12:00', quietHoursEnd: '13:30', timeZone: 'Asia/Tokyo' });
    expect(quietUntil(new Date('2026-11-22T03:15:00Z'), lunch)).toEqual(new Date('2026-11-22T04:30:00Z')); // 12:15 → 13:30 JST
    expect(quietUntil(new Date('2026-11-22T04:30:00Z'), lunch)).toBeNull(); // the end is not quiet
  });
});

describe('daily digest', () => {
  it('collects low-priority e-mail for 08:00 local time, leaving other channels and priorities alone', () => {
    const at = new Date('2026-06-01T10:00:00Z'); // 12:00 in Berlin (CEST)
    const plans = planDeliveries('announcement', 'low', prefs({ dailyDigest: true }), everywhere, at);
    expect(plans).toEqual([{ channel: 'email', sendAt: new Date('2026-06-02T06:00:00Z'), digest: true }]);
    expect(planDeliveries('expense_approved', 'normal', prefs({ dailyDigest: true }), everywhere, at)[0]).toMatchObject({ channel: 'email', digest: false, sendAt: null });
    expect(nextDigestAt(new Date('2026-06-02T05:59:00Z'), 'Europe/Berlin')).toEqual(new Date('2026-06-02T06:00:00Z'));
  });
});
