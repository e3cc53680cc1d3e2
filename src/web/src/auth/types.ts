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
