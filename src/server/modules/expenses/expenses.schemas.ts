import { z } from 'zod';
import { csvEnum, listResponse, pageQuery, searchQuery, text } from '../../http/schemas.js';
import { currencyCode } from '../organizations/organizations.schemas.js';

export const expenseStatuses = ['draft', 'submitted', 'approved', 'rejected', 'processing', 'paid'] as const;
export const approvalLevels = ['automatic', 'admin', 'finance', 'finance_director'] as const;
const isoDate = z.iso.date().describe('YYYY-MM-DD');

/**
 * Money in: a JSON number as in seed 004 (`125.50`) or a decimal string (`"125.50"`); out: always
 * a string with two decimals, so no amount ever passes through binary floating point.
 */
export const moneyInput = z.union([z.number(), z.string().max(20)])
  .transform((v, ctx) => {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      ctx.addIssue({ code: 'custom', message: 'Must be a finite amount' });
      return z.NEVER;
    }
    const raw = typeof v === 'number' ? String(v) : v.trim();
    const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(raw);
    if (!match) {
      ctx.addIssue({ code: 'custom', message: 'An amount with at most 2 decimals, e.g. 125.50' });
      return z.NEVER;
    }
    const normalized = `${BigInt(match[1]!).toString()}.${(match[2] ?? '').padEnd(2, '0')}`;
    if (normalized === '0.00') {
      ctx.addIssue({ code: 'custom', message: 'Must be more than 0' });
      return z.NEVER;
    }
    return normalized;
  })
  .describe('Amount > 0 with at most 2 decimals: a number (125.50) or a string ("125.50")');

/** Units of the base currency per unit of the expense's currency, up to 8 decimals. */
export const rateInput = z.union([z.number(), z.string().max(30)])
  .transform((v, ctx) => {
    const raw = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v.trim();
    if (!/^\d{1,10}(\.\d{1,8})?$/.test(raw) || /^0+(\.0+)?$/.test(raw)) {
      ctx.addIssue({ code: 'custom', message: 'A positive rate with at most 8 decimals, e.g. 1.0845' });
      return z.NEVER;
    }
    return raw;
  });

/** Exact decimal string → cents. */
export function cents(amount: string | number): bigint {
  const [whole, fraction = ''] = String(amount).split('.');
  return BigInt(whole ?? '0') * 100n + BigInt((fraction + '00').slice(0, 2));
}

export const formatCents = (c: bigint) => `${c / 100n}.${(c % 100n).toString().padStart(2, '0')}`;

const expenseFields = {
  category_id: z.uuid().describe("One of the organization's active categories"),
  amount: moneyInput,
  currency: currencyCode.optional().describe("ISO 4217; the organization's currency when omitted"),
  exchange_rate: rateInput.optional().describe('Required when the currency is not the organization\'s: base-currency units per unit'),
  expense_date: isoDate.describe('Not in the future, and within the organization\'s submission window'),
  merchant: text(255).pipe(z.string().min(1, 'Required')),
  description: text(2000).pipe(z.string().min(1, 'Required')),
  production_id: z.uuid().nullable().optional(),
  notes: text(5000).nullable().optional(),
  tags: z.array(text(50).pipe(z.string().min(1))).max(20).optional(),
  is_billable: z.boolean().optional(),
  is_reimbursable: z.boolean().optional(),
};

export const createExpenseBody = z.strictObject(expenseFields);
export type CreateExpenseInput = z.infer<typeof createExpenseBody>;
export const updateExpenseBody = z.strictObject(expenseFields);
export type UpdateExpenseInput = z.infer<typeof updateExpenseBody>;

export const rejectBody = z.strictObject({ reason: text(1000).pipe(z.string().min(3, 'Say why, so the artist can fix it')) });
export const approveBody = z.strictObject({ note: text(1000).optional() });

export const listExpensesQuery = z.strictObject({
  status: csvEnum(expenseStatuses).optional().describe('e.g. submitted,approved'),
  category_id: z.uuid().optional(),
  artist_id: z.uuid().optional().describe('Approvers: one person\'s expenses'),
  production_id: z.uuid().optional(),
  from: isoDate.optional().describe('Expense date on or after'),
  to: isoDate.optional().describe('Expense date on or before'),
  q: searchQuery.optional().describe('Words in the merchant or description'),
  awaiting_me: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('Approvers: submitted expenses within my approval limit'),
  ...pageQuery,
});
export type ListExpensesQuery = z.infer<typeof listExpensesQuery>;

export const receiptSchema = z.object({
  id: z.uuid(),
  file: z.object({ id: z.uuid(), name: z.string(), content_type: z.string(), size_bytes: z.number().int() }),
  thumbnail_file_id: z.uuid().nullable(),
  ocr: z.record(z.string(), z.unknown()).nullable().describe('Suggested amount, date and merchant with confidences'),
  ocr_confidence: z.string().nullable(),
  needs_review: z.boolean(),
  created_at: z.string(),
});

export const expenseSchema = z.object({
  id: z.uuid(),
  artist: z.object({ id: z.uuid(), name: z.string() }),
  category: z.object({ id: z.uuid(), name: z.string(), code: z.string() }),
  production: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  amount: z.string(),
  currency: z.string(),
  exchange_rate: z.string(),
  base_currency: z.string(),
  amount_base: z.string().describe('amount × exchange_rate, rounded to cents, exact'),
  expense_date: z.string(),
  merchant: z.string(),
  description: z.string(),
  notes: z.string().nullable(),
  tags: z.array(z.string()),
  is_billable: z.boolean(),
  is_reimbursable: z.boolean(),
  status: z.enum(expenseStatuses),
  approval_level: z.enum(approvalLevels).nullable().describe('Who must approve: decided at submission from the amount'),
  possible_duplicates: z.array(z.uuid()).describe('Same person, amount, date and merchant: the approver is warned'),
  submitted_at: z.string().nullable(),
  approved_at: z.string().nullable(),
  rejected_at: z.string().nullable(),
  rejection_reason: z.string().nullable(),
  paid_at: z.string().nullable(),
  payment_batch_id: z.uuid().nullable(),
  receipts: z.array(receiptSchema).optional().describe('In the detail answer'),
  history: z.array(z.object({ decision: z.string(), level: z.string(), by: z.string().nullable(), reason: z.string().nullable(), at: z.string() })).optional(),
  created_at: z.string(),
  updated_at: z.string(),
  allowed_actions: z.array(z.string()).describe('What the caller may do with it now: update, delete, submit, approve, reject'),
}).meta({ id: 'Expense' });

export const expenseListSchema = listResponse(expenseSchema).meta({ id: 'ExpenseList' });

export const categorySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  code: z.string(),
  xero_account_code: z.string().nullable(),
  requires_receipt: z.boolean(),
  requires_approval: z.boolean(),
  max_amount: z.string().nullable(),
  is_active: z.boolean(),
}).meta({ id: 'ExpenseCategory' });

const categoryFields = {
  name: text(60).pipe(z.string().min(1)),
  code: text(30).pipe(z.string().regex(/^[A-Z0-9_]+$/, 'Capital letters, digits and _')),
  xero_account_code: text(20).nullable().optional(),
  requires_receipt: z.boolean().optional(),
  requires_approval: z.boolean().optional(),
  max_amount: moneyInput.nullable().optional(),
  is_active: z.boolean().optional(),
};
export const createCategoryBody = z.strictObject(categoryFields);
export const updateCategoryBody = z.strictObject(categoryFields).partial();
export type CategoryInput = z.infer<typeof updateCategoryBody>;

export const createBatchBody = z.strictObject({
  expense_ids: z.array(z.uuid()).min(1).max(1000).refine((ids) => new Set(ids).size === ids.length, 'Each expense once'),
});
export const batchSchema = z.object({
  id: z.uuid(),
  reference: z.string(),
  status: z.enum(['processing', 'paid']),
  currency: z.string(),
  total_amount: z.string(),
  expense_count: z.number().int(),
  created_at: z.string(),
  paid_at: z.string().nullable(),
}).meta({ id: 'PaymentBatch' });
export const batchListSchema = listResponse(batchSchema).meta({ id: 'PaymentBatchList' });

export const receiptUploadSchema = z.object({ receipt: receiptSchema, expense: expenseSchema }).meta({ id: 'ExpenseReceiptUpload' });
export const receiptLinkQuery = z.strictObject({ variant: z.enum(['image', 'thumbnail']).default('image') });
export const batchExportQuery = z.strictObject({
  bank_details: z.enum(['true', 'false']).optional().transform((v) => v === 'true').describe("Add each payee's account holder, IBAN, routing and account number (needs the right to read bank accounts)"),
});
