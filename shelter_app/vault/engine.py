"""The SQLCipher library as this process uses it: given more lookaside memory before any
connection opens (docs/VAULT_FORMAT.md, section 6.1).

Memory security (``PRAGMA cipher_memory_security = ON``, which every connection sets) makes
each block SQLite takes from the system allocator an ``mlock`` and each block it gives
back a wipe and an ``munlock``.  SQLite serves a connection's small allocations (a value
bound to a statement, a row's cells) from the connection's *lookaside* slots first, and
only goes to the allocator when they are all taken.  The build's default, 40 slots of
1,200 bytes, is used up by the statements a session keeps prepared, so an import that
binds some thirty sealed values per row paid two system calls for nearly every one of
them.  A thousand slots (1.2 MB per connection, itself taken once from the locked
allocator) bring those values back to the slots.

What a slot held may stay there until the slot is used again; the whole buffer is wiped
and unlocked when its connection closes, and being locked it is never written to swap.
SQLite takes that buffer as a connection opens, before the connection's own statements
run, so memory security is turned on for the process here, before any vault connection,
or the first one's buffer would not be locked.

The size is process-wide (``sqlite3_config(SQLITE_CONFIG_LOOKASIDE)``) and can only be set
while the library is not initialised, so ``configure`` shuts the library down and starts
it again, which is safe only while no connection is open.  It runs when this module is
first imported, which is before ``vault.connection`` or ``store.db`` can open one, and
leaves the library as it is (only slower) if anything is unexpected: another build
without the symbols, or memory already in use.
"""

from __future__ import annotations

import ctypes
import logging

import sqlcipher3.dbapi2 as sqlcipher

log = logging.getLogger(__name__)

SLOT_SIZE = 1200  # bytes, SQLite's own default slot size
SLOTS = 1000
_SQLITE_OK = 0
_SQLITE_CONFIG_LOOKASIDE = 13
# What SQLCipher keeps allocated with no connection open is about 48 KiB (its crypto
# provider); any open connection adds its page cache and schema, tens of KiB more.
_IDLE_BYTES = 64 * 1024


def _library() -> ctypes.CDLL | None:
    try:
        import sqlcipher3._sqlite3 as extension  # the module that holds the library

        lib = ctypes.CDLL(extension.__file__)
        lib.sqlite3_memory_used.restype = ctypes.c_int64
        lib.sqlite3_config.argtypes = [ctypes.c_int]  # variadic: the fixed argument only
        for name in ("sqlite3_shutdown", "sqlite3_config", "sqlite3_initialize"):
            getattr(lib, name)
    except (ImportError, OSError, AttributeError) as exc:
        log.debug("SQLite's lookaside size left as built: %s", type(exc).__name__)
        return None
    return lib


def configure() -> bool:
    """Set the lookaside size for every connection opened from now on; whether it was."""
    lib = _library()
    if lib is None:
        return False
    used = lib.sqlite3_memory_used()
    if not 0 < used <= _IDLE_BYTES:  # 0: a build that does not count, so cannot tell
        log.debug("SQLite's lookaside size left as built: memory in use unknown or taken")
        return False
    if lib.sqlite3_shutdown() != _SQLITE_OK:
        return False
    done: bool = lib.sqlite3_config(ctypes.c_int(_SQLITE_CONFIG_LOOKASIDE),
                                    ctypes.c_int(SLOT_SIZE), ctypes.c_int(SLOTS)) == _SQLITE_OK
    if lib.sqlite3_initialize() != _SQLITE_OK:  # pragma: no cover - the library is broken
        raise RuntimeError("SQLCipher did not start again after its lookaside was set")
    return done


def lock_memory() -> None:
    """Turn SQLCipher's memory security on for the process (it stays on once set), so that
    every block taken from now on, a connection's lookaside buffer included, is locked."""
    probe = sqlcipher.connect(":memory:")
    try:
        probe.execute("PRAGMA cipher_memory_security = ON")
    finally:
        probe.close()


CONFIGURED = configure()
lock_memory()

__all__ = ["CONFIGURED", "SLOTS", "SLOT_SIZE", "configure", "lock_memory", "sqlcipher"]
