"""Turning a vault back into what an earlier schema version left, to test its migration."""

from __future__ import annotations

from typing import Any

# What schema version 8 (0008_legal_casework.sql) added to existing tables.
SCHEMA_8_COLUMNS = (
    *(("timeline_events", c) for c in ("approximate", "source")),
    *(("legal_matters", c) for c in ("authority", "representative", "decision", "template_id",
                                     "permit_from", "renewal_due")),
    *(("evidence_items", c) for c in ("state", "reason", "holder")))


def undo_schema_14(conn: Any) -> None:
    """Drop what schema version 14 added (the caller sets ``user_version``)."""
    for name in ("service", "referral", "appointment", "matter", "deadline", "proceeding"):
        for change in ("added", "changed", "removed"):
            conn.execute(f"DROP TRIGGER stat_{name}_{change}")
    conn.execute("DROP TRIGGER stat_activity_group")
    conn.execute("DROP TABLE stat_activity")


def undo_schema_13(conn: Any) -> None:
    """Drop what schema versions 14 and 13 added (the caller sets ``user_version``)."""
    undo_schema_14(conn)
    for trigger in ("stat_bucket_stale", "stat_site_added", "stat_site_changed",
                    "stat_site_removed"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DROP TABLE stat_buckets")
    conn.execute("DROP INDEX stat_facts_bucket")
    conn.execute("ALTER TABLE stat_facts DROP COLUMN bucket")
    conn.execute("DROP TABLE case_sites")
    conn.execute("DROP TABLE sites")


def undo_schema_12(conn: Any) -> None:
    """Drop what schema versions 14 to 12 added (the caller sets ``user_version``)."""
    undo_schema_13(conn)
    for trigger in ("stat_case_changed", "stat_case_removed", "stat_survivor_changed",
                    "stat_timeline_changed", "stat_timeline_removed", "stat_consent_changed",
                    "stat_consent_removed"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DROP TABLE stat_facts")
    conn.execute("DROP INDEX appointments_counted")
    conn.execute("DROP INDEX service_entries_case")
    conn.execute("CREATE INDEX service_entries_case ON service_entries (case_id, provided_on)")


def undo_schema_11(conn: Any) -> None:
    """Drop what schema versions 14 to 11 added (the caller sets ``user_version``)."""
    undo_schema_12(conn)
    conn.execute("DROP TABLE erasure_requests")
    for index in ("deadlines_case_all", "referrals_consent", "evidence_items_attachment"):
        conn.execute(f"DROP INDEX {index}")


def undo_schema_10(conn: Any) -> None:
    """Drop what schema versions 14 to 10 added (the caller sets ``user_version``)."""
    undo_schema_11(conn)
    conn.execute("DROP TABLE reporting_consent")
    conn.execute("ALTER TABLE referrals DROP COLUMN answered_on")
    conn.execute("DROP INDEX cases_period")


def undo_schema_9(conn: Any) -> None:
    """Drop what schema versions 14 to 9 added (the caller sets ``user_version``)."""
    undo_schema_10(conn)
    conn.execute("DROP TABLE non_punishment")


def undo_schema_8(conn: Any) -> None:
    """Drop what schema versions 14 to 8 added (the caller sets ``user_version``)."""
    undo_schema_9(conn)
    for table in ("evidence_links", "proceeding_updates", "proceedings", "claims",
                  "family_members"):
        conn.execute(f"DROP TABLE {table}")
    for table, column in SCHEMA_8_COLUMNS:
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
