"""Keep decrypted memory out of core dumps while a vault is open."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import sys

_PR_SET_DUMPABLE = 4
_PR_GET_DUMPABLE = 3


class CoreDumpGuard:
    """Sets the core-file limit to zero (and, on Linux, the process non-dumpable).

    Nested holders are counted; the previous settings come back when the last one leaves.
    """

    def __init__(self) -> None:
        self._depth = 0
        self._saved_limit: tuple[int, int] | None = None
        self._saved_dumpable: int | None = None

    def __enter__(self) -> CoreDumpGuard:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        self._depth += 1
        if self._depth > 1:
            return
        with contextlib.suppress(ImportError, ValueError, OSError):
            import resource

            self._saved_limit = resource.getrlimit(resource.RLIMIT_CORE)
            resource.setrlimit(resource.RLIMIT_CORE, (0, self._saved_limit[1]))
        libc = _libc()
        if libc is not None:
            self._saved_dumpable = int(libc.prctl(_PR_GET_DUMPABLE, 0, 0, 0, 0))
            libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)

    def release(self) -> None:
        if self._depth == 0:
            return
        self._depth -= 1
        if self._depth:
            return
        if self._saved_limit is not None:
            with contextlib.suppress(ImportError, ValueError, OSError):
                import resource

                resource.setrlimit(resource.RLIMIT_CORE, self._saved_limit)
            self._saved_limit = None
        libc = _libc()
        if libc is not None and self._saved_dumpable is not None:
            libc.prctl(_PR_SET_DUMPABLE, self._saved_dumpable, 0, 0, 0)
            self._saved_dumpable = None


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name, use_errno=True) if name else None


core_dumps = CoreDumpGuard()


def core_dumps_disabled() -> bool:
    """True when this process would write no core file (for tests and the vault check)."""
    try:
        import resource
    except ImportError:  # pragma: no cover
        return False
    return resource.getrlimit(resource.RLIMIT_CORE)[0] == 0
