-- Schema version 3: a record of every document produced from a case (referral packets,
-- residence-status packets, appointment cards).  The document itself is never stored:
-- only who made it, when, for whom, what it holds and its SHA-256, so a paper copy can be
-- matched to its record by the packet id printed on every page.
CREATE TABLE generated_documents (
    id                TEXT PRIMARY KEY,
    case_id           TEXT NOT NULL REFERENCES cases (id),
    packet_id         TEXT NOT NULL UNIQUE,           -- printed on every page: PK-XXXXXXXX
    kind              TEXT NOT NULL,                  -- referral, residence, appointment_card
    recipient         TEXT NOT NULL,                  -- as named in the footer
    partner_id        TEXT REFERENCES partners (id),
    language          TEXT NOT NULL,
    sections          TEXT NOT NULL DEFAULT '[]',     -- JSON: consent section codes included
    consent_ids       TEXT NOT NULL DEFAULT '[]',     -- JSON: the consents that allowed it
    template          TEXT,                           -- residence template id
    template_version  TEXT,
    encrypted         INTEGER NOT NULL DEFAULT 0 CHECK (encrypted IN (0, 1)),
    pages             INTEGER NOT NULL,
    size              INTEGER NOT NULL,
    sha256            TEXT NOT NULL,                  -- of the bytes handed out
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    created_by        TEXT,
    updated_by        TEXT,
    row_version       INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX generated_documents_case ON generated_documents (case_id, created_at);
