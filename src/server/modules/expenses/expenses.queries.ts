import { sql } from 'kysely';
import type { ApprovalLevel } from '../../db/schema.js';
import type { Tx } from '../../db/tenant.js';
import { paginate } from '../../http/pagination.js';
import type { ListExpensesQuery } from './expenses.schemas.js';

function base(trx: Tx, organizationId: string) {
  return trx.selectFrom('expenses as e')
    .innerJoin('users as u', 'u.id', 'e.artist_id')
    .innerJoin('expense_categories as c', 'c.id', 'e.category_id')
    .leftJoin('productions as p', 'p.id', 'e.production_id')
    .select([
      'e.id', 'e.artist_id', 'e.category_id', 'e.production_id', 'e.amount', 'e.currency', 'e.exchange_rate', 'e.base_currency', 'e.amount_base',
      sql<string>`to_char(e.expense_date, 'YYYY-MM-DD')`.as('expense_date'),
      'e.merchant', 'e.description', 'e.notes', 'e.tags', 'e.is_billable', 'e.is_reimbursable', 'e.status', 'e.approval_level', 'e.possible_duplicate_ids',
      'e.submitted_at', 'e.approved_at', 'e.approved_by', 'e.rejected_at', 'e.rejection_reason', 'e.paid_at', 'e.payment_batch_id', 'e.created_at', 'e.updated_at',
      'u.first_name', 'u.last_name', 'c.name as category_name', 'c.code as category_code', 'p.name as production_name',
    ])
    .where('e.organization_id', '=', organizationId);
}
export type ExpenseRow = NonNullable<Awaited<ReturnType<typeof findExpense>>>;

export function findExpense(trx: Tx, organizationId: string, id: string) {
  return base(trx, organizationId).where('e.id', '=', id).executeTakeFirst();
}

type ExpenseFilter = ListExpensesQuery & { ownerId?: string; levels?: readonly ApprovalLevel[]; notOwnedBy?: string };

function filtered(trx: Tx, organizationId: string, filter: Omit<ExpenseFilter, 'limit' | 'cursor'>) {
  let q = base(trx, organizationId);
  if (filter.ownerId) q = q.where('e.artist_id', '=', filter.ownerId);
  if (filter.artist_id) q = q.where('e.artist_id', '=', filter.artist_id);
  if (filter.status) q = q.where('e.status', 'in', filter.status);
  if (filter.category_id) q = q.where('e.category_id', '=', filter.category_id);
  if (filter.production_id) q = q.where('e.production_id', '=', filter.production_id);
  if (filter.from) q = q.where('e.expense_date', '>=', sql<string>`${filter.from}::date`);
  if (filter.to) q = q.where('e.expense_date', '<=', sql<string>`${filter.to}::date`);
  if (filter.q) q = q.where(sql<boolean>`e.search @@ plainto_tsquery('simple', ${filter.q})`);
  // The approver's queue: submitted, at a level they may approve, not their own.
  if (filter.levels) {
    const levels = [...filter.levels];
    q = q.where('e.status', '=', 'submitted').where((eb) => (levels.length ? eb('e.approval_level', 'in', levels) : eb.val(false)));
  }
  if (filter.notOwnedBy) q = q.where('e.artist_id', '!=', filter.notOwnedBy);
  return q;
}

export function listExpenses(trx: Tx, organizationId: string, filter: ExpenseFilter) {
  return paginate(filtered(trx, organizationId, filter), { limit: filter.limit, cursor: filter.cursor, createdCol: 'e.created_at', idCol: 'e.id' });
}

/** Every row matching a filter, oldest expense first, for CSV exports (bounded). */
export function exportExpenses(trx: Tx, organizationId: string, filter: Omit<ExpenseFilter, 'limit' | 'cursor'>, max = 50_000) {
  return filtered(trx, organizationId, filter).orderBy('e.expense_date').orderBy('e.created_at').limit(max).execute();
}

export function listReceipts(trx: Tx, organizationId: string, expenseId: string) {
  return trx.selectFrom('expense_receipts as r').innerJoin('files as f', 'f.id', 'r.file_id')
    .select(['r.id', 'r.thumbnail_file_id', 'r.ocr', 'r.ocr_confidence', 'r.needs_review', 'r.created_at', 'f.id as file_id', 'f.original_name', 'f.content_type', 'f.size_bytes'])
    .where('r.organization_id', '=', organizationId).where('r.expense_id', '=', expenseId).orderBy('r.created_at').execute();
}

export function history(trx: Tx, organizationId: string, expenseId: string) {
  return trx.selectFrom('expense_approvals as a').leftJoin('users as u', 'u.id', 'a.decided_by')
    .select(['a.decision', 'a.level', 'a.reason', 'a.created_at', 'u.first_name', 'u.last_name'])
    .where('a.organization_id', '=', organizationId).where('a.expense_id', '=', expenseId).orderBy('a.created_at').execute();
}

export function findCategory(trx: Tx, organizationId: string, id: string) {
  return trx.selectFrom('expense_categories').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}
