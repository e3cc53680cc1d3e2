import type { Role } from '../../auth/types.js';


/** GET /api/v1/members */
export interface Member {
  id: string;
  user_id: string;
  email: string;
  first_name: string;
  last_name: string;
  role: Role;
  department: string | null;
  title: string | null;
  start_date: string;
  end_date: string | null;
  is_active: boolean;
  created_at: string;
  allowed_actions: string[];
}

/** GET /api/v1/admin/invitations */
export interface Invitation {
  id: string;
  email: string;
  role: Role;
  first_name: string | null;
  last_name: string | null;
  department: string | null;
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  created_at: string;
  expires_at: string;
  allowed_actions: string[];
}

/** POST /api/v1/admin/users */
export interface CreatedInvitation extends Invitation {
  accept_url: string;
}
