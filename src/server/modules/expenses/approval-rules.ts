import type { ApprovalLevel, Role } from '../../db/schema.js';
import type { Tx } from '../../db/tenant.js';
import type { OrganizationSettings } from '../organizations/organizations.schemas.js';
import { cents } from './expenses.schemas.js';

/**
 * Seed 000's approval chain: up to `automatic` nobody needs to look, up to `admin` an
 * administrator (or anyone above), up to `finance` an accountant (or a finance director), above
 * that only a finance director. Amounts are compared in cents of the base currency.
 */
export function levelFor(amountBase: string, limits: OrganizationSettings['approval_limits']): ApprovalLevel {
  const amount = cents(amountBase);
  const limit = (value: number) => BigInt(Math.round(value * 100));
  if (amount <= limit(limits.automatic)) return 'automatic';
  if (amount <= limit(limits.admin)) return 'admin';
  if (amount <= limit(limits.finance)) return 'finance';
  return 'finance_director';
}

/** The levels a role may approve (its limit), in order. */
export function approverLevels(role: Role): ApprovalLevel[] {
  switch (role) {
    case 'admin':
    case 'system_admin':
      return ['admin'];
    case 'accountant':
      return ['admin', 'finance'];
    case 'finance_director':
      return ['admin', 'finance', 'finance_director'];
    case 'artist':
    case 'production_manager':
      return [];
  }
}

const rolesFor = (level: ApprovalLevel): Role[] => (['admin', 'system_admin', 'accountant', 'finance_director'] as const).filter((r) => approverLevels(r).includes(level));

/** Who can approve an expense at this level (the claimant excluded), to tell them it waits. */
export async function approversFor(trx: Tx, organizationId: string, level: ApprovalLevel, claimantId: string): Promise<string[]> {
  const roles = rolesFor(level);
  if (!roles.length) return [];
  const rows = await trx.selectFrom('memberships').select('user_id')
    .where('organization_id', '=', organizationId).where('role', 'in', roles).where('user_id', '!=', claimantId).where('end_date', 'is', null).execute();
  return rows.map((r) => r.user_id);
}
