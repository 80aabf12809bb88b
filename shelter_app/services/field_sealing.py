"""Fields written plain by an earlier version are sealed once, by the first session that
holds their keys (docs/VAULT_FORMAT.md, section 7.1).

A vault made by this version never has a plain survivor field to seal; ``meta`` records
``fields_sealed`` (the level below) once none is left, so the pass costs one lookup at
every later sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass

from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.services import (
    case_fields,
    consent,
    evidence,
    legal,
    referrals,
    row_seals,
    timeline,
)
from shelter_app.services.context import ServiceContext
from shelter_app.store.db import Database
from shelter_app.vault import fields

DONE = "fields_sealed"
# 1: service entries' outcome and notes; 2: and legal matters' reference and notes;
# 3: and appointments' notes; 4: and referrals' reason, declined reason and outcome;
# 5: and what tasks say; 6: and consents' purpose, guardian and withdrawal note, and the
# timeline's places and descriptions; 7: and survivors' identity, contact and access needs,
# cases' situation (services/case_fields.py), kept drafts, attachments and evidence labels
LEVEL = "7"


@dataclass(frozen=True)
class SealedColumns:
    table: str
    columns: tuple[str, ...]
    # SELECT id, the columns, and `key`: the name of the content key each row is under
    rows_sql: str


SEALED: tuple[SealedColumns, ...] = (
    SealedColumns("service_entries", ("outcome", "notes"),
                  "SELECT e.id, e.outcome, e.notes, CASE WHEN t.is_health THEN 'health'"
                  " ELSE 'case' END AS key FROM service_entries e"
                  " JOIN service_types t ON t.id = e.service_type_id"),
    SealedColumns("legal_matters", legal.SEALED,
                  f"SELECT id, {', '.join(legal.SEALED)}, 'legal' AS key"  # noqa: S608
                  " FROM legal_matters"),
    SealedColumns("appointments", ("notes",),
                  "SELECT id, notes, 'case' AS key FROM appointments"),
    SealedColumns("referrals", referrals.SEALED,
                  "SELECT id, reason, declined_reason, outcome, 'case' AS key FROM referrals"),
    SealedColumns("tasks", ("what",), "SELECT id, what, 'case' AS key FROM tasks"),
    SealedColumns("consents", consent.SEALED,
                  "SELECT id, purpose, guardian_name, withdrawal_note, 'case' AS key"
                  " FROM consents"),
    SealedColumns("timeline_events", timeline.SEALED,
                  "SELECT id, place, description, 'case' AS key FROM timeline_events"),
    SealedColumns("survivors", case_fields.SURVIVOR_CASE,
                  f"SELECT id, {', '.join(case_fields.SURVIVOR_CASE)}, 'case' AS key"  # noqa: S608
                  " FROM survivors"),
    SealedColumns("survivors", case_fields.SURVIVOR_HEALTH,
                  "SELECT id, access_needs, 'health' AS key FROM survivors"),
    SealedColumns("drafts", ("content",),
                  # a plain draft is of before: sealed under the case key, as its NULL
                  # sealed_under says to readers
                  "SELECT id, content, 'case' AS key FROM drafts"),
    SealedColumns("attachments", ("label", "file_name", "sha256", "content"),
                  "SELECT id, label, file_name, sha256, content, 'case' AS key"
                  " FROM attachments"),
    SealedColumns("evidence_items", evidence.SEALED,
                  "SELECT id, label, reason, holder, 'legal' AS key FROM evidence_items"),
    SealedColumns("proceedings", ("details",),
                  "SELECT id, details, 'legal' AS key FROM proceedings"),
    SealedColumns("proceeding_updates", ("details",),
                  "SELECT id, details, 'legal' AS key FROM proceeding_updates"),
    SealedColumns("claims", ("details",), "SELECT id, details, 'legal' AS key FROM claims"),
    SealedColumns("non_punishment", ("details",),
                  "SELECT id, details, 'legal' AS key FROM non_punishment"),
    SealedColumns("family_members", ("details",),
                  "SELECT id, details, 'case' AS key FROM family_members"),
    SealedColumns("cases", case_fields.CASE_CASE,
                  f"SELECT id, {', '.join(case_fields.CASE_CASE)}, 'case' AS key"  # noqa: S608
                  " FROM cases"),
    # the statistics' copy of each case's codes and dates (services/case_facts.py)
    SealedColumns("stat_facts", ("facts",), "SELECT id, facts, 'case' AS key FROM stat_facts"),
    # and each group's counts of them (schema version 13)
    SealedColumns("stat_buckets", ("tally",),
                  "SELECT id, tally, 'case' AS key FROM stat_buckets"),
    # and each group's counts of its cases' records (schema version 14)
    SealedColumns("stat_activity", ("tally",),
                  "SELECT id, tally, 'case' AS key FROM stat_activity"),
    SealedColumns("stat_activity", ("legal",),
                  "SELECT id, legal, 'legal' AS key FROM stat_activity"),
)


def _columns(db: Database, table: str) -> set[str]:
    """The columns *table* has (a vault opened by a test at an earlier schema version lacks
    those added later)."""
    return {str(r["name"]) for r in db.all(f"PRAGMA table_info({table})")}


def _settled(value: object) -> bool:
    """Nothing left to seal: sealed already, NULL (a date not known stays NULL) or an empty
    text (never sealed: ``fields.seal``)."""
    return value is None or value == "" or fields.is_sealed(value)


def seal_plain_fields(ctx: ServiceContext) -> int:
    """Seal what this session holds the keys for; returns how many rows were sealed."""
    db = ctx.db
    if db.scalar("SELECT value FROM meta WHERE key = :k", {"k": DONE}) == LEVEL:
        return 0
    keys = ctx.vault.keyring
    if not any(keys.holds(k) for k in (KeyName.CASE, KeyName.HEALTH, KeyName.LEGAL)):
        return 0
    present = set(db.column("SELECT name FROM sqlite_master WHERE type = 'table'"))
    case_key = keys.key(KeyName.CASE)
    # Before seals are in place the first session with the case key seals every row once;
    # after, a row is sealed again only if its seal held (plain values there were put in
    # outside the application, and the check goes on naming the row).
    seal_key = (row_seals.seal_key(case_key) if case_key is not None
                and row_seals.present(db) and row_seals.in_place(db) else None)
    sealed = left = 0
    with db.transaction():
        for spec in (spec for spec in SEALED if spec.table in present
                     and set(spec.columns) <= _columns(db, spec.table)):
            # Every row, once: which values are sealed is decided by fields.is_sealed, the
            # rule readers use, not by a prefix a plain note could happen to start with.
            for row in db.all(spec.rows_sql):
                if all(_settled(row[c]) for c in spec.columns):
                    continue
                if not keys.holds(row["key"]):
                    left += 1
                    continue
                resign = (seal_key is not None and spec.table in row_seals.COLUMNS
                          and row_seals.holds(db, seal_key, spec.table, row["id"]))
                values = {c: row[c] if _settled(row[c]) else
                          ctx.seal(row["key"], spec.table, row["id"], c, row[c])
                          for c in spec.columns}
                # The same content in another form: no new row version, no "changed by".
                assignments = ", ".join(f"{c} = :{c}" for c in spec.columns)
                db.execute(f"UPDATE {spec.table} SET {assignments} WHERE id = :id",  # noqa: S608
                           {**values, "id": row["id"]})
                if resign:
                    assert seal_key is not None
                    row_seals.stamp(db, seal_key, spec.table, row["id"])
                sealed += 1
        if not left:
            db.execute("INSERT INTO meta (key, value) VALUES (:k, :v) ON CONFLICT (key)"
                       " DO UPDATE SET value = excluded.value", {"k": DONE, "v": LEVEL})
        if sealed:
            ctx.audit.append(Event.FIELDS_SEALED, actor_id=ctx.session.user_id,
                             target_type="vault", target_id=ctx.vault.vault_id,
                             details={"count": sealed})
    return sealed
