import { jsonSchemaTransformObject } from 'fastify-type-provider-zod';

type Operation = {
  security?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, { description?: string; content?: Record<string, unknown> }>;
};
type Document = { paths?: Record<string, Record<string, Operation>>; security?: unknown[] };

const descriptions: Record<string, string> = {
  '400': 'Invalid request (validation_error, malformed_json, invalid_cursor…)',
  '401': 'Missing or invalid access token',
  '403': 'The role may not do this',
  '404': 'Not found (also for other organizations\' ids)',
  '405': 'Method not allowed',
  '409': 'Conflicts with the current state, or an Idempotency-Key still in flight',
  '410': 'Link expired',
  '413': 'Body or file too large',
  '415': 'Unsupported content type',
  '422': 'Idempotency-Key reused with another body, or unprocessable',
  '429': 'Rate limit reached; see Retry-After',
  '500': 'Unexpected server error (quote the request id)',
  '503': 'A dependency (database) is unavailable',
};

const problemRef = { $ref: '#/components/schemas/Problem' };

/**
 * Finishes the generated document: every error answer is `application/problem+json` with the
 * Problem schema, and the answers any operation can give (401 for protected routes, 413/415 for
 * routes with a body, 429, 500) are listed even when a route does not name them.
 */
export const transformObject: typeof jsonSchemaTransformObject = (input) => {
  const doc = jsonSchemaTransformObject(input) as Document;
  for (const methods of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(methods)) {
      const responses = (op.responses ??= {});
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      const standard = ['429', '500', ...(isPublic ? [] : ['401']), ...(op.requestBody ? ['400', '413', '415'] : [])];
      for (const status of standard) responses[status] ??= {};
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) < 400) continue;
        const schema = (response.content?.['application/json'] as { schema?: unknown } | undefined)?.schema ?? problemRef;
        response.description = descriptions[status] ?? response.description ?? 'Error';
        response.content = { 'application/problem+json': { schema } };
      }
    }
  }
  return doc as ReturnType<typeof jsonSchemaTransformObject>;
};
