"""Fields written plain by an earlier version are sealed once, by the first session that
holds their keys (docs/VAULT_FORMAT.md, section 7.1).

A vault made by this version never has a plain survivor field to seal; ``meta`` records
``fields_sealed`` once none is left, so the pass costs one lookup at every later sign-in.
"""

from __future__ import annotations

from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.services.context import ServiceContext
from shelter_app.vault import fields

DONE = "fields_sealed"
LEVEL = "1"  # the sealed classes of this version: service entries' outcome and notes


def seal_plain_fields(ctx: ServiceContext) -> int:
    """Seal what this session holds the keys for; returns how many rows were sealed."""
    db = ctx.db
    if db.scalar("SELECT value FROM meta WHERE key = :k", {"k": DONE}) == LEVEL:
        return 0
    keys = ctx.vault.keyring
    if not (keys.holds(KeyName.CASE) or keys.holds(KeyName.HEALTH)):
        return 0
    rows = db.all(
        "SELECT e.id, e.outcome, e.notes, t.is_health FROM service_entries e"
        " JOIN service_types t ON t.id = e.service_type_id"
        " WHERE substr(e.outcome, 1, 4) <> :p OR substr(e.notes, 1, 4) <> :p",
        {"p": fields.PREFIX})
    sealed = left = 0
    with db.transaction():
        for row in rows:
            key = KeyName.HEALTH if row["is_health"] else KeyName.CASE
            if not keys.holds(key):
                left += 1
                continue
            values = {column: row[column] if fields.is_sealed(row[column]) else
                      ctx.seal(key, "service_entries", row["id"], column, row[column])
                      for column in ("outcome", "notes")}
            # The same content in another form: no new row version, no "changed by".
            db.execute("UPDATE service_entries SET outcome = :outcome, notes = :notes"
                       " WHERE id = :id", {**values, "id": row["id"]})
            sealed += 1
        if not left:
            db.execute("INSERT INTO meta (key, value) VALUES (:k, :v) ON CONFLICT (key)"
                       " DO UPDATE SET value = excluded.value", {"k": DONE, "v": LEVEL})
        if sealed:
            ctx.audit.append(Event.FIELDS_SEALED, actor_id=ctx.session.user_id,
                             target_type="vault", target_id=ctx.vault.vault_id,
                             details={"count": sealed})
    return sealed
