-- Unsaved edits kept when a session ends without asking (auto-lock, quick exit): kept only
-- here, inside the encrypted database, never in a file beside it.  One draft per user,
-- kind and case; a draft of a case not yet created (the intake form) has no case_id.
CREATE TABLE drafts (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id),
    kind          TEXT NOT NULL,                 -- 'case_profile' or 'intake'
    case_id       TEXT REFERENCES cases (id),
    content       TEXT NOT NULL,                 -- JSON object: the form's changed fields
    base_versions TEXT NOT NULL DEFAULT '[]',    -- JSON: row versions the edits started from
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    created_by    TEXT,
    updated_by    TEXT,
    row_version   INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE UNIQUE INDEX drafts_one ON drafts (user_id, kind, ifnull(case_id, ''));
CREATE INDEX drafts_case ON drafts (case_id);
