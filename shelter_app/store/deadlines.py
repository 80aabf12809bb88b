"""The deadlines table: one row per dated deadline, kept in step by the services."""

from __future__ import annotations

import uuid

from shelter_app.store.db import Database

# The sources of the deadlines read with the legal matters (``case.read_legal``): a legal
# matter's, a criminal proceeding's, a compensation claim's and a non-punishment record's.
LEGAL_SOURCES = "('legal_matter', 'proceeding', 'claim', 'non_punishment')"


def sync(db: Database, *, case_id: str, source: str, source_id: str,
         dates: dict[str, str | None], new: bool = False) -> None:
    """Make the deadlines of *source_id* exactly *dates* (kind → ISO date, None = none);
    for a *new* source, the dated ones alone are written (it has none to remove)."""
    for kind, due in dates.items():
        if new and not due:
            continue
        if due:
            db.execute(
                "INSERT INTO deadlines (id, case_id, source, source_id, kind, due_on, done)"
                " VALUES (:id, :case, :source, :sid, :kind, :due, 0)"
                " ON CONFLICT (source_id, kind) DO UPDATE SET due_on = excluded.due_on, done = 0",
                {"id": str(uuid.uuid4()), "case": case_id, "source": source, "sid": source_id,
                 "kind": kind, "due": due})
        else:
            db.execute("DELETE FROM deadlines WHERE source_id = :sid AND kind = :kind",
                       {"sid": source_id, "kind": kind})
