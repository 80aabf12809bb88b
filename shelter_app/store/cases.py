"""SQL for survivors and cases (their sealed columns and name index: services/case_fields.py)."""

from __future__ import annotations

import json
from typing import Any

from shelter_app.store.db import Database, Row

SURVIVOR_JSON = ("aliases", "citizenship", "languages", "contact", "safe_contact",
                 "identity_documents", "guardian")
CASE_JSON = ("exploitation_types", "means_of_control")
SURVIVOR_BOOL = ("interpreter_needed", "is_minor")
CASE_BOOL = ("is_draft",)
META = ("id", "created_at", "updated_at", "created_by", "updated_by", "row_version")


_STORED = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode  # made once


def to_columns(values: dict[str, Any], json_fields: tuple[str, ...],
               bool_fields: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in json_fields:
            out[key] = _STORED(value)
        elif key in bool_fields:
            out[key] = int(bool(value))
        else:
            out[key] = value
    return out


def from_row(row: Row, json_fields: tuple[str, ...], bool_fields: tuple[str, ...]
             ) -> dict[str, Any]:
    out = {}
    for key in row.keys():  # noqa: SIM118 - iterating a Row gives its values, not its keys
        value = row[key]
        if key in json_fields and value is not None:
            value = json.loads(value)
        elif key in bool_fields:
            value = bool(value)
        out[key] = value
    return out


def insert(db: Database, table: str, values: dict[str, Any]) -> None:
    # positional parameters: SQLite binds them without looking up each name
    db.execute(
        f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",  # noqa: S608
        tuple(values.values()),
    )


def update(db: Database, table: str, row_id: str, values: dict[str, Any],
           expected_version: int | None) -> bool:
    """Update *values* and bump row_version; False if the row changed meanwhile."""
    sets = ", ".join(f"{c} = :{c}" for c in values)
    where = "id = :id_" + (" AND row_version = :version_" if expected_version is not None else "")
    cur = db.execute(
        f"UPDATE {table} SET {sets}, row_version = row_version + 1 WHERE {where}",  # noqa: S608
        {**values, "id_": row_id, "version_": expected_version},
    )
    return bool(cur.rowcount)


def json_list(value: Any) -> list[Any]:
    """A JSON list column's value as a list, whether given as its text or already parsed."""
    if value is None or value == "":
        return []
    return list(json.loads(value)) if isinstance(value, str) else list(value)
