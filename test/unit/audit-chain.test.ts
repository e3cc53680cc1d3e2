import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, GENESIS_HASH, verifyChain, type ChainedFields } from '../../src/server/audit/audit.chain.js';

type Row = ChainedFields & { hash: string };

const ORG = '6f1c3c58-2a0e-4a53-9a51-1d2b8d2f0001';

/** A correctly linked chain of `n` rows and the head the database would hold for it. */
function buildChain(n: number): { rows: Row[]; head: { last_seq: number; last_hash: string } } {
  const rows: Row[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const fields: ChainedFields = {
      organization_id: ORG,
      seq,
      actor_id: '6f1c3c58-2a0e-4a53-9a51-1d2b8d2f00aa',
      entity_type: 'organization',
      entity_id: ORG,
      action: 'update',
      before: { name: `Name ${seq - 1}`, settings: { b: 1, a: [1, 2] } },
      after: { name: `Name ${seq}`, settings: { b: 1, a: [1, 2] } },
      changed_fields: ['name'],
      ip: '127.0.0.1',
      user_agent: 'unit-test',
      request_id: `req-${seq}`,
      created_at: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
      prev_hash: prev,
    };
    const hash = chainHash(fields);
    rows.push({ ...fields, hash });
    prev = hash;
  }
  return { rows, head: { last_seq: n, last_hash: prev } };
}

function kinds(problems: { problem: string }[]) {
  return [...new Set(problems.map((p) => p.problem))].sort();
}

describe('canonicalJson', () => {
  it('sorts object keys at every depth, so JSONB key order cannot change a hash', () => {
    const a = { z: 1, a: { y: [{ d: 1, c: 2 }], b: null }, m: 'x' };
    const b = { m: 'x', a: { b: null, y: [{ c: 2, d: 1 }] }, z: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"b":null,"y":[{"c":2,"d":1}]},"m":"x","z":1}');
  });

  it('keeps array order, drops undefined members, writes dates as ISO strings', () => {
    expect(canonicalJson([3, 1, 2])).not.toBe(canonicalJson([1, 2, 3]));
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson(new Date(Date.UTC(2025, 5, 1)))).toBe('"2025-06-01T00:00:00.000Z"');
    expect(canonicalJson('he said "hi"\n')).toBe(JSON.stringify('he said "hi"\n'));
  });

  it('tells apart values that only look alike', () => {
    expect(canonicalJson({ a: '1' })).not.toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
    expect(canonicalJson(['a,b'])).not.toBe(canonicalJson(['a', 'b']));
  });
});

describe('chainHash', () => {
  it('changes when any covered field changes', () => {
    const { rows } = buildChain(1);
    const row = rows[0]!;
    const base = chainHash(row);
    const variants: Partial<ChainedFields>[] = [
      { seq: 2 }, { actor_id: null }, { entity_type: 'membership' }, { entity_id: 'x' }, { action: 'delete' },
      { before: null }, { after: { name: 'Other' } }, { changed_fields: null }, { ip: '10.0.0.1' },
      { user_agent: 'other' }, { request_id: 'other' }, { created_at: '2030-01-01T00:00:00.000Z' }, { prev_hash: 'f'.repeat(64) },
      { organization_id: '6f1c3c58-2a0e-4a53-9a51-1d2b8d2f0002' },
    ];
    for (const v of variants) expect(chainHash({ ...row, ...v }), JSON.stringify(v)).not.toBe(base);
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain, and an empty chain with no head', () => {
    const { rows, head } = buildChain(5);
    expect(verifyChain(rows, head)).toEqual([]);
    expect(verifyChain([], null)).toEqual([]);
  });

  it('an edited row → hash_mismatch at that row', () => {
    const { rows, head } = buildChain(5);
    rows[2] = { ...rows[2]!, after: { name: 'Forged' } };
    const problems = verifyChain(rows, head);
    expect(problems).toEqual([expect.objectContaining({ seq: 3, problem: 'hash_mismatch' })]);
  });

  it('a removed middle row → sequence_gap and broken_link', () => {
    const { rows, head } = buildChain(5);
    rows.splice(2, 1);
    const problems = verifyChain(rows, head);
    expect(kinds(problems)).toEqual(['broken_link', 'sequence_gap']);
    expect(problems.every((p) => p.seq === 4)).toBe(true);
  });

  it('rows cut from the end → head_mismatch', () => {
    const { rows, head } = buildChain(5);
    expect(kinds(verifyChain(rows.slice(0, 4), head))).toEqual(['head_mismatch']);
    expect(kinds(verifyChain([], head))).toEqual(['head_mismatch']);
  });

  it('a row appended without moving the head → head_mismatch, even when correctly hashed', () => {
    const { rows } = buildChain(6);
    const shortHead = { last_seq: 5, last_hash: rows[4]!.hash };
    expect(verifyChain(rows.slice(0, 5), shortHead)).toEqual([]);
    expect(kinds(verifyChain(rows, shortHead))).toEqual(['head_mismatch']);
  });

  it('a duplicated sequence number → duplicate_sequence', () => {
    const { rows, head } = buildChain(3);
    const copy = { ...rows[1]! };
    const problems = verifyChain([rows[0]!, rows[1]!, copy, rows[2]!], head);
    expect(kinds(problems)).toContain('duplicate_sequence');
  });

  it('two rows swapped → detected', () => {
    const { rows, head } = buildChain(4);
    const swapped = [rows[0]!, { ...rows[2]!, seq: 2 }, { ...rows[1]!, seq: 3 }, rows[3]!];
    const problems = verifyChain(swapped, head);
    expect(kinds(problems)).toEqual(expect.arrayContaining(['broken_link', 'hash_mismatch']));
  });

  it('a rewritten row with a recomputed hash still breaks the next link', () => {
    const { rows, head } = buildChain(4);
    const forged: ChainedFields = { ...rows[1]!, after: { name: 'Forged' } };
    rows[1] = { ...forged, hash: chainHash(forged) };
    expect(verifyChain(rows, head)).toEqual([expect.objectContaining({ seq: 3, problem: 'broken_link' })]);
  });
});
