-- Schema version 13: the organisation's sites (its shelters, offices and clinics) and the
-- site at which each case is handled, so that the statistics can be counted for one site
-- (shelter_app/services/sites.py; docs/VAULT_FORMAT.md, section 7).
--
-- A site's name is the organisation's own word for one of its places, set by an
-- administrator, never a survivor's: it is stored as typed.  A case has at most one site
-- (case_sites); a case without one, such as every case made before this version, is
-- counted under "all sites" only.  A site is retired rather than deleted, so that the cases
-- recorded there keep it.
CREATE TABLE sites (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    retired     INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    created_at  TEXT NOT NULL,
    created_by  TEXT,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT,
    row_version INTEGER NOT NULL DEFAULT 1
) STRICT, WITHOUT ROWID;

CREATE UNIQUE INDEX sites_name ON sites (name COLLATE NOCASE);

CREATE TABLE case_sites (
    case_id    TEXT PRIMARY KEY REFERENCES cases (id),
    site_id    TEXT NOT NULL REFERENCES sites (id),
    updated_at TEXT NOT NULL,
    updated_by TEXT
) STRICT, WITHOUT ROWID;

CREATE INDEX case_sites_site ON case_sites (site_id, case_id);

-- The statistics' stored facts (schema version 12) are grouped by site and by the months a
-- case was opened and closed (stat_facts.bucket, plain: "site|YYYY-MM|YYYY-MM", the last
-- "9999-99" while open; the months are plain in cases too), and each group's counts are
-- kept as one value sealed under the case key (stat_buckets), so that a count of whole
-- months opens a few hundred values instead of one a case.  Like the facts, a group's
-- counts are a copy: deleting a case's facts deletes its group's counts, and a count
-- writes the missing ones first.  The facts stored before this version have no group:
-- they are deleted, and written again at the next count.
DELETE FROM stat_facts;
ALTER TABLE stat_facts ADD COLUMN bucket TEXT NOT NULL DEFAULT '';
CREATE INDEX stat_facts_bucket ON stat_facts (bucket);

CREATE TABLE stat_buckets (
    id    TEXT PRIMARY KEY,
    tally TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TRIGGER stat_bucket_stale AFTER DELETE ON stat_facts
BEGIN
    DELETE FROM stat_buckets WHERE id = OLD.bucket;
END;

-- a case's site is part of its group
CREATE TRIGGER stat_site_added AFTER INSERT ON case_sites
BEGIN
    DELETE FROM stat_facts WHERE id = NEW.case_id;
END;

CREATE TRIGGER stat_site_changed AFTER UPDATE ON case_sites
BEGIN
    DELETE FROM stat_facts WHERE id = OLD.case_id OR id = NEW.case_id;
END;

CREATE TRIGGER stat_site_removed AFTER DELETE ON case_sites
BEGIN
    DELETE FROM stat_facts WHERE id = OLD.case_id;
END;
