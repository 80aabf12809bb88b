"""SQLCipher's lookaside memory, set once per process before any connection opens."""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlcipher3._sqlite3 as extension

from shelter_app.vault import engine


def test_this_process_configured_it_before_its_first_connection() -> None:
    assert engine.CONFIGURED


def test_every_new_connection_gets_the_larger_lookaside() -> None:
    # A fresh interpreter: what one connection adds to SQLite's memory in use includes its
    # lookaside buffer, 1.2 MB when configured and 48 KB as built.
    script = textwrap.dedent("""
        import ctypes, sys
        from shelter_app.vault import engine
        import sqlcipher3._sqlite3 as extension
        lib = ctypes.CDLL(extension.__file__)
        lib.sqlite3_memory_used.restype = ctypes.c_int64
        before = lib.sqlite3_memory_used()
        conn = engine.sqlcipher.connect(":memory:")
        conn.execute("PRAGMA cipher_memory_security = ON")
        conn.execute("CREATE TABLE t (x TEXT)")
        conn.executemany("INSERT INTO t VALUES (?)", [("sf1:" + "A" * 80,)] * 1000)
        print(engine.CONFIGURED, lib.sqlite3_memory_used() - before,
              conn.execute("PRAGMA cipher_memory_security").fetchone()[0])
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[0] == "True"
    assert int(out[1]) >= engine.SLOTS * engine.SLOT_SIZE
    assert out[2] == "1", "memory security stays on after the library is started again"


def _can_lock() -> bool:
    soft, _hard = resource.getrlimit(resource.RLIMIT_MEMLOCK)
    return os.geteuid() == 0 or soft == resource.RLIM_INFINITY or soft >= 64 * 2**20


@pytest.mark.skipif(not _can_lock(), reason="this account may not lock that much memory")
def test_the_first_vault_connection_s_lookaside_is_locked_memory(tmp_path: Path) -> None:
    """Memory security is on before the first connection opens, so the buffer SQLite takes
    as it opens (1.2 MB) is locked: the process's locked memory grows by at least that."""
    script = textwrap.dedent(f"""
        from pathlib import Path
        from shelter_app.vault import connection
        def locked():
            for line in open("/proc/self/status"):
                if line.startswith("VmLck:"):
                    return int(line.split()[1]) * 1024
        before = locked()
        conn = connection.connect(Path({str(tmp_path / "cases.db")!r}), bytes(32),
                                  create=True)
        print(locked() - before)
        conn.close()
    """)
    grew = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True).stdout.split()
    assert int(grew[-1]) >= engine.SLOTS * engine.SLOT_SIZE


def test_it_is_never_set_again_while_a_connection_is_open() -> None:
    lib = ctypes.CDLL(extension.__file__)
    conn = engine.sqlcipher.connect(":memory:")
    try:
        conn.execute("CREATE TABLE t (x TEXT)")
        assert engine.configure() is False
        conn.execute("INSERT INTO t VALUES ('still open')")
        assert conn.execute("SELECT x FROM t").fetchone()[0] == "still open"
    finally:
        conn.close()
    assert lib.sqlite3_config(ctypes.c_int(13), ctypes.c_int(64), ctypes.c_int(8)) != 0, \
        "the library is initialised again after a refused attempt"
