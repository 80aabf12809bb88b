"""Restoring a large vault's backup, against copying the file as it lies.

    python -m benchmarks.restore [--survivors 100000] [--keep DIR]

Builds (or reuses, with --keep) a vault of fictional records like ``benchmarks.records``,
makes a backup as an administrator, then restores it: the copy into a folder of its own,
every page's check, the audit chain, the accounts, the swap.  The target is two minutes;
the baseline is copying the database file alone.  Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.records import BENCH_KDF, PASS, build, print_table
from shelter_app.services.registry import build_services
from shelter_app.vault.restore import restore, set_aside
from shelter_app.vault.vault import Vault


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--survivors", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="reuse (or build and keep) the vault here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="shelter-bench-restore-"))
    folder = args.keep or work / "vault"
    if not (folder / "cases.db").exists():
        print(f"Building a vault of {args.survivors:,} fictional survivors…")
        build(folder, args.survivors)
    rows: list[tuple[str, str, str, str]] = []
    with Vault.open(folder, kdf=BENCH_KDF) as vault:
        opened, _r = vault.unlock("admin", PASS)
        admin = build_services(opened)
        started = time.perf_counter()
        made = admin.vault_admin.backup()
        backup_time = time.perf_counter() - started
        admin.lock()
        started = time.perf_counter()
        shutil.copyfile(made, work / "raw-copy.db")
        raw_copy = time.perf_counter() - started
        (work / "raw-copy.db").unlink()
        size = made.stat().st_size
        started = time.perf_counter()
        report = restore(folder, "admin", PASS, made, minimum=BENCH_KDF.minimum)
        restore_time = time.perf_counter() - started
    rows.append(("database size", f"{size / 1e6:.0f} MB", "", ""))
    rows.append(("backup (copy + check)", f"{backup_time:.1f} s", "",
                 f"copying the file alone {raw_copy:.2f} s"))
    rows.append(("restore (copy, check, swap)", f"{restore_time:.1f} s", "≤ 120 s",
                 f"copying the file alone {raw_copy:.2f} s; "
                 f"{report.events:,} audit events checked"))
    for aside in set_aside(folder):
        shutil.rmtree(aside, ignore_errors=True)  # the replaced copy: only the bench made it
    print_table(rows)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
