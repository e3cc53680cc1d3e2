import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type FieldError } from './errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  request_id: string;
  errors?: FieldError[];
  retry_after?: number;
}

export function sendProblem(req: FastifyRequest, reply: FastifyReply, err: AppError) {
  const body: Problem = {
    type: err.code,
    title: err.title,
    status: err.status,
    detail: err.detail ?? err.title,
    instance: req.url.split('?')[0] ?? req.url,
    request_id: req.id,
  };
  if (err.errors?.length) body.errors = err.errors;
  if (err.extensions?.retry_after !== undefined) body.retry_after = err.extensions.retry_after;
  if (err.headers) void reply.headers(err.headers);
  return reply.code(err.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

/** SQLSTATE classes that mean "your input was wrong" rather than "we broke". */
const sqlStateToError: Record<string, AppError> = {
  '23505': new AppError('conflict', 'A record with these values already exists'),
  '23503': new AppError('unprocessable', 'A referenced record does not exist'),
  '23514': new AppError('validation_error', 'A value is outside its allowed range'),
  '23502': new AppError('validation_error', 'A required value is missing'),
  '22P02': new AppError('validation_error', 'A value has the wrong format'),
  '22003': new AppError('validation_error', 'A number is out of range'),
  '22001': new AppError('validation_error', 'A value is too long'),
  '22007': new AppError('validation_error', 'A date or time has the wrong format'),
  '22008': new AppError('validation_error', 'A date or time is out of range'),
  '22021': new AppError('invalid_characters', 'A value contains invalid characters'),
  '22P05': new AppError('invalid_characters', 'A value contains invalid characters'),
  '40001': new AppError('conflict', 'Concurrent update, please retry'),
  '40P01': new AppError('conflict', 'Concurrent update, please retry'),
  '55P03': new AppError('conflict', 'The record is locked by another request'),
  '57014': new AppError('service_unavailable', 'The database took too long to answer'),
};

const unavailableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '53300']);

/** Turns anything thrown during a request into a problem; unknown errors become a bare 500. */
export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  const err = error as FastifyError & { code?: string; statusCode?: number; message?: string };
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'body';
    return new AppError(
      'validation_error',
      'The request contains invalid fields',
      err.validation.map((v) => {
        const issue = v.params?.issue as { path?: PropertyKey[] } | undefined;
        const path = issue?.path?.map(String).join('.') || v.instancePath.replace(/^\//, '').replaceAll('/', '.');
        return { field: path ? `${where}.${path}` : where, message: v.message ?? 'Invalid value' };
      }),
    );
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Send application/json (or multipart/form-data for uploads)');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'The request body exceeds the allowed size');
    case 'FST_REQ_FILE_TOO_LARGE':
      return new AppError('file_too_large', 'The file exceeds the allowed size');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('malformed_json', 'The body is empty but declared as JSON');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('malformed_json', 'The body is not valid JSON');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError('unsupported_media_type', 'Send the file as multipart/form-data');
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AppError('payload_too_large', 'Too many parts in the upload');
  }
  if (err.code && sqlStateToError[err.code]) return sqlStateToError[err.code] ?? null;
  if (err.code && unavailableCodes.has(err.code)) return new AppError('service_unavailable');
  if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(err.message ?? '')) {
    return new AppError('service_unavailable');
  }
  if (err instanceof SyntaxError || err.statusCode === 400) {
    return new AppError('malformed_json', 'The body could not be parsed');
  }
  if (err.statusCode === 413) return new AppError('payload_too_large');
  if (err.statusCode === 415) return new AppError('unsupported_media_type');
  return null;
}

/** Installs the error handler and a not-found handler that tells 404 from 405. */
export function registerProblemHandlers(app: FastifyInstance) {
  const known = FindMyWay({ ignoreTrailingSlash: true });
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || route.url === '/*') continue; // the web app's catch-all is not an API route
      try {
        known.on(method as HTTPMethod, route.url, () => undefined);
      } catch {
        // The same path registered twice by HEAD/GET shortcuts; the first entry is enough.
      }
    }
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const allowed = (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).filter(
      (m) => m !== req.method && known.find(m, path) !== null,
    );
    if (allowed.length) {
      return sendProblem(req, reply, new AppError('method_not_allowed', `${req.method} is not allowed here`, undefined, { allow: allowed.join(', ') }));
    }
    return sendProblem(req, reply, new AppError('route_not_found', `${req.method} ${path} does not exist`));
  });

  app.setErrorHandler((error, req, reply) => {
    const known = toAppError(error);
    if (known) {
      if (known.status >= 500) req.log.warn({ err: error }, known.code);
      return sendProblem(req, reply, known);
    }
    // Everything else is our fault: log it whole, answer without stack, SQL or message.
    req.log.error({ err: error }, 'unhandled error');
    return sendProblem(req, reply, new AppError('internal_error', `Something went wrong on our side. Quote request id ${req.id} when reporting it.`));
  });
}
