-- Schema version 12: what the statistics count of each case, kept in one sealed value, so
-- that a dashboard opens one value a case instead of a dozen (shelter_app/services/
-- case_facts.py; docs/VAULT_FORMAT.md, section 7.1).
--
-- stat_facts holds, for a case, its codes and dates as the statistics read them, sealed
-- under the case key like the columns they come from.  It is a copy: a case whose row is
-- missing, or whose id is in stat_stale, is read from its own rows instead.  The triggers
-- below put a case in stat_stale when a column its facts come from is changed, and when
-- one of its timeline events is changed or deleted, in the same transaction, whoever
-- writes it; the application marks a case when it adds a timeline event to it (a trigger
-- on every insert would cost an import three times its time under memory security); a new
-- case has no facts yet.  A session holding the case key writes the facts again and takes
-- the case out.  A removed case takes its facts with it.
CREATE TABLE stat_facts (
    id    TEXT PRIMARY KEY REFERENCES cases (id),
    facts TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE stat_stale (
    case_id TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

CREATE TRIGGER stat_case_changed AFTER UPDATE OF survivor_id, opened_on, closed_at,
    identification_status, identified_by, exploitation_types, means_of_control,
    recruitment_method, recruiter_relationship, is_draft ON cases
BEGIN
    INSERT OR IGNORE INTO stat_stale (case_id) VALUES (NEW.id);
END;

CREATE TRIGGER stat_case_removed BEFORE DELETE ON cases
BEGIN
    DELETE FROM stat_facts WHERE id = OLD.id;
    DELETE FROM stat_stale WHERE case_id = OLD.id;
END;

CREATE TRIGGER stat_survivor_changed AFTER UPDATE OF birth_date, estimated_age, gender,
    citizenship ON survivors
BEGIN
    INSERT OR IGNORE INTO stat_stale (case_id) SELECT id FROM cases WHERE survivor_id = NEW.id;
END;

CREATE TRIGGER stat_timeline_changed AFTER UPDATE ON timeline_events
BEGIN
    INSERT OR IGNORE INTO stat_stale (case_id) VALUES (OLD.case_id);
    INSERT OR IGNORE INTO stat_stale (case_id) VALUES (NEW.case_id);
END;

CREATE TRIGGER stat_timeline_removed AFTER DELETE ON timeline_events
BEGIN
    INSERT OR IGNORE INTO stat_stale (case_id) VALUES (OLD.case_id);
END;
