"""Print the benchmark figures: ``python -m benchmarks`` (or ``make bench``).

    unlock           production Argon2id (64 MiB, 3 passes) + open + checks + sign-in record
    open, raw key    connect to cases.db with the data key and run the opening checks
    first query      open, then the first statement, which parses the schema (no target:
                     with memory security on, each allocation of the parse is a system call)
    import           ``import shelter_app`` in a fresh interpreter (no Qt), against
                     ``python -c pass``; ``shelter_app.services.registry`` (everything a
                     session loads) is printed beside it, without a target

Exit status 0 when every figure meets its target, 1 otherwise (the table says which).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shelter_app.vault import crypto
from shelter_app.vault.connection import connect
from shelter_app.vault.keyring import open_account
from shelter_app.vault.keyslots import KeyslotFile
from shelter_app.vault.vault import Vault

PASSPHRASE = "benchmark passphrase with some length"


@dataclass(frozen=True)
class Figure:
    name: str
    median: float  # seconds
    target: float | None  # seconds
    baseline: float | None = None
    baseline_name: str = ""

    @property
    def ratio(self) -> float | None:
        return self.median / self.baseline if self.baseline else None

    @property
    def ok(self) -> bool:
        return self.target is None or self.median <= self.target


def _median(runs: int, work: Callable[[], float]) -> float:
    return statistics.median(work() for _ in range(runs))


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


# -- unlock ----------------------------------------------------------------------------
def bench_unlock(folder: Path, runs: int) -> Figure:
    vault, opened, _key = Vault.create(folder, organisation="Benchmark shelter",
                                       admin_username="admin", admin_passphrase=PASSPHRASE,
                                       kdf=crypto.PRODUCTION_KDF)
    opened.close()
    vault.close()

    def unlock_once() -> float:
        with Vault.open(folder, kdf=crypto.PRODUCTION_KDF) as held:
            start = time.perf_counter()
            unlocked, _report = held.unlock("admin", PASSPHRASE)
            elapsed = time.perf_counter() - start
            unlocked.close()
        return elapsed

    slots = KeyslotFile.load(folder / "keyslots.json")
    slot = slots.find_user("admin")

    def derive_once() -> float:
        return _timed(lambda: crypto.derive(PASSPHRASE, slot.salt, slot.params))

    return Figure("unlock (Argon2id 64 MiB + open + checks)", _median(runs, unlock_once), 0.6,
                  _median(runs, derive_once), "Argon2id alone")


# -- opening with the raw key ----------------------------------------------------------
def _plain_copy(db: Path, key: bytes, plain: Path) -> None:
    conn = connect(db, key)
    try:
        conn.execute(f"ATTACH DATABASE '{plain}' AS plain KEY ''")
        conn.execute("SELECT sqlcipher_export('plain')")
        conn.execute("DETACH DATABASE plain")
    finally:
        conn.close()


def _open_plain(path: Path, *, first_query: bool = False) -> None:
    """The same opening sequence as vault/connection.py, on an unencrypted copy."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA application_id").fetchone()
        conn.execute("PRAGMA user_version").fetchone()
        for pragma in ("temp_store = MEMORY", "foreign_keys = ON", "secure_delete = ON",
                       "busy_timeout = 5000"):
            conn.execute(f"PRAGMA {pragma}")
        if first_query:
            conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    finally:
        conn.close()


def bench_open(folder: Path, runs: int) -> list[Figure]:
    slots = KeyslotFile.load(folder / "keyslots.json")
    key = open_account(slots, slots.find_user("admin"), PASSPHRASE,
                       crypto.PRODUCTION_KDF.minimum).keyring.data_key
    db = folder / "cases.db"
    plain = folder.parent / "plain.db"
    _plain_copy(db, key, plain)

    def open_encrypted(*, first_query: bool = False) -> float:
        def work() -> None:
            conn = connect(db, key)
            conn.execute("PRAGMA user_version").fetchone()
            if first_query:
                conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
            conn.close()
        return _timed(work)

    for _ in range(3):  # warm the page cache and the library
        open_encrypted(first_query=True)
        _open_plain(plain, first_query=True)
    opened = Figure("open with the raw key (connect + checks)", _median(runs, open_encrypted),
                    0.005, _median(runs, lambda: _timed(lambda: _open_plain(plain))),
                    "same schema, plain sqlite3")
    queried = Figure(
        "open + first query (parses the schema)",
        _median(runs, lambda: open_encrypted(first_query=True)), None,
        _median(runs, lambda: _timed(lambda: _open_plain(plain, first_query=True))),
        "same, plain sqlite3",
    )
    return [opened, queried]


# -- importing the core ----------------------------------------------------------------
def _python(code: str) -> float:
    def once() -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start
    return once()


def bench_import(module: str, runs: int, target: float | None = 0.3) -> Figure:
    code = (f"import sys, {module}\n"
            "assert not any(m.split('.')[0] in ('PySide6', 'shiboken6') for m in sys.modules)")
    _python(code)  # the first run compiles bytecode
    return Figure(f"import {module}", _median(runs, lambda: _python(code)), target,
                  _median(runs, lambda: _python("pass")), "python -c pass")


# -- the table -------------------------------------------------------------------------
def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def table(figures: list[Figure]) -> str:
    head = ("figure", "median", "target", "baseline", "ratio", "")
    rows = [head] + [
        (f.name, _ms(f.median), "≤ " + _ms(f.target) if f.target else "—",
         f"{_ms(f.baseline)} ({f.baseline_name})" if f.baseline else "—",
         f"{f.ratio:.2f}×" if f.ratio else "—", "ok" if f.ok else "OVER TARGET")
        for f in figures
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths).rstrip())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median of them)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="shelter-bench-") as tmp:
        folder = Path(tmp) / "vault"
        figures = [bench_unlock(folder, args.runs)]
        figures += bench_open(folder, max(args.runs, 20))
    figures += [bench_import("shelter_app", args.runs),
                bench_import("shelter_app.services.registry", args.runs, target=None)]
    print(f"Shelter App benchmarks — median of {args.runs} runs "
          f"({max(args.runs, 20)} for opening), Python {sys.version.split()[0]}")
    print(table(figures))
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
