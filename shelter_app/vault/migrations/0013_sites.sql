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
