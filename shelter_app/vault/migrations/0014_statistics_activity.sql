-- Schema version 14: the counts of the counted cases' records, kept by group, so that the
-- statistics of whole months add a few hundred groups instead of reading every record of
-- the period (shelter_app/services/case_activity.py; docs/VAULT_FORMAT.md, section 7,
-- "records' counts").
--
-- stat_activity holds, for each group of stat_buckets (a site and the months its cases
-- were opened and closed), the counts of its cases' services, referrals, appointments,
-- legal matters and deadlines by month, sealed under the case key (tally), and those of
-- their criminal proceedings, sealed under the legal key (legal).  Like the groups'
-- counts, they are a copy: any write to one of those records deletes its case's group's
-- row here, in the same transaction, and so does a change of the group's cases (its
-- stat_buckets row deleted); a count writes the missing rows first.
CREATE TABLE stat_activity (
    id    TEXT PRIMARY KEY,
    tally TEXT NOT NULL,
    legal TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TRIGGER stat_activity_group AFTER DELETE ON stat_buckets
BEGIN
    DELETE FROM stat_activity WHERE id = OLD.id;
END;

CREATE TRIGGER stat_service_added AFTER INSERT ON service_entries
BEGIN
    DELETE FROM stat_activity WHERE id = (SELECT bucket FROM stat_facts WHERE id = NEW.case_id);
END;

CREATE TRIGGER stat_service_changed AFTER UPDATE OF case_id, service_type_id, provided_on, provider_kind, partner_id ON service_entries
BEGIN
    DELETE FROM stat_activity WHERE id IN (SELECT bucket FROM stat_facts
                                           WHERE id = OLD.case_id OR id = NEW.case_id);
END;

CREATE TRIGGER stat_service_removed AFTER DELETE ON service_entries
BEGIN
    DELETE FROM stat_activity WHERE id = (SELECT bucket FROM stat_facts WHERE id = OLD.case_id);
END;

CREATE TRIGGER stat_referral_added AFTER INSERT ON referrals
BEGIN
    DELETE FROM stat_activity WHERE id = (SELECT bucket FROM stat_facts WHERE id = NEW.case_id);
END;

CREATE TRIGGER stat_referral_changed AFTER UPDATE OF case_id, status, sent_on, created_at, answered_on ON referrals
BEGIN
    DELETE FROM stat_activity WHERE id IN (SELECT bucket FROM stat_facts
                                           WHERE id = OLD.case_id OR id = NEW.case_id);
END;

CREATE TRIGGER stat_referral_removed AFTER DELETE ON referrals
BEGIN
    DELETE FROM stat_activity WHERE id = (SELECT bucket FROM stat_facts WHERE id = OLD.case_id);
END;

CREATE TRIGGER stat_appointment_added AFTER INSERT ON appointments
BEGIN
    DELETE FROM stat_activity WHERE id = (SELECT bucket FROM stat_facts WHERE id = NEW.case_id);
END;

CREATE TRIGGER stat_appointment_changed AFTER UPDATE OF case_id, status, starts_at ON appointments
BEGIN
    DELETE FROM stat_activity WHERE id IN (SELECT bucket FROM stat_facts
                                           WHERE id = OLD.case_id OR id = NEW.case_id);
END;

CREATE TRIGGER stat_appointment_removed AFTER DELETE ON appointments
BEGIN
    DELETE FROM stat_activity WHERE id = (SELECT bucket FROM stat_facts WHERE id = OLD.case_id);
END;

CREATE TRIGGER stat_matter_added AFTER INSERT ON legal_matters
BEGIN
    DELETE FROM stat_activity WHERE id = (SELECT bucket FROM stat_facts WHERE id = NEW.case_id);
END;

CREATE TRIGGER stat_matter_changed AFTER UPDATE OF case_id, matter_type, status, created_at ON legal_matters
BEGIN
    DELETE FROM stat_activity WHERE id IN (SELECT bucket FROM stat_facts
                                           WHERE id = OLD.case_id OR id = NEW.case_id);
END;

CREATE TRIGGER stat_matter_removed AFTER DELETE ON legal_matters
BEGIN
    DELETE FROM stat_activity WHERE id = (SELECT bucket FROM stat_facts WHERE id = OLD.case_id);
END;

CREATE TRIGGER stat_deadline_added AFTER INSERT ON deadlines
BEGIN
    DELETE FROM stat_activity WHERE id = (SELECT bucket FROM stat_facts WHERE id = NEW.case_id);
END;

CREATE TRIGGER stat_deadline_changed AFTER UPDATE OF case_id, done, due_on ON deadlines
BEGIN
    DELETE FROM stat_activity WHERE id IN (SELECT bucket FROM stat_facts
                                           WHERE id = OLD.case_id OR id = NEW.case_id);
END;

CREATE TRIGGER stat_deadline_removed AFTER DELETE ON deadlines
BEGIN
    DELETE FROM stat_activity WHERE id = (SELECT bucket FROM stat_facts WHERE id = OLD.case_id);
END;

CREATE TRIGGER stat_proceeding_added AFTER INSERT ON proceedings
BEGIN
    DELETE FROM stat_activity WHERE id = (SELECT bucket FROM stat_facts WHERE id = NEW.case_id);
END;

CREATE TRIGGER stat_proceeding_changed AFTER UPDATE OF case_id, details, created_at ON proceedings
BEGIN
    DELETE FROM stat_activity WHERE id IN (SELECT bucket FROM stat_facts
                                           WHERE id = OLD.case_id OR id = NEW.case_id);
END;

CREATE TRIGGER stat_proceeding_removed AFTER DELETE ON proceedings
BEGIN
    DELETE FROM stat_activity WHERE id = (SELECT bucket FROM stat_facts WHERE id = OLD.case_id);
END;
