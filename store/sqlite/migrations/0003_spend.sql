-- The spend ledger: one row per provider attempt that consumed tokens, and
-- daily rollups maintained in the same transaction as the rows (see
-- billing/ledger). Times are unix microseconds, UTC; days are the unix
-- microseconds of their UTC midnight.

CREATE TABLE spend (
    started_at          INTEGER NOT NULL,
    request_id          TEXT    NOT NULL,
    attempt             INTEGER NOT NULL CHECK (attempt >= 1),
    key_id              TEXT    NOT NULL DEFAULT '',
    team_id             TEXT    NOT NULL DEFAULT '',
    user_id             TEXT    NOT NULL DEFAULT '',
    end_user            TEXT    NOT NULL DEFAULT '',
    alias               TEXT    NOT NULL DEFAULT '',
    deployment          TEXT    NOT NULL DEFAULT '',
    provider            TEXT    NOT NULL,
    model               TEXT    NOT NULL,
    reason              TEXT    NOT NULL DEFAULT '',
    outcome             TEXT    NOT NULL DEFAULT '',
    stream              INTEGER NOT NULL DEFAULT 0,
    input_tokens        INTEGER NOT NULL DEFAULT 0,
    cached_input_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens  INTEGER NOT NULL DEFAULT 0,
    output_tokens       INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens    INTEGER NOT NULL DEFAULT 0,
    estimated           INTEGER NOT NULL DEFAULT 0,
    unpriced            INTEGER NOT NULL DEFAULT 0,
    cost_nano_usd       INTEGER NOT NULL DEFAULT 0,
    pricing_version     TEXT    NOT NULL DEFAULT '',
    -- 1 on the row of the request's lowest-numbered attempt: the one that
    -- counts the request in the rollups.
    counts_request      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (started_at, request_id, attempt)
) STRICT;
CREATE INDEX spend_by_key ON spend (key_id, started_at);
CREATE INDEX spend_by_team ON spend (team_id, started_at);
CREATE INDEX spend_by_user ON spend (user_id, started_at);
CREATE INDEX spend_by_request ON spend (request_id, attempt);

CREATE TABLE spend_daily (
    day                 INTEGER NOT NULL,
    key_id              TEXT    NOT NULL,
    team_id             TEXT    NOT NULL,
    user_id             TEXT    NOT NULL,
    model               TEXT    NOT NULL,
    provider            TEXT    NOT NULL,
    deployment          TEXT    NOT NULL,
    alias               TEXT    NOT NULL,
    requests            INTEGER NOT NULL,
    attempts            INTEGER NOT NULL,
    input_tokens        INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    cache_write_tokens  INTEGER NOT NULL,
    output_tokens       INTEGER NOT NULL,
    reasoning_tokens    INTEGER NOT NULL,
    cost_nano_usd       INTEGER NOT NULL,
    estimated_attempts  INTEGER NOT NULL,
    unpriced_attempts   INTEGER NOT NULL,
    PRIMARY KEY (day, key_id, team_id, user_id, model, provider, deployment, alias)
) STRICT, WITHOUT ROWID;
CREATE INDEX spend_daily_by_key ON spend_daily (key_id, day);
CREATE INDEX spend_daily_by_team ON spend_daily (team_id, day);
CREATE INDEX spend_daily_by_user ON spend_daily (user_id, day);
