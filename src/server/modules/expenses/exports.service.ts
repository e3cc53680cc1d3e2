import { authorize } from '../../auth/policy.js';
import { toCsv } from '../../files/csv.js';
import type { RequestContext } from '../../http/context.js';
import * as queries from './expenses.queries.js';
import { cents, formatCents, type ListExpensesQuery } from './expenses.schemas.js';
import { seesAll } from './expenses.service.js';

const COLUMNS = ['expense_date', 'person', 'category', 'merchant', 'description', 'amount', 'currency', 'exchange_rate', 'amount_base', 'base_currency', 'status', 'production', 'submitted_at', 'approved_at', 'paid_at', 'id'] as const;

/**
 * The expenses a list with these filters shows, as CSV (formula-safe), with a total line in the
 * base currency. For an artist (or `artist_id=`) it is that person's statement.
 */
export async function exportCsv(ctx: RequestContext, filter: Omit<ListExpensesQuery, 'limit' | 'cursor' | 'awaiting_me'>) {
  authorize(ctx.actor, 'expenses:read', { ownerId: ctx.actor.userId });
  const rows = await queries.exportExpenses(ctx.trx, ctx.organizationId, seesAll(ctx) ? filter : { ...filter, artist_id: undefined, ownerId: ctx.actor.userId });
  const total = rows.reduce((sum, r) => sum + cents(r.amount_base), 0n);
  await ctx.audit({ entityType: 'expense', entityId: ctx.organizationId, action: 'expense.exported', after: { rows: rows.length, filter } });
  const lines = rows.map((r) => ({
    expense_date: r.expense_date, person: `${r.first_name} ${r.last_name}`, category: r.category_name, merchant: r.merchant, description: r.description,
    amount: r.amount, currency: r.currency, exchange_rate: r.exchange_rate, amount_base: r.amount_base, base_currency: r.base_currency, status: r.status,
    production: r.production_name, submitted_at: r.submitted_at, approved_at: r.approved_at, paid_at: r.paid_at, id: r.id,
  }));
  const baseCurrency = rows[0]?.base_currency ?? '';
  return {
    filename: `expenses-${new Date().toISOString().slice(0, 10)}.csv`,
    body: toCsv(COLUMNS, [...lines, { expense_date: 'TOTAL', amount_base: formatCents(total), base_currency: baseCurrency }]),
  };
}
