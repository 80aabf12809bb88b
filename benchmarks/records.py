"""Case-records benchmarks on a large demo vault, each against a same-run baseline.

    python -m benchmarks.records [--survivors 100000] [--keep DIR]

Builds (or reuses, with --keep) a vault of fictional records — by default 100,000 survivors,
1,000,000 service entries and 200,000 appointments — then measures name search (p50/p95,
and the same query on an unencrypted SQLite copy of the data), the due-soon deadline query,
My day (``DayService.my_day``) for a caseworker and a coordinator, the first 100 rows of
the case list, importing 10,000 CSV rows, the statistics of one year (the dashboard, the anonymised
table, the monitoring report), a backup and a re-key.  Prints a table; asserts
nothing (targets are shown beside the figures).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import multiprocessing
import random
import resource
import shutil
import sqlite3
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shelter_app.services import case_fields
from shelter_app.services.registry import Services, build_services
from shelter_app.services.search import CODE_PREFIX, RANKED_MATCHES
from shelter_app.vault import blind_index
from shelter_app.vault.backup import BackupCancel, BackupCancelled
from shelter_app.vault.crypto import KdfParams, KdfPolicy
from shelter_app.vault.vault import Vault

# Key derivation is not what is measured here; the unlock benchmark uses production values.
BENCH_KDF = KdfPolicy(KdfParams(8 * 1024, 1, 1), KdfParams(8 * 1024, 1, 1))
PASS = "benchmark passphrase 2026"
QUERIES = ["maria", "nguyen", "олена", "фатима", "popescu", "okafor", "diallo", "lan", "ioana",
           "garcia", "шевченко", "الحسن", "mariam", "joy", "hoa", "DEMO-2026-0001"]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _i in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    """The figures as a table: name, value, target, same-run baseline."""
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'value':>10}  {'target':>8}  baseline")
    for name, value, target_text, baseline in rows:
        print(f"{name:<{width}}  {value:>10}  {target_text:>8}  {baseline}")


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def build(folder: Path, survivors: int) -> None:
    from shelter_app.cli.records import DEMO_ROLES
    from shelter_app.demo import populate

    vault, opened, _key = Vault.create(folder, organisation="Benchmark (fictional)",
                                       admin_username="admin", admin_passphrase=PASS, kdf=BENCH_KDF)
    admin = build_services(opened)
    for role in DEMO_ROLES[1:]:
        admin.accounts.add(role, [role], PASS, temporary=False)
    admin.lock()
    coordinator, _r = vault.unlock("coordinator", PASS)
    services = build_services(coordinator)
    started = time.perf_counter()
    populate(services, survivors=survivors, services_per_case=10, appointments_per_case=2,
             progress=lambda d, t: print(f"  building: {d}/{t}", end="\r", flush=True))
    print(f"\n  built in {time.perf_counter() - started:.0f} s")
    services.lock()
    vault.close()


def plain_copy(services: Services, target: Path) -> sqlite3.Connection:
    """The same data decrypted into an ordinary SQLite file: the baseline.  It is opened with
    the same SQLite build (sqlcipher3 without a key), so only the encryption differs."""
    target.unlink(missing_ok=True)
    raw = services.ctx.db.raw
    raw.execute("ATTACH DATABASE :p AS plain KEY ''", {"p": str(target)})
    raw.execute("SELECT sqlcipher_export('plain')")
    raw.execute("DETACH DATABASE plain")
    import sqlcipher3.dbapi2 as engine

    conn: sqlite3.Connection = engine.connect(str(target))
    return conn


def _backup_quietly(services: Services, cancel: BackupCancel) -> None:
    with contextlib.suppress(BackupCancelled):
        services.ctx.vault.backup(cancel)


def _statistics_rows(s: Services, rows: list[tuple[str, str, str, str]]) -> None:
    """The dashboard for one year, the anonymised table and the monitoring report, against
    counting the year's cases in SQL alone (nothing opened, nothing protected)."""
    from shelter_app.services.anonymised_export import AnonymisedExport

    today = dt.date.today()
    year_ago = today - dt.timedelta(days=364)
    # the dashboard's default: the twelve whole months before this one
    last = today.replace(day=1) - dt.timedelta(days=1)
    default = (last.replace(day=1, year=last.year - (last.month < 12),
                            month=last.month % 12 + 1), last)
    sql_only = timed(lambda: s.ctx.db.scalar(
        "SELECT count(*) FROM cases c JOIN reporting_consent rc ON rc.case_id = c.id"
        " WHERE rc.answer = 'yes' AND c.is_draft = 0 AND c.opened_on <= :end"
        " AND (c.closed_at IS NULL OR c.closed_at >= :start)",
        {"start": default[0].isoformat(), "end": default[1].isoformat()}), 3)
    baseline = f"counting the year's cases in SQL alone {ms(statistics.median(sql_only))}"
    started = time.perf_counter()
    s.statistics.produce(*default)  # writes whatever copies are missing
    rows.append(("dashboard, the first count after signing in",
                 f"{time.perf_counter() - started:.2f} s", "", ""))
    took = timed(lambda: s.statistics.produce(*default), 5)
    counted = s.statistics.produce(*default).counted.cell("counted").count
    rows.append(("dashboard, last 12 months, the default (median)",
                 f"{statistics.median(took):.2f} s", "≤ 1 s",
                 f"{counted:,} cases counted; {baseline}"))
    site = s.ctx.db.scalar("SELECT id FROM sites ORDER BY name LIMIT 1")
    if site is not None:  # protected with every other site's figures and all sites'
        took = timed(lambda: s.statistics.produce(*default, site=site), 5)
        sites = s.ctx.db.scalar("SELECT count(*) FROM sites")
        rows.append(("dashboard, one site, last 12 months (median)",
                     f"{statistics.median(took):.2f} s", "≤ 1 s",
                     f"one of {sites} sites, protected with the others and all sites"))
    # typed dates that cut a month: every record of the period read
    took = timed(lambda: s.statistics.produce(year_ago, today), 3)
    counted = s.statistics.produce(year_ago, today).counted.cell("counted").count
    rows.append(("dashboard, 365 days to today, typed (median)",
                 f"{statistics.median(took):.2f} s", "",
                 f"{counted:,} cases counted, each record read"))
    shown = s.statistics.produce(*default).table("exploitation")
    row = next(code for code, cell in zip((c for c, _l in shown.labels), shown.counts.cells,
                                          strict=True) if cell.shown is not None)
    took = timed(lambda: s.statistics.breakdown(*default, table="exploitation", row=row,
                                                by="citizenship"), 1)
    rows.append(("breakdown of one figure by citizenship", f"{took[0]:.2f} s", "",
                 "the whole two-way table protected and audited"))
    took = timed(lambda: AnonymisedExport(s.ctx).make(11), 1)
    rows.append(("anonymised (CTDC) table, k = 11", f"{took[0]:.2f} s", "≤ 5 s", baseline))
    took = timed(lambda: s.statistics.monitoring_report(*default, language="en"), 3)
    rows.append(("monitoring report, last 12 months (median)",
                 f"{statistics.median(took):.2f} s", "≤ 3 s", baseline))


def _import_in_child(folder: Path, csv_path: Path | None, out: Any) -> None:
    """In a fresh process: sign in to *folder* and import *csv_path* (None: only sign in,
    the baseline); sends (seconds, imported, rejected, peak MB of this process)."""
    vault = Vault.open(folder, kdf=BENCH_KDF)
    opened, _r = vault.unlock("coordinator", PASS)
    importer = build_services(opened)
    started = time.perf_counter()
    imported = rejected = 0
    if csv_path is not None:
        report = importer.exchange.import_file(csv_path, skip_invalid=True)
        imported, rejected = report.imported, len(report.rejected_rows)
    elapsed = time.perf_counter() - started
    importer.lock()
    vault.close()
    out.send((elapsed, imported, rejected, _high_water_mb()))


def _high_water_mb() -> float:
    """This process's peak resident memory (Linux's VmHWM: a process started by spawn
    inherits no figure from its parent, as ru_maxrss can)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(folder: Path, csv_path: Path | None) -> tuple[float, int, int, float]:
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    worker = context.Process(target=_import_in_child, args=(folder, csv_path, send))
    worker.start()
    result = receive.recv()
    worker.join()
    return result  # type: ignore[no-any-return]


def _import_rows(s: Services, work: Path, rows: list[tuple[str, str, str, str]]) -> None:
    """10,000 cases exported from the large vault, imported into a new one by a process of
    its own, whose peak memory is compared with a process that only signs in."""
    csv_path = work / "export.csv"
    small = Vault.create(work / "small", organisation="Bench", admin_username="admin",
                         admin_passphrase=PASS, kdf=BENCH_KDF)
    small_admin = build_services(small[1])
    small_admin.accounts.add("coordinator", ["coordinator"], PASS, temporary=False)
    small_admin.accounts.add("caseworker", ["caseworker"], PASS, temporary=False)
    small_admin.lock()
    small[0].close()
    # export 10,000 cases as the importing organisation would receive them
    ids = s.search.list_ids(sort="code")[:10_000]
    keep = set(ids)
    s.exchange.export_cases(csv_path)
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    codes = {r["code"] for r in s.ctx.db.all("SELECT id, code FROM cases") if r["id"] in keep}
    kept = [lines[0]] + [ln for ln in lines[1:] if ln.split(",", 1)[0] in codes]
    csv_path.write_text("".join(kept[:10_001]), encoding="utf-8")
    _e, _i, _r, baseline = _child(work / "small", None)
    elapsed, imported, rejected, peak = _child(work / "small", csv_path)
    rows.append(("import CSV rows", f"{elapsed:.2f} s", "≤ 15 s",
                 f"{imported:,} rows, {rejected} rejected"))
    rows.append(("import: peak memory", f"{peak:.0f} MB", "≤ 300 MB",
                 f"a process that only signs in: {baseline:.0f} MB"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--survivors", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="reuse (or build and keep) the vault here")
    parser.add_argument("--import-only", action="store_true",
                        help="only the import of 10,000 rows and its memory")
    parser.add_argument("--statistics-only", action="store_true",
                        help="only the dashboard, the breakdown, the exports and the report")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="shelter-bench-"))
    folder = args.keep or work / "vault"
    if not (folder / "cases.db").exists():
        print(f"Building a vault of {args.survivors:,} fictional survivors…")
        build(folder, args.survivors)
    vault = Vault.open(folder, kdf=BENCH_KDF)
    opened, _r = vault.unlock("coordinator", PASS)
    s = build_services(opened)
    rows: list[tuple[str, str, str, str]] = []
    counts = {t: s.ctx.db.scalar(f"SELECT count(*) FROM {t}")  # noqa: S608
              for t in ("survivors", "service_entries", "appointments")}
    print("Vault: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    if args.statistics_only:
        _statistics_rows(s, rows)
        s.lock()
        vault.close()
        print_table(rows)
        return
    if args.import_only:
        _import_rows(s, work, rows)
        s.lock()
        vault.close()
        print_table(rows)
        return

    rng = random.Random(1)
    searches = [rng.choice(QUERIES) for _i in range(200)]
    it = iter(searches * 2)
    search_times = timed(lambda: s.search.search(next(it), limit=50), len(searches))

    plain = plain_copy(s, work / "plain.db")
    index_key = case_fields.index_key(s.ctx)
    plain_it = iter(searches)

    def plain_search() -> None:
        # the service's own choice of query, on the unencrypted copy (audit write aside)
        text = next(plain_it)
        code = text.strip().upper()
        if CODE_PREFIX.match(code):
            plain.execute("SELECT c.id, c.code, s.legal_name FROM cases c JOIN survivors s ON"
                          " s.id = c.survivor_id WHERE c.code >= ? AND c.code < ? ORDER BY"
                          " c.code LIMIT 50", (code, code + "\uffff")).fetchall()
            return
        q = blind_index.name_query(index_key, text)
        count = plain.execute("SELECT count(*) FROM case_search WHERE case_search MATCH ?",
                              (q,)).fetchone()[0]
        order = "f.rank" if count <= RANKED_MATCHES else "f.rowid DESC"
        sql = (f"SELECT c.id, c.code, s.legal_name, s.preferred_name, c.status FROM cases c"  # noqa: S608
               " JOIN survivors s ON s.id = c.survivor_id JOIN case_search f ON"
               f" f.rowid = c.search_id WHERE case_search MATCH ? ORDER BY {order} LIMIT 50")
        plain.execute(sql, (q,)).fetchall()

    plain_times = timed(plain_search, len(searches))
    ratio = statistics.median(search_times) / statistics.median(plain_times)
    rows.append(("name search p50", ms(statistics.median(search_times)), "", ""))
    rows.append(("name search p95", ms(p95(search_times)), "≤ 30 ms",
                 f"plain SQLite p95 {ms(p95(plain_times))}; median ratio {ratio:.1f}×"))

    due = timed(lambda: s.legal.due(within_days=30), 20)
    rows.append(("due-soon deadlines (median)", ms(statistics.median(due)), "≤ 50 ms", ""))

    # My day: the first page after sign-in, one service call off the GUI thread
    worker_vault, _r = vault.unlock("caseworker", PASS)
    worker = build_services(worker_vault)
    for who, services, everyone in (("caseworker", worker, False),
                                    ("coordinator, own", s, False),
                                    ("coordinator, everyone's", s, True)):
        day = services.day.my_day(everyone=everyone)
        took = timed(lambda services=services, everyone=everyone: services.day.my_day(
            everyone=everyone), 10)
        counts = timed(services.day.counts, 10)
        rows.append((f"My day, {who} (median)", ms(statistics.median(took)), "≤ 100 ms",
                     f"{day.total:,}{'+' if day.capped else ''} lines (counts stop at 99+),"
                     f" {sum(len(g.items) for g in day.groups):,} read;"
                     f" navigation counts {ms(statistics.median(counts))}"))
    worker.lock()

    def first_page() -> None:
        # what the lazy case list does first: the row count, then the first screen's ids
        s.search.count()
        s.search.summaries(s.search.page_ids(sort="updated", limit=100))

    page = timed(first_page, 10)
    every_id = timed(lambda: s.search.list_ids(sort="updated"), 5)
    rows.append(("case list, first 100 rows (median)", ms(statistics.median(page)), "≤ 50 ms",
                 f"all {s.search.count():,} ids at once: {ms(statistics.median(every_id))}"))

    _statistics_rows(s, rows)

    _import_rows(s, work, rows)

    size = (folder / "cases.db").stat().st_size
    plain_size = (work / "plain.db").stat().st_size
    rows.append(("vault size", f"{size / 1e6:.0f} MB", "",
                 f"plain SQLite {plain_size / 1e6:.0f} MB"))

    # The automatic backup: a checked copy, against copying the file as it lies.
    started = time.perf_counter()
    shutil.copyfile(folder / "cases.db", work / "raw-copy.db")
    raw_copy = time.perf_counter() - started
    (work / "raw-copy.db").unlink()
    started = time.perf_counter()
    made = s.ctx.vault.backup()
    backup_time = time.perf_counter() - started
    made.unlink()
    rows.append(("backup (copy + check)", f"{backup_time:.2f} s", "",
                 f"copying the file alone {raw_copy:.2f} s"))
    # A lock during a backup: how long until the backup has stopped and cleaned up.
    cancel = BackupCancel()
    worker = threading.Thread(target=_backup_quietly, args=(s, cancel))
    worker.start()
    time.sleep(min(1.0, backup_time / 3))
    started = time.perf_counter()
    cancel.cancel()
    worker.join()
    rows.append(("stopping a backup at lock", ms(time.perf_counter() - started), "",
                 "the copy in progress is deleted"))
    s.lock()
    # A re-key of the database alone (the copy above is gone), against that backup.
    admin_opened, _r = vault.unlock("admin", PASS)
    admin = build_services(admin_opened)
    started = time.perf_counter()
    admin.vault_admin.rekey()
    rows.append(("re-key, administrator's (database key)",
                 f"{time.perf_counter() - started:.2f} s", "",
                 f"backup (copy + check) {backup_time:.2f} s"))
    admin.lock()
    # A coordinator's: the content keys too, every sealed field sealed again, the index keyed.
    coordinator_opened, _r = vault.unlock("coordinator", PASS)
    coordinator = build_services(coordinator_opened)
    started = time.perf_counter()
    coordinator.vault_admin.rekey()
    rows.append(("re-key, coordinator's (and content keys)",
                 f"{time.perf_counter() - started:.2f} s", "",
                 f"backup (copy + check) {backup_time:.2f} s"))
    took = timed(lambda: coordinator.search.search("maria", limit=50), 20)
    rows.append(("name search after it (median)", ms(statistics.median(took)), "≤ 30 ms", ""))
    coordinator.lock()
    vault.close()
    plain.close()
    print_table(rows)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
