import { z } from 'zod';
import { text } from '../../http/schemas.js';

const roles = ['artist', 'admin', 'accountant', 'production_manager', 'finance_director', 'system_admin'] as const;

const ianaZones = new Set(Intl.supportedValuesOf('timeZone'));
ianaZones.add('UTC');
const currencies = new Set(Intl.supportedValuesOf('currency'));

export const timeZone = z.string().max(64).refine((v) => ianaZones.has(v), 'Must be an IANA time zone such as Europe/London');
export const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'Must be an ISO 4217 code such as USD').refine((v) => currencies.has(v), 'Unknown currency');
const money = z.number().finite().min(0).max(10_000_000).multipleOf(0.01);

export const approvalLimitsSchema = z
  .strictObject({
    automatic: money.describe('Expenses up to this amount are approved automatically'),
    admin: money.describe('Admins approve up to this amount'),
    finance: money.describe('Accountants approve up to this amount; above it a finance director must'),
  })
  .refine((l) => l.automatic <= l.admin && l.admin <= l.finance, 'Limits must rise: automatic ≤ admin ≤ finance');

export const settingsSchema = z.strictObject({
  timezone: timeZone,
  fiscal_year_start: z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/, 'Format MM-DD'),
  default_currency: currencyCode,
  expense_categories: z.array(text(60).pipe(z.string().min(1))).min(1).max(50),
  approval_limits: approvalLimitsSchema,
  expense_submission_window_days: z.number().int().min(1).max(730),
  allow_open_registration: z.boolean(),
  require_2fa_roles: z.array(z.enum(roles)).max(roles.length),
  schedule_min_turnaround_hours: z.number().min(0).max(48).optional()
    .describe("Rest a person needs between one call's end and the next one's start; less is flagged as a conflict (default 10)"),
});

export const organizationSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    slug: z.string(),
    settings: settingsSchema.describe('Organization settings (seed 000 defaults)'),
    subscription_tier: z.string(),
    is_active: z.boolean(),
    created_at: z.string().describe('ISO 8601'),
    updated_at: z.string().describe('ISO 8601'),
    allowed_actions: z.array(z.string()).describe('What the caller may do with this organization'),
  })
  .meta({ id: 'Organization' });

export const updateOrganizationBody = z.strictObject({
  name: text(255).pipe(z.string().min(1)).optional().describe('Display name'),
  settings: settingsSchema.partial().optional().describe('Settings to change; omitted keys keep their value'),
});
export type UpdateOrganizationInput = z.infer<typeof updateOrganizationBody>;
export type OrganizationSettings = z.infer<typeof settingsSchema>;
