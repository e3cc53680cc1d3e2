import { allowedActions } from '../../auth/policy.js';
import type { Actor } from '../../auth/tokens.js';
import type { Invitation } from '../../db/schema.js';
import { invitationStatus } from './invitations.queries.js';

export function presentInvitation(inv: Invitation, actor: Actor) {
  const status = invitationStatus(inv);
  return {
    id: inv.id,
    email: inv.email,
    role: inv.role,
    first_name: inv.first_name,
    last_name: inv.last_name,
    department: inv.department,
    status,
    invited_by: inv.invited_by,
    created_at: inv.created_at.toISOString(),
    expires_at: inv.expires_at.toISOString(),
    allowed_actions: status === 'pending' ? allowedActions(actor, ['invitations:revoke', 'invitations:create'])
      : status === 'expired' ? allowedActions(actor, ['invitations:create']) : [],
  };
}
