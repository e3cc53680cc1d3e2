import { z } from 'zod';
import { text } from '../../http/schemas.js';
import { roles } from '../members/members.schemas.js';
import { isLoopbackHttp } from './oidc-clients.js';

const scopeToken = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export const ssoConfigBody = z.strictObject({
  issuer: z.url().max(500)
    // Checks run on invalid input too, so each parses defensively.
    .refine((v) => { const u = URL.parse(v); return !u || u.protocol === 'https:' || isLoopbackHttp(u); }, 'Must be an https:// URL (plain http only for localhost)')
    .refine((v) => { const u = URL.parse(v); return !u || (!u.search && !u.hash); }, 'No query or fragment')
    .transform((v) => v.replace(/\/$/, ''))
    .describe('Issuer URL of the identity provider, e.g. https://login.microsoftonline.com/<tenant-id>/v2.0'),
  client_id: text(255).pipe(z.string().min(1)).describe('Client (application) id registered with the provider'),
  client_secret: z.string().min(1).max(1000).nullable().optional()
    .describe('Write-only. Omit to keep the stored secret; null for a public client that relies on PKCE alone'),
  scopes: z.string().max(500)
    .refine((v) => v.split(' ').every((s) => scopeToken.test(s)), 'Space-separated scope names')
    .refine((v) => v.split(' ').includes('openid'), 'Must include openid')
    .default('openid email profile'),
  allowed_roles: z.array(z.enum(roles)).min(1).max(roles.length).default(['admin', 'system_admin'])
    .transform((list) => [...new Set(list)])
    .describe('Roles whose members may sign in with the provider'),
  trust_idp_mfa: z.boolean().default(false)
    .describe("Sign-ins through the provider count as two-factor (the provider enforces its own), satisfying the organization's require_2fa_roles"),
  enabled: z.boolean().default(true),
  display_name: text(100).pipe(z.string().min(1)).default('Single sign-on').describe('Button label on the sign-in page, e.g. "Microsoft 365"'),
});
export type SsoConfigInput = z.infer<typeof ssoConfigBody>;

export const ssoConfigSchema = z.object({
  issuer: z.string(),
  client_id: z.string(),
  client_secret_set: z.boolean(),
  scopes: z.string(),
  allowed_roles: z.array(z.enum(roles)),
  trust_idp_mfa: z.boolean(),
  enabled: z.boolean(),
  display_name: z.string(),
  redirect_uri: z.string().describe('Register this redirect URI with the identity provider'),
  sign_in_url: z.string().describe('Where members start a single sign-on (also offered on the sign-in page)'),
  updated_at: z.string(),
  allowed_actions: z.array(z.string()),
}).meta({ id: 'SsoConfiguration' });

export const slugParams = z.strictObject({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$/, 'An organization short name').describe('Short name of the organization'),
});

export const publicSsoSchema = z.object({
  organization_name: z.string(),
  display_name: z.string(),
  sign_in_url: z.string(),
}).meta({ id: 'SsoSignInOption' });

/** Only a path on this site: never another origin (open redirect), never `//host`. */
const localPath = z.string().max(500).regex(/^\/(?![/\\])[\x21-\x7e]*$/, 'A path on this site, starting with a single /');

export const startQuery = z.strictObject({
  return_to: localPath.optional().describe('Where to go in the web app after signing in'),
  remember_me: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
});

/** What the provider sends back; providers add their own parameters (e.g. session_state), so extra keys are kept. */
export const callbackQuery = z.looseObject({
  state: z.string().max(500).optional(),
  code: z.string().max(4000).optional(),
  iss: z.string().max(500).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(2000).optional(),
});
