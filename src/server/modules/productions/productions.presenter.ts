import { allowedActions } from '../../auth/policy.js';
import type { Actor } from '../../auth/tokens.js';
import type { ProductionRow } from './productions.queries.js';
import { transitions } from './productions.schemas.js';

export function presentProduction(p: ProductionRow, actor: Actor) {
  const actions = allowedActions(actor, ['productions:write']);
  return {
    id: p.id,
    name: p.name,
    code: p.code,
    description: p.description,
    start_date: p.start_date,
    end_date: p.end_date,
    budget_amount: p.budget_amount,
    budget_currency: p.budget_currency,
    status: p.status,
    status_reason: p.status_reason,
    next_statuses: actions.length ? [...transitions[p.status]] : [],
    created_at: p.created_at.toISOString(),
    updated_at: p.updated_at.toISOString(),
    allowed_actions: p.status === 'archived' ? [] : actions,
  };
}
