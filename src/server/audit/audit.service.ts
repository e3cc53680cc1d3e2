import { sql } from 'kysely';
import type { Tx } from '../db/tenant.js';
import { chainHash, verifyChain, type ChainProblem, type ChainedFields } from './audit.chain.js';

export interface AuditEntry {
  entityType: string;
  entityId: string | null;
  /** e.g. `create`, `update`, `delete`, `export`, `view`, `member.role_changed`. */
  action: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

export interface AuditOrigin {
  organizationId: string;
  actorId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/** Fields whose values never enter the audit trail, only the fact that they changed. */
const SECRET_FIELDS = new Set(['password_hash', 'tax_id_encrypted', 'bank_account_encrypted', 'totp_secret', 'token_hash']);

function scrub(values: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  if (!values) return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    out[k] = SECRET_FIELDS.has(k) ? '[redacted]' : v instanceof Date ? v.toISOString() : v;
  }
  return out;
}

function changedFields(before: Record<string, unknown> | null, after: Record<string, unknown> | null): string[] | null {
  if (!before || !after) return null;
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

/**
 * Appends one row to the organization's audit chain inside the caller's transaction, so the row
 * exists if and only if the change does. Locking the chain head serializes writers per
 * organization, which keeps `seq` gap-free.
 */
export async function recordAudit(trx: Tx, origin: AuditOrigin, entry: AuditEntry): Promise<void> {
  const head = await sql<{ last_seq: number; last_hash: string }>`
    INSERT INTO audit_chain_heads (organization_id) VALUES (${origin.organizationId})
    ON CONFLICT (organization_id) DO UPDATE SET updated_at = now()
    RETURNING last_seq, last_hash`.execute(trx);
  const current = head.rows[0];
  if (!current) throw new Error('audit chain head missing');
  const before = scrub(entry.before);
  const after = scrub(entry.after);
  const fields: ChainedFields = {
    organization_id: origin.organizationId,
    seq: Number(current.last_seq) + 1,
    actor_id: origin.actorId,
    entity_type: entry.entityType,
    entity_id: entry.entityId,
    action: entry.action,
    // Round-trip through JSON so the hash sees exactly what JSONB will give back.
    before: before ? JSON.parse(JSON.stringify(before)) : null,
    after: after ? JSON.parse(JSON.stringify(after)) : null,
    changed_fields: changedFields(before, after),
    ip: origin.ip,
    user_agent: origin.userAgent,
    request_id: origin.requestId,
    created_at: new Date().toISOString(),
    prev_hash: current.last_hash,
  };
  const hash = chainHash(fields);
  await sql`
    WITH appended AS (
      INSERT INTO audit_logs (organization_id, seq, actor_id, entity_type, entity_id, action, before, after,
        changed_fields, ip, user_agent, request_id, created_at, prev_hash, hash)
      VALUES (${fields.organization_id}, ${fields.seq}, ${fields.actor_id}, ${fields.entity_type}, ${fields.entity_id},
        ${fields.action}, ${before ? JSON.stringify(fields.before) : null}::jsonb, ${after ? JSON.stringify(fields.after) : null}::jsonb,
        ${fields.changed_fields}, ${fields.ip}::inet, ${fields.user_agent}, ${fields.request_id}, ${fields.created_at}, ${fields.prev_hash}, ${hash})
      RETURNING seq
    )
    UPDATE audit_chain_heads SET last_seq = (SELECT seq FROM appended), last_hash = ${hash}
    WHERE organization_id = ${origin.organizationId}`.execute(trx);
}

/** Reads the organization's whole chain (inside its tenant transaction) and checks it. */
export async function verifyOrganizationChain(trx: Tx, organizationId: string): Promise<{ rows: number; problems: ChainProblem[] }> {
  const rows = await sql<ChainedFields & { hash: string }>`
    SELECT organization_id, seq, actor_id, entity_type, entity_id, action, before, after, changed_fields,
           host(ip) AS ip, user_agent, request_id,
           to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at, prev_hash, hash
    FROM audit_logs WHERE organization_id = ${organizationId} ORDER BY seq, id`.execute(trx);
  const head = await trx
    .selectFrom('audit_chain_heads')
    .select(['last_seq', 'last_hash'])
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  return { rows: rows.rows.length, problems: verifyChain(rows.rows, head ?? null) };
}
