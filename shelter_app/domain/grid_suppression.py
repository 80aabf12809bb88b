"""Small-cell protection of a two-way table: a figure of the dashboard broken down by one
characteristic of the survivors (``services/statistics_breakdown.py``).

A reader may ask for the breakdown of every row of a table and put them side by side with
the dashboard, which publishes each row's figure and, for a characteristic that counts
each survivor once, each column's total.  So the whole table is protected at once:

1. every row is first protected as ``suppression.protect`` protects a table (cells below
   the threshold suppressed, more withheld, in the table's order, until the row's total
   gives none of them away);
2. then what a reader can work out from every published row and total together is
   computed exactly: the values each hidden cell can take form an interval, whose ends
   are found as feasible flows in a network (rows to columns, each cell an edge with the
   bounds its mark allows; row and column sums and cell bounds make a transportation
   problem, whose vertices are whole numbers, so the intervals are exact);
3. while the breakdowns let a reader rule out 0 or t - 1 for a small cell, or pin a
   withheld one, when the dashboard's own figures did not, one more cell of its row (else
   of its column) is withheld; a row that still gives something away is hidden whole.
   A cell whose count is nought may be worked out: it names no one.

What the reader is taken to know: each published row's total exactly, each row's and
column's figure as the dashboard publishes it (exactly, "< t", "withheld" or not at all),
each shown cell exactly, each suppressed cell below t and each withheld one at least t.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Mapping, Sequence

from shelter_app.domain.suppression import (
    HIGHEST_THRESHOLD,
    LOWEST_THRESHOLD,
    Cell,
    Mark,
    Protected,
    _safe,
)

Key = tuple[str, str]
Line = tuple[str, None]  # a row's total


class _Network:
    """Feasibility of a circulation with lower and upper bounds on its edges."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.edges: list[tuple[int, int, int, int]] = []  # from, to, low, high

    def add(self, a: int, b: int, low: int, high: int) -> None:
        self.edges.append((a, b, low, high))

    def feasible(self) -> bool:
        n = self.size + 2
        source, sink = self.size, self.size + 1
        head: list[list[int]] = [[] for _ in range(n)]
        to: list[int] = []
        cap: list[int] = []

        def arc(a: int, b: int, c: int) -> None:
            head[a].append(len(to))
            to.append(b)
            cap.append(c)
            head[b].append(len(to))
            to.append(a)
            cap.append(0)

        excess = [0] * self.size
        for a, b, low, high in self.edges:
            if low > high:
                return False
            if high > low:
                arc(a, b, high - low)
            excess[b] += low
            excess[a] -= low
        need = 0
        for v, e in enumerate(excess):
            if e > 0:
                arc(source, v, e)
                need += e
            elif e < 0:
                arc(v, sink, -e)
        flow = 0
        while flow < need:  # blocking flows in level graphs (Dinic)
            level = [-1] * n
            level[source] = 0
            queue = deque([source])
            while queue:
                v = queue.popleft()
                for i in head[v]:
                    if cap[i] > 0 and level[to[i]] < 0:
                        level[to[i]] = level[v] + 1
                        queue.append(to[i])
            if level[sink] < 0:
                break
            nxt = [0] * n  # the next arc to try from each node
            while True:  # paths of the level graph, one at a time, depth first
                path: list[int] = []
                v = source
                while v != sink:
                    arcs = head[v]
                    while nxt[v] < len(arcs):
                        i = arcs[nxt[v]]
                        if cap[i] > 0 and level[to[i]] == level[v] + 1:
                            break
                        nxt[v] += 1
                    if nxt[v] == len(arcs):  # a dead end: back one step
                        if not path:
                            break
                        level[v] = -1
                        i = path.pop()
                        v = to[i ^ 1]
                        nxt[v] += 1
                        continue
                    path.append(arcs[nxt[v]])
                    v = to[arcs[nxt[v]]]
                if v != sink:
                    break
                push = min(cap[i] for i in path)
                for i in path:
                    cap[i] -= push
                    cap[i ^ 1] += push
                flow += push
        return flow == need


def _bounds(mark: Mark, count: int, t: int, big: int) -> tuple[int, int]:
    """What a reader knows of a count published with *mark*."""
    if mark is Mark.SHOWN:
        return count, count
    if mark is Mark.SUPPRESSED:
        return 0, t - 1
    if mark is Mark.WITHHELD:
        return t, big
    return 0, big


class _Reader:
    """What every published row and total together allow a hidden cell, or a row's total,
    to be.  The cells of the *known* rows are taken to be known once anything is published
    (a site with no case, which its readers may well know): they give no cover."""

    def __init__(self, count: Mapping[Key, int], rows: Sequence[str], columns: Sequence[str],
                 t: int, totals: Mapping[str, Mark],
                 column_marks: Mapping[str, Mark] | None, total_known: bool,
                 known: frozenset[str] = frozenset()) -> None:
        self.count, self.rows, self.columns, self.t = count, rows, columns, t
        self.totals, self.column_marks = totals, column_marks
        self.total_known, self.known = total_known, known
        self.big = sum(count.values()) + t
        self.nothing = dict.fromkeys(count, Mark.HIDDEN)  # the dashboard alone

    def row_total(self, r: str) -> int:
        return sum(self.count[(r, c)] for c in self.columns)

    def allows(self, marks: Mapping[Key, Mark], key: Key | Line, value: int) -> bool:
        """Whether some table the reader cannot tell from the true one has *value* at
        *key* (a cell, or ``(row, None)``: the row's total)."""
        t, big, rows, columns = self.t, self.big, self.rows, self.columns
        start, end = len(rows) + len(columns), len(rows) + len(columns) + 1
        net = _Network(end + 1)
        total = sum(self.count.values())
        # the circulation's way back: the table's total, when the dashboard shows it
        net.add(end, start, *((total, total) if self.total_known else (0, big * 2)))
        for i, r in enumerate(rows):
            net.add(start, i, *((value, value) if key == (r, None) else _bounds(
                self.totals[r], self.row_total(r), t, big)))
            for j, c in enumerate(columns):
                n = self.count[(r, c)]
                low, high = (value, value) if (r, c) == key else (n, n) if (
                    r in self.known and marks is not self.nothing) else \
                    _bounds(marks.get((r, c), Mark.SHOWN), n, t, big)
                net.add(i, len(rows) + j, low, high)
        for j, c in enumerate(columns):
            if self.column_marks is None:
                net.add(len(rows) + j, end, 0, big)
            else:
                total = sum(self.count[(r, c)] for r in rows)
                net.add(len(rows) + j, end, *_bounds(self.column_marks[c], total, t, big))
        return net.feasible()

    def gives_away(self, marks: Mapping[Key, Mark], key: Key | Line) -> bool:
        """Whether the breakdowns tell a reader more of the cell (or the row's total) at
        *key* than its mark says and than the dashboard's figures alone already do (what
        the dashboard's figures of the rows and columns imply, no breakdown can hide)."""
        r, c = key
        n, t = (self.row_total(r) if c is None else self.count[(r, c)]), self.t
        if n == 0:  # a count known to be nought names no one
            return False
        if n < t:  # suppressed, or small in a hidden row: anything from 0 to t - 1
            ends = (0, t - 1)
            return any(not self.allows(marks, key, v) and self.allows(self.nothing, key, v)
                       for v in ends)
        if c is None and self.totals[r] is not Mark.WITHHELD:
            return False  # a total of at least t that no one withheld may be worked out
        # withheld, or large in a hidden row: never one value alone
        mark = self.totals[r] if c is None else marks.get((r, c))
        near = [v for v in (n - 1, n + 1) if v >= t or mark is not Mark.WITHHELD]
        return not any(self.allows(marks, key, v) for v in near) and any(
            self.allows(self.nothing, key, v) for v in near)


def protect_grid(grid: Mapping[str, Mapping[str, int]], rows: Sequence[str],
                 columns: Sequence[str], threshold: int, *, row_marks: Mapping[str, Mark],
                 column_marks: Mapping[str, Mark] | None,
                 total_known: bool = False,
                 row_totals: bool | Mapping[str, Mark] = True,
                 known: frozenset[str] = frozenset()) -> dict[str, Protected]:
    """The rows of the two-way table *grid* (each of *rows* broken down by *columns*) that
    may be published, each marked; *row_marks*: how each row's figure is published (only
    a shown one is broken down), *column_marks*: how each column's total is, or None when
    a person can be in several rows (the columns then have no total).  A row hidden whole
    has every cell marked hidden.  *total_known*: the dashboard shows the rows' table's
    total (the sum of every cell).  *row_totals*: how each row's total is published, as a
    mark by row; True, as *row_marks* say; False, nowhere (a person can be in several of
    the columns).  A row whose total is shown is first protected as a table of its own;
    a total that is not shown is protected like a cell.  *known*: rows whose cells a
    reader is taken to know (they cover nothing)."""
    t = threshold
    if not LOWEST_THRESHOLD <= t <= HIGHEST_THRESHOLD:
        raise ValueError(f"threshold {t} outside {LOWEST_THRESHOLD}..{HIGHEST_THRESHOLD}")
    count = {(r, c): int(grid.get(r, {}).get(c, 0)) for r in rows for c in columns}
    if any(n < 0 for n in count.values()):
        raise ValueError("a count below zero")
    totals: Mapping[str, Mark] = (row_marks if row_totals is True else
                                  dict.fromkeys(rows, Mark.HIDDEN) if row_totals is False
                                  else row_totals)
    published = [r for r in rows if row_marks[r] is Mark.SHOWN]
    marks: dict[Key, Mark] = {}
    for (r, c), n in count.items():
        if r not in published:
            marks[(r, c)] = Mark.HIDDEN
        elif n < t:
            marks[(r, c)] = Mark.SUPPRESSED
    for r in published:  # a row whose total is shown, as a table of its own
        if totals[r] is not Mark.SHOWN:
            continue
        line = [(r, c) for c in columns]
        small = [count[k] for k in line if k in marks]
        if small and not _safe(small, [], t):
            for key in line:
                if key not in marks:
                    marks[key] = Mark.WITHHELD
                    if _safe(small, [count[k] for k in line
                                     if marks.get(k) is Mark.WITHHELD], t):
                        break
            else:
                marks.update(dict.fromkeys(line, Mark.HIDDEN))
    reader = _Reader(count, rows, columns, t, totals, column_marks, total_known, known)
    lines: list[Line] = [(r, None) for r in rows if totals[r] is not Mark.SHOWN]
    everything: list[Key | Line] = [*count, *lines]
    order = {key: i for i, key in enumerate(everything)}
    # Each count is looked at in the table's order, the first that gives something away
    # first.  Withholding only ever widens what a reader can tell, so a count found safe
    # stays safe: only the counts newly withheld or hidden join those still to look at.
    pending = [order[key] for key in order if key in marks or key in lines]
    heapq.heapify(pending)
    keys = everything

    def mark(key: Key, how: Mark) -> None:
        if marks.get(key) is not how:
            marks[key] = how
            heapq.heappush(pending, order[key])

    while pending:
        exposed = keys[pending[0]]
        if not reader.gives_away(marks, exposed):
            heapq.heappop(pending)
            continue
        r, at = exposed[0], exposed[1]
        spare = [(r, other) for other in columns if (r, other) not in marks] if \
            r in published else []
        # else a cell of its column; for a row's total, of its largest columns first
        near = [at] if at is not None else sorted(columns, key=lambda x: -count[(r, x)])
        spare = spare or [(other, x) for x in near for other in published
                          if (other, x) not in marks]
        if spare:
            mark(spare[0], Mark.WITHHELD)
            continue
        # nothing left to withhold: the rows through the cell are hidden whole
        hide = [r] if r in published else [other for other in published
                                           if any(marks.get((other, x)) is not Mark.HIDDEN
                                                  for x in near)]
        if not hide or all(marks.get((h, x)) is Mark.HIDDEN for h in hide for x in columns):
            raise GridUnsafe
        for h in hide:
            for x in columns:
                mark((h, x), Mark.HIDDEN)
    return {r: Protected(tuple(Cell(c, count[(r, c)], marks.get((r, c), Mark.SHOWN))
                               for c in columns),
                         sum(count[(r, c)] for c in columns)
                         if totals[r] is Mark.SHOWN else None, False, t,
                         totals[r] is Mark.SHOWN)
            for r in published}


class GridUnsafe(Exception):
    """No marking of the table keeps every small count free."""
