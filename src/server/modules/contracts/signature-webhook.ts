import sjson from 'secure-json-parse';
import { z } from 'zod';
import { recordAudit } from '../../audit/audit.service.js';
import { withTenant } from '../../db/tenant.js';
import { AppError } from '../../http/errors.js';
import { defineJob } from '../../jobs/queue.js';
import { requireServices } from '../../mail/mail.job.js';
import type { RealtimeEvent } from '../../realtime/hub.js';
import type { Services } from '../../services.js';
import { withAuthScope } from '../auth/auth.queries.js';
import { recordDecline, recordSignature, type SigningContext } from './signing.service.js';

/**
 * DocuSign Connect: DocuSign posts envelope events to the portal, signed with HMAC. A checked
 * delivery about one of our envelopes queues a job; the job fetches the signed PDF from DocuSign
 * (retried while DocuSign is unreachable) and records the signature — or the refusal — on the
 * assignment. Deliveries repeat; each envelope is settled once.
 */
const outcomes = { 'envelope-completed': 'completed', 'recipient-completed': 'completed', 'envelope-declined': 'declined', 'recipient-declined': 'declined', 'envelope-voided': 'voided' } as const;
type Outcome = (typeof outcomes)[keyof typeof outcomes];

const connectPayload = z.object({
  event: z.string().max(100),
  data: z.object({
    envelopeId: z.string().min(1).max(100),
    envelopeSummary: z.object({
      status: z.string().optional(),
      voidedReason: z.string().max(2000).optional(),
      recipients: z.object({ signers: z.array(z.object({ declinedReason: z.string().max(2000).optional() }).passthrough()).optional() }).passthrough().optional(),
    }).passthrough().optional(),
  }).passthrough(),
}).passthrough();

/** Checks and reads one Connect delivery; answers what was done with it. */
export async function receiveConnectDelivery(services: Services, rawBody: Buffer, headers: Record<string, string | string[] | undefined>) {
  const provider = services.signatureProvider;
  if (provider.mode !== 'redirect') throw new AppError('route_not_found', 'DocuSign is not configured on this portal');
  if (!provider.verifyWebhook(rawBody, headers)) throw new AppError('invalid_webhook_signature', 'The X-DocuSign-Signature headers do not match this delivery');
  let parsed: z.infer<typeof connectPayload>;
  try {
    parsed = connectPayload.parse(sjson.parse(rawBody.toString('utf8'), undefined, { protoAction: 'remove', constructorAction: 'remove' }));
  } catch {
    throw new AppError('validation_error', 'Expected a DocuSign Connect JSON delivery (event and data.envelopeId)');
  }
  const outcome: Outcome | undefined = outcomes[parsed.event as keyof typeof outcomes];
  if (!outcome) return { accepted: false, reason: `event ${parsed.event} is not used` };
  const envelopeId = parsed.data.envelopeId;
  const envelope = await withAuthScope(services.database.db, (trx) => trx.selectFrom('signature_envelopes').select(['organization_id', 'status'])
    .where('provider', '=', provider.name).where('envelope_id', '=', envelopeId).executeTakeFirst());
  // Not ours, or already settled: acknowledged so DocuSign stops retrying.
  if (!envelope || envelope.status !== 'sent') return { accepted: false, reason: envelope ? `envelope already ${envelope.status}` : 'unknown envelope' };
  const summary = parsed.data.envelopeSummary;
  const reason = outcome === 'declined' ? summary?.recipients?.signers?.find((s) => s.declinedReason)?.declinedReason : outcome === 'voided' ? summary?.voidedReason : undefined;
  await withTenant(services.database.db, { organizationId: envelope.organization_id }, (trx) =>
    services.jobs.enqueue(trx, signatureOutcomeJob, { organizationId: envelope.organization_id, envelopeId, outcome, reason: reason ?? null }));
  return { accepted: true, reason: outcome };
}

/** Settles one envelope: the signed PDF stored and the assignment signed, declined, or left open (voided). */
export async function settleEnvelope(services: Services, job: { organizationId: string; envelopeId: string; outcome: Outcome; reason: string | null }) {
  const provider = services.signatureProvider;
  if (provider.mode !== 'redirect') return;
  const { organizationId, envelopeId, outcome } = job;
  // The document comes first, outside the transaction: DocuSign may be slow, and a failure retries the job.
  const document = outcome === 'completed' ? await provider.signedDocument(envelopeId) : null;
  if (document && document.subarray(0, 5).toString('latin1') !== '%PDF-') throw new Error(`DocuSign envelope ${envelopeId}: the signed document is not a PDF`);

  const events: RealtimeEvent[] = [];
  await withTenant(services.database.db, { organizationId }, async (trx) => {
    const envelope = await trx.selectFrom('signature_envelopes').selectAll().where('organization_id', '=', organizationId)
      .where('provider', '=', provider.name).where('envelope_id', '=', envelopeId).forUpdate().executeTakeFirst();
    if (!envelope || envelope.status !== 'sent') return;
    await trx.updateTable('signature_envelopes').set({ status: outcome }).where('id', '=', envelope.id).execute();
    const assignment = await trx.selectFrom('contract_assignments').selectAll().where('organization_id', '=', organizationId).where('id', '=', envelope.assignment_id)
      .forUpdate().executeTakeFirstOrThrow();
    const contract = await trx.selectFrom('contracts').select(['id', 'title', 'current_version']).where('organization_id', '=', organizationId)
      .where('id', '=', assignment.contract_id).executeTakeFirstOrThrow();
    const ctx: SigningContext = {
      organizationId, trx,
      // DocuSign acted for the signer: the signer is the actor of the audit row.
      audit: (entry) => recordAudit(trx, { organizationId, actorId: assignment.artist_id, ip: null, userAgent: 'DocuSign Connect', requestId: null }, entry),
      enqueue: (definition, payload) => services.jobs.enqueue(trx, definition, payload),
      publish: (event) => void events.push(event),
    };
    const stillOpen = ['pending', 'sent', 'viewed'].includes(assignment.status) || (assignment.status === 'signed' && (assignment.signed_version ?? 0) < envelope.version);
    if (outcome === 'voided' || !stillOpen) {
      await ctx.audit({ entityType: 'contract_assignment', entityId: assignment.id, action: 'contract.envelope_closed', after: { envelope_id: envelopeId, outcome, reason: job.reason, assignment_status: assignment.status } });
      return;
    }
    if (outcome === 'declined') {
      await recordDecline(ctx, { assignment, contractId: contract.id, title: contract.title, reason: job.reason ?? 'Declined in DocuSign', provider: provider.name });
      return;
    }
    const version = await trx.selectFrom('contract_versions').select('sha256').where('organization_id', '=', organizationId)
      .where('contract_id', '=', contract.id).where('version', '=', envelope.version).executeTakeFirstOrThrow();
    const signer = await trx.selectFrom('users').select(['first_name', 'last_name']).where('id', '=', assignment.artist_id).executeTakeFirstOrThrow();
    const signerName = `${signer.first_name} ${signer.last_name}`;
    await recordSignature(ctx, services.storage, {
      assignment, contractId: contract.id, title: contract.title, currentVersion: contract.current_version, version: envelope.version, documentSha256: version.sha256,
      document: document!, signerName, kind: 'docusign', signatureName: signerName, signedAt: new Date(),
      origin: { ip: null, userAgent: 'DocuSign' }, provider: provider.name, reference: envelopeId,
    });
  });
  for (const event of events) services.realtime.publish(event);
}

export const signatureOutcomeJob = defineJob({
  name: 'contracts.signature-outcome',
  payload: z.object({ organizationId: z.uuid(), envelopeId: z.string().min(1).max(100), outcome: z.enum(['completed', 'declined', 'voided']), reason: z.string().nullable() }),
  retryLimit: 8,
  retryDelaySeconds: 30,
  handler: (payload, deps) => settleEnvelope(requireServices(deps), payload),
});
