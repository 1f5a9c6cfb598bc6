-- Teams, users, key ownership, tags, limits, rotation and last-used times.
-- Admin credentials (role <> '') live beside virtual keys: they are issued,
-- hashed, rotated and revoked the same way.

CREATE TABLE teams (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX teams_by_creation ON teams (created_at DESC, id DESC);

-- Every key existing before teams joins the default team.
INSERT INTO teams (id, name, created_at, updated_at)
VALUES ('team_default', 'default', CAST(unixepoch('subsec') * 1000000 AS INTEGER), CAST(unixepoch('subsec') * 1000000 AS INTEGER));

CREATE TABLE users (
    id         TEXT    NOT NULL PRIMARY KEY,
    team_id    TEXT    NOT NULL REFERENCES teams (id),
    name       TEXT    NOT NULL,
    email      TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (id, team_id) -- the target of virtual_keys (user_id, team_id)
) STRICT;
CREATE INDEX users_by_creation ON users (created_at DESC, id DESC);
CREATE INDEX users_by_team ON users (team_id, created_at DESC, id DESC);

-- SQLite cannot add a foreign key to an existing table: rebuild it.
CREATE TABLE virtual_keys_v2 (
    id              TEXT    NOT NULL PRIMARY KEY,
    role            TEXT    NOT NULL DEFAULT '', -- '' for virtual keys
    name            TEXT    NOT NULL,
    team_id         TEXT    REFERENCES teams (id), -- NULL only for unscoped admin credentials
    user_id         TEXT,
    secret_hash     BLOB    NOT NULL UNIQUE,
    secret_prefix   TEXT    NOT NULL,
    allowed_models  TEXT    NOT NULL DEFAULT '[]', -- JSON array of model patterns
    tags            TEXT    NOT NULL DEFAULT '[]', -- JSON array
    rpm_limit       INTEGER NOT NULL DEFAULT 0,
    tpm_limit       INTEGER NOT NULL DEFAULT 0,
    budget_nano_usd INTEGER NOT NULL DEFAULT 0,
    budget_period   TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    expires_at      INTEGER,
    revoked_at      INTEGER,
    rotated_at      INTEGER,
    FOREIGN KEY (user_id, team_id) REFERENCES users (id, team_id),
    CHECK (role <> '' OR team_id IS NOT NULL)
) STRICT;
INSERT INTO virtual_keys_v2 (id, name, team_id, secret_hash, secret_prefix, allowed_models, created_at, updated_at, expires_at, revoked_at)
SELECT id, name, 'team_default', secret_hash, secret_prefix, allowed_models, created_at, created_at, expires_at, revoked_at
FROM virtual_keys;
DROP TABLE virtual_keys;
ALTER TABLE virtual_keys_v2 RENAME TO virtual_keys;
CREATE INDEX virtual_keys_by_creation ON virtual_keys (created_at DESC, id DESC);
CREATE INDEX virtual_keys_by_team ON virtual_keys (team_id, created_at DESC, id DESC);
CREATE INDEX virtual_keys_by_user ON virtual_keys (user_id, created_at DESC, id DESC) WHERE user_id IS NOT NULL;

-- Secrets replaced by a rotation, valid until their grace period ends.
CREATE TABLE retired_secrets (
    secret_hash   BLOB    NOT NULL PRIMARY KEY,
    key_id        TEXT    NOT NULL REFERENCES virtual_keys (id),
    retired_until INTEGER NOT NULL
) STRICT;
CREATE INDEX retired_secrets_by_key ON retired_secrets (key_id);

-- Last use of each key, written in batches; a table of its own so the
-- frequent writes never touch the key rows.
CREATE TABLE key_usage (
    key_id       TEXT    NOT NULL PRIMARY KEY REFERENCES virtual_keys (id),
    last_used_at INTEGER NOT NULL
) STRICT;
