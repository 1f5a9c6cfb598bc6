-- Virtual keys. Only the HMAC of a secret is stored, never the secret.
-- Times are integer microseconds since the Unix epoch, UTC; NULL means
-- "never" (expires_at) or "not revoked" (revoked_at).
CREATE TABLE virtual_keys (
    id             TEXT    NOT NULL PRIMARY KEY,
    name           TEXT    NOT NULL,
    secret_hash    BLOB    NOT NULL UNIQUE,
    secret_prefix  TEXT    NOT NULL,
    allowed_models TEXT    NOT NULL DEFAULT '[]', -- JSON array of model patterns
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER,
    revoked_at     INTEGER
) STRICT;

-- Keyset pagination, newest first.
CREATE INDEX virtual_keys_by_creation ON virtual_keys (created_at DESC, id DESC);
