import { z } from 'zod';
import { text } from '../../http/schemas.js';
import { roles } from '../members/members.schemas.js';
import { MAX_PASSWORD_LENGTH } from './passwords.js';

const email = z.email().max(255).transform((v) => v.trim().toLowerCase()).describe('Personal e-mail address');
// Length and breach checks happen in the service so every rule is reported together.
const password = z.string().min(1).max(MAX_PASSWORD_LENGTH * 4).describe('At least 12 characters, not a known breached password');
const name = text(100).pipe(z.string().min(1));

export const loginBody = z.strictObject({
  email,
  password,
  remember_me: z.boolean().default(false).describe('Keep the session for 30 days instead of 7'),
  organization_id: z.uuid().optional().describe('Organization to sign in to (default: the primary one)'),
  use_cookie: z.boolean().default(false).describe('Web app: put the refresh token in an HttpOnly cookie instead of the body'),
});

export const refreshBody = z.strictObject({
  refresh_token: z.string().min(20).max(200).optional().describe('From the last sign-in or refresh; omit when the web app uses the cookie'),
  use_cookie: z.boolean().default(false),
});

export const logoutBody = z.strictObject({
  everywhere: z.boolean().default(false).describe('End every session of the account, on all devices'),
}).default({ everywhere: false });

export const signUpBody = z.strictObject({
  name: name.describe('Organization name'),
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$/, 'Lower-case letters, digits and dashes, 3–50 characters').describe('Short address of the organization'),
  admin: z.strictObject({ email, password, first_name: name, last_name: name }),
  use_cookie: z.boolean().default(false),
});

export const registerBody = z.strictObject({
  invitation_token: z.string().min(20).max(200).optional(),
  organization_id: z.uuid().optional().describe('Only for organizations that allow open registration'),
  email: email.optional(),
  password,
  first_name: name.optional(),
  last_name: name.optional(),
  use_cookie: z.boolean().default(false),
});

export const switchBody = z.strictObject({ organization_id: z.uuid(), use_cookie: z.boolean().default(false) });
export const forgotBody = z.strictObject({ email });
export const resetBody = z.strictObject({ token: z.string().min(20).max(200), password });
export const verifyEmailBody = z.strictObject({ token: z.string().min(20).max(200) });
export const changePasswordBody = z.strictObject({ current_password: password, new_password: password });

const membershipSchema = z.object({ organization_id: z.uuid(), name: z.string(), slug: z.string(), role: z.enum(roles) });

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  email_verified: z.boolean(),
  totp_enabled: z.boolean(),
}).meta({ id: 'AccountUser' });

export const tokensSchema = z.object({
  access_token: z.string(),
  refresh_token: z.string().optional().describe('Absent when it was set as a cookie'),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().describe('Seconds until the access token expires'),
  refresh_expires_at: z.string(),
}).meta({ id: 'Tokens' });

export const accountSchema = z.object({
  user: userSchema,
  organization: membershipSchema.describe('Where the tokens act'),
  role: z.enum(roles),
  memberships: z.array(membershipSchema).describe('Every organization the person can switch to'),
}).meta({ id: 'Account' });

export const signedInSchema = accountSchema.extend({ tokens: tokensSchema }).meta({ id: 'SignedIn' });

export const sessionSchema = z.object({
  id: z.uuid(),
  organization_id: z.uuid(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  created_at: z.string(),
  last_used_at: z.string(),
  expires_at: z.string(),
  remember_me: z.boolean(),
  current: z.boolean(),
});

export const messageSchema = z.object({ message: z.string() });

export const invitationLookupBody = z.strictObject({
  token: z.string().min(20).max(200).describe('The token of the accept link (sent in the body, never in a URL)'),
});

export const invitationPreviewSchema = z.object({
  organization_name: z.string(),
  email: z.string(),
  role: z.enum(roles),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  expires_at: z.string(),
  existing_account: z.boolean().describe('The invited address already has an account: joining takes its password'),
}).meta({ id: 'InvitationPreview' });
