-- Profiles and privacy: the artist profile (the contractor side of a user, one per user, shared by
-- the organizations the user belongs to) with its tax ID and bank account encrypted by the
-- application (AES-256-GCM, see src/server/crypto/field-encryption.ts), and deletion requests.
-- Nothing in clear here: *_encrypted hold `v1:<kid>:<iv>:<tag>:<ciphertext>`, tax_id_hash a keyed
-- HMAC of the normalized tax ID, *_last4 only what masked displays show.

CREATE TABLE artist_profiles (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  legal_name varchar(200),
  stage_name varchar(200),
  pronouns varchar(50),
  phone varchar(20),
  mailing_address jsonb,
  emergency_contact jsonb,
  preferred_timezone varchar(64),
  unions text[] NOT NULL DEFAULT '{}',
  skills text[] NOT NULL DEFAULT '{}',
  tax_id_encrypted text,
  tax_id_hash char(64),
  tax_id_last4 varchar(4),
  bank_account_encrypted text,
  bank_account_last4 varchar(4),
  redacted_at timestamptz,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT artist_profiles_phone_format CHECK (phone IS NULL OR phone ~ '^\+[1-9][0-9]{1,14}$'),
  CONSTRAINT artist_profiles_address_object CHECK (mailing_address IS NULL OR jsonb_typeof(mailing_address) = 'object'),
  CONSTRAINT artist_profiles_contact_object CHECK (emergency_contact IS NULL OR jsonb_typeof(emergency_contact) = 'object'),
  CONSTRAINT artist_profiles_lists CHECK (cardinality(unions) <= 20 AND cardinality(skills) <= 50),
  -- Ciphertexts only: a plaintext written here by mistake is refused by the database itself.
  CONSTRAINT artist_profiles_tax_id_sealed CHECK (tax_id_encrypted IS NULL OR tax_id_encrypted ~ '^v1:[A-Za-z0-9_-]{1,32}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$'),
  CONSTRAINT artist_profiles_bank_sealed CHECK (bank_account_encrypted IS NULL OR bank_account_encrypted ~ '^v1:[A-Za-z0-9_-]{1,32}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$'),
  CONSTRAINT artist_profiles_tax_id_parts CHECK ((tax_id_encrypted IS NULL) = (tax_id_hash IS NULL) AND (tax_id_encrypted IS NULL) = (tax_id_last4 IS NULL)),
  CONSTRAINT artist_profiles_bank_parts CHECK ((bank_account_encrypted IS NULL) = (bank_account_last4 IS NULL)),
  CONSTRAINT artist_profiles_hash_hex CHECK (tax_id_hash IS NULL OR tax_id_hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX artist_profiles_tax_hash_idx ON artist_profiles (tax_id_hash) WHERE tax_id_hash IS NOT NULL;
CREATE TRIGGER artist_profiles_updated_at BEFORE UPDATE ON artist_profiles
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Like users: visible to the person and to organizations they belong to; only the person creates it.
ALTER TABLE artist_profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE artist_profiles FORCE ROW LEVEL SECURITY;
CREATE POLICY artist_profiles_visible ON artist_profiles FOR SELECT
  USING (user_id = app_current_user() OR EXISTS (
    SELECT 1 FROM memberships m WHERE m.user_id = artist_profiles.user_id AND m.organization_id = app_current_org()));
CREATE POLICY artist_profiles_update ON artist_profiles FOR UPDATE
  USING (user_id = app_current_user() OR EXISTS (
    SELECT 1 FROM memberships m WHERE m.user_id = artist_profiles.user_id AND m.organization_id = app_current_org()))
  WITH CHECK (user_id = app_current_user() OR EXISTS (
    SELECT 1 FROM memberships m WHERE m.user_id = artist_profiles.user_id AND m.organization_id = app_current_org()));
CREATE POLICY artist_profiles_insert ON artist_profiles FOR INSERT
  WITH CHECK (user_id = app_current_user());
-- The schema owner (who runs migrations and `npm run pii:reencrypt`) re-encrypts every row; it
-- could switch RLS off anyway. The application role is never the owner.
CREATE POLICY artist_profiles_owner_maintenance ON artist_profiles TO CURRENT_USER
  USING (true) WITH CHECK (true);

-- ---------------------------------------------------------------------------------------------
-- Deletion requests: a person asks an organization to erase their personal data; an admin
-- completes it within 30 days (records the law requires, e.g. audit rows, are kept).
CREATE TABLE deletion_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status varchar(20) NOT NULL DEFAULT 'requested',
  requested_at timestamptz(3) NOT NULL DEFAULT now(),
  due_at timestamptz NOT NULL,
  processed_by uuid REFERENCES users (id),
  processed_at timestamptz,
  CONSTRAINT deletion_requests_status CHECK (status IN ('requested', 'completed', 'cancelled')),
  CONSTRAINT deletion_requests_due CHECK (due_at > requested_at),
  CONSTRAINT deletion_requests_processed CHECK ((status = 'requested') = (processed_at IS NULL))
);
CREATE UNIQUE INDEX deletion_requests_open_key ON deletion_requests (organization_id, user_id) WHERE status = 'requested';
CREATE INDEX deletion_requests_org_requested_idx ON deletion_requests (organization_id, requested_at DESC, id DESC);

ALTER TABLE deletion_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE deletion_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY deletion_requests_tenant ON deletion_requests
  USING (organization_id = app_current_org()) WITH CHECK (organization_id = app_current_org());

-- ---------------------------------------------------------------------------------------------
-- Completing a deletion tombstones the e-mail only when the person is active nowhere else, which
-- the organization cannot see under RLS. This answers that one question (true/false) for members
-- of the current organization only (null otherwise), running as the owner with a read-only policy.
CREATE POLICY memberships_owner_read ON memberships FOR SELECT TO CURRENT_USER USING (true);
CREATE FUNCTION app_user_active_elsewhere(p_user uuid) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    SELECT CASE
      WHEN NOT EXISTS (SELECT 1 FROM memberships WHERE user_id = p_user AND organization_id = app_current_org()) THEN NULL
      ELSE EXISTS (SELECT 1 FROM memberships WHERE user_id = p_user AND organization_id <> app_current_org()
                     AND (end_date IS NULL OR end_date >= CURRENT_DATE))
    END
  $$;
REVOKE ALL ON FUNCTION app_user_active_elsewhere(uuid) FROM PUBLIC;

GRANT SELECT, INSERT, UPDATE ON artist_profiles, deletion_requests TO bigportal_app;
GRANT EXECUTE ON FUNCTION app_user_active_elsewhere(uuid) TO bigportal_app;
