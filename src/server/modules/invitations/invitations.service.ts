import { createHash, randomBytes } from 'node:crypto';
import { authorize } from '../../auth/policy.js';
import type { RequestContext } from '../../http/context.js';
import { linkEmail, type MailMessage } from '../../mail/mailer.js';
import { AppError, notFound } from '../../http/errors.js';
import * as queries from './invitations.queries.js';
import type { CreateInvitationInput, ListInvitationsQuery } from './invitations.schemas.js';

export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Creates an invitation and its one-time link. Only the token's hash is stored; the link is
 * answered once so an admin can copy it (issue "Notifications" e-mails it as well).
 */
export async function createInvitation(ctx: RequestContext, input: CreateInvitationInput, publicUrl: string) {
  authorize(ctx.actor, 'invitations:create');
  if (await queries.isMemberEmail(ctx.trx, ctx.organizationId, input.email)) {
    throw new AppError('conflict', 'This person is already a member of the organization', [{ field: 'body.email', message: 'Already a member' }]);
  }
  if (await queries.findOpenInvitationByEmail(ctx.trx, ctx.organizationId, input.email)) {
    throw new AppError('conflict', 'An open invitation for this e-mail exists; revoke or resend it', [{ field: 'body.email', message: 'Already invited' }]);
  }
  const token = randomBytes(32).toString('base64url');
  const invitation = await queries.insertInvitation(ctx.trx, {
    organization_id: ctx.organizationId,
    email: input.email,
    role: input.role,
    first_name: input.first_name ?? null,
    last_name: input.last_name ?? null,
    department: input.department ?? null,
    message: input.message ?? null,
    token_hash: hashInvitationToken(token),
    invited_by: ctx.actor.userId,
    expires_at: new Date(Date.now() + input.expires_in_days * 86_400_000),
  });
  await ctx.audit({
    entityType: 'invitation',
    entityId: invitation.id,
    action: 'create',
    after: { email: invitation.email, role: invitation.role, expires_at: invitation.expires_at },
  });
  return { invitation, acceptUrl: `${publicUrl}/accept-invitation?token=${token}` };
}

/**
 * A new link for a pending or expired invitation: the old link stops working, the new one lasts
 * another `expires_in_days` (7).
 */
export async function resendInvitation(ctx: RequestContext, id: string, publicUrl: string) {
  authorize(ctx.actor, 'invitations:create');
  const before = await queries.findInvitation(ctx.trx, ctx.organizationId, id);
  if (!before) throw notFound('Invitation');
  const status = queries.invitationStatus(before);
  if (status === 'accepted' || status === 'revoked') throw new AppError('conflict', `The invitation is already ${status}`);
  const token = randomBytes(32).toString('base64url');
  const invitation = await queries.renewInvitation(ctx.trx, ctx.organizationId, id, hashInvitationToken(token), new Date(Date.now() + 7 * 86_400_000));
  await ctx.audit({ entityType: 'invitation', entityId: id, action: 'invitation.resent', before: { expires_at: before.expires_at }, after: { expires_at: invitation.expires_at } });
  return { invitation, acceptUrl: `${publicUrl}/accept-invitation?token=${token}` };
}

/** The invitation e-mail, sent once the transaction that created the link has committed. */
export async function invitationEmail(ctx: RequestContext, invitation: { email: string; role: string; message: string | null }, acceptUrl: string): Promise<MailMessage> {
  const org = await ctx.trx.selectFrom('organizations').select('name').where('id', '=', ctx.organizationId).executeTakeFirstOrThrow();
  const role = invitation.role.replace('_', ' ');
  return linkEmail({
    to: invitation.email,
    subject: `You are invited to join ${org.name} on BIG Live Portal`,
    intro: `${org.name} invites you to join them on BIG Live Portal as ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}.${invitation.message ? ` Their note: "${invitation.message}"` : ''}`,
    action: 'Accept the invitation',
    url: acceptUrl,
    outro: 'The link works once and expires in 7 days. If you did not expect this invitation, ignore this e-mail.',
  });
}

export async function listInvitations(ctx: RequestContext, filter: ListInvitationsQuery) {
  authorize(ctx.actor, 'invitations:read');
  return queries.listInvitations(ctx.trx, ctx.organizationId, filter);
}

export async function revokeInvitation(ctx: RequestContext, id: string) {
  authorize(ctx.actor, 'invitations:revoke');
  const before = await queries.findInvitation(ctx.trx, ctx.organizationId, id);
  if (!before) throw notFound('Invitation');
  if (queries.invitationStatus(before) !== 'pending') {
    throw new AppError('conflict', `The invitation is already ${queries.invitationStatus(before)}`);
  }
  const after = await queries.revokeInvitation(ctx.trx, ctx.organizationId, id);
  await ctx.audit({ entityType: 'invitation', entityId: id, action: 'revoke', before: { revoked_at: null }, after: { revoked_at: after.revoked_at } });
  return after;
}
