"""Small-cell protection, checked by the independent solver of tests/statistics/checker.py."""

from __future__ import annotations

import random

import pytest

from shelter_app.domain.suppression import Mark, Protected, protect
from tests.statistics import checker

MARKS = {Mark.SUPPRESSED: checker.BELOW, Mark.WITHHELD: checker.WITHHELD,
         Mark.HIDDEN: checker.HIDDEN}


def published(table: Protected) -> list[checker.Published]:
    return [c.count if c.mark is Mark.SHOWN else MARKS[c.mark] for c in table.cells]


def check(table: Protected, counts: dict[str, int]) -> list[str]:
    return checker.problems(published(table), table.total, table.threshold,
                            true_counts=list(counts.values()))


def test_a_table_without_small_counts_is_shown_whole() -> None:
    counts = {"woman": 40, "man": 25, "unknown": 11}
    table = protect(counts)
    assert published(table) == [40, 25, 11] and table.total == 76


def test_one_small_cell_takes_another_with_it() -> None:
    counts = {"woman": 40, "man": 25, "transgender": 3}
    table = protect(counts)
    assert table.cell("transgender").mark is Mark.SUPPRESSED
    assert table.cell("man").mark is Mark.WITHHELD  # the smallest that is enough
    assert table.cell("woman").shown == 40 and table.total == 68
    assert check(table, counts) == []
    # the same published figures without the withheld cell: the small one comes back
    naive = [40, 25, checker.BELOW]
    assert checker.problems(naive, 68, 11) == ["cell 2 (< 11) narrowed to [3]…3"]


def test_a_withheld_cell_too_close_to_the_threshold_is_not_enough() -> None:
    # withholding 12 beside a 1 would leave the 1 at most 2: another is taken
    counts = {"a": 1, "b": 12, "c": 13, "d": 60}
    table = protect(counts)
    assert check(table, counts) == []
    assert table.cell("a").mark is Mark.SUPPRESSED
    assert [c.key for c in table.cells if c.mark is Mark.WITHHELD] == ["d"]
    assert checker.problems([checker.BELOW, checker.WITHHELD, 13, 60], 86, 11) == [
        "cell 0 (< 11) narrowed to [0, 1, 2]…2"]


def test_a_small_population_hides_every_cell_and_the_total() -> None:
    table = protect({"a": 4, "b": 5})
    assert table.total is None and table.total_suppressed
    assert {c.mark for c in table.cells} == {Mark.HIDDEN}


def test_when_nothing_is_enough_the_whole_table_is_hidden_but_its_total() -> None:
    counts = {"a": 3, "b": 12}  # withholding 12 still leaves a at most 4
    table = protect(counts)
    assert table.total == 15 and {c.mark for c in table.cells} == {Mark.HIDDEN}
    assert check(table, counts) == []


def test_a_table_that_does_not_add_up_suppresses_only_small_counts() -> None:
    table = protect({"sexual": 30, "forced_labour": 4, "begging": 0}, additive=False)
    assert published(table) == [30, checker.BELOW, checker.BELOW] and table.total is None


@pytest.mark.parametrize("threshold", [5, 11, 20])
def test_random_tables_are_safe_by_the_independent_solver(threshold: int) -> None:
    rng = random.Random(threshold)
    for _round in range(400):
        size = rng.randint(2, 7)
        counts = {f"c{i}": rng.choice([0, 1, 2, rng.randint(0, 3 * threshold),
                                       rng.randint(threshold, 60)]) for i in range(size)}
        table = protect(counts, threshold)
        assert check(table, counts) == [], (counts, published(table))
        for cell in table.cells:  # nothing below the threshold is ever shown
            assert cell.shown is None or cell.shown >= threshold


def test_the_threshold_has_a_floor() -> None:
    with pytest.raises(ValueError, match="threshold"):
        protect({"a": 1}, 4)
