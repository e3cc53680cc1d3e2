-- Productions (PRODUCT.md §3 capability 4, seed 000 `productions`): the project a company
-- produces; contracts, expenses and events link to one. Status lifecycle:
-- planning → active → completed, planning/active → cancelled, completed/cancelled → archived.
CREATE TABLE productions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name varchar(255) NOT NULL,
  code varchar(50),
  description text,
  start_date date NOT NULL,
  end_date date NOT NULL,
  budget_amount numeric(15, 2),
  budget_currency char(3) NOT NULL DEFAULT 'USD',
  status varchar(20) NOT NULL DEFAULT 'planning',
  status_reason text,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  archived_at timestamptz,
  search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(code, '') || ' ' || coalesce(description, ''))
  ) STORED,
  CONSTRAINT productions_dates CHECK (end_date >= start_date),
  CONSTRAINT productions_status CHECK (status IN ('planning', 'active', 'completed', 'cancelled', 'archived')),
  CONSTRAINT productions_budget CHECK (budget_amount IS NULL OR budget_amount >= 0),
  CONSTRAINT productions_currency CHECK (budget_currency ~ '^[A-Z]{3}$'),
  CONSTRAINT productions_name CHECK (length(btrim(name)) > 0)
);
CREATE UNIQUE INDEX productions_code_key ON productions (organization_id, lower(code)) WHERE code IS NOT NULL;
CREATE INDEX productions_list_idx ON productions (organization_id, created_at DESC, id DESC);
CREATE INDEX productions_dates_idx ON productions (organization_id, start_date, end_date);
CREATE INDEX productions_search_idx ON productions USING gin (search);
CREATE TRIGGER productions_updated_at BEFORE UPDATE ON productions FOR EACH ROW EXECUTE FUNCTION set_updated_at();

ALTER TABLE productions ENABLE ROW LEVEL SECURITY;
ALTER TABLE productions FORCE ROW LEVEL SECURITY;
CREATE POLICY productions_tenant ON productions USING (organization_id = app_current_org()) WITH CHECK (organization_id = app_current_org());
GRANT SELECT, INSERT, UPDATE, DELETE ON productions TO bigportal_app;
