import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { authorize } from '../../auth/policy.js';
import { signDownload, SIGNED_URL_TTL_SECONDS } from '../../files/signed-url.js';
import type { FileStorage } from '../../files/storage.js';
import { processReceiptImage, type ReceiptImageKind } from '../../files/receipt-images.js';
import type { RequestContext } from '../../http/context.js';
import { AppError, notFound } from '../../http/errors.js';
import type { ReceivedUpload } from '../files/files.service.js';
import { getExpense } from './expenses.service.js';
import { ReceiptOcrError, recognizeReceipt } from './ocr.js';

export const RECEIPT_KINDS = ['jpg', 'png', 'heic', 'pdf'] as const;
export const RECEIPT_MAX_BYTES = 10 * 1024 * 1024;

/** The caller's own expense that still takes receipts (draft or rejected); others 404, others' states 409. */
export async function checkCanAddReceipt(ctx: RequestContext, expenseId: string) {
  authorize(ctx.actor, 'expenses:write', { ownerId: ctx.actor.userId });
  const expense = await ctx.trx.selectFrom('expenses').select(['id', 'artist_id', 'status'])
    .where('organization_id', '=', ctx.organizationId).where('id', '=', expenseId).forUpdate().executeTakeFirst();
  if (!expense || expense.artist_id !== ctx.actor.userId) throw notFound('Expense');
  if (expense.status !== 'draft' && expense.status !== 'rejected') throw new AppError('conflict', `Receipts cannot be changed on a ${expense.status} expense`);
}

/**
 * A name made from an already safe one (a new extension, a prefix) kept within the 255 bytes a
 * stored name may have: the stem is shortened by whole code points, the extension kept.
 */
function fitFileName(name: string, maxBytes = 255): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const ext = /\.[A-Za-z0-9]{1,8}$/.exec(name)?.[0] ?? '';
  const stem = Array.from(name.slice(0, name.length - ext.length));
  while (stem.length && Buffer.byteLength(stem.join('') + ext) > maxBytes) stem.pop();
  return stem.join('') + ext;
}

export interface PreparedReceipt {
  /** What is kept: the re-encoded image (no EXIF/GPS), or the PDF as uploaded. */
  main: { key: string; name: string; contentType: string; sizeBytes: number; sha256: string };
  thumbnail: { key: string; sizeBytes: number; sha256: string } | null;
  ocr: Awaited<ReturnType<typeof recognizeReceipt>> | null;
}

/**
 * Turns a received upload into what the portal keeps, outside any transaction: photos are
 * re-encoded without their metadata (the original, GPS and all, is deleted at once), HEIC
 * converted, a thumbnail made and OCR run; PDFs are kept as they are.
 */
export async function prepareReceipt(storage: FileStorage, organizationId: string, upload: ReceivedUpload): Promise<PreparedReceipt> {
  if (upload.kind === 'pdf') {
    // Named for what it is: a PDF sent as "receipt.html" is never saved back as an HTML file.
    const name = fitFileName(`${upload.name.replace(/\.[A-Za-z0-9]+$/, '')}.pdf`);
    return { main: { key: upload.key, name, contentType: 'application/pdf', sizeBytes: upload.sizeBytes, sha256: upload.sha256 }, thumbnail: null, ocr: null };
  }
  const stored: string[] = [];
  try {
    const original = await buffer(storage.get(upload.key));
    await storage.delete(upload.key);
    // Refusals (bombs, corrupt or mislabelled images) are AppErrors with their own 4xx answer.
    const processed = await processReceiptImage(original, upload.kind as ReceiptImageKind);
    const put = async (bytes: Buffer) => {
      const object = await storage.put(Readable.from(bytes), { organizationId, maxBytes: RECEIPT_MAX_BYTES * 4 });
      stored.push(object.key);
      return object;
    };
    const main = await put(processed.image);
    const thumbnail = await put(processed.thumbnail);
    // A receipt OCR cannot read is still a receipt: it is kept without suggestions.
    const ocr = await recognizeReceipt(processed.image).catch((err: unknown) => {
      if (err instanceof ReceiptOcrError) return null;
      throw err;
    });
    const name = fitFileName(`${upload.name.replace(/\.[A-Za-z0-9]+$/, '')}.jpg`);
    return { main: { key: main.key, name, contentType: 'image/jpeg', sizeBytes: main.sizeBytes, sha256: main.sha256 }, thumbnail: { key: thumbnail.key, sizeBytes: thumbnail.sizeBytes, sha256: thumbnail.sha256 }, ocr };
  } catch (err) {
    await Promise.all(stored.map((key) => storage.delete(key)));
    throw err;
  }
}

/** Records a prepared receipt on the expense (checked again inside the transaction). */
export async function addReceipt(ctx: RequestContext, storage: FileStorage, expenseId: string, prepared: PreparedReceipt) {
  await checkCanAddReceipt(ctx, expenseId);
  const file = (f: { key: string; name: string; contentType: string; sizeBytes: number; sha256: string }, purpose: string) =>
    ctx.trx.insertInto('files').values({
      organization_id: ctx.organizationId, storage_provider: storage.provider, storage_key: f.key, original_name: f.name, content_type: f.contentType,
      size_bytes: f.sizeBytes, sha256: f.sha256, uploaded_by: ctx.actor.userId, purpose,
    }).returning('id').executeTakeFirstOrThrow();
  const main = await file(prepared.main, 'receipt');
  const thumbnail = prepared.thumbnail
    ? await file({ ...prepared.thumbnail, name: fitFileName(`thumbnail-${prepared.main.name}`), contentType: 'image/jpeg' }, 'receipt_thumbnail')
    : null;
  const ocr = prepared.ocr;
  const suggestion = ocr ? { amount: ocr.amount, date: ocr.date, merchant: ocr.merchant, currency: ocr.currency ?? null } : null;
  const receipt = await ctx.trx.insertInto('expense_receipts').values({
    organization_id: ctx.organizationId, expense_id: expenseId, file_id: main.id, thumbnail_file_id: thumbnail?.id ?? null,
    ocr: suggestion ? JSON.stringify({ ...suggestion, text: ocr?.text.slice(0, 5000) ?? '' }) : null,
    ocr_confidence: ocr ? ocr.confidence.toFixed(2) : null, needs_review: ocr ? ocr.needs_review : false, created_by: ctx.actor.userId,
  }).returning('id').executeTakeFirstOrThrow();
  await ctx.audit({ entityType: 'expense', entityId: expenseId, action: 'expense.receipt_added', after: { receipt_id: receipt.id, sha256: prepared.main.sha256, content_type: prepared.main.contentType, ocr_confidence: ocr?.confidence ?? null } });
  return receipt.id;
}

export async function removeReceipt(ctx: RequestContext, expenseId: string, receiptId: string) {
  await checkCanAddReceipt(ctx, expenseId);
  const receipt = await ctx.trx.deleteFrom('expense_receipts').where('organization_id', '=', ctx.organizationId).where('expense_id', '=', expenseId).where('id', '=', receiptId)
    .returning(['id', 'file_id']).executeTakeFirst();
  if (!receipt) throw notFound('Receipt');
  await ctx.audit({ entityType: 'expense', entityId: expenseId, action: 'expense.receipt_removed', before: { receipt_id: receiptId, file_id: receipt.file_id } });
}

/** A 15-minute link to a receipt (or its thumbnail) for whoever may see the expense. */
export async function receiptLink(ctx: RequestContext, expenseId: string, receiptId: string, variant: 'image' | 'thumbnail', secret: string, publicUrl: string) {
  const { receipts } = await getExpense(ctx, expenseId);
  const receipt = receipts.find((r) => r.id === receiptId);
  if (!receipt) throw notFound('Receipt');
  const fileId = variant === 'thumbnail' ? receipt.thumbnail_file_id ?? receipt.file_id : receipt.file_id;
  const expiresAt = Math.floor(Date.now() / 1000) + SIGNED_URL_TTL_SECONDS;
  const token = signDownload(secret, { fileId, organizationId: ctx.organizationId, expiresAt });
  return { url: `${publicUrl}/api/v1/files/download/${token}`, expires_at: new Date(expiresAt * 1000).toISOString() };
}
