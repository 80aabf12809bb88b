"""Content keys changed by a re-key: every sealed field sealed again, the name index keyed
again (docs/VAULT_FORMAT.md, section 3.10).

Run by the re-key on each copy it makes under the new database key (cases.db and every
backup), before the copy is checked and put in place, so each file goes from all old keys
to all new keys in one rename.  A value that does not open under the old key (edited
outside the application) is left as it is and counted: it opened under no key before and
opens under none after.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from shelter_app.domain.key_classes import KeyName
from shelter_app.services import case_fields, row_seals
from shelter_app.services.field_sealing import SEALED, SealedColumns
from shelter_app.store.db import Database
from shelter_app.vault import fields


def _columns(db: Database, table: str) -> set[str]:
    return {row["name"] for row in db.all(f"PRAGMA table_info({table})")}


def _specs(db: Database) -> list[SealedColumns]:
    """The sealed columns this copy has (a backup of an earlier schema has fewer).  A kept
    draft is under the key its sealed_under names."""
    out = []
    for spec in SEALED:
        present = _columns(db, spec.table)
        if not set(spec.columns) <= present:
            continue
        if spec.table == "drafts" and "sealed_under" in present:
            spec = SealedColumns("drafts", ("content",), "SELECT id, content,"
                                 " COALESCE(sealed_under, 'case') AS key FROM drafts")
        out.append(spec)
    return out


def reseal(db: Database, old: Mapping[str, bytes], new: Mapping[str, bytes]) -> int:
    """Seal again, under ``new[name]``, every value sealed under ``old[name]``; rebuild the
    keyed name index if the case key changes.  Returns the values left as they were
    because they did not open."""
    left = 0
    held = row_seals.holding(db, old[KeyName.CASE]) if KeyName.CASE in new else None
    # Sealing again changes no value, so the statistics' stored facts stay right; but the
    # triggers delete them as the survivors' columns are rewritten: they are opened first
    # and put back, sealed under the new key, at the end.
    facts: dict[str, tuple[str, str]] = {}
    tables = {str(t) for t in db.column("SELECT name FROM sqlite_master WHERE type = 'table'")}
    grouped = "stat_buckets" in tables  # schema version 13: each case's group
    if KeyName.CASE in new and "stat_facts" in tables:
        for row in db.all("SELECT id, facts, " + ("bucket" if grouped else "''")  # noqa: S608
                          + " AS bucket FROM stat_facts"):
            with contextlib.suppress(fields.FieldDamaged):  # left out: read from its rows
                facts[row["id"]] = (fields.open_value(old[KeyName.CASE], "stat_facts",
                                                      row["id"], "facts", row["facts"]),
                                    row["bucket"])
    with db.transaction():
        for spec in _specs(db):
            for row in db.all(spec.rows_sql):
                name = row["key"]
                if name not in new:
                    continue
                values = {}
                for column in spec.columns:
                    value = row[column]
                    if value is None or not fields.is_sealed(value):
                        continue
                    if isinstance(value, memoryview):
                        value = bytes(value)
                    try:
                        plain = fields.open_value(old[name], spec.table, row["id"], column, value)
                    except fields.FieldDamaged:
                        left += 1
                        continue
                    values[column] = fields.seal(new[name], spec.table, row["id"], column,
                                                 plain)
                if values:
                    assignments = ", ".join(f"{c} = :{c}" for c in values)
                    db.execute(f"UPDATE {spec.table} SET {assignments} WHERE id = :id",  # noqa: S608
                               {**values, "id": row["id"]})
        if KeyName.CASE in new and db.scalar(
                "SELECT value FROM meta WHERE key = :k",
                {"k": case_fields.INDEX_DONE}) == case_fields.INDEX_LEVEL:
            case_fields.rebuild_index(db, new[KeyName.CASE])
        if KeyName.CASE in new:  # what was sealed is sealed again under the new key
            row_seals.carry(db, new[KeyName.CASE], held)
        for case_id, (text, group) in facts.items():
            db.execute(("INSERT INTO stat_facts (id, facts, bucket) VALUES (:id, :f, :b)"
                        " ON CONFLICT (id) DO UPDATE SET facts = excluded.facts,"
                        " bucket = excluded.bucket") if grouped else
                       ("INSERT INTO stat_facts (id, facts) VALUES (:id, :f)"
                        " ON CONFLICT (id) DO UPDATE SET facts = excluded.facts"),
                       {"id": case_id, "b": group,
                        "f": fields.seal(new[KeyName.CASE], "stat_facts", case_id, "facts",
                                         text)})
    return left
