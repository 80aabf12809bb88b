"""Verified backups: a page-by-page copy of the live database, re-opened and checked."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from shelter_app.errors import StorageFailure
from shelter_app.i18n import _
from shelter_app.vault.connection import _key_pragma, connect, integrity_problems, schema_version
from shelter_app.vault.fileio import atomic_write, fsync_dir, storage_error

BACKUP_DIR = "backups"


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


KEYSLOTS_MIRROR = "keyslots.json"


def mirror_keyslots(keyslots: Path, folder: Path) -> None:
    """Keep ``backups/keyslots.json`` identical to the live key file.

    There is one mirror, never a history of older versions: the data key never changes, so
    an old copy would keep opening the vault for an account that was since disabled, with a
    recovery key that was since replaced, or with a passphrase that was since changed.
    """
    if not keyslots.exists():
        return
    target_dir = folder / BACKUP_DIR
    target_dir.mkdir(mode=0o700, exist_ok=True)
    atomic_write(target_dir / KEYSLOTS_MIRROR, keyslots.read_bytes())


def make_backup(conn: sqlcipher.Connection, data_key: bytes, folder: Path, keyslots: Path) -> Path:
    """Copy the database into ``backups/`` and prove the copy opens and is whole.

    Returns the new file.  A copy that fails its check is deleted and the error raised, so a
    migration that depends on the backup never runs without one.
    """
    target_dir = folder / BACKUP_DIR
    stamp = _stamp()
    version = schema_version(conn)
    target = target_dir / f"cases-{stamp}-v{version}.db"
    try:
        target_dir.mkdir(mode=0o700, exist_ok=True)
        dest = sqlcipher.connect(str(target), isolation_level=None)
        try:
            dest.execute("PRAGMA cipher_memory_security = ON")
            dest.execute("PRAGMA cipher_log_level = NONE")
            dest.execute(_key_pragma(data_key))
            dest.execute("PRAGMA cipher_compatibility = 4")
            conn.backup(dest)
        finally:
            dest.close()
        mirror_keyslots(keyslots, folder)
        fsync_dir(target_dir)
    except OSError as exc:
        with contextlib.suppress(OSError):
            target.unlink()
        raise storage_error(exc, target.name) from exc
    except sqlcipher.Error as exc:
        with contextlib.suppress(OSError):
            target.unlink()
        raise StorageFailure(
            _("The backup could not be written ({reason}). Nothing was changed.").format(
                reason=str(exc)
            )
        ) from exc
    verify_backup(target, data_key, version)
    return target


def verify_backup(path: Path, data_key: bytes, version: int) -> None:
    try:
        copy = connect(path, data_key)
        try:
            problems = integrity_problems(copy)
            same_version = schema_version(copy) == version
        finally:
            copy.close()
    except Exception as exc:  # any failure to reopen means the copy is not a backup
        with contextlib.suppress(OSError):
            path.unlink()
        raise StorageFailure(
            _("The backup copy could not be read back, so it was deleted. Nothing was changed.")
        ) from exc
    if problems or not same_version:
        with contextlib.suppress(OSError):
            path.unlink()
        raise StorageFailure(
            _("The backup copy failed its integrity check, so it was deleted. Nothing was changed.")
        )
