-- Schema version 9: measures taken against the survivor herself (a charge, a conviction,
-- detention, a removal order) for what she was compelled to do while exploited, and how the
-- non-punishment principle was raised against each.  Everything but the date to act by is
-- sealed under the legal key in one JSON column.
CREATE TABLE non_punishment (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    details     TEXT NOT NULL,
    act_by      TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    created_by  TEXT,
    updated_by  TEXT,
    row_version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX non_punishment_case ON non_punishment (case_id);
