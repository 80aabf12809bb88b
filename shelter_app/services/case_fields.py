"""A survivor's and a case's own columns, sealed and opened, and the keyed name index beside
them (docs/VAULT_FORMAT.md, sections 7.1 and 7.2).

Sealed under the case key: who the survivor is (names, aliases, date of birth, gender,
citizenship, languages, interpreter language, identity documents), how to reach them
(contact, safe contact, guardian), and the case's situation (referral source, who
identified them, exploitation types, means of control, recruitment, safety plan).  Under
the health key: the survivor's access needs.  Left plain, because lists, deadlines and
counts are built from them and they name nobody: the case code, status, risk level,
identification status and its dates, closure, assignment, the is-minor, estimated-age and
interpreter-needed flags, and every date a row was written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shelter_app.domain.key_classes import KeyName
from shelter_app.services import row_seals
from shelter_app.services.context import ServiceContext, keys_not_given
from shelter_app.store import cases as store
from shelter_app.store.db import Database
from shelter_app.vault import blind_index, fields

SURVIVOR_CASE = ("legal_name", "preferred_name", "aliases", "birth_date", "gender",
                 "citizenship", "languages", "interpreter_language", "contact", "safe_contact",
                 "identity_documents", "guardian")
SURVIVOR_HEALTH = ("access_needs",)
CASE_CASE = ("referral_source", "identified_by", "exploitation_types", "means_of_control",
             "recruitment_method", "recruiter_relationship", "safety_plan")
EMPTY = ("", "[]", "{}")
# column → content key, per table
SEALED_KEY: dict[str, dict[str, str]] = {
    "survivors": {**dict.fromkeys(SURVIVOR_CASE, KeyName.CASE.value),
                  **dict.fromkeys(SURVIVOR_HEALTH, KeyName.HEALTH.value)},
    "cases": dict.fromkeys(CASE_CASE, KeyName.CASE.value),
}


def index_key(ctx: ServiceContext) -> blind_index.Tagger:
    """The name index's key, as the session's tagger; refused for a session without the
    case key."""
    case_key = ctx.vault.keyring.key(KeyName.CASE)
    if case_key is None:
        raise keys_not_given(reading=True)
    if ctx.index_key is None or ctx.index_key[0] != case_key:
        ctx.index_key = (case_key, blind_index.Tagger(blind_index.index_key(case_key)))
    return ctx.index_key[1]


def seal_columns(ctx: ServiceContext, table: str, row_id: str, columns: dict[str, Any]
                 ) -> dict[str, Any]:
    """*columns* (as ``store.to_columns`` makes them) with each sealed column sealed; a NULL
    stays NULL.  The keyed tokens that go with them are added: ``birth_key`` with a
    survivor's date of birth, ``situation_tags`` with a case's exploitation types."""
    keyed = SEALED_KEY[table]
    out = dict(columns)
    for column, value in columns.items():
        if column not in keyed or value is None:
            continue
        if value in EMPTY and not ctx.vault.keyring.holds(keyed[column]):
            continue  # nothing to hide, from a session not given that key (yet)
        out[column] = ctx.seal(keyed[column], table, row_id, column, value)
    if table == "survivors" and "birth_date" in columns:
        out["birth_key"] = blind_index.birth_tag(index_key(ctx), columns["birth_date"])
    if table == "cases" and "exploitation_types" in columns:
        out["situation_tags"] = blind_index.situation_tags(
            index_key(ctx), store.json_list(columns["exploitation_types"]))
    return out


def open_columns(ctx: ServiceContext, table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """The row as plain columns.  A column whose key this session does not hold is left out
    (the caller decides what that means); a damaged one raises VaultDamaged."""
    keyed = SEALED_KEY[table]
    out: dict[str, Any] = {}
    for column in row.keys():  # noqa: SIM118 - a Row iterates over its values
        value = row[column]
        if column in keyed and value is not None:
            value = ctx.unseal(keyed[column], table, row["id"], column, value)
            if value is None:
                continue
        out[column] = value
    return out


def display_name(ctx: ServiceContext, survivor_id: str, legal_name: str,
                 preferred_name: str) -> str | None:
    """The name a list shows (the preferred name, else the legal name); None without the
    case key."""
    preferred = ctx.unseal(KeyName.CASE, "survivors", survivor_id, "preferred_name",
                           preferred_name)
    if preferred:
        return preferred
    return ctx.unseal(KeyName.CASE, "survivors", survivor_id, "legal_name", legal_name)


def index_case(ctx: ServiceContext, db: Database, search_id: int, code: str,
               survivor: Mapping[str, Any], *, new: bool = False) -> None:
    """Write the case's rows of the name index from its survivor's plain *survivor* columns
    (``legal_name``, ``preferred_name`` and ``aliases`` as a list)."""
    key = index_key(ctx)
    aliases = store.json_list(survivor.get("aliases"))
    params = {"r": search_id,
              "t": blind_index.name_terms(key, survivor["legal_name"],
                                          survivor.get("preferred_name") or "", aliases, code),
              "k": blind_index.skeleton_terms(key, survivor["legal_name"],
                                              survivor.get("preferred_name") or "", aliases)}
    if not new:
        db.execute("DELETE FROM case_search WHERE rowid = :r", params)
        db.execute("DELETE FROM case_keys WHERE rowid = :r", params)
    db.execute("INSERT INTO case_search (rowid, terms) VALUES (:r, :t)", params)
    db.execute("INSERT INTO case_keys (rowid, keys) VALUES (:r, :k)", params)


def reindex(ctx: ServiceContext, db: Database, case_id: str) -> None:
    """Write the case's index rows afresh from what is stored."""
    row = db.one("SELECT c.search_id, c.code, s.id, s.legal_name, s.preferred_name, s.aliases"
                 " FROM cases c JOIN survivors s ON s.id = c.survivor_id WHERE c.id = :id",
                 {"id": case_id})
    if row is not None:
        index_case(ctx, db, row["search_id"], row["code"],
                   open_columns(ctx, "survivors", row))


INDEX_DONE = "name_index"
INDEX_LEVEL = "keyed1"


def key_the_index(ctx: ServiceContext) -> int:
    """Once, by the first session holding the case key after an upgrade: the name index,
    dates of birth and exploitation types as keyed tokens (they were plain words before).
    Returns how many cases were indexed."""
    db = ctx.db
    if db.scalar("SELECT value FROM meta WHERE key = :k", {"k": INDEX_DONE}) == INDEX_LEVEL:
        return 0
    if not ctx.vault.keyring.holds(KeyName.CASE):
        return 0
    case_key = ctx.vault.keyring.key(KeyName.CASE)
    assert case_key is not None
    held = row_seals.holding(db, case_key)
    with db.transaction():
        count = rebuild_index(db, case_key)
        row_seals.carry(db, case_key, held)  # their tags changed
        db.execute("INSERT INTO meta (key, value) VALUES (:k, :v) ON CONFLICT (key)"
                   " DO UPDATE SET value = excluded.value", {"k": INDEX_DONE, "v": INDEX_LEVEL})
    return count


def rebuild_index(db: Database, case_key: bytes) -> int:
    """The name index, dates of birth and exploitation types as tags under the index key of
    *case_key*, from the sealed columns (section 7.2).  Inside the caller's transaction."""
    key = blind_index.Tagger(blind_index.index_key(case_key))

    def text(table: str, row_id: str, column: str, value: object) -> str:
        if value is None:
            return ""
        try:
            return str(fields.open_value(case_key, table, row_id, column, str(value)))
        except fields.FieldDamaged:
            return ""

    rows = db.all("SELECT c.id AS case_id, c.search_id, c.code, c.exploitation_types,"
                  " s.id, s.legal_name, s.preferred_name, s.aliases, s.birth_date"
                  " FROM cases c JOIN survivors s ON s.id = c.survivor_id")
    db.execute("DELETE FROM case_search")
    db.execute("DELETE FROM case_keys")
    with key.remembering():
        for row in rows:
            legal, preferred = (text("survivors", row["id"], c, row[c])
                                for c in ("legal_name", "preferred_name"))
            aliases = [str(a) for a in store.json_list(
                text("survivors", row["id"], "aliases", row["aliases"]) or None)]
            params = {"r": row["search_id"],
                      "t": blind_index.name_terms(key, legal, preferred, aliases, row["code"]),
                      "k": blind_index.skeleton_terms(key, legal, preferred, aliases)}
            db.execute("INSERT INTO case_search (rowid, terms) VALUES (:r, :t)", params)
            db.execute("INSERT INTO case_keys (rowid, keys) VALUES (:r, :k)", params)
            birth = text("survivors", row["id"], "birth_date", row["birth_date"]) or None
            db.execute("UPDATE survivors SET birth_key = :b WHERE id = :id",
                       {"b": blind_index.birth_tag(key, birth), "id": row["id"]})
            kinds = text("cases", row["case_id"], "exploitation_types",
                         row["exploitation_types"])
            db.execute("UPDATE cases SET situation_tags = :t WHERE id = :id",
                       {"t": blind_index.situation_tags(key, store.json_list(kinds or None)),
                        "id": row["case_id"]})
    # No page keeps a tag of the old key (secure_delete overwrites the pages freed).
    db.execute("INSERT INTO case_search (case_search) VALUES ('optimize')")
    db.execute("INSERT INTO case_keys (case_keys) VALUES ('optimize')")
    return len(rows)

