-- The audit trail (see package audit): admin events, one record per
-- completion or embeddings request, and the payloads captured for teams
-- that turned capture on. Events outlive what they are about, so they
-- carry ids, not foreign keys.

ALTER TABLE teams ADD COLUMN payload_capture INTEGER NOT NULL DEFAULT 0;
ALTER TABLE teams ADD COLUMN payload_retention_days INTEGER NOT NULL DEFAULT 0;

CREATE TABLE audit_events (
    id             TEXT    NOT NULL PRIMARY KEY,
    time           INTEGER NOT NULL, -- unix microseconds, UTC
    actor          TEXT    NOT NULL,
    actor_role     TEXT    NOT NULL DEFAULT '',
    action         TEXT    NOT NULL,
    target_type    TEXT    NOT NULL DEFAULT '',
    target_id      TEXT    NOT NULL DEFAULT '',
    team_id        TEXT    NOT NULL DEFAULT '',
    before         TEXT, -- JSON object, never a secret or a hash
    after          TEXT,
    client_address TEXT    NOT NULL DEFAULT '',
    request_id     TEXT    NOT NULL DEFAULT '',
    outcome        TEXT    NOT NULL
) STRICT;
CREATE INDEX audit_events_by_time ON audit_events (time DESC, id DESC);
CREATE INDEX audit_events_by_team ON audit_events (team_id, time DESC, id DESC);
CREATE INDEX audit_events_by_target ON audit_events (target_type, target_id, time DESC, id DESC);
CREATE INDEX audit_events_by_actor ON audit_events (actor, time DESC, id DESC);

CREATE TABLE request_records (
    request_id       TEXT    NOT NULL PRIMARY KEY,
    time             INTEGER NOT NULL,
    key_id           TEXT    NOT NULL DEFAULT '',
    team_id          TEXT    NOT NULL DEFAULT '',
    user_id          TEXT    NOT NULL DEFAULT '',
    end_user         TEXT    NOT NULL DEFAULT '',
    operation        TEXT    NOT NULL DEFAULT '',
    alias            TEXT    NOT NULL DEFAULT '',
    model            TEXT    NOT NULL DEFAULT '',
    provider         TEXT    NOT NULL DEFAULT '',
    deployment       TEXT    NOT NULL DEFAULT '',
    transport        TEXT    NOT NULL DEFAULT '',
    stream           INTEGER NOT NULL DEFAULT 0,
    status           TEXT    NOT NULL DEFAULT '',
    prompt_sha256    TEXT    NOT NULL DEFAULT '',
    input_bytes      INTEGER NOT NULL DEFAULT 0,
    input_messages   INTEGER NOT NULL DEFAULT 0,
    input_tools      INTEGER NOT NULL DEFAULT 0,
    input_images     INTEGER NOT NULL DEFAULT 0,
    output_bytes     INTEGER NOT NULL DEFAULT 0,
    input_tokens     INTEGER NOT NULL DEFAULT 0,
    output_tokens    INTEGER NOT NULL DEFAULT 0,
    cost_nano_usd    INTEGER NOT NULL DEFAULT 0,
    client_address   TEXT    NOT NULL DEFAULT '',
    user_agent       TEXT    NOT NULL DEFAULT '',
    latency_us       INTEGER NOT NULL DEFAULT 0,
    payload_captured INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX request_records_by_time ON request_records (time DESC, request_id DESC);
CREATE INDEX request_records_by_team ON request_records (team_id, time DESC, request_id DESC);
CREATE INDEX request_records_by_user ON request_records (user_id, time DESC, request_id DESC);
CREATE INDEX request_records_by_key ON request_records (key_id, time DESC, request_id DESC);

CREATE TABLE captured_payloads (
    request_id TEXT    NOT NULL PRIMARY KEY,
    time       INTEGER NOT NULL,
    key_id     TEXT    NOT NULL DEFAULT '',
    team_id    TEXT    NOT NULL DEFAULT '',
    user_id    TEXT    NOT NULL DEFAULT '',
    request    TEXT    NOT NULL, -- redacted JSON
    response   TEXT    NOT NULL
) STRICT;
CREATE INDEX captured_payloads_by_time ON captured_payloads (time);
CREATE INDEX captured_payloads_by_user ON captured_payloads (user_id, time DESC, request_id DESC);
CREATE INDEX captured_payloads_by_team ON captured_payloads (team_id, time DESC, request_id DESC);
