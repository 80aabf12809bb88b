"""SQL for survivors and cases, and the name search index kept beside them."""

from __future__ import annotations

import json
from typing import Any

from shelter_app.domain import names
from shelter_app.store.db import Database, Row

SURVIVOR_JSON = ("aliases", "citizenship", "languages", "contact", "safe_contact",
                 "identity_documents", "guardian")
CASE_JSON = ("exploitation_types", "means_of_control")
SURVIVOR_BOOL = ("interpreter_needed", "is_minor")
CASE_BOOL = ("is_draft",)
META = ("id", "created_at", "updated_at", "created_by", "updated_by", "row_version")


def to_columns(values: dict[str, Any], json_fields: tuple[str, ...],
               bool_fields: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in json_fields:
            out[key] = json.dumps(value, ensure_ascii=False, sort_keys=True)
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
    cols = list(values)
    db.execute(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})",  # noqa: S608
        values,
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


def search_terms(legal_name: str, preferred_name: str, aliases: list[str], code: str) -> str:
    words: list[str] = []
    for text in (legal_name, preferred_name, *aliases):
        for token in names.tokens(text):
            words.append(token)
            latin = names.latin(token)
            if latin != token:
                words.append(latin)
    words.append(code.casefold())
    words.extend(names.tokens(code))
    return " ".join(dict.fromkeys(words))


def reindex(db: Database, case_id: str) -> None:
    row = db.one(
        "SELECT c.search_id, c.code, s.legal_name, s.preferred_name, s.aliases FROM cases c"
        " JOIN survivors s ON s.id = c.survivor_id WHERE c.id = :id", {"id": case_id})
    if row is None:
        return
    terms = search_terms(row["legal_name"], row["preferred_name"], json.loads(row["aliases"]),
                         row["code"])
    keys = name_keys(row["legal_name"], row["preferred_name"], json.loads(row["aliases"]))
    params = {"r": row["search_id"], "t": terms, "k": keys}
    db.execute("DELETE FROM case_search WHERE rowid = :r", params)
    db.execute("INSERT INTO case_search (rowid, terms) VALUES (:r, :t)", params)
    db.execute("DELETE FROM case_keys WHERE rowid = :r", params)
    db.execute("INSERT INTO case_keys (rowid, keys) VALUES (:r, :k)", params)


def index_new(db: Database, search_id: int, legal_name: str, preferred_name: str,
              aliases: list[str], code: str) -> None:
    """Index a case just inserted (nothing to delete first)."""
    params = {"r": search_id, "t": search_terms(legal_name, preferred_name, aliases, code),
              "k": name_keys(legal_name, preferred_name, aliases)}
    db.execute("INSERT INTO case_search (rowid, terms) VALUES (:r, :t)", params)
    db.execute("INSERT INTO case_keys (rowid, keys) VALUES (:r, :k)", params)


def name_keys(legal_name: str, preferred_name: str, aliases: list[str]) -> str:
    keys: list[str] = []
    for text in (legal_name, preferred_name, *aliases):
        keys.extend(k for k in (names.skeleton(t) for t in names.tokens(text)) if len(k) >= 2)
    return " ".join(dict.fromkeys(keys))


def keys_query(keys: list[str]) -> str | None:
    """Any of *keys*, each quoted (so no input is ever FTS syntax)."""
    usable = [k for k in dict.fromkeys(keys) if k][:20]
    return " OR ".join('"' + k.replace('"', '""') + '"' for k in usable) or None


def fts_query(text: str) -> str | None:
    """A MATCH expression that cannot be a syntax error: each folded word quoted, as a
    prefix, all required.  None when the text has no searchable word."""
    words = names.tokens(text)[:12]
    if not words:
        return None
    return " AND ".join('"' + w.replace('"', '""') + '"*' for w in words)
