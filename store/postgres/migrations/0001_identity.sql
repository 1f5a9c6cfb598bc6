-- Teams, users, virtual keys and admin credentials. Only keyed hashes of
-- secrets are stored, never a secret. Admin credentials (role <> '') live
-- beside virtual keys: they are issued, hashed, rotated and revoked the
-- same way.

CREATE TABLE teams (
    id         text        PRIMARY KEY,
    name       text        NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX teams_by_creation ON teams (created_at DESC, id DESC);

-- Keys created without a team belong to the default team.
INSERT INTO teams (id, name, created_at, updated_at) VALUES ('team_default', 'default', now(), now());

CREATE TABLE users (
    id         text        PRIMARY KEY,
    team_id    text        NOT NULL REFERENCES teams (id),
    name       text        NOT NULL,
    email      text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    UNIQUE (id, team_id) -- the target of virtual_keys (user_id, team_id)
);
CREATE INDEX users_by_creation ON users (created_at DESC, id DESC);
CREATE INDEX users_by_team ON users (team_id, created_at DESC, id DESC);

CREATE TABLE virtual_keys (
    id              text        PRIMARY KEY,
    role            text        NOT NULL DEFAULT '', -- '' for virtual keys
    name            text        NOT NULL,
    team_id         text        REFERENCES teams (id), -- NULL only for unscoped admin credentials
    user_id         text,
    secret_hash     bytea       NOT NULL UNIQUE,
    secret_prefix   text        NOT NULL,
    allowed_models  text[]      NOT NULL DEFAULT '{}',
    tags            text[]      NOT NULL DEFAULT '{}',
    rpm_limit       bigint      NOT NULL DEFAULT 0,
    tpm_limit       bigint      NOT NULL DEFAULT 0,
    budget_nano_usd bigint      NOT NULL DEFAULT 0,
    budget_period   text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    expires_at      timestamptz,
    revoked_at      timestamptz,
    rotated_at      timestamptz,
    FOREIGN KEY (user_id, team_id) REFERENCES users (id, team_id),
    CHECK (role <> '' OR team_id IS NOT NULL)
);
CREATE INDEX virtual_keys_by_creation ON virtual_keys (created_at DESC, id DESC);
CREATE INDEX virtual_keys_by_team ON virtual_keys (team_id, created_at DESC, id DESC);
CREATE INDEX virtual_keys_by_user ON virtual_keys (user_id, created_at DESC, id DESC) WHERE user_id IS NOT NULL;
CREATE INDEX virtual_keys_by_tag ON virtual_keys USING gin (tags);

-- Secrets replaced by a rotation, valid until their grace period ends.
CREATE TABLE retired_secrets (
    secret_hash   bytea       PRIMARY KEY,
    key_id        text        NOT NULL REFERENCES virtual_keys (id),
    retired_until timestamptz NOT NULL
);
CREATE INDEX retired_secrets_by_key ON retired_secrets (key_id);

-- Last use of each key, written in batches; a table of its own so the
-- frequent writes never touch (or announce) the key rows.
CREATE TABLE key_usage (
    key_id       text        PRIMARY KEY REFERENCES virtual_keys (id),
    last_used_at timestamptz NOT NULL
);

-- Every change to a key row, made by any gateway instance or by hand in
-- psql, is announced on the channel switchboard_key_changes once its
-- transaction commits; gateways listening on it evict the key from their
-- verification caches. The payload is the key id, prefixed "revoked:" when
-- the key is now revoked.
CREATE FUNCTION switchboard_announce_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('switchboard_key_changes', OLD.id);
    ELSIF NEW.revoked_at IS NOT NULL THEN
        PERFORM pg_notify('switchboard_key_changes', 'revoked:' || NEW.id);
    ELSE
        PERFORM pg_notify('switchboard_key_changes', NEW.id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER virtual_keys_announce_update AFTER UPDATE ON virtual_keys
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION switchboard_announce_key_change();
CREATE TRIGGER virtual_keys_announce_delete AFTER DELETE ON virtual_keys
    FOR EACH ROW EXECUTE FUNCTION switchboard_announce_key_change();
