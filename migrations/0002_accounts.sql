-- Accounts: sessions with rotating refresh tokens, one-time tokens (password reset, e-mail
-- verification), sign-in lookups, and the policies that let a signed-in person see their own
-- memberships across organizations (organization switcher).

ALTER TABLE users
  ADD COLUMN password_changed_at timestamptz,
  ADD COLUMN totp_secret_encrypted text,
  ADD COLUMN totp_enabled_at timestamptz,
  ADD COLUMN totp_last_used_step bigint;

-- A session is one sign-in on one device: a family of refresh tokens rotated on every use.
CREATE TABLE auth_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  remember_me boolean NOT NULL DEFAULT false,
  ip inet,
  user_agent text,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason varchar(50),
  CONSTRAINT auth_sessions_expiry CHECK (expires_at > created_at),
  CONSTRAINT auth_sessions_reason CHECK (revoked_reason IS NULL OR revoked_reason IN
    ('logout', 'logout_all', 'revoked_by_user', 'password_changed', 'role_changed', 'token_reuse', 'membership_ended', 'admin'))
);
CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id, created_at DESC) WHERE revoked_at IS NULL;

CREATE TABLE refresh_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id uuid NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash char(64) NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  rotated_at timestamptz
);
CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- Single-use tokens sent by e-mail; only their SHA-256 is kept.
CREATE TABLE auth_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose varchar(30) NOT NULL,
  token_hash char(64) NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  CONSTRAINT auth_tokens_purpose CHECK (purpose IN ('password_reset', 'email_verification'))
);
CREATE UNIQUE INDEX auth_tokens_hash_key ON auth_tokens (token_hash);
CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id, purpose) WHERE used_at IS NULL;

-- Row-level security: a person's own rows; the sign-in flow (scope 'auth') looks rows up by
-- e-mail or token hash before anyone is signed in.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['auth_sessions', 'refresh_tokens', 'auth_tokens'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format($p$CREATE POLICY %I ON %I
      USING (user_id = app_current_user() OR current_setting('app.scope', true) = 'auth')
      WITH CHECK (user_id = app_current_user() OR current_setting('app.scope', true) = 'auth')$p$, t || '_owner', t);
  END LOOP;
END
$$;

CREATE POLICY users_auth_lookup ON users FOR SELECT USING (current_setting('app.scope', true) = 'auth');
CREATE POLICY users_auth_update ON users FOR UPDATE USING (current_setting('app.scope', true) = 'auth');

-- Everyone sees their own memberships and the organizations they belong to (switcher).
CREATE POLICY memberships_self ON memberships FOR SELECT
  USING (user_id = app_current_user() OR current_setting('app.scope', true) = 'auth');
CREATE POLICY organizations_member ON organizations FOR SELECT
  USING (EXISTS (SELECT 1 FROM memberships m WHERE m.organization_id = organizations.id AND m.user_id = app_current_user())
         OR current_setting('app.scope', true) = 'auth');
-- Accepting an invitation finds it by token hash before the person belongs to the organization.
CREATE POLICY invitations_auth_lookup ON invitations FOR SELECT USING (current_setting('app.scope', true) = 'auth');

GRANT SELECT, INSERT, UPDATE, DELETE ON auth_sessions, refresh_tokens, auth_tokens TO bigportal_app;

-- Failed sign-ins counted per e-mail (hashed), whether or not an account exists, so a locked
-- account answers exactly like an unknown one.
CREATE TABLE login_throttle (
  email_hash char(64) PRIMARY KEY,
  failures integer NOT NULL DEFAULT 0,
  first_failure_at timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  CONSTRAINT login_throttle_failures CHECK (failures >= 0)
);
ALTER TABLE login_throttle ENABLE ROW LEVEL SECURITY;
ALTER TABLE login_throttle FORCE ROW LEVEL SECURITY;
CREATE POLICY login_throttle_auth ON login_throttle
  USING (current_setting('app.scope', true) = 'auth') WITH CHECK (current_setting('app.scope', true) = 'auth');
GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO bigportal_app;

-- Administrators end sessions of people in their organization (role changes, removal).
CREATE POLICY auth_sessions_tenant ON auth_sessions USING (organization_id = app_current_org());
