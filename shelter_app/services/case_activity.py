"""What the counted cases' records add up to, kept by group and month (``stat_activity``,
schema version 14), so that the statistics of whole months add a few hundred groups
instead of reading the period's hundreds of thousands of records.

A group is that of ``case_facts.bucket``: a site and the months its cases were opened and
closed.  Its counts are a copy, as the groups' survivor counts are: triggers delete a
group's row with any write to one of its cases' records and with any change of its cases,
and ``settle_activity`` writes the missing rows before a count.  A period that cuts a
month, or a group whose row is missing or does not open, is counted from the records
themselves (``statistics_activity.read_activity``).

Services count each survivor once a type (and once a provider) however many entries the
period holds.  So a group keeps, for each case's type, one *unit* a month in which the
case had that service, with the month of the case's previous unit of the same type: a
survivor is counted in a period of whole months for each unit in it whose previous unit is
before it (or that has none).
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from shelter_app.domain.key_classes import KeyName
from shelter_app.errors import EnvironmentFailure, PermissionDenied
from shelter_app.services.case_facts import NOT_RECORDED, readable
from shelter_app.services.context import ServiceContext
from shelter_app.services.statistics_tables import INTERNAL
from shelter_app.vault import fields

log = logging.getLogger(__name__)

TABLE = "stat_activity"
_CHUNK = 100  # groups a transaction
_FORMAT = 1

# Nested counts as the tally keeps them: code -> month -> count, and for services
# code -> month -> previous month ("" for none) -> count.
Monthly = dict[str, dict[str, int]]
Units = dict[str, dict[str, dict[str, int]]]


@dataclass
class Activity:
    """The raw counts of the counted cases' records in a period (never published as they
    are: ``statistics_activity.activity_tables`` protects them)."""

    served: Counter[str] = field(default_factory=Counter)  # service type id: survivors
    providers: Counter[str] = field(default_factory=Counter)  # partner id or INTERNAL
    referrals: Counter[str] = field(default_factory=Counter)
    appointments: Counter[str] = field(default_factory=Counter)
    legal_types: Counter[str] = field(default_factory=Counter)
    legal_status: Counter[str] = field(default_factory=Counter)
    deadlines: Counter[str] = field(default_factory=Counter)
    stages: Counter[str] = field(default_factory=Counter)
    informed: Counter[str] = field(default_factory=Counter)
    answered: list[float] = field(default_factory=list)  # days to answer each referral


def _group_sql(select: str, table: str, index: str) -> str:
    """The records of *table* of the cases of the groups in :groups, ``f`` the case's
    stored facts and ``x`` the record."""
    return (f"SELECT f.bucket, {select} FROM stat_facts f INDEXED BY stat_facts_bucket"  # noqa: S608
            f" CROSS JOIN {table} x INDEXED BY {index} ON x.case_id = f.id"
            " WHERE f.bucket IN (SELECT value FROM json_each(:groups))")


# The records counted by code and month: (table, "code, month" of its row x, which rows).
MONTHLY = {
    "r": ("referrals", "x.status, substr(coalesce(x.sent_on, x.created_at), 1, 7)", ""),
    "a": ("appointments", "x.status, substr(x.starts_at, 1, 7)", ""),
    "lt": ("legal_matters", "x.matter_type, substr(x.created_at, 1, 7)", ""),
    "ls": ("legal_matters", "x.status, substr(x.created_at, 1, 7)", ""),
    "d": ("deadlines", "'open', substr(x.due_on, 1, 7)", " AND x.done = 0"),
    # days from sending to the answer (as the code), by the month of the answer
    "w": ("referrals", "CAST(julianday(x.answered_on) - julianday(x.sent_on) AS TEXT),"
          " substr(x.answered_on, 1, 7)",
          " AND julianday(x.answered_on) IS NOT NULL AND julianday(x.sent_on) IS NOT NULL"),
}


def _units(rows: Iterable[tuple[str, str, str, str]]) -> dict[str, Units]:
    """Each group's units: rows of (group, case, code, month) in any order."""
    months: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for group, case_id, code, month in rows:
        months[(group, case_id, code)].add(month)
    out: dict[str, Units] = {}
    for (group, _case, code), seen in months.items():
        by_month = out.setdefault(group, {}).setdefault(code, {})
        previous = ""
        for month in sorted(seen):
            before = by_month.setdefault(month, {})
            before[previous] = before.get(previous, 0) + 1
            previous = month
    return out


def _monthly(rows: Iterable[tuple[str, str | None, str]]) -> dict[str, Monthly]:
    """Each group's counts of rows (group, code, month) by code and month."""
    out: dict[str, Monthly] = {}
    for group, code, month in rows:
        by_month = out.setdefault(group, {}).setdefault(code or NOT_RECORDED, {})
        by_month[month] = by_month.get(month, 0) + 1
    return out


def tallies(ctx: ServiceContext, groups: list[str]) -> dict[str, tuple[dict[str, object],
                                                                        dict[str, object]]]:
    """The counts of the records of the cases of *groups*: for each group, what is sealed
    under the case key and what under the legal key (docs/VAULT_FORMAT.md, section 7,
    "records' counts")."""
    db = ctx.db
    wanted = {"groups": json.dumps(groups)}
    services: list[tuple[str, str, str, str]] = []
    providers: list[tuple[str, str, str, str]] = []
    for group, case_id, type_id, kind, partner, month in db.raw.execute(_group_sql(
            "x.case_id, x.service_type_id, x.provider_kind, x.partner_id,"
            " substr(x.provided_on, 1, 7)", "service_entries", "service_entries_case"),
            wanted):
        services.append((group, case_id, type_id, month))
        providers.append((group, case_id, partner if kind == "partner" and partner
                          else INTERNAL, month))
    kinds: dict[str, dict[str, object]] = {
        "s": dict(_units(services)),
        "p": dict(_units(providers)),
        **{kind: dict(_monthly(db.raw.execute(_group_sql(select, table, f"{table}_case")
                                              + where, wanted)))
           for kind, (table, select, where) in MONTHLY.items()},
    }
    stages: list[tuple[str, str, str]] = []
    told: list[tuple[str, str, str]] = []
    for group, row_id, details, month in db.raw.execute(_group_sql(
            "x.id, x.details, substr(x.created_at, 1, 7)", "proceedings", "proceedings_case"),
            wanted):
        text = ctx.unseal(KeyName.LEGAL, "proceedings", row_id, "details", details)
        one = json.loads(text) if text else {}
        stage = one.get("stage") or NOT_RECORDED
        stages.append((group, stage, month))
        told.append((group, "told" if stage != NOT_RECORDED and one.get("told_stage") == stage
                     else "not_told", month))
    legal = {"g": _monthly(stages), "i": _monthly(told)}
    out = {}
    for group in groups:
        case = {"v": _FORMAT, **{k: v.get(group, {}) for k, v in kinds.items()}}
        out[group] = (case, {"v": _FORMAT, **{k: v.get(group, {}) for k, v in legal.items()}})
    return out


def settle_activity(ctx: ServiceContext) -> int:
    """Write the records' counts of the groups that have survivor counts and none of their
    records, a hundred groups a transaction; returns how many were written.  Nothing on a
    read-only vault, nor without the case and legal keys; a failure to write (a full disk)
    leaves the rest without, to be counted from the records."""
    if ctx.vault.read_only or not all(ctx.vault.keyring.holds(k)
                                      for k in (KeyName.CASE, KeyName.LEGAL)):
        return 0
    db = ctx.db
    have = set(db.column("SELECT id FROM stat_activity"))
    missing = [group for group in db.column("SELECT id FROM stat_buckets") if group not in have]
    written = 0
    try:
        for start in range(0, len(missing), _CHUNK):
            with db.transaction():
                # still counted and still without, in this transaction
                chunk = db.column("SELECT b.id FROM stat_buckets b WHERE b.id IN"
                                  " (SELECT value FROM json_each(:g)) AND NOT EXISTS"
                                  " (SELECT 1 FROM stat_activity a WHERE a.id = b.id)",
                                  {"g": json.dumps(missing[start:start + _CHUNK])})
                for group, (case, legal) in _readable(ctx, chunk).items():
                    db.execute("INSERT INTO stat_activity (id, tally, legal) VALUES (:id, :t, :l)",
                               {"id": group,
                                "t": ctx.seal(KeyName.CASE, TABLE, group, "tally", _text(case)),
                                "l": ctx.seal(KeyName.LEGAL, TABLE, group, "legal",
                                              _text(legal))})
                    written += 1
    except (EnvironmentFailure, PermissionDenied) as exc:
        log.warning("the statistics' records' counts were not all written (%s); the groups"
                    " without are counted from their records", type(exc).__name__)
    return written


def _readable(ctx: ServiceContext, groups: list[str]
              ) -> dict[str, tuple[dict[str, object], dict[str, object]]]:
    """``tallies`` of *groups*; those whose records do not read (a damaged sealed value)
    are left without: they are counted from their records, and fail only a count that
    needs them."""
    return readable(lambda some: tallies(ctx, some), groups,
                    "%d groups' records do not read; their counts are not kept")


def _text(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def read_counts(ctx: ServiceContext, groups: list[str]
                  ) -> dict[str, tuple[dict[str, object], dict[str, object]]] | None:
    """The records' counts of *groups*; None when one of them has none or does not open."""
    case_key, legal_key = ctx.cipher(KeyName.CASE), ctx.cipher(KeyName.LEGAL)
    if case_key is None or legal_key is None:
        return None
    out = {}
    for group, tally, legal in ctx.db.raw.execute(
            "SELECT id, tally, legal FROM stat_activity WHERE id IN"
            " (SELECT value FROM json_each(:g))", {"g": json.dumps(groups)}):
        try:
            case = json.loads(fields.open_sealed(case_key, TABLE, group, "tally", tally))
            told = json.loads(fields.open_sealed(legal_key, TABLE, group, "legal", legal))
        except (fields.FieldDamaged, ValueError, TypeError):
            return None
        if case.get("v") != _FORMAT or told.get("v") != _FORMAT:
            return None
        out[group] = (case, told)
    return out if len(out) == len(set(groups)) else None


def add_up(found: Mapping[str, tuple[dict[str, object], dict[str, object]]],
           start: str, end: str) -> Activity:
    """The counts of whole months, from the month *start* to the month *end* (``YYYY-MM``),
    of the groups *found* (those of the period's counted cases)."""
    out = Activity()

    def units(into: Counter[str], kept: Units) -> None:
        for code, months in kept.items():
            n = 0
            for month, before in months.items():
                if start <= month <= end:
                    n += sum(k for previous, k in before.items() if previous < start)
            if n:
                into[code] += n

    def within(into: Counter[str], kept: Monthly, low: str = start) -> None:
        for code, months in kept.items():
            n = sum(k for month, k in months.items() if low <= month <= end)
            if n:
                into[code] += n

    days: Counter[float] = Counter()
    for case, legal in found.values():
        units(out.served, case["s"])  # type: ignore[arg-type]
        units(out.providers, case["p"])  # type: ignore[arg-type]
        within(out.referrals, case["r"])  # type: ignore[arg-type]
        within(out.appointments, case["a"])  # type: ignore[arg-type]
        within(out.legal_types, case["lt"], "")  # type: ignore[arg-type]
        within(out.legal_status, case["ls"], "")  # type: ignore[arg-type]
        for month, n in case["d"].get("open", {}).items():  # type: ignore[attr-defined]
            if month <= end:
                out.deadlines["overdue" if month < start else "due"] += n
        within(out.stages, legal["g"], "")  # type: ignore[arg-type]
        within(out.informed, legal["i"], "")  # type: ignore[arg-type]
        for text, months in case["w"].items():  # type: ignore[attr-defined]
            n = sum(k for month, k in months.items() if start <= month <= end)
            if n:
                days[float(text)] += n
    out.answered = sorted(days.elements())
    return out
