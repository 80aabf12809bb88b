"""One process at a time per vault: an advisory lock on ``vault.lock``."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from shelter_app.errors import VaultInUse
from shelter_app.i18n import _
from shelter_app.vault.fileio import storage_error

LOCK_NAME = "vault.lock"


class VaultLock:
    """Held from opening a vault folder until it is closed; released if the process dies."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._fd: int | None = None
        self._shared = False  # held read-only (see ``acquire``), perhaps with no file

    def acquire(self, *, shared: bool = False) -> None:
        """Hold the folder.  *shared*: a vault on a read-only disk, where the lock file can
        be neither made nor written; a shared lock on it, if it is there, still keeps out a
        program that writes the same folder through another path."""
        if shared:
            self._acquire_shared()
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise storage_error(exc, LOCK_NAME) from exc
        try:
            _lock_fd(fd)
        except OSError as exc:
            os.close(fd)
            raise VaultInUse(
                _(
                    "This vault is already open in another Shelter App window or command. "
                    "Close it there first; two programs writing at once could lose records."
                )
            ) from exc
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def _acquire_shared(self) -> None:
        self._shared = True
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return  # no lock file on the read-only disk: nothing can write there
        try:
            _lock_fd(fd, shared=True)
        except OSError as exc:
            os.close(fd)
            raise VaultInUse(_(
                "This vault is already open in another Shelter App window or command. "
                "Close it there first; two programs writing at once could lose records."
            )) from exc
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            if not self._shared:
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None
        self._shared = False

    @property
    def held(self) -> bool:
        return self._fd is not None or self._shared


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_fd(fd: int, *, shared: bool = False) -> None:
        if not shared:  # Windows has no shared lock on a read-only handle
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock_fd(fd: int, *, shared: bool = False) -> None:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
