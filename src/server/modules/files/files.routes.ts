import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { mutateInTenant, readInTenant, requireActor } from '../../http/context.js';
import { AppError } from '../../http/errors.js';
import { idParams, problems } from '../../http/schemas.js';
import { withTenant } from '../../db/tenant.js';
import { contentDisposition, FILE_KINDS, type FileKind } from '../../files/content-type.js';
import { verifyDownload } from '../../files/signed-url.js';
import type { StoredFile } from '../../db/schema.js';
import { downloadLinkSchema, fileSchema, tokenParams } from './files.schemas.js';
import * as service from './files.service.js';

function presentFile(f: StoredFile) {
  return {
    id: f.id,
    name: f.original_name,
    content_type: f.content_type,
    size_bytes: f.size_bytes,
    sha256: f.sha256,
    purpose: f.purpose,
    uploaded_by: f.uploaded_by,
    created_at: f.created_at.toISOString(),
  };
}

export const filesRoutes: FastifyPluginAsyncZod = async (app) => {
  const { storage, config, signingSecret } = app.services;

  app.post('/files', {
    schema: {
      tags: ['files'],
      summary: 'Upload one file (multipart field "file"): PDF, DOCX, JPEG, PNG or HEIC',
      consumes: ['multipart/form-data'],
      response: { 201: fileSchema, ...problems(400, 401, 413, 415) },
    },
  }, async (req, reply) => {
    const actor = requireActor(req);
    if (!req.isMultipart()) throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data');
    const part = await req.file();
    if (!part) throw new AppError('validation_error', 'No file in the request', [{ field: 'body.file', message: 'Required' }]);
    const upload = await service.receiveUpload(storage, part, actor.organizationId, config.FILE_MAX_BYTES);
    try {
      const body = await mutateInTenant(req, reply, async (ctx) => ({ status: 201, body: presentFile(await service.recordUpload(ctx, storage, upload)) }), {
        // Same key with other bytes is another request.
        fingerprint: `${upload.sha256}:${upload.name}`,
      });
      // A replay answers the first upload's record; these bytes were received again for nothing.
      if (reply.getHeader('idempotent-replayed') === 'true') await storage.delete(upload.key);
      return body;
    } catch (err) {
      await storage.delete(upload.key);
      throw err;
    }
  });

  app.get('/files/:id', {
    schema: { tags: ['files'], summary: 'File metadata', params: idParams, response: { 200: fileSchema, ...problems(400, 401, 404) } },
  }, (req) => readInTenant(req, async (ctx) => presentFile(await service.getFile(ctx, req.params.id))));

  app.get('/files/:id/download', {
    schema: { tags: ['files'], summary: 'A signed download link valid for 15 minutes', params: idParams, response: { 200: downloadLinkSchema, ...problems(400, 401, 404) } },
  }, (req) => readInTenant(req, (ctx) => service.createDownloadLink(ctx, req.params.id, signingSecret, config.publicUrl)));

  app.get('/files/download/:token', {
    config: { public: true },
    schema: { tags: ['files'], summary: 'Fetch a file through a signed link', security: [], params: tokenParams, response: { ...problems(400, 404, 410) } },
  }, async (req, reply) => {
    const check = verifyDownload(signingSecret, req.params.token);
    if (!check.ok) throw check.reason === 'expired' ? new AppError('link_expired', 'This download link has expired; ask for a new one') : new AppError('not_found', 'File not found');
    const { fileId, organizationId } = check.target;
    const file = await withTenant(app.services.database.db, { organizationId }, (trx) =>
      trx.selectFrom('files').selectAll().where('id', '=', fileId).where('organization_id', '=', organizationId).where('deleted_at', 'is', null).executeTakeFirst());
    if (!file) throw new AppError('not_found', 'File not found');
    const kind = (Object.keys(FILE_KINDS) as FileKind[]).find((k) => FILE_KINDS[k].mime === file.content_type) ?? 'docx';
    return reply
      .header('content-type', file.content_type)
      .header('content-length', String(file.size_bytes))
      .header('content-disposition', contentDisposition(kind, file.original_name))
      .header('content-security-policy', "default-src 'none'; sandbox; frame-ancestors 'none'")
      .header('cache-control', 'private, no-store')
      .send(storage.get(file.storage_key) as never);
  });
};
