import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table types for Kysely, kept beside the SQL in migrations/. A column with a database default
 * is `Generated`; timestamps arrive as Date.
 */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string, string>;

export type Role =
  | 'artist'
  | 'admin'
  | 'accountant'
  | 'production_manager'
  | 'finance_director'
  | 'system_admin';

export interface OrganizationsTable {
  id: Generated<string>;
  name: string;
  slug: string;
  settings: ColumnType<Record<string, unknown>, string | undefined, string>;
  is_active: Generated<boolean>;
  subscription_tier: Generated<string>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  deleted_at: Timestamp | null;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  password_hash: string | null;
  first_name: string;
  last_name: string;
  phone: string | null;
  locale: Generated<string>;
  timezone: string | null;
  is_active: Generated<boolean>;
  email_verified_at: Timestamp | null;
  last_login_at: Timestamp | null;
  failed_login_attempts: Generated<number>;
  locked_until: Timestamp | null;
  password_changed_at: Timestamp | null;
  totp_secret_encrypted: string | null;
  totp_enabled_at: Timestamp | null;
  totp_last_used_step: number | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  deleted_at: Timestamp | null;
}

export interface MembershipsTable {
  id: Generated<string>;
  organization_id: string;
  user_id: string;
  role: Role;
  department: string | null;
  title: string | null;
  start_date: ColumnType<string, string | undefined, string>;
  end_date: string | null;
  is_primary: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface SystemSettingsTable {
  key: string;
  value: Json;
  description: string | null;
  updated_at: UpdatedAt;
}

export interface AuditLogsTable {
  id: Generated<number>;
  organization_id: string;
  seq: number;
  actor_id: string | null;
  entity_type: string;
  entity_id: string | null;
  action: string;
  before: Json | null;
  after: Json | null;
  changed_fields: string[] | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  created_at: Timestamp;
  prev_hash: string;
  hash: string;
}

export interface AuditChainHeadsTable {
  organization_id: string;
  last_seq: Generated<number>;
  last_hash: Generated<string>;
  updated_at: UpdatedAt;
}

export interface IdempotencyKeysTable {
  organization_id: string;
  actor_id: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  response_status: number;
  response_body: Json | null;
  created_at: CreatedAt;
  expires_at: UpdatedAt;
}

export interface FilesTable {
  id: Generated<string>;
  organization_id: string;
  storage_provider: Generated<string>;
  storage_key: string;
  original_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  purpose: Generated<string>;
  uploaded_by: string | null;
  created_at: CreatedAt;
  deleted_at: Timestamp | null;
}

export interface DB {
  organizations: OrganizationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
  system_settings: SystemSettingsTable;
  audit_logs: AuditLogsTable;
  audit_chain_heads: AuditChainHeadsTable;
  idempotency_keys: IdempotencyKeysTable;
  files: FilesTable;
  artist_profiles: ArtistProfilesTable;
  deletion_requests: DeletionRequestsTable;
  auth_sessions: AuthSessionsTable;
  refresh_tokens: RefreshTokensTable;
  auth_tokens: AuthTokensTable;
  login_throttle: LoginThrottleTable;
  mfa_backup_codes: MfaBackupCodesTable;
  mfa_challenges: MfaChallengesTable;
  sso_configurations: SsoConfigurationsTable;
  sso_login_attempts: SsoLoginAttemptsTable;
  user_identities: UserIdentitiesTable;
  notifications: NotificationsTable;
  notification_deliveries: NotificationDeliveriesTable;
  notification_preferences: NotificationPreferencesTable;
  push_subscriptions: PushSubscriptionsTable;
  reminders: RemindersTable;
  productions: ProductionsTable;
  contracts: ContractsTable;
  contract_versions: ContractVersionsTable;
  contract_assignments: ContractAssignmentsTable;
  organization_signing_keys: OrganizationSigningKeysTable;
  signature_envelopes: SignatureEnvelopesTable;
  expense_categories: ExpenseCategoriesTable;
  expenses: ExpensesTable;
  expense_receipts: ExpenseReceiptsTable;
  expense_approvals: ExpenseApprovalsTable;
  payment_batches: PaymentBatchesTable;
  events: EventsTable;
  event_exceptions: EventExceptionsTable;
  event_participants: EventParticipantsTable;
  event_attendance: EventAttendanceTable;
  event_attachments: EventAttachmentsTable;
  event_updates: EventUpdatesTable;
  calendar_feeds: CalendarFeedsTable;
}

export type Organization = Selectable<OrganizationsTable>;
export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Membership = Selectable<MembershipsTable>;
export type AuditLog = Selectable<AuditLogsTable>;
export type StoredFile = Selectable<FilesTable>;

export interface InvitationsTable {
  id: Generated<string>;
  organization_id: string;
  email: string;
  role: Role;
  first_name: string | null;
  last_name: string | null;
  department: string | null;
  message: string | null;
  token_hash: string;
  invited_by: string | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  revoked_at: Timestamp | null;
}
export type Invitation = Selectable<InvitationsTable>;

export interface AuthSessionsTable {
  id: Generated<string>;
  user_id: string;
  organization_id: string;
  remember_me: Generated<boolean>;
  ip: string | null;
  user_agent: string | null;
  created_at: CreatedAt;
  last_used_at: UpdatedAt;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_reason: string | null;
  /** Signed in with a second factor (migrations/0004_mfa.sql). */
  mfa_verified: Generated<boolean>;
  sign_in_method: Generated<'password' | 'sso'>;
}

export interface RefreshTokensTable {
  id: Generated<string>;
  session_id: string;
  user_id: string;
  token_hash: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  rotated_at: Timestamp | null;
}

export interface AuthTokensTable {
  id: Generated<string>;
  user_id: string;
  purpose: 'password_reset' | 'email_verification';
  token_hash: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}
export type AuthSession = Selectable<AuthSessionsTable>;

export interface LoginThrottleTable {
  email_hash: string;
  failures: Generated<number>;
  first_failure_at: UpdatedAt;
  locked_until: Timestamp | null;
}

/** migrations/0003_profiles.sql: one artist profile per user; tax ID and bank account only as ciphertext. */
export interface ArtistProfilesTable {
  user_id: string;
  legal_name: string | null;
  stage_name: string | null;
  pronouns: string | null;
  phone: string | null;
  mailing_address: ColumnType<Record<string, string | null> | null, string | null, string | null>;
  emergency_contact: ColumnType<Record<string, string | null> | null, string | null, string | null>;
  preferred_timezone: string | null;
  unions: ColumnType<string[], string[] | undefined, string[]>;
  skills: ColumnType<string[], string[] | undefined, string[]>;
  tax_id_encrypted: string | null;
  tax_id_hash: string | null;
  tax_id_last4: string | null;
  bank_account_encrypted: string | null;
  bank_account_last4: string | null;
  redacted_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}
export type ArtistProfile = Selectable<ArtistProfilesTable>;

export type DeletionRequestStatus = 'requested' | 'completed' | 'cancelled';
export interface DeletionRequestsTable {
  id: Generated<string>;
  organization_id: string;
  user_id: string;
  status: ColumnType<DeletionRequestStatus, DeletionRequestStatus | undefined, DeletionRequestStatus>;
  requested_at: CreatedAt;
  due_at: Timestamp;
  processed_by: string | null;
  processed_at: Timestamp | null;
}
export type DeletionRequest = Selectable<DeletionRequestsTable>;

/** migrations/0004_mfa.sql: single-use backup codes (argon2id hashes) and pending second sign-in steps. */
export interface MfaBackupCodesTable {
  id: Generated<string>;
  user_id: string;
  code_hash: string;
  created_at: CreatedAt;
  used_at: Timestamp | null;
}

export interface MfaChallengesTable {
  id: Generated<string>;
  user_id: string;
  organization_id: string;
  token_hash: string;
  remember_me: Generated<boolean>;
  failed_attempts: Generated<number>;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

/** migrations/0006_sso.sql: OpenID Connect single sign-on per organization. */
export interface SsoConfigurationsTable {
  organization_id: string;
  issuer: string;
  client_id: string;
  client_secret_encrypted: string | null;
  scopes: Generated<string>;
  allowed_roles: ColumnType<Role[], Role[] | undefined, Role[]>;
  trust_idp_mfa: Generated<boolean>;
  enabled: Generated<boolean>;
  display_name: Generated<string>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}
export type SsoConfiguration = Selectable<SsoConfigurationsTable>;

export interface SsoLoginAttemptsTable {
  id: Generated<string>;
  organization_id: string;
  state_hash: string;
  code_verifier_encrypted: string;
  nonce: string;
  return_to: Generated<string>;
  remember_me: Generated<boolean>;
  created_at: CreatedAt;
  expires_at: Timestamp;
  consumed_at: Timestamp | null;
}

export interface UserIdentitiesTable {
  id: Generated<string>;
  user_id: string;
  organization_id: string;
  issuer: string;
  subject: string;
  created_at: CreatedAt;
  last_used_at: Generated<Date>;
}

/** migrations/0007_notifications.sql */
export type NotificationPriority = 'low' | 'normal' | 'high' | 'urgent';
export type DeliveryChannel = 'email' | 'sms' | 'push';
export type DeliveryStatus = 'pending' | 'sent' | 'delivered' | 'failed' | 'cancelled';

export interface NotificationsTable {
  id: Generated<string>;
  organization_id: string;
  user_id: string;
  type: string;
  priority: ColumnType<NotificationPriority, NotificationPriority | undefined, NotificationPriority>;
  subject: string;
  body: string;
  link: string | null;
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
  read_at: Timestamp | null;
  expires_at: Timestamp | null;
  created_at: CreatedAt;
}
export type Notification = Selectable<NotificationsTable>;

export interface NotificationDeliveriesTable {
  id: Generated<string>;
  organization_id: string;
  notification_id: string;
  user_id: string;
  channel: DeliveryChannel;
  status: ColumnType<DeliveryStatus, DeliveryStatus | undefined, DeliveryStatus>;
  scheduled_for: Timestamp | null;
  sent_at: Timestamp | null;
  delivered_at: Timestamp | null;
  error_message: string | null;
  retry_count: Generated<number>;
  provider_message_id: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}
export type NotificationDelivery = Selectable<NotificationDeliveriesTable>;

export interface NotificationPreferencesTable {
  user_id: string;
  channels: ColumnType<Record<string, Partial<Record<DeliveryChannel, boolean>>>, string | undefined, string>;
  quiet_hours_start: string | null;
  quiet_hours_end: string | null;
  daily_digest: Generated<boolean>;
  updated_at: UpdatedAt;
}

export interface PushSubscriptionsTable {
  id: Generated<string>;
  user_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  user_agent: string | null;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
}

/** migrations/0008_reminders.sql */
export interface RemindersTable {
  id: Generated<string>;
  organization_id: string;
  key: string;
  fire_at: Timestamp;
  notification: ColumnType<Record<string, unknown>, string, string>;
  status: ColumnType<'pending' | 'fired' | 'cancelled', 'pending' | 'fired' | 'cancelled' | undefined, 'pending' | 'fired' | 'cancelled'>;
  fired_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** migrations/0009_productions.sql */
export type ProductionStatus = 'planning' | 'active' | 'completed' | 'cancelled' | 'archived';
export interface ProductionsTable {
  id: Generated<string>;
  organization_id: string;
  name: string;
  code: string | null;
  description: string | null;
  /** Read as YYYY-MM-DD text and budget_amount as exact decimal text (productions.queries.ts), on both engines. */
  start_date: string;
  end_date: string;
  budget_amount: string | null;
  budget_currency: Generated<string>;
  status: ColumnType<ProductionStatus, ProductionStatus | undefined, ProductionStatus>;
  status_reason: string | null;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  archived_at: Timestamp | null;
  search: ColumnType<string, never, never>;
}
export type Production = Selectable<ProductionsTable>;

/** migrations/0010_contracts.sql */
export type ContractStatus = 'draft' | 'pending' | 'active' | 'expired' | 'cancelled';
export interface ContractsTable {
  id: Generated<string>;
  organization_id: string;
  production_id: string | null;
  title: string;
  description: string | null;
  status: ColumnType<ContractStatus, ContractStatus | undefined, ContractStatus>;
  current_version: Generated<number>;
  terms: ColumnType<Record<string, unknown>, string | undefined, string>;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  metadata: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  search: ColumnType<string, never, never>;
  /** migrations/0012_contract_signing.sql */
  signing_deadline: ColumnType<string | null, string | null | undefined, string | null>;
  reminder_every_days: ColumnType<number, number | undefined, number>;
}
export type Contract = Selectable<ContractsTable>;

export interface ContractVersionsTable {
  id: Generated<string>;
  organization_id: string;
  contract_id: string;
  version: number;
  file_id: string;
  sha256: string;
  change_summary: string | null;
  /** migrations/0013_contract_renditions.sql: the PDF rendition of a DOCX version */
  pdf_file_id: string | null;
  conversion_status: 'pending' | 'done' | 'failed' | null;
  conversion_error: string | null;
  created_by: string | null;
  created_at: CreatedAt;
}

/** migrations/0011_contract_assignments.sql */
export type AssignmentStatus = 'pending' | 'sent' | 'viewed' | 'signed' | 'declined' | 'expired';
export interface ContractAssignmentsTable {
  id: Generated<string>;
  organization_id: string;
  contract_id: string;
  artist_id: string;
  status: ColumnType<AssignmentStatus, AssignmentStatus | undefined, AssignmentStatus>;
  version_assigned: number;
  message: string | null;
  assigned_by: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  sent_at: Timestamp | null;
  viewed_at: Timestamp | null;
  signed_at: Timestamp | null;
  declined_at: Timestamp | null;
  decline_reason: string | null;
  reminder_count: Generated<number>;
  last_reminded_at: Timestamp | null;
  /** migrations/0012_contract_signing.sql */
  consent_at: Timestamp | null;
  signature_kind: 'typed' | 'drawn' | 'docusign' | null;
  signature_name: string | null;
  signed_version: number | null;
  signed_file_id: string | null;
  signed_sha256: string | null;
  signed_ip: string | null;
  signed_user_agent: string | null;
  expired_at: Timestamp | null;
}

/** migrations/0016_signature_envelopes.sql */
export interface SignatureEnvelopesTable {
  id: Generated<string>;
  organization_id: string;
  assignment_id: string;
  version: number;
  provider: 'docusign';
  envelope_id: string;
  status: ColumnType<'sent' | 'completed' | 'declined' | 'voided', 'sent' | 'completed' | 'declined' | 'voided' | undefined, 'sent' | 'completed' | 'declined' | 'voided'>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** migrations/0012_contract_signing.sql */
export interface OrganizationSigningKeysTable {
  organization_id: string;
  certificate_pem: string;
  private_key_encrypted: string;
  fingerprint_sha256: string;
  subject: string;
  not_after: Timestamp;
  source: 'generated' | 'uploaded';
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** migrations/0014_expenses.sql */
type Money = ColumnType<string, string | number, string | number>;
export interface ExpenseCategoriesTable {
  id: Generated<string>;
  organization_id: string;
  name: string;
  code: string;
  xero_account_code: string | null;
  requires_receipt: ColumnType<boolean, boolean | undefined, boolean>;
  requires_approval: ColumnType<boolean, boolean | undefined, boolean>;
  max_amount: ColumnType<string | null, string | null | undefined, string | null>;
  is_active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type ExpenseStatus = 'draft' | 'submitted' | 'approved' | 'rejected' | 'processing' | 'paid';
export type ApprovalLevel = 'automatic' | 'admin' | 'finance' | 'finance_director';
export interface ExpensesTable {
  id: Generated<string>;
  organization_id: string;
  artist_id: string;
  production_id: string | null;
  category_id: string;
  amount: Money;
  currency: string;
  exchange_rate: ColumnType<string, string | undefined, string>;
  base_currency: string;
  amount_base: ColumnType<string, never, never>;
  expense_date: ColumnType<string, string, string>;
  merchant: string;
  description: string;
  notes: string | null;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  is_billable: ColumnType<boolean, boolean | undefined, boolean>;
  is_reimbursable: ColumnType<boolean, boolean | undefined, boolean>;
  status: ColumnType<ExpenseStatus, ExpenseStatus | undefined, ExpenseStatus>;
  approval_level: ApprovalLevel | null;
  possible_duplicate_ids: ColumnType<string[], string[] | undefined, string[]>;
  submitted_at: Timestamp | null;
  approved_at: Timestamp | null;
  approved_by: string | null;
  rejected_at: Timestamp | null;
  rejected_by: string | null;
  rejection_reason: string | null;
  payment_batch_id: string | null;
  paid_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  search: ColumnType<string, never, never>;
}

export interface ExpenseReceiptsTable {
  id: Generated<string>;
  organization_id: string;
  expense_id: string;
  file_id: string;
  thumbnail_file_id: string | null;
  ocr: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  ocr_confidence: ColumnType<string | null, string | number | null, string | number | null>;
  needs_review: ColumnType<boolean, boolean | undefined, boolean>;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface ExpenseApprovalsTable {
  id: Generated<string>;
  organization_id: string;
  expense_id: string;
  decided_by: string | null;
  decision: 'submitted' | 'auto_approved' | 'approved' | 'rejected' | 'paid';
  level: ApprovalLevel;
  amount_base: Money;
  reason: string | null;
  created_at: CreatedAt;
}

export interface PaymentBatchesTable {
  id: Generated<string>;
  organization_id: string;
  reference: string;
  status: ColumnType<'processing' | 'paid', 'processing' | 'paid' | undefined, 'processing' | 'paid'>;
  currency: string;
  total_amount: Money;
  expense_count: ColumnType<number, number | undefined, number>;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  paid_at: Timestamp | null;
  paid_by: string | null;
}

/** migrations/0015_schedules.sql */
export type EventType = 'rehearsal' | 'performance' | 'meeting' | 'fitting' | 'photo_call' | 'travel' | 'call_time' | 'other';
export type EventStatus = 'scheduled' | 'cancelled';
export type Rsvp = 'invited' | 'confirmed' | 'declined' | 'tentative' | 'no_response';
export interface EventsTable {
  id: Generated<string>;
  organization_id: string;
  production_id: string | null;
  series_id: string | null;
  type: EventType;
  title: string;
  description: string | null;
  notes: string | null;
  call_time_notes: string | null;
  colour: string | null;
  time_zone: string;
  all_day: Generated<boolean>;
  starts_at: Timestamp;
  ends_at: Timestamp;
  rrule: string | null;
  recurrence_ends_at: Timestamp;
  recurrence_capped: Generated<boolean>;
  location_name: string | null;
  location_address: string | null;
  /** numeric(9,6): written as numbers, read as float8 (schedules.queries.ts). */
  latitude: ColumnType<number | null, number | null, number | null>;
  longitude: ColumnType<number | null, number | null, number | null>;
  virtual_url: string | null;
  required_roles: ColumnType<string[], string[] | undefined, string[]>;
  max_participants: number | null;
  acknowledgment_deadline: Timestamp | null;
  status: ColumnType<EventStatus, EventStatus | undefined, EventStatus>;
  cancellation_reason: string | null;
  cancelled_at: Timestamp | null;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface EventExceptionsTable {
  organization_id: string;
  event_id: string;
  occurrence: Timestamp;
  cancelled: Generated<boolean>;
  cancellation_reason: string | null;
  starts_at: Timestamp | null;
  ends_at: Timestamp | null;
  title: string | null;
  location_name: string | null;
  location_address: string | null;
  notes: string | null;
  updated_at: UpdatedAt;
}

export interface EventParticipantsTable {
  organization_id: string;
  event_id: string;
  user_id: string;
  role: string | null;
  rsvp: ColumnType<Rsvp, Rsvp | undefined, Rsvp>;
  responded_at: Timestamp | null;
  acknowledged_at: Timestamp | null;
  acknowledgment_note: string | null;
  added_at: CreatedAt;
}

export interface EventAttendanceTable {
  organization_id: string;
  event_id: string;
  user_id: string;
  occurrence: Timestamp;
  checked_in_at: Timestamp | null;
  checked_out_at: Timestamp | null;
  recorded_by: string | null;
}

export interface EventAttachmentsTable {
  organization_id: string;
  event_id: string;
  file_id: string;
}

export interface EventUpdatesTable {
  id: Generated<string>;
  organization_id: string;
  event_id: string;
  occurrence: Timestamp | null;
  change: string;
  previous: Json;
  current: Json;
  changed_by: string | null;
  created_at: CreatedAt;
}

export interface CalendarFeedsTable {
  id: Generated<string>;
  organization_id: string;
  user_id: string;
  token_hash: string;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}
