import { createHash } from 'node:crypto';

/** The fields of an audit row that the hash covers, in a fixed order. */
export interface ChainedFields {
  organization_id: string;
  seq: number;
  actor_id: string | null;
  entity_type: string;
  entity_id: string | null;
  action: string;
  before: unknown;
  after: unknown;
  changed_fields: string[] | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  created_at: string;
  prev_hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth, so the database's JSONB key order cannot matter. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function chainHash(fields: ChainedFields): string {
  const ordered = [
    fields.organization_id,
    fields.seq,
    fields.actor_id,
    fields.entity_type,
    fields.entity_id,
    fields.action,
    fields.before ?? null,
    fields.after ?? null,
    fields.changed_fields,
    fields.ip,
    fields.user_agent,
    fields.request_id,
    fields.created_at,
    fields.prev_hash,
  ];
  return createHash('sha256').update(canonicalJson(ordered)).digest('hex');
}

export interface ChainProblem {
  seq: number;
  problem: 'hash_mismatch' | 'broken_link' | 'sequence_gap' | 'duplicate_sequence' | 'head_mismatch';
  detail: string;
}

/**
 * Walks one organization's rows in `seq` order and reports every place where the chain does not
 * hold: an edited row (its hash), a removed or inserted row (seq gap, duplicate or broken link), a
 * reordering (links), or rows cut from the end (the recorded head).
 */
export function verifyChain(
  rows: Iterable<ChainedFields & { hash: string }>,
  head: { last_seq: number; last_hash: string } | null,
): ChainProblem[] {
  const problems: ChainProblem[] = [];
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let lastSeq = 0;
  let lastHash = GENESIS_HASH;
  for (const row of rows) {
    if (row.seq < expectedSeq) {
      problems.push({ seq: row.seq, problem: 'duplicate_sequence', detail: `seq ${row.seq} appears again` });
    } else if (row.seq > expectedSeq) {
      problems.push({ seq: row.seq, problem: 'sequence_gap', detail: `expected seq ${expectedSeq}, found ${row.seq}` });
    }
    if (row.prev_hash !== prevHash) {
      problems.push({ seq: row.seq, problem: 'broken_link', detail: 'prev_hash does not match the previous row' });
    }
    if (chainHash(row) !== row.hash) {
      problems.push({ seq: row.seq, problem: 'hash_mismatch', detail: 'row content does not match its hash' });
    }
    expectedSeq = row.seq + 1;
    prevHash = row.hash;
    lastSeq = row.seq;
    lastHash = row.hash;
  }
  const headSeq = head?.last_seq ?? 0;
  const headHash = head?.last_hash ?? GENESIS_HASH;
  if (headSeq !== lastSeq || headHash !== lastHash) {
    problems.push({ seq: lastSeq, problem: 'head_mismatch', detail: `chain ends at seq ${lastSeq} but the head records seq ${headSeq}` });
  }
  return problems;
}
