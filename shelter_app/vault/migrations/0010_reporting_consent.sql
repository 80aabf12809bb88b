-- Schema version 10: the day a partner answered a referral, and whether each survivor agreed to be counted in anonymised statistics.
-- A case without a row was never asked.  Only a case whose answer is 'yes' is counted by
-- the statistics (shelter_app/services/statistics.py); the answer names nobody and is plain.
CREATE TABLE reporting_consent (
    case_id     TEXT PRIMARY KEY REFERENCES cases (id),
    answer      TEXT NOT NULL CHECK (answer IN ('yes', 'no', 'not_asked')),
    answered_on TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    created_by  TEXT,
    updated_by  TEXT,
    row_version INTEGER NOT NULL DEFAULT 1,
    CHECK ((answer = 'not_asked') = (answered_on IS NULL))
) STRICT, WITHOUT ROWID;
CREATE INDEX reporting_consent_answer ON reporting_consent (answer, case_id);

-- The day a sent referral was accepted or declined (NULL before, and in the rows of before).
ALTER TABLE referrals ADD COLUMN answered_on TEXT;

-- The cases open on some day of a period, found without reading their rows (statistics).
CREATE INDEX cases_period ON cases (opened_on, closed_at, is_draft, id);
