"""A breakdown of one published figure: how the survivors (or records) behind a count of the
dashboard divide by one characteristic of the survivors, such as gender or age.

A breakdown is counts only, never a list: it is protected like every table, and more, for
a reader may put side by side the breakdowns of every row of a table and the dashboard's
own tables.  So the whole two-way table (each row of the figure's table by each value of
the characteristic) is protected at once (``domain/grid_suppression.py``), and the row asked
for is published from it.  A figure below the threshold is not broken down.  Each
breakdown made is an audit event, as every count is.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from shelter_app.domain import grid_suppression, suppression
from shelter_app.domain.audit import Event
from shelter_app.domain.statistics import StatTable
from shelter_app.domain.suppression import Mark, Protected
from shelter_app.errors import ValidationError
from shelter_app.i18n import N_, _, current_language, translator
from shelter_app.i18n.formatting import fill
from shelter_app.services import case_facts as cf
from shelter_app.services import statistics as st
from shelter_app.services.case_facts import counting, cycle_collection_paused
from shelter_app.services.context import ServiceContext
from shelter_app.services.statistics_activity import (
    activity_params,
    activity_tables,
    read_activity,
    service_pairs,
)
from shelter_app.services.statistics_tables import OTHER_COUNTRIES, OTHER_PROVIDERS

# The characteristics a figure can be broken down by: survivor tables that count each
# survivor once (so that a breakdown adds up to its figure).
BY: dict[str, str] = {
    "gender": N_("Gender"), "age": N_("Age at intake"),
    "exploited_age": N_("Age when exploitation began"), "citizenship": N_("Citizenship"),
    "exploitation_country": N_("Country of exploitation"),
    "identification": N_("Identification status"),
}


@dataclass(frozen=True)
class Breakdown:
    """One published figure broken down: its table's and row's labels, and the counts."""

    start: dt.date
    end: dt.date
    threshold: int
    site: str  # the one site counted, or empty
    table: str  # the figure's table, its title
    row: str  # the figure's row, its label
    by: str  # the characteristic, its title
    unit: str
    labels: tuple[tuple[str, str], ...]
    counts: Protected

    def rows(self) -> list[tuple[str, suppression.Cell]]:
        return [(label, self.counts.cell(code)) for code, label in self.labels]


# Tables that count records (one survivor's often several): a cell of their breakdown
# could be one survivor's records, so they are not broken down by her characteristics.
RECORDS = frozenset({"referrals", "appointments", "legal_types", "legal_status",
                     "deadlines", "proceedings", "informed"})


def choices(table: str) -> list[tuple[str, str]]:
    """What a figure of *table* can be broken down by (key, title).  Two characteristics
    make one two-way table, broken down one way only (the table earlier in BY by the later
    one): protected each way on its own, the two ways together could give a cell away."""
    if table in RECORDS:
        return []
    keys = list(BY)
    later = keys[keys.index(table) + 1:] if table in BY else keys
    return [(key, _(BY[key])) for key in later]


def _mapper(table: StatTable) -> Callable[[str], str | None]:
    """The row of *table* a code is counted in, as the dashboard counts it (a country
    counted fewer than the threshold in "other countries", an unknown code as not
    recorded)."""
    codes = {code for code, _label in table.labels}
    if table.key in ("citizenship", "exploitation_country"):
        return lambda code: code if code in codes else OTHER_COUNTRIES
    if table.key == "service_partners":
        return lambda code: code if code in codes else OTHER_PROVIDERS
    fallback = cf.NOT_RECORDED if cf.NOT_RECORDED in codes else None
    return lambda code: code if code in codes else fallback


def _units(ctx: ServiceContext, key: str, people: st.People, params: dict[str, str],
           types: dict[str, str]) -> Counter[tuple[str, str]]:
    """What table *key* counts, by (code, case): one a survivor (each survivor table, and
    the services, by type or by whom they were given)."""
    units: Counter[tuple[str, str]] = Counter()
    if key in cf.PEOPLE_KEYS:
        index = cf.PEOPLE_KEYS.index(key)
        for case_id, codes in people.by_case.items():
            code = codes[index]
            for one in (code if isinstance(code, tuple) else (code,)):
                units[(one, case_id)] += 1
        return units
    got_type, got_from = service_pairs(ctx, params)  # services, by type or giver
    for case_id, code in (got_type if key == "services" else got_from):
        units[(types.get(code, code) if key == "services" else code, case_id)] += 1
    return units


def make(service: st.StatisticsService, start: dt.date | str, end: dt.date | str, *,
         table: str, row: str, by: str, site: str | None = None,
         language: str | None = None) -> Breakdown:
    with cycle_collection_paused():
        return _make(service, start, end, table=table, row=row, by=by, site=site,
                     language=language)


def _make(service: st.StatisticsService, start: dt.date | str, end: dt.date | str, *,
          table: str, row: str, by: str, site: str | None, language: str | None
          ) -> Breakdown:
    ctx = service.context
    if by not in {key for key, _title in choices(table)}:
        raise ValidationError(_("Choose what to break the figure down by."), "by")
    period = service.prepare(start, end, site)
    if site:
        # one site's figures are protected with every other site's and all sites'; their
        # breakdowns, set beside all sites' breakdowns, are not
        raise ValidationError(_("The figures of one site are not broken down: beside the "
                                "breakdowns of all sites, the difference could give a small "
                                "count away. Choose all sites to break a figure down."), "site")
    tr = translator(language)
    with counting(ctx, period.fill):
        people = st.People.from_facts(ctx, period.first, period.last, keep=True)
        params = activity_params(period.params)
        types = {r["id"]: r["code"] for r in ctx.db.all("SELECT id, code FROM service_types")}
        found = {one.key: one for one in (
            *people.tables(period.threshold, tr, language or current_language()),
            *activity_tables(ctx, read_activity(ctx, period.params), period.threshold, tr))}
        if table not in found:
            raise ValidationError(_("There is no such table of figures."), "table")
        rows_table, by_table = found[table], found[by]
        codes = [code for code, _label in rows_table.labels]
        if row not in codes:
            raise ValidationError(_("There is no such figure."), "row")
        if rows_table.counts.cell(row).mark is not Mark.SHOWN:
            raise ValidationError(fill(_(
                "This figure is below {t} or withheld: it is not broken down, so that no "
                "small count can be worked out from it."), t=period.threshold), "row")
        row_of, column_of = _mapper(rows_table), _mapper(by_table)
        column_index = cf.PEOPLE_KEYS.index(by)
        grid: dict[str, Counter[str]] = {}
        for (code, case_id), n in _units(ctx, table, people, params, types).items():
            a = row_of(code)
            b = column_of(str(people.by_case[case_id][column_index]))
            if a is not None and b is not None:
                grid.setdefault(a, Counter())[b] += n
    columns = [code for code, _label in by_table.labels]
    try:
        protected = grid_suppression.protect_grid(
            grid, codes, columns, period.threshold,
            row_marks={code: cell.mark for code, cell in
                       zip(codes, rows_table.counts.cells, strict=True)},
            # each survivor in one row: a column adds up to the dashboard's figure of it
            column_marks={code: cell.mark for code, cell in
                          zip(columns, by_table.counts.cells, strict=True)}
            if table in cf.PEOPLE_KEYS and table not in cf.MULTI else None,
            total_known=rows_table.counts.total is not None)
    except grid_suppression.GridUnsafe:
        protected = {}
    if row not in protected or all(c.mark is Mark.HIDDEN for c in protected[row].cells):
        raise ValidationError(_(
            "This figure cannot be broken down that way without letting a small count be "
            "worked out. Choose another characteristic."), "by")
    result = Breakdown(period.first, period.last, period.threshold, period.site_name,
                       rows_table.title, dict(rows_table.labels)[row], by_table.title,
                       rows_table.unit, by_table.labels, protected[row])
    ctx.record(Event.STATISTICS, target_type="statistics",
               details={"count": protected[row].total, "threshold": period.threshold,
                        "format": "breakdown", **({"site": site} if site else {})})
    return result
