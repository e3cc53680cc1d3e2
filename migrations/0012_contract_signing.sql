-- Contract signing (issue 5 items 6–7): what each signature rests on (consent, the signature
-- itself, where it came from, the signed document), the organization's signing certificate, and
-- the signing deadline and reminder cadence of a contract.
ALTER TABLE contracts
  ADD COLUMN signing_deadline date,
  ADD COLUMN reminder_every_days smallint NOT NULL DEFAULT 3,
  ADD CONSTRAINT contracts_reminder_every CHECK (reminder_every_days BETWEEN 1 AND 30);

ALTER TABLE contract_assignments
  ADD COLUMN consent_at timestamptz,
  ADD COLUMN signature_kind varchar(10),
  ADD COLUMN signature_name text,
  ADD COLUMN signed_version integer,
  ADD COLUMN signed_file_id uuid REFERENCES files (id) ON DELETE RESTRICT,
  ADD COLUMN signed_sha256 char(64),
  ADD COLUMN signed_ip text,
  ADD COLUMN signed_user_agent text,
  ADD COLUMN expired_at timestamptz,
  ADD CONSTRAINT contract_assignments_signature_kind CHECK (signature_kind IN ('typed', 'drawn')),
  -- A signed assignment always has its consent, its document and the version it signed.
  ADD CONSTRAINT contract_assignments_signed CHECK (
    signed_at IS NULL OR (consent_at IS NOT NULL AND signed_file_id IS NOT NULL AND signed_sha256 IS NOT NULL AND signed_version IS NOT NULL)
  );
CREATE INDEX contract_assignments_open_idx ON contract_assignments (status, last_reminded_at) WHERE status IN ('pending', 'sent', 'viewed');

-- One signing certificate per organization (generated on first use, or uploaded by an admin).
-- The private key is stored encrypted with the field key ring (AES-256-GCM, key id for rotation).
CREATE TABLE organization_signing_keys (
  organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
  certificate_pem text NOT NULL,
  private_key_encrypted text NOT NULL,
  fingerprint_sha256 char(64) NOT NULL,
  subject text NOT NULL,
  not_after timestamptz NOT NULL,
  source varchar(10) NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT organization_signing_keys_source CHECK (source IN ('generated', 'uploaded'))
);
CREATE TRIGGER organization_signing_keys_updated_at BEFORE UPDATE ON organization_signing_keys FOR EACH ROW EXECUTE FUNCTION set_updated_at();
ALTER TABLE organization_signing_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE organization_signing_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY organization_signing_keys_tenant ON organization_signing_keys USING (organization_id = app_current_org()) WITH CHECK (organization_id = app_current_org());
GRANT SELECT, INSERT, UPDATE ON organization_signing_keys TO bigportal_app;
