-- Core schema: tenants, identities, memberships, audit, idempotency, files.
-- Runs unchanged on PostgreSQL 15+ and on the embedded engine (PGlite). Use nothing newer than 15.
-- Convention: created_at columns are timestamptz(3) so pagination cursors (millisecond ISO
-- strings) compare exactly.

CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The role the application runs as on a real server. It owns nothing, is not a superuser and
-- cannot bypass row-level security; operators create a LOGIN role that is a member of it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bigportal_app') THEN
    CREATE ROLE bigportal_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;

-- Tenant context helpers. Set per transaction with set_config(..., true); empty means unset.
CREATE FUNCTION app_current_org() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT NULLIF(current_setting('app.organization_id', true), '')::uuid $$;

CREATE FUNCTION app_current_user() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;

CREATE FUNCTION set_updated_at() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Organizations (the tenant). Settings follow seed 000's defaults.
CREATE TABLE organizations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name varchar(255) NOT NULL,
  slug varchar(50) NOT NULL,
  settings jsonb NOT NULL DEFAULT '{
    "timezone": "America/New_York",
    "fiscal_year_start": "01-01",
    "default_currency": "USD",
    "expense_categories": ["Transportation", "Meals", "Accommodation", "Supplies", "Professional Services", "Other"],
    "approval_limits": {"automatic": 100, "admin": 500, "finance": 1000},
    "expense_submission_window_days": 90,
    "allow_open_registration": false,
    "require_2fa_roles": []
  }',
  is_active boolean NOT NULL DEFAULT true,
  subscription_tier varchar(50) NOT NULL DEFAULT 'professional',
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  CONSTRAINT organizations_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]*[a-z0-9]$' AND length(slug) BETWEEN 3 AND 50),
  CONSTRAINT organizations_name_not_blank CHECK (length(btrim(name)) > 0),
  CONSTRAINT organizations_settings_object CHECK (jsonb_typeof(settings) = 'object'),
  CONSTRAINT organizations_tier CHECK (subscription_tier IN ('artist', 'professional', 'enterprise'))
);
CREATE UNIQUE INDEX organizations_slug_key ON organizations (slug);
CREATE INDEX organizations_active_idx ON organizations (id) WHERE is_active AND deleted_at IS NULL;
CREATE TRIGGER organizations_updated_at BEFORE UPDATE ON organizations
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Users: one global identity per e-mail; what they may do lives in memberships.
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email varchar(255) NOT NULL,
  password_hash varchar(255),
  first_name varchar(100) NOT NULL,
  last_name varchar(100) NOT NULL,
  phone varchar(20),
  locale varchar(20) NOT NULL DEFAULT 'en',
  timezone varchar(64),
  is_active boolean NOT NULL DEFAULT true,
  email_verified_at timestamptz,
  last_login_at timestamptz,
  failed_login_attempts integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  CONSTRAINT users_email_format CHECK (email ~* '^[A-Za-z0-9._%+''-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$'),
  CONSTRAINT users_phone_format CHECK (phone IS NULL OR phone ~ '^\+[1-9][0-9]{1,14}$'),
  CONSTRAINT users_failed_attempts CHECK (failed_login_attempts >= 0)
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_active_idx ON users (id) WHERE is_active AND deleted_at IS NULL;
CREATE INDEX users_name_trgm_idx ON users USING gin ((first_name || ' ' || last_name || ' ' || email) gin_trgm_ops);
CREATE TRIGGER users_updated_at BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Memberships: user x organization x role (seed 000 company_users).
CREATE TABLE memberships (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role varchar(30) NOT NULL,
  department varchar(100),
  title varchar(100),
  start_date date NOT NULL DEFAULT CURRENT_DATE,
  end_date date,
  is_primary boolean NOT NULL DEFAULT false,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT memberships_role CHECK (role IN ('artist', 'admin', 'accountant', 'production_manager', 'finance_director', 'system_admin')),
  CONSTRAINT memberships_dates CHECK (end_date IS NULL OR end_date >= start_date),
  CONSTRAINT memberships_unique UNIQUE (organization_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);
CREATE INDEX memberships_org_role_idx ON memberships (organization_id, role) WHERE end_date IS NULL;
CREATE INDEX memberships_org_created_idx ON memberships (organization_id, created_at DESC, id DESC);
CREATE TRIGGER memberships_updated_at BEFORE UPDATE ON memberships
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Invitations: an admin invites a person by e-mail with a role; only the token's hash is kept.
CREATE TABLE invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  email varchar(255) NOT NULL,
  role varchar(30) NOT NULL,
  first_name varchar(100),
  last_name varchar(100),
  department varchar(100),
  message text,
  token_hash char(64) NOT NULL,
  invited_by uuid REFERENCES users (id),
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  revoked_at timestamptz,
  CONSTRAINT invitations_role CHECK (role IN ('artist', 'admin', 'accountant', 'production_manager', 'finance_director', 'system_admin')),
  CONSTRAINT invitations_email_format CHECK (email ~* '^[A-Za-z0-9._%+''-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$'),
  CONSTRAINT invitations_message_length CHECK (message IS NULL OR length(message) <= 2000),
  CONSTRAINT invitations_single_outcome CHECK (accepted_at IS NULL OR revoked_at IS NULL),
  CONSTRAINT invitations_expiry_after_creation CHECK (expires_at > created_at)
);
CREATE UNIQUE INDEX invitations_token_key ON invitations (token_hash);
CREATE UNIQUE INDEX invitations_open_per_email ON invitations (organization_id, lower(email))
  WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_org_created_idx ON invitations (organization_id, created_at DESC, id DESC);

-- ---------------------------------------------------------------------------------------------
-- System settings: global switches for system administrators (not tenant data).
CREATE TABLE system_settings (
  key varchar(100) PRIMARY KEY,
  value jsonb NOT NULL,
  description text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT system_settings_key_format CHECK (key ~ '^[a-z][a-z0-9_.]*$')
);
CREATE TRIGGER system_settings_updated_at BEFORE UPDATE ON system_settings
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
INSERT INTO system_settings (key, value, description) VALUES
  ('signup.open', 'true', 'Whether POST /api/v1/organizations accepts public sign-ups'),
  ('audit.retention_years', '7', 'How long audit rows are kept');

-- ---------------------------------------------------------------------------------------------
-- Audit log: append-only, hash-chained per organization (seq 1, 2, 3 ... with prev_hash).
CREATE TABLE audit_logs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id),
  seq bigint NOT NULL,
  actor_id uuid,
  entity_type varchar(50) NOT NULL,
  entity_id varchar(100),
  action varchar(50) NOT NULL,
  before jsonb,
  after jsonb,
  changed_fields text[],
  ip inet,
  user_agent text,
  request_id varchar(100),
  created_at timestamptz(3) NOT NULL,
  prev_hash char(64) NOT NULL,
  hash char(64) NOT NULL,
  CONSTRAINT audit_logs_seq_positive CHECK (seq > 0),
  CONSTRAINT audit_logs_action_format CHECK (action ~ '^[a-z][a-z0-9_.]*$'),
  CONSTRAINT audit_logs_seq_unique UNIQUE (organization_id, seq)
);
CREATE INDEX audit_logs_entity_idx ON audit_logs (organization_id, entity_type, entity_id);
CREATE INDEX audit_logs_actor_idx ON audit_logs (organization_id, actor_id);
CREATE INDEX audit_logs_time_idx ON audit_logs (organization_id, created_at DESC);
CREATE INDEX audit_logs_action_idx ON audit_logs (organization_id, action);

-- The last link of each organization's chain; updating it serializes writers per organization
-- and lets the verifier notice rows cut from the end.
CREATE TABLE audit_chain_heads (
  organization_id uuid PRIMARY KEY REFERENCES organizations (id),
  last_seq bigint NOT NULL DEFAULT 0,
  last_hash char(64) NOT NULL DEFAULT repeat('0', 64),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------------------------
-- Idempotency keys, written in the same transaction as the change they protect.
CREATE TABLE idempotency_keys (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  actor_id uuid NOT NULL,
  key varchar(255) NOT NULL,
  method varchar(10) NOT NULL,
  path text NOT NULL,
  request_hash char(64) NOT NULL,
  response_status smallint NOT NULL,
  response_body jsonb,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL DEFAULT now() + interval '24 hours',
  PRIMARY KEY (organization_id, actor_id, key),
  CONSTRAINT idempotency_status CHECK (response_status BETWEEN 100 AND 599)
);
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at);

-- ---------------------------------------------------------------------------------------------
-- Stored files (bytes live in the storage provider; this is the catalogue).
CREATE TABLE files (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  storage_provider varchar(30) NOT NULL DEFAULT 'local',
  storage_key text NOT NULL,
  original_name varchar(255) NOT NULL,
  content_type varchar(127) NOT NULL,
  size_bytes bigint NOT NULL,
  sha256 char(64) NOT NULL,
  purpose varchar(50) NOT NULL DEFAULT 'attachment',
  uploaded_by uuid REFERENCES users (id),
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  CONSTRAINT files_size_positive CHECK (size_bytes > 0),
  CONSTRAINT files_sha256_hex CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  CONSTRAINT files_storage_key_unique UNIQUE (storage_provider, storage_key)
);
CREATE INDEX files_org_created_idx ON files (organization_id, created_at DESC, id DESC);
CREATE INDEX files_sha_idx ON files (organization_id, sha256);

-- ---------------------------------------------------------------------------------------------
-- Row-level security: the second wall behind the application's own organization scoping.
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY organizations_tenant ON organizations
  USING (id = app_current_org()) WITH CHECK (id = app_current_org());
-- Background jobs list organizations (ids only are read) before working tenant by tenant.
CREATE POLICY organizations_system_list ON organizations FOR SELECT
  USING (current_setting('app.scope', true) = 'system');

-- A user row is visible to themselves and to organizations they belong to; anyone may insert
-- (sign-up and invitations create the identity before the membership).
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_visible ON users FOR SELECT
  USING (id = app_current_user() OR EXISTS (
    SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.organization_id = app_current_org()));
CREATE POLICY users_update ON users FOR UPDATE
  USING (id = app_current_user() OR EXISTS (
    SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.organization_id = app_current_org()));
CREATE POLICY users_insert ON users FOR INSERT WITH CHECK (true);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['memberships', 'invitations', 'audit_logs', 'audit_chain_heads', 'idempotency_keys', 'files'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (organization_id = app_current_org()) WITH CHECK (organization_id = app_current_org())', t || '_tenant', t);
  END LOOP;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Privileges of the application role.
GRANT USAGE ON SCHEMA public TO bigportal_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON organizations, users, memberships, invitations,
  idempotency_keys, files TO bigportal_app;
-- The chain head only ever moves forward.
GRANT SELECT, INSERT, UPDATE ON audit_chain_heads TO bigportal_app;
GRANT SELECT ON system_settings TO bigportal_app;
-- Audit rows can be added and read, never changed or removed by the application.
GRANT SELECT, INSERT ON audit_logs TO bigportal_app;
GRANT EXECUTE ON FUNCTION app_current_org(), app_current_user() TO bigportal_app;
