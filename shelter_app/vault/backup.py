"""Verified backups: a page-by-page copy of the live database, re-opened and checked."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from shelter_app.errors import ShelterError, StorageFailure
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


class BackupCancelled(ShelterError):
    """The backup was stopped (the session is ending); its partial copy is deleted."""


class BackupCancel:
    """Stops a backup from another thread: locking must not wait for a long copy.

    The copy is made a few megabytes at a time and checks the flag between steps; the
    check of the finished copy is interrupted on its connection."""

    STEP_PAGES = 1024  # 4 MiB

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._watched: set[sqlcipher.Connection] = set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            for conn in self._watched:
                conn.interrupt()

    def check(self, *_progress: object) -> None:
        if self._cancelled:
            raise BackupCancelled(_("The backup was stopped."))

    @contextlib.contextmanager
    def watching(self, conn: sqlcipher.Connection) -> Iterator[None]:
        with self._lock:
            self._watched.add(conn)
        try:
            self.check()
            yield
        finally:
            with self._lock:
                self._watched.discard(conn)


def make_backup(conn: sqlcipher.Connection, data_key: bytes, folder: Path, keyslots: Path,
                cancel: BackupCancel | None = None) -> Path:
    """Copy the database into ``backups/`` and prove the copy opens and is whole.

    Returns the new file.  A copy that fails its check is deleted and the error raised, so a
    migration that depends on the backup never runs without one.  *cancel* can stop it from
    another thread (``BackupCancelled``), leaving no partial copy.
    """
    cancel = cancel or BackupCancel()
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
            conn.backup(dest, pages=cancel.STEP_PAGES, progress=cancel.check)
        finally:
            dest.close()
        cancel.check()
        mirror_keyslots(keyslots, folder)
        fsync_dir(target_dir)
    except BackupCancelled:
        with contextlib.suppress(OSError):
            target.unlink()
        raise
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
    verify_backup(target, data_key, version, cancel)
    return target


def verify_backup(path: Path, data_key: bytes, version: int,
                  cancel: BackupCancel | None = None) -> None:
    cancel = cancel or BackupCancel()
    try:
        copy = connect(path, data_key)
        try:
            with cancel.watching(copy):
                problems = integrity_problems(copy)
                same_version = schema_version(copy) == version
        finally:
            copy.close()
        cancel.check()  # an interrupted check reads as problems: it was a stop, not damage
    except BackupCancelled:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
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


_COPY_NAME = re.compile(r"^cases-(\d{8}T\d{12}Z)-v(\d+)\.db$")


def copies(folder: Path) -> list[tuple[dt.datetime, int, Path]]:
    """The database copies in ``backups/``, oldest first: (made at, schema version, path)."""
    found = []
    with contextlib.suppress(FileNotFoundError):
        for path in (folder / BACKUP_DIR).iterdir():
            match = _COPY_NAME.match(path.name)
            if match:
                made = dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%S%fZ").replace(
                    tzinfo=dt.UTC)
                found.append((made, int(match.group(2)), path))
    return sorted(found)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest *keep* copies, and returns what was deleted.

    The newest copy of each older schema version stays too: it is the state just before a
    migration, the one to go back to if an upgrade went wrong.  The copies are encrypted,
    so deleting is enough.
    """
    found = copies(folder)
    kept = {path for _made, _version, path in found[-max(keep, 1):]}
    newest_of_version: dict[int, Path] = {}
    for _made, version, path in found:
        newest_of_version[version] = path
    kept |= set(newest_of_version.values())
    deleted = []
    for _made, _version, path in found:
        if path not in kept:
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise storage_error(exc, path.name) from exc
            deleted.append(path)
    if deleted:
        fsync_dir(folder / BACKUP_DIR)
    return deleted
