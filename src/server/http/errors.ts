/**
 * Every error the API can answer, in one table: a stable code (the RFC 7807 `type`), its HTTP
 * status and a human title. Services throw `AppError`; one handler turns it into
 * application/problem+json.
 */
export const errorCatalogue = {
  validation_error: { status: 400, title: 'Invalid request data' },
  malformed_json: { status: 400, title: 'Malformed JSON body' },
  invalid_characters: { status: 400, title: 'Request contains forbidden characters' },
  invalid_cursor: { status: 400, title: 'Invalid pagination cursor' },
  invalid_file_type: { status: 400, title: 'File type not allowed' },
  unauthorized: { status: 401, title: 'Authentication required' },
  invalid_credentials: { status: 401, title: 'E-mail or password is incorrect' },
  invalid_token: { status: 401, title: 'Invalid or expired token' },
  sso_failed: { status: 401, title: 'Single sign-on did not complete' },
  invalid_webhook_signature: { status: 401, title: 'The webhook signature does not match' },
  forbidden: { status: 403, title: 'Not allowed' },
  signup_closed: { status: 403, title: 'Sign-up of new organizations is closed' },
  mfa_enrolment_required: { status: 403, title: 'Two-factor authentication must be set up first' },
  not_assigned_to_user: { status: 403, title: 'This contract is not assigned to you' },
  insufficient_approval_limit: { status: 403, title: 'Above your approval limit' },
  not_found: { status: 404, title: 'Resource not found' },
  contract_not_found: { status: 404, title: 'Contract not found' },
  event_not_found: { status: 404, title: 'Event not found' },
  route_not_found: { status: 404, title: 'No such endpoint' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  unsupported_format: { status: 406, title: 'Requested format is not available' },
  conflict: { status: 409, title: 'Conflicts with the current state' },
  email_exists: { status: 409, title: 'E-mail already registered' },
  already_signed: { status: 409, title: 'Already signed' },
  assignment_closed: { status: 409, title: 'This assignment can no longer be signed' },
  document_not_ready: { status: 409, title: 'The document cannot be signed yet' },
  idempotency_in_flight: { status: 409, title: 'A request with this Idempotency-Key is still in progress' },
  link_expired: { status: 410, title: 'Link expired' },
  file_too_large: { status: 413, title: 'File too large' },
  payload_too_large: { status: 413, title: 'Request body too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  idempotency_key_reused: { status: 422, title: 'Idempotency-Key was used with a different request' },
  missing_receipts: { status: 422, title: 'A receipt is required' },
  unprocessable: { status: 422, title: 'Request cannot be processed' },
  rate_limited: { status: 429, title: 'Too many requests' },
  too_many_attempts: { status: 429, title: 'Too many attempts' },
  internal_error: { status: 500, title: 'Internal server error' },
  identity_provider_unavailable: { status: 502, title: 'The identity provider could not be reached' },
  signature_provider_unavailable: { status: 502, title: 'The signature service could not be reached' },
  service_unavailable: { status: 503, title: 'Service temporarily unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;
  readonly title: string;

  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
    /** Extra RFC 7807 members, e.g. `retry_after`. */
    readonly extensions?: { retry_after?: number },
  ) {
    super(detail ?? errorCatalogue[code].title);
    this.status = errorCatalogue[code].status;
    this.title = errorCatalogue[code].title;
  }
}

/** The answer for ids that do not exist *or* belong to another organization: never tell which. */
export function notFound(entity: string): AppError {
  return new AppError('not_found', `${entity} not found`);
}

/** Seed 004's own code for a contract that does not exist here (or is not yours to see). */
export function contractNotFound(): AppError {
  return new AppError('contract_not_found', 'Contract not found');
}
