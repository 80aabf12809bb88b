"""An independent check of published statistics, written apart from the code under test.

It knows only what a reader of a published table knows — each shown count, the total of a
table whose cells add up to it, "< t" for a count below the threshold, "withheld" for a
count hidden to protect others (so at least t), "hidden" for a table hidden whole — and
finds, by enumerating every integer solution (a subset-sum table, not interval algebra),
which values each hidden cell can still take.  Nothing here is imported from
``shelter_app.domain.suppression``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

BELOW, WITHHELD, HIDDEN = "below", "withheld", "hidden"
Published = int | str  # a shown count, or one of the marks


@dataclass(frozen=True)
class Finding:
    cell: int
    possible: frozenset[int]


def possible_values(cells: Sequence[Published], total: int, t: int) -> dict[int, frozenset[int]]:
    """For each hidden cell of an additive table, every value consistent with what is
    published."""
    rest = total - sum(c for c in cells if isinstance(c, int))
    assert rest >= 0, "the shown counts exceed the total"
    hidden = [i for i, c in enumerate(cells) if not isinstance(c, int)]

    def domain(mark: Published) -> range:
        if mark == BELOW:
            return range(0, min(t - 1, rest) + 1)
        if mark == WITHHELD:
            return range(t, rest + 1)
        return range(0, rest + 1)

    out: dict[int, frozenset[int]] = {}
    for i in hidden:
        sums = {0}  # the sums the other hidden cells can make, up to rest
        for j in hidden:
            if j != i:
                sums = {s + x for s in sums for x in domain(cells[j]) if s + x <= rest}
        out[i] = frozenset(x for x in domain(cells[i]) if rest - x in sums)
    return out


def problems(cells: Sequence[Published], total: int | None, t: int, *,
             true_counts: Sequence[int] | None = None, nought_free: bool = False
             ) -> list[str]:
    """What a reader could learn beyond "< t" about a suppressed cell, or any hidden cell
    they could pin to one value; empty when the table is safe.  *nought_free*: a cell whose
    true count (*true_counts*) is nought may be worked out (it names no one)."""
    found: list[str] = []
    if true_counts is not None:
        for i, (shown, true) in enumerate(zip(cells, true_counts, strict=True)):
            if isinstance(shown, int) and shown != true:
                found.append(f"cell {i} shows {shown}, is {true}")
            if isinstance(shown, int) and shown < t:
                found.append(f"cell {i} shows {shown}, below {t}")
            if shown == BELOW and true >= t:
                found.append(f"cell {i} says below {t} but is {true}")
    if total is None:  # no equation: what is shown is all there is
        return found
    for i, values in possible_values(cells, total, t).items():
        if true_counts is not None and true_counts[i] not in values:
            found.append(f"cell {i}: its true count is not among the solutions")
        if nought_free and true_counts is not None and true_counts[i] == 0:
            continue
        if cells[i] == BELOW and values != frozenset(range(t)):
            found.append(f"cell {i} (< {t}) narrowed to {sorted(values)[:3]}…{max(values)}")
        elif len(values) < 2:
            found.append(f"cell {i} ({cells[i]}) recomputed as {sorted(values)}")
    return found


def rule_aware_values(publish: Callable[[dict[str, int]], list[Published]], keys: list[str],
                      seen: Sequence[Published], total: int) -> dict[int, set[int]]:
    """For each cell not shown in *seen*, every value it takes in some table of *keys*
    adding up to *total* that *publish* (the rule, known to the reader) publishes exactly
    as *seen*.  Every such table is tried."""
    hidden = [i for i, c in enumerate(seen) if not isinstance(c, int)]
    found: dict[int, set[int]] = {i: set() for i in hidden}

    def tables(n: int, left: int) -> Iterator[list[int]]:
        if n == 1:
            yield [left]
            return
        for first in range(left + 1):
            for rest in tables(n - 1, left - first):
                yield [first, *rest]

    for trial in tables(len(keys), total):
        if any(isinstance(c, int) and c != v for c, v in zip(seen, trial, strict=True)):
            continue
        if publish(dict(zip(keys, trial, strict=True))) == list(seen):
            for i in hidden:
                found[i].add(trial[i])
    return found


def k_anonymity_problems(rows: Sequence[Sequence[str]], k: int) -> list[str]:
    """Every combination of all the quasi-identifier values shared by fewer than *k* rows,
    and every single value (in its column) shared by fewer than *k*.  (Any other subset of
    the columns groups whole combinations, so it cannot do worse than the first check; the
    second is counted again all the same, by a loop of its own.)  A blank matches only
    other blanks: a reader cannot assume more."""
    found: list[str] = []
    combos: dict[tuple[str, ...], int] = {}
    for row in rows:
        combos[tuple(row)] = combos.get(tuple(row), 0) + 1
    found += [f"{key}: {n} rows" for key, n in combos.items() if n < k]
    width = len(rows[0]) if rows else 0
    for column in range(width):
        seen: dict[str, int] = {}
        for row in rows:
            seen[row[column]] = seen.get(row[column], 0) + 1
        found += [f"column {column} = {value!r}: {n} rows" for value, n in seen.items()
                  if n < k and value != ""]
    return found
