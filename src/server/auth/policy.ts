import type { Role } from '../db/schema.js';
import type { Actor } from './tokens.js';
import { AppError } from '../http/errors.js';

/**
 * Who may do what, decided here and nowhere else. Being in the same organization is the base
 * rule (enforced by tenant scoping and RLS); role rules build on it. Issue "Accounts" extends this
 * to seed 004's full matrix as modules arrive.
 */
export const actions = [
  'organization:read',
  'organization:update',
  'members:read',
  'members:update',
  'invitations:read',
  'invitations:create',
  'invitations:revoke',
  'audit:read',
  'files:create',
  'files:read_any',
  'profile:update',
  'profile:read_sensitive',
  'artist_profiles:read',
  'artist_profiles:read_sensitive',
  'privacy:export',
  'privacy:request_deletion',
  'deletion_requests:read',
  'deletion_requests:complete',
] as const;

export type Action = (typeof actions)[number];

const managers: Role[] = ['admin', 'system_admin'];
const staff: Role[] = ['admin', 'system_admin', 'production_manager', 'accountant', 'finance_director'];
const everyone: Role[] = ['artist', ...staff];

const matrix: Record<Action, readonly Role[]> = {
  'organization:read': everyone,
  'organization:update': managers,
  'members:read': staff,
  'members:update': managers,
  'invitations:read': managers,
  'invitations:create': managers,
  'invitations:revoke': managers,
  'audit:read': managers,
  'files:create': everyone,
  'files:read_any': managers,
  // Profiles and privacy (issue 3 items 8–9): own profile for everyone; another member's artist
  // profile for staff, masked; its decrypted tax ID and bank account for finance roles only.
  'profile:update': everyone,
  'profile:read_sensitive': everyone,
  'artist_profiles:read': staff,
  'artist_profiles:read_sensitive': ['accountant', 'finance_director'],
  'privacy:export': everyone,
  'privacy:request_deletion': everyone,
  'deletion_requests:read': managers,
  'deletion_requests:complete': managers,
};

export function can(actor: Actor, action: Action): boolean {
  return matrix[action].includes(actor.role);
}

export function authorize(actor: Actor, action: Action): void {
  if (!can(actor, action)) throw new AppError('forbidden', `Your role (${actor.role}) may not ${action.replace(':', ' ')}`);
}

/** The subset of `candidates` the actor may perform, sent with objects so screens hide buttons. */
export function allowedActions(actor: Actor, candidates: readonly Action[]): Action[] {
  return candidates.filter((a) => can(actor, a));
}
