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
    table = [list(row) for row in rows]
    # 2. values too rare in their own column (a column's values, read as the earlier
    # columns are blanked, are its own: blanking one column changes no other)
    for c, (name, values) in enumerate(zip(columns, zip(*table, strict=True), strict=False)):
        seen = Counter(values)
        rare = {value for value, n in seen.items() if n < k and value != BLANK}
        if rare:
            for row in table:
                if row[c] in rare:
                    row[c] = BLANK
            report.globally_suppressed[name] += sum(seen[value] for value in rare)
    # 3. whole groups of columns, for the rows whose combination is still too rare.  A
    # combination of k rows or more never loses one (only rows of smaller ones change), so
    # the rows to look at only ever shrink.
    keys = [tuple(row) for row in table]
    sizes = Counter(keys)
    small = [i for i, key in enumerate(keys) if sizes[key] < k]
    for group in grouped:
        small = [i for i in small if sizes[keys[i]] < k]
        if not small:
            break
        for i in small:
            before = keys[i]
            if sizes[before] >= k:  # others joined it meanwhile
                continue
            row = table[i]
            changed = False
            for c in group:
                if row[c] != BLANK:
                    row[c] = BLANK
                    report.locally_suppressed[columns[c]] += 1
                    changed = True
            if changed:
                sizes[before] -= 1
                keys[i] = tuple(row)
                sizes[keys[i]] += 1
    # 4. what no blanking could hide
    kept = [row for row, key in zip(table, keys, strict=True) if sizes[key] >= k]
    report.rows_out = len(kept)
    return kept, report
