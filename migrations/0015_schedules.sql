-- Schedules (issue 7, seed 000 schedules/assignments): events in an IANA time zone with an
-- optional RFC 5545 recurrence, per-occurrence exceptions, participants with RSVP and
-- acknowledgment, attendance per occurrence, the change history and per-user iCal feeds.

CREATE TABLE events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  production_id uuid REFERENCES productions (id) ON DELETE SET NULL,
  -- The series this event was split from ("this and following"), for the history.
  series_id uuid REFERENCES events (id) ON DELETE SET NULL,
  type varchar(20) NOT NULL,
  title varchar(255) NOT NULL,
  description text,
  notes text,
  call_time_notes text,
  colour char(7),
  time_zone varchar(64) NOT NULL,
  all_day boolean NOT NULL DEFAULT false,
  -- The first occurrence; later ones follow the rule in wall-clock time of time_zone.
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  rrule text,
  -- End of the last occurrence (capped for rules without an end), so range queries use an index.
  recurrence_ends_at timestamptz NOT NULL,
  recurrence_capped boolean NOT NULL DEFAULT false,
  location_name varchar(255),
  location_address text,
  latitude numeric(9, 6),
  longitude numeric(9, 6),
  virtual_url text,
  required_roles text[] NOT NULL DEFAULT '{}',
  max_participants integer,
  acknowledgment_deadline timestamptz,
  status varchar(20) NOT NULL DEFAULT 'scheduled',
  cancellation_reason text,
  cancelled_at timestamptz,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_type CHECK (type IN ('rehearsal', 'performance', 'meeting', 'fitting', 'photo_call', 'travel', 'call_time', 'other')),
  CONSTRAINT events_status CHECK (status IN ('scheduled', 'cancelled')),
  CONSTRAINT events_times CHECK (ends_at > starts_at AND recurrence_ends_at >= ends_at),
  CONSTRAINT events_colour CHECK (colour IS NULL OR colour ~ '^#[0-9A-Fa-f]{6}$'),
  CONSTRAINT events_title CHECK (length(btrim(title)) > 0),
  CONSTRAINT events_max_participants CHECK (max_participants IS NULL OR max_participants > 0),
  CONSTRAINT events_coordinates CHECK ((latitude IS NULL) = (longitude IS NULL)
    AND (latitude IS NULL OR (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180)))
);
-- Range queries ask which series overlap [from, to): an interval question a GiST index over the
-- span answers without scanning every earlier event.
CREATE INDEX events_span_idx ON events USING gist (tstzrange(starts_at, recurrence_ends_at));
CREATE INDEX events_org_start_idx ON events (organization_id, starts_at);
CREATE INDEX events_production_idx ON events (organization_id, production_id);
CREATE TRIGGER events_updated_at BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- One occurrence changed or cancelled, named by its original start (iCal RECURRENCE-ID).
CREATE TABLE event_exceptions (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  occurrence timestamptz NOT NULL,
  cancelled boolean NOT NULL DEFAULT false,
  cancellation_reason text,
  starts_at timestamptz,
  ends_at timestamptz,
  title varchar(255),
  location_name varchar(255),
  location_address text,
  notes text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, occurrence),
  CONSTRAINT event_exceptions_times CHECK ((starts_at IS NULL) = (ends_at IS NULL) AND (starts_at IS NULL OR ends_at > starts_at))
);
CREATE INDEX event_exceptions_org_idx ON event_exceptions (organization_id, event_id);

CREATE TABLE event_participants (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role varchar(100),
  rsvp varchar(20) NOT NULL DEFAULT 'invited',
  responded_at timestamptz,
  acknowledged_at timestamptz,
  acknowledgment_note text,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, user_id),
  CONSTRAINT event_participants_rsvp CHECK (rsvp IN ('invited', 'confirmed', 'declined', 'tentative', 'no_response'))
);
CREATE INDEX event_participants_user_idx ON event_participants (organization_id, user_id);

-- Check-in and check-out at one occurrence.
CREATE TABLE event_attendance (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  occurrence timestamptz NOT NULL,
  checked_in_at timestamptz,
  checked_out_at timestamptz,
  recorded_by uuid REFERENCES users (id) ON DELETE SET NULL,
  PRIMARY KEY (event_id, user_id, occurrence),
  CONSTRAINT event_attendance_order CHECK (checked_out_at IS NULL OR (checked_in_at IS NOT NULL AND checked_out_at >= checked_in_at))
);

CREATE TABLE event_attachments (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  file_id uuid NOT NULL REFERENCES files (id) ON DELETE CASCADE,
  PRIMARY KEY (event_id, file_id)
);

-- Every change: previous and new values, for one occurrence or the whole event.
CREATE TABLE event_updates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  occurrence timestamptz,
  change varchar(40) NOT NULL,
  previous jsonb NOT NULL DEFAULT '{}',
  current jsonb NOT NULL DEFAULT '{}',
  changed_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX event_updates_event_idx ON event_updates (organization_id, event_id, created_at);

-- A person's secret calendar subscription; only the SHA-256 of the secret is kept. The feed is
-- read without a session, so the token is found by hash in the auth scope (like invitations).
CREATE TABLE calendar_feeds (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash char(64) NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE UNIQUE INDEX calendar_feeds_hash_key ON calendar_feeds (token_hash);
CREATE UNIQUE INDEX calendar_feeds_active_key ON calendar_feeds (organization_id, user_id) WHERE revoked_at IS NULL;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['events', 'event_exceptions', 'event_participants', 'event_attendance', 'event_attachments', 'event_updates', 'calendar_feeds'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (organization_id = app_current_org()) WITH CHECK (organization_id = app_current_org())', t || '_tenant', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO bigportal_app', t);
  END LOOP;
END
$$;
CREATE POLICY calendar_feeds_auth_lookup ON calendar_feeds FOR SELECT USING (current_setting('app.scope', true) = 'auth');
