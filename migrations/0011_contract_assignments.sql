-- Contract assignments (issue 5 items 4–5, 7): one per artist and contract, with its own status
-- pending → sent → viewed → signed / declined / expired, and when each step happened.
CREATE TABLE contract_assignments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  contract_id uuid NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
  artist_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status varchar(20) NOT NULL DEFAULT 'pending',
  version_assigned integer NOT NULL,
  message text,
  assigned_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  viewed_at timestamptz,
  signed_at timestamptz,
  declined_at timestamptz,
  decline_reason text,
  reminder_count integer NOT NULL DEFAULT 0,
  last_reminded_at timestamptz,
  CONSTRAINT contract_assignments_status CHECK (status IN ('pending', 'sent', 'viewed', 'signed', 'declined', 'expired')),
  CONSTRAINT contract_assignments_reminders CHECK (reminder_count >= 0)
);
CREATE UNIQUE INDEX contract_assignments_key ON contract_assignments (contract_id, artist_id);
CREATE INDEX contract_assignments_artist_idx ON contract_assignments (organization_id, artist_id);
CREATE TRIGGER contract_assignments_updated_at BEFORE UPDATE ON contract_assignments FOR EACH ROW EXECUTE FUNCTION set_updated_at();

ALTER TABLE contract_assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE contract_assignments FORCE ROW LEVEL SECURITY;
CREATE POLICY contract_assignments_tenant ON contract_assignments USING (organization_id = app_current_org()) WITH CHECK (organization_id = app_current_org());
GRANT SELECT, INSERT, UPDATE, DELETE ON contract_assignments TO bigportal_app;
