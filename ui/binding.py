"""A guard against a reference-count defect of the Qt binding on Python 3.11.

PySide6 6.12.0 returns ``None`` from every method without a result (``setText``,
``addItem``…) without taking a reference to it.  On Python 3.12 and later ``None`` is
immortal (PEP 683) and nothing happens; on Python 3.11 every such call takes one
reference away, and after a few thousand calls the interpreter aborts with "none_dealloc:
deallocating None" — the application would crash after minutes of normal use, losing
whatever was being typed.  ``pyproject.toml`` excludes that release on Python 3.11; this
guard protects an environment that has it anyway.

It measures the defect (a few calls of a void method) and, only when the count really
drops, makes ``None`` immortal the way Python 3.12 does: its reference count is raised so
far that no number of lost references can bring it to zero.
"""

from __future__ import annotations

import ctypes
import sys

PROBE_CALLS = 64
IMMORTAL = 1 << 60


def none_leaks() -> bool:
    """Whether a void call of the binding takes a reference to ``None`` away."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _i in range(PROBE_CALLS):
        probe.setObjectName("probe")
    return sys.getrefcount(None) <= before - PROBE_CALLS // 2


def guard_none_refcount() -> bool:
    """Make ``None`` immortal if (and only if) the binding is found to leak; True if so."""
    if sys.version_info >= (3, 12) or not none_leaks():
        return False
    ctypes.c_ssize_t.from_address(id(None)).value += IMMORTAL
    return True
