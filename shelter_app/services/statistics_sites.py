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
from shelter_app.services.case_facts import PEOPLE_KEYS

NO_SITE = ""  # the row of the cases handled at no site: never published


def across_sites(everyone: Statistics, sites: dict[str, Statistics], asked: str
                 ) -> Statistics:
    """The statistics of site *asked*, each of its counts protected with those of every
    site in *sites* (each counted alone, with the rows of *everyone*'s tables) and those of
    *everyone*, the statistics of all sites.

    The sites' numbers of counted cases are protected first: they are the totals of every
    survivor table, so each of those is protected knowing how that number is published
    (and a site's total that is withheld cannot be added up from its cells either).  The
    totals of the tables of records are published nowhere but in their cells.  A site with
    no case in the period gives no cover: its readers may know that it is empty."""
    empty = frozenset(site for site, stats in sites.items()
                      if not stats.counted.cells[0].count
                      and not any(c.count for c in stats.left_out.cells))
    counted = _grid(everyone.counted, {s: x.counted for s, x in sites.items()}, empty)
    totals = {site: made.cells[0].mark if made is not None else Mark.HIDDEN
              for site, made in counted.items()}

    def table(key: str) -> Protected:
        mine = {site: stats.table(key).counts for site, stats in sites.items()}
        whole = everyone.table(key).counts
        if not whole.additive:
            return _of(mine[asked], _grid(whole, mine, empty)[asked])
        # a survivor table's total is the number of counted cases; a table of records'
        # is published nowhere but in its cells
        return _of(mine[asked], _grid(whole, mine, empty, totals=totals if key in PEOPLE_KEYS
                                      else dict.fromkeys(sites, Mark.HIDDEN))[asked])

    own = sites[asked]
    return replace(
        own, tables=tuple(replace(mine, counts=table(mine.key)) for mine in own.tables),
        counted=_of(own.counted, counted[asked]),
        left_out=_of(own.left_out, _grid(everyone.left_out,
                                         {s: x.left_out for s, x in sites.items()},
                                         empty)[asked]))


def _hidden(table: Protected) -> Protected:
    return replace(table, cells=tuple(Cell(c.key, c.count, Mark.HIDDEN) for c in table.cells),
                   total=None)


def _of(own: Protected, made: Protected | None) -> Protected:
    """A site's table as its row of the protected grid says (None: not published, hidden
    whole already); its total shown when the grid shows it, or when every cell is shown
    (it adds up to it)."""
    if made is None:
        return own
    total = made.total
    if total is None and own.additive and all(c.mark is Mark.SHOWN for c in made.cells):
        total = sum(c.count for c in made.cells)
    return replace(own, cells=made.cells, total=total if own.additive else None)


def _grid(everyone: Protected, sites: dict[str, Protected], empty: frozenset[str], *,
          totals: dict[str, Mark] | None = None) -> dict[str, Protected | None]:
    """Every site's table, protected as a row of the table of *sites* by *everyone*'s
    columns (None for a site whose row is not published: hidden whole already); *totals*:
    how each site's total is published (None: nowhere)."""
    columns = [cell.key for cell in everyone.cells]
    grid = {site: {cell.key: cell.count for cell in table.cells}
            for site, table in sites.items()}
    rest = {c.key: c.count - sum(grid[site].get(c.key, 0) for site in sites)
            for c in everyone.cells}
    if any(n < 0 for n in rest.values()) or any(
            [c.key for c in table.cells] != columns for table in sites.values()):
        # the counts disagree: nothing of this table is published
        return {site: _hidden(table) for site, table in sites.items()}
    grid[NO_SITE] = rest

    def row_mark(table: Protected) -> Mark:
        if not table.additive:
            return Mark.SHOWN  # no total: a row of its own, cell by cell
        if table.total is None:
            return Mark.SUPPRESSED if table.total_suppressed else Mark.HIDDEN
        return Mark.SHOWN

    marks = {site: row_mark(table) for site, table in sites.items()}
    marks[NO_SITE] = Mark.HIDDEN
    row_totals: bool | dict[str, Mark] = False if totals is None else {
        **{site: (totals[site] if marks[site] is Mark.SHOWN else marks[site])
           for site in sites}, NO_SITE: Mark.HIDDEN}
    try:
        made = protect_grid(grid, [*sites, NO_SITE], columns, everyone.threshold,
                            row_marks=marks,
                            column_marks={c.key: c.mark for c in everyone.cells},
                            total_known=everyone.additive and everyone.total is not None,
                            row_totals=row_totals, known=empty)
    except GridUnsafe:
        return {site: _hidden(table) for site, table in sites.items()}
    return {site: made.get(site) for site in sites}
