"""Breaking a figure down: counts only, the same as the dashboard's, protected as a two-way
table so that neither one breakdown, nor all of a table's side by side with the dashboard,
lets a small count be worked out (checked by the independent checker, line by line, and by
enumerating every table a reader could not tell apart on small ones)."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence

import pytest

from shelter_app.domain.grid_suppression import GridUnsafe, protect_grid
from shelter_app.domain.records import CaseInput
from shelter_app.domain.suppression import Mark, Protected, protect
from shelter_app.errors import PermissionDenied, ValidationError
from shelter_app.services.statistics_breakdown import choices
from tests.records.conftest import Org
from tests.statistics import checker
from tests.statistics.test_statistics import TODAY, YEAR_AGO

MARKS = {Mark.SUPPRESSED: checker.BELOW, Mark.WITHHELD: checker.WITHHELD,
         Mark.HIDDEN: checker.HIDDEN}


def seen(cell_mark: Mark, count: int) -> checker.Published:
    return count if cell_mark is Mark.SHOWN else MARKS[cell_mark]


def survivors(org: Org, n: int, gender: str, exploitation: list[str], answer: str = "yes"
              ) -> None:
    for i in range(n):
        record = org.new_case(f"Drill {gender} {i}", share=False, gender=gender,
                              case=CaseInput(exploitation_types=exploitation))
        org.coordinator.consent.set_reporting(record.id, answer)


def test_a_figure_breaks_down_into_the_dashboard_s_counts(org: Org) -> None:
    survivors(org, 9, "woman", ["sexual"])
    survivors(org, 6, "man", ["sexual", "forced_labour"])
    survivors(org, 7, "man", ["forced_labour"])
    survivors(org, 2, "woman", ["forced_labour"])
    survivors(org, 4, "woman", ["sexual"], answer="no")  # never counted
    stats = org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    assert stats.table("exploitation").counts.cell("sexual").shown == 15
    made = org.coordinator.statistics.breakdown(YEAR_AGO, TODAY, table="exploitation",
                                                row="sexual", by="gender")
    assert made.counts.total == 15 and made.row == "Sexual exploitation"
    assert made.by == "Gender" and made.table == "Exploitation types"
    cells = {c.key: c for c in made.counts.cells}
    assert (cells["woman"].count, cells["man"].count) == (9, 6)
    assert all(c.count == 0 for k, c in cells.items() if k not in ("woman", "man"))
    # the zeros are small counts: one of the others is withheld so that they stay hidden
    assert {cells["woman"].mark, cells["man"].mark} == {Mark.SHOWN, Mark.WITHHELD}
    assert all(c.mark is Mark.SUPPRESSED for k, c in cells.items() if c.count == 0)
    # gender by exploitation is not offered: the table's own characteristic
    with pytest.raises(ValidationError):
        org.coordinator.statistics.breakdown(YEAR_AGO, TODAY, table="gender", row="man",
                                             by="gender")
    # a figure below the threshold is not broken down
    with pytest.raises(ValidationError, match="below 5"):
        org.coordinator.statistics.breakdown(YEAR_AGO, TODAY, table="new", row="before",
                                             by="gender")
    event = org.audit("data.statistics")[-1]
    assert event["details"] == {"count": 15, "threshold": 5, "format": "breakdown"}


def test_every_breakdown_of_a_table_adds_up_to_its_figures(org: Org) -> None:
    for gender, n in (("woman", 12), ("man", 8), ("transgender", 6)):
        survivors(org, n, gender, ["sexual"] if n % 2 else ["domestic_servitude"])
    stats = org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    for table in stats.tables:
        for code, cell in zip((c for c, _l in table.labels), table.counts.cells, strict=True):
            if cell.mark is not Mark.SHOWN:
                continue
            for by in ("gender", "age"):
                if by not in {key for key, _t in choices(table.key)}:
                    with pytest.raises(ValidationError):
                        org.coordinator.statistics.breakdown(
                            YEAR_AGO, TODAY, table=table.key, row=code, by=by)
                    continue
                try:
                    made = org.coordinator.statistics.breakdown(
                        YEAR_AGO, TODAY, table=table.key, row=code, by=by)
                except ValidationError as exc:
                    assert "cannot be broken down" in exc.message
                    continue
                assert made.counts.total == cell.count, (table.key, code, by)
                for part in made.counts.cells:
                    assert part.mark is not Mark.SHOWN or part.count >= 5


def test_only_coordinators_break_figures_down(org: Org) -> None:
    survivors(org, 6, "woman", ["sexual"])
    for who in (org.legal, org.admin, org.caseworker):
        with pytest.raises(PermissionDenied):
            who.statistics.breakdown(YEAR_AGO, TODAY, table="gender", row="woman", by="age")


# -- the two-way protection, against checks of its own -------------------------------------
def dashboard_marks(totals: dict[str, int], t: int) -> dict[str, Mark]:
    """How the dashboard publishes these figures (a table that adds up)."""
    return {c.key: c.mark for c in protect(totals, t, additive=True).cells}


def made_grid(grid: dict[str, dict[str, int]], t: int, add_up: bool
              ) -> tuple[dict[str, Protected], dict[str, Mark], dict[str, Mark] | None]:
    rows, columns = list(grid), list(next(iter(grid.values())))
    row_marks = dashboard_marks({r: sum(grid[r].values()) for r in rows}, t)
    column_marks = dashboard_marks({c: sum(grid[r][c] for r in rows) for c in columns}, t) \
        if add_up else None
    try:
        made = protect_grid(grid, rows, columns, t, row_marks=row_marks,
                            column_marks=column_marks, total_known=total_of(grid) >= t)
    except GridUnsafe:
        made = {}
    return made, row_marks, column_marks


def total_of(grid: dict[str, dict[str, int]]) -> int:
    """The rows' table's total: the dashboard shows it when it is not below t."""
    return sum(sum(row.values()) for row in grid.values())


def reader_rows(rows: Sequence[str], columns: Sequence[str], made: dict[str, Protected]
                ) -> dict[str, list[checker.Published]]:
    """Every row as a reader of every breakdown sees it (a row not broken down: unknown)."""
    return {r: [seen(c.mark, c.count) for c in made[r].cells] if r in made
            else [checker.HIDDEN for _c in columns] for r in rows}


def random_grid(rng: random.Random, n_rows: int, n_columns: int, high: int
                ) -> dict[str, dict[str, int]]:
    return {f"r{i}": {f"c{j}": rng.choice([0, 0, 1, 2, 3, 4, rng.randint(0, high)])
                      for j in range(n_columns)} for i in range(n_rows)}


@pytest.mark.parametrize("seed", range(150))
def test_no_line_of_a_protected_grid_gives_a_small_count_away(seed: int) -> None:
    rng = random.Random(seed)
    t = rng.choice([5, 11])
    grid = random_grid(rng, rng.randint(2, 6), rng.randint(2, 7), 4 * t)
    rows, columns = list(grid), list(next(iter(grid.values())))
    add_up = rng.random() < 0.7
    made, row_marks, column_marks = made_grid(grid, t, add_up)
    assert set(made) <= {r for r in rows if row_marks[r] is Mark.SHOWN}
    view = reader_rows(rows, columns, made)
    for r in made:
        assert made[r].total == sum(grid[r].values())
        found = checker.problems(view[r], made[r].total, t,
                                 true_counts=[grid[r][c] for c in columns], nought_free=True)
        assert found == [], (r, found)
    for j, c in enumerate(columns):
        if column_marks is None or column_marks[c] is not Mark.SHOWN:
            continue
        line = [view[r][j] for r in rows]
        found = checker.problems(line, sum(grid[r][c] for r in rows), t,
                                 true_counts=[grid[r][c] for r in rows], nought_free=True)
        assert found == [], (c, found)


def every_reading(grid: dict[str, dict[str, int]], made: dict[str, Protected],
                  row_marks: dict[str, Mark], column_marks: dict[str, Mark] | None, t: int,
                  cap: int = 150_000) -> dict[tuple[str, str], set[int]]:
    """Every value each hidden cell takes in some grid the reader cannot tell apart from
    the true one (every row's and column's figure as published, every breakdown), found
    by trying them all."""
    rows, columns = list(grid), list(next(iter(grid.values())))
    limit = sum(sum(v.values()) for v in grid.values())

    def within(mark: Mark, value: int, true: int) -> bool:
        if mark is Mark.SHOWN:
            return value == true
        if mark is Mark.SUPPRESSED:
            return value < t
        if mark is Mark.WITHHELD:
            return value >= t
        return True

    options = {}
    for r in rows:
        marks = [c.mark for c in made[r].cells] if r in made else [Mark.HIDDEN] * len(columns)
        total = sum(grid[r].values())
        # no cell is more than what the reader knows of its row's total
        most = total if r in made or row_marks[r] is Mark.SHOWN else \
            t - 1 if row_marks[r] is Mark.SUPPRESSED else limit
        options[r] = [
            vector for vector in itertools.product(*(
                range(grid[r][c], grid[r][c] + 1) if m is Mark.SHOWN else
                range(min(t - 1, most) + 1) if m is Mark.SUPPRESSED else range(most + 1)
                for m, c in zip(marks, columns, strict=True)))
            if all(within(m, v, grid[r][c]) for m, v, c in zip(marks, vector, columns,
                                                               strict=True))
            and within(row_marks[r], sum(vector), total)
            and (r not in made or sum(vector) == total)]
    if math.prod(len(options[r]) for r in rows) > cap:
        pytest.skip("too many tables to try them all in a test")
    found: dict[tuple[str, str], set[int]] = {}
    whole = total_of(grid)
    for choice in itertools.product(*(options[r] for r in rows)):
        if whole >= t and sum(map(sum, choice)) != whole:
            continue  # the table's total, shown on the dashboard
        if column_marks is not None and not all(
                within(column_marks[c], sum(v[j] for v in choice),
                       sum(grid[r][c] for r in rows)) for j, c in enumerate(columns)):
            continue
        for r, vector in zip(rows, choice, strict=True):
            for j, c in enumerate(columns):
                found.setdefault((r, c), set()).add(vector[j])
    return found


@pytest.mark.parametrize("seed", range(200))
def test_small_grids_leave_every_small_count_free_read_together(seed: int) -> None:
    """All the breakdowns of a small table and the dashboard's figures read at once, by
    trying every grid that publishes the same: a small count can still be anything below
    the threshold, and no withheld count is pinned."""
    rng = random.Random(1000 + seed)
    t = 5
    grid = {f"r{i}": {f"c{j}": rng.choice([0, 1, 2, 3, 5, 6, 8])
                      for j in range(2)} for i in range(2 + seed % 2)}
    made, row_marks, column_marks = made_grid(grid, t, add_up=seed % 3 != 0)
    readings = every_reading(grid, made, row_marks, column_marks, t)
    before = every_reading(grid, {}, row_marks, column_marks, t)  # the dashboard alone
    for (r, c), values in readings.items():
        true = grid[r][c]
        assert true in values
        if r in made and made[r].cell(c).mark is Mark.SHOWN:
            assert true >= t
            continue
        if 0 < true < t:  # (a nought may be worked out: it names no one)
            assert before[(r, c)] & set(range(t)) <= values, (grid, r, c, sorted(values))
        else:
            assert len(values) > 1 or len(before[(r, c)]) == 1, (grid, r, c, sorted(values))


def test_record_tables_are_not_broken_down_and_two_characteristics_one_way_only() -> None:
    """A cell of a table of records could be one survivor's appointments; and a table
    broken down both ways, each protected on its own, could give a cell away."""
    for records in ("referrals", "appointments", "legal_types", "legal_status", "deadlines",
                    "proceedings", "informed"):
        assert choices(records) == []
    offered = {table: {key for key, _t in choices(table)} for table in
               ("gender", "age", "exploited_age", "citizenship", "exploitation_country",
                "identification", "exploitation", "services")}
    for a, keys in offered.items():
        assert a not in keys
        for b in keys:
            assert a not in offered.get(b, set()), (a, b)  # never both ways
    assert offered["exploitation"] == offered["services"] and len(offered["services"]) == 6


def test_the_table_s_total_on_the_dashboard_is_taken_into_account() -> None:
    """Found in review: with the dashboard's total of the table, the other rows' small
    figures and a withheld column, a cell shown here once ruled out a small value."""
    grid = {"possible": {"woman": 0, "man": 0, "transgender": 2, "unknown": 0},
            "actual": {"woman": 0, "man": 2, "transgender": 0, "unknown": 0},
            "not_victim": {"woman": 6, "man": 4, "transgender": 0, "unknown": 0}}
    made, row_marks, column_marks = made_grid(grid, 5, add_up=True)
    readings = every_reading(grid, made, row_marks, column_marks, 5, cap=10**7)
    before = every_reading(grid, {}, row_marks, column_marks, 5, cap=10**7)
    for (r, c), values in readings.items():
        if grid[r][c] < 5 and not (r in made and made[r].cell(c).mark is Mark.SHOWN):
            assert before[(r, c)] & set(range(5)) <= values, (r, c, sorted(values))
