import { z } from 'zod';
import { MAX_PASSWORD_LENGTH } from './passwords.js';
import { signedInSchema } from './auth.schemas.js';

const totpCode = z.string().min(6).max(20).describe('The 6-digit code from the authenticator app (spaces allowed)');
const anyCode = z.string().min(6).max(20).describe('A 6-digit code from the authenticator app, or one of your backup codes (xxxx-xxxx)');
const password = z.string().min(1).max(MAX_PASSWORD_LENGTH * 4).describe('Your current password');
const methods = z.array(z.enum(['totp', 'backup_code'])).describe('Ways to complete the sign-in');

export const enableBody = z.strictObject({ code: totpCode });
export const stepUpBody = z.strictObject({ password, code: anyCode });

export const loginSecondStepBody = z.strictObject({
  mfa_token: z.string().min(20).max(2048).describe('From the sign-in answer with mfa_required: true (valid 5 minutes, once)'),
  code: totpCode.optional(),
  backup_code: z.string().min(8).max(20).optional().describe('One of the backup codes shown when two-factor was turned on (each works once)'),
  remember_me: z.boolean().optional().describe('Keep the session for 30 days; default: what the first step asked for'),
  use_cookie: z.boolean().default(false).describe('Web app: put the refresh token in an HttpOnly cookie instead of the body'),
}).refine((b) => (b.code === undefined) !== (b.backup_code === undefined), { message: 'Send either code or backup_code', path: ['code'] });

export const mfaRequiredSchema = z.object({
  mfa_required: z.literal(true).describe('The password was right; complete the sign-in with POST /api/v1/auth/login/2fa'),
  mfa_token: z.string().describe('Opaque token for the second step; valid 5 minutes, once; not an access token'),
  methods,
  expires_in: z.number().int().describe('Seconds the mfa_token stays valid'),
}).meta({ id: 'MfaRequired' });

/** POST /auth/login (and /auth/register for an existing account with two-factor on). */
export const loginResultSchema = z.union([signedInSchema, mfaRequiredSchema]).meta({
  id: 'LoginResult',
  description: 'Signed in, or — for accounts with two-factor authentication — `mfa_required: true` with the token for the second step',
});

export const signedInWithMfaSchema = signedInSchema.extend({
  method: z.enum(['totp', 'backup_code']).describe('The second factor that was used'),
  backup_codes_remaining: z.number().int().optional().describe('Unused backup codes left (when one was just spent)'),
}).meta({ id: 'SignedInWithMfa' });

export const mfaStatusSchema = z.object({
  enabled: z.boolean(),
  enabled_at: z.string().nullable().describe('ISO 8601'),
  pending_setup: z.boolean().describe('A secret was created with setup but not confirmed with enable yet'),
  backup_codes_remaining: z.number().int(),
  required_by_organization: z.boolean().describe('The organization requires two-factor for your role'),
  methods,
}).meta({ id: 'MfaStatus' });

export const mfaSetupSchema = z.object({
  secret: z.string().describe('Base32 secret for manual entry; shown only now'),
  otpauth_url: z.string().describe('otpauth://totp/… URI (what the QR code holds)'),
  qr_code_data_url: z.string().describe('PNG image of the QR code as a data: URL'),
  issuer: z.string(),
  account: z.string().describe('Label shown in the authenticator app (your e-mail)'),
  digits: z.literal(6),
  period: z.literal(30),
  algorithm: z.literal('SHA1'),
}).meta({ id: 'MfaSetup' });

const backupCodes = z.array(z.string()).describe('10 single-use backup codes (xxxx-xxxx); shown only now — store them safely');

export const mfaEnabledSchema = z.object({
  backup_codes: backupCodes,
  other_sessions_ended: z.number().int().describe('Your other sessions were signed out'),
  access_token: z.string().optional().describe('A new access token for this session, without the enrolment restriction'),
  token_type: z.literal('Bearer').optional(),
  expires_in: z.number().int().optional(),
}).meta({ id: 'MfaEnabled' });

export const backupCodesSchema = z.object({ backup_codes: backupCodes }).meta({ id: 'MfaBackupCodes' });
