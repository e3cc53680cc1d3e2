-- Reminders (issue 4 item 7): notifications due at a given time (24 h and 2 h before an event,
-- contract reminders). Each has a key unique in its organization, so scheduling again (an event
-- moved) replaces the pending one; a minute job claims due reminders atomically, so each fires
-- once however many workers run.
CREATE TABLE reminders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  key varchar(200) NOT NULL,
  fire_at timestamptz NOT NULL,
  -- What to notify: { type, recipients, subject, body, link, data, priority }.
  notification jsonb NOT NULL,
  status varchar(20) NOT NULL DEFAULT 'pending',
  fired_at timestamptz,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT reminders_status CHECK (status IN ('pending', 'fired', 'cancelled'))
);
CREATE UNIQUE INDEX reminders_key ON reminders (organization_id, key);
CREATE INDEX reminders_due_idx ON reminders (organization_id, fire_at) WHERE status = 'pending';
CREATE TRIGGER reminders_updated_at BEFORE UPDATE ON reminders FOR EACH ROW EXECUTE FUNCTION set_updated_at();

ALTER TABLE reminders ENABLE ROW LEVEL SECURITY;
ALTER TABLE reminders FORCE ROW LEVEL SECURITY;
CREATE POLICY reminders_tenant ON reminders USING (organization_id = app_current_org()) WITH CHECK (organization_id = app_current_org());
GRANT SELECT, INSERT, UPDATE, DELETE ON reminders TO bigportal_app;
