-- Schema version 12: what the statistics count of each case, kept in one sealed value, so
-- that a dashboard opens one value a case instead of a dozen (shelter_app/services/
-- case_facts.py; docs/VAULT_FORMAT.md, section 7).
--
-- stat_facts holds, for a case that is counted (not a draft, its survivor agreed to be
-- counted), its codes and dates as the statistics read them, sealed under the case key
-- like the columns they come from.  It is a copy, never the only place anything is kept: a
-- case without a row is read from its own rows.  The triggers below delete a case's row in
-- the same transaction as any change to what it was made from, whoever writes it, so no
-- corrected or withdrawn value outlives the change; the application does the same when it
-- adds a timeline event to a case (a trigger on every insert would cost an import three
-- times its time under memory security).  A session holding the case key writes the rows
-- of the counted cases that have none before it counts.
CREATE TABLE stat_facts (
    id    TEXT PRIMARY KEY REFERENCES cases (id),
    facts TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TRIGGER stat_case_changed AFTER UPDATE OF survivor_id, opened_on, closed_at,
    identification_status, identified_by, exploitation_types, means_of_control,
    recruitment_method, recruiter_relationship, is_draft ON cases
BEGIN
    DELETE FROM stat_facts WHERE id = NEW.id;
END;

CREATE TRIGGER stat_case_removed BEFORE DELETE ON cases
BEGIN
    DELETE FROM stat_facts WHERE id = OLD.id;
END;

CREATE TRIGGER stat_survivor_changed AFTER UPDATE OF birth_date, estimated_age, gender,
    citizenship ON survivors
BEGIN
    DELETE FROM stat_facts WHERE id IN (SELECT id FROM cases WHERE survivor_id = NEW.id);
END;

CREATE TRIGGER stat_timeline_changed AFTER UPDATE ON timeline_events
BEGIN
    DELETE FROM stat_facts WHERE id IN (OLD.case_id, NEW.case_id);
END;

CREATE TRIGGER stat_timeline_removed AFTER DELETE ON timeline_events
BEGIN
    DELETE FROM stat_facts WHERE id = OLD.case_id;
END;

CREATE TRIGGER stat_consent_changed AFTER UPDATE OF answer ON reporting_consent
BEGIN
    DELETE FROM stat_facts WHERE id IN (OLD.case_id, NEW.case_id);
END;

CREATE TRIGGER stat_consent_removed AFTER DELETE ON reporting_consent
BEGIN
    DELETE FROM stat_facts WHERE id = OLD.case_id;
END;

-- The statistics read a period's services and appointments of the counted cases from
-- these indexes alone: the rows themselves hold sealed notes and are many times larger.
-- The services' index grows by the columns counted (its old two stay first).
DROP INDEX service_entries_case;
CREATE INDEX service_entries_case ON service_entries (case_id, provided_on, service_type_id,
    provider_kind, partner_id);
CREATE INDEX appointments_counted ON appointments (starts_at, status, case_id);
