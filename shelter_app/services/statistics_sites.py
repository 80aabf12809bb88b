"""One site's statistics, protected together with every other site's and all sites'.

A reader may hold the figures of all sites beside those of one site, or of every site.
Each case is handled at one site or at none, so in every table the rows of the sites and
that of the cases at no site add up to the figures of all sites, cell by cell: a small
count of one site, or of the others, could follow from a difference.  So each table is
protected as a two-way table, the sites by the table's rows (``domain/grid_suppression``),
with all sites' figures as they are published for the columns' totals and the cases at no
site a row that is never published.  Each site's figures are then what that table allows,
whichever site was asked for: the same for every reader.
"""

from __future__ import annotations

from dataclasses import replace

from shelter_app.domain.grid_suppression import GridUnsafe, protect_grid
from shelter_app.domain.statistics import Statistics
from shelter_app.domain.suppression import Cell, Mark, Protected

NO_SITE = ""  # the row of the cases handled at no site: never published


def across_sites(everyone: Statistics, sites: dict[str, Statistics], asked: str
                 ) -> Statistics:
    """The statistics of site *asked*, each of its counts protected with those of every
    site in *sites* (each counted alone, with the rows of *everyone*'s tables) and those of
    *everyone*, the statistics of all sites."""
    own = sites[asked]
    tables = tuple(replace(table, counts=_protected(
        table.counts, {site: stats.table(table.key).counts for site, stats in sites.items()},
        asked)) for table in everyone.tables)
    return replace(
        own, tables=tuple(replace(mine, counts=theirs.counts) for mine, theirs in
                          zip(own.tables, tables, strict=True)),
        counted=_protected(everyone.counted, {s: x.counted for s, x in sites.items()}, asked),
        left_out=_protected(everyone.left_out, {s: x.left_out for s, x in sites.items()},
                            asked))


def _hidden(table: Protected) -> Protected:
    return replace(table, cells=tuple(Cell(c.key, c.count, Mark.HIDDEN) for c in table.cells))


def _protected(everyone: Protected, sites: dict[str, Protected], asked: str) -> Protected:
    """Site *asked*'s table, protected as a row of the table of *sites* by *everyone*'s
    columns."""
    own = sites[asked]
    columns = [cell.key for cell in everyone.cells]
    grid = {site: {cell.key: cell.count for cell in table.cells}
            for site, table in sites.items()}
    rest = {c.key: c.count - sum(grid[site].get(c.key, 0) for site in sites)
            for c in everyone.cells}
    if any(n < 0 for n in rest.values()) or [c.key for c in own.cells] != columns:
        return _hidden(own)  # the counts disagree: nothing of this table is published
    grid[NO_SITE] = rest

    def row_mark(table: Protected) -> Mark:
        if not table.additive:
            return Mark.SHOWN  # no total: a row of its own, cell by cell
        if table.total is None:
            return Mark.SUPPRESSED if table.total_suppressed else Mark.HIDDEN
        return Mark.SHOWN

    marks = {site: row_mark(table) for site, table in sites.items()}
    marks[NO_SITE] = Mark.HIDDEN
    try:
        made = protect_grid(grid, [*sites, NO_SITE], columns, everyone.threshold,
                            row_marks=marks,
                            column_marks={c.key: c.mark for c in everyone.cells},
                            total_known=everyone.additive and everyone.total is not None,
                            row_totals=everyone.additive)
    except GridUnsafe:
        return _hidden(own)
    if asked not in made:
        return own if marks[asked] is not Mark.SHOWN else _hidden(own)
    return replace(own, cells=made[asked].cells)
