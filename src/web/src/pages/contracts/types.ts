/** Shapes of the contracts API (src/server/modules/contracts/contracts.schemas.ts) as the web app uses them. */
import type { Role } from '../../auth/types.js';

export const CONTRACT_STATUSES = ['draft', 'pending', 'active', 'expired', 'cancelled'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

export const CONTRACT_STATUS_LABEL: Record<ContractStatus, string> = {
  draft: 'Draft',
  pending: 'Awaiting signatures',
  active: 'Active',
  expired: 'Expired',
  cancelled: 'Cancelled',
};

export const CONTRACT_STATUS_COLOR = {
  draft: 'default',
  pending: 'info',
  active: 'success',
  expired: 'warning',
  cancelled: 'warning',
} as const satisfies Record<ContractStatus, string>;

export const ASSIGNMENT_STATUSES = ['pending', 'sent', 'viewed', 'signed', 'declined', 'expired'] as const;
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];

export const ASSIGNMENT_STATUS_LABEL: Record<AssignmentStatus, string> = {
  pending: 'Not sent',
  sent: 'Sent',
  viewed: 'Viewed',
  signed: 'Signed',
  declined: 'Declined',
  expired: 'Expired',
};

export const ASSIGNMENT_STATUS_COLOR = {
  pending: 'default',
  sent: 'info',
  viewed: 'primary',
  signed: 'success',
  declined: 'error',
  expired: 'warning',
} as const satisfies Record<AssignmentStatus, string>;

/** Who sees every contract and runs them (the API's `contracts:read:any`, `contracts:write`). */
export const CONTRACT_ADMIN_ROLES: readonly Role[] = ['admin', 'system_admin'];

export interface PaymentMilestone {
  label: string;
  due_date: string;
  amount: string;
}

export interface ContractTerms {
  amount?: string;
  currency?: string;
  payment_schedule?: PaymentMilestone[];
  start_date?: string;
  end_date?: string;
  union?: { name: string; agreement?: string; member_number?: string };
}

export interface ContractVersion {
  version: number;
  file: { id: string; name: string; content_type: string; size_bytes: number; sha256: string };
  change_summary: string | null;
  pdf_rendition: { status: 'not_needed' | 'pending' | 'done' | 'failed'; error: string | null };
  created_by: string | null;
  created_at: string;
}

export interface MyAssignment {
  id: string;
  status: AssignmentStatus;
  message: string | null;
  version_assigned: number;
  signed_version?: number | null;
  needs_resigning: boolean;
  viewed_at: string | null;
  signed_at: string | null;
  declined_at: string | null;
  decline_reason: string | null;
  /** Open for signing now (sent/viewed, or signed an older version). */
  can_sign?: boolean;
  /** builtin: signed on this page; docusign: on DocuSign's page, reached from here. */
  signing_provider?: 'builtin' | 'docusign';
}

/** GET /api/v1/contracts items (with the viewer's `my_assignment` and, for admins, `signatures`); GET /api/v1/contracts/:id adds `versions`. */
export interface Contract {
  id: string;
  title: string;
  description: string | null;
  production: { id: string; name: string } | null;
  status: ContractStatus;
  current_version: number;
  terms: ContractTerms;
  tags: string[];
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  signing_deadline?: string | null;
  reminder_every_days?: number;
  versions?: ContractVersion[];
  my_assignment?: MyAssignment | null;
  /** Administrators: how many are assigned, have signed, have declined. */
  signatures?: { assigned: number; signed: number; declined: number } | null;
  allowed_actions: string[];
}

/** GET /api/v1/contracts/:id/status */
export interface ContractSignatureStatus {
  contract_id: string;
  status: ContractStatus;
  current_version: number;
  counts: Partial<Record<AssignmentStatus, number>>;
  assignments: {
    id: string;
    artist: { id: string; name: string; email: string };
    status: AssignmentStatus;
    version_assigned: number;
    needs_resigning: boolean;
    sent_at: string | null;
    viewed_at: string | null;
    signed_at: string | null;
    declined_at: string | null;
    decline_reason: string | null;
    reminder_count: number;
    last_reminded_at?: string | null;
    expired_at?: string | null;
    signed_version?: number | null;
    signature_kind?: 'typed' | 'drawn' | null;
    has_signed_document?: boolean;
  }[];
}

/** POST /api/v1/contracts/:id/assign */
export interface AssignResult {
  contract_id: string;
  assigned: number;
  results: { artist_id: string; result: 'assigned' | 'already_assigned'; assignment_id: string }[];
}

/** POST /api/v1/contracts/:id/sign */
export interface SignResult {
  assignment_id: string;
  status: 'signed';
  signed_at: string;
  version: number;
  signed_document: { sha256: string; size_bytes?: number };
}

/** The answer of POST /sign with DocuSign: where to send the signer. */
export interface SignRedirect {
  assignment_id: string;
  status: 'redirect';
  provider: 'docusign';
  url: string;
  expires_at: string;
}

export type { DownloadLink } from '../../api.js';

/** GET /api/v1/members items (the part the artist picker needs). */
export interface Member {
  id: string;
  user_id: string;
  email: string;
  first_name: string;
  last_name: string;
  role: Role;
  is_active: boolean;
}

/** The words the signer agrees to (the API prints the same sentence on the certificate page). */
export const CONSENT_TEXT = 'I agree to sign this document electronically. My electronic signature is as binding as my handwritten signature.';

/** Upload limits the API applies (FILE_MAX_BYTES default); the server checks again by content. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
export const ACCEPTED_TYPES = {
  'application/pdf': 'PDF',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word (DOCX)',
} as const;
export const ACCEPT_ATTRIBUTE = '.pdf,.docx,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** Why a chosen file will not do, before anything is sent; null when it looks right. */
export function fileProblem(file: File): string | null {
  const byName = /\.(pdf|docx)$/i.test(file.name);
  const byType = file.type in ACCEPTED_TYPES;
  if (!byName && !byType) return `${file.name} is not a PDF or Word (DOCX) document`;
  if (file.size === 0) return `${file.name} is empty`;
  if (file.size > MAX_UPLOAD_BYTES) return `${file.name} is ${formatBytes(file.size)}; the largest document is ${formatBytes(MAX_UPLOAD_BYTES)}`;
  return null;
}

const bytesFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${bytesFormat.format(bytes / 1024)} kB`;
  return `${bytesFormat.format(bytes / (1024 * 1024))} MB`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dayFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** An instant in the reader's time zone and locale; an empty string for null. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** A calendar day ("2026-03-01") in the reader's locale, never moved by a time zone. */
export function formatDay(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? iso : dayFormat.format(d);
}

/** Query keys shared by the screens, so one change refreshes every view of a contract. */
export const contractKeys = {
  all: ['contracts'] as const,
  list: (filters: object) => ['contracts', 'list', filters] as const,
  detail: (id: string) => ['contracts', 'detail', id] as const,
  status: (id: string) => ['contracts', 'status', id] as const,
  toSign: ['contracts', 'to-sign'] as const,
};
