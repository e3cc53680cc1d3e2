import { z } from 'zod';
import { csvEnum, dateRange, listResponse, pageQuery, searchQuery, text } from '../../http/schemas.js';
import { roles } from '../members/members.schemas.js';

export const invitationStatuses = ['pending', 'accepted', 'revoked', 'expired'] as const;

export const createInvitationBody = z.strictObject({
  email: z.email().max(255).transform((v) => v.toLowerCase()).describe('Personal e-mail of the person to invite'),
  role: z.enum(roles).describe('Role the person will have'),
  first_name: text(100).optional(),
  last_name: text(100).optional(),
  department: text(100).optional(),
  message: text(2000).optional().describe('Personal note included in the invitation e-mail'),
  expires_in_days: z.number().int().min(1).max(30).default(7).describe('Days until the link stops working'),
});
export type CreateInvitationInput = z.infer<typeof createInvitationBody>;

export const invitationSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    role: z.enum(roles),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    department: z.string().nullable(),
    status: z.enum(invitationStatuses),
    invited_by: z.uuid().nullable(),
    created_at: z.string(),
    expires_at: z.string(),
    allowed_actions: z.array(z.string()),
  })
  .meta({ id: 'Invitation' });

export const createdInvitationSchema = invitationSchema
  .extend({ accept_url: z.string().describe('Link for the invitee; shown once so an admin can copy it') })
  .meta({ id: 'CreatedInvitation' });

export const listInvitationsQuery = z.strictObject({
  status: csvEnum(invitationStatuses).optional(),
  q: searchQuery.optional().describe('Search e-mail and name'),
  ...dateRange,
  ...pageQuery,
});
export type ListInvitationsQuery = z.infer<typeof listInvitationsQuery>;
export const invitationListSchema = listResponse(invitationSchema);
