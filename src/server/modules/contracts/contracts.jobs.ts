import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { sql } from 'kysely';
import { z } from 'zod';
import { ConversionError, convertDocxToPdf } from '../../files/docx-to-pdf.js';
import { listOrganizationIds, withTenant, type Tx } from '../../db/tenant.js';
import { defineJob } from '../../jobs/queue.js';
import type { RealtimeEvent } from '../../realtime/hub.js';
import type { Services } from '../../services.js';
import { requireServices } from '../../mail/mail.job.js';
import { notify, type NotifyContext } from '../notifications/notifications.service.js';

/** Today's date (YYYY-MM-DD) in a time zone. */
export function localDate(timeZone: string, at = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

export async function organizationTimeZone(trx: Tx, organizationId: string): Promise<string> {
  const org = await trx.selectFrom('organizations').select('settings').where('id', '=', organizationId).executeTakeFirst();
  const zone = (org?.settings as { timezone?: unknown } | undefined)?.timezone;
  return typeof zone === 'string' ? zone : 'UTC';
}

/**
 * One organization's contract deadlines and reminders:
 * - assignments still open after the contract's signing deadline (a day in the organization's
 *   time zone) expire, the contract with them, and the artist and the assigner are told;
 * - people who were sent a contract and have not signed (or signed a version since amended) get
 *   a reminder every `reminder_every_days`, counted on the assignment.
 * Each change is claimed by an UPDATE whose condition no longer holds once done, so two workers
 * sweeping at the same moment remind and expire once.
 */
export async function sweepContractDeadlines(services: Services, organizationId: string, now = new Date()) {
  const events: RealtimeEvent[] = [];
  const result = await withTenant(services.database.db, { organizationId }, async (trx) => {
    const ctx: NotifyContext = { organizationId, trx, enqueue: (job, payload) => services.jobs.enqueue(trx, job, payload), publish: (e) => void events.push(e) };
    const today = localDate(await organizationTimeZone(trx, organizationId), now);

    const expired = await trx.updateTable('contract_assignments as a').from('contracts as c')
      .set({ status: 'expired', expired_at: now })
      .whereRef('c.id', '=', 'a.contract_id').where('a.organization_id', '=', organizationId).where('c.organization_id', '=', organizationId)
      .where('a.status', 'in', ['pending', 'sent', 'viewed']).where('c.signing_deadline', '<', sql<string>`${today}::date`)
      .returning(['a.id', 'a.contract_id', 'a.artist_id', 'a.assigned_by', 'c.title'])
      .execute();
    const expiredContracts = [...new Set(expired.map((e) => e.contract_id))];
    if (expiredContracts.length) {
      await trx.updateTable('contracts').set({ status: 'expired' })
        .where('organization_id', '=', organizationId).where('id', 'in', expiredContracts).where('status', 'in', ['draft', 'pending']).execute();
    }
    for (const a of expired) {
      await notify(ctx, {
        type: 'contract_reminder', recipients: [a.artist_id], link: `/contracts/${a.contract_id}`,
        subject: `${a.title} has expired`, body: 'The signing deadline has passed. Ask the administrator if you still want to sign.',
        data: { contract_id: a.contract_id, assignment_id: a.id, status: 'expired' },
      });
      if (a.assigned_by) {
        await notify(ctx, {
          type: 'contract_signed', recipients: [a.assigned_by], link: `/contracts/${a.contract_id}`,
          subject: `An assignment of ${a.title} expired unsigned`, body: 'The signing deadline passed before it was signed.',
          data: { contract_id: a.contract_id, assignment_id: a.id, status: 'expired' },
        });
      }
    }

    const reminded = await trx.updateTable('contract_assignments as a').from('contracts as c')
      .set({ reminder_count: sql<number>`a.reminder_count + 1`, last_reminded_at: now })
      .whereRef('c.id', '=', 'a.contract_id').where('a.organization_id', '=', organizationId).where('c.organization_id', '=', organizationId)
      // Open for signing, or signed on a version since amended (asked to sign again).
      .where((eb) => eb.or([eb('a.status', 'in', ['sent', 'viewed']), eb.and([eb('a.status', '=', 'signed'), eb('a.signed_version', '<', eb.ref('c.current_version'))])]))
      .where('c.status', '=', 'pending')
      .where(sql<boolean>`coalesce(a.last_reminded_at, a.sent_at) <= ${now}::timestamptz - make_interval(days => c.reminder_every_days)`)
      .returning(['a.id', 'a.contract_id', 'a.artist_id', 'a.reminder_count', 'c.title', sql<string | null>`to_char(c.signing_deadline, 'YYYY-MM-DD')`.as('deadline')])
      .execute();
    for (const a of reminded) {
      await notify(ctx, {
        type: 'contract_reminder', recipients: [a.artist_id], link: `/contracts/${a.contract_id}`,
        subject: `Reminder: ${a.title} is waiting for your signature`,
        body: a.deadline ? `Please read and sign it by ${a.deadline}.` : 'Please read and sign it, or decline with a reason.',
        data: { contract_id: a.contract_id, assignment_id: a.id, reminder: a.reminder_count },
      });
    }
    return { expired: expired.length, reminded: reminded.length };
  });
  for (const event of events) services.realtime.publish(event);
  return result;
}

/** Every hour: contract reminders and expiry, for every organization. */
export const contractDeadlinesJob = defineJob({
  name: 'contracts.deadlines',
  payload: z.object({}).passthrough(),
  cron: '23 * * * *',
  retryLimit: 2,
  async handler(_payload, deps) {
    const services = requireServices(deps);
    for (const organizationId of await listOrganizationIds(deps.db)) await sweepContractDeadlines(services, organizationId);
  },
});

/**
 * Makes the PDF rendition of a Word contract version. The conversion runs outside any
 * transaction; a document LibreOffice cannot convert is marked failed with the reason (the
 * administrator sees it and can upload a PDF), other errors retry.
 */
export async function convertContractVersion(services: Services, job: { organizationId: string; contractId: string; version: number }) {
  const { organizationId, contractId, version } = job;
  const { db } = services.database;
  const source = await withTenant(db, { organizationId }, (trx) => trx.selectFrom('contract_versions as v').innerJoin('files as f', 'f.id', 'v.file_id')
    .select(['v.id', 'v.conversion_status', 'f.storage_key', 'f.original_name', 'f.uploaded_by'])
    .where('v.organization_id', '=', organizationId).where('v.contract_id', '=', contractId).where('v.version', '=', version).executeTakeFirst());
  if (!source || source.conversion_status !== 'pending') return;

  let pdf: Buffer;
  try {
    pdf = await convertDocxToPdf(await buffer(services.storage.get(source.storage_key)), services.config.SOFFICE_PATH);
  } catch (err) {
    if (!(err instanceof ConversionError)) throw err;
    await withTenant(db, { organizationId }, (trx) => trx.updateTable('contract_versions').set({ conversion_status: 'failed', conversion_error: err.message })
      .where('organization_id', '=', organizationId).where('id', '=', source.id).where('conversion_status', '=', 'pending').execute());
    services.realtime.publish({ type: 'contract.rendition', organizationId, roles: ['admin', 'system_admin'], data: { contract_id: contractId, version, status: 'failed' } });
    return;
  }
  const stored = await services.storage.put(Readable.from(pdf), { organizationId, maxBytes: services.config.FILE_MAX_BYTES * 4 });
  try {
    const done = await withTenant(db, { organizationId }, async (trx) => {
      const file = await trx.insertInto('files').values({
        organization_id: organizationId, storage_provider: services.storage.provider, storage_key: stored.key,
        original_name: `${source.original_name.replace(/\.docx$/i, '')}.pdf`, content_type: 'application/pdf', size_bytes: stored.sizeBytes, sha256: stored.sha256,
        uploaded_by: source.uploaded_by, purpose: 'contract_rendition',
      }).returning('id').executeTakeFirstOrThrow();
      const updated = await trx.updateTable('contract_versions').set({ conversion_status: 'done', pdf_file_id: file.id, conversion_error: null })
        .where('organization_id', '=', organizationId).where('id', '=', source.id).where('conversion_status', '=', 'pending').executeTakeFirst();
      // Another worker finished first: roll back this copy.
      if (Number(updated.numUpdatedRows) === 0) throw new ConversionError('already converted');
      return true;
    });
    if (done) services.realtime.publish({ type: 'contract.rendition', organizationId, roles: ['admin', 'system_admin'], data: { contract_id: contractId, version, status: 'done' } });
  } catch (err) {
    await services.storage.delete(stored.key);
    if (!(err instanceof ConversionError)) throw err;
  }
}

/** DOCX → PDF for one contract version (queued at upload; one at a time per worker process). */
export const convertDocxJob = defineJob({
  name: 'contracts.convert-docx',
  payload: z.object({ organizationId: z.uuid(), contractId: z.uuid(), version: z.number().int().min(1) }),
  retryLimit: 3,
  retryDelaySeconds: 30,
  expireInSeconds: 600,
  handler: (payload, deps) => convertContractVersion(requireServices(deps), payload),
});
