"""Numbered SQL migrations, ``PRAGMA user_version``, one transaction each, after a backup."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from importlib import resources

import sqlcipher3.dbapi2 as sqlcipher

from shelter_app.errors import EnvironmentFailure, MigrationFailed
from shelter_app.i18n import _
from shelter_app.store.db import environment_failure
from shelter_app.vault.connection import refuse_newer, schema_version

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """(number, file name, SQL) for every migration shipped, in order, numbered 1, 2, 3…"""
    return list(_shipped())


@functools.cache
def _shipped() -> tuple[tuple[int, str, str], ...]:
    """The migration files, read once per process (every connection checks the version)."""
    found = []
    for entry in resources.files("shelter_app.vault.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..n: {numbers}")
    return tuple(found)


def latest_version() -> int:
    return len(migrations())


def migrate(conn: sqlcipher.Connection, backup: Callable[[int], object]) -> list[int]:
    """Bring the schema up to date; returns the versions applied.

    *backup(version)* is called once before the first migration of an existing vault and
    must raise if it could not write and verify a copy: no migration runs without one.
    """
    current = refuse_newer(conn)
    pending = [m for m in migrations() if m[0] > current]
    if not pending:
        return []
    if current > 0:
        backup(current)
    applied = []
    for number, _name, sql in pending:
        script = f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;"
        try:
            conn.executescript(script)
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if not isinstance(exc, sqlcipher.Error):
                raise
            failure = environment_failure(exc)
            if isinstance(failure, EnvironmentFailure):
                raise failure from exc
            raise MigrationFailed(
                _("The vault could not be upgraded to database version {number}, so it was "
                  "left at version {current}, unchanged; a backup is in its backups folder. "
                  "Please report this.").format(number=number, current=schema_version(conn))
            ) from exc
        applied.append(number)
    return applied
