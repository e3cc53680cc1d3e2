-- External signing (DocuSign): the envelope made for an assignment and version, so the signer
-- returning to sign again reuses it and the provider's webhook finds the assignment it is about.
ALTER TABLE contract_assignments DROP CONSTRAINT contract_assignments_signature_kind;
ALTER TABLE contract_assignments ADD CONSTRAINT contract_assignments_signature_kind CHECK (signature_kind IN ('typed', 'drawn', 'docusign'));

CREATE TABLE signature_envelopes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  assignment_id uuid NOT NULL REFERENCES contract_assignments (id) ON DELETE CASCADE,
  version integer NOT NULL,
  provider varchar(20) NOT NULL,
  envelope_id varchar(100) NOT NULL,
  status varchar(20) NOT NULL DEFAULT 'sent',
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT signature_envelopes_status CHECK (status IN ('sent', 'completed', 'declined', 'voided')),
  CONSTRAINT signature_envelopes_provider CHECK (provider IN ('docusign'))
);
CREATE UNIQUE INDEX signature_envelopes_envelope_key ON signature_envelopes (provider, envelope_id);
CREATE INDEX signature_envelopes_assignment_idx ON signature_envelopes (organization_id, assignment_id, version);
CREATE TRIGGER signature_envelopes_updated_at BEFORE UPDATE ON signature_envelopes FOR EACH ROW EXECUTE FUNCTION set_updated_at();

ALTER TABLE signature_envelopes ENABLE ROW LEVEL SECURITY;
ALTER TABLE signature_envelopes FORCE ROW LEVEL SECURITY;
CREATE POLICY signature_envelopes_tenant ON signature_envelopes USING (organization_id = app_current_org()) WITH CHECK (organization_id = app_current_org());
-- The webhook arrives without a session: it finds the envelope's organization in the auth scope.
CREATE POLICY signature_envelopes_auth_lookup ON signature_envelopes FOR SELECT USING (current_setting('app.scope', true) = 'auth');
GRANT SELECT, INSERT, UPDATE ON signature_envelopes TO bigportal_app;
