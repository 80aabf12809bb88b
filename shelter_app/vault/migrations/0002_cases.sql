-- Survivor case records: survivors, cases, consent, services, partners, referrals,
-- appointments, legal matters, attachments, and the name search index.

CREATE TABLE survivors (
    id                   TEXT PRIMARY KEY,
    legal_name           TEXT NOT NULL,
    preferred_name       TEXT NOT NULL DEFAULT '',
    aliases              TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings, any script
    birth_date           TEXT,                         -- ISO 8601 date
    estimated_age        INTEGER CHECK (estimated_age BETWEEN 0 AND 120),
    gender               TEXT NOT NULL DEFAULT 'unknown',
    citizenship          TEXT NOT NULL DEFAULT '[]',   -- JSON array of ISO 3166 alpha-2
    languages            TEXT NOT NULL DEFAULT '[]',   -- JSON array of ISO 639 codes
    interpreter_needed   INTEGER NOT NULL DEFAULT 0 CHECK (interpreter_needed IN (0, 1)),
    interpreter_language TEXT,
    contact              TEXT NOT NULL DEFAULT '{}',   -- JSON: phone, email, address
    safe_contact         TEXT NOT NULL DEFAULT '{}',   -- JSON: see domain/records.py SafeContact
    identity_documents   TEXT NOT NULL DEFAULT '[]',   -- JSON: [{type, status, withheld_by}]
    is_minor             INTEGER NOT NULL DEFAULT 0 CHECK (is_minor IN (0, 1)),
    guardian             TEXT NOT NULL DEFAULT '{}',   -- JSON: name, relationship, contact
    access_needs         TEXT NOT NULL DEFAULT '',
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    created_by           TEXT,
    updated_by           TEXT,
    row_version          INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE cases (
    id                      TEXT PRIMARY KEY,
    code                    TEXT NOT NULL UNIQUE,
    search_id               INTEGER NOT NULL UNIQUE,   -- rowid of this case in case_search
    survivor_id             TEXT NOT NULL REFERENCES survivors (id),
    referral_source         TEXT NOT NULL DEFAULT '',
    identification_status   TEXT NOT NULL DEFAULT 'possible',
    identified_by           TEXT,
    reasonable_grounds_date TEXT,
    conclusive_grounds_date TEXT,
    exploitation_types      TEXT NOT NULL DEFAULT '[]',
    means_of_control        TEXT NOT NULL DEFAULT '[]',
    recruitment_method      TEXT,
    recruiter_relationship  TEXT,
    risk_level              TEXT,
    safety_plan             TEXT NOT NULL DEFAULT '',
    status                  TEXT NOT NULL DEFAULT 'open',
    closure_reason          TEXT,
    closed_at               TEXT,
    assigned_to             TEXT REFERENCES users (id),
    is_draft                INTEGER NOT NULL DEFAULT 0 CHECK (is_draft IN (0, 1)),
    opened_on               TEXT NOT NULL,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    created_by              TEXT,
    updated_by              TEXT,
    row_version             INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX cases_assigned ON cases (assigned_to, status);
CREATE INDEX cases_status ON cases (status);
CREATE INDEX cases_updated ON cases (updated_at, id);
CREATE INDEX cases_opened ON cases (opened_on, id);
CREATE INDEX cases_survivor ON cases (survivor_id);

CREATE TABLE case_shares (
    case_id    TEXT NOT NULL REFERENCES cases (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    created_by TEXT,
    PRIMARY KEY (case_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX case_shares_user ON case_shares (user_id);

CREATE TABLE timeline_events (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    stage       TEXT NOT NULL,
    place       TEXT NOT NULL DEFAULT '',
    country     TEXT,
    date_from   TEXT,
    date_to     TEXT,
    description TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    created_by  TEXT,
    updated_by  TEXT,
    row_version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX timeline_case ON timeline_events (case_id, date_from);

CREATE TABLE partners (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    partner_type       TEXT NOT NULL,
    services           TEXT NOT NULL DEFAULT '[]',    -- JSON: service type codes
    languages          TEXT NOT NULL DEFAULT '[]',
    address            TEXT NOT NULL DEFAULT '',
    secure_contact     TEXT NOT NULL DEFAULT '',
    document_language  TEXT NOT NULL DEFAULT 'en',
    active             INTEGER NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    created_by         TEXT,
    updated_by         TEXT,
    row_version        INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE consents (
    id                TEXT PRIMARY KEY,
    case_id           TEXT NOT NULL REFERENCES cases (id),
    sections          TEXT NOT NULL,                   -- JSON: section codes
    partner_id        TEXT REFERENCES partners (id),   -- NULL with any_referral = 1
    any_referral      INTEGER NOT NULL DEFAULT 0 CHECK (any_referral IN (0, 1)),
    purpose           TEXT NOT NULL,
    given_by          TEXT NOT NULL,
    guardian_name     TEXT NOT NULL DEFAULT '',
    method            TEXT NOT NULL,
    interpreter_used  INTEGER NOT NULL DEFAULT 0,
    interpreter_language TEXT,
    given_on          TEXT NOT NULL,
    expires_on        TEXT,
    withdrawn_on      TEXT,
    withdrawal_note   TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    created_by        TEXT,
    updated_by        TEXT,
    row_version       INTEGER NOT NULL DEFAULT 1,
    CHECK ((partner_id IS NULL) = (any_referral = 1))
) STRICT;
CREATE INDEX consents_case ON consents (case_id);

CREATE TABLE service_types (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    label       TEXT NOT NULL,                 -- built-in: an English msgid; added: as typed
    is_health   INTEGER NOT NULL DEFAULT 0,
    built_in    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    created_by  TEXT,
    updated_by  TEXT,
    row_version INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE service_entries (
    id               TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL REFERENCES cases (id),
    service_type_id  TEXT NOT NULL REFERENCES service_types (id),
    provided_on      TEXT NOT NULL,
    provider_kind    TEXT NOT NULL CHECK (provider_kind IN ('internal', 'partner')),
    partner_id       TEXT REFERENCES partners (id),
    duration_minutes INTEGER CHECK (duration_minutes BETWEEN 0 AND 100000),
    staff_id         TEXT REFERENCES users (id),
    outcome          TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    created_by       TEXT,
    updated_by       TEXT,
    row_version      INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX service_entries_case ON service_entries (case_id, provided_on);

CREATE TABLE referrals (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases (id),
    partner_id      TEXT NOT NULL REFERENCES partners (id),
    priority        TEXT NOT NULL,
    services        TEXT NOT NULL DEFAULT '[]',
    reason          TEXT NOT NULL DEFAULT '',
    consent_id      TEXT REFERENCES consents (id),
    status          TEXT NOT NULL DEFAULT 'draft',
    declined_reason TEXT NOT NULL DEFAULT '',
    sent_on         TEXT,
    follow_up_due   TEXT,
    outcome         TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    created_by      TEXT,
    updated_by      TEXT,
    row_version     INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX referrals_case ON referrals (case_id);
CREATE INDEX referrals_follow_up ON referrals (follow_up_due) WHERE status IN ('sent', 'accepted');

CREATE TABLE appointments (
    id                   TEXT PRIMARY KEY,
    case_id              TEXT NOT NULL REFERENCES cases (id),
    appointment_type     TEXT NOT NULL,
    starts_at            TEXT NOT NULL,               -- UTC ISO 8601
    ends_at              TEXT NOT NULL,
    location             TEXT NOT NULL DEFAULT '',
    room                 TEXT NOT NULL DEFAULT '',
    staff_id             TEXT REFERENCES users (id),
    volunteer            TEXT NOT NULL DEFAULT '',
    interpreter          TEXT NOT NULL DEFAULT '',
    interpreter_language TEXT,
    status               TEXT NOT NULL DEFAULT 'scheduled',
    notes                TEXT NOT NULL DEFAULT '',
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    created_by           TEXT,
    updated_by           TEXT,
    row_version          INTEGER NOT NULL DEFAULT 1,
    CHECK (ends_at > starts_at)
) STRICT;
CREATE INDEX appointments_time ON appointments (starts_at);
CREATE INDEX appointments_case ON appointments (case_id, starts_at);

CREATE TABLE legal_matters (
    id                TEXT PRIMARY KEY,
    case_id           TEXT NOT NULL REFERENCES cases (id),
    matter_type       TEXT NOT NULL,
    jurisdiction      TEXT NOT NULL DEFAULT '',
    authority_ref     TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL DEFAULT 'preparing',
    reflection_start  TEXT,
    reflection_end    TEXT,
    filing_due        TEXT,
    filed_on          TEXT,
    decision_on       TEXT,
    permit_expiry     TEXT,
    notes             TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    created_by        TEXT,
    updated_by        TEXT,
    row_version       INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX legal_matters_case ON legal_matters (case_id);

-- One row per dated deadline, kept in step with legal_matters and referrals by the
-- services, so "due soon" is one indexed range query.
CREATE TABLE deadlines (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    source     TEXT NOT NULL,          -- 'legal_matter' or 'referral'
    source_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,          -- reflection_end, filing_due, permit_expiry, follow_up
    due_on     TEXT NOT NULL,
    done       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (source_id, kind)
) STRICT;
CREATE INDEX deadlines_due ON deadlines (done, due_on);

CREATE TABLE attachments (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    label       TEXT NOT NULL DEFAULT '',
    file_name   TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    content     BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    created_by  TEXT,
    updated_by  TEXT,
    row_version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX attachments_case ON attachments (case_id);

CREATE TABLE evidence_items (
    id            TEXT PRIMARY KEY,
    matter_id     TEXT NOT NULL REFERENCES legal_matters (id),
    label         TEXT NOT NULL,
    required      INTEGER NOT NULL DEFAULT 1,
    attachment_id TEXT REFERENCES attachments (id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    created_by    TEXT,
    updated_by    TEXT,
    row_version   INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX evidence_matter ON evidence_items (matter_id);

-- Folded names, aliases and case code of each case (rowid = cases.search_id). Contentless:
-- the index keeps no copy of the text, only its tokens.
CREATE VIRTUAL TABLE case_search USING fts5(
    terms, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);

-- Spelling-tolerant keys of the same names (domain/names.py skeleton), for the duplicate
-- check only; matched exactly, never by prefix.
CREATE VIRTUAL TABLE case_keys USING fts5(
    keys, content = '', contentless_delete = 1, tokenize = 'unicode61'
);

-- The built-in service catalogue. Labels are English message ids, translated when shown.
INSERT INTO service_types (id, code, label, is_health, built_in, created_at, updated_at) VALUES
    ('00000000-0000-4000-8000-000000000001', 'safe_shelter', 'Safe shelter', 0, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('00000000-0000-4000-8000-000000000002', 'medical', 'Medical care', 1, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('00000000-0000-4000-8000-000000000003', 'psychosocial', 'Mental health and psychosocial support', 1, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('00000000-0000-4000-8000-000000000004', 'legal_aid', 'Legal aid', 0, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('00000000-0000-4000-8000-000000000005', 'interpreting', 'Interpreting', 0, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('00000000-0000-4000-8000-000000000006', 'education', 'Education', 0, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('00000000-0000-4000-8000-000000000007', 'vocational', 'Vocational training', 0, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('00000000-0000-4000-8000-000000000008', 'financial', 'Financial support', 0, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('00000000-0000-4000-8000-000000000009', 'repatriation', 'Repatriation', 0, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('00000000-0000-4000-8000-000000000010', 'other', 'Other service', 0, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
