-- The spend ledger (see billing/ledger): one row per provider attempt that
-- consumed tokens, partitioned by month of the attempt's start, and daily
-- rollups maintained in the transaction that inserts the rows.
--
-- The primary key holds the partition key (PostgreSQL requires it): the
-- start time is part of a record's identity, so a replayed record lands in
-- the same partition and conflicts with its first copy. Monthly partitions
-- (spend_yYYYYmMM) are created on demand by the store before it inserts;
-- the DEFAULT partition is a safety net that normally stays empty.

CREATE TABLE spend (
    started_at          timestamptz NOT NULL,
    request_id          text        NOT NULL,
    attempt             integer     NOT NULL CHECK (attempt >= 1),
    key_id              text        NOT NULL DEFAULT '',
    team_id             text        NOT NULL DEFAULT '',
    user_id             text        NOT NULL DEFAULT '',
    end_user            text        NOT NULL DEFAULT '',
    alias               text        NOT NULL DEFAULT '',
    deployment          text        NOT NULL DEFAULT '',
    provider            text        NOT NULL,
    model               text        NOT NULL,
    reason              text        NOT NULL DEFAULT '',
    outcome             text        NOT NULL DEFAULT '',
    stream              boolean     NOT NULL DEFAULT false,
    input_tokens        bigint      NOT NULL DEFAULT 0,
    cached_input_tokens bigint      NOT NULL DEFAULT 0,
    cache_write_tokens  bigint      NOT NULL DEFAULT 0,
    output_tokens       bigint      NOT NULL DEFAULT 0,
    reasoning_tokens    bigint      NOT NULL DEFAULT 0,
    estimated           boolean     NOT NULL DEFAULT false,
    unpriced            boolean     NOT NULL DEFAULT false,
    cost_nano_usd       bigint      NOT NULL DEFAULT 0,
    pricing_version     text        NOT NULL DEFAULT '',
    -- Set on the row of the request's lowest-numbered attempt: the one
    -- that counts the request in the rollups.
    counts_request      boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (started_at, request_id, attempt)
) PARTITION BY RANGE (started_at);

CREATE TABLE spend_default PARTITION OF spend DEFAULT;

-- Partitioned indexes: each partition gets its own.
CREATE INDEX spend_by_key ON spend (key_id, started_at);
CREATE INDEX spend_by_team ON spend (team_id, started_at);
CREATE INDEX spend_by_user ON spend (user_id, started_at);
-- Finds the attempts of a request (and the one counting it) within a time
-- window, so only the partitions of that window are read.
CREATE INDEX spend_by_request ON spend (request_id, started_at);

CREATE TABLE spend_daily (
    day                 date   NOT NULL,
    key_id              text   NOT NULL,
    team_id             text   NOT NULL,
    user_id             text   NOT NULL,
    model               text   NOT NULL,
    provider            text   NOT NULL,
    deployment          text   NOT NULL,
    alias               text   NOT NULL,
    requests            bigint NOT NULL,
    attempts            bigint NOT NULL,
    input_tokens        bigint NOT NULL,
    cached_input_tokens bigint NOT NULL,
    cache_write_tokens  bigint NOT NULL,
    output_tokens       bigint NOT NULL,
    reasoning_tokens    bigint NOT NULL,
    cost_nano_usd       bigint NOT NULL,
    estimated_attempts  bigint NOT NULL,
    unpriced_attempts   bigint NOT NULL,
    PRIMARY KEY (day, key_id, team_id, user_id, model, provider, deployment, alias)
);
CREATE INDEX spend_daily_by_key ON spend_daily (key_id, day);
CREATE INDEX spend_daily_by_team ON spend_daily (team_id, day);
CREATE INDEX spend_daily_by_user ON spend_daily (user_id, day);
