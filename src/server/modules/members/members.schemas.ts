import { z } from 'zod';
import { csvEnum, dateRange, listResponse, pageQuery, searchQuery, text } from '../../http/schemas.js';

export const roles = ['artist', 'admin', 'accountant', 'production_manager', 'finance_director', 'system_admin'] as const;

export const memberSchema = z
  .object({
    id: z.uuid().describe('Membership id'),
    user_id: z.uuid(),
    email: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    role: z.enum(roles),
    department: z.string().nullable(),
    title: z.string().nullable(),
    start_date: z.string().describe('YYYY-MM-DD'),
    end_date: z.string().nullable().describe('YYYY-MM-DD; null while active'),
    is_active: z.boolean().describe('Membership active today'),
    created_at: z.string(),
    allowed_actions: z.array(z.string()),
  })
  .meta({ id: 'Member' });

export const listMembersQuery = z.strictObject({
  role: csvEnum(roles).optional(),
  active: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('Only active (true) or ended (false) memberships'),
  q: searchQuery.optional().describe('Search name and e-mail'),
  ...dateRange,
  ...pageQuery,
});
export type ListMembersQuery = z.infer<typeof listMembersQuery>;

const isoDate = z.iso.date();

export const updateMemberBody = z.strictObject({
  role: z.enum(roles).optional(),
  department: text(100).nullable().optional(),
  title: text(100).nullable().optional(),
  end_date: isoDate.nullable().optional().describe('End the membership on this date (YYYY-MM-DD); null reopens it'),
});
export type UpdateMemberInput = z.infer<typeof updateMemberBody>;

export const memberListSchema = listResponse(memberSchema);
