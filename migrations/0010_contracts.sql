-- Contracts (issue 5 items 2–3): a document with terms, optionally belonging to a production;
-- every upload of its document is a version (amendments keep the history). Assignments to
-- artists and signing come with their own migration.
CREATE TABLE contracts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  production_id uuid REFERENCES productions (id) ON DELETE RESTRICT,
  title varchar(255) NOT NULL,
  description text,
  status varchar(20) NOT NULL DEFAULT 'draft',
  current_version integer NOT NULL DEFAULT 1,
  -- { amount, currency, payment_schedule: [{ label, due_date, amount }], start_date, end_date, union: { name, agreement } }
  terms jsonb NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  metadata jsonb NOT NULL DEFAULT '{}',
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  search tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(description, ''))) STORED,
  CONSTRAINT contracts_status CHECK (status IN ('draft', 'pending', 'active', 'expired', 'cancelled')),
  CONSTRAINT contracts_title CHECK (length(btrim(title)) > 0),
  CONSTRAINT contracts_version CHECK (current_version >= 1)
);
CREATE INDEX contracts_list_idx ON contracts (organization_id, created_at DESC, id DESC);
CREATE INDEX contracts_production_idx ON contracts (organization_id, production_id);
CREATE INDEX contracts_search_idx ON contracts USING gin (search);
CREATE TRIGGER contracts_updated_at BEFORE UPDATE ON contracts FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE contract_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  contract_id uuid NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
  version integer NOT NULL,
  file_id uuid NOT NULL REFERENCES files (id) ON DELETE RESTRICT,
  sha256 char(64) NOT NULL,
  change_summary text,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT contract_versions_version CHECK (version >= 1)
);
CREATE UNIQUE INDEX contract_versions_key ON contract_versions (contract_id, version);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['contracts', 'contract_versions'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (organization_id = app_current_org()) WITH CHECK (organization_id = app_current_org())', t || '_tenant', t);
  END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON contracts, contract_versions TO bigportal_app;
