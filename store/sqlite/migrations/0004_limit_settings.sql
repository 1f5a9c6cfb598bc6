-- Rate limits and budgets set on a key, team or user through the admin API
-- (billing/limits). One row per scope ("key:ID", "team:ID", "user:ID");
-- budgets is a JSON array, at most one budget per window. A scope is not a
-- foreign key: settings of a deleted team or key are inert.

CREATE TABLE limit_settings (
    scope      TEXT    PRIMARY KEY,
    rpm        INTEGER NOT NULL DEFAULT 0,
    tpm        INTEGER NOT NULL DEFAULT 0,
    budgets    TEXT    NOT NULL DEFAULT '[]',
    updated_at INTEGER NOT NULL
) STRICT;
