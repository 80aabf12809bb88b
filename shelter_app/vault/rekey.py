"""Changing the vault's keys (a re-key, docs/VAULT_FORMAT.md section 3.10).

After an account is disabled, loses a role, or a copy of the vault folder is suspected, a
new database key makes every earlier copy of keyslots.json useless for the vault as it is:
the database and each backup copy are re-encrypted under a key that no earlier key file
holds.  Run by a session that gives content keys (a coordinator's), the content keys
change as well, and each copy has its sealed fields sealed again under them.  The steps,
each one recorded in the key file before the next begins:

1. *prepared*: the new database key, sealed to every active account (and the recovery
   slot), and each new content key, sealed to the accounts its signed roles entitle, are
   written to the key file beside the current ones.  On the first re-key the current
   database key is also kept as the integrity key, under which the audit chain and its
   anchors stay.
2. Each file (cases.db, then every copy in backups/) is copied page by page into
   ``<name>.rekey`` under the new key, its sealed fields sealed again if the content keys
   change, and each copy is opened and checked.
3. *copied*: from here the re-key only goes forward.  Each ``.rekey`` file replaces its
   original (an atomic rename, so each file is whole under the old keys or the new ones).
4. The new keys become the current ones in the key file and the re-key record goes.

A crash before step 3 leaves the old files untouched: the next sign-in deletes the copies
and drops the record.  A crash in or after step 3 is finished by the next sign-in of any
account holding a new grant (``resume``), which first checks that cases.db opens under the
new key.  At no point does the key file lack a key that opens cases.db.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3.dbapi2 as sqlcipher

from shelter_app.domain.key_classes import ALL_KEYS, CONTENT_KEYS, KeyName, keys_for
from shelter_app.errors import ShelterError, StorageFailure, VaultDamaged
from shelter_app.i18n import _
from shelter_app.store.db import Database
from shelter_app.vault import crypto, sealing
from shelter_app.vault.backup import (
    BACKUP_DIR,
    BackupCancel,
    copies,
    mirror_keyslots,
    verify_backup,
    write_copy,
)
from shelter_app.vault.connection import connect, damaged_database, load_schema, schema_version
from shelter_app.vault.fileio import fsync_dir, storage_error
from shelter_app.vault.keyring import Keyring, statement_roles
from shelter_app.vault.keyslots import Keyslot, KeyslotFile

if TYPE_CHECKING:
    from shelter_app.vault.vault import OpenVault

SUFFIX = ".rekey"
Progress = Callable[[int, int], None]  # (pages copied, pages in all)


def _reached(point: str) -> None:
    """Called at each step; the crash tests make it end the process there."""


class RekeyUnfinished(StorageFailure):
    """The re-key stopped after its copies were made: this session's database is closed,
    and the next sign-in finishes the change."""


@dataclass(frozen=True)
class RekeyReport:
    epoch: int  # the new database key's generation
    files: int  # cases.db and the backup copies re-encrypted
    accounts: int  # keyslots the new key was sealed to
    content: tuple[str, ...] = ()  # the content keys changed too
    left: int = 0  # sealed values that did not open under their old key, left as they were


# (the copy, old content keys, new content keys) → values left: services/key_rotation.py
Reseal = Callable[[Database, Mapping[str, bytes], Mapping[str, bytes]], int]


class _Pages(BackupCancel):
    """Reports pages copied across every file: SQLite's backup calls ``check`` per step."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        super().__init__()
        self.total, self.done, self._file_done = max(total, 1), 0, 0
        self._progress = progress

    def check(self, *progress: object) -> None:
        if len(progress) == 3 and self._progress is not None:
            remaining, pages = int(progress[1]), int(progress[2])  # type: ignore[call-overload]
            self._progress(min(self.done + pages - remaining, self.total), self.total)

    def file_done(self, pages: int) -> None:
        self.done += pages


def _staged(path: Path) -> Path:
    return path.with_name(path.name + SUFFIX)


def _page_count(path: Path) -> int:
    return max(1, path.stat().st_size // 4096)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def staged_files(db_path: Path) -> list[Path]:
    """Every ``.rekey`` copy in the vault folder and its backups."""
    found = [p for p in (_staged(db_path),) if p.exists()]
    with contextlib.suppress(FileNotFoundError):
        found += sorted((db_path.parent / BACKUP_DIR).glob("*" + SUFFIX))
    return found


def _swap(db_path: Path) -> None:
    """Each ``.rekey`` copy over its original; cases.db's empty log files go first, since
    they belong to the file being replaced."""
    for staged in staged_files(db_path):
        target = staged.with_name(staged.name[: -len(SUFFIX)])
        if target == db_path:
            for side in ("-wal", "-shm"):
                _remove(target.with_name(target.name + side))
        os.replace(staged, target)
        _reached("swapping")
    fsync_dir(db_path.parent)
    with contextlib.suppress(FileNotFoundError):
        fsync_dir(db_path.parent / BACKUP_DIR)


def _undo(db_path: Path, slots: KeyslotFile, keyslots_path: Path) -> None:
    for staged in staged_files(db_path):
        _remove(staged)
    slots.rekey = None
    _save(slots, keyslots_path)


def _save(slots: KeyslotFile, keyslots_path: Path) -> None:
    slots.save(keyslots_path)
    mirror_keyslots(keyslots_path, keyslots_path.parent)


def _promote(slots: KeyslotFile, keyslots_path: Path) -> None:
    """The new keys become the current ones: each slot sealed to gets its new grant, and a
    slot the record gave no new content key loses its old grant of it."""
    record = slots.rekey
    assert record is not None
    changed = {KeyName.DATABASE.value: record, **record.get("content", {})}
    for slot in list(slots.slots):
        if slot.status != "active" or not slot.has_pair:
            continue
        grants = dict(slot.grants)
        for name, entry in changed.items():
            grant = entry["grants"].get(slot.user_id)
            if grant is not None:
                grants[name] = grant
            elif name != KeyName.DATABASE:
                grants.pop(name, None)
        slots.put(replace(slot, grants=grants))
    for name, entry in changed.items():
        slots.epochs[name] = int(entry["epoch"])
        slots.checks[name] = sealing.unb64(entry["check"], 16)
    slots.rekey = None
    _save(slots, keyslots_path)


def _opens(path: Path, key: bytes) -> bool:
    try:
        connect(path, key).close()
    except (VaultDamaged, sqlcipher.Error):
        return False
    return True


def _open_pending(slots: KeyslotFile, keyring: Keyring, name: str, entry: Mapping[str, Any]
                  ) -> bytes | None:
    assert keyring.pair is not None
    grant = entry["grants"].get(keyring.user_id)
    if grant is None:
        return None
    epoch = int(entry["epoch"])
    try:
        key = sealing.open_sealed(keyring.pair, grant, sealing.grant_aad(
            slots.vault_id, keyring.user_id, name, epoch))
        check = sealing.unb64(entry["check"], 16)
    except ValueError:
        return None
    return key if sealing.key_check(key, slots.vault_id, name, epoch) == check else None


def pending_keys(slots: KeyslotFile, keyring: Keyring) -> dict[str, bytes]:
    """The new keys the re-key record seals to this keyring's account, each checked: the
    database key under ``database`` (absent if it does not open), and the content keys the
    account is given."""
    record = slots.rekey
    if record is None or keyring.pair is None:
        return {}
    entries = {KeyName.DATABASE.value: record, **record.get("content", {})}
    opened = {name: _open_pending(slots, keyring, name, entry)
              for name, entry in entries.items()}
    return {name: key for name, key in opened.items() if key is not None}


def resume(db_path: Path, keyslots_path: Path, slots: KeyslotFile, keyring: Keyring) -> bool:
    """At sign-in, before the database opens: finish or undo a re-key a crash interrupted.

    Returns whether one was finished (the keyring then holds the new keys)."""
    record = slots.rekey
    if record is None:
        return False
    old_key = keyring.key(KeyName.DATABASE)
    if record["state"] != "copied":
        _undo(db_path, slots, keyslots_path)
        return False
    pending = pending_keys(slots, keyring)
    new_key = pending.get(KeyName.DATABASE)
    if new_key is None:
        raise VaultDamaged(_(
            "This vault's keys were being changed when the application stopped, and this "
            "account cannot finish it. Ask an administrator to sign in first."))
    staged = _staged(db_path)
    # Nothing is renamed unless cases.db (or its copy still waiting) opens under the new key.
    if not _opens(staged if staged.exists() else db_path, new_key):
        if old_key is not None and _opens(db_path, old_key):
            _undo(db_path, slots, keyslots_path)
            return False
        raise damaged_database()
    try:
        _swap(db_path)
    except OSError as exc:
        raise storage_error(exc, db_path.name) from exc
    _promote(slots, keyslots_path)
    for name in (KeyName.DATABASE, *record.get("content", {})):
        _hold(keyring, name, pending.get(name))
    return True


def _hold(keyring: Keyring, name: str, key: bytes | None) -> None:
    """*key* in place of the keyring's *name* (None: not held any more); the old one is
    overwritten."""
    old = keyring.keys.pop(name, None)
    if old is not None:
        old[:] = bytes(len(old))
    if key is not None:
        keyring.keys[name] = bytearray(key)


def _keep_integrity_key(opened: OpenVault, slots: KeyslotFile, key: bytes) -> None:
    """The first re-key keeps the vault's first database key as the integrity key, sealed
    to every account that holds the database key."""
    if KeyName.INTEGRITY in slots.checks:
        return
    slots.add_key(KeyName.INTEGRITY, key)
    for slot in list(slots.slots):
        if slot.status == "active" and slot.has_pair and KeyName.DATABASE in slot.grants:
            grant = sealing.seal(slot.public_key, key, sealing.grant_aad(
                slots.vault_id, slot.user_id, KeyName.INTEGRITY, 1))
            slots.put(replace(slot, grants={**slot.grants, KeyName.INTEGRITY.value: grant}))
    opened.keyring.keys[KeyName.INTEGRITY] = bytearray(key)


def _sealed_to(slots: KeyslotFile, name: str, key: bytes, epoch: int,
               holders: list[Keyslot]) -> dict[str, Any]:
    return {"epoch": epoch,
            "check": sealing.b64(sealing.key_check(key, slots.vault_id, name, epoch)),
            "grants": {slot.user_id: sealing.seal(slot.public_key, key, sealing.grant_aad(
                slots.vault_id, slot.user_id, name, epoch)) for slot in holders}}


def _prepare(slots: KeyslotFile, keyring: Keyring, new_key: bytes,
             content: Mapping[str, bytes]) -> dict[str, Any]:
    """The re-key record: the new database key for every active slot that holds the
    database key, and each new content key for the slots its signed roles entitle to it
    (and the recovery slot)."""
    active = [slot for slot in slots.slots if slot.status == "active" and slot.has_pair]
    record = {"state": "prepared", **_sealed_to(
        slots, KeyName.DATABASE, new_key, slots.epoch_of(KeyName.DATABASE) + 1,
        [slot for slot in active if KeyName.DATABASE in slot.grants])}
    if content:
        entitled = {slot.user_id: (ALL_KEYS if slot.kind == "recovery" else keys_for(
            statement_roles(slots, slot, keyring.verify_key) or ())) for slot in active}
        record["content"] = {name: _sealed_to(
            slots, name, key, slots.epoch_of(name) + 1,
            [slot for slot in active if name in entitled[slot.user_id]])
            for name, key in content.items()}
    return record


def _copy(conn: sqlcipher.Connection, new_key: bytes, target: Path, pages: _Pages,
          reseal: Callable[[Database], int] | None) -> int:
    """*conn*'s database into *target* under *new_key*, its sealed fields sealed again by
    *reseal* if given, synced and checked.  Returns the values *reseal* left."""
    _remove(target)
    version = schema_version(conn)
    try:
        write_copy(conn, new_key, target, pages)
        left = 0
        if reseal is not None:
            staged = Database(connect(target, new_key))
            try:
                left = reseal(staged)
            finally:
                staged.close()
        fd = os.open(target, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        target.chmod(0o600)
    except OSError as exc:
        raise storage_error(exc, target.name) from exc
    except sqlcipher.Error as exc:
        raise StorageFailure(_("A copy under the new key could not be written ({reason}). "
                               "Nothing was changed.").format(reason=str(exc))) from exc
    verify_backup(target, new_key, version, every_page=True)
    return left


def change_keys(opened: OpenVault, progress: Progress | None = None,
                reseal: Reseal | None = None) -> RekeyReport:
    """Re-encrypt cases.db and its backup copies under a new database key (module doc).

    With *reseal*, the content keys this session may give (a coordinator's) change too, and
    every sealed field in each copy is sealed again under them before the copy is checked.
    The session's own connection is held by this thread throughout, so nothing of this
    session writes meanwhile; the caller keeps backups from running alongside."""
    vault, keyring = opened.vault, opened.keyring
    db_path, keyslots_path = vault.db_path, vault.keyslots_path
    with opened.db.held() as conn:
        opened.refresh_slots()
        slots = opened.slots
        if slots.rekey is not None:
            _undo(db_path, slots, keyslots_path)
        old_key, new_key = opened.data_key_copy(), crypto.new_data_key()
        rotated = [str(name) for name in CONTENT_KEYS
                   if reseal is not None and name in slots.checks and keyring.may_grant(name)]
        old = {name: keyring.key(name) or b"" for name in rotated}
        new = {name: sealing.new_content_key() for name in rotated}
        _keep_integrity_key(opened, slots, old_key)
        slots.rekey = _prepare(slots, keyring, new_key, new)
        sealed_to = len(slots.rekey["grants"])
        _save(slots, keyslots_path)
        _reached("prepared")
        backups = [path for _made, _version, path in copies(vault.folder)]
        step = (None if reseal is None or not rotated else
                lambda staged: reseal(staged, old, new))
        left = 0
        try:
            busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                raise StorageFailure(_("The database is in use, so its keys were not changed. "
                                       "Try again in a moment."))
            pages = _Pages(sum(_page_count(p) for p in [db_path, *backups]), progress)
            for path in [db_path, *backups]:
                source = conn if path == db_path else connect(path, old_key)
                try:
                    left += _copy(source, new_key, _staged(path), pages, step)
                finally:
                    if source is not conn:
                        source.close()
                pages.file_done(_page_count(path))
                _reached("copying")
        except BaseException:
            _undo(db_path, slots, keyslots_path)
            raise
        slots.rekey["state"] = "copied"
        _save(slots, keyslots_path)
        _reached("copied")
        conn.close()  # the file it reads is about to be replaced
        try:
            _swap(db_path)
            _reached("swapped")
            _promote(slots, keyslots_path)
            _reached("promoted")
        except (OSError, ShelterError) as exc:
            raise RekeyUnfinished(_(
                "The new keys were made and every copy is written, but the files could not all "
                "be put in place ({reason}). Nothing was lost: sign in again, and the change "
                "is finished then.").format(reason=getattr(exc, "message", str(exc)))) from exc
        for name, key in {KeyName.DATABASE.value: new_key, **new}.items():
            _hold(keyring, name, key)
        try:
            reopened = connect(db_path, new_key)
            load_schema(reopened)
        except ShelterError as exc:
            raise RekeyUnfinished(_(
                "The vault's keys were changed, but the database could not be opened again "
                "({reason}). Sign in again.").format(reason=exc.message)) from exc
        opened.db.replace_connection(reopened)
    return RekeyReport(slots.epoch_of(KeyName.DATABASE), 1 + len(backups), sealed_to,
                       tuple(rotated), left)
