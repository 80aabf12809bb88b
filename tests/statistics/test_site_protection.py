"""One site's figures beside every other site's and all sites': no small count follows
from their differences (``services/statistics_sites.py``), checked by trying every table a
reader could not tell apart on small ones, and line by line on a whole dashboard."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from shelter_app.domain.grid_suppression import GridUnsafe, protect_grid
from shelter_app.domain.records import CaseInput
from shelter_app.domain.suppression import Mark, Protected, protect
from shelter_app.services.statistics_sites import NO_SITE
from tests.records.conftest import Org
from tests.statistics import checker
from tests.statistics.test_breakdown import seen
from tests.statistics.test_statistics import TODAY, YEAR_AGO

Grid = dict[str, dict[str, int]]
TOTAL = "(total)"  # a row's total, among the readings


def published(grid: Grid, t: int, additive: bool
              ) -> tuple[Protected, dict[str, Protected], dict[str, Mark]]:
    """All sites' table, each site's table as the service publishes them, and how each
    site's total is published: for a table that adds up, as the sites' numbers of cases
    are, protected first as a table of their own (as a survivor table's)."""
    columns = list(next(iter(grid.values())))
    everyone = protect({c: sum(grid[r][c] for r in grid) for c in columns}, t,
                       additive=additive)
    own = {r: protect(grid[r], t, additive=additive) for r in grid if r != NO_SITE}
    row_marks = {r: Mark.SHOWN if not additive or p.total is not None else Mark.SUPPRESSED
                 for r, p in own.items()}
    row_marks[NO_SITE] = Mark.HIDDEN
    totals = dict.fromkeys(grid, Mark.HIDDEN)
    if additive:
        whole = sum(map(sum, (r.values() for r in grid.values())))
        try:
            numbers = protect_grid({r: {"n": sum(grid[r].values())} for r in grid}, list(grid),
                                   ["n"], t, row_marks={**dict.fromkeys(own, Mark.SHOWN),
                                                        NO_SITE: Mark.HIDDEN},
                                   column_marks={"n": protect({"n": whole}, t,
                                                              additive=False).cells[0].mark},
                                   row_totals=False)
        except GridUnsafe:
            numbers = {}
        for r in own:
            totals[r] = (row_marks[r] if row_marks[r] is not Mark.SHOWN else
                         numbers[r].cells[0].mark if r in numbers else Mark.HIDDEN)
    try:
        made = protect_grid(grid, list(grid), columns, t, row_marks=row_marks,
                            column_marks={c.key: c.mark for c in everyone.cells},
                            total_known=additive and everyone.total is not None,
                            row_totals=totals)
    except GridUnsafe:
        made = {}
    return everyone, made, totals


def readings(grid: Grid, t: int, additive: bool, everyone: Protected,
             made: dict[str, Protected], row_marks: dict[str, Mark],
             cap: int = 40_000) -> dict[tuple[str, str], set[int]]:
    """Every value each cell takes in some grid that publishes what the true one does:
    all sites' table, each site's published row and, when tables add up, each site's
    total as its own dashboard shows it."""
    rows, columns = list(grid), list(next(iter(grid.values())))
    limit = sum(map(sum, (r.values() for r in grid.values())))

    def fits(mark: Mark, value: int, true: int) -> bool:
        return {Mark.SHOWN: value == true, Mark.SUPPRESSED: value < t,
                Mark.WITHHELD: value >= t}.get(mark, True)

    # no cell is more than what all sites' figure says of its column
    most = [cell.count if cell.mark is Mark.SHOWN else t - 1 if cell.mark is Mark.SUPPRESSED
            else limit for cell in everyone.cells]
    options = {}
    for r in rows:
        marks = [c.mark for c in made[r].cells] if r in made else [Mark.HIDDEN] * len(columns)
        options[r] = [
            vector for vector in itertools.product(*(range(m + 1) for m in most))
            if all(fits(m, v, grid[r][c]) for m, v, c in zip(marks, vector, columns,
                                                          strict=True))
            and fits(row_marks[r], sum(vector), sum(grid[r].values()))]
    sites = [r for r in rows if r != NO_SITE]
    if math.prod(len(options[r]) for r in sites) > cap:
        pytest.skip("too many tables to try them all in a test")
    found: dict[tuple[str, str], set[int]] = {}
    whole = sum(grid[r][c] for r in rows for c in columns)
    rest = set(options[NO_SITE])
    for choice in itertools.product(*(options[r] for r in sites)):
        sums = [sum(v[j] for v in choice) for j in range(len(columns))]
        # the cases at no site: whatever makes each of all sites' figures what it is
        each = [[x for x in range(limit + 1) if fits(cell.mark, sums[j] + x, cell.count)]
                for j, cell in enumerate(everyone.cells)]
        fitting = [xs for xs in itertools.product(*each) if xs in rest and (
            everyone.total is None or sum(sums) + sum(xs) == whole)]
        if not fitting:
            continue
        for r, vector in zip(sites, choice, strict=True):
            for j, c in enumerate(columns):
                found.setdefault((r, c), set()).add(vector[j])
            found.setdefault((r, TOTAL), set()).add(sum(vector))
        for xs in fitting:
            for j, c in enumerate(columns):
                found.setdefault((NO_SITE, c), set()).add(xs[j])
            found.setdefault((NO_SITE, TOTAL), set()).add(sum(xs))
    return found


@pytest.mark.parametrize("seed", range(60))
def test_small_tables_of_sites_leave_every_small_count_free(seed: int) -> None:
    """Two sites (or three) and the cases of no site, tables that add up and tables that do
    not: read together with all sites' figures, a small count (of a site, or of the cases
    at no site) can still be anything below the threshold that all sites' figures alone
    allowed, and no withheld count is pinned."""
    rng = random.Random(5000 + seed)
    t = 5
    sites = [f"s{i}" for i in range(2 + (seed % 4 == 1))]
    grid = {r: {f"c{j}": rng.choice([0, 0, 1, 2, 4, 5, 7]) for j in range(2)}
            for r in [*sites, NO_SITE]}
    additive = seed % 3 != 0
    everyone, made, row_marks = published(grid, t, additive)
    after = readings(grid, t, additive, everyone, made, row_marks)
    before = readings(grid, t, additive, everyone, {}, row_marks)  # all sites' alone
    for (r, c), values in after.items():
        true = sum(grid[r].values()) if c == TOTAL else grid[r][c]
        assert true in values
        if c == TOTAL:  # a site's total (its number of cases), or the rest's
            if 0 < true < t:
                assert before[(r, c)] & set(range(t)) <= values, (grid, r, sorted(values))
            elif true >= t and row_marks[r] is Mark.WITHHELD:
                assert len(values) > 1 or len(before[(r, c)]) == 1, (grid, r, sorted(values))
            continue
        if r in made and made[r].cell(c).mark is Mark.SHOWN:
            assert true >= t
        elif 0 < true < t:
            assert before[(r, c)] & set(range(t)) <= values, (grid, r, c, sorted(values))
        elif true >= t:
            assert len(values) > 1 or len(before[(r, c)]) == 1, (grid, r, c, sorted(values))


def _lines_check(org: Org, sites: list[str]) -> int:
    """Every site's statistics beside all sites', read line by line: in each table, each
    category's sites and the rest (the cases at no site) add up to all sites' figure, and
    so do the tables' totals; no small count of the rest or of a site is narrowed, and no
    withheld one pinned.  Returns how many counts were withheld."""
    c = org.coordinator
    t = c.statistics.threshold()
    everyone = c.statistics.produce(YEAR_AGO, TODAY)
    each = {site: c.statistics.produce(YEAR_AGO, TODAY, site=site) for site in sites}
    withheld = 0

    def line(whole: Protected, parts: list[Protected], j: int | None, what: str) -> None:
        nonlocal withheld
        if j is None:  # the tables' totals
            if whole.total is None:
                return
            seen_line = [p.total if p.total is not None else
                         checker.BELOW if p.total_suppressed else checker.HIDDEN
                         for p in parts]
            true = [sum(x.count for x in p.cells) for p in parts]
            figure = whole.total
        else:
            if whole.cells[j].mark is not Mark.SHOWN:
                return
            seen_line = [seen(p.cells[j].mark, p.cells[j].count) for p in parts]
            true = [p.cells[j].count for p in parts]
            figure = whole.cells[j].count
        seen_line.append(checker.HIDDEN)  # the cases at no site
        true.append(figure - sum(true))
        found = checker.problems(seen_line, figure, t, true_counts=true, nought_free=True)
        assert found == [], (what, j, found)
        withheld += sum(1 for x in seen_line if x == checker.WITHHELD)

    for key in ("counted", "left_out"):
        whole = getattr(everyone, key)
        for j in range(len(whole.cells)):
            line(whole, [getattr(x, key) for x in each.values()], j, key)
    for table in everyone.tables:
        parts = [x.table(table.key).counts for x in each.values()]
        for j in [*range(len(table.counts.cells)), None]:
            line(table.counts, parts, j, table.key)
    for one in each.values():
        for table in one.tables:
            for cell in table.counts.cells:
                assert cell.mark is not Mark.SHOWN or cell.count >= t
    return withheld


def _people(org: Org, n: int, where: str | None, rng: random.Random) -> None:
    for i in range(n):
        record = org.new_case(
            f"Site Person {where} {i}", share=False,
            gender=rng.choice(["woman", "woman", "man"]),
            case=CaseInput(exploitation_types=rng.sample(["sexual", "forced_labour"],
                                                         rng.randint(1, 2))))
        org.coordinator.consent.set_reporting(record.id, "yes")
        if where is not None:
            org.caseworker.sites.move(record.id, where)


def test_every_site_s_dashboard_beside_all_sites_gives_no_small_count_away(org: Org) -> None:
    """Three sites and cases at none, each of them many."""
    sites = [org.admin.sites.add(name).id for name in ("North", "South", "East")]
    rng = random.Random(3)
    for where in (*sites, None):
        _people(org, 15, where, rng)
    assert _lines_check(org, sites) > 0  # the protection had something to do


def test_a_few_cases_at_no_site_are_not_given_away_by_the_sites_totals(org: Org) -> None:
    """Seven at North, six at South, three at no site: every survivor table of a site adds
    up to its number of counted cases, so one of the two is withheld there too, and the
    audit log keeps only the number published."""
    north, south = org.admin.sites.add("North").id, org.admin.sites.add("South").id
    rng = random.Random(4)
    _people(org, 7, north, rng)
    _people(org, 6, south, rng)
    _people(org, 3, None, rng)
    assert _lines_check(org, [north, south]) > 0
    for site in (north, south):
        made = org.coordinator.statistics.produce(YEAR_AGO, TODAY, site=site)
        logged = org.audit("data.statistics")[-1]["details"]
        assert logged.get("count") == made.counted_cases  # None: withheld, not logged


def test_a_site_with_no_case_gives_no_cover(org: Org) -> None:
    """Ten at North, a retired site with no case, four at no site: North's figures would
    give the four away, whatever the empty site might have held."""
    north = org.admin.sites.add("North").id
    empty = org.admin.sites.add("Old shelter").id
    org.admin.sites.retire(empty)
    rng = random.Random(5)
    _people(org, 10, north, rng)
    _people(org, 4, None, rng)
    _lines_check(org, [north, empty])
    made = org.coordinator.statistics.produce(YEAR_AGO, TODAY, site=north)
    assert made.counted.cells[0].mark is not Mark.SHOWN
