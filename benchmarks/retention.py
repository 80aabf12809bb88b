"""Purging closed cases after their retention period, and erasing one survivor's records,
on a large vault.

    python -m benchmarks.retention [--survivors 100000] [--purge 10000] [--keep DIR]

Builds (or reuses, with --keep) a vault of fictional records like ``benchmarks.records``,
works on a copy of it, marks *purge* cases as closed six years ago (written directly in the
database: the bench measures the purge, not the closing), then as a coordinator reviews the
purge list and purges it (the rows, the name index merged, the checkpoint and the vacuum),
and erases one more case on request.  The target for 10,000 cases is one minute; the
baselines are copying the database file and vacuuming it whole, in the same run (the
vacuum last, so that the peak memory printed for the purge is the purge's own).  Prints a
table with the process's peak memory; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.records import BENCH_KDF, PASS, build, print_table
from shelter_app.services.registry import build_services
from shelter_app.vault.vault import Vault


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--survivors", type=int, default=100_000)
    parser.add_argument("--purge", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="reuse (or build and keep) the vault here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="shelter-bench-retention-"))
    source = args.keep or work / "source"
    if not (source / "cases.db").exists():
        print(f"Building a vault of {args.survivors:,} fictional survivors…")
        build(source, args.survivors)
    folder = work / "vault"
    started = time.perf_counter()
    shutil.copytree(source, folder)
    copy_time = time.perf_counter() - started
    size = (folder / "cases.db").stat().st_size
    rows: list[tuple[str, str, str, str]] = []
    with Vault.open(folder, kdf=BENCH_KDF) as vault:
        opened, _r = vault.unlock("coordinator", PASS)
        s = build_services(opened)
        try:
            long_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(days=6 * 366)).strftime(
                "%Y-%m-%dT%H:%M:%SZ")
            with s.ctx.db.transaction() as db:
                db.execute("UPDATE cases SET status = 'closed', closure_reason = 'goals_met',"
                           " closed_at = :at WHERE id IN (SELECT id FROM cases ORDER BY id"
                           " LIMIT :n)", {"at": long_ago, "n": args.purge})
                db.execute("DELETE FROM deadlines WHERE case_id IN (SELECT id FROM cases"
                           " WHERE closed_at = :at)", {"at": long_ago})
            before = _peak_mb()
            started = time.perf_counter()
            found = s.retention.review()
            review_time = time.perf_counter() - started
            steps: list[tuple[str, float]] = []
            started = time.perf_counter()
            purged = s.retention.purge(found.fingerprint, progress=lambda text: steps.append(
                (text, time.perf_counter())))
            purge_time = time.perf_counter() - started
            removal = steps[1][1] - steps[0][1] if len(steps) > 1 else purge_time
            victim = s.ctx.db.scalar("SELECT id FROM cases ORDER BY id LIMIT 1")
            started = time.perf_counter()
            s.retention.erase(victim, "survivor_request")
            erase_time = time.perf_counter() - started
            peak = _peak_mb()
            s.ctx.db.raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            after = (folder / "cases.db").stat().st_size
            # The baseline last: a whole VACUUM holds a copy of the database in memory,
            # which would hide the purge's own peak.
            with s.ctx.db.held() as conn:
                started = time.perf_counter()
                conn.execute("VACUUM")
                vacuum_time = time.perf_counter() - started
            vacuum_peak = _peak_mb()
        finally:
            s.lock()
    rows.append(("database size", f"{size / 1e6:.0f} MB", "",
                 f"after the purge {after / 1e6:.0f} MB"))
    rows.append(("purge list (review)", f"{review_time:.2f} s", "",
                 f"{len(found.due):,} lines due"))
    rows.append((f"purge of {purged.cases:,} cases", f"{purge_time:.1f} s", "≤ 60 s",
                 f"rows removed in {removal:.1f} s ({purged.rows:,} rows); "
                 f"vacuum alone {vacuum_time:.1f} s; copying the folder {copy_time:.1f} s"))
    rows.append(("erasure of one case", f"{erase_time:.1f} s", "",
                 f"vacuum alone {vacuum_time:.1f} s"))
    rows.append(("process peak memory", f"{peak:.0f} MB", "",
                 f"before the purge {before:.0f} MB; after a whole VACUUM {vacuum_peak:.0f} MB"))
    print_table(rows)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
