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

    def acquire(self) -> None:
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

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_fd(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
