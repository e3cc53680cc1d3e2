import { randomUUID } from 'node:crypto';
import { strToU8, zipSync } from 'fflate';
import type { Kysely, Updateable } from 'kysely';
import { authorize, can } from '../../auth/policy.js';
import { revokeUserSessions } from '../auth/sessions.js';
import { FieldDecryptionError, type FieldCipher, type FieldContext } from '../../crypto/field-encryption.js';
import type { ArtistProfile, ArtistProfilesTable, DB } from '../../db/schema.js';
import type { RequestContext } from '../../http/context.js';
import { AppError, notFound } from '../../http/errors.js';
import {
  maskBankAccount, maskTaxId, presentArtistProfile, presentDeletionRequest, presentProfile, presentSensitive,
  type BankAccountPlain,
} from './profiles.presenter.js';
import { toCsv } from '../../files/csv.js';
import * as queries from './profiles.queries.js';
import {
  normalizeTaxId, type BankAccountInput, type ListDeletionRequestsQuery, type UpdateArtistProfileInput, type UpdateProfileInput,
} from './profiles.schemas.js';

/**
 * Profiles (own user row and artist profile), the sealed tax ID and bank account, the personal
 * data export and deletion requests. Sealed values are decrypted only by the …/sensitive reads
 * (audited `pii.view`), the export (audited `export`) and the re-encryption command; plaintext
 * never enters audit rows, logs or error answers.
 */

const TABLE = 'artist_profiles';
const where = (userId: string, column: 'tax_id' | 'bank_account'): FieldContext => ({ table: TABLE, rowId: userId, column });
const TAX_HASH_PURPOSE = 'tax_id';
const DELETION_GRACE_DAYS = 30;
const EXPORT_AUDIT_LIMIT = 50_000;

/** Masks a phone for audit rows: enough to tell a change, not enough to call. */
function maskPhone(value: string | null | undefined): string | null {
  if (!value) return null;
  return `${value.slice(0, 2)}${'*'.repeat(Math.max(0, value.length - 4))}${value.slice(-2)}`;
}

function decryptOrFail(ctx: RequestContext, cipher: FieldCipher, sealed: string, at: FieldContext): string {
  try {
    return cipher.decrypt(sealed, at);
  } catch (err) {
    if (err instanceof FieldDecryptionError) {
      // A stored value that fails its integrity check is our problem, not the caller's: 500 with
      // a clear reason and no value; the transaction (and its audit row) is rolled back.
      throw new AppError('internal_error', `A protected field (${err.field}) failed its integrity check and was not returned. Quote request id ${ctx.requestId} when reporting it.`);
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Own profile

export async function getMyProfile(ctx: RequestContext) {
  const user = await queries.findUser(ctx.trx, ctx.actor.userId);
  if (!user) throw notFound('Profile');
  return presentProfile(user, ctx.actor);
}

export async function updateMyProfile(ctx: RequestContext, input: UpdateProfileInput) {
  authorize(ctx.actor, 'profile:update');
  const before = await queries.findUser(ctx.trx, ctx.actor.userId);
  if (!before) throw notFound('Profile');
  const values: Record<string, string | null> = {};
  for (const key of ['first_name', 'last_name', 'phone', 'locale', 'timezone'] as const) {
    if (input[key] !== undefined) values[key] = input[key];
  }
  if (!Object.keys(values).length) return presentProfile(before, ctx.actor);
  await queries.updateUser(ctx.trx, ctx.actor.userId, values);
  const after = await queries.findUser(ctx.trx, ctx.actor.userId);
  if (!after) throw notFound('Profile');
  const auditView = (u: queries.UserRow) => ({
    first_name: u.first_name, last_name: u.last_name, phone: maskPhone(u.phone), locale: u.locale, timezone: u.timezone,
  });
  await ctx.audit({ entityType: 'user', entityId: ctx.actor.userId, action: 'profile.update', before: auditView(before), after: auditView(after) });
  return presentProfile(after, ctx.actor);
}

// ---------------------------------------------------------------------------------------------
// Artist profile

function normalizedBank(input: BankAccountInput): BankAccountPlain {
  return input.iban !== undefined
    ? { account_holder: input.account_holder, iban: input.iban, routing_number: null, account_number: null }
    : { account_holder: input.account_holder, iban: null, routing_number: input.routing_number ?? null, account_number: input.account_number ?? null };
}

/** What an audit row may say about an artist profile: plain fields, masked contact data, never a sealed value. */
function artistAuditView(p: ArtistProfile | undefined) {
  return {
    legal_name: p?.legal_name ?? null,
    stage_name: p?.stage_name ?? null,
    pronouns: p?.pronouns ?? null,
    phone: maskPhone(p?.phone),
    mailing_address: p?.mailing_address ? '[set]' : null,
    emergency_contact: p?.emergency_contact ? '[set]' : null,
    preferred_timezone: p?.preferred_timezone ?? null,
    unions: p?.unions ?? [],
    skills: p?.skills ?? [],
    tax_id: maskTaxId(p?.tax_id_last4 ?? null),
    bank_account: maskBankAccount(p?.bank_account_last4 ?? null),
  };
}

export async function getMyArtistProfile(ctx: RequestContext) {
  const row = await queries.findArtistProfile(ctx.trx, ctx.actor.userId);
  return presentArtistProfile(ctx.actor.userId, row, ctx.actor, { self: true });
}

export async function updateMyArtistProfile(ctx: RequestContext, cipher: FieldCipher, input: UpdateArtistProfileInput) {
  authorize(ctx.actor, 'profile:update');
  const userId = ctx.actor.userId;
  const before = await queries.findArtistProfile(ctx.trx, userId);
  const values: Updateable<ArtistProfilesTable> = {};
  for (const key of ['legal_name', 'stage_name', 'pronouns', 'phone', 'preferred_timezone'] as const) {
    const v = input[key];
    if (v !== undefined) values[key] = v === '' ? null : v;
  }
  if (input.mailing_address !== undefined) {
    const a = input.mailing_address;
    values.mailing_address = a
      ? JSON.stringify({ line1: a.line1, line2: a.line2 || null, city: a.city, region: a.region || null, postal_code: a.postal_code || null, country: a.country })
      : null;
  }
  if (input.emergency_contact !== undefined) values.emergency_contact = input.emergency_contact ? JSON.stringify(input.emergency_contact) : null;
  if (input.unions !== undefined) values.unions = input.unions;
  if (input.skills !== undefined) values.skills = input.skills;
  if (input.tax_id !== undefined) {
    if (input.tax_id === null) {
      Object.assign(values, { tax_id_encrypted: null, tax_id_hash: null, tax_id_last4: null });
    } else {
      const normalized = normalizeTaxId(input.tax_id);
      Object.assign(values, {
        tax_id_encrypted: cipher.encrypt(normalized, where(userId, 'tax_id')),
        tax_id_hash: cipher.hash(TAX_HASH_PURPOSE, normalized),
        tax_id_last4: normalized.slice(-4),
      });
    }
  }
  if (input.bank_account !== undefined) {
    if (input.bank_account === null) {
      Object.assign(values, { bank_account_encrypted: null, bank_account_last4: null });
    } else {
      const bank = normalizedBank(input.bank_account);
      const number = bank.iban ?? bank.account_number ?? '';
      Object.assign(values, {
        bank_account_encrypted: cipher.encrypt(JSON.stringify(bank), where(userId, 'bank_account')),
        bank_account_last4: number.slice(-4),
      });
    }
  }
  const written = Object.keys(input).filter((k) => input[k as keyof UpdateArtistProfileInput] !== undefined).sort();
  if (!written.length) return presentArtistProfile(userId, before, ctx.actor, { self: true });
  await queries.upsertArtistProfile(ctx.trx, userId, values);
  const after = await queries.findArtistProfile(ctx.trx, userId);
  await ctx.audit({
    entityType: 'artist_profile',
    entityId: userId,
    action: before ? 'update' : 'create',
    before: before ? { ...artistAuditView(before), fields_written: [] } : null,
    // Which fields the request wrote, including sealed ones whose values never appear here.
    after: { ...artistAuditView(after), fields_written: written },
  });
  return presentArtistProfile(userId, after, ctx.actor, { self: true });
}

/** Another member's artist profile (staff), or one's own through the membership id; masked. */
export async function getMemberArtistProfile(ctx: RequestContext, membershipId: string) {
  const membership = await queries.findMembership(ctx.trx, ctx.organizationId, membershipId);
  if (!membership) throw notFound('Member');
  const self = membership.user_id === ctx.actor.userId;
  if (!self) authorize(ctx.actor, 'artist_profiles:read');
  const row = await queries.findArtistProfile(ctx.trx, membership.user_id);
  const finance = can(ctx.actor, 'artist_profiles:read_sensitive');
  const taxIdDuplicate = finance
    ? Boolean(row?.tax_id_hash && (await queries.taxIdDuplicateInOrganization(ctx.trx, ctx.organizationId, membership.user_id, row.tax_id_hash)))
    : undefined;
  return presentArtistProfile(membership.user_id, row, ctx.actor, { self, ...(taxIdDuplicate !== undefined ? { taxIdDuplicate } : {}) });
}

function unseal(ctx: RequestContext, cipher: FieldCipher, userId: string, row: ArtistProfile | undefined) {
  const taxId = row?.tax_id_encrypted ? decryptOrFail(ctx, cipher, row.tax_id_encrypted, where(userId, 'tax_id')) : null;
  const bank = row?.bank_account_encrypted
    ? (JSON.parse(decryptOrFail(ctx, cipher, row.bank_account_encrypted, where(userId, 'bank_account'))) as BankAccountPlain)
    : null;
  return { taxId, bank };
}

async function auditPiiView(ctx: RequestContext, userId: string, row: ArtistProfile | undefined, via: string) {
  const fields = [row?.tax_id_encrypted ? 'tax_id' : null, row?.bank_account_encrypted ? 'bank_account' : null].filter((f): f is string => f !== null);
  await ctx.audit({ entityType: 'artist_profile', entityId: userId, action: 'pii.view', after: { fields, via } });
}

/** The owner's own decrypted tax ID and bank account; audited. */
export async function getMySensitive(ctx: RequestContext, cipher: FieldCipher) {
  authorize(ctx.actor, 'profile:read_sensitive');
  const userId = ctx.actor.userId;
  const row = await queries.findArtistProfile(ctx.trx, userId);
  const { taxId, bank } = unseal(ctx, cipher, userId, row);
  await auditPiiView(ctx, userId, row, 'self');
  return presentSensitive(userId, taxId, bank);
}

/** A member's decrypted tax ID and bank account for finance roles; audited. */
export async function getMemberSensitive(ctx: RequestContext, cipher: FieldCipher, membershipId: string) {
  const membership = await queries.findMembership(ctx.trx, ctx.organizationId, membershipId);
  if (!membership) throw notFound('Member');
  authorize(ctx.actor, 'artist_profiles:read_sensitive');
  const row = await queries.findArtistProfile(ctx.trx, membership.user_id);
  const { taxId, bank } = unseal(ctx, cipher, membership.user_id, row);
  await auditPiiView(ctx, membership.user_id, row, `membership:${membershipId}`);
  return presentSensitive(membership.user_id, taxId, bank);
}

/**
 * Payees' decrypted bank accounts for a bank file (finance roles); each payee's read is audited
 * like a reveal. People without bank details on file answer null.
 */
export async function payeeBankAccounts(ctx: RequestContext, cipher: FieldCipher, userIds: readonly string[], via: string) {
  authorize(ctx.actor, 'artist_profiles:read_sensitive');
  const accounts = new Map<string, BankAccountPlain | null>();
  for (const userId of userIds) {
    const row = await queries.findArtistProfile(ctx.trx, userId);
    accounts.set(userId, row?.bank_account_encrypted ? unseal(ctx, cipher, userId, row).bank : null);
    if (row?.bank_account_encrypted) await ctx.audit({ entityType: 'artist_profile', entityId: userId, action: 'pii.view', after: { fields: ['bank_account'], via } });
  }
  return accounts;
}

// ---------------------------------------------------------------------------------------------
// Personal data export

export interface ExportFile {
  name: string;
  bytes: Uint8Array;
}

/**
 * Everything the portal holds about the caller, as a zip of data.json plus one CSV per part:
 * profile, artist profile (with the caller's own decrypted tax ID and bank account), memberships
 * they can see, deletion requests and the audit entries they caused in this organization
 * (metadata only: other people's data in before/after values is not theirs to take).
 */
export async function exportMyData(ctx: RequestContext, cipher: FieldCipher): Promise<ExportFile> {
  authorize(ctx.actor, 'privacy:export');
  const userId = ctx.actor.userId;
  const user = await queries.findUser(ctx.trx, userId);
  if (!user) throw notFound('Profile');
  const artistRow = await queries.findArtistProfile(ctx.trx, userId);
  const { taxId, bank } = unseal(ctx, cipher, userId, artistRow);
  const memberships = await queries.listOwnMemberships(ctx.trx, userId);
  const deletionRequests = await queries.listDeletionRequestsOfUser(ctx.trx, ctx.organizationId, userId);
  const audit = await queries.listAuditByActor(ctx.trx, ctx.organizationId, userId, EXPORT_AUDIT_LIMIT);

  const profile = {
    id: user.id, email: user.email, first_name: user.first_name, last_name: user.last_name, phone: user.phone,
    locale: user.locale, timezone: user.timezone, email_verified_at: user.email_verified_at?.toISOString() ?? null,
    created_at: user.created_at.toISOString(), updated_at: user.updated_at.toISOString(),
  };
  const artist = artistRow
    ? {
        legal_name: artistRow.legal_name, stage_name: artistRow.stage_name, pronouns: artistRow.pronouns, phone: artistRow.phone,
        mailing_address: artistRow.mailing_address, emergency_contact: artistRow.emergency_contact,
        preferred_timezone: artistRow.preferred_timezone, unions: artistRow.unions, skills: artistRow.skills,
        tax_id: taxId, bank_account: bank, redacted_at: artistRow.redacted_at?.toISOString() ?? null,
        created_at: artistRow.created_at.toISOString(), updated_at: artistRow.updated_at.toISOString(),
      }
    : null;
  const membershipRows = memberships.map((m) => ({
    id: m.id, organization_id: m.organization_id, organization_name: m.organization_name, role: m.role, department: m.department,
    title: m.title, start_date: m.start_date, end_date: m.end_date, created_at: m.created_at.toISOString(),
  }));
  const deletionRows = deletionRequests.map((d) => ({
    id: d.id, status: d.status, requested_at: d.requested_at.toISOString(), due_at: d.due_at.toISOString(),
    processed_at: d.processed_at?.toISOString() ?? null,
  }));
  const auditRows = audit.map((a) => ({
    seq: Number(a.seq), created_at: a.created_at.toISOString(), action: a.action, entity_type: a.entity_type, entity_id: a.entity_id,
    changed_fields: a.changed_fields, ip: a.ip, user_agent: a.user_agent, request_id: a.request_id,
  }));
  const exportedAt = new Date().toISOString();

  const data = {
    format: 'big-live-portal-export/1',
    exported_at: exportedAt,
    organization_id: ctx.organizationId,
    profile,
    artist_profile: artist,
    memberships: membershipRows,
    deletion_requests: deletionRows,
    audit_entries: auditRows,
    audit_entries_truncated: audit.length >= EXPORT_AUDIT_LIMIT,
  };
  const bankColumns = bank ? { bank_account_holder: bank.account_holder, bank_iban: bank.iban, bank_routing_number: bank.routing_number, bank_account_number: bank.account_number } : {};
  const artistCsvRow = artist
    ? {
        ...artist,
        ...Object.fromEntries(Object.entries(artist.mailing_address ?? {}).map(([k, v]) => [`mailing_address_${k}`, v])),
        ...Object.fromEntries(Object.entries(artist.emergency_contact ?? {}).map(([k, v]) => [`emergency_contact_${k}`, v])),
        ...bankColumns,
      }
    : null;
  const files: Record<string, Uint8Array> = {
    'data.json': strToU8(JSON.stringify(data, null, 2)),
    'profile.csv': strToU8(toCsv(Object.keys(profile), [profile])),
    'artist_profile.csv': strToU8(toCsv([
      'legal_name', 'stage_name', 'pronouns', 'phone',
      'mailing_address_line1', 'mailing_address_line2', 'mailing_address_city', 'mailing_address_region', 'mailing_address_postal_code', 'mailing_address_country',
      'emergency_contact_name', 'emergency_contact_relationship', 'emergency_contact_phone',
      'preferred_timezone', 'unions', 'skills', 'tax_id', 'bank_account_holder', 'bank_iban', 'bank_routing_number', 'bank_account_number',
      'redacted_at', 'created_at', 'updated_at',
    ], artistCsvRow ? [artistCsvRow] : [])),
    'memberships.csv': strToU8(toCsv(['id', 'organization_id', 'organization_name', 'role', 'department', 'title', 'start_date', 'end_date', 'created_at'], membershipRows)),
    'deletion_requests.csv': strToU8(toCsv(['id', 'status', 'requested_at', 'due_at', 'processed_at'], deletionRows)),
    'audit_entries.csv': strToU8(toCsv(['seq', 'created_at', 'action', 'entity_type', 'entity_id', 'changed_fields', 'ip', 'user_agent', 'request_id'], auditRows)),
  };
  await ctx.audit({
    entityType: 'user',
    entityId: userId,
    action: 'export',
    after: { files: Object.keys(files), memberships: membershipRows.length, audit_entries: auditRows.length, includes_sealed_fields: Boolean(taxId || bank) },
  });
  const mtime = new Date(exportedAt);
  const bytes = zipSync(Object.fromEntries(Object.entries(files).map(([name, content]) => [name, [content, { mtime }]])), { level: 6 });
  return { name: `big-live-portal-export-${exportedAt.slice(0, 10)}.zip`, bytes };
}

// ---------------------------------------------------------------------------------------------
// Deletion requests

export async function requestDeletion(ctx: RequestContext) {
  authorize(ctx.actor, 'privacy:request_deletion');
  const userId = ctx.actor.userId;
  const latest = await queries.findLatestDeletionRequest(ctx.trx, ctx.organizationId, userId);
  if (latest?.status === 'requested') throw new AppError('conflict', 'You already have an open deletion request in this organization');
  const requestedAt = new Date();
  const dueAt = new Date(requestedAt.getTime() + DELETION_GRACE_DAYS * 86_400_000);
  const id = await queries.insertDeletionRequest(ctx.trx, ctx.organizationId, userId, requestedAt, dueAt);
  const row = await queries.findDeletionRequest(ctx.trx, ctx.organizationId, id);
  if (!row) throw notFound('Deletion request');
  await ctx.audit({ entityType: 'deletion_request', entityId: id, action: 'privacy.deletion_requested', after: { status: 'requested', user_id: userId, due_at: dueAt.toISOString() } });
  return presentDeletionRequest(row, ctx.actor);
}

export async function getMyDeletionRequest(ctx: RequestContext) {
  const row = await queries.findLatestDeletionRequest(ctx.trx, ctx.organizationId, ctx.actor.userId);
  if (!row) throw notFound('Deletion request');
  return presentDeletionRequest(row, ctx.actor);
}

export async function cancelMyDeletionRequest(ctx: RequestContext) {
  const row = await queries.findLatestDeletionRequest(ctx.trx, ctx.organizationId, ctx.actor.userId);
  if (!row || row.status !== 'requested') throw notFound('Open deletion request');
  await queries.closeDeletionRequest(ctx.trx, ctx.organizationId, row.id, 'cancelled', ctx.actor.userId);
  await ctx.audit({ entityType: 'deletion_request', entityId: row.id, action: 'privacy.deletion_cancelled', before: { status: 'requested' }, after: { status: 'cancelled' } });
  const after = await queries.findDeletionRequest(ctx.trx, ctx.organizationId, row.id);
  if (!after) throw notFound('Deletion request');
  return presentDeletionRequest(after, ctx.actor);
}

export async function listDeletionRequests(ctx: RequestContext, filter: ListDeletionRequestsQuery) {
  authorize(ctx.actor, 'deletion_requests:read');
  return queries.listDeletionRequests(ctx.trx, ctx.organizationId, filter);
}

/**
 * Erases the person's personal data in this organization's scope and closes the request:
 * artist profile fields nulled (sealed values included), names replaced by "Deleted user", phone
 * removed, the membership ended (department/title cleared) and this organization's invitations
 * to their e-mail redacted. The e-mail itself becomes a unique tombstone (and the sign-in is
 * disabled) only when the person is active in no other organization, whose sign-in it still is.
 * Audit rows and other records the law requires stay; they hold ids, not these values.
 */
export async function completeDeletionRequest(ctx: RequestContext, id: string) {
  const request = await queries.findDeletionRequest(ctx.trx, ctx.organizationId, id);
  if (!request) throw notFound('Deletion request');
  authorize(ctx.actor, 'deletion_requests:complete');
  if (request.status !== 'requested') throw new AppError('conflict', `This deletion request is already ${request.status}`);
  const userId = request.user_id;
  const membership = await queries.findMembershipOfUser(ctx.trx, ctx.organizationId, userId);
  const elsewhere = await queries.activeElsewhere(ctx.trx, userId);
  const tombstone = `deleted+${randomUUID()}@invalid.example`;
  const previousEmail = request.email;

  await queries.redactArtistProfile(ctx.trx, userId);
  await queries.updateUser(ctx.trx, userId, {
    first_name: 'Deleted',
    last_name: 'user',
    phone: null,
    ...(elsewhere === false ? { email: tombstone, password_hash: null, is_active: false, timezone: null, deleted_at: new Date() } : {}),
  });
  await queries.endMembership(ctx.trx, ctx.organizationId, userId);
  // Nobody keeps signing in to an organization whose records of them were redacted.
  await revokeUserSessions(ctx.trx, userId, 'membership_ended', elsewhere === false ? {} : { organizationId: ctx.organizationId });
  if (membership && ['admin', 'system_admin'].includes(membership.role) && (await queries.countActiveAdmins(ctx.trx, ctx.organizationId)) === 0) {
    throw new AppError('conflict', 'This person is the last administrator; appoint another one before completing the request');
  }
  await queries.redactInvitations(ctx.trx, ctx.organizationId, previousEmail, `deleted+${id}@invalid.example`);
  await queries.closeDeletionRequest(ctx.trx, ctx.organizationId, id, 'completed', ctx.actor.userId);
  const redacted = ['artist_profile', 'names', 'phone', 'membership', 'invitations', ...(elsewhere === false ? ['email', 'sign_in'] : [])];
  await ctx.audit({
    entityType: 'deletion_request',
    entityId: id,
    action: 'privacy.deletion_completed',
    before: { status: 'requested' },
    after: { status: 'completed', user_id: userId, redacted, email_tombstoned: elsewhere === false },
  });
  const after = await queries.findDeletionRequest(ctx.trx, ctx.organizationId, id);
  if (!after) throw notFound('Deletion request');
  return presentDeletionRequest(after, ctx.actor);
}

// ---------------------------------------------------------------------------------------------
// Re-encryption under the current key (`npm run pii:reencrypt`)

export interface ReencryptReport {
  scanned: number;
  reencrypted: number;
  rehashed: number;
  skippedConcurrent: number;
  failures: { user_id: string; field: string; reason: string }[];
}

/**
 * Walks every artist profile with a sealed value (run as the schema owner: it sees every row)
 * and rewrites each value not under the current key, recomputing the tax ID hash when the hash
 * key changed. Values that fail to decrypt are reported (user id, field, reason) and left alone.
 */
export async function reencryptAll(db: Kysely<DB>, cipher: FieldCipher, batchSize = 200): Promise<ReencryptReport> {
  const report: ReencryptReport = { scanned: 0, reencrypted: 0, rehashed: 0, skippedConcurrent: 0, failures: [] };
  let after: string | null = null;
  for (;;) {
    const rows = await queries.sealedProfilesAfter(db, after, batchSize);
    if (!rows.length) break;
    for (const row of rows) {
      report.scanned++;
      after = row.user_id;
      const values: Updateable<ArtistProfilesTable> = {};
      let changedKey = false;
      let changedHash = false;
      try {
        if (row.tax_id_encrypted) {
          const at = where(row.user_id, 'tax_id');
          const plain = cipher.decrypt(row.tax_id_encrypted, at);
          if (!cipher.isCurrent(row.tax_id_encrypted)) {
            values.tax_id_encrypted = cipher.encrypt(plain, at);
            changedKey = true;
          }
          const hash = cipher.hash(TAX_HASH_PURPOSE, plain);
          if (hash !== row.tax_id_hash) {
            values.tax_id_hash = hash;
            changedHash = true;
          }
        }
        if (row.bank_account_encrypted && !cipher.isCurrent(row.bank_account_encrypted)) {
          const at = where(row.user_id, 'bank_account');
          values.bank_account_encrypted = cipher.encrypt(cipher.decrypt(row.bank_account_encrypted, at), at);
          changedKey = true;
        }
      } catch (err) {
        if (!(err instanceof FieldDecryptionError)) throw err;
        report.failures.push({ user_id: row.user_id, field: err.field, reason: err.reason });
        continue;
      }
      if (!changedKey && !changedHash) continue;
      const written = await queries.replaceSealedValues(db, row.user_id, row, values);
      if (!written) {
        report.skippedConcurrent++;
        continue;
      }
      if (changedKey) report.reencrypted++;
      if (changedHash) report.rehashed++;
    }
  }
  return report;
}
