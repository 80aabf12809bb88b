"""Removing a case's rows for good, and leaving nothing of them in the file.

Used by retention purges and erasure on request (services/retention.py), and by a restore
that erases again, in the copy it restores, the cases erased since that copy was made
(vault/restore.py).  ``erase_cases`` runs inside the caller's transaction; ``compact``
afterwards, outside any (docs/VAULT_FORMAT.md, section 12.4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shelter_app.store.db import Database

# Rows hanging from a case's rows rather than carrying its id, removed first.
_HANGING: tuple[tuple[str, str], ...] = (
    ("evidence_links", "item_id IN (SELECT id FROM evidence_items WHERE matter_id IN"
                       " (SELECT id FROM legal_matters WHERE case_id IN (SELECT id FROM"
                       " temp.purging)))"
                       " OR attachment_id IN (SELECT id FROM attachments WHERE case_id IN"
                       " (SELECT id FROM temp.purging))"),
    ("evidence_items", "matter_id IN (SELECT id FROM legal_matters WHERE case_id IN"
                       " (SELECT id FROM temp.purging))"),
    ("proceeding_updates", "proceeding_id IN (SELECT id FROM proceedings WHERE case_id IN"
                           " (SELECT id FROM temp.purging))"),
    # the statistics' copy of a case's facts, keyed by the case's id
    ("stat_facts", "id IN (SELECT id FROM temp.purging)"),
)
# Every table with a case_id column, children before parents (foreign keys are enforced).
# tests/records/test_retention.py checks that every such table, and every table hanging
# from one, is named here.
CASE_TABLES: tuple[str, ...] = (
    "erasure_requests", "proceedings", "claims", "family_members", "non_punishment",
    "reporting_consent", "deadlines", "tasks", "generated_documents", "drafts", "referrals",
    "service_entries", "appointments", "legal_matters", "consents", "timeline_events",
    "attachments", "case_shares", "case_sites",
)
HANGING_TABLES = tuple(table for table, _where in _HANGING)


@dataclass
class Purged:
    """What a purge or an erasure removed."""

    cases: int = 0
    survivors: int = 0
    attachments: int = 0
    documents: int = 0
    drafts: int = 0
    rows: int = 0  # every row removed, the cases' own included

    def as_details(self) -> dict[str, int]:
        return {"cases": self.cases, "survivors": self.survivors,
                "attachments": self.attachments, "documents": self.documents,
                "drafts": self.drafts, "rows": self.rows}


def erase_cases(db: Database, case_ids: list[str], purged: Purged) -> None:
    """Remove every row of the cases, their name index entries and each survivor no other
    case is hers; counted into *purged*."""
    if not case_ids:
        return
    db.execute("CREATE TEMP TABLE IF NOT EXISTS purging (id TEXT PRIMARY KEY)")
    db.execute("DELETE FROM temp.purging")
    db.execute_many("INSERT INTO temp.purging (id) VALUES (:id)",
                    [{"id": case_id} for case_id in case_ids])
    survivors = db.column("SELECT DISTINCT survivor_id FROM cases WHERE id IN"
                          " (SELECT id FROM temp.purging)")
    for table, where in _HANGING:
        purged.rows += db.execute(f"DELETE FROM {table} WHERE {where}").rowcount  # noqa: S608
    for table in CASE_TABLES:
        removed = db.execute(f"DELETE FROM {table} WHERE case_id IN"  # noqa: S608
                             " (SELECT id FROM temp.purging)").rowcount
        purged.rows += removed
        if table == "attachments":
            purged.attachments += removed
        elif table == "generated_documents":
            purged.documents += removed
        elif table == "drafts":
            purged.drafts += removed
    for index in ("case_search", "case_keys"):
        db.execute(f"DELETE FROM {index} WHERE rowid IN (SELECT search_id FROM cases"  # noqa: S608
                   " WHERE id IN (SELECT id FROM temp.purging))")
    cases = db.execute("DELETE FROM cases WHERE id IN (SELECT id FROM temp.purging)").rowcount
    gone = sum(db.execute("DELETE FROM survivors WHERE id = :s AND NOT EXISTS (SELECT 1 FROM"
                          " cases WHERE survivor_id = :s)", {"s": survivor_id}).rowcount
               for survivor_id in survivors)
    purged.cases += cases
    purged.survivors += gone
    purged.rows += cases + gone
    db.execute("DELETE FROM temp.purging")


def remove_attachments(db: Database, ids: list[str], purged: Purged) -> None:
    """Remove attachments alone: their evidence links go, evidence items keep no link."""
    for chunk in _chunks(ids):
        marks, params = _marks(chunk)
        purged.rows += db.execute(f"DELETE FROM evidence_links WHERE attachment_id IN"  # noqa: S608
                                  f" ({marks})", params).rowcount
        db.execute(f"UPDATE evidence_items SET attachment_id = NULL WHERE attachment_id"  # noqa: S608
                   f" IN ({marks})", params)
    removed = delete_ids(db, "attachments", ids)
    purged.attachments += removed
    purged.rows += removed


def delete_ids(db: Database, table: str, ids: list[str]) -> int:
    removed = 0
    for chunk in _chunks(ids):
        marks, params = _marks(chunk)
        removed += db.execute(f"DELETE FROM {table} WHERE id IN ({marks})",  # noqa: S608
                              params).rowcount
    return removed


INCREMENTAL = 2  # PRAGMA auto_vacuum


def compact(db: Database, done_key: str | None = None) -> None:
    """Merge the name index (its older segments still hold removed entries), then
    checkpoint and vacuum: with secure_delete on, no freed page keeps what was there.
    *done_key*: a ``meta`` key deleted once that is done, before the last checkpoint.

    Vaults are made with incremental auto-vacuum (vault/connection.py), so the vacuum here
    moves the last pages of the file into the freed ones and cuts the file short, without
    writing the whole file again.  A vault made before that is vacuumed whole once, which
    also turns incremental auto-vacuum on for the next time."""
    with db.transaction():
        for index in ("case_search", "case_keys"):
            db.execute(f"INSERT INTO {index} ({index}) VALUES ('optimize')")  # noqa: S608
    with db.held() as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if int(conn.execute("PRAGMA auto_vacuum").fetchone()[0]) == INCREMENTAL:
            conn.execute("PRAGMA incremental_vacuum").fetchall()  # one page per step
        else:
            conn.execute(f"PRAGMA auto_vacuum = {INCREMENTAL}")  # takes effect in the VACUUM
            conn.execute("VACUUM")
        if done_key is not None:
            conn.execute("DELETE FROM meta WHERE key = ?", (done_key,))
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _chunks(ids: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _marks(chunk: list[str]) -> tuple[str, dict[str, str]]:
    return (", ".join(f":i{n}" for n in range(len(chunk))),
            {f"i{n}": value for n, value in enumerate(chunk)})
