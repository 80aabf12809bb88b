-- Vault identity, accounts, settings and the audit chain.
PRAGMA application_id = 1397247060;  -- 0x53484C54, "SHLT"

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id                     TEXT PRIMARY KEY,
    username               TEXT NOT NULL,
    username_key           TEXT NOT NULL UNIQUE,
    display_name           TEXT NOT NULL DEFAULT '',
    roles                  TEXT NOT NULL,              -- JSON array of role names, sorted
    status                 TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    must_change_passphrase INTEGER NOT NULL DEFAULT 0 CHECK (must_change_passphrase IN (0, 1)),
    last_sign_in_at        TEXT,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    created_by             TEXT,
    updated_by             TEXT,
    row_version            INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,                         -- JSON
    updated_at  TEXT NOT NULL,
    updated_by  TEXT,
    row_version INTEGER NOT NULL DEFAULT 1
) STRICT;

-- Append-only: each event's hmac covers its content and the previous event's hmac.
CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    occurred_at TEXT NOT NULL,
    actor_id    TEXT,
    action      TEXT NOT NULL,
    target_type TEXT,
    target_id   TEXT,
    outcome     TEXT NOT NULL,
    details     TEXT NOT NULL DEFAULT '{}',
    prev_hmac   BLOB NOT NULL,
    hmac        BLOB NOT NULL
) STRICT;

CREATE INDEX audit_events_target ON audit_events (target_type, target_id);
CREATE INDEX audit_events_actor ON audit_events (actor_id, occurred_at);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
