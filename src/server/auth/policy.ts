import type { Role } from '../db/schema.js';
import type { Actor } from './tokens.js';
import { AppError } from '../http/errors.js';

/**
 * Who may do what, decided here and nowhere else (seed 004 §Authorization Framework).
 *
 * Being in the same organization is the base rule: tenant scoping and row-level security keep
 * every request inside the organization of its token. On top of it, each role holds a list of
 * permission strings `resource:action:scope`:
 *
 * - scope `own`: only objects that belong to the actor (their profile, their files, contracts
 *   assigned to them, their expenses, events they take part in);
 * - scope `any`: any object of the organization;
 * - scope `high_value`: expense approvals above the finance limit of the organization's settings.
 *
 * A grant may use `*` for any part (`expenses:*:*`, `*:*:*`). Two permissions are never granted by
 * a wildcard and must be named: reading another member's decrypted tax ID and bank account, and
 * approving high-value expenses — so "admin: everything" does not quietly include them.
 *
 * Routes and services ask for an *action* (`resource:action`, e.g. `members:update`), optionally
 * about a subject (whose object it is, whether it is high-value); the same action names are sent
 * to clients as `allowed_actions` so screens hide what the caller cannot do.
 */

/** Every action that exists (or is reserved for modules to come) and the scopes it can be granted in. */
export const catalogue = {
  // Accounts and tenancy (issue 3)
  organization: { read: ['any'], update: ['any'] },
  members: { read: ['any'], update: ['any'] },
  invitations: { read: ['any'], create: ['any'], revoke: ['any'] },
  audit: { read: ['any'] },
  // Single sign-on: the organization's identity provider (issue 3 item 5).
  sso: { read: ['any'], configure: ['any'] },
  // Notifications (issue 4): announcements to members, delivery status and retries.
  notifications: { manage: ['any'] },
  files: { create: ['own'], read: ['own', 'any'] },
  // Profiles and privacy (issue 3 items 8–9): one's own profile; other members' artist profiles.
  profile: { update: ['own'], read_sensitive: ['own'] },
  artist_profiles: { read: ['any'], read_sensitive: ['any'] },
  privacy: { export: ['own'], request_deletion: ['own'] },
  deletion_requests: { read: ['any'], complete: ['any'] },
  // Productions (capability 4): office roles read them (budgets included); admins and production managers run them.
  productions: { read: ['any'], write: ['any'] },
  // Modules to come: their routes use these actions only.
  contracts: { read: ['own', 'any'], sign: ['own'], write: ['any'], assign: ['any'], delete: ['any'] },
  expenses: { read: ['own', 'any'], write: ['own', 'any'], approve: ['any', 'high_value'], pay: ['any'], settings: ['any'] },
  schedule: { read: ['own', 'any'], write: ['any'] },
  events: { read: ['own', 'any'], write: ['any'], respond: ['own'] },
  reports: { read: ['any'], export: ['any'] },
} as const satisfies Record<string, Record<string, readonly Scope[]>>;

export type Scope = 'own' | 'any' | 'high_value';
type Catalogue = typeof catalogue;
type Resource = keyof Catalogue;

/** `resource:action`, e.g. `members:update`. */
export type Action = { [R in Resource]: `${R}:${Extract<keyof Catalogue[R], string>}` }[Resource];

/** `resource:action:scope`, e.g. `contracts:read:own`. */
export type Permission = {
  [R in Resource]: { [A in Extract<keyof Catalogue[R], string>]: `${R}:${A}:${Catalogue[R][A] extends readonly (infer S)[] ? S & string : never}` }[Extract<keyof Catalogue[R], string>];
}[Resource];

/** A permission as granted to a role: any part may be `*`. */
export type Grant = Permission | `${Resource | '*'}:${string}:${Scope | '*'}`;

/** Granted only by name, never through a wildcard. */
export const namedOnly: readonly Permission[] = ['artist_profiles:read_sensitive:any', 'expenses:approve:high_value'];

export const actions: readonly Action[] = (Object.keys(catalogue) as Resource[]).flatMap((r) =>
  Object.keys(catalogue[r]).map((a) => `${r}:${a}` as Action));

export const permissions: readonly Permission[] = (Object.keys(catalogue) as Resource[]).flatMap((r) =>
  Object.entries(catalogue[r] as Record<string, readonly Scope[]>).flatMap(([a, scopes]) => scopes.map((s) => `${r}:${a}:${s}` as Permission)));

// What every member may do with their own things, whatever their role: the seed gives artists
// their own contracts, expenses and schedule; staff sign contracts and claim expenses too.
const ownThings: Grant[] = [
  'organization:read:any',
  'profile:*:own',
  'privacy:*:own',
  'files:create:own',
  'files:read:own',
  'contracts:read:own',
  'contracts:sign:own',
  'expenses:read:own',
  'expenses:write:own',
  'schedule:read:own',
  'events:read:own',
  'events:respond:own',
];

// Office roles see who works in the organization, their artist profiles (masked)
// and everyone's schedule (who is called when).
const staff: Grant[] = [...ownThings, 'members:read:any', 'artist_profiles:read:any', 'productions:read:any', 'events:read:any', 'schedule:read:any'];

/**
 * Seed 004's matrix, extended. The seed's own lines are marked; the rest follows from what exists
 * now (people, invitations, files, profiles, audit) and the product brief (§1, §3 item 6).
 */
export const roleGrants: Record<Role, readonly Grant[]> = {
  // seed: contracts:read:own, expenses:write:own, schedule:read:own
  artist: ownThings,
  // seed: *:*:* — everything in its organization (except the named-only permissions above)
  admin: ['*:*:*'],
  // the portal operator's role inside an organization: like admin
  system_admin: ['*:*:*'],
  // seed: expenses:*:*, reports:read:*
  accountant: [...staff, 'expenses:*:*', 'reports:read:*', 'artist_profiles:read_sensitive:any'],
  // seed: schedule:*:*, events:write:*
  production_manager: [...staff, 'schedule:*:*', 'events:write:*', 'events:read:any', 'productions:write:any'],
  // seed: expenses:approve:high_value, reports:*:*; approves (and pays) the ordinary ones too
  finance_director: [
    ...staff, 'expenses:approve:high_value', 'reports:*:*', 'artist_profiles:read_sensitive:any',
    'expenses:read:any', 'expenses:approve:any', 'expenses:pay:any',
  ],
};

function grantCovers(grant: string, permission: Permission): boolean {
  if (grant === permission) return true;
  if (namedOnly.includes(permission)) return false;
  const g = grant.split(':');
  const p = permission.split(':');
  return g.length === 3 && g.every((part, i) => part === '*' || part === p[i]);
}

// Each role's permissions, expanded once; a grant that matches nothing is a typo and stops the start.
const expanded = {} as Record<Role, ReadonlySet<Permission>>;
for (const role of Object.keys(roleGrants) as Role[]) {
  for (const grant of roleGrants[role]) {
    if (!permissions.some((p) => grantCovers(grant, p))) throw new Error(`policy: grant "${grant}" of ${role} matches no permission`);
  }
  expanded[role] = new Set(permissions.filter((p) => roleGrants[role].some((g) => grantCovers(g, p))));
}

/** The permissions a role holds, expanded from its grants. */
export function permissionsOf(role: Role): ReadonlySet<Permission> {
  return expanded[role];
}

/**
 * What an action is about. Without a subject the action concerns the actor's own things (their
 * profile, a file they upload, their schedule). `ownerId` is the user an object belongs to;
 * `highValue` marks an expense above the organization's finance limit.
 */
export interface Subject {
  ownerId?: string | null;
  highValue?: boolean;
}

export function can(actor: Actor, action: Action, subject?: Subject): boolean {
  const held = expanded[actor.role];
  if (!held) return false;
  const [resource, verb] = action.split(':') as [Resource, string];
  const scopes = (catalogue[resource] as Record<string, readonly Scope[]>)[verb] ?? [];
  const has = (scope: Scope) => scopes.includes(scope) && held.has(`${action}:${scope}` as Permission);
  if (subject?.highValue && scopes.includes('high_value')) return has('high_value');
  if (has('any')) return true;
  const owner = subject ? subject.ownerId : actor.userId;
  return owner === actor.userId && has('own');
}

export function authorize(actor: Actor, action: Action, subject?: Subject): void {
  if (!can(actor, action, subject)) throw new AppError('forbidden', `Your role (${actor.role}) may not ${action.replace(':', ' ')}`);
}

/** The subset of `candidates` the actor may perform, sent with objects so screens hide buttons. */
export function allowedActions(actor: Actor, candidates: readonly Action[], subject?: Subject): Action[] {
  return candidates.filter((a) => can(actor, a, subject));
}
