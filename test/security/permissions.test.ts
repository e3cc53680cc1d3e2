import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/server/db/schema.js';
import { withTenant } from '../../src/server/db/tenant.js';
import { withAuthScope } from '../../src/server/modules/auth/auth.queries.js';
import { hashPassword } from '../../src/server/modules/auth/passwords.js';
import { notify } from '../../src/server/modules/notifications/notifications.service.js';
import { startSession } from '../../src/server/modules/auth/sessions.js';
import { multipart, samples, unique } from '../api/support.js';
import { ownerPool } from '../db/support.js';
import { addUser, createOrganization, startTestApp, type TestApp, type TestOrganization, type TestUser } from '../helpers/app.js';

/**
 * Every operation of the OpenAPI document that needs a token, called as each of the six roles,
 * against seed 004's matrix written out below by hand — not read from policy.ts, so a wrong
 * policy fails here. An operation missing from the table fails the test too.
 *
 *   A  allowed: 2xx, or a 4xx that is a business answer (400, 401 invalid_credentials, 409, 422)
 *   F  forbidden: 403
 *   H  hidden: 404 — refused without telling whether the object exists
 *
 * Seed 004: artist contracts:read:own, expenses:write:own, schedule:read:own; admin *:*:*;
 * accountant expenses:*:*, reports:read:*; production_manager schedule:*:*, events:write:*;
 * finance_director expenses:approve:high_value, reports:*:*; system_admin like admin.
 * Extended for what exists now: everybody reads the organization and manages their own account,
 * profile, files and privacy requests; office roles (every role but artist) see the people and
 * their masked artist profiles; only admins change the organization, people, invitations and
 * deletion requests and read the audit trail; decrypted tax IDs and bank accounts of others only
 * for the finance roles (issue 3 item 8: admins see masked values like everyone else).
 */

const PASSWORD = 'Violet-Curtain-Rises-42';
const NEW_PASSWORD = 'Another-Stage-Door-77';
const roles = ['artist', 'admin', 'accountant', 'production_manager', 'finance_director', 'system_admin'] as const satisfies readonly Role[];
type Outcome = 'A' | 'F' | 'H';
type Expect = readonly [artist: Outcome, admin: Outcome, accountant: Outcome, production_manager: Outcome, finance_director: Outcome, system_admin: Outcome];

interface Fixture {
  org: TestOrganization;
  /** Another member (an artist) whose objects the roles reach for. */
  other: TestUser;
  otherFile: string;
  ownFile: Record<Role, string>;
  /** One pending invitation, one open deletion request and one own session per acting role. */
  invitation: Record<Role, string>;
  deletionRequest: Record<Role, string>;
  session: Record<Role, string>;
  /** A notification of the other member. */
  otherNotification: string;
  /** A production, and one in planning per acting role to delete. */
  production: string;
  deletableProduction: Record<Role, string>;
  contract: string;
  /** Categories of the organization; an expense of the other member waiting for an admin-level approval; a paid-out batch to be. */
  category: string;
  otherExpense: string;
  batch: string;
  /** A weekly rehearsal the other member (only) takes part in, and its first occurrence. */
  event: string;
  occurrence: string;
  /** A weekly rehearsal every acting role and the other member take part in, and its first occurrence. */
  ownEvent: string;
  eventFile: string;
  ownOccurrence: string;
}

interface Row {
  op: string;
  case?: string;
  expect: Expect;
  request: (role: Role, fx: Fixture) => Omit<InjectOptions, 'method' | 'url'> & { url?: string };
}

const none = () => ({});
/** A multipart contract upload: the `data` JSON part, then a PDF. */
function contractUpload(data: Record<string, unknown>) {
  const body = multipart([{ filename: 'contract.pdf', contentType: 'application/pdf', data: samples.pdf }], { data: JSON.stringify(data) });
  return { payload: body.payload, headers: body.headers };
}
const json = (payload: Record<string, unknown>) => () => ({ payload });

// prettier-ignore
const table: Row[] = [
  //  operation                                                   artist admin acct  pm   fd   sysadm
  // ---- own account (auth) ----
  { op: 'GET /api/v1/auth/me',                                 expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'GET /api/v1/auth/sessions',                           expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'DELETE /api/v1/auth/sessions/{id}', case: 'own',      expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: (r, fx) => ({ url: `/api/v1/auth/sessions/${fx.session[r]}` }) },
  { op: 'POST /api/v1/auth/switch-organization',               expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: (_r, fx) => ({ payload: { organization_id: fx.org.id } }) },
  { op: 'POST /api/v1/auth/resend-verification',               expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'POST /api/v1/auth/change-password',                   expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: json({ current_password: PASSWORD, new_password: NEW_PASSWORD }) },
  { op: 'GET /api/v1/auth/2fa',                                expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'POST /api/v1/auth/2fa/setup',                         expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'POST /api/v1/auth/2fa/enable',                        expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: json({ code: '000000' }) },
  { op: 'POST /api/v1/auth/2fa/disable',                       expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: json({ password: NEW_PASSWORD, code: '000000' }) },
  { op: 'POST /api/v1/auth/2fa/backup-codes',                  expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: json({ password: NEW_PASSWORD, code: '000000' }) },
  { op: 'POST /api/v1/auth/logout',                            expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: json({}) },
  // ---- organization ----
  { op: 'GET /api/v1/organization',                            expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'PATCH /api/v1/organization',                          expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: json({ name: 'Renamed Theatre' }) },
  // ---- people ----
  { op: 'GET /api/v1/members',                                 expect: ['F', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'GET /api/v1/members/{id}', case: 'another member',    expect: ['H', 'A', 'A', 'A', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/members/${fx.other.membershipId}` }) },
  { op: 'GET /api/v1/members/{id}', case: 'own membership',    expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: (r, fx) => ({ url: `/api/v1/members/${fx.org.users[r].membershipId}` }) },
  { op: 'PATCH /api/v1/members/{id}', case: 'another member',  expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: (_r, fx) => ({ url: `/api/v1/members/${fx.other.membershipId}`, payload: { title: 'Principal' } }) },
  { op: 'POST /api/v1/admin/users',                            expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: () => ({ payload: { email: `${unique('invitee')}@example.com`, role: 'artist' } }) },
  { op: 'GET /api/v1/admin/invitations',                       expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: none },
  { op: 'POST /api/v1/admin/invitations/{id}/resend',          expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: (r, fx) => ({ url: `/api/v1/admin/invitations/${fx.invitation[r]}/resend` }) },
  { op: 'DELETE /api/v1/admin/invitations/{id}',               expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: (r, fx) => ({ url: `/api/v1/admin/invitations/${fx.invitation[r]}` }) },
  // ---- audit ----
  { op: 'GET /api/v1/audit-logs',                              expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: none },
  { op: 'GET /api/v1/audit-logs/verify',                       expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: none },
  // ---- files ----
  { op: 'POST /api/v1/files',                                  expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: () => { const b = multipart([{ filename: 'rider.pdf', contentType: 'application/pdf', data: samples.pdf }]); return { headers: b.headers, payload: b.payload }; } },
  { op: 'GET /api/v1/files/{id}', case: 'own file',            expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: (r, fx) => ({ url: `/api/v1/files/${fx.ownFile[r]}` }) },
  { op: 'GET /api/v1/files/{id}', case: "another's file",      expect: ['H', 'A', 'H', 'H', 'H', 'A'], request: (_r, fx) => ({ url: `/api/v1/files/${fx.otherFile}` }) },
  { op: 'GET /api/v1/files/{id}/download', case: 'own file',   expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: (r, fx) => ({ url: `/api/v1/files/${fx.ownFile[r]}/download` }) },
  { op: 'GET /api/v1/files/{id}/download', case: "another's file", expect: ['H', 'A', 'H', 'H', 'H', 'A'], request: (_r, fx) => ({ url: `/api/v1/files/${fx.otherFile}/download` }) },
  // ---- profiles ----
  { op: 'GET /api/v1/me/profile',                              expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'PATCH /api/v1/me/profile',                            expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: json({ timezone: 'Europe/Berlin' }) },
  { op: 'GET /api/v1/me/artist-profile',                       expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'PATCH /api/v1/me/artist-profile',                     expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: json({ stage_name: 'The Understudy' }) },
  { op: 'GET /api/v1/me/artist-profile/sensitive',             expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'GET /api/v1/members/{id}/artist-profile', case: 'another member', expect: ['F', 'A', 'A', 'A', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/members/${fx.other.membershipId}/artist-profile` }) },
  { op: 'GET /api/v1/members/{id}/artist-profile/sensitive', case: 'another member', expect: ['F', 'F', 'A', 'F', 'A', 'F'], request: (_r, fx) => ({ url: `/api/v1/members/${fx.other.membershipId}/artist-profile/sensitive` }) },
  // ---- privacy ----
  { op: 'GET /api/v1/me/export',                               expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'POST /api/v1/me/deletion-request',                    expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'GET /api/v1/me/deletion-request',                     expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'DELETE /api/v1/me/deletion-request',                  expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'GET /api/v1/admin/deletion-requests',                 expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: none },
  { op: 'POST /api/v1/admin/deletion-requests/{id}/complete',  expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: (r, fx) => ({ url: `/api/v1/admin/deletion-requests/${fx.deletionRequest[r]}/complete` }) },
  // ---- notifications (one's own; announcements and deliveries for administrators) ----
  { op: 'GET /api/v1/notifications',                           expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'GET /api/v1/notifications/unread-count',              expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'POST /api/v1/notifications/{id}/read', case: 'another member\'s',
                                                               expect: ['H', 'H', 'H', 'H', 'H', 'H'], request: (_r, fx) => ({ url: `/api/v1/notifications/${fx.otherNotification}/read` }) },
  { op: 'POST /api/v1/notifications/read-all',                 expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'GET /api/v1/me/notification-preferences',             expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'PUT /api/v1/me/notification-preferences',             expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: json({ daily_digest: true }) },
  { op: 'GET /api/v1/notifications/push-key',                  expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'GET /api/v1/me/push-subscriptions',                   expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'POST /api/v1/me/push-subscriptions',                  expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: json({ endpoint: 'https://push.example.net/x', keys: { p256dh: Buffer.alloc(65, 4).toString('base64url'), auth: Buffer.alloc(16, 9).toString('base64url') } }) },
  { op: 'DELETE /api/v1/me/push-subscriptions/{id}', case: 'none of theirs',
                                                               expect: ['H', 'H', 'H', 'H', 'H', 'H'], request: () => ({ url: '/api/v1/me/push-subscriptions/00000000-0000-4000-8000-000000000000' }) },
  { op: 'GET /api/v1/admin/notification-deliveries',           expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: none },
  { op: 'POST /api/v1/admin/notification-deliveries/{id}/retry', case: 'unknown delivery',
                                                               expect: ['F', 'H', 'F', 'F', 'F', 'H'], request: () => ({ url: '/api/v1/admin/notification-deliveries/00000000-0000-4000-8000-000000000000/retry' }) },
  { op: 'POST /api/v1/admin/announcements',                    expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: json({ subject: 'Sweep', body: 'Permission sweep' }) },
  // ---- productions (office roles read; admins and production managers run them) ----
  { op: 'GET /api/v1/productions',                             expect: ['F', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'POST /api/v1/productions',                            expect: ['F', 'A', 'F', 'A', 'F', 'A'], request: json({ name: 'Sweep', start_date: '2026-01-01', end_date: '2026-01-31' }) },
  { op: 'GET /api/v1/productions/{id}',                        expect: ['F', 'A', 'A', 'A', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/productions/${fx.production}` }) },
  { op: 'PATCH /api/v1/productions/{id}',                      expect: ['F', 'A', 'F', 'A', 'F', 'A'], request: (_r, fx) => ({ url: `/api/v1/productions/${fx.production}`, payload: { description: 'Swept' } }) },
  { op: 'DELETE /api/v1/productions/{id}',                     expect: ['F', 'A', 'F', 'A', 'F', 'A'], request: (r, fx) => ({ url: `/api/v1/productions/${fx.deletableProduction[r]}` }) },
  // ---- schedules (office roles read everyone's; admins and production managers run them; only participants answer) ----
  { op: 'GET /api/v1/events',                                  expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: () => ({ url: '/api/v1/events?from=2030-01-01&to=2030-02-01' }) },
  { op: 'GET /api/v1/events/conflicts',                        expect: ['F', 'A', 'A', 'A', 'A', 'A'], request: () => ({ url: '/api/v1/events/conflicts?from=2030-01-01&to=2030-02-01' }) },
  { op: 'GET /api/v1/events/export',                           expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: () => ({ headers: { accept: 'text/calendar' } }) },
  { op: 'POST /api/v1/events',                                 expect: ['F', 'A', 'F', 'A', 'F', 'A'], request: json({ type: 'meeting', title: 'Sweep', time_zone: 'Europe/London', start: '2030-01-10T10:00', end: '2030-01-10T11:00' }) },
  { op: 'GET /api/v1/events/{id}', case: "another member's",   expect: ['H', 'A', 'A', 'A', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.event}` }) },
  { op: 'GET /api/v1/events/{id}/attachments/{fileId}', case: "another member's",
                                                               expect: ['H', 'A', 'A', 'A', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.event}/attachments/${fx.eventFile}` }) },
  { op: 'GET /api/v1/events/{id}/attachments/{fileId}', case: 'taking part',
                                                               expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.ownEvent}/attachments/${fx.eventFile}` }) },
  { op: 'GET /api/v1/events/{id}/updates', case: "another member's",
                                                               expect: ['H', 'A', 'A', 'A', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.event}/updates` }) },
  { op: 'PATCH /api/v1/events/{id}',                           expect: ['F', 'A', 'F', 'A', 'F', 'A'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.event}?scope=all`, payload: { notes: 'Swept' } }) },
  { op: 'PUT /api/v1/events/{id}/participants',                expect: ['F', 'A', 'F', 'A', 'F', 'A'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.event}/participants`, payload: { participants: [{ user_id: fx.other.id }] } }) },
  { op: 'PUT /api/v1/events/{id}/attachments',                expect: ['F', 'A', 'F', 'A', 'F', 'A'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.event}/attachments`, payload: { file_ids: [] } }) },
  // Nobody acting takes part: answering is refused as if the event did not exist.
  { op: 'POST /api/v1/events/{id}/rsvp', case: 'not a participant',
                                                               expect: ['H', 'H', 'H', 'H', 'H', 'H'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.event}/rsvp`, payload: { status: 'confirmed' } }) },
  { op: 'POST /api/v1/events/{id}/acknowledge', case: 'not a participant',
                                                               expect: ['H', 'H', 'H', 'H', 'H', 'H'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.event}/acknowledge`, payload: {} }) },
  { op: 'POST /api/v1/events/{id}/check-in', case: 'not a participant',
                                                               expect: ['H', 'H', 'H', 'H', 'H', 'H'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.event}/check-in`, payload: { occurrence: fx.occurrence } }) },
  { op: 'POST /api/v1/events/{id}/check-out', case: 'not a participant',
                                                               expect: ['H', 'H', 'H', 'H', 'H', 'H'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.event}/check-out`, payload: { occurrence: fx.occurrence } }) },
  // The first allowed role cancels; later ones get a 409 (already cancelled), a business answer.
  { op: 'POST /api/v1/events/{id}/cancel',                     expect: ['F', 'A', 'F', 'A', 'F', 'A'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.event}/cancel`, payload: { reason: 'Sweep' } }) },
  // Taking part: everyone reads, answers, acknowledges and checks in and out of their own call.
  { op: 'GET /api/v1/events/{id}', case: 'taking part',        expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.ownEvent}` }) },
  { op: 'GET /api/v1/events/{id}/updates', case: 'taking part', expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.ownEvent}/updates` }) },
  { op: 'POST /api/v1/events/{id}/rsvp', case: 'taking part',  expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.ownEvent}/rsvp`, payload: { status: 'confirmed' } }) },
  { op: 'POST /api/v1/events/{id}/acknowledge', case: 'taking part',
                                                               expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.ownEvent}/acknowledge`, payload: { note: 'Seen' } }) },
  { op: 'POST /api/v1/events/{id}/check-in', case: 'taking part, oneself',
                                                               expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.ownEvent}/check-in`, payload: { occurrence: fx.ownOccurrence } }) },
  { op: 'POST /api/v1/events/{id}/check-out', case: 'taking part, oneself',
                                                               expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.ownEvent}/check-out`, payload: { occurrence: fx.ownOccurrence } }) },
  // Recording someone else's arrival is for those who run the schedule.
  { op: 'POST /api/v1/events/{id}/check-in', case: 'for another participant',
                                                               expect: ['F', 'A', 'F', 'A', 'F', 'A'], request: (_r, fx) => ({ url: `/api/v1/events/${fx.ownEvent}/check-in`, payload: { occurrence: fx.ownOccurrence, user_id: fx.other.id } }) },
  { op: 'GET /api/v1/events', case: "another member's, by participant_id",
                                                               expect: ['F', 'A', 'A', 'A', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/events?from=2030-01-01&to=2030-02-01&participant_id=${fx.other.id}` }) },
  { op: 'GET /api/v1/calendar/feed',                           expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'POST /api/v1/calendar/feed',                          expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'DELETE /api/v1/calendar/feed',                        expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  // ---- contracts (administrators manage them; assignment and signing come next) ----
  { op: 'POST /api/v1/contracts',                              expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: () => contractUpload({ title: 'Sweep' }) },
  { op: 'POST /api/v1/contracts/{id}/versions',                expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: (_r, fx) => ({ ...contractUpload({ change_summary: 'Sweep' }), url: `/api/v1/contracts/${fx.contract}/versions` }) },
  // Everyone lists the contracts assigned to them; one not assigned to them is not found.
  { op: 'GET /api/v1/contracts',                               expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'GET /api/v1/contracts/{id}', case: 'not assigned to the caller',
                                                               expect: ['H', 'A', 'H', 'H', 'H', 'A'], request: (_r, fx) => ({ url: `/api/v1/contracts/${fx.contract}` }) },
  { op: 'GET /api/v1/contracts/{id}/download', case: 'not assigned to the caller',
                                                               expect: ['H', 'A', 'H', 'H', 'H', 'A'], request: (_r, fx) => ({ url: `/api/v1/contracts/${fx.contract}/download` }) },
  { op: 'POST /api/v1/contracts/{id}/assign',                  expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: (_r, fx) => ({ url: `/api/v1/contracts/${fx.contract}/assign`, payload: { artist_ids: [fx.other.id], send_notification: false } }) },
  { op: 'GET /api/v1/contracts/{id}/status',                   expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: (_r, fx) => ({ url: `/api/v1/contracts/${fx.contract}/status` }) },
  // ---- expenses: everyone claims their own; approvers (by limit) and payers see and act on everyone's ----
  { op: 'GET /api/v1/expense-categories',                      expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'POST /api/v1/expense-categories',                     expect: ['F', 'A', 'A', 'F', 'F', 'A'], request: (r) => ({ payload: { name: `Sweep ${r}`, code: `SWEEP_${r.toUpperCase()}` } }) },
  { op: 'PATCH /api/v1/expense-categories/{id}',               expect: ['F', 'A', 'A', 'F', 'F', 'A'], request: (_r, fx) => ({ url: `/api/v1/expense-categories/${fx.category}`, payload: { xero_account_code: '429' } }) },
  { op: 'POST /api/v1/expenses', case: 'own claim',            expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: (_r, fx) => ({ payload: { category_id: fx.category, amount: '12.00', expense_date: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), merchant: 'Sweep', description: 'Sweep' } }) },
  { op: 'GET /api/v1/expenses',                                expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'GET /api/v1/expenses/export',                         expect: ['A', 'A', 'A', 'A', 'A', 'A'], request: none },
  { op: 'GET /api/v1/expenses/{id}', case: "another member's", expect: ['H', 'A', 'A', 'H', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/expenses/${fx.otherExpense}` }) },
  { op: 'PUT /api/v1/expenses/{id}', case: "another member's", expect: ['H', 'H', 'H', 'H', 'H', 'H'], request: (_r, fx) => ({ url: `/api/v1/expenses/${fx.otherExpense}`, payload: { category_id: fx.category, amount: '1.00', expense_date: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), merchant: 'X', description: 'Y' } }) },
  { op: 'DELETE /api/v1/expenses/{id}', case: "another member's", expect: ['H', 'H', 'H', 'H', 'H', 'H'], request: (_r, fx) => ({ url: `/api/v1/expenses/${fx.otherExpense}` }) },
  { op: 'POST /api/v1/expenses/{id}/submit', case: "another member's", expect: ['H', 'H', 'H', 'H', 'H', 'H'], request: (_r, fx) => ({ url: `/api/v1/expenses/${fx.otherExpense}/submit` }) },
  { op: 'POST /api/v1/expenses/{id}/receipts', case: "another member's", expect: ['H', 'H', 'H', 'H', 'H', 'H'], request: (_r, fx) => ({ url: `/api/v1/expenses/${fx.otherExpense}/receipts` }) },
  { op: 'GET /api/v1/expenses/{id}/receipts/{receiptId}/download', case: 'no such receipt',
                                                               expect: ['H', 'H', 'H', 'H', 'H', 'H'], request: (_r, fx) => ({ url: `/api/v1/expenses/${fx.otherExpense}/receipts/00000000-0000-4000-8000-000000000000/download` }) },
  { op: 'DELETE /api/v1/expenses/{id}/receipts/{receiptId}', case: "another member's",
                                                               expect: ['H', 'H', 'H', 'H', 'H', 'H'], request: (_r, fx) => ({ url: `/api/v1/expenses/${fx.otherExpense}/receipts/00000000-0000-4000-8000-000000000000` }) },
  // The first allowed role approves (or rejects); the others then find it decided (409).
  { op: 'POST /api/v1/expenses/{id}/reject', case: 'admin-level claim',
                                                               expect: ['F', 'A', 'A', 'F', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/expenses/${fx.otherExpense}/reject`, payload: { reason: 'Sweep says no' } }) },
  { op: 'POST /api/v1/expenses/{id}/approve', case: 'admin-level claim',
                                                               expect: ['F', 'A', 'A', 'F', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/expenses/${fx.otherExpense}/approve`, payload: {} }) },
  { op: 'POST /api/v1/payment-batches', case: 'an expense not approved',
                                                               expect: ['F', 'A', 'A', 'F', 'A', 'A'], request: (_r, fx) => ({ payload: { expense_ids: [fx.otherExpense] } }) },
  { op: 'GET /api/v1/payment-batches',                         expect: ['F', 'A', 'A', 'F', 'A', 'A'], request: none },
  { op: 'GET /api/v1/payment-batches/{id}/export',             expect: ['F', 'A', 'A', 'F', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/payment-batches/${fx.batch}/export` }) },
  { op: 'POST /api/v1/payment-batches/{id}/paid',              expect: ['F', 'A', 'A', 'F', 'A', 'A'], request: (_r, fx) => ({ url: `/api/v1/payment-batches/${fx.batch}/paid` }) },
  // Only the person a contract is assigned to signs or declines it (403 not_assigned_to_user for everyone else).
  { op: 'POST /api/v1/contracts/{id}/sign', case: 'not assigned to the caller',
                                                               expect: ['F', 'F', 'F', 'F', 'F', 'F'], request: (_r, fx) => ({ url: `/api/v1/contracts/${fx.contract}/sign`, payload: { consent: true, signature: { kind: 'typed', name: 'Sweep Signer' } } }) },
  { op: 'POST /api/v1/contracts/{id}/decline', case: 'not assigned to the caller',
                                                               expect: ['F', 'F', 'F', 'F', 'F', 'F'], request: (_r, fx) => ({ url: `/api/v1/contracts/${fx.contract}/decline`, payload: { reason: 'Sweep' } }) },
  { op: 'GET /api/v1/admin/signing-certificate',              expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: none },
  { op: 'PUT /api/v1/admin/signing-certificate', case: 'not a certificate',
                                                               expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: () => ({ payload: { certificate_pem: 'nope', private_key_pem: 'nope' } }) },
  { op: 'GET /api/v1/contracts/{id}/signed-document', case: 'nothing signed by the caller',
                                                               expect: ['H', 'H', 'H', 'H', 'H', 'H'], request: (_r, fx) => ({ url: `/api/v1/contracts/${fx.contract}/signed-document` }) },
  // ---- single sign-on (the fixture configures a provider; nothing listens at its issuer) ----
  { op: 'GET /api/v1/admin/sso',                               expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: none },
  { op: 'PUT /api/v1/admin/sso',                               expect: ['F', 'A', 'F', 'F', 'F', 'A'], request: json({ issuer: 'http://127.0.0.1:9', client_id: 'portal' }) },
  { op: 'DELETE /api/v1/admin/sso', case: 'removed by the admin row, so gone for the system admin after it',
                                                               expect: ['F', 'A', 'F', 'F', 'F', 'H'], request: none },
];

/** Business answers that still mean "the role got past the permission check". */
function classify(status: number, body: { type?: unknown }): Outcome | `unexpected ${number} ${string}` {
  if (status === 403) return 'F';
  if (status === 404) return 'H';
  if (status >= 200 && status < 300) return 'A';
  if ([400, 409, 422].includes(status)) return 'A';
  if (status === 401 && body.type === 'invalid_credentials') return 'A';
  if (status === 502 && body.type === 'identity_provider_unavailable') return 'A';
  return `unexpected ${status} ${String(body.type)}`;
}

let t: TestApp;
let fx: Fixture;

async function perRole<T>(fn: (role: Role) => Promise<T>): Promise<Record<Role, T>> {
  const out = {} as Record<Role, T>;
  for (const role of roles) out[role] = await fn(role);
  return out;
}

async function upload(user: TestUser): Promise<string> {
  const body = multipart([{ filename: 'contract.pdf', contentType: 'application/pdf', data: samples.pdf }]);
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...user.auth, ...body.headers }, payload: body.payload });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: string }).id;
}

beforeAll(async () => {
  t = await startTestApp();
  const org = await createOrganization(t.services, 'Matrix');
  const sentinel = org.id.slice(0, 8);
  const other = await addUser(t.services, org.id, 'artist', `other-${sentinel}@example.com`);
  const owner = ownerPool(t);
  try {
    const hash = await hashPassword(PASSWORD);
    await owner.pool.query('UPDATE users SET password_hash = $1 WHERE id = ANY($2::uuid[])', [hash, Object.values(org.users).map((u) => u.id)]);
  } finally {
    await owner.end();
  }
  const invitation = await perRole(async (role) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/admin/users', headers: org.users.admin.auth, payload: { email: `${role}-invitee-${sentinel}@example.com`, role: 'artist' } });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { id: string }).id;
  });
  const deletionRequest = await perRole(async (role) => {
    const leaving = await addUser(t.services, org.id, 'artist', `leaving-${role.replace('_', '-')}-${sentinel}@example.com`);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/me/deletion-request', headers: leaving.auth });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { id: string }).id;
  });
  const session = await perRole((role) => withAuthScope(t.services.database.db, async (trx) => {
    const user = org.users[role];
    const issued = await startSession(trx, t.services.tokens, { userId: user.id, organizationId: org.id, role }, { rememberMe: false, ip: '10.9.9.9', userAgent: 'sweep' });
    return issued.session_id;
  }, org.users[role].id));
  await withTenant(t.services.database.db, { organizationId: org.id }, (trx) =>
    trx.insertInto('sso_configurations').values({ organization_id: org.id, issuer: 'http://127.0.0.1:9', client_id: 'portal', client_secret_encrypted: null }).execute());
  const [otherNotification] = await withTenant(t.services.database.db, { organizationId: org.id }, (trx) =>
    notify({ organizationId: org.id, trx, enqueue: (job, payload) => t.services.jobs.enqueue(trx, job, payload) },
      { type: 'announcement', recipients: [other.id], subject: 'For the other member', body: 'x' }));
  const newProduction = async (name: string) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/productions', headers: org.users.admin.auth, payload: { name, start_date: '2026-01-01', end_date: '2026-12-31' } });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { id: string }).id;
  };
  const production = await newProduction('Matrix production');
  const deletableProduction = await perRole((role) => newProduction(`Deletable by ${role}`));
  const contractBody = contractUpload({ title: 'Matrix contract' });
  const contract = await t.app.inject({ method: 'POST', url: '/api/v1/contracts', headers: { ...org.users.admin.auth, ...contractBody.headers }, payload: contractBody.payload });
  expect(contract.statusCode, contract.body).toBe(201);
  const category = ((await t.app.inject({ method: 'GET', url: '/api/v1/expense-categories', headers: org.users.admin.auth })).json() as { data: { id: string; name: string }[] }).data.find((c) => c.name === 'Other')!.id;
  const noReceipts = ((await t.app.inject({ method: 'POST', url: '/api/v1/expense-categories', headers: org.users.admin.auth, payload: { name: 'Sweep per diem', code: 'SWEEP', requires_receipt: false } })).json() as { id: string }).id;
  const claim = async (amount: string) => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/expenses', headers: other.auth, payload: { category_id: noReceipts, amount, expense_date: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), merchant: `Sweep ${amount}`, description: 'Sweep' } });
    expect(created.statusCode, created.body).toBe(201);
    const id = (created.json() as { id: string }).id;
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/expenses/${id}/submit`, headers: other.auth })).statusCode).toBe(200);
    return id;
  };
  const otherExpense = await claim('300.00');
  const paidOut = await claim('20.00');
  const batch = await t.app.inject({ method: 'POST', url: '/api/v1/payment-batches', headers: org.users.accountant.auth, payload: { expense_ids: [paidOut] } });
  expect(batch.statusCode, batch.body).toBe(201);
  const eventFile = await upload(org.users.admin);
  const event = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: org.users.admin.auth, payload: {
    type: 'rehearsal', title: 'Matrix rehearsal', time_zone: 'Europe/London', start: '2030-01-08T19:00', end: '2030-01-08T22:00', rrule: 'FREQ=WEEKLY;COUNT=4',
    participants: [{ user_id: other.id }], attachment_file_ids: [eventFile],
  } });
  expect(event.statusCode, event.body).toBe(201);
  const ownEvent = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: org.users.admin.auth, payload: {
    type: 'rehearsal', title: 'Company call', time_zone: 'America/New_York', start: '2030-01-09T10:00', end: '2030-01-09T12:00', rrule: 'FREQ=WEEKLY;COUNT=4',
    participants: [...roles.map((r) => ({ user_id: org.users[r].id })), { user_id: other.id }], attachment_file_ids: [eventFile],
  } });
  expect(ownEvent.statusCode, ownEvent.body).toBe(201);
  fx = { eventFile, ownEvent: (ownEvent.json() as { id: string }).id, ownOccurrence: (ownEvent.json() as { starts_at: string }).starts_at,
    event: (event.json() as { id: string }).id, occurrence: (event.json() as { starts_at: string }).starts_at, category, otherExpense, batch: (batch.json() as { id: string }).id, contract: (contract.json() as { id: string }).id, production, deletableProduction, otherNotification: otherNotification!.id, org, other, otherFile: await upload(other), ownFile: await perRole((role) => upload(org.users[role])), invitation, deletionRequest, session };
});
afterAll(async () => t?.close());

describe('route × role sweep against seed 004', () => {
  it('every operation that needs a token has an expectation, and nothing else is listed', async () => {
    const doc = (await t.app.inject('/api/v1/openapi.json')).json() as {
      security?: unknown[];
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) => (op.security ?? doc.security ?? []).length > 0)
        .map(([method]) => `${method.toUpperCase()} /api/v1${path.replace(/^\/api\/v1/, '')}`));
    expect(documented.length).toBeGreaterThan(30);
    const listed = new Set(table.map((r) => r.op));
    expect(documented.filter((op) => !listed.has(op)), 'operations without an expectation').toEqual([]);
    expect([...listed].filter((op) => !documented.includes(op)), 'expectations for operations that do not exist').toEqual([]);
  });

  it('each role is allowed or refused exactly as the matrix says', async () => {
    const mismatches: string[] = [];
    let calls = 0;
    for (const row of table) {
      const [method, path] = row.op.split(' ') as [InjectOptions['method'], string];
      for (const [i, role] of roles.entries()) {
        const { url, headers, ...rest } = row.request(role, fx);
        const res = await t.app.inject({ method, url: url ?? path, headers: { ...fx.org.users[role].auth, ...(headers as Record<string, string> | undefined) }, ...rest });
        calls++;
        const body = (res.headers['content-type'] ?? '').toString().includes('json') ? (res.json() as { type?: unknown }) : {};
        const got = classify(res.statusCode, body);
        const want = row.expect[i];
        if (got !== want) mismatches.push(`${row.op}${row.case ? ` (${row.case})` : ''} as ${role}: expected ${want}, got ${got} (${res.statusCode} ${res.body.slice(0, 160)})`);
      }
    }
    expect(calls).toBe(table.length * roles.length);
    expect(mismatches).toEqual([]);
  }, 120_000);

  it('what was refused changed nothing: the other member, the organization and the invitations are as the admins left them', async () => {
    const member = (await t.app.inject({ url: `/api/v1/members/${fx.other.membershipId}`, headers: fx.org.users.admin.auth })).json() as { title: string | null; role: string };
    expect(member).toMatchObject({ title: 'Principal', role: 'artist' });
    const list = (await t.app.inject({ url: '/api/v1/admin/invitations?limit=100', headers: fx.org.users.admin.auth })).json() as { data: { id: string; status: string }[] };
    const status = (id: string) => list.data.find((i) => i.id === id)?.status;
    for (const role of roles) expect(status(fx.invitation[role]), role).toBe(role === 'admin' || role === 'system_admin' ? 'revoked' : 'pending');
  });
});
