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
});
export type ContractData = z.infer<typeof contractDataSchema>;

export const versionDataSchema = z.strictObject({
  change_summary: text(2000).pipe(z.string().min(1, 'Say what changed')),
});

const versionSchema = z.object({
  version: z.number().int(),
  file: z.object({ id: z.uuid(), name: z.string(), content_type: z.string(), size_bytes: z.number().int(), sha256: z.string() }),
  change_summary: z.string().nullable(),
  created_by: z.uuid().nullable(),
  created_at: z.string(),
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
  versions: z.array(versionSchema).optional().describe('Newest first (in the detail answer)'),
  allowed_actions: z.array(z.string()),
}).meta({ id: 'Contract' });

export const contractListSchema = listResponse(contractSchema).meta({ id: 'ContractList' });

export const listContractsQuery = z.strictObject({
  status: csvEnum(contractStatuses).optional().describe('e.g. active,pending'),
  production_id: z.uuid().optional(),
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

export const assignmentStatuses = ['pending', 'sent', 'viewed', 'signed', 'declined', 'expired'] as const;
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
  })),
}).meta({ id: 'ContractSignatureStatus' });
