"""Safe file writes: atomic replacement, exclusive creation, and clear disk errors."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path

from shelter_app.errors import StorageFailure, ValidationError
from shelter_app.i18n import _


def storage_error(exc: OSError, what: str) -> StorageFailure:
    """A user-facing message for a failed write; *what* is a file name, never survivor data."""
    if exc.errno == errno.ENOSPC:
        return StorageFailure(
            _("The disk is full: {what} could not be saved. Nothing was changed.").format(what=what)
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageFailure(
            _("No permission to write {what}. Nothing was changed.").format(what=what)
        )
    return StorageFailure(
        _("{what} could not be written ({reason}). Nothing was changed.").format(
            what=what, reason=os.strerror(exc.errno or 0)
        )
    )


def fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Write *data* to a temporary file beside *path*, fsync it, then rename over *path*.

    A crash or a full disk leaves either the old file or the new one, never half of each.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise storage_error(exc, path.name) from exc


def write_new_file(path: Path, data: bytes) -> None:
    """Create *path* with *data*; refuses to overwrite an existing file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise ValidationError(
            _("{name} already exists. Choose another file name.").format(name=path.name), "path"
        ) from exc
    except OSError as exc:
        raise storage_error(exc, path.name) from exc
    try:
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            path.unlink()
        raise storage_error(exc, path.name) from exc
