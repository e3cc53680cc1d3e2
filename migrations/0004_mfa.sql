-- Two-factor authentication (TOTP, RFC 6238): single-use backup codes, the pending second step
-- of a sign-in, and whether a session was signed in with a second factor. The TOTP secret itself
-- lives encrypted in users.totp_secret_encrypted (0002), the last accepted time step in
-- users.totp_last_used_step so each code works once.

-- Backup codes: only an argon2id hash is kept; each works once.
CREATE TABLE mfa_backup_codes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash text NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  used_at timestamptz
);
CREATE INDEX mfa_backup_codes_user_idx ON mfa_backup_codes (user_id) WHERE used_at IS NULL;

-- The second step of a sign-in: the right password was given, a code is still due. The token
-- handed to the client is random; only its SHA-256 is kept. Valid 5 minutes, once, and for a
-- few wrong codes only (each also counts toward the per-e-mail lockout).
CREATE TABLE mfa_challenges (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  token_hash char(64) NOT NULL,
  remember_me boolean NOT NULL DEFAULT false,
  failed_attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  CONSTRAINT mfa_challenges_expiry CHECK (expires_at > created_at),
  CONSTRAINT mfa_challenges_attempts CHECK (failed_attempts >= 0)
);
CREATE UNIQUE INDEX mfa_challenges_hash_key ON mfa_challenges (token_hash);
CREATE INDEX mfa_challenges_user_idx ON mfa_challenges (user_id, created_at DESC);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['mfa_backup_codes', 'mfa_challenges'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format($p$CREATE POLICY %I ON %I
      USING (user_id = app_current_user() OR current_setting('app.scope', true) = 'auth')
      WITH CHECK (user_id = app_current_user() OR current_setting('app.scope', true) = 'auth')$p$, t || '_owner', t);
  END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON mfa_backup_codes, mfa_challenges TO bigportal_app;

-- A session started with password and code carries amr ["pwd","otp"] in its access tokens,
-- refresh after refresh.
ALTER TABLE auth_sessions ADD COLUMN mfa_verified boolean NOT NULL DEFAULT false;

-- Turning two-factor on ends the account's other (password-only) sessions.
ALTER TABLE auth_sessions DROP CONSTRAINT auth_sessions_reason;
ALTER TABLE auth_sessions ADD CONSTRAINT auth_sessions_reason CHECK (revoked_reason IS NULL OR revoked_reason IN
  ('logout', 'logout_all', 'revoked_by_user', 'password_changed', 'role_changed', 'token_reuse', 'membership_ended', 'admin', 'mfa_enabled'));
