import { z } from 'zod';
import { csvEnum, listResponse, pageQuery, text } from '../../http/schemas.js';

/**
 * Profiles and privacy. Validation messages never repeat the submitted value (tax IDs and bank
 * numbers must not come back in error answers or logs).
 */

const required = (max: number) => text(max).pipe(z.string().min(1, 'Must not be empty'));

/** IANA names only (Europe/Berlin, America/New_York, UTC); offsets such as +01:00 are not zones. */
export function isIanaTimeZone(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const E164 = /^\+[1-9][0-9]{1,14}$/;
export const phone = z.string().max(16).regex(E164, 'Must be an E.164 number: + then country code and number, digits only, e.g. +14155550123');
export const timeZone = z.string().max(64).refine(isIanaTimeZone, 'Must be an IANA time zone such as Europe/Berlin or America/New_York');
export const locale = z
  .string()
  .max(20)
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, 'Must be a BCP 47 language tag such as en, en-US or fr-CA')
  .refine((v) => {
    try {
      return Intl.getCanonicalLocales(v).length === 1;
    } catch {
      return false;
    }
  }, 'Must be a BCP 47 language tag such as en, en-US or fr-CA');

// ---------------------------------------------------------------------------------------------
// Own profile (users row)

export const profileSchema = z
  .object({
    id: z.uuid().describe('User id'),
    email: z.string().describe('Sign-in e-mail (changed through the account flow, not here)'),
    first_name: z.string(),
    last_name: z.string(),
    phone: z.string().nullable().describe('E.164'),
    locale: z.string().describe('BCP 47 language tag'),
    timezone: z.string().nullable().describe('IANA time zone'),
    email_verified: z.boolean(),
    updated_at: z.string(),
    allowed_actions: z.array(z.string()),
  })
  .meta({ id: 'Profile' });

export const updateProfileBody = z.strictObject({
  first_name: required(100).optional().describe('Given name'),
  last_name: required(100).optional().describe('Family name'),
  phone: phone.nullable().optional().describe('E.164 phone number; null removes it'),
  locale: locale.optional().describe('BCP 47 language tag, e.g. en-US'),
  timezone: timeZone.nullable().optional().describe('IANA time zone, e.g. America/New_York; null removes it'),
});
export type UpdateProfileInput = z.infer<typeof updateProfileBody>;

// ---------------------------------------------------------------------------------------------
// Artist profile

export const mailingAddress = z.strictObject({
  line1: required(200).describe('Street and number'),
  line2: text(200).nullable().optional().describe('Apartment, suite, c/o'),
  city: required(100),
  region: text(100).nullable().optional().describe('State, province or county'),
  postal_code: text(20).nullable().optional(),
  country: z.string().regex(/^[A-Z]{2}$/, 'Must be an ISO 3166-1 alpha-2 code such as US or DE').describe('ISO 3166-1 alpha-2'),
});

export const emergencyContact = z.strictObject({
  name: required(200),
  relationship: required(100).describe('e.g. partner, parent, friend'),
  phone: phone.describe('E.164'),
});

/** Tax IDs are compared and stored without spaces, dashes, dots or slashes, in upper case. */
export function normalizeTaxId(value: string): string {
  return value.replace(/[\s./-]/g, '').toUpperCase();
}
const taxId = z
  .string()
  .max(40)
  .refine((v) => /^[A-Z0-9]{5,20}$/.test(normalizeTaxId(v)), 'Must be 5–20 letters or digits (spaces, dashes, dots and slashes are ignored)')
  .describe('SSN, EIN, ITIN or a foreign tax number; stored encrypted, shown masked');

/** ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 = 1. */
export function validIban(iban: string): boolean {
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const digits = `${iban.slice(4)}${iban.slice(0, 4)}`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  return rest === 1;
}

/** ABA routing number checksum (3-7-1 weights). */
export function validRoutingNumber(routing: string): boolean {
  if (!/^[0-9]{9}$/.test(routing)) return false;
  const d = [...routing].map(Number) as number[];
  const sum = 3 * ((d[0] ?? 0) + (d[3] ?? 0) + (d[6] ?? 0)) + 7 * ((d[1] ?? 0) + (d[4] ?? 0) + (d[7] ?? 0)) + ((d[2] ?? 0) + (d[5] ?? 0) + (d[8] ?? 0));
  return sum % 10 === 0;
}

export const bankAccountInput = z
  .strictObject({
    account_holder: required(200).describe('Name on the account'),
    iban: z.string().max(42).transform((v) => v.replace(/\s/g, '').toUpperCase()).optional().describe('IBAN (spaces ignored); or routing_number + account_number'),
    routing_number: z.string().max(9).optional().describe('US ABA routing number (9 digits)'),
    account_number: z.string().max(17).optional().describe('US account number (5–17 digits)'),
  })
  .superRefine((v, ctx) => {
    const us = v.routing_number !== undefined || v.account_number !== undefined;
    if (v.iban !== undefined && us) {
      ctx.addIssue({ code: 'custom', path: ['iban'], message: 'Give either an IBAN or a routing and account number, not both' });
    } else if (v.iban !== undefined) {
      if (!validIban(v.iban)) ctx.addIssue({ code: 'custom', path: ['iban'], message: 'Not a valid IBAN (check digits do not match)' });
    } else if (!us) {
      ctx.addIssue({ code: 'custom', path: ['iban'], message: 'Give an IBAN, or a routing number and an account number' });
    } else {
      if (v.routing_number === undefined || !validRoutingNumber(v.routing_number)) {
        ctx.addIssue({ code: 'custom', path: ['routing_number'], message: 'Must be a valid 9-digit ABA routing number' });
      }
      if (v.account_number === undefined || !/^[0-9]{5,17}$/.test(v.account_number)) {
        ctx.addIssue({ code: 'custom', path: ['account_number'], message: 'Must be 5–17 digits' });
      }
    }
  });
export type BankAccountInput = z.infer<typeof bankAccountInput>;

const listOf = (max: number, itemMax: number) =>
  z.array(required(itemMax)).max(max).refine((a) => new Set(a.map((s) => s.toLowerCase())).size === a.length, 'Must not repeat an entry');

export const updateArtistProfileBody = z.strictObject({
  legal_name: text(200).nullable().optional().describe('Name as on contracts and tax forms'),
  stage_name: text(200).nullable().optional(),
  pronouns: text(50).nullable().optional().describe('e.g. she/her, they/them'),
  phone: phone.nullable().optional().describe('E.164 phone number'),
  mailing_address: mailingAddress.nullable().optional(),
  emergency_contact: emergencyContact.nullable().optional(),
  preferred_timezone: timeZone.nullable().optional().describe('IANA time zone'),
  unions: listOf(20, 100).optional().describe('Union memberships, e.g. AGMA, SAG-AFTRA (replaces the list)'),
  skills: listOf(50, 100).optional().describe('Skills, e.g. soprano, stage combat (replaces the list)'),
  tax_id: taxId.nullable().optional().describe('Write-only: stored encrypted; answers show tax_id_masked; null removes it'),
  bank_account: bankAccountInput.nullable().optional().describe('Write-only: stored encrypted; answers show bank_account_masked; null removes it'),
});
export type UpdateArtistProfileInput = z.infer<typeof updateArtistProfileBody>;

const addressOut = z.object({
  line1: z.string(),
  line2: z.string().nullable(),
  city: z.string(),
  region: z.string().nullable(),
  postal_code: z.string().nullable(),
  country: z.string(),
});
const contactOut = z.object({ name: z.string(), relationship: z.string(), phone: z.string() });

export const artistProfileSchema = z
  .object({
    user_id: z.uuid(),
    legal_name: z.string().nullable(),
    stage_name: z.string().nullable(),
    pronouns: z.string().nullable(),
    phone: z.string().nullable(),
    mailing_address: addressOut.nullable(),
    emergency_contact: contactOut.nullable(),
    preferred_timezone: z.string().nullable(),
    unions: z.array(z.string()),
    skills: z.array(z.string()),
    tax_id_masked: z.string().nullable().describe('e.g. ***-**-6789; the full value only through …/sensitive'),
    bank_account_masked: z.string().nullable().describe('e.g. ****1234'),
    tax_id_duplicate: z.boolean().optional().describe('Finance roles only: another member of this organization has the same tax ID'),
    redacted_at: z.string().nullable().describe('Set when a deletion request erased this profile'),
    updated_at: z.string().nullable().describe('null while the profile was never saved'),
    allowed_actions: z.array(z.string()),
  })
  .meta({ id: 'ArtistProfile' });

export const sensitiveSchema = z
  .object({
    user_id: z.uuid(),
    tax_id: z.string().nullable().describe('Normalized: letters and digits only'),
    bank_account: z
      .object({
        account_holder: z.string(),
        iban: z.string().nullable(),
        routing_number: z.string().nullable(),
        account_number: z.string().nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'ArtistProfileSensitive' });

// ---------------------------------------------------------------------------------------------
// Deletion requests

export const deletionStatuses = ['requested', 'completed', 'cancelled'] as const;

export const deletionRequestSchema = z
  .object({
    id: z.uuid(),
    user_id: z.uuid(),
    first_name: z.string(),
    last_name: z.string(),
    email: z.string(),
    status: z.enum(deletionStatuses),
    requested_at: z.string(),
    due_at: z.string().describe('requested_at + 30 days: complete it by then'),
    overdue: z.boolean().describe('Still open after due_at'),
    processed_by: z.uuid().nullable(),
    processed_at: z.string().nullable(),
    allowed_actions: z.array(z.string()),
  })
  .meta({ id: 'DeletionRequest' });

export const listDeletionRequestsQuery = z.strictObject({
  status: csvEnum(deletionStatuses).optional(),
  ...pageQuery,
});
export type ListDeletionRequestsQuery = z.infer<typeof listDeletionRequestsQuery>;

export const deletionRequestListSchema = listResponse(deletionRequestSchema);
