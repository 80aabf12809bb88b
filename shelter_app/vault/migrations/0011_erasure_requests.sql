-- Schema version 11: a coordinator's request to erase one survivor's records, waiting for a
-- second coordinator to confirm it (shelter_app/services/retention.py).  The reason is a code
-- of a fixed list, never free text.  The row goes when the request is confirmed (with the
-- case) or withdrawn; the audit chain keeps that it was made, by whom and why.
CREATE TABLE erasure_requests (
    case_id      TEXT PRIMARY KEY REFERENCES cases (id),
    reason       TEXT NOT NULL CHECK (reason IN ('survivor_request', 'consent_withdrawn',
                                                 'entered_in_error', 'legal_order')),
    requested_by TEXT NOT NULL REFERENCES users (id),
    requested_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Indexes on the foreign keys that had none usable, so that removing a case's rows (a purge,
-- an erasure) does not scan these tables once for every row removed: deadlines by case (the
-- earlier index holds open ones only), referrals by consent, evidence items by attachment.
CREATE INDEX deadlines_case_all ON deadlines (case_id);
CREATE INDEX referrals_consent ON referrals (consent_id);
CREATE INDEX evidence_items_attachment ON evidence_items (attachment_id);
