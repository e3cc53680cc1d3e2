import { z } from 'zod';

/** Zod building blocks shared by every module: they validate requests and document them. */

/** Free text: trimmed, bounded, no control characters that PostgreSQL or terminals choke on. */
export const text = (max: number) =>
  z.string().trim().max(max).refine((v) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(v), 'Must not contain control characters');

export const uuid = z.uuid({ version: 'v4' }).or(z.uuid());

export const idParams = z.strictObject({ id: z.uuid().describe('Identifier (UUID)') });

export const problemSchema = z
  .object({
    type: z.string().describe('Machine-readable error code, e.g. validation_error'),
    title: z.string().describe('Short human summary of the error type'),
    status: z.number().int().describe('HTTP status code'),
    detail: z.string().describe('Explanation of this occurrence'),
    instance: z.string().describe('Request path'),
    request_id: z.string().describe('Id to quote when reporting the problem'),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional().describe('Per-field problems'),
    retry_after: z.number().int().optional().describe('Seconds to wait before trying again (429)'),
  })
  .meta({ id: 'Problem' });

/** `?status=a,b` → ['a','b'], each checked against `values`. */
export function csvEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z
    .string()
    .max(500)
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)).min(1).max(values.length))
    .describe(`Comma-separated list of: ${values.join(', ')}`);
}

export const searchQuery = text(200).pipe(z.string().min(1)).describe('Full-text search');

const isoDateTime = z.iso.datetime({ offset: true }).or(z.iso.date());

/** `?created_after=…&created_before=…` (ISO date or date-time). */
export const dateRange = {
  created_after: isoDateTime.optional().describe('Only items created at or after this instant (ISO 8601)'),
  created_before: isoDateTime.optional().describe('Only items created before this instant (ISO 8601)'),
};

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(25).describe('Page size (1–100)'),
  cursor: z.string().max(500).optional().describe('Opaque cursor from pagination.next_cursor'),
};

export const paginationSchema = z.object({
  next_cursor: z.string().nullable().describe('Pass as ?cursor= to get the next page; null on the last page'),
  has_more: z.boolean(),
});

export function listResponse<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), pagination: paginationSchema });
}

/** Standard error responses for a route's OpenAPI entry. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(statuses.map((s) => [s, problemSchema])) as Record<number, typeof problemSchema>;
}
