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
