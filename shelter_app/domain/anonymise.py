"""k-anonymity for a table of quasi-identifiers: generalise, then suppress, then drop.

Every row of the result shares its whole combination of quasi-identifier values with at
least k - 1 other rows, so no combination a reader knows about a person (her year of
registration, gender, age band, citizenship, country of exploitation, the kinds of
exploitation and control, who recruited her) picks out fewer than k people.  Any
projection on fewer columns then does too: its groups are unions of those combinations.

The steps, in order, each counted in the ``Report``:

1. *Generalisation* is the caller's (age in broad bands; the caller may try coarser ones
   and keep the result that suppresses least).
2. *Global suppression*: a value that fewer than k rows have in a column is blanked in
   that column everywhere ("" means "not known or suppressed", never told apart).
3. *Local suppression*: the rows still in a group smaller than k have whole groups of
   columns blanked, least useful first (``groups`` order), until their groups reach k.
4. *Record suppression*: rows still in a group smaller than k after every column was
   blanked are left out.

The tests check the result with a counter of their own (tests/statistics/checker.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

BLANK = ""


@dataclass
class Report:
    k: int
    rows_in: int = 0
    rows_out: int = 0
    globally_suppressed: Counter[str] = field(default_factory=Counter)  # column → cells
    locally_suppressed: Counter[str] = field(default_factory=Counter)
    generalised: list[str] = field(default_factory=list)  # what the caller generalised

    @property
    def rows_dropped(self) -> int:
        return self.rows_in - self.rows_out

    @property
    def cells_suppressed(self) -> int:
        return sum(self.globally_suppressed.values()) + sum(self.locally_suppressed.values())


def anonymise(rows: Sequence[Sequence[str]], columns: Sequence[str],
              groups: Sequence[Sequence[str]], k: int) -> tuple[list[list[str]], Report]:
    """*rows* of *columns* made k-anonymous.  *groups* lists the columns in the order they
    may be blanked for the rows that need it (each group at once), least useful first;
    every column must be in one group."""
    if k < 2:
        raise ValueError("k must be at least 2")
    index = {name: i for i, name in enumerate(columns)}
    grouped = [[index[name] for name in group] for group in groups]
    if sorted(i for group in grouped for i in group) != list(range(len(columns))):
        raise ValueError("every column must be in exactly one group")
    report = Report(k, rows_in=len(rows))
    if not rows:
        return [], report
    # 2. values too rare in their own column, a column at a time
    values = [list(column) for column in zip(*rows, strict=True)]
    for c, column in enumerate(values):
        seen = Counter(column)
        rare = {value for value, n in seen.items() if n < k and value != BLANK}
        if rare:
            values[c] = [BLANK if value in rare else value for value in column]
            report.globally_suppressed[columns[c]] += sum(seen[value] for value in rare)
    # 3. whole groups of columns, for the rows whose combination is still too rare.  All
    # the rows of one combination go together: a combination whose group columns are not
    # all blank only loses rows during that group's pass, and one whose group columns are
    # all blank only gains them (and stays as it is), so taking each rare combination of
    # the pass's start at once changes exactly the rows that taking them one by one would.
    keys: list[tuple[str, ...]] = list(zip(*values, strict=True))
    # each combination: [how many rows hold it, the rows]; a pass makes the next one anew,
    # hashing each combination once (a tuple's hash is not kept)
    held: dict[tuple[str, ...], list[Any]] = {}
    for r, key in enumerate(keys):
        entry = held.get(key)
        if entry is None:
            held[key] = [1, [r]]
        else:
            entry[0] += 1
            entry[1].append(r)
    suppressed = [0] * len(columns)
    for group in grouped:
        first, last = min(group), max(group) + 1
        whole = last - first == len(group)  # the group's columns side by side
        blanks = (BLANK,) * (last - first)
        merged: dict[tuple[str, ...], list[Any]] = {}
        any_rare = False
        for key, entry in held.items():
            n = entry[0]
            if n < k:
                any_rare = True
                blanked = [c for c in group if key[c] != BLANK]
                if blanked:
                    for c in blanked:
                        suppressed[c] += n
                    if whole:
                        key = key[:first] + blanks + key[last:]
                    else:
                        moved = list(key)
                        for c in blanked:
                            moved[c] = BLANK
                        key = tuple(moved)
            into = merged.get(key)
            if into is None:
                merged[key] = entry
            else:
                into[0] += n
                into[1].extend(entry[1])
        if not any_rare:
            break
        held = merged
    for c, n in enumerate(suppressed):
        if n:
            report.locally_suppressed[columns[c]] += n
    # 4. what no blanking could hide; the rows in their order
    final: list[tuple[str, ...] | None] = [None] * len(keys)
    for key, (n, rows_held) in held.items():
        if n >= k:
            for r in rows_held:
                final[r] = key
    kept = [list(key) for key in final if key is not None]
    report.rows_out = len(kept)
    return kept, report
