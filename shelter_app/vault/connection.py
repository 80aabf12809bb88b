"""Opening the SQLCipher database in the one safe order (docs/VAULT_FORMAT.md § Database)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from shelter_app.errors import VaultDamaged, VaultMissing, VaultTooNew
from shelter_app.i18n import _

APPLICATION_ID = 0x53484C54  # "SHLT"


def _key_pragma(data_key: bytes) -> str:
    if len(data_key) != 32:
        raise ValueError("the data key is 32 bytes")
    return f"PRAGMA key = \"x'{data_key.hex()}'\""


def damaged_database() -> VaultDamaged:
    return VaultDamaged(
        _(
            "The database file cases.db is damaged and cannot be opened. Your passphrase was "
            "accepted. Restore the newest backup from the vault's backups folder."
        )
    )


def too_new(found: int, known: int) -> VaultTooNew:
    return VaultTooNew(
        _(
            "This vault was written by a newer version of Shelter App (database version "
            "{found}; this version knows up to {known}). Install the newer version to open "
            "it; nothing was changed."
        ).format(found=found, known=known)
    )


def connect(path: Path, data_key: bytes, *, create: bool = False) -> sqlcipher.Connection:
    """Key and check the database; refuses to create one unless *create* is set.

    SQLCipher would silently make a new empty database at a missing or empty path, which
    would look to the user like every record had vanished, so that is checked first.
    """
    if not create:
        try:
            size = path.stat().st_size
        except FileNotFoundError as exc:
            raise VaultMissing(
                _(
                    "The database file cases.db is missing from this vault folder. Nothing "
                    "was created. Restore it from a backup, or choose the right folder."
                )
            ) from exc
        if size == 0:
            raise VaultMissing(
                _(
                    "The database file cases.db is empty (0 bytes). Nothing was created. "
                    "Restore it from the vault's backups folder."
                )
            )
    elif path.exists() and path.stat().st_size > 0:
        raise VaultDamaged(_("A database file already exists where a new vault was to be made."))

    conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA cipher_memory_security = ON")
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(_key_pragma(data_key))
        conn.execute("PRAGMA cipher_compatibility = 4")
        try:
            # Reading the header authenticates page 1 with the key.  The schema itself is
            # parsed by the first query that needs it (about 6 ms for this schema in this
            # SQLite build, encrypted or not), and a damaged schema is reported there.
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        except sqlcipher.DatabaseError as exc:
            raise damaged_database() from exc
        if not create and app_id != APPLICATION_ID:
            raise damaged_database()
        if not create:
            _check_not_truncated(conn, path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA cache_size = -65536")  # 64 MiB: large imports stay in memory
    except BaseException:
        conn.close()
        raise
    return conn


def _check_not_truncated(conn: sqlcipher.Connection, path: Path) -> None:
    """A file shorter than its own page count says was cut off (a failed copy, a full disk)."""
    wal = path.with_name(path.name + "-wal")
    with contextlib.suppress(FileNotFoundError):
        if wal.stat().st_size > 0:
            return  # pages may live in the write-ahead log until the next checkpoint
    try:
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        page_count = int(conn.execute("PRAGMA page_count").fetchone()[0])
    except sqlcipher.DatabaseError as exc:
        raise damaged_database() from exc
    if os.path.getsize(path) < page_size * page_count:
        raise damaged_database()


def schema_version(conn: sqlcipher.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def integrity_problems(conn: sqlcipher.Connection) -> list[str]:
    """Every page whose authentication fails, then SQLite's own structural check."""
    problems: list[str] = []
    try:
        problems += [str(row[0]) for row in conn.execute("PRAGMA cipher_integrity_check")]
        rows = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
        problems += [r for r in rows if r != "ok"]
    except sqlcipher.DatabaseError as exc:
        problems.append(str(exc))
    return problems
