-- Notifications (issue 4): one row per recipient for the in-app centre, one delivery row per
-- other channel (e-mail, SMS, web push) with its own status, retries and error; per-user
-- preferences by type x channel with quiet hours and a daily digest; web push subscriptions.

CREATE TABLE notifications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  type varchar(50) NOT NULL,
  priority varchar(20) NOT NULL DEFAULT 'normal',
  subject varchar(255) NOT NULL,
  body text NOT NULL,
  -- Where the web app opens it (a path on this site) and what the screens need to render it.
  link varchar(500),
  data jsonb NOT NULL DEFAULT '{}',
  read_at timestamptz,
  expires_at timestamptz,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT notifications_priority CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  CONSTRAINT notifications_type CHECK (type ~ '^[a-z][a-z_]{1,48}[a-z]$'),
  CONSTRAINT notifications_link CHECK (link IS NULL OR link ~ '^/([^/\\]|$)')
);
CREATE INDEX notifications_user_idx ON notifications (organization_id, user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (organization_id, user_id) WHERE read_at IS NULL;

CREATE TABLE notification_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  notification_id uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  channel varchar(20) NOT NULL,
  status varchar(20) NOT NULL DEFAULT 'pending',
  -- Held back by quiet hours or for the daily digest.
  scheduled_for timestamptz,
  sent_at timestamptz,
  delivered_at timestamptz,
  error_message text,
  retry_count integer NOT NULL DEFAULT 0,
  provider_message_id varchar(255),
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT notification_deliveries_channel CHECK (channel IN ('email', 'sms', 'push')),
  CONSTRAINT notification_deliveries_status CHECK (status IN ('pending', 'sent', 'delivered', 'failed', 'cancelled')),
  CONSTRAINT notification_deliveries_retries CHECK (retry_count >= 0)
);
CREATE INDEX notification_deliveries_notification_idx ON notification_deliveries (notification_id);
CREATE INDEX notification_deliveries_failed_idx ON notification_deliveries (organization_id, created_at DESC) WHERE status = 'failed';
CREATE INDEX notification_deliveries_digest_idx ON notification_deliveries (user_id, scheduled_for) WHERE status = 'pending';
CREATE TRIGGER notification_deliveries_updated_at BEFORE UPDATE ON notification_deliveries
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- A person's choices, the same in every organization they belong to. `channels` holds only what
-- differs from the defaults of the type catalogue (src/server/modules/notifications/catalogue.ts):
-- { "<type>": { "email": false, "sms": true, ... } }.
CREATE TABLE notification_preferences (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  channels jsonb NOT NULL DEFAULT '{}',
  quiet_hours_start time,
  quiet_hours_end time,
  daily_digest boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT notification_preferences_quiet CHECK ((quiet_hours_start IS NULL) = (quiet_hours_end IS NULL))
);
CREATE TRIGGER notification_preferences_updated_at BEFORE UPDATE ON notification_preferences
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE push_subscriptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  endpoint text NOT NULL,
  p256dh text NOT NULL,
  auth text NOT NULL,
  user_agent varchar(500),
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  CONSTRAINT push_subscriptions_endpoint CHECK (endpoint ~ '^https://')
);
CREATE UNIQUE INDEX push_subscriptions_endpoint_key ON push_subscriptions (user_id, endpoint);
CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id);

-- Row-level security: notifications and deliveries belong to an organization (recipients read
-- theirs there); preferences and push subscriptions belong to the person. The dispatch and
-- delivery jobs act in the organization *as the recipient* (app.user_id), so they see exactly
-- that person's preferences and devices.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['notifications', 'notification_deliveries'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (organization_id = app_current_org()) WITH CHECK (organization_id = app_current_org())', t || '_tenant', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['notification_preferences', 'push_subscriptions'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (user_id = app_current_user()) WITH CHECK (user_id = app_current_user())', t || '_owner', t);
  END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON notifications, notification_deliveries, notification_preferences, push_subscriptions TO bigportal_app;
