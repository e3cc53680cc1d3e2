-- Expenses (issue 6): categories per organization, expenses with exact amounts and exchange
-- rates, receipts, the approval history and payment batches.

CREATE TABLE expense_categories (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name varchar(60) NOT NULL,
  code varchar(30) NOT NULL,
  xero_account_code varchar(20),
  requires_receipt boolean NOT NULL DEFAULT true,
  requires_approval boolean NOT NULL DEFAULT true,
  max_amount numeric(15, 2),
  is_active boolean NOT NULL DEFAULT true,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT expense_categories_name CHECK (length(btrim(name)) > 0),
  CONSTRAINT expense_categories_max CHECK (max_amount IS NULL OR max_amount > 0)
);
CREATE UNIQUE INDEX expense_categories_name_key ON expense_categories (organization_id, lower(name));
CREATE UNIQUE INDEX expense_categories_code_key ON expense_categories (organization_id, code);
CREATE TRIGGER expense_categories_updated_at BEFORE UPDATE ON expense_categories FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Seed 000's default categories for a new organization (and every existing one below). The
-- sign-up transaction is not scoped to the new organization yet: the function scopes its own
-- insert to it (row-level security is forced, also for the owner) and restores the caller's scope.
CREATE FUNCTION create_default_expense_categories() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE caller_scope text := current_setting('app.organization_id', true);
BEGIN
  PERFORM set_config('app.organization_id', NEW.id::text, true);
  INSERT INTO expense_categories (organization_id, name, code, xero_account_code, requires_receipt, max_amount)
  VALUES (NEW.id, 'Transportation', 'TRANSPORT', '493', true, NULL),
         (NEW.id, 'Meals', 'MEALS', '420', true, 200),
         (NEW.id, 'Accommodation', 'ACCOMMODATION', '494', true, NULL),
         (NEW.id, 'Supplies', 'SUPPLIES', '461', true, NULL),
         (NEW.id, 'Professional Services', 'PROFESSIONAL', '412', true, NULL),
         (NEW.id, 'Other', 'OTHER', '429', true, NULL)
  ON CONFLICT DO NOTHING;
  PERFORM set_config('app.organization_id', coalesce(caller_scope, ''), true);
  RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION create_default_expense_categories() FROM PUBLIC;
CREATE TRIGGER organizations_default_expense_categories AFTER INSERT ON organizations FOR EACH ROW EXECUTE FUNCTION create_default_expense_categories();
INSERT INTO expense_categories (organization_id, name, code, xero_account_code, requires_receipt, max_amount)
SELECT o.id, c.name, c.code, c.xero, true, c.max
FROM organizations o CROSS JOIN (VALUES ('Transportation', 'TRANSPORT', '493', NULL::numeric), ('Meals', 'MEALS', '420', 200), ('Accommodation', 'ACCOMMODATION', '494', NULL),
  ('Supplies', 'SUPPLIES', '461', NULL), ('Professional Services', 'PROFESSIONAL', '412', NULL), ('Other', 'OTHER', '429', NULL)) AS c (name, code, xero, max)
ON CONFLICT DO NOTHING;

CREATE TABLE payment_batches (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  reference varchar(40) NOT NULL,
  status varchar(20) NOT NULL DEFAULT 'processing',
  currency char(3) NOT NULL,
  total_amount numeric(15, 2) NOT NULL DEFAULT 0,
  expense_count integer NOT NULL DEFAULT 0,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  paid_at timestamptz,
  paid_by uuid REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT payment_batches_status CHECK (status IN ('processing', 'paid'))
);
CREATE UNIQUE INDEX payment_batches_reference_key ON payment_batches (organization_id, reference);
CREATE INDEX payment_batches_list_idx ON payment_batches (organization_id, created_at DESC, id DESC);
CREATE TRIGGER payment_batches_updated_at BEFORE UPDATE ON payment_batches FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE expenses (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  artist_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  production_id uuid REFERENCES productions (id) ON DELETE RESTRICT,
  category_id uuid NOT NULL REFERENCES expense_categories (id) ON DELETE RESTRICT,
  amount numeric(15, 2) NOT NULL,
  currency char(3) NOT NULL,
  -- Units of the organization's base currency per unit of `currency` (1 when they are the same).
  exchange_rate numeric(18, 8) NOT NULL DEFAULT 1,
  base_currency char(3) NOT NULL,
  -- Exact decimal arithmetic in the database, rounded half away from zero to cents.
  amount_base numeric(15, 2) GENERATED ALWAYS AS (round(amount * exchange_rate, 2)) STORED,
  expense_date date NOT NULL,
  merchant varchar(255) NOT NULL,
  description text NOT NULL,
  notes text,
  tags text[] NOT NULL DEFAULT '{}',
  is_billable boolean NOT NULL DEFAULT false,
  is_reimbursable boolean NOT NULL DEFAULT true,
  status varchar(20) NOT NULL DEFAULT 'draft',
  -- Who must approve it, decided at submission from the amount and the organization's limits.
  approval_level varchar(20),
  possible_duplicate_ids uuid[] NOT NULL DEFAULT '{}',
  submitted_at timestamptz,
  approved_at timestamptz,
  approved_by uuid REFERENCES users (id) ON DELETE SET NULL,
  rejected_at timestamptz,
  rejected_by uuid REFERENCES users (id) ON DELETE SET NULL,
  rejection_reason text,
  payment_batch_id uuid REFERENCES payment_batches (id) ON DELETE RESTRICT,
  paid_at timestamptz,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  search tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(merchant, '') || ' ' || coalesce(description, ''))) STORED,
  CONSTRAINT expenses_amount CHECK (amount > 0),
  CONSTRAINT expenses_rate CHECK (exchange_rate > 0),
  CONSTRAINT expenses_status CHECK (status IN ('draft', 'submitted', 'approved', 'rejected', 'processing', 'paid')),
  CONSTRAINT expenses_level CHECK (approval_level IN ('automatic', 'admin', 'finance', 'finance_director')),
  CONSTRAINT expenses_paid CHECK (status <> 'paid' OR (paid_at IS NOT NULL AND payment_batch_id IS NOT NULL))
);
CREATE INDEX expenses_list_idx ON expenses (organization_id, created_at DESC, id DESC);
CREATE INDEX expenses_artist_idx ON expenses (organization_id, artist_id, created_at DESC);
CREATE INDEX expenses_queue_idx ON expenses (organization_id, status, submitted_at) WHERE status = 'submitted';
CREATE INDEX expenses_duplicates_idx ON expenses (organization_id, artist_id, expense_date, amount);
CREATE INDEX expenses_batch_idx ON expenses (payment_batch_id) WHERE payment_batch_id IS NOT NULL;
CREATE INDEX expenses_search_idx ON expenses USING gin (search);
CREATE TRIGGER expenses_updated_at BEFORE UPDATE ON expenses FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE expense_receipts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  expense_id uuid NOT NULL REFERENCES expenses (id) ON DELETE CASCADE,
  file_id uuid NOT NULL REFERENCES files (id) ON DELETE RESTRICT,
  thumbnail_file_id uuid REFERENCES files (id) ON DELETE RESTRICT,
  -- OCR suggestions: { text, amount, date, merchant, currency } each with a confidence.
  ocr jsonb,
  ocr_confidence numeric(3, 2),
  needs_review boolean NOT NULL DEFAULT false,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX expense_receipts_expense_idx ON expense_receipts (expense_id, created_at);

-- Every approval decision, in order (the expense row holds the outcome).
CREATE TABLE expense_approvals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  expense_id uuid NOT NULL REFERENCES expenses (id) ON DELETE CASCADE,
  decided_by uuid REFERENCES users (id) ON DELETE SET NULL,
  decision varchar(20) NOT NULL,
  level varchar(20) NOT NULL,
  amount_base numeric(15, 2) NOT NULL,
  reason text,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT expense_approvals_decision CHECK (decision IN ('submitted', 'auto_approved', 'approved', 'rejected', 'paid'))
);
CREATE INDEX expense_approvals_expense_idx ON expense_approvals (expense_id, created_at);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['expense_categories', 'payment_batches', 'expenses', 'expense_receipts', 'expense_approvals'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (organization_id = app_current_org()) WITH CHECK (organization_id = app_current_org())', t || '_tenant', t);
  END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON expense_categories, payment_batches, expenses, expense_receipts TO bigportal_app;
GRANT SELECT, INSERT ON expense_approvals TO bigportal_app;
