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
    assert table.cell("woman").mark is Mark.WITHHELD  # the first in the table's order
    assert table.cell("man").shown == 25 and table.total == 68
    assert check(table, counts) == []
    # the same published figures without the withheld cell: the small one comes back
    naive = [40, 25, checker.BELOW]
    assert checker.problems(naive, 68, 11) == ["cell 2 (< 11) narrowed to [3]…3"]


def test_a_withheld_cell_too_close_to_the_threshold_is_not_enough() -> None:
    # withholding 12 beside a 1 would leave the 1 at most 2: the next ones are taken too
    counts = {"a": 1, "b": 12, "c": 60, "d": 13}
    table = protect(counts)
    assert check(table, counts) == []
    assert table.cell("a").mark is Mark.SUPPRESSED
    assert [c.key for c in table.cells if c.mark is Mark.WITHHELD] == ["b", "c"]
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


def test_knowing_the_rule_pins_no_suppressed_count() -> None:
    """A reader who knows how cells are chosen tries every table that would be published
    the same way: each hidden count must still have two values at least.  (Withheld cells
    chosen by size let this reader pin all of them.)"""
    rng = random.Random(5)
    tables = [({"a": 8, "b": 12, "c": 12, "d": 12}, 11), ({"a": 0, "b": 20, "c": 20}, 11)]
    for _round in range(40):
        size = rng.randint(2, 4)
        tables.append(({f"c{i}": rng.choice([0, 1, 3, rng.randint(0, 14)])
                        for i in range(size)}, 5))
    for counts, t in tables:
        table = protect(counts, t)
        seen = published(table)
        # the total, or every total below the threshold when it says "< t"
        totals = [table.total] if table.total is not None else list(range(t))
        found: dict[int, set[int]] = {}
        for total in totals:
            for i, values in checker.rule_aware_values(
                    lambda trial, t=t: published(protect(trial, t)), list(counts), seen,
                    total).items():
                found.setdefault(i, set()).update(values)
        assert all(len(values) >= 2 for values in found.values()), (counts, seen, found)


def test_the_rule_aware_reader_pins_cells_withheld_by_size() -> None:
    """The check above can fail: with withheld cells chosen by size ("the smallest that is
    enough"), the same reader recomputes every hidden count of this table."""
    def by_size(counts: dict[str, int], t: int = 11) -> list[checker.Published]:
        small = [k for k, n in counts.items() if n < t]
        by_count = [k for _n, k in sorted((n, k) for k, n in counts.items() if k not in small)]

        def enough(taken: list[str]) -> bool:
            return sum(counts[k] for k in small + taken) - t * len(taken) >= t - 1

        taken = next(([k] for k in by_count if enough([k])), [])
        for key in by_count if not taken else ():
            taken.append(key)
            if enough(taken):
                break
        return [checker.BELOW if k in small else checker.WITHHELD if k in taken else n
                for k, n in counts.items()]

    counts = {"a": 8, "b": 12, "c": 12, "d": 12}
    seen = by_size(counts)
    assert seen == [checker.BELOW, checker.WITHHELD, checker.WITHHELD, 12]
    assert checker.rule_aware_values(by_size, list(counts), seen, 44) == {
        0: {8}, 1: {12}, 2: {12}}
