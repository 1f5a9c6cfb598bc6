-- The audit trail (see package audit): admin events, one record per
-- completion or embeddings request, and the payloads captured for teams
-- that turned capture on. Events outlive what they are about, so they
-- carry ids, not foreign keys.

ALTER TABLE teams ADD COLUMN payload_capture boolean NOT NULL DEFAULT false;
ALTER TABLE teams ADD COLUMN payload_retention_days integer NOT NULL DEFAULT 0;

CREATE TABLE audit_events (
    id             text        PRIMARY KEY,
    time           timestamptz NOT NULL,
    actor          text        NOT NULL,
    actor_role     text        NOT NULL DEFAULT '',
    action         text        NOT NULL,
    target_type    text        NOT NULL DEFAULT '',
    target_id      text        NOT NULL DEFAULT '',
    team_id        text        NOT NULL DEFAULT '',
    before         jsonb, -- never a secret or a hash
    after          jsonb,
    client_address text        NOT NULL DEFAULT '',
    request_id     text        NOT NULL DEFAULT '',
    outcome        text        NOT NULL
);
CREATE INDEX audit_events_by_time ON audit_events (time DESC, id DESC);
CREATE INDEX audit_events_by_team ON audit_events (team_id, time DESC, id DESC);
CREATE INDEX audit_events_by_target ON audit_events (target_type, target_id, time DESC, id DESC);
CREATE INDEX audit_events_by_actor ON audit_events (actor, time DESC, id DESC);

CREATE TABLE request_records (
    request_id       text        PRIMARY KEY,
    time             timestamptz NOT NULL,
    key_id           text        NOT NULL DEFAULT '',
    team_id          text        NOT NULL DEFAULT '',
    user_id          text        NOT NULL DEFAULT '',
    end_user         text        NOT NULL DEFAULT '',
    operation        text        NOT NULL DEFAULT '',
    alias            text        NOT NULL DEFAULT '',
    model            text        NOT NULL DEFAULT '',
    provider         text        NOT NULL DEFAULT '',
    deployment       text        NOT NULL DEFAULT '',
    transport        text        NOT NULL DEFAULT '',
    stream           boolean     NOT NULL DEFAULT false,
    status           text        NOT NULL DEFAULT '',
    prompt_sha256    text        NOT NULL DEFAULT '',
    input_bytes      bigint      NOT NULL DEFAULT 0,
    input_messages   integer     NOT NULL DEFAULT 0,
    input_tools      integer     NOT NULL DEFAULT 0,
    input_images     integer     NOT NULL DEFAULT 0,
    output_bytes     bigint      NOT NULL DEFAULT 0,
    input_tokens     bigint      NOT NULL DEFAULT 0,
    output_tokens    bigint      NOT NULL DEFAULT 0,
    cost_nano_usd    bigint      NOT NULL DEFAULT 0,
    client_address   text        NOT NULL DEFAULT '',
    user_agent       text        NOT NULL DEFAULT '',
    latency_us       bigint      NOT NULL DEFAULT 0,
    payload_captured boolean     NOT NULL DEFAULT false
);
CREATE INDEX request_records_by_time ON request_records (time DESC, request_id DESC);
CREATE INDEX request_records_by_team ON request_records (team_id, time DESC, request_id DESC);
CREATE INDEX request_records_by_user ON request_records (user_id, time DESC, request_id DESC);
CREATE INDEX request_records_by_key ON request_records (key_id, time DESC, request_id DESC);

CREATE TABLE captured_payloads (
    request_id text        PRIMARY KEY,
    time       timestamptz NOT NULL,
    key_id     text        NOT NULL DEFAULT '',
    team_id    text        NOT NULL DEFAULT '',
    user_id    text        NOT NULL DEFAULT '',
    request    text        NOT NULL, -- redacted JSON, kept as captured
    response   text        NOT NULL
);
CREATE INDEX captured_payloads_by_time ON captured_payloads (time);
CREATE INDEX captured_payloads_by_user ON captured_payloads (user_id, time DESC, request_id DESC);
CREATE INDEX captured_payloads_by_team ON captured_payloads (team_id, time DESC, request_id DESC);
