/** Shapes of the profiles API (src/server/modules/profiles/profiles.schemas.ts) as the screens use them. */

/** GET/PATCH /me/profile */
export interface Profile {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  /** E.164 */
  phone: string | null;
  /** BCP 47 */
  locale: string;
  /** IANA */
  timezone: string | null;
  email_verified: boolean;
  updated_at: string;
  allowed_actions: string[];
}

export interface MailingAddress {
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postal_code: string | null;
  /** ISO 3166-1 alpha-2 */
  country: string;
}

export interface EmergencyContact {
  name: string;
  relationship: string;
  phone: string;
}

/** GET/PATCH /me/artist-profile. Tax ID and bank account come back only masked. */
export interface ArtistProfile {
  user_id: string;
  legal_name: string | null;
  stage_name: string | null;
  pronouns: string | null;
  phone: string | null;
  mailing_address: MailingAddress | null;
  emergency_contact: EmergencyContact | null;
  preferred_timezone: string | null;
  unions: string[];
  skills: string[];
  tax_id_masked: string | null;
  bank_account_masked: string | null;
  redacted_at: string | null;
  /** null until the profile was first saved */
  updated_at: string | null;
  allowed_actions: string[];
}

/** GET /me/artist-profile/sensitive — never cached, never kept beyond the screen. */
export interface SensitiveDetails {
  user_id: string;
  tax_id: string | null;
  bank_account: { account_holder: string; iban: string | null; routing_number: string | null; account_number: string | null } | null;
}

export type DeletionStatus = 'requested' | 'completed' | 'cancelled';

/** /me/deletion-request and /admin/deletion-requests */
export interface DeletionRequest {
  id: string;
  user_id: string;
  first_name: string;
  last_name: string;
  email: string;
  status: DeletionStatus;
  requested_at: string;
  due_at: string;
  overdue: boolean;
  processed_by: string | null;
  processed_at: string | null;
  allowed_actions: string[];
}

export const profileKey = ['me', 'profile'] as const;
export const artistProfileKey = ['me', 'artist-profile'] as const;
export const deletionRequestKey = ['me', 'deletion-request'] as const;
