import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { authorize } from '../../auth/policy.js';
import type { FieldCipher } from '../../crypto/field-encryption.js';
import { toCsv } from '../../files/csv.js';
import type { RequestContext } from '../../http/context.js';
import { AppError, notFound } from '../../http/errors.js';
import { paginate } from '../../http/pagination.js';
import { notify } from '../notifications/notifications.service.js';
import { payeeBankAccounts } from '../profiles/profiles.service.js';
import { cents, formatCents } from './expenses.schemas.js';

/**
 * Puts approved, reimbursable expenses into a payment batch (approved → processing), all or
 * nothing: any other id answers 404 (unknown) or 409 (not approved) and nothing moves.
 */
export async function createBatch(ctx: RequestContext, expenseIds: string[]) {
  authorize(ctx.actor, 'expenses:pay');
  const rows = await ctx.trx.selectFrom('expenses').select(['id', 'status', 'amount_base', 'base_currency', 'is_reimbursable'])
    .where('organization_id', '=', ctx.organizationId).where('id', 'in', expenseIds).forUpdate().execute();
  const found = new Map(rows.map((r) => [r.id, r]));
  const missing = expenseIds.filter((id) => !found.has(id));
  if (missing.length) throw new AppError('not_found', `${missing.length} of these expenses do not exist here`, missing.slice(0, 20).map((id) => ({ field: `body.expense_ids.${expenseIds.indexOf(id)}`, message: 'Not found' })));
  const notReady = rows.filter((r) => r.status !== 'approved' || !r.is_reimbursable);
  if (notReady.length) {
    throw new AppError('conflict', 'Only approved, reimbursable expenses can be paid', notReady.slice(0, 20).map((r) => ({ field: `body.expense_ids.${expenseIds.indexOf(r.id)}`, message: r.is_reimbursable ? `Is ${r.status}` : 'Not reimbursable' })));
  }
  const currencies = new Set(rows.map((r) => r.base_currency));
  if (currencies.size > 1) throw new AppError('conflict', 'One batch pays in one currency');
  const total = rows.reduce((sum, r) => sum + cents(r.amount_base), 0n);
  const reference = `PAY-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex').toUpperCase()}`;
  const batch = await ctx.trx.insertInto('payment_batches').values({
    organization_id: ctx.organizationId, reference, currency: [...currencies][0]!, total_amount: formatCents(total), expense_count: rows.length, created_by: ctx.actor.userId,
  }).returning('id').executeTakeFirstOrThrow();
  await ctx.trx.updateTable('expenses').set({ status: 'processing', payment_batch_id: batch.id })
    .where('organization_id', '=', ctx.organizationId).where('id', 'in', expenseIds).execute();
  await ctx.audit({ entityType: 'payment_batch', entityId: batch.id, action: 'create', after: { reference, expense_count: rows.length, total_amount: formatCents(total) } });
  return batch.id;
}

/** The bank has paid: every expense of the batch becomes paid and its claimant is told. */
export async function markBatchPaid(ctx: RequestContext, batchId: string) {
  authorize(ctx.actor, 'expenses:pay');
  const batch = await ctx.trx.selectFrom('payment_batches').selectAll().where('organization_id', '=', ctx.organizationId).where('id', '=', batchId).forUpdate().executeTakeFirst();
  if (!batch) throw notFound('Payment batch');
  if (batch.status === 'paid') throw new AppError('conflict', `Batch ${batch.reference} was paid on ${batch.paid_at?.toISOString().slice(0, 10)}`);
  const now = new Date();
  await ctx.trx.updateTable('payment_batches').set({ status: 'paid', paid_at: now, paid_by: ctx.actor.userId }).where('id', '=', batchId).execute();
  const paid = await ctx.trx.updateTable('expenses').set({ status: 'paid', paid_at: now })
    .where('organization_id', '=', ctx.organizationId).where('payment_batch_id', '=', batchId).where('status', '=', 'processing')
    .returning(['id', 'artist_id', 'merchant', 'amount_base', 'base_currency', 'approval_level']).execute();
  if (paid.length) {
    await ctx.trx.insertInto('expense_approvals').values(paid.map((e) => ({
      organization_id: ctx.organizationId, expense_id: e.id, decided_by: ctx.actor.userId, decision: 'paid' as const, level: e.approval_level ?? 'automatic', amount_base: e.amount_base, reason: batch.reference,
    }))).execute();
  }
  for (const e of paid) {
    await notify(ctx, {
      type: 'expense_approved', recipients: [e.artist_id], link: `/expenses/${e.id}`, subject: `Paid: ${e.merchant}, ${formatCents(cents(e.amount_base))} ${e.base_currency}`,
      body: `Paid with batch ${batch.reference}.`, data: { expense_id: e.id, status: 'paid' },
    });
    ctx.publish({ type: 'expense.status', organizationId: ctx.organizationId, userId: e.artist_id, data: { expense_id: e.id, status: 'paid' } });
  }
  await ctx.audit({ entityType: 'payment_batch', entityId: batchId, action: 'payment_batch.paid', before: { status: 'processing' }, after: { status: 'paid', expenses: paid.length } });
}

export function listBatches(ctx: RequestContext, page: { limit: number; cursor?: string | undefined }) {
  authorize(ctx.actor, 'expenses:pay');
  return paginate(ctx.trx.selectFrom('payment_batches').selectAll().where('organization_id', '=', ctx.organizationId), { ...page, createdCol: 'created_at', idCol: 'id' });
}

export async function getBatch(ctx: RequestContext, batchId: string) {
  authorize(ctx.actor, 'expenses:pay');
  const batch = await ctx.trx.selectFrom('payment_batches').selectAll().where('organization_id', '=', ctx.organizationId).where('id', '=', batchId).executeTakeFirst();
  if (!batch) throw notFound('Payment batch');
  return batch;
}

/**
 * The bank file of a batch: one payment per person (their expenses summed exactly), as CSV safe to
 * open in a spreadsheet. With `bankDetails` (finance roles who may read bank accounts) each payee's
 * account holder, IBAN or routing and account number are added from their encrypted profile, each
 * read audited; without, the file names payees only.
 */
export async function batchCsv(ctx: RequestContext, batchId: string, bankDetails?: { cipher: FieldCipher }) {
  const batch = await getBatch(ctx, batchId);
  const rows = await ctx.trx.selectFrom('expenses as e').innerJoin('users as u', 'u.id', 'e.artist_id')
    .select(['u.id', 'u.first_name', 'u.last_name', 'u.email', sql<string>`sum(e.amount_base)::text`.as('total'), sql<string>`count(*)::int`.as('count'),
      sql<string>`string_agg(e.id::text, ' ' ORDER BY e.expense_date)`.as('expense_ids')])
    .where('e.organization_id', '=', ctx.organizationId).where('e.payment_batch_id', '=', batchId)
    .groupBy(['u.id', 'u.first_name', 'u.last_name', 'u.email']).orderBy('u.last_name').orderBy('u.first_name').execute();
  const accounts = bankDetails ? await payeeBankAccounts(ctx, bankDetails.cipher, rows.map((r) => r.id), `payment_batch:${batchId}`) : null;
  await ctx.audit({ entityType: 'payment_batch', entityId: batchId, action: 'payment_batch.exported', after: { rows: rows.length, bank_details: Boolean(accounts) } });
  const columns = ['batch_reference', 'payee_name', 'payee_email', 'amount', 'currency', 'expense_count', 'payment_reference', 'expense_ids'];
  const bankColumns = ['account_holder', 'iban', 'routing_number', 'account_number'];
  return {
    filename: `${batch.reference}${accounts ? '-with-bank-details' : ''}.csv`,
    body: toCsv(accounts ? [...columns, ...bankColumns] : columns, rows.map((r) => {
      const account = accounts?.get(r.id) ?? null;
      return {
        batch_reference: batch.reference, payee_name: `${r.first_name} ${r.last_name}`, payee_email: r.email, amount: formatCents(cents(r.total)),
        currency: batch.currency, expense_count: r.count, payment_reference: `${batch.reference} expenses`, expense_ids: r.expense_ids,
        // An empty account_holder tells the accountant this person has no bank details on file.
        ...(accounts ? { account_holder: account?.account_holder ?? '', iban: account?.iban ?? '', routing_number: account?.routing_number ?? '', account_number: account?.account_number ?? '' } : {}),
      };
    })),
  };
}
