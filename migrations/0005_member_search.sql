-- Member search that stays fast under row-level security.
--
-- PostgreSQL evaluates RLS conditions before any non-leakproof condition of the query, and
-- LIKE/ILIKE are not leakproof, so a trigram index on a table with forced RLS is never used:
-- searching an organization of 40,000 members read every row. The search text therefore lives
-- in a private schema the application role cannot touch at all, and one SECURITY DEFINER
-- function (on the allow-list below) searches it, always inside the caller's organization.

CREATE SCHEMA search_private;
REVOKE ALL ON SCHEMA search_private FROM PUBLIC;

CREATE TABLE search_private.member_search (
  membership_id uuid PRIMARY KEY REFERENCES public.memberships (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL,
  user_id uuid NOT NULL,
  search_text text NOT NULL
);
CREATE INDEX member_search_text_idx ON search_private.member_search USING gin (search_text public.gin_trgm_ops);
CREATE INDEX member_search_org_idx ON search_private.member_search (organization_id);
CREATE INDEX member_search_user_idx ON search_private.member_search (user_id);

CREATE FUNCTION search_private.member_text(first_name text, last_name text, email text) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $$ SELECT lower(first_name || ' ' || last_name || ' ' || email) $$;

-- Keeps the search row of a membership; reads the user as the caller can see it (the new
-- membership makes the user visible inside its organization).
CREATE FUNCTION search_private.sync_membership() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  INSERT INTO search_private.member_search (membership_id, organization_id, user_id, search_text)
  SELECT NEW.id, NEW.organization_id, NEW.user_id, search_private.member_text(u.first_name, u.last_name, u.email)
  FROM users u WHERE u.id = NEW.user_id
  ON CONFLICT (membership_id) DO UPDATE SET user_id = EXCLUDED.user_id, search_text = EXCLUDED.search_text;
  RETURN NULL;
END
$$;
CREATE TRIGGER memberships_search AFTER INSERT OR UPDATE OF user_id ON memberships
  FOR EACH ROW EXECUTE FUNCTION search_private.sync_membership();

-- A renamed person (or new e-mail) is found under the new name in every organization.
CREATE FUNCTION search_private.sync_user() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  UPDATE search_private.member_search
  SET search_text = search_private.member_text(NEW.first_name, NEW.last_name, NEW.email)
  WHERE user_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER users_search AFTER UPDATE OF first_name, last_name, email ON users
  FOR EACH ROW EXECUTE FUNCTION search_private.sync_user();

-- The one way in: ids of the caller's organization's memberships whose text matches.
CREATE FUNCTION app_search_members(pattern text) RETURNS SETOF uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
  SELECT s.membership_id FROM search_private.member_search s
  WHERE s.organization_id = app_current_org() AND s.search_text LIKE pattern
$$;
REVOKE ALL ON FUNCTION app_search_members(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_search_members(text) TO bigportal_app;
REVOKE ALL ON FUNCTION search_private.sync_membership(), search_private.sync_user(), search_private.member_text(text, text, text) FROM PUBLIC;

-- Existing members. Forced RLS applies to the owner too, so it is lifted for this one statement
-- inside the migration's transaction.
ALTER TABLE memberships NO FORCE ROW LEVEL SECURITY;
ALTER TABLE users NO FORCE ROW LEVEL SECURITY;
INSERT INTO search_private.member_search (membership_id, organization_id, user_id, search_text)
SELECT m.id, m.organization_id, m.user_id, search_private.member_text(u.first_name, u.last_name, u.email)
FROM memberships m JOIN users u ON u.id = m.user_id;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;

-- The trigram index on users cannot serve searches under RLS; the private one replaces it.
DROP INDEX IF EXISTS users_name_trgm_idx;
