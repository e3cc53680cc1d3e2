import { z } from 'zod';
import { csvEnum, listResponse, pageQuery, searchQuery, text } from '../../http/schemas.js';
import { currencyCode } from '../organizations/organizations.schemas.js';

export const productionStatuses = ['planning', 'active', 'completed', 'cancelled', 'archived'] as const;

/** Where each status may go next. */
export const transitions: Record<(typeof productionStatuses)[number], readonly (typeof productionStatuses)[number][]> = {
  planning: ['active', 'cancelled'],
  active: ['completed', 'cancelled'],
  completed: ['archived'],
  cancelled: ['archived'],
  archived: [],
};

const isoDate = z.iso.date().describe('YYYY-MM-DD');
/** Money as an exact decimal string (never a float): up to 13 digits and 2 decimals. */
export const decimalAmount = z.string().regex(/^\d{1,13}(\.\d{1,2})?$/, 'A non-negative amount with at most 2 decimals, e.g. "125000.00"');

const fields = {
  name: text(255).pipe(z.string().min(1, 'Required')),
  code: text(50).pipe(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Letters, digits, dot, dash or underscore')).nullable().optional()
    .describe('Short reference, unique in the organization (e.g. HAM-2026)'),
  description: text(5000).nullable().optional(),
  start_date: isoDate,
  end_date: isoDate,
  budget_amount: decimalAmount.nullable().optional(),
  budget_currency: currencyCode.optional().describe("ISO 4217; the organization's default currency when omitted"),
};

const datesInOrder = (v: { start_date?: string | undefined; end_date?: string | undefined }) => !v.start_date || !v.end_date || v.end_date >= v.start_date;

export const createProductionBody = z.strictObject(fields)
  .refine(datesInOrder, { message: 'The end date is before the start date', path: ['end_date'] });
export type CreateProductionInput = z.infer<typeof createProductionBody>;

export const updateProductionBody = z.strictObject({
  ...fields,
  name: fields.name.optional(),
  start_date: isoDate.optional(),
  end_date: isoDate.optional(),
  status: z.enum(productionStatuses).optional().describe('Move along the lifecycle: planning → active → completed → archived, or cancelled'),
  status_reason: text(1000).nullable().optional().describe('Why (kept with a cancellation)'),
}).refine(datesInOrder, { message: 'The end date is before the start date', path: ['end_date'] })
  .refine((v) => Object.keys(v).length > 0, 'Nothing to change');
export type UpdateProductionInput = z.infer<typeof updateProductionBody>;

export const productionSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  code: z.string().nullable(),
  description: z.string().nullable(),
  start_date: z.string(),
  end_date: z.string(),
  budget_amount: z.string().nullable().describe('Exact decimal'),
  budget_currency: z.string(),
  status: z.enum(productionStatuses),
  status_reason: z.string().nullable(),
  next_statuses: z.array(z.enum(productionStatuses)),
  created_at: z.string(),
  updated_at: z.string(),
  allowed_actions: z.array(z.string()),
}).meta({ id: 'Production' });

export const productionListSchema = listResponse(productionSchema).meta({ id: 'ProductionList' });

export const listProductionsQuery = z.strictObject({
  status: csvEnum(productionStatuses).optional().describe('e.g. planning,active'),
  q: searchQuery.optional().describe('Words in the name, code or description'),
  from: isoDate.optional().describe('Only productions running on or after this date'),
  to: isoDate.optional().describe('Only productions running on or before this date'),
  ...pageQuery,
}).refine((v) => !v.from || !v.to || v.to >= v.from, { message: '`to` is before `from`', path: ['to'] });
export type ListProductionsQuery = z.infer<typeof listProductionsQuery>;
