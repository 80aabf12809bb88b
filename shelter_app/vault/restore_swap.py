"""The last step of a restore (vault/restore.py): the checked copy swapped in, with what it
replaces kept aside, under a journal (``restore.json``) that lets the next opening finish a
swap a crash stopped.  docs/VAULT_FORMAT.md 12.3.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from shelter_app.errors import VaultDamaged
from shelter_app.i18n import _
from shelter_app.vault.backup import BACKUP_DIR, mirror_keyslots
from shelter_app.vault.connection import read_only_unfinished
from shelter_app.vault.fileio import fsync_dir, storage_error

DB_NAME = "cases.db"  # the vault folder's two files (vault/vault.py takes them from here)
KEYSLOTS_NAME = "keyslots.json"
JOURNAL = "restore.json"
STAGING_PREFIX = "restoring-"


def _move(source: Path, target: Path) -> None:
    if source.exists():
        os.replace(source, target)


def _keep(source: Path, target: Path) -> None:
    """*source* also under *target*: a hard link (the swap then replaces *source*), or a
    copy where the file system has none."""
    if target.exists() or not source.exists():
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _swap(folder: Path, journal: dict[str, Any]) -> None:
    staged = folder / str(journal["staged"])
    replaced = folder / str(journal["replaced"])
    if not (staged / DB_NAME).exists():
        return  # swapped already: only the clearing up was left
    replaced.mkdir(mode=0o700, exist_ok=True)
    (replaced / BACKUP_DIR).mkdir(mode=0o700, exist_ok=True)
    # The log files belong to the database being replaced: they go first, so that no
    # moment pairs the restored database with another file's log.
    for side in ("-wal", "-shm"):
        _move(folder / (DB_NAME + side), replaced / (DB_NAME + side))
    _keep(folder / DB_NAME, replaced / DB_NAME)
    _keep(folder / KEYSLOTS_NAME, replaced / KEYSLOTS_NAME)
    for name in journal.get("newer", []):
        _move(folder / BACKUP_DIR / str(name), replaced / BACKUP_DIR / str(name))
    fsync_dir(replaced)
    _move(staged / KEYSLOTS_NAME, folder / KEYSLOTS_NAME)
    os.replace(staged / DB_NAME, folder / DB_NAME)
    fsync_dir(folder)
    mirror_keyslots(folder / KEYSLOTS_NAME, folder)


def finish_interrupted(folder: Path, *, read_only: bool = False) -> bool:
    """A restore a crash stopped during its swap is finished; a copy left half-made before
    the swap began is removed.  Called with the vault held, before anything opens it.
    *read_only*: on a disk that cannot be written, a swap half done is refused (it cannot
    be finished there) and a half-made copy is left where it is."""
    journal_path = folder / JOURNAL
    finished = False
    if read_only:
        if journal_path.exists():
            raise read_only_unfinished()
        return False
    if journal_path.exists():
        try:
            journal = json.loads(journal_path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise VaultDamaged(_("The note of an interrupted restore (restore.json) cannot be "
                                 "read. Remove it after checking which database is in place."
                                 )) from exc
        try:
            _swap(folder, journal)
        except OSError as exc:
            raise storage_error(exc, DB_NAME) from exc
        shutil.rmtree(folder / str(journal["staged"]), ignore_errors=True)
        journal_path.unlink()
        fsync_dir(folder)
        finished = True
    for leftover in folder.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(leftover, ignore_errors=True)
    return finished
