-- Single sign-on with OpenID Connect (authorization code + PKCE), configured per organization
-- (Azure AD / Entra ID in production). Only people who already hold a membership with one of the
-- configured roles can sign in this way: the identity provider proves who they are, the portal
-- still decides what they may do.

-- One identity provider per organization. The client secret is sealed with the field cipher
-- (AES-256-GCM, bound to sso_configurations:<organization_id>:client_secret).
CREATE TABLE sso_configurations (
  organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
  issuer text NOT NULL,
  client_id text NOT NULL,
  client_secret_encrypted text,
  scopes text NOT NULL DEFAULT 'openid email profile',
  allowed_roles text[] NOT NULL DEFAULT ARRAY['admin', 'system_admin'],
  -- The provider enforces its own second factor: its sign-ins satisfy require_2fa_roles.
  trust_idp_mfa boolean NOT NULL DEFAULT false,
  enabled boolean NOT NULL DEFAULT true,
  display_name varchar(100) NOT NULL DEFAULT 'Single sign-on',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT sso_configurations_issuer CHECK (issuer ~ '^https?://'),
  CONSTRAINT sso_configurations_roles CHECK (allowed_roles <@ ARRAY['artist', 'admin', 'accountant', 'production_manager', 'finance_director', 'system_admin']
                                             AND cardinality(allowed_roles) > 0)
);
CREATE TRIGGER sso_configurations_updated_at BEFORE UPDATE ON sso_configurations
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- A sign-in on its way through the provider: the state (only its hash is kept), the PKCE
-- verifier (sealed), the nonce, and where to go afterwards. Valid 10 minutes, once.
CREATE TABLE sso_login_attempts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  state_hash char(64) NOT NULL,
  code_verifier_encrypted text NOT NULL,
  nonce text NOT NULL,
  return_to text NOT NULL DEFAULT '/',
  remember_me boolean NOT NULL DEFAULT false,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  consumed_at timestamptz,
  CONSTRAINT sso_login_attempts_expiry CHECK (expires_at > created_at),
  CONSTRAINT sso_login_attempts_return_to CHECK (return_to ~ '^/([^/\\]|$)')
);
CREATE UNIQUE INDEX sso_login_attempts_state_key ON sso_login_attempts (state_hash);
CREATE INDEX sso_login_attempts_expiry_idx ON sso_login_attempts (expires_at);

-- Which provider account (issuer + subject) belongs to which portal user in an organization,
-- linked at the first sign-in by the provider's e-mail claim and by subject afterwards.
CREATE TABLE user_identities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  issuer text NOT NULL,
  subject text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX user_identities_subject_key ON user_identities (organization_id, issuer, subject);
CREATE UNIQUE INDEX user_identities_user_key ON user_identities (organization_id, issuer, user_id);

ALTER TABLE sso_configurations ENABLE ROW LEVEL SECURITY;
ALTER TABLE sso_configurations FORCE ROW LEVEL SECURITY;
-- Administrators manage their organization's provider; the sign-in flow reads it.
CREATE POLICY sso_configurations_tenant ON sso_configurations
  USING (organization_id = app_current_org()) WITH CHECK (organization_id = app_current_org());
CREATE POLICY sso_configurations_auth_lookup ON sso_configurations FOR SELECT
  USING (current_setting('app.scope', true) = 'auth');

ALTER TABLE sso_login_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE sso_login_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY sso_login_attempts_auth ON sso_login_attempts
  USING (current_setting('app.scope', true) = 'auth') WITH CHECK (current_setting('app.scope', true) = 'auth');

ALTER TABLE user_identities ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_identities FORCE ROW LEVEL SECURITY;
CREATE POLICY user_identities_owner ON user_identities
  USING (user_id = app_current_user() OR current_setting('app.scope', true) = 'auth')
  WITH CHECK (user_id = app_current_user() OR current_setting('app.scope', true) = 'auth');
-- Administrators see (and unlink) the identities linked in their organization.
CREATE POLICY user_identities_tenant ON user_identities
  USING (organization_id = app_current_org()) WITH CHECK (organization_id = app_current_org());

GRANT SELECT, INSERT, UPDATE, DELETE ON sso_configurations, sso_login_attempts, user_identities TO bigportal_app;

-- How a session signed in: its access tokens say so in `amr` (password: pwd[, otp]; single
-- sign-on: fed[, mfa] when the provider vouches for a second factor).
ALTER TABLE auth_sessions ADD COLUMN sign_in_method varchar(10) NOT NULL DEFAULT 'password';
ALTER TABLE auth_sessions ADD CONSTRAINT auth_sessions_sign_in_method CHECK (sign_in_method IN ('password', 'sso'));
