"""The names staff accounts are shown by (display name, or user name when it has none)."""

from __future__ import annotations

from collections.abc import Iterable

from shelter_app.store.db import Database


def display_names(db: Database, user_ids: Iterable[str | None] | None = None) -> dict[str, str]:
    """Every account's shown name by id, or only those of *user_ids* (disabled ones too: an
    account that did something stays named after it is disabled)."""
    rows = db.all("SELECT id, username, display_name FROM users")
    wanted = None if user_ids is None else {u for u in user_ids if u}
    return {str(r["id"]): str(r["display_name"] or r["username"]) for r in rows
            if wanted is None or r["id"] in wanted}
