import { allowedActions } from '../../auth/policy.js';
import type { Actor } from '../../auth/tokens.js';
import type { Organization } from '../../db/schema.js';
import type { OrganizationSettings } from './organizations.schemas.js';

export function presentOrganization(org: Organization, actor: Actor) {
  return {
    id: org.id,
    name: org.name,
    slug: org.slug,
    settings: org.settings as OrganizationSettings,
    subscription_tier: org.subscription_tier,
    is_active: org.is_active,
    created_at: org.created_at.toISOString(),
    updated_at: org.updated_at.toISOString(),
    allowed_actions: allowedActions(actor, ['organization:update', 'members:read', 'invitations:create', 'audit:read']),
  };
}
