"""Small-cell protection: which counts of a statistical table may be published.

A count below the threshold *t* (11 by default) could point at a person: in a shelter of
forty residents, "one woman from Eritrea, 17" is a name.  Such a count is *suppressed*
(published as "< t").  That is not enough when the table shows its total: a single
suppressed cell is the total less the others.  So more cells are withheld
(*complementary suppression*) until the published figures leave every suppressed count
free to be anything from 0 to t - 1.  Which cells are withheld follows the table's order
of rows, never their size, so that knowing the rule tells a reader nothing more.

What a reader of the published table knows, and what this module protects against:

- each shown count exactly, and the total when the table is *additive* (its cells are
  disjoint and cover the population: gender, age band);
- each suppressed count is in 0 … t - 1 (it says "< t");
- each withheld count is at least t (had it been smaller it would say "< t").

With R = the total less the shown counts (the sum of the hidden ones), P the suppressed
and C the withheld cells, a suppressed cell can be as large as R - t·|C| (the others at
their least) and as small as R less the most the others can hold.  The table is safe when
for every suppressed cell that range is the whole of 0 … t - 1: R - t·|C| ≥ t - 1, and,
when nothing is withheld, R ≤ (t - 1)(|P| - 1).  A withheld cell is then never pinned
either.  When no choice of withheld cells makes the table safe, every cell is hidden alike
and only the total is shown.

Tables that are not additive (a person counted under each of several exploitation types)
have no equation to solve: their suppressed cells alone are hidden.

The tests check these tables with a solver of their own (tests/statistics/checker.py).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_THRESHOLD = 11
LOWEST_THRESHOLD = 5
HIGHEST_THRESHOLD = 100


class Mark(enum.Enum):
    SHOWN = "shown"
    SUPPRESSED = "suppressed"  # below the threshold: "< 11"
    WITHHELD = "withheld"  # at least the threshold, hidden so the others stay hidden
    HIDDEN = "hidden"  # the whole table's cells, when no other choice keeps them safe


@dataclass(frozen=True)
class Cell:
    key: str
    count: int
    mark: Mark

    @property
    def shown(self) -> int | None:
        """The count as published, or None when it is not."""
        return self.count if self.mark is Mark.SHOWN else None


@dataclass(frozen=True)
class Protected:
    """One table as it may be published.  ``total`` is None when it is not shown (below
    the threshold, or a table that is not additive)."""

    cells: tuple[Cell, ...]
    total: int | None
    total_suppressed: bool
    threshold: int
    additive: bool

    def cell(self, key: str) -> Cell:
        for cell in self.cells:
            if cell.key == key:
                return cell
        raise KeyError(key)


def _safe(suppressed: list[int], withheld: list[int], t: int) -> bool:
    rest = sum(suppressed) + sum(withheld)
    if rest - t * len(withheld) < t - 1:
        return False
    return bool(withheld) or rest <= (t - 1) * (len(suppressed) - 1)


def protect(counts: Mapping[str, int], threshold: int = DEFAULT_THRESHOLD, *,
            additive: bool = True) -> Protected:
    """The cells of *counts* (in their order) marked for publication.

    *additive*: the cells are disjoint and cover the population, and the total (their sum)
    is published with them."""
    t = threshold
    if not LOWEST_THRESHOLD <= t <= HIGHEST_THRESHOLD:
        raise ValueError(f"threshold {t} outside {LOWEST_THRESHOLD}..{HIGHEST_THRESHOLD}")
    if any(n < 0 for n in counts.values()):
        raise ValueError("a count below zero")
    small = {k for k, n in counts.items() if n < t}

    def table(marks: Mapping[str, Mark], total: int | None, below: bool) -> Protected:
        return Protected(tuple(Cell(k, n, marks.get(k, Mark.SHOWN)) for k, n in counts.items()),
                         total, below, t, additive)

    if not additive:
        return table(dict.fromkeys(small, Mark.SUPPRESSED), None, False)
    total = sum(counts.values())
    if total < t:  # the whole population is small: nothing of it is shown
        return table(dict.fromkeys(counts, Mark.HIDDEN), None, True)
    if not small:
        return table({}, total, False)
    primary = [counts[k] for k in small]
    # The cells withheld are taken in the table's own order, never by size: a reader who
    # knows this rule learns nothing from which ones were taken that the figures do not
    # already say (chosen by size, "the smallest that was enough" pinned the small ones).
    withheld: list[str] = []
    if not _safe(primary, [], t):
        for key in (k for k in counts if k not in small):
            withheld.append(key)
            if _safe(primary, [counts[k] for k in withheld], t):
                break
        else:
            return table(dict.fromkeys(counts, Mark.HIDDEN), total, False)
    marks = {**dict.fromkeys(small, Mark.SUPPRESSED),
             **dict.fromkeys(withheld, Mark.WITHHELD)}
    return table(marks, total, False)

