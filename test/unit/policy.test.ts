import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { actions, allowedActions, authorize, can, namedOnly, permissions, permissionsOf, roleGrants } from '../../src/server/auth/policy.js';
import type { Actor } from '../../src/server/auth/tokens.js';
import type { Role } from '../../src/server/db/schema.js';

const actor = (role: Role): Actor => ({ userId: randomUUID(), organizationId: randomUUID(), role });

describe('policy: seed 004 permission strings', () => {
  it("holds the seed's own lines for each role", () => {
    const artist = permissionsOf('artist');
    for (const p of ['contracts:read:own', 'expenses:write:own', 'schedule:read:own'] as const) expect(artist.has(p), p).toBe(true);
    for (const p of ['contracts:read:any', 'expenses:write:any', 'schedule:read:any', 'members:read:any'] as const) expect(artist.has(p), p).toBe(false);

    const accountant = permissionsOf('accountant');
    for (const p of ['expenses:read:any', 'expenses:write:any', 'expenses:approve:any', 'expenses:pay:any', 'reports:read:any'] as const) expect(accountant.has(p), p).toBe(true);
    expect(accountant.has('reports:export:any')).toBe(false);
    expect(accountant.has('schedule:write:any')).toBe(false);

    const pm = permissionsOf('production_manager');
    for (const p of ['schedule:read:any', 'schedule:write:any', 'events:write:any'] as const) expect(pm.has(p), p).toBe(true);
    expect(pm.has('expenses:approve:any')).toBe(false);

    const fd = permissionsOf('finance_director');
    for (const p of ['expenses:approve:high_value', 'reports:read:any', 'reports:export:any'] as const) expect(fd.has(p), p).toBe(true);
    expect(fd.has('schedule:write:any')).toBe(false);

    for (const role of ['admin', 'system_admin'] as const) {
      const all = permissionsOf(role);
      expect(permissions.filter((p) => !all.has(p))).toEqual(namedOnly);
    }
  });

  it('wildcards never grant the named-only permissions', () => {
    expect(permissionsOf('accountant').has('expenses:approve:high_value')).toBe(false);
    expect(permissionsOf('admin').has('artist_profiles:read_sensitive:any')).toBe(false);
    expect(permissionsOf('accountant').has('artist_profiles:read_sensitive:any')).toBe(true);
  });

  it('every grant names something that exists, and every action has a permission', () => {
    for (const grants of Object.values(roleGrants)) expect(grants.length).toBeGreaterThan(0);
    for (const a of actions) expect(permissions.some((p) => p.startsWith(`${a}:`)), a).toBe(true);
  });
});

describe('policy: subjects', () => {
  it('own scope covers the actor\'s own objects only; any scope covers every object of the organization', () => {
    const artist = actor('artist');
    expect(can(artist, 'contracts:read', { ownerId: artist.userId })).toBe(true);
    expect(can(artist, 'contracts:read', { ownerId: randomUUID() })).toBe(false);
    expect(can(artist, 'contracts:read', { ownerId: null })).toBe(false);
    // Without a subject an action is about the actor's own things.
    expect(can(artist, 'profile:update')).toBe(true);
    expect(can(artist, 'files:read', { ownerId: randomUUID() })).toBe(false);
    expect(can(actor('admin'), 'files:read', { ownerId: randomUUID() })).toBe(true);
    expect(can(actor('production_manager'), 'events:write', { ownerId: randomUUID() })).toBe(true);
  });

  it('high-value approvals need the named permission', () => {
    const big = { ownerId: randomUUID(), highValue: true };
    expect(can(actor('accountant'), 'expenses:approve', { ownerId: big.ownerId })).toBe(true);
    expect(can(actor('accountant'), 'expenses:approve', big)).toBe(false);
    expect(can(actor('admin'), 'expenses:approve', big)).toBe(false);
    expect(can(actor('finance_director'), 'expenses:approve', big)).toBe(true);
  });

  it('authorize throws a forbidden problem; allowedActions filters', () => {
    expect(() => authorize(actor('artist'), 'members:update')).toThrowError(/may not members update/);
    expect(allowedActions(actor('accountant'), ['members:read', 'members:update', 'audit:read'])).toEqual(['members:read']);
  });
});
