/** Shapes of the productions API (src/server/modules/productions/productions.schemas.ts) as the web app uses them. */

export const PRODUCTION_STATUSES = ['planning', 'active', 'completed', 'cancelled', 'archived'] as const;
export type ProductionStatus = (typeof PRODUCTION_STATUSES)[number];

export const STATUS_LABEL: Record<ProductionStatus, string> = {
  planning: 'Planning',
  active: 'Active',
  completed: 'Completed',
  cancelled: 'Cancelled',
  archived: 'Archived',
};

export const STATUS_COLOR = {
  planning: 'info',
  active: 'success',
  completed: 'primary',
  cancelled: 'warning',
  archived: 'default',
} as const satisfies Record<ProductionStatus, string>;

/** The button that moves a production to a status, and what the confirmation says. */
export const STATUS_ACTION: Record<ProductionStatus, { label: string; question: string; explain: string }> = {
  planning: { label: 'Back to planning', question: 'Move back to planning?', explain: 'The production is planned again.' },
  active: { label: 'Start', question: 'Start this production?', explain: 'It becomes active: rehearsals and performances are under way.' },
  completed: { label: 'Complete', question: 'Mark this production as completed?', explain: 'It has had its last performance. It can then be archived.' },
  cancelled: { label: 'Cancel', question: 'Cancel this production?', explain: 'A cancelled production stays in the list with its reason and can be archived later. It cannot be started again.' },
  archived: { label: 'Archive', question: 'Archive this production?', explain: 'An archived production can no longer be changed.' },
};

/** GET /api/v1/productions items, GET/PATCH /api/v1/productions/:id */
export interface Production {
  id: string;
  name: string;
  code: string | null;
  description: string | null;
  start_date: string;
  end_date: string;
  /** Exact decimal string, e.g. "125000.00". */
  budget_amount: string | null;
  budget_currency: string;
  status: ProductionStatus;
  status_reason: string | null;
  next_statuses: ProductionStatus[];
  created_at: string;
  updated_at: string;
  allowed_actions: string[];
}

/** GET /api/v1/organization (the part this screen needs). */
export interface Organization {
  id: string;
  name: string;
  settings: { default_currency: string };
}

/** The same rules as the API's `decimalAmount` and `code`. */
export const AMOUNT_PATTERN = /^\d{1,13}(\.\d{1,2})?$/;
export const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Currencies offered in the budget; the organization's default comes first. */
export const COMMON_CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'NZD', 'CHF', 'SEK', 'NOK', 'DKK', 'JPY', 'SGD', 'HKD', 'ZAR', 'MXN', 'BRL'] as const;

export function currencyChoices(orgDefault: string | undefined, current?: string): string[] {
  const first = [current, orgDefault].filter((c): c is string => Boolean(c));
  return [...new Set([...first.reverse(), ...COMMON_CURRENCIES])];
}

const dateRange = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** "2026-03-01" as a calendar day (UTC midnight, formatted in UTC so no time zone moves it). */
function calendarDay(iso: string): Date | null {
  if (!DATE_PATTERN.test(iso)) return null;
  const date = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "1 Mar – 31 May 2026" (in the reader's locale); the raw dates when they cannot be read. */
export function formatDateRange(start: string, end: string): string {
  const from = calendarDay(start);
  const to = calendarDay(end);
  if (!from || !to) return `${start} – ${end}`;
  return to < from ? `${dateRange.format(from)} – ${dateRange.format(to)}` : dateRange.formatRange(from, to);
}

/**
 * "$125,000.00" from the exact decimal "125000.00". Intl formats the string itself (no float in
 * between), so large budgets keep every digit; anything unexpected is shown as it came.
 */
export function formatBudget(amount: string, currency: string): string {
  if (!AMOUNT_PATTERN.test(amount)) return `${amount} ${currency}`;
  try {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    // ES2023 Intl.NumberFormat accepts exact decimal strings; TypeScript's lib types lag behind.
    return format.format(amount as unknown as number);
  } catch {
    return `${amount} ${currency}`;
  }
}
