import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { can } from '../../auth/policy.js';
import type { Actor } from '../../auth/tokens.js';
import { mutateInTenant, readInTenant, requireActor } from '../../http/context.js';
import { AppError } from '../../http/errors.js';
import { receiveUpload } from '../files/files.service.js';
import { idParams, pageQuery, problems } from '../../http/schemas.js';
import { approverLevels } from './approval-rules.js';
import * as approvals from './approvals.service.js';
import * as categories from './categories.service.js';
import type { ExpenseRow } from './expenses.queries.js';
import {
  approveBody, batchExportQuery, batchListSchema, batchSchema, categorySchema, createBatchBody, createCategoryBody, createExpenseBody, expenseListSchema, expenseSchema,
  listExpensesQuery, receiptLinkQuery, receiptUploadSchema, rejectBody, updateCategoryBody, updateExpenseBody,
} from './expenses.schemas.js';
import * as service from './expenses.service.js';
import * as payments from './payments.service.js';
import { exportCsv } from './exports.service.js';
import * as receipts from './receipts.service.js';

type Detail = Awaited<ReturnType<typeof service.getExpense>>;
const iso = (d: Date | null) => d?.toISOString() ?? null;

/** What the caller may do with this expense now. */
function expenseActions(e: ExpenseRow, actor: Actor): string[] {
  const mine = e.artist_id === actor.userId;
  const editable = mine && (e.status === 'draft' || e.status === 'rejected');
  const decides = !mine && e.status === 'submitted' && can(actor, 'expenses:approve') && approverLevels(actor.role).includes(e.approval_level ?? 'finance_director');
  return [
    ...(editable ? ['update', 'submit', 'add_receipt'] : []),
    ...(mine && e.status === 'draft' ? ['delete'] : []),
    ...(decides ? ['approve', 'reject'] : []),
  ];
}

function presentExpense(e: ExpenseRow, actor: Actor, detail?: Omit<Detail, 'expense' | 'settings'>) {
  return {
    id: e.id,
    artist: { id: e.artist_id, name: `${e.first_name} ${e.last_name}` },
    category: { id: e.category_id, name: e.category_name, code: e.category_code },
    production: e.production_id ? { id: e.production_id, name: e.production_name ?? '' } : null,
    amount: e.amount, currency: e.currency, exchange_rate: e.exchange_rate, base_currency: e.base_currency, amount_base: e.amount_base,
    expense_date: e.expense_date, merchant: e.merchant, description: e.description, notes: e.notes, tags: e.tags,
    is_billable: e.is_billable, is_reimbursable: e.is_reimbursable, status: e.status, approval_level: e.approval_level,
    possible_duplicates: e.possible_duplicate_ids,
    submitted_at: iso(e.submitted_at), approved_at: iso(e.approved_at), rejected_at: iso(e.rejected_at), rejection_reason: e.rejection_reason,
    paid_at: iso(e.paid_at), payment_batch_id: e.payment_batch_id,
    ...(detail ? {
      receipts: detail.receipts.map((r) => ({
        id: r.id, file: { id: r.file_id, name: r.original_name, content_type: r.content_type, size_bytes: r.size_bytes }, thumbnail_file_id: r.thumbnail_file_id,
        ocr: r.ocr, ocr_confidence: r.ocr_confidence, needs_review: r.needs_review, created_at: r.created_at.toISOString(),
      })),
      history: detail.history.map((h) => ({ decision: h.decision, level: h.level, by: h.first_name ? `${h.first_name} ${h.last_name}` : null, reason: h.reason, at: h.created_at.toISOString() })),
    } : {}),
    created_at: e.created_at.toISOString(), updated_at: e.updated_at.toISOString(),
    allowed_actions: expenseActions(e, actor),
  };
}

function presentCategory(c: { id: string; name: string; code: string; xero_account_code: string | null; requires_receipt: boolean; requires_approval: boolean; max_amount: string | null; is_active: boolean }) {
  return { id: c.id, name: c.name, code: c.code, xero_account_code: c.xero_account_code, requires_receipt: c.requires_receipt, requires_approval: c.requires_approval, max_amount: c.max_amount, is_active: c.is_active };
}

function presentBatch(b: { id: string; reference: string; status: 'processing' | 'paid'; currency: string; total_amount: string; expense_count: number; created_at: Date; paid_at: Date | null }) {
  return { id: b.id, reference: b.reference, status: b.status, currency: b.currency, total_amount: b.total_amount, expense_count: b.expense_count, created_at: b.created_at.toISOString(), paid_at: iso(b.paid_at) };
}

function sendCsv(reply: FastifyReply, file: { filename: string; body: string }) {
  return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${file.filename}"`)
    .header('cache-control', 'private, no-store').send(file.body);
}

export const expensesRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['expenses'];
  const { storage, signingSecret, config } = app.services;
  const detailOf = async (ctx: Parameters<typeof service.getExpense>[0], id: string) => {
    const { expense, receipts, history } = await service.getExpense(ctx, id);
    return presentExpense(expense, ctx.actor, { receipts, history });
  };

  // ----- categories ----------------------------------------------------------------------------
  app.get('/expense-categories', {
    schema: { tags, summary: "The organization's expense categories (active and inactive)", response: { 200: z.object({ data: z.array(categorySchema) }), ...problems(401) } },
  }, (req) => readInTenant(req, async (ctx) => ({ data: (await categories.listCategories(ctx)).map(presentCategory) })));

  app.post('/expense-categories', {
    schema: { tags, summary: 'Add a category (admins, accountants)', body: createCategoryBody, response: { 201: categorySchema, ...problems(400, 401, 403, 409, 415, 422) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 201, body: presentCategory(await categories.createCategory(ctx, req.body)) })));

  app.patch('/expense-categories/:id', {
    schema: { tags, summary: 'Change a category, or deactivate it (is_active: false)', params: idParams, body: updateCategoryBody, response: { 200: categorySchema, ...problems(400, 401, 403, 404, 409, 415, 422) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: presentCategory(await categories.updateCategory(ctx, req.params.id, req.body)) })));

  // ----- expenses ------------------------------------------------------------------------------
  app.post('/expenses', {
    schema: { tags, summary: 'Create a draft expense (your own); supports Idempotency-Key for offline replays', body: createExpenseBody, response: { 201: expenseSchema, ...problems(400, 401, 403, 409, 415, 422) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 201, body: await detailOf(ctx, await service.createExpense(ctx, req.body)) })));

  app.get('/expenses', {
    schema: { tags, summary: 'Expenses: your own, or (approvers, payers) everyone\'s; awaiting_me=true is the approval queue', querystring: listExpensesQuery, response: { 200: expenseListSchema, ...problems(400, 401, 403) } },
  }, (req) => readInTenant(req, async (ctx) => {
    const { page } = await service.listExpenses(ctx, req.query);
    return { data: page.data.map((e) => presentExpense(e, ctx.actor)), pagination: page.pagination };
  }));

  app.get('/expenses/export', {
    schema: { tags, summary: 'CSV of the expenses the list would show (same filters); an artist\'s own export is their statement', querystring: listExpensesQuery.omit({ limit: true, cursor: true, awaiting_me: true }), produces: ['text/csv'], response: { ...problems(400, 401, 403) } },
  }, async (req, reply) => sendCsv(reply, await readInTenant(req, (ctx) => exportCsv(ctx, req.query))));

  app.get('/expenses/:id', {
    schema: { tags, summary: 'One expense with its receipts and decisions', params: idParams, response: { 200: expenseSchema, ...problems(400, 401, 403, 404) } },
  }, (req) => readInTenant(req, (ctx) => detailOf(ctx, req.params.id)));

  app.put('/expenses/:id', {
    schema: { tags, summary: 'Change a draft or rejected expense (it becomes a draft again)', params: idParams, body: updateExpenseBody, response: { 200: expenseSchema, ...problems(400, 401, 403, 404, 409, 415, 422) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => {
    await service.updateExpense(ctx, req.params.id, req.body);
    return { status: 200, body: await detailOf(ctx, req.params.id) };
  }));

  app.delete('/expenses/:id', {
    schema: { tags, summary: 'Delete a draft', params: idParams, response: { 204: z.null(), ...problems(400, 401, 403, 404, 409) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => {
    await service.deleteExpense(ctx, req.params.id);
    return { status: 204, body: null };
  }));

  app.post('/expenses/:id/submit', {
    schema: { tags, summary: 'Submit for approval (missing_receipts when the category needs one); supports Idempotency-Key', params: idParams, response: { 200: expenseSchema, ...problems(400, 401, 403, 404, 409, 422) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => {
    await service.submitExpense(ctx, req.params.id);
    return { status: 200, body: await detailOf(ctx, req.params.id) };
  }));

  app.post('/expenses/:id/approve', {
    schema: { tags, summary: 'Approve (within your approval limit; not your own)', params: idParams, body: approveBody, response: { 200: expenseSchema, ...problems(400, 401, 403, 404, 409, 415, 422) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => {
    await approvals.approveExpense(ctx, req.params.id, req.body.note);
    return { status: 200, body: await detailOf(ctx, req.params.id) };
  }));

  app.post('/expenses/:id/reject', {
    schema: { tags, summary: 'Reject with a reason (within your approval limit; not your own)', params: idParams, body: rejectBody, response: { 200: expenseSchema, ...problems(400, 401, 403, 404, 409, 415, 422) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => {
    await approvals.rejectExpense(ctx, req.params.id, req.body.reason);
    return { status: 200, body: await detailOf(ctx, req.params.id) };
  }));

  // ----- receipts ------------------------------------------------------------------------------
  app.post('/expenses/:id/receipts', {
    schema: {
      tags, summary: 'Add a receipt (multipart field "file": JPEG, PNG, HEIC or PDF ≤ 10 MB, checked by content); photos are re-encoded without EXIF/GPS, a thumbnail made and OCR suggests amount, date and merchant',
      params: idParams, consumes: ['multipart/form-data'], response: { 201: receiptUploadSchema, ...problems(400, 401, 403, 404, 409, 413, 415) },
    },
  }, async (req, reply) => {
    const actor = requireActor(req);
    // Nothing is received for an expense the caller cannot add to.
    await readInTenant(req, (ctx) => receipts.checkCanAddReceipt(ctx, req.params.id));
    if (!req.isMultipart()) throw new AppError('unsupported_media_type', 'Send the receipt as multipart/form-data with a "file" part');
    const part = await req.file();
    if (!part || part.fieldname !== 'file') throw new AppError('validation_error', 'No receipt in the request', [{ field: 'body.file', message: 'Required' }]);
    const upload = await receiveUpload(storage, part, actor.organizationId, receipts.RECEIPT_MAX_BYTES, receipts.RECEIPT_KINDS);
    const prepared = await receipts.prepareReceipt(storage, actor.organizationId, upload);
    const keys = [prepared.main.key, ...(prepared.thumbnail ? [prepared.thumbnail.key] : [])];
    try {
      const body = await mutateInTenant(req, reply, async (ctx) => {
        const receiptId = await receipts.addReceipt(ctx, storage, req.params.id, prepared);
        const expense = await detailOf(ctx, req.params.id);
        return { status: 201, body: { receipt: expense.receipts!.find((r) => r.id === receiptId)!, expense } };
      }, { fingerprint: `${upload.sha256}:${upload.name}` });
      if (reply.getHeader('idempotent-replayed') === 'true') await Promise.all(keys.map((k) => storage.delete(k)));
      return body;
    } catch (err) {
      await Promise.all(keys.map((k) => storage.delete(k)));
      throw err;
    }
  });

  app.get('/expenses/:id/receipts/:receiptId/download', {
    schema: {
      tags, summary: 'A 15-minute signed link to a receipt or its thumbnail (whoever may see the expense)',
      params: idParams.extend({ receiptId: z.uuid() }), querystring: receiptLinkQuery, response: { 200: z.object({ url: z.string(), expires_at: z.string() }), ...problems(400, 401, 403, 404) },
    },
  }, (req) => readInTenant(req, (ctx) => receipts.receiptLink(ctx, req.params.id, req.params.receiptId, req.query.variant, signingSecret, config.publicUrl)));

  app.delete('/expenses/:id/receipts/:receiptId', {
    schema: { tags, summary: 'Remove a receipt from a draft or rejected expense', params: idParams.extend({ receiptId: z.uuid() }), response: { 204: z.null(), ...problems(400, 401, 403, 404, 409) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => {
    await receipts.removeReceipt(ctx, req.params.id, req.params.receiptId);
    return { status: 204, body: null };
  }));

  // ----- payment batches -----------------------------------------------------------------------
  app.post('/payment-batches', {
    schema: { tags, summary: 'Put approved expenses into a payment batch (approved → processing)', body: createBatchBody, response: { 201: batchSchema, ...problems(400, 401, 403, 404, 409, 415, 422) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 201, body: presentBatch(await payments.getBatch(ctx, await payments.createBatch(ctx, req.body.expense_ids))) })));

  app.get('/payment-batches', {
    schema: { tags, summary: 'Payment batches, newest first', querystring: z.strictObject(pageQuery), response: { 200: batchListSchema, ...problems(400, 401, 403) } },
  }, (req) => readInTenant(req, async (ctx) => {
    const page = await payments.listBatches(ctx, req.query);
    return { data: page.data.map(presentBatch), pagination: page.pagination };
  }));

  app.post('/payment-batches/:id/paid', {
    schema: { tags, summary: 'The bank has paid the batch: its expenses become paid', params: idParams, response: { 200: batchSchema, ...problems(400, 401, 403, 404, 409) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => {
    await payments.markBatchPaid(ctx, req.params.id);
    return { status: 200, body: presentBatch(await payments.getBatch(ctx, req.params.id)) };
  }));

  app.get('/payment-batches/:id/export', {
    schema: {
      tags, summary: 'The bank file of a batch (CSV, one payment per person, formula-safe); bank_details=true adds each payee\'s account (roles that may read bank accounts; each read audited)',
      params: idParams, querystring: batchExportQuery, produces: ['text/csv'], response: { ...problems(400, 401, 403, 404) },
    },
  }, async (req, reply) => sendCsv(reply, await readInTenant(req, (ctx) => payments.batchCsv(ctx, req.params.id, req.query.bank_details ? { cipher: app.services.fieldCipher } : undefined))));
};
