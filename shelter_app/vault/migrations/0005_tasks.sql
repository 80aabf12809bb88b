-- Schema version 5: a simple task list per case (what, who, by when, done), and the indexes
-- the "My day" page reads: open tasks by person, case and due date, consents by expiry,
-- deadlines by case, appointments by staff member.
-- The task text is survivor content like a note: it is never copied into the audit chain.
CREATE TABLE tasks (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    what        TEXT NOT NULL,                  -- a short text, at most 200 characters
    assigned_to TEXT REFERENCES users (id),     -- NULL: nobody yet
    due_on      TEXT,                           -- ISO 8601 date, or NULL
    done_at     TEXT,                           -- UTC time it was ticked; NULL while open
    done_by     TEXT REFERENCES users (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    created_by  TEXT,
    updated_by  TEXT,
    row_version INTEGER NOT NULL DEFAULT 1,
    CHECK ((done_at IS NULL) = (done_by IS NULL))
) STRICT;
CREATE INDEX tasks_case ON tasks (case_id, created_at);
CREATE INDEX tasks_open_assignee ON tasks (assigned_to, due_on) WHERE done_at IS NULL;
CREATE INDEX tasks_open_due ON tasks (due_on) WHERE done_at IS NULL;

-- Consents about to expire, across cases (withdrawn ones never expire again); a case's
-- open deadlines; the appointments a staff member is booked for.
CREATE INDEX consents_expiry ON consents (expires_on) WHERE withdrawn_on IS NULL;
CREATE INDEX deadlines_case ON deadlines (case_id, due_on) WHERE done = 0;
CREATE INDEX appointments_staff ON appointments (staff_id, starts_at);
