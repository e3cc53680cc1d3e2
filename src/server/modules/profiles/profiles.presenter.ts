import { allowedActions, type Action } from '../../auth/policy.js';
import type { Actor } from '../../auth/tokens.js';
import type { ArtistProfile } from '../../db/schema.js';
import type { DeletionRequestRow, UserRow } from './profiles.queries.js';

/** Masks shown instead of the sealed values; only the last four characters are ever kept in clear. */
export const maskTaxId = (last4: string | null) => (last4 ? `***-**-${last4}` : null);
export const maskBankAccount = (last4: string | null) => (last4 ? `****${last4}` : null);

export function presentProfile(user: UserRow, actor: Actor) {
  return {
    id: user.id,
    email: user.email,
    first_name: user.first_name,
    last_name: user.last_name,
    phone: user.phone,
    locale: user.locale,
    timezone: user.timezone,
    email_verified: user.email_verified_at !== null,
    updated_at: user.updated_at.toISOString(),
    allowed_actions: allowedActions(actor, ['profile:update']),
  };
}

type Address = { line1: string; line2: string | null; city: string; region: string | null; postal_code: string | null; country: string };
type Contact = { name: string; relationship: string; phone: string };

function address(value: Record<string, string | null> | null): Address | null {
  if (!value) return null;
  return {
    line1: value.line1 ?? '',
    line2: value.line2 ?? null,
    city: value.city ?? '',
    region: value.region ?? null,
    postal_code: value.postal_code ?? null,
    country: value.country ?? '',
  };
}

function contact(value: Record<string, string | null> | null): Contact | null {
  if (!value) return null;
  return { name: value.name ?? '', relationship: value.relationship ?? '', phone: value.phone ?? '' };
}

export interface ArtistProfileView {
  /** The person themself (own profile) or another member seen by staff. */
  self: boolean;
  /** Only computed for finance roles; left out of the answer otherwise. */
  taxIdDuplicate?: boolean;
}

/**
 * The artist profile as any permitted reader sees it: tax ID and bank account only masked.
 * `row` is undefined while the person never saved a profile (an empty profile is shown).
 */
export function presentArtistProfile(userId: string, row: ArtistProfile | undefined, actor: Actor, view: ArtistProfileView) {
  const candidates: Action[] = view.self ? ['profile:update', 'profile:read_sensitive'] : ['artist_profiles:read_sensitive'];
  return {
    user_id: userId,
    legal_name: row?.legal_name ?? null,
    stage_name: row?.stage_name ?? null,
    pronouns: row?.pronouns ?? null,
    phone: row?.phone ?? null,
    mailing_address: address(row?.mailing_address ?? null),
    emergency_contact: contact(row?.emergency_contact ?? null),
    preferred_timezone: row?.preferred_timezone ?? null,
    unions: row?.unions ?? [],
    skills: row?.skills ?? [],
    tax_id_masked: maskTaxId(row?.tax_id_last4 ?? null),
    bank_account_masked: maskBankAccount(row?.bank_account_last4 ?? null),
    ...(view.taxIdDuplicate !== undefined ? { tax_id_duplicate: view.taxIdDuplicate } : {}),
    redacted_at: row?.redacted_at ? row.redacted_at.toISOString() : null,
    updated_at: row ? row.updated_at.toISOString() : null,
    allowed_actions: allowedActions(actor, candidates),
  };
}

export interface BankAccountPlain {
  account_holder: string;
  iban: string | null;
  routing_number: string | null;
  account_number: string | null;
}

export function presentSensitive(userId: string, taxId: string | null, bank: BankAccountPlain | null) {
  return {
    user_id: userId,
    tax_id: taxId,
    bank_account: bank
      ? { account_holder: bank.account_holder, iban: bank.iban, routing_number: bank.routing_number, account_number: bank.account_number }
      : null,
  };
}

export function presentDeletionRequest(row: DeletionRequestRow, actor: Actor) {
  const overdue = row.status === 'requested' && row.due_at.getTime() < Date.now();
  return {
    id: row.id,
    user_id: row.user_id,
    first_name: row.first_name,
    last_name: row.last_name,
    email: row.email,
    status: row.status,
    requested_at: row.requested_at.toISOString(),
    due_at: row.due_at.toISOString(),
    overdue,
    processed_by: row.processed_by,
    processed_at: row.processed_at ? row.processed_at.toISOString() : null,
    allowed_actions: row.status === 'requested' ? allowedActions(actor, ['deletion_requests:complete']) : [],
  };
}


