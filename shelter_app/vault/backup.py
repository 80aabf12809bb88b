"""Verified backups: a page-by-page copy of the live database, re-opened and checked."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

from shelter_app.errors import ShelterError, StorageFailure
from shelter_app.i18n import _
from shelter_app.vault.connection import _key_pragma, connect, integrity_problems, schema_version
from shelter_app.vault.engine import sqlcipher  # configured before its first connection
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
    statements that check the finished copy look at it every few thousand steps of
    SQLite's engine (a progress handler) and stop when it is set."""

    STEP_PAGES = 1024  # 4 MiB
    CHECK_EVERY = 10_000  # SQLite virtual-machine instructions

    def __init__(self) -> None:
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    def check(self, *_progress: object) -> None:
        if self._cancelled.is_set():
            raise BackupCancelled(_("The backup was stopped."))

    @contextlib.contextmanager
    def watching(self, conn: sqlcipher.Connection) -> Iterator[None]:
        """Statements on *conn* stop (with an "interrupted" error) once cancelled."""
        self.check()
        conn.set_progress_handler(self._cancelled.is_set, self.CHECK_EVERY)
        try:
            yield
        finally:
            conn.set_progress_handler(None, 0)


def write_copy(conn: sqlcipher.Connection, data_key: bytes, target: Path,
                cancel: BackupCancel) -> None:
    """The live database into a new SQLCipher file at *target*, keyed the same way."""
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


def _write_failure(exc: sqlcipher.Error) -> StorageFailure:
    return StorageFailure(
        _("The backup could not be written ({reason}). Nothing was changed.").format(
            reason=str(exc)))


def make_backup(conn: sqlcipher.Connection, data_key: bytes, folder: Path, keyslots: Path,
                cancel: BackupCancel | None = None) -> Path:
    """Copy the database into ``backups/`` and prove the copy opens and is whole.

    Returns the new file.  A copy that fails its check is deleted and the error raised, so a
    migration that depends on the backup never runs without one.  *cancel* can stop it from
    another thread (``BackupCancelled``), leaving no partial copy.
    """
    cancel = cancel or BackupCancel()
    target_dir = folder / BACKUP_DIR
    version = schema_version(conn)
    target = target_dir / f"cases-{_stamp()}-v{version}.db"
    try:
        target_dir.mkdir(mode=0o700, exist_ok=True)
        write_copy(conn, data_key, target, cancel)
        mirror_keyslots(keyslots, folder)
        fsync_dir(target_dir)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            target.unlink()
        if isinstance(exc, OSError):
            raise storage_error(exc, target.name) from exc
        if isinstance(exc, sqlcipher.Error):
            raise _write_failure(exc) from exc
        raise
    verify_backup(target, data_key, version, cancel)
    return target


COPY_PREFIX = "vault-copy-"


def copy_vault(conn: sqlcipher.Connection, data_key: bytes, keyslots: Path, parent: Path,
               cancel: BackupCancel | None = None) -> Path:
    """A complete vault folder (``cases.db``, ``keyslots.json``, ``backups/``) made inside
    *parent* (another drive, say), checked like a backup; returns the new folder.

    The folder's name says nothing of the organisation.  Whatever fails, the new folder is
    removed again and the vault itself is not touched.
    """
    cancel = cancel or BackupCancel()
    target = parent / f"{COPY_PREFIX}{_stamp()}"
    version = schema_version(conn)
    try:
        if not parent.is_dir():
            raise StorageFailure(_("That folder does not exist or is not a folder."))
        target.mkdir(mode=0o700)
        (target / BACKUP_DIR).mkdir(mode=0o700)
        write_copy(conn, data_key, target / "cases.db", cancel)
        atomic_write(target / "keyslots.json", keyslots.read_bytes())
        fsync_dir(target)
        fsync_dir(parent)
        verify_backup(target / "cases.db", data_key, version, cancel, every_page=True)
    except BaseException as exc:
        shutil.rmtree(target, ignore_errors=True)
        if isinstance(exc, OSError):
            raise storage_error(exc, target.name) from exc
        if isinstance(exc, sqlcipher.Error):
            raise _write_failure(exc) from exc
        raise
    return target


def verify_backup(path: Path, data_key: bytes, version: int,
                  cancel: BackupCancel | None = None, *, every_page: bool = False) -> None:
    """Refuse (and delete) a copy that does not open whole.  *every_page*: a copy that
    becomes a live vault (a re-key's, a vault folder copied elsewhere) has every page's
    code checked too, free pages included; a backup, which is only ever read back, does not
    need it (``integrity_problems``)."""
    cancel = cancel or BackupCancel()
    try:
        copy = connect(path, data_key)
        try:
            with cancel.watching(copy):
                problems = integrity_problems(copy, quick=not every_page)
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
        cancel.check()  # unless the check was interrupted on purpose
        raise StorageFailure(
            _("The backup copy could not be read back, so it was deleted. Nothing was changed.")
        ) from exc
    if problems or not same_version:
        with contextlib.suppress(OSError):
            path.unlink()
        raise StorageFailure(
            _("The backup copy failed its integrity check, so it was deleted. Nothing was changed.")
        )


def newest_audit_event(path: Path, data_key: bytes) -> tuple[int, bytes] | None:
    """(seq, hmac) of the newest audit event in the copy at *path*: an anchor of the live
    chain, which must still hold that event (services/vault_admin.py, ``verify``)."""
    copy = connect(path, data_key)
    try:
        row = copy.execute("SELECT seq, hmac FROM audit_events ORDER BY seq DESC LIMIT 1"
                           ).fetchone()
    finally:
        copy.close()
    return (int(row[0]), bytes(row[1])) if row else None


_COPY_NAME = re.compile(r"^cases-(\d{8}T\d{12}Z)-v(\d+)\.db$")


def copy_made_at(name: str) -> dt.datetime | None:
    """When the copy named *name* (``cases-20261207T101500123456Z-v10.db``) was made."""
    match = _COPY_NAME.match(name)
    if match is None:
        return None
    return dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%S%fZ").replace(tzinfo=dt.UTC)


def copies(folder: Path) -> list[tuple[dt.datetime, int, Path]]:
    """The database copies in ``backups/``, oldest first: (made at, schema version, path)."""
    found = []
    with contextlib.suppress(FileNotFoundError):
        for path in (folder / BACKUP_DIR).iterdir():
            made = copy_made_at(path.name)
            if made is not None:
                found.append((made, int(path.name.rsplit("-v", 1)[1][:-3]), path))
    return sorted(found)


def prune(folder: Path, keep: int, purged_at: dt.datetime | None = None) -> list[Path]:
    """Delete all but the newest *keep* copies, and returns what was deleted.

    The newest copy of each older schema version stays too: it is the state just before a
    migration, the one to go back to if an upgrade went wrong; but not when it was made
    before *purged_at* (the last purge or erasure), so that records purged expire from every
    copy by rotation.  The copies are encrypted, so deleting is enough.
    """
    found = copies(folder)
    kept = {path for _made, _version, path in found[-max(keep, 1):]}
    newest_of_version: dict[int, tuple[dt.datetime, Path]] = {}
    for made, version, path in found:
        newest_of_version[version] = (made, path)
    kept |= {path for made, path in newest_of_version.values()
             if purged_at is None or made >= purged_at}
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
