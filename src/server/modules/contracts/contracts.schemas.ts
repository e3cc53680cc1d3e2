import { z } from 'zod';
import { csvEnum, dateRange, listResponse, pageQuery, searchQuery, text } from '../../http/schemas.js';
import { currencyCode } from '../organizations/organizations.schemas.js';
import { decimalAmount } from '../productions/productions.schemas.js';

export const contractStatuses = ['draft', 'pending', 'active', 'expired', 'cancelled'] as const;
const isoDate = z.iso.date().describe('YYYY-MM-DD');

/** Exact decimal string → cents, for sums without floating point. */
export const cents = (amount: string) => {
  const [whole, fraction = ''] = amount.split('.');
  return BigInt(whole ?? '0') * 100n + BigInt((fraction + '00').slice(0, 2));
};

export const termsSchema = z.strictObject({
  amount: decimalAmount.optional().describe('Total fee, exact decimal'),
  currency: currencyCode.optional(),
  payment_schedule: z.array(z.strictObject({ label: text(200).pipe(z.string().min(1)), due_date: isoDate, amount: decimalAmount })).max(50).optional(),
  start_date: isoDate.optional(),
  end_date: isoDate.optional(),
  union: z.strictObject({ name: text(200).pipe(z.string().min(1)), agreement: text(200).optional(), member_number: text(50).optional() }).optional()
    .describe('Union contract fields (e.g. Equity, SAG-AFTRA)'),
}).refine((t) => !t.start_date || !t.end_date || t.end_date >= t.start_date, { message: 'The end date is before the start date', path: ['end_date'] })
  .refine((t) => !t.amount || !t.payment_schedule || t.payment_schedule.reduce((sum, m) => sum + cents(m.amount), 0n) <= cents(t.amount),
    { message: 'The payment schedule adds up to more than the amount', path: ['payment_schedule'] })
  .refine((t) => !t.payment_schedule?.length || Boolean(t.currency), { message: 'Give the currency of the amounts', path: ['currency'] });
export type ContractTerms = z.infer<typeof termsSchema>;

/** The `data` part of the upload (JSON, sent before the `file` part). */
export const contractDataSchema = z.strictObject({
  title: text(255).pipe(z.string().min(1, 'Required')),
  description: text(5000).optional(),
  production_id: z.uuid().optional(),
  terms: termsSchema.default({}),
  tags: z.array(text(50).pipe(z.string().min(1))).max(20).default([]),
  metadata: z.record(z.string().max(100), z.union([z.string().max(1000), z.number(), z.boolean(), z.null()])).default({})
    .refine((m) => Object.keys(m).length <= 50, 'At most 50 keys'),
  signing_deadline: isoDate.optional().describe('Unsigned assignments expire after this day (organization time zone)'),
  reminder_every_days: z.number().int().min(1).max(30).default(3).describe('Reminders to people who have not signed, every so many days'),
});
export type ContractData = z.infer<typeof contractDataSchema>;

export const versionDataSchema = z.strictObject({
  change_summary: text(2000).pipe(z.string().min(1, 'Say what changed')),
});

const versionSchema = z.object({
  version: z.number().int(),
  file: z.object({ id: z.uuid(), name: z.string(), content_type: z.string(), size_bytes: z.number().int(), sha256: z.string() }),
  change_summary: z.string().nullable(),
  pdf_rendition: z.object({
    status: z.enum(['not_needed', 'pending', 'done', 'failed']).describe('Word documents get a PDF made by LibreOffice; PDFs need none'),
    error: z.string().nullable(),
  }),
  created_by: z.uuid().nullable(),
  created_at: z.string(),
});

export const assignmentStatuses = ['pending', 'sent', 'viewed', 'signed', 'declined', 'expired'] as const;

const myAssignmentSchema = z.object({
  id: z.uuid(),
  status: z.enum(assignmentStatuses),
  message: z.string().nullable(),
  version_assigned: z.number().int(),
  signed_version: z.number().int().nullable(),
  needs_resigning: z.boolean().describe('Signed an older version than the current one'),
  viewed_at: z.string().nullable(),
  signed_at: z.string().nullable(),
  declined_at: z.string().nullable(),
  decline_reason: z.string().nullable(),
  can_sign: z.boolean(),
  signing_provider: z.enum(['builtin', 'docusign']).describe('builtin: sign here with a typed or drawn signature; docusign: POST /sign with only the consent answers the URL of DocuSign\'s signing page'),
});

export const contractSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string().nullable(),
  production: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  status: z.enum(contractStatuses),
  current_version: z.number().int(),
  terms: z.record(z.string(), z.unknown()),
  tags: z.array(z.string()),
  metadata: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  updated_at: z.string(),
  signing_deadline: z.string().nullable(),
  reminder_every_days: z.number().int(),
  versions: z.array(versionSchema).optional().describe('Newest first (in the detail answer)'),
  my_assignment: myAssignmentSchema.nullable().describe("The signed-in person's assignment (null when not assigned)"),
  signatures: z.object({ assigned: z.number().int(), signed: z.number().int(), declined: z.number().int() }).nullable()
    .describe('How many people are assigned, have signed and have declined (administrators; null for others)'),
  allowed_actions: z.array(z.string()),
}).meta({ id: 'Contract' });

export const contractListSchema = listResponse(contractSchema).meta({ id: 'ContractList' });

export const listContractsQuery = z.strictObject({
  status: csvEnum(contractStatuses).optional().describe('e.g. active,pending'),
  production_id: z.uuid().optional(),
  artist_id: z.uuid().optional().describe('Contracts assigned to this person (administrators)'),
  q: searchQuery.optional().describe('Words in the title or description'),
  tag: text(50).optional(),
  ...dateRange,
  ...pageQuery,
});
export type ListContractsQuery = z.infer<typeof listContractsQuery>;

export const assignBody = z.strictObject({
  artist_ids: z.array(z.uuid()).min(1).max(1000).describe('Users (members of this organization) to assign')
    .refine((ids) => new Set(ids).size === ids.length, 'Each person once'),
  message: text(2000).optional().describe('Shown with the notification'),
  send_notification: z.boolean().default(true),
});
export type AssignInput = z.infer<typeof assignBody>;

export const assignResultSchema = z.object({
  contract_id: z.uuid(),
  assigned: z.number().int(),
  results: z.array(z.object({ artist_id: z.uuid(), result: z.enum(['assigned', 'already_assigned']), assignment_id: z.uuid() })),
}).meta({ id: 'ContractAssignResult' });

export const contractStatusSchema = z.object({
  contract_id: z.uuid(),
  status: z.enum(contractStatuses),
  current_version: z.number().int(),
  counts: z.record(z.enum(assignmentStatuses), z.number().int()),
  assignments: z.array(z.object({
    id: z.uuid(),
    artist: z.object({ id: z.uuid(), name: z.string(), email: z.string() }),
    status: z.enum(assignmentStatuses),
    version_assigned: z.number().int(),
    needs_resigning: z.boolean().describe('Signed an older version than the current one'),
    sent_at: z.string().nullable(),
    viewed_at: z.string().nullable(),
    signed_at: z.string().nullable(),
    declined_at: z.string().nullable(),
    decline_reason: z.string().nullable(),
    reminder_count: z.number().int(),
    last_reminded_at: z.string().nullable(),
    expired_at: z.string().nullable(),
    signed_version: z.number().int().nullable(),
    signature_kind: z.enum(['typed', 'drawn', 'docusign']).nullable(),
    has_signed_document: z.boolean().describe('GET /contracts/:id/signed-document?assignment_id= gives a link to it'),
  })),
}).meta({ id: 'ContractSignatureStatus' });

/** A PNG data URL from a signature pad; 300 kB of base64 at most. */
const drawnSignature = z.string().max(400_000).regex(/^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/, 'A PNG data URL (data:image/png;base64,…)');

export const signBody = z.strictObject({
  consent: z.literal(true, 'Agree to sign electronically first').describe('Explicit consent to sign electronically (the text is shown on the signing page)'),
  signature: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('typed'), name: text(100).pipe(z.string().min(2, 'Type your full name')) }),
    z.strictObject({ kind: z.literal('drawn'), image: drawnSignature }),
  ]).optional().describe('Required with the built-in provider; left out with DocuSign, which asks for it on its own page'),
});
export type SignInput = z.infer<typeof signBody>;

export const signResultSchema = z.union([
  z.object({
    assignment_id: z.uuid(),
    status: z.literal('signed'),
    signed_at: z.string(),
    version: z.number().int(),
    contract_status: z.enum(['pending', 'active']),
    signed_document: z.object({ sha256: z.string(), size_bytes: z.number().int() }),
  }),
  z.object({
    assignment_id: z.uuid(),
    status: z.literal('redirect').describe('Send the signer to `url` (DocuSign); the signature is recorded when DocuSign reports it'),
    provider: z.literal('docusign'),
    url: z.string(),
    expires_at: z.string(),
  }),
]).meta({ id: 'ContractSignResult' });

export const declineBody = z.strictObject({
  reason: text(1000).pipe(z.string().min(3, 'Say briefly why')),
});
export type DeclineInput = z.infer<typeof declineBody>;

export const declineResultSchema = z.object({ assignment_id: z.uuid(), status: z.literal('declined'), declined_at: z.string() }).meta({ id: 'ContractDeclineResult' });

export const signedDocumentQuery = z.strictObject({ assignment_id: z.uuid().optional().describe('Administrators: whose signed copy (default: your own)') });

export const signingCertificateBody = z.strictObject({
  certificate_pem: z.string().max(20_000).describe('X.509 document-signing certificate, PEM'),
  private_key_pem: z.string().max(20_000).describe('Its private key, unencrypted PEM (RSA or ECDSA P-256); stored encrypted'),
});
export type SigningCertificateInput = z.infer<typeof signingCertificateBody>;

export const signingCertificateSchema = z.object({
  configured: z.boolean().describe('False until the first signature (a certificate is then generated) or an upload'),
  subject: z.string().nullable(),
  fingerprint_sha256: z.string().nullable(),
  not_after: z.string().nullable(),
  source: z.enum(['generated', 'uploaded']).nullable(),
}).meta({ id: 'SigningCertificate' });

export const downloadQuery = z.strictObject({
  format: z.enum(['original', 'pdf']).default('original').describe('original: the file as uploaded; pdf: the PDF to read (the rendition of a Word document)'),
});
