"""Case history and audit log on a large vault, against a same-run baseline.

    python -m benchmarks.history [--survivors 100000] [--keep DIR] [--events-per-case 12]

Builds (or reuses, with --keep) the records benchmark's vault, then gives it an audit chain
of the size a few years of work would leave: per case, its creation, records opened,
sections opened, profile changes, its service entries recorded and a packet produced
(about 1.2 million events for 100,000 cases, HMAC-linked like real ones).  Measures:

- a case's history (``HistoryService.for_case``, first page), p50 and p95 over random cases,
  against the bare indexed look-up of the events whose target is the case itself;
- the audit log's first page unfiltered, by person, by a rare kind, by outcome and by period.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import statistics
import tempfile
import uuid
from pathlib import Path

from benchmarks.records import BENCH_KDF, PASS, build, ms, p95, print_table, timed
from shelter_app.domain.audit import Event
from shelter_app.services.audit_log import AuditQuery
from shelter_app.services.registry import Services, build_services
from shelter_app.store.audit import HEAD_KEY, _canonical
from shelter_app.vault.vault import Vault

MARK = "bench_history_events"


def add_events(s: Services, per_case: int) -> int:
    """Append a realistic audit chain for every case (once per vault)."""
    db = s.ctx.db
    if db.scalar("SELECT value FROM meta WHERE key = :k", {"k": MARK}):
        return 0
    rng = random.Random(7)
    users = [str(u) for u in db.column("SELECT id FROM users")]
    entries: dict[str, list[str]] = {}
    for row in db.all("SELECT id, case_id FROM service_entries"):
        entries.setdefault(row["case_id"], []).append(row["id"])
    case_ids = [str(c) for c in db.column("SELECT id FROM cases ORDER BY opened_on")]
    plan: list[tuple[str, str, str, dict[str, object]]] = []
    for case_id in case_ids:
        plan.append((Event.RECORD_CREATED, "case", case_id, {"fields": ["legal_name"]}))
        for entry_id in entries.get(case_id, [])[:4]:
            plan.append((Event.RECORD_CREATED, "service_entry", entry_id,
                         {"fields": ["service", "provided_on"]}))
        extra = per_case - 1 - min(4, len(entries.get(case_id, [])))
        for _n in range(max(extra, 0)):
            pick = rng.random()
            if pick < 0.45:
                plan.append((Event.RECORD_OPENED, "case", case_id, {}))
            elif pick < 0.65:
                plan.append((Event.SECTION_OPENED, "case", case_id, {"section": "history"}))
            elif pick < 0.9:
                plan.append((Event.RECORD_UPDATED, "case", case_id,
                             {"fields": rng.sample(["contact", "risk_level", "safety_plan",
                                                    "access_needs", "languages"], 2)}))
            else:
                plan.append((Event.EXPORT, "case", case_id,
                             {"format": "referral.pdf", "sections": ["identity"]}))
    rng.shuffle(plan)  # work on many cases interleaves
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=900)
    step = dt.timedelta(days=900) / max(len(plan), 1)
    audit = s.ctx.audit
    last = db.one("SELECT seq, hmac FROM audit_events ORDER BY seq DESC LIMIT 1")
    seq, prev = int(last["seq"]), bytes(last["hmac"])
    with db.transaction():
        batch = []
        for n, (action, ttype, tid, details) in enumerate(plan):
            seq += 1
            at = (start + step * n).isoformat(timespec="microseconds").replace("+00:00", "Z")
            actor = rng.choice(users)
            outcome = "denied" if rng.random() < 0.0005 else "ok"
            text = json.dumps(details, ensure_ascii=False, sort_keys=True,
                              separators=(",", ":"))
            event_id = str(uuid.uuid4())
            mac = audit._mac(prev, _canonical(seq, event_id, at, actor, str(action), ttype,
                                              tid, outcome, text))
            batch.append((seq, event_id, at, actor, str(action), ttype, tid, outcome, text,
                          prev, mac))
            prev = mac
            if len(batch) >= 20_000:
                db.raw.executemany("INSERT INTO audit_events VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                                   batch)
                batch.clear()
        db.raw.executemany("INSERT INTO audit_events VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch)
        db.execute("INSERT INTO meta (key, value) VALUES (:k, :v) ON CONFLICT (key) DO UPDATE"
                   " SET value = excluded.value", {"k": HEAD_KEY, "v": f"{seq}:{prev.hex()}"})
        db.execute("INSERT INTO meta (key, value) VALUES (:k, '1')", {"k": MARK})
    return len(plan)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--survivors", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="reuse (or build and keep) the vault here")
    parser.add_argument("--events-per-case", type=int, default=12)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="shelter-bench-"))
    folder = args.keep or work / "vault"
    if not (folder / "cases.db").exists():
        print(f"Building a vault of {args.survivors:,} fictional survivors…")
        build(folder, args.survivors)
    vault = Vault.open(folder, kdf=BENCH_KDF)
    opened, _r = vault.unlock("coordinator", PASS)
    s = build_services(opened)
    added = add_events(s, args.events_per_case)
    db = s.ctx.db
    counts = {t: db.scalar(f"SELECT count(*) FROM {t}")  # noqa: S608
              for t in ("cases", "service_entries", "audit_events")}
    print("Vault: " + ", ".join(f"{k} {v:,}" for k, v in counts.items())
          + (f" ({added:,} events added now)" if added else ""))
    rows: list[tuple[str, str, str, str]] = []

    rng = random.Random(3)
    case_ids = [str(c) for c in db.column("SELECT id FROM cases")]
    sample = [rng.choice(case_ids) for _i in range(200)]
    it = iter(sample)
    lengths: list[int] = []
    history = timed(lambda: lengths.append(len(s.history.for_case(next(it)))), len(sample))
    quiet_it = iter(sample)
    quiet = timed(lambda: s.history.page(next(quiet_it), record=False), len(sample))
    base_it = iter(sample)
    baseline = timed(lambda: db.all(
        "SELECT * FROM audit_events WHERE target_type = 'case' AND target_id = :c"
        " ORDER BY seq DESC", {"c": next(base_it)}), len(sample))
    rows.append(("case history p50", ms(statistics.median(history)), "",
                 f"without recording the read {ms(statistics.median(quiet))}"))
    rows.append(("case history p95", ms(p95(history)), "≤ 50 ms",
                 f"the case's own events alone p95 {ms(p95(baseline))}; "
                 f"{statistics.mean(lengths):.1f} lines a case"))

    log = s.audit_log
    people = log.people()
    actor = people[len(people) // 2][0]
    today = dt.date.today()
    for name, query in (
            ("audit log, first page", AuditQuery()),
            ("… by person", AuditQuery(actor_id=actor)),
            ("… refused actions (rare)", AuditQuery(kind="refusals")),
            ("… outcome refused", AuditQuery(outcome="denied")),
            ("… last 7 days", AuditQuery(since=today - dt.timedelta(days=7), until=today)),
            ("… a month a year ago", AuditQuery(since=today - dt.timedelta(days=395),
                                                until=today - dt.timedelta(days=365)))):
        found: list[int] = []
        times = timed(lambda q=query, out=found: out.append(len(log.page(q).rows)), 10)
        rows.append((name, ms(statistics.median(times)), "≤ 200 ms",
                     f"{found[-1]} rows on the page"))
    s.lock()
    vault.close()
    print_table(rows)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
