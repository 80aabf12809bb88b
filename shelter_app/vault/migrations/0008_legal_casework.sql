-- Schema version 8: legal casework (docs/VAULT_FORMAT.md, section 7).  Timeline events say
-- whether their dates are approximate and where the account of them comes from; legal
-- matters name the authority, the representative, the decision, the template the
-- application is prepared with, and the permit's first day and renewal date; evidence
-- items have a state, the reason one is not applicable and who holds the original, and
-- any number of linked attachments.  Rows of before keep their values; the new texts
-- start empty and the new dates NULL; an item with an attachment is obtained, and its
-- attachment its first link.  Criminal proceedings, and the log of when the survivor was
-- told of each stage, are new, and compensation claims: all but their dates sealed under
-- the legal key; and the survivor's family members, sealed under the case key.
ALTER TABLE timeline_events ADD COLUMN approximate INTEGER NOT NULL DEFAULT 0;
ALTER TABLE timeline_events ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE legal_matters ADD COLUMN authority TEXT NOT NULL DEFAULT '';
ALTER TABLE legal_matters ADD COLUMN representative TEXT NOT NULL DEFAULT '';
ALTER TABLE legal_matters ADD COLUMN decision TEXT NOT NULL DEFAULT '';
ALTER TABLE legal_matters ADD COLUMN template_id TEXT NOT NULL DEFAULT '';
ALTER TABLE legal_matters ADD COLUMN permit_from TEXT;
ALTER TABLE legal_matters ADD COLUMN renewal_due TEXT;
ALTER TABLE evidence_items ADD COLUMN state TEXT NOT NULL DEFAULT 'needed';
ALTER TABLE evidence_items ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence_items ADD COLUMN holder TEXT NOT NULL DEFAULT '';
CREATE TABLE evidence_links (
    item_id       TEXT NOT NULL REFERENCES evidence_items (id),
    attachment_id TEXT NOT NULL REFERENCES attachments (id),
    created_at    TEXT NOT NULL,
    created_by    TEXT,
    PRIMARY KEY (item_id, attachment_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX evidence_links_attachment ON evidence_links (attachment_id);
INSERT INTO evidence_links (item_id, attachment_id, created_at, created_by)
    SELECT id, attachment_id, updated_at, updated_by FROM evidence_items
    WHERE attachment_id IS NOT NULL;
UPDATE evidence_items SET state = 'obtained' WHERE attachment_id IS NOT NULL;
CREATE TABLE proceedings (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    details      TEXT NOT NULL,
    stage_on     TEXT,
    next_hearing TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    created_by   TEXT,
    updated_by   TEXT,
    row_version  INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX proceedings_case ON proceedings (case_id);
CREATE TABLE proceeding_updates (
    id            TEXT PRIMARY KEY,
    proceeding_id TEXT NOT NULL REFERENCES proceedings (id),
    details       TEXT NOT NULL,
    informed_on   TEXT NOT NULL,
    informed_by   TEXT,
    created_at    TEXT NOT NULL,
    created_by    TEXT
) STRICT;
CREATE INDEX proceeding_updates_proceeding ON proceeding_updates (proceeding_id, informed_on);
CREATE TABLE claims (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    details     TEXT NOT NULL,
    filing_due  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    created_by  TEXT,
    updated_by  TEXT,
    row_version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX claims_case ON claims (case_id);
CREATE TABLE family_members (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    details     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    created_by  TEXT,
    updated_by  TEXT,
    row_version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX family_members_case ON family_members (case_id);
