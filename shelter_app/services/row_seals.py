"""Survivor and case rows carry a seal of their own (docs/VAULT_FORMAT.md, section 7.3).

A row's seal is an HMAC-SHA256, under a key derived from the case key, over the table's
name and every column the application writes (the sealed ones as they are stored).  Every
write the services make to a survivor or a case seals the row again in the same
transaction, so an edit made outside the application — a status or an assignment
rewritten, a sealed name moved from another row, a seal copied or removed — is found by
the vault check of an account holding the case key, and the case is named.  An account
without the case key (an administrator) can neither make a seal nor check one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.services.context import ServiceContext, keys_not_given
from shelter_app.store.db import Database
from shelter_app.vault import crypto

PURPOSE = "row seal v1"
# The columns a seal covers, in this order (schema version 7); `row_seal` itself is not one.
COLUMNS: dict[str, tuple[str, ...]] = {
    "survivors": (
        "id", "legal_name", "preferred_name", "aliases", "birth_date", "estimated_age",
        "gender", "citizenship", "languages", "interpreter_needed", "interpreter_language",
        "contact", "safe_contact", "identity_documents", "is_minor", "guardian", "access_needs",
        "created_at", "updated_at", "created_by", "updated_by", "row_version", "birth_key"),
    "cases": (
        "id", "code", "search_id", "survivor_id", "referral_source", "identification_status",
        "identified_by", "reasonable_grounds_date", "conclusive_grounds_date",
        "exploitation_types", "means_of_control", "recruitment_method",
        "recruiter_relationship", "risk_level", "safety_plan", "status", "closure_reason",
        "closed_at", "assigned_to", "is_draft", "opened_on", "created_at", "updated_at",
        "created_by", "updated_by", "row_version", "situation_tags"),
}
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
DONE, LEVEL = "row_seals", "1"  # meta: the rows written before seals existed are sealed


def seal_key(case_key: bytes) -> bytes:
    return crypto.subkey(case_key, PURPOSE)


def row_seal(key: bytes, table: str, row: Mapping[str, Any]) -> str:
    """The seal of *row* (its COLUMNS as stored), as 64 hex digits."""
    content = [table, *(row[c] for c in COLUMNS[table])]
    data = _COMPACT(content).encode("utf-8")
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def _defaults(db: Database, table: str) -> dict[str, Any]:
    """The value each column of *table* takes when an INSERT leaves it out (NULL, a quoted
    text or a whole number: the only defaults the schema uses), read once a connection."""
    found = db.schema_cache.get(f"defaults:{table}")
    if found is None:
        found = {}
        for column in db.all(f"PRAGMA table_info({table})"):
            text = column["dflt_value"]
            found[column["name"]] = (None if text is None or text.upper() == "NULL" else
                                     text[1:-1].replace("''", "'") if text.startswith("'")
                                     else int(text))
        db.schema_cache[f"defaults:{table}"] = found
    return found


def seal_new(db: Database, key: bytes, table: str, values: Mapping[str, Any]) -> str:
    """The seal of a row about to be inserted with *values* (the other columns taking their
    defaults), so that the INSERT carries its seal: no reading back, no second write.
    Booleans are stored, and so sealed, as 0 and 1."""
    row = {**_defaults(db, table), **values}
    return row_seal(key, table, {c: int(v) if isinstance(v, bool) else v
                                 for c, v in row.items()})


def _select(table: str) -> str:
    return f"SELECT {', '.join(COLUMNS[table])}, row_seal FROM {table}"  # noqa: S608


def stamp(db: Database, key: bytes, table: str, row_id: str) -> None:
    """Seal one row as it now stands (inside the caller's transaction)."""
    row = db.one(_select(table) + " WHERE id = :id", {"id": row_id})
    if row is not None:
        db.execute(f"UPDATE {table} SET row_seal = :s WHERE id = :id",  # noqa: S608
                   {"s": row_seal(key, table, row), "id": row_id})


def present(db: Database) -> bool:
    """Whether this database has row seals (schema version 7 on; a backup may be older)."""
    return any(r["name"] == "row_seal" for r in db.all("PRAGMA table_info(cases)"))


def stamp_all(db: Database, case_key: bytes) -> int:
    """Seal every survivor and case row (inside the caller's transaction); nothing in a
    database of an earlier schema."""
    if not present(db):
        return 0
    key = seal_key(case_key)
    count = 0
    for table in COLUMNS:
        for row in db.all(_select(table)):
            db.execute(f"UPDATE {table} SET row_seal = :s WHERE id = :id",  # noqa: S608
                       {"s": row_seal(key, table, row), "id": row["id"]})
            count += 1
    return count


def in_place(db: Database) -> bool:
    """Whether every row has been sealed once (the marker seal_earlier_rows leaves)."""
    return bool(db.scalar("SELECT value FROM meta WHERE key = :k", {"k": DONE}) == LEVEL)


def _mark_in_place(db: Database) -> None:
    db.execute("INSERT INTO meta (key, value) VALUES (:k, :v) ON CONFLICT (key)"
               " DO UPDATE SET value = excluded.value", {"k": DONE, "v": LEVEL})


def _holds(key: bytes, table: str, row: Mapping[str, Any]) -> bool:
    stored = row["row_seal"]
    return stored is not None and hmac.compare_digest(str(stored), row_seal(key, table, row))


def holds(db: Database, key: bytes, table: str, row_id: str) -> bool:
    """Whether one row's seal holds under the seal *key*."""
    row = db.one(_select(table) + " WHERE id = :id", {"id": row_id})
    return row is not None and _holds(key, table, row)


def holding(db: Database, case_key: bytes) -> dict[str, set[str]] | None:
    """The ids of the rows whose seal holds under *case_key*, by table; None while the
    rows of before are not yet sealed (an upgrade the first session with the case key
    finishes).  Taken before a pass that changes stored values, so that only what was
    sealed is sealed again after it."""
    if not present(db) or not in_place(db):
        return None
    key = seal_key(case_key)
    return {table: {row["id"] for row in db.all(_select(table)) if _holds(key, table, row)}
            for table in COLUMNS}


def carry(db: Database, case_key: bytes, held: dict[str, set[str]] | None) -> int:
    """Seal again, under *case_key*, the rows *held* names (inside the caller's
    transaction).  A row whose seal did not hold keeps what it had, so the check goes on
    naming it: no pass of the application turns an edit made outside it into a sealed
    row.  With no seals in place yet (None), nothing: the first session with the case key
    seals every row once."""
    if held is None:
        return 0
    key = seal_key(case_key)
    for table, ids in held.items():
        for row_id in ids:
            stamp(db, key, table, row_id)
    return sum(len(ids) for ids in held.values())


def session_key(ctx: ServiceContext) -> bytes:
    """The row seals' key, derived once a session (and again after a re-key)."""
    case_key = ctx.vault.keyring.key(KeyName.CASE)
    if case_key is None:
        raise keys_not_given(reading=False)
    if ctx.row_seal_key is None or ctx.row_seal_key[0] != case_key:
        ctx.row_seal_key = (case_key, seal_key(case_key))
    return ctx.row_seal_key[1]


def stamp_case(ctx: ServiceContext, db: Database, case_id: str) -> None:
    """Seal a case's row and its survivor's, after the services wrote either."""
    key = session_key(ctx)
    survivor_id = db.scalar("SELECT survivor_id FROM cases WHERE id = :id", {"id": case_id})
    stamp(db, key, "cases", case_id)
    if survivor_id is not None:
        stamp(db, key, "survivors", survivor_id)


def seal_earlier_rows(ctx: ServiceContext) -> int:
    """Once, by the first session holding the case key after the upgrade to seals: every
    row as it stands is sealed, and the audit log records how many."""
    db = ctx.db
    if not present(db) or in_place(db):
        return 0
    case_key = ctx.vault.keyring.key(KeyName.CASE)
    if case_key is None:
        return 0
    with db.transaction():
        # Rows of before have no seal, and the log has never recorded this pass.  A marker
        # removed afterwards (outside the application) is put back without sealing
        # anything: what was edited meanwhile stays named by the check.
        earlier = db.scalar(
            "SELECT 1 FROM audit_events WHERE action = :a LIMIT 1",
            {"a": Event.ROWS_SEALED.value}) or any(db.scalar(
                f"SELECT 1 FROM {table} WHERE row_seal IS NOT NULL LIMIT 1")  # noqa: S608
                for table in COLUMNS)
        if earlier:
            _mark_in_place(db)
            return 0
        count = stamp_all(db, case_key)
        _mark_in_place(db)
        ctx.audit.append(Event.ROWS_SEALED, actor_id=ctx.session.user_id,
                         target_type="vault", target_id=ctx.vault.vault_id,
                         details={"count": count})
    return count


@dataclass(frozen=True)
class RowProblem:
    code: str  # the case's code: what the check names
    table: str  # "survivors" or "cases"
    missing: bool  # no seal at all (else: a seal that does not match the row)


def check(db: Database, case_key: bytes) -> tuple[int, list[RowProblem]]:
    """(rows checked, the rows whose seal is missing or does not match), by case code."""
    key = seal_key(case_key)
    codes = {r["id"]: r["code"] for r in db.all("SELECT id, code FROM cases")}
    survivor_codes = {r["survivor_id"]: r["code"]
                      for r in db.all("SELECT survivor_id, code FROM cases")}
    problems: list[RowProblem] = []
    checked = 0
    for table in COLUMNS:
        names = codes if table == "cases" else survivor_codes
        for row in db.all(_select(table)):
            checked += 1
            if _holds(key, table, row):
                continue
            problems.append(RowProblem(names.get(row["id"], "?"), table,
                                       row["row_seal"] is None))
    problems.sort(key=lambda p: (p.code, p.table))
    return checked, problems
