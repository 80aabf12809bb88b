-- Schema version 6: survivors' identity and contact fields and cases' situation are sealed
-- under the case key (docs/VAULT_FORMAT.md, section 7.1), so the columns that lists and
-- look-ups compared in plain text get keyed tokens beside them (section 7.2): a survivor's
-- date of birth for the duplicate check, a case's exploitation types for the list's filter.
-- The name index (case_search, case_keys) keeps its tables and holds tags from now on.
ALTER TABLE survivors ADD COLUMN birth_key TEXT;
CREATE INDEX survivors_birth_key ON survivors (birth_key);
ALTER TABLE cases ADD COLUMN situation_tags TEXT NOT NULL DEFAULT '';
-- Which content key a kept draft is sealed under ('case', or 'health' when it holds a
-- health field); NULL for a draft an earlier version kept in plain text.
ALTER TABLE drafts ADD COLUMN sealed_under TEXT;
