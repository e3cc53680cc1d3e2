/** Shapes of the accounts API (src/server/modules/auth/auth.schemas.ts) as the web app uses them. */

export const ROLES = ['artist', 'admin', 'accountant', 'production_manager', 'finance_director', 'system_admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABEL: Record<Role, string> = {
  artist: 'Artist',
  admin: 'Administrator',
  accountant: 'Accountant',
  production_manager: 'Production manager',
  finance_director: 'Finance director',
  system_admin: 'System administrator',
};

/** Roles that see the Admin section (the API's `members:read`). */
export const STAFF_ROLES: readonly Role[] = ['admin', 'system_admin', 'production_manager', 'accountant', 'finance_director'];
/** Roles that invite people and change roles (`members:update`, `invitations:*`). */
export const MANAGER_ROLES: readonly Role[] = ['admin', 'system_admin'];
/** Roles that create and change productions (`productions:write`); every staff role reads them. */
export const PRODUCTION_WRITE_ROLES: readonly Role[] = ['admin', 'system_admin', 'production_manager'];

export interface AccountUser {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  email_verified: boolean;
  totp_enabled: boolean;
}

export interface Membership {
  organization_id: string;
  name: string;
  slug: string;
  role: Role;
}

/** GET /api/v1/auth/me */
export interface Account {
  user: AccountUser;
  organization: Membership;
  role: Role;
  memberships: Membership[];
}

export interface Tokens {
  access_token: string;
  token_type: 'Bearer';
  /** Seconds until the access token expires. */
  expires_in: number;
  refresh_expires_at: string;
}

/** The answer of sign-in, sign-up, register and switch-organization. */
export interface SignedIn extends Account {
  tokens: Tokens;
}

export type SecondFactor = 'totp' | 'backup_code';

/** POST /auth/login (and /auth/register) for an account with two-factor on: the second step follows. */
export interface MfaChallenge {
  mfa_required: true;
  mfa_token: string;
  methods: SecondFactor[];
  /** Seconds the mfa_token stays valid. */
  expires_in: number;
}

/** POST /auth/login/2fa */
export interface SignedInWithMfa extends SignedIn {
  method: SecondFactor;
  /** Present when a backup code was used. */
  backup_codes_remaining?: number;
}

/** GET /auth/2fa */
export interface TwoFactorStatus {
  enabled: boolean;
  enabled_at: string | null;
  pending_setup: boolean;
  backup_codes_remaining: number;
  required_by_organization: boolean;
  methods: SecondFactor[];
}

/** POST /auth/2fa/enable */
export interface TwoFactorEnabled {
  backup_codes: string[];
  other_sessions_ended: number;
  access_token?: string;
  token_type?: 'Bearer';
  expires_in?: number;
}

/** Query key of GET /auth/2fa: the requirement depends on the organization and the role. */
export const twoFactorKey = (account: Pick<Account, 'organization' | 'role'> & { user: Pick<AccountUser, 'id'> }) =>
  ['auth', '2fa', account.user.id, account.organization.organization_id, account.role] as const;

/** POST /auth/2fa/setup */
export interface TwoFactorSetup {
  secret: string;
  otpauth_url: string;
  qr_code_data_url: string;
  issuer: string;
  account: string;
  digits: number;
  period: number;
  algorithm: string;
}
