import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { allowedActions, can } from '../../auth/policy.js';
import type { Actor } from '../../auth/tokens.js';
import { mutateInTenant, readInTenant, requireActor } from '../../http/context.js';
import { AppError } from '../../http/errors.js';
import { idParams, problems } from '../../http/schemas.js';
import { downloadLinkSchema } from '../files/files.schemas.js';
import { receiveUpload, type ReceivedUpload } from '../files/files.service.js';
import type { ContractRow } from './contracts.queries.js';
import {
  assignBody, assignResultSchema, contractDataSchema, downloadQuery, contractListSchema, contractSchema, contractStatusSchema, declineBody, declineResultSchema,
  listContractsQuery, signBody, signedDocumentQuery, signingCertificateBody, signingCertificateSchema, signResultSchema, versionDataSchema,
} from './contracts.schemas.js';
import * as assignments from './assignments.service.js';
import * as service from './contracts.service.js';
import * as signing from './signing.service.js';
import { receiveConnectDelivery } from './signature-webhook.js';
import type { SignatureProvider } from './signing/provider.js';

type Versions = Awaited<ReturnType<typeof service.getContract>>['versions'];

/** The viewer's own assignment to the contract, from the row's `my_*` columns. */
function presentMyAssignment(c: ContractRow, signingProvider: SignatureProvider['name']) {
  if (!c.my_id || !c.my_status || c.my_version_assigned === null) return null;
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  const needsResigning = assignments.needsResigning({ status: c.my_status, signed_version: c.my_signed_version }, c.current_version);
  return {
    id: c.my_id, status: c.my_status, message: c.my_message, version_assigned: c.my_version_assigned, signed_version: c.my_signed_version, needs_resigning: needsResigning,
    viewed_at: iso(c.my_viewed_at), signed_at: iso(c.my_signed_at), declined_at: iso(c.my_declined_at), decline_reason: c.my_decline_reason,
    can_sign: ['pending', 'sent', 'viewed'].includes(c.my_status) || needsResigning,
    signing_provider: signingProvider,
  };
}

function presentContract(c: ContractRow, actor: Actor, signingProvider: SignatureProvider['name'], versions?: Versions) {
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    production: c.production_id ? { id: c.production_id, name: c.production_name ?? '' } : null,
    status: c.status,
    current_version: c.current_version,
    terms: c.terms,
    tags: c.tags,
    metadata: c.metadata,
    created_at: c.created_at.toISOString(),
    updated_at: c.updated_at.toISOString(),
    signing_deadline: c.signing_deadline,
    reminder_every_days: c.reminder_every_days,
    my_assignment: presentMyAssignment(c, signingProvider),
    // How far signing has got: for those who see every assignment.
    signatures: can(actor, 'contracts:read', { ownerId: null }) ? { assigned: c.assigned_count, signed: c.signed_count, declined: c.declined_count } : null,
    ...(versions ? {
      versions: versions.map((v) => ({
        version: v.version, change_summary: v.change_summary, created_by: v.created_by, created_at: v.created_at.toISOString(),
        file: { id: v.file_id, name: v.original_name, content_type: v.content_type, size_bytes: v.size_bytes, sha256: v.sha256 },
        pdf_rendition: { status: v.conversion_status ?? ('not_needed' as const), error: v.conversion_error },
      })),
    } : {}),
    allowed_actions: allowedActions(actor, ['contracts:write', 'contracts:assign', 'contracts:delete']),
  };
}

/** Validation problems of a JSON part, named like body fields (`body.terms.end_date`). */
function parseJsonPart<T>(schema: z.ZodType<T>, raw: string): T {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AppError('malformed_json', 'The "data" part is not valid JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError('validation_error', 'The contract details are invalid', parsed.error.issues.map((i) => ({ field: ['body', ...i.path.map(String)].join('.'), message: i.message })));
  }
  return parsed.data;
}

/**
 * Reads a multipart upload whose `data` part (JSON) comes before its `file` part, streaming the
 * file to storage only after the details parsed; PDF or DOCX, checked by content.
 */
async function readUpload<T>(req: FastifyRequest, schema: z.ZodType<T>, maxBytes: number): Promise<{ data: T; upload: ReceivedUpload }> {
  if (!req.isMultipart()) throw new AppError('unsupported_media_type', 'Send multipart/form-data with a "data" part (JSON) and then a "file" part');
  const actor = requireActor(req);
  let data: T | undefined;
  let upload: ReceivedUpload | undefined;
  for await (const part of req.parts()) {
    if (part.type === 'field') {
      if (part.fieldname === 'data' && typeof part.value === 'string') data = parseJsonPart(schema, part.value);
      continue;
    }
    const file = part as MultipartFile;
    if (file.fieldname !== 'file' || upload) {
      file.file.resume();
      continue;
    }
    if (data === undefined) {
      file.file.resume();
      throw new AppError('validation_error', 'Send the "data" part before the "file" part', [{ field: 'body.data', message: 'Required before the file' }]);
    }
    upload = await receiveUpload(req.server.services.storage, file, actor.organizationId, maxBytes, ['pdf', 'docx']);
  }
  if (data === undefined) throw new AppError('validation_error', 'The "data" part is missing', [{ field: 'body.data', message: 'Required' }]);
  if (!upload) throw new AppError('validation_error', 'The document is missing', [{ field: 'body.file', message: 'Required (PDF or DOCX)' }]);
  return { data, upload };
}

export const contractsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { storage, config, signingSecret, fieldCipher, signatureProvider } = app.services;
  const tags = ['contracts'];

  /** Uploads by people who may not write are refused before a byte is stored. */
  const mayWrite = (req: FastifyRequest) => {
    if (!can(requireActor(req), 'contracts:write')) throw new AppError('forbidden', 'Only administrators upload contracts');
  };

  app.post('/contracts', {
    schema: {
      tags, summary: 'Upload a contract (multipart: "data" JSON with title, description, production_id, terms, tags, metadata; then "file": PDF or DOCX ≤ 50 MB)',
      consumes: ['multipart/form-data'], response: { 201: contractSchema, ...problems(400, 401, 403, 404, 413, 415, 422) },
    },
  }, async (req, reply) => {
    mayWrite(req);
    const { data, upload } = await readUpload(req, contractDataSchema, config.FILE_MAX_BYTES);
    try {
      return await mutateInTenant(req, reply, async (ctx) => {
        const id = await service.createContract(ctx, storage, data, upload);
        const { contract, versions } = await service.getContract(ctx, id);
        return { status: 201, body: presentContract(contract, ctx.actor, signatureProvider.name, versions) };
      }, { fingerprint: `${upload.sha256}:${JSON.stringify(data)}` });
    } catch (err) {
      await storage.delete(upload.key);
      throw err;
    }
  });

  app.post('/contracts/:id/versions', {
    schema: {
      tags, summary: 'Add a new version of the document (multipart: "data" JSON with change_summary, then "file")',
      params: idParams, consumes: ['multipart/form-data'], response: { 201: contractSchema, ...problems(400, 401, 403, 404, 409, 413, 415) },
    },
  }, async (req, reply) => {
    mayWrite(req);
    const { data, upload } = await readUpload(req, versionDataSchema, config.FILE_MAX_BYTES);
    try {
      return await mutateInTenant(req, reply, async (ctx) => {
        await service.addVersion(ctx, storage, req.params.id, data.change_summary, upload);
        const { contract, versions } = await service.getContract(ctx, req.params.id);
        return { status: 201, body: presentContract(contract, ctx.actor, signatureProvider.name, versions) };
      }, { fingerprint: `${upload.sha256}:${data.change_summary}` });
    } catch (err) {
      await storage.delete(upload.key);
      throw err;
    }
  });

  app.get('/contracts', {
    schema: { tags, summary: 'Contracts, newest first, by status, production, tag, words and dates', querystring: listContractsQuery, response: { 200: contractListSchema, ...problems(400, 401, 403) } },
  }, (req) => readInTenant(req, async (ctx) => {
    const page = await service.listContracts(ctx, req.query);
    return { data: page.data.map((c) => presentContract(c, ctx.actor, signatureProvider.name)), pagination: page.pagination };
  }));

  app.get('/contracts/:id', {
    schema: { tags, summary: 'One contract with its versions', params: idParams, response: { 200: contractSchema, ...problems(400, 401, 403, 404) } },
  }, (req) => readInTenant(req, async (ctx) => {
    const { contract, versions } = await service.getContract(ctx, req.params.id);
    return presentContract(contract, ctx.actor, signatureProvider.name, versions);
  }));

  app.post('/contracts/:id/assign', {
    schema: {
      tags, summary: 'Assign the contract to many people at once (admins); answers per person; supports Idempotency-Key',
      params: idParams, body: assignBody, response: { 200: assignResultSchema, ...problems(400, 401, 403, 404, 409, 415, 422) },
    },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: await assignments.assign(ctx, req.params.id, req.body) })));

  app.get('/contracts/:id/status', {
    schema: { tags, summary: 'Signature status per assignment (admins)', params: idParams, response: { 200: contractStatusSchema, ...problems(400, 401, 403, 404) } },
  }, (req) => readInTenant(req, (ctx) => assignments.signatureStatus(ctx, req.params.id)));

  app.get('/contracts/:id/download', {
    schema: {
      tags, summary: 'A 15-minute signed link to the current version: as uploaded, or format=pdf for the PDF to read (the rendition of a Word document; 409 document_not_ready until it exists)',
      params: idParams, querystring: downloadQuery, response: { 200: downloadLinkSchema.extend({ version: z.number().int() }), ...problems(400, 401, 403, 404, 409) },
    },
    // Opening the document records the assigned person's first view, so it is a change.
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: await service.downloadLink(ctx, req.params.id, req.query.format, signingSecret, config.publicUrl) })));

  app.post('/contracts/:id/sign', {
    schema: {
      tags, summary: `Sign the current version (the assigned person): explicit consent ("${signing.CONSENT_TEXT}") and, with the built-in provider, a typed or drawn signature — answered once the signed PDF (certificate page + PAdES signature) is stored. With DocuSign: consent only, answered with the URL of DocuSign's signing page`,
      params: idParams, body: signBody, response: { 200: signResultSchema, ...problems(400, 401, 403, 404, 409, 415, 422, 502) },
    },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({
    status: 200,
    body: await signing.signContract(ctx, storage, signatureProvider, req.params.id, req.body, {
      ip: req.ip, userAgent: req.headers['user-agent'] ?? '', returnUrl: `${config.publicUrl}/contracts/${req.params.id}?signing=docusign`,
    }),
  })));

  // DocuSign Connect: the HMAC covers the exact bytes sent, so this route reads its body raw.
  await app.register(async (webhook) => {
    webhook.removeContentTypeParser('application/json');
    webhook.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    webhook.post('/integrations/docusign/connect', {
      config: { public: true },
      schema: {
        tags, summary: 'DocuSign Connect deliveries (JSON, HMAC-signed in X-DocuSign-Signature-1): completed, declined and voided envelopes settle their assignment', security: [],
        response: { 200: z.object({ accepted: z.boolean(), reason: z.string() }), ...problems(400, 401, 404, 415) },
      },
    }, async (req) => {
      if (!Buffer.isBuffer(req.body)) throw new AppError('unsupported_media_type', 'Send the delivery as application/json');
      return receiveConnectDelivery(app.services, req.body, req.headers);
    });
  });

  app.post('/contracts/:id/decline', {
    schema: { tags, summary: 'Decline to sign, with a reason (the assigned person)', params: idParams, body: declineBody, response: { 200: declineResultSchema, ...problems(400, 401, 403, 404, 409, 415, 422) } },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: await signing.declineContract(ctx, req.params.id, req.body) })));

  app.get('/admin/signing-certificate', {
    schema: { tags, summary: "The organization's document-signing certificate (administrators)", response: { 200: signingCertificateSchema, ...problems(401, 403) } },
  }, (req) => readInTenant(req, (ctx) => signing.getSigningCertificate(ctx)));

  app.put('/admin/signing-certificate', {
    schema: {
      tags, summary: 'Use your own document-signing certificate (e.g. issued by a CA) instead of the generated one',
      body: signingCertificateBody, response: { 200: signingCertificateSchema, ...problems(400, 401, 403, 415, 422) },
    },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({ status: 200, body: await signing.uploadSigningCertificate(ctx, fieldCipher, req.body) })));

  app.get('/contracts/:id/signed-document', {
    schema: {
      tags, summary: 'A 15-minute signed link to a signed PDF: your own, or (administrators) an assignment\'s',
      params: idParams, querystring: signedDocumentQuery, response: { 200: downloadLinkSchema.extend({ version: z.number().int() }), ...problems(400, 401, 403, 404) },
    },
  }, (req, reply) => mutateInTenant(req, reply, async (ctx) => ({
    status: 200, body: await signing.signedDocumentLink(ctx, req.params.id, req.query.assignment_id, signingSecret, config.publicUrl),
  })));
};
