/** Shapes of the expenses API (src/server/modules/expenses/expenses.schemas.ts) as the web app uses them. */

export const EXPENSE_STATUSES = ['draft', 'submitted', 'approved', 'rejected', 'processing', 'paid'] as const;
export type ExpenseStatus = (typeof EXPENSE_STATUSES)[number];

export const STATUS_LABEL: Record<ExpenseStatus, string> = {
  draft: 'Draft',
  submitted: 'Submitted',
  approved: 'Approved',
  rejected: 'Rejected',
  processing: 'Processing',
  paid: 'Paid',
};

/** What each status means for the person who claimed it. */
export const STATUS_EXPLAIN: Record<ExpenseStatus, string> = {
  draft: 'Not sent yet: finish it and submit it for approval.',
  submitted: 'Waiting for approval.',
  approved: 'Approved: it will be paid with the next payment batch.',
  rejected: 'Sent back: correct it and submit it again.',
  processing: 'In a payment batch: the bank is paying it.',
  paid: 'Paid.',
};

export const STATUS_COLOR = {
  draft: 'default',
  submitted: 'info',
  approved: 'success',
  rejected: 'error',
  processing: 'primary',
  paid: 'success',
} as const satisfies Record<ExpenseStatus, string>;

export type ApprovalLevel = 'automatic' | 'admin' | 'finance' | 'finance_director';

export const LEVEL_LABEL: Record<ApprovalLevel, string> = {
  automatic: 'Automatic',
  admin: 'Administrator',
  finance: 'Accountant',
  finance_director: 'Finance director',
};

/** One suggestion of the receipt reader: the value and how sure it is (0–1). */
export interface OcrField<T = string> {
  value: T;
  confidence: number;
}

export interface ReceiptOcr {
  amount: OcrField | null;
  date: OcrField | null;
  merchant: OcrField | null;
  currency: string | null;
}

export interface Receipt {
  id: string;
  file: { id: string; name: string; content_type: string; size_bytes: number };
  thumbnail_file_id: string | null;
  ocr: Partial<ReceiptOcr> | null;
  /** "0.91" */
  ocr_confidence: string | null;
  needs_review: boolean;
  created_at?: string;
}

export interface Expense {
  id: string;
  artist: { id: string; name: string };
  category: { id: string; name: string; code: string };
  production: { id: string; name: string } | null;
  /** Exact decimal strings, e.g. "125.50". */
  amount: string;
  currency: string;
  exchange_rate: string;
  base_currency: string;
  amount_base: string;
  expense_date: string;
  merchant: string;
  description: string;
  notes: string | null;
  tags: string[];
  is_billable: boolean;
  is_reimbursable: boolean;
  status: ExpenseStatus;
  approval_level: ApprovalLevel | null;
  possible_duplicates: string[];
  submitted_at: string | null;
  approved_at: string | null;
  rejected_at: string | null;
  rejection_reason: string | null;
  paid_at: string | null;
  payment_batch_id: string | null;
  receipts?: Receipt[];
  history?: { decision: string; level: string; by: string | null; reason: string | null; at: string }[];
  created_at: string;
  updated_at: string;
  /** update, submit, add_receipt, delete, approve, reject */
  allowed_actions: string[];
}

export interface Category {
  id: string;
  name: string;
  code: string;
  xero_account_code: string | null;
  requires_receipt: boolean;
  requires_approval: boolean;
  max_amount: string | null;
  is_active: boolean;
}

export interface PaymentBatch {
  id: string;
  reference: string;
  status: 'processing' | 'paid';
  currency: string;
  total_amount: string;
  expense_count: number;
  created_at: string;
  paid_at: string | null;
}

/** POST /expenses/:id/receipts */
export interface ReceiptUpload {
  receipt: Receipt;
  expense: Expense;
}

/** GET /api/v1/organization (the part these screens need). */
export interface OrganizationSettings {
  id: string;
  name: string;
  settings: {
    default_currency: string;
    timezone: string;
    approval_limits: { automatic: number; admin: number; finance: number };
    expense_submission_window_days: number;
  };
}

/** The body of POST /expenses and PUT /expenses/:id as the screens send it. */
export interface ExpenseBody {
  category_id: string;
  amount: string;
  currency: string;
  exchange_rate?: string;
  expense_date: string;
  merchant: string;
  description: string;
  notes?: string | null;
  is_billable: boolean;
  is_reimbursable: boolean;
  production_id?: string | null;
}

/** The API's money rule: more than 0, at most 2 decimals, no separators. */
export const AMOUNT_PATTERN = /^\d{1,13}(\.\d{1,2})?$/;
export const RATE_PATTERN = /^\d{1,10}(\.\d{1,8})?$/;
export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export const COMMON_CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'NZD', 'CHF', 'SEK', 'NOK', 'DKK', 'JPY', 'SGD', 'HKD', 'ZAR', 'MXN', 'BRL'] as const;

export function currencyChoices(base: string | undefined, current?: string): string[] {
  return [...new Set([...[base, current].filter((c): c is string => Boolean(c)), ...COMMON_CURRENCIES])];
}

/** "$125.50" from "125.50" without passing through a float; anything unexpected as it came. */
export function formatMoney(amount: string, currency: string): string {
  if (!/^-?\d+(\.\d+)?$/.test(amount)) return `${amount} ${currency}`;
  try {
    // ES2023 Intl.NumberFormat takes exact decimal strings; TypeScript's lib types lag behind.
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount as unknown as number);
  } catch {
    return `${amount} ${currency}`;
  }
}

/** Adds exact decimal strings (cents as BigInt): the total of a selection. */
export function sumAmounts(amounts: readonly string[]): string {
  const cents = amounts.reduce((sum, a) => {
    const [whole = '0', fraction = ''] = a.split('.');
    return sum + BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
  }, 0n);
  return `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
}

const dayFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const timeFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit' });

/** "2026-11-14" as "Nov 14, 2026" in the reader's locale (a calendar day: no time zone moves it). */
export function formatDay(iso: string): string {
  if (!DATE_PATTERN.test(iso)) return iso;
  const date = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? iso : dayFormat.format(date);
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timeFormat.format(date);
}

/** Today as YYYY-MM-DD on this device. */
export function today(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

/**
 * The latest day an expense can have: today, but never later than today in the organization's
 * time zone (the server's rule), so a default date is never refused as "in the future".
 */
export function latestExpenseDay(timeZone: string | undefined): string {
  const here = today();
  if (!timeZone) return here;
  try {
    // en-CA writes dates as YYYY-MM-DD.
    const there = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    return DATE_PATTERN.test(there) && there < here ? there : here;
  } catch {
    return here;
  }
}

/** The receipt files the API takes: JPEG, PNG, HEIC or PDF up to 10 MB. */
export const RECEIPT_ACCEPT = 'image/*,application/pdf';
export const RECEIPT_MAX_BYTES = 10 * 1024 * 1024;
const RECEIPT_TYPES = /^(image\/(jpeg|png|heic|heif)|application\/pdf)$/i;
const RECEIPT_EXTENSIONS = /\.(jpe?g|png|heic|heif|pdf)$/i;

/** Why this file cannot be a receipt, or null when it can (the server checks the content again). */
export function receiptProblem(file: { name: string; type: string; size: number }): string | null {
  if (!RECEIPT_TYPES.test(file.type) && !RECEIPT_EXTENSIONS.test(file.name)) return 'Choose a photo (JPEG, PNG or HEIC) or a PDF of the receipt.';
  if (file.size > RECEIPT_MAX_BYTES) return `This file is ${(file.size / 1024 / 1024).toFixed(1)} MB; a receipt can be at most 10 MB.`;
  if (file.size === 0) return 'This file is empty.';
  return null;
}

/** The approval limit of a role in the organization's settings; null when the role does not approve, Infinity for no limit. */
export function approvalLimit(role: string | undefined, limits: OrganizationSettings['settings']['approval_limits'] | undefined): number | null {
  if (!limits) return null;
  switch (role) {
    case 'admin':
    case 'system_admin':
      return limits.admin;
    case 'accountant':
      return limits.finance;
    case 'finance_director':
      return Number.POSITIVE_INFINITY;
    default:
      return null;
  }
}

export const APPROVER_ROLES = ['admin', 'system_admin', 'accountant', 'finance_director'] as const;
export const PAYER_ROLES = ['admin', 'system_admin', 'accountant', 'finance_director'] as const;
