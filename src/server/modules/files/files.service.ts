import type { MultipartFile } from '@fastify/multipart';
import { can } from '../../auth/policy.js';
import type { RequestContext } from '../../http/context.js';
import { AppError, notFound } from '../../http/errors.js';
import { detectKind, FILE_KINDS, safeFileName, type FileKind } from '../../files/content-type.js';
import { signDownload, SIGNED_URL_TTL_SECONDS } from '../../files/signed-url.js';
import { FileTooLargeError, type FileStorage } from '../../files/storage.js';
import type { StoredFile } from '../../db/schema.js';

const GENERAL_KINDS: readonly FileKind[] = ['pdf', 'docx', 'jpg', 'png', 'heic'];

function formatBytes(n: number): string {
  return n >= 1_048_576 ? `${(n / 1_048_576).toFixed(1).replace(/\.0$/, '')} MB` : `${Math.ceil(n / 1024)} kB`;
}

export interface ReceivedUpload {
  key: string;
  kind: FileKind;
  name: string;
  sizeBytes: number;
  sha256: string;
}

/**
 * Streams an upload to storage (hashing and counting on the way) before any transaction opens,
 * then checks its real type from its first bytes. Anything refused leaves no bytes behind.
 */
export async function receiveUpload(storage: FileStorage, part: MultipartFile, organizationId: string, maxBytes: number, allowed = GENERAL_KINDS): Promise<ReceivedUpload> {
  let stored;
  try {
    stored = await storage.put(part.file, { organizationId, maxBytes });
  } catch (err) {
    if (err instanceof FileTooLargeError || (err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new AppError('file_too_large', `Files may be at most ${formatBytes(maxBytes)}`);
    }
    throw err;
  }
  const kind = await detectKind(stored.head, allowed);
  if (!kind) {
    await storage.delete(stored.key);
    throw new AppError('invalid_file_type', `Allowed types: ${allowed.join(', ')} (checked by content, not by name)`);
  }
  return { key: stored.key, kind, name: safeFileName(part.filename, kind), sizeBytes: stored.sizeBytes, sha256: stored.sha256 };
}

/** Records a received upload in the catalogue, audited in the same transaction. */
export async function recordUpload(ctx: RequestContext, storage: FileStorage, upload: ReceivedUpload, purpose = 'attachment'): Promise<StoredFile> {
  const file = await ctx.trx.insertInto('files').values({
    organization_id: ctx.organizationId,
    storage_provider: storage.provider,
    storage_key: upload.key,
    original_name: upload.name,
    content_type: FILE_KINDS[upload.kind].mime,
    size_bytes: upload.sizeBytes,
    sha256: upload.sha256,
    uploaded_by: ctx.actor.userId,
    purpose,
  }).returningAll().executeTakeFirstOrThrow();
  await ctx.audit({ entityType: 'file', entityId: file.id, action: 'create', after: { name: file.original_name, content_type: file.content_type, size_bytes: file.size_bytes, sha256: file.sha256 } });
  return file;
}

/** Uploaders see their own files; managers see all of the organization's. */
export async function getFile(ctx: RequestContext, id: string): Promise<StoredFile> {
  const file = await ctx.trx.selectFrom('files').selectAll()
    .where('organization_id', '=', ctx.organizationId).where('id', '=', id).where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!file || !can(ctx.actor, 'files:read', { ownerId: file.uploaded_by })) throw notFound('File');
  return file;
}

export async function createDownloadLink(ctx: RequestContext, id: string, secret: string, publicUrl: string) {
  const file = await getFile(ctx, id);
  const expiresAt = Math.floor(Date.now() / 1000) + SIGNED_URL_TTL_SECONDS;
  const token = signDownload(secret, { fileId: file.id, organizationId: ctx.organizationId, expiresAt });
  await ctx.audit({ entityType: 'file', entityId: file.id, action: 'file.download_link' });
  return { url: `${publicUrl}/api/v1/files/download/${token}`, expires_at: new Date(expiresAt * 1000).toISOString() };
}
