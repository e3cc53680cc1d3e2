import type { SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import { AppError } from './errors.js';

/**
 * Keyset (cursor) pagination over (created_at, id) descending: stable under inserts and as fast
 * on page 1,000 as on page 1. The cursor is opaque to clients (base64url JSON).
 */
const cursorSchema = z.object({ t: z.iso.datetime(), id: z.uuid() });

export interface Cursor {
  t: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(raw: string | undefined): Cursor | null {
  if (!raw) return null;
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
  } catch {
    throw new AppError('invalid_cursor', 'The cursor is not one this API issued', [{ field: 'query.cursor', message: 'Invalid cursor' }]);
  }
}

export interface Page<T> {
  data: T[];
  pagination: { next_cursor: string | null; has_more: boolean };
}

/**
 * Applies the cursor and limit to a query ordered newest first. `createdCol`/`idCol` name the
 * keyset columns (qualified when the query joins). Returns one page plus the next cursor.
 */
export async function paginate<DB, TB extends keyof DB, O extends { created_at: Date; id: string }>(
  query: SelectQueryBuilder<DB, TB, O>,
  options: { limit: number; cursor?: string | undefined; createdCol: string; idCol: string },
): Promise<Page<O>> {
  const cursor = decodeCursor(options.cursor);
  let q = query;
  if (cursor) {
    q = q.where((eb) =>
      eb(eb.refTuple(options.createdCol as never, options.idCol as never), '<', eb.tuple(new Date(cursor.t) as never, cursor.id as never)),
    ) as typeof q;
  }
  const rows = await q
    .orderBy(options.createdCol as never, 'desc')
    .orderBy(options.idCol as never, 'desc')
    .limit(options.limit + 1)
    .execute();
  const hasMore = rows.length > options.limit;
  const data = hasMore ? rows.slice(0, options.limit) : rows;
  const last = data[data.length - 1];
  return {
    data,
    pagination: {
      has_more: hasMore,
      next_cursor: hasMore && last ? encodeCursor({ t: last.created_at.toISOString(), id: last.id }) : null,
    },
  };
}
