"""How published statistics read: a count, "< 11", "withheld" or "hidden", and the method
note printed with every output (dashboard, monitoring report, command line, exports)."""

from __future__ import annotations

from shelter_app.domain.suppression import Cell, Mark, Protected
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill, format_date, format_number
from shelter_app.services.statistics import Statistics


def below(threshold: int) -> str:
    """How a count under the threshold is published."""
    return fill(_("< {n}"), n=format_number(threshold))


def cell_text(cell: Cell, threshold: int) -> str:
    if cell.mark is Mark.SHOWN:
        return format_number(cell.count)
    if cell.mark is Mark.SUPPRESSED:
        return below(threshold)
    if cell.mark is Mark.WITHHELD:
        return _("withheld")
    return _("hidden")


def total_text(table: Protected) -> str:
    """A table's total as published: the number, "< 11" for a small population, or empty
    for a table whose cells do not add up to one."""
    if table.total is not None:
        return format_number(table.total)
    return below(table.threshold) if table.total_suppressed else ""


def counted_text(stats: Statistics) -> str:
    """How many were counted and how many left out, and why."""
    t = stats.threshold
    return fill(_(
        "Counted: {counted} cases open on at least one day from {start} to {end}, whose "
        "survivor agreed to be counted in anonymised statistics. Left out: {no} whose "
        "survivor said no, and {not_asked} not asked yet."),
        counted=cell_text(stats.counted.cell("counted"), t),
        start=format_date(stats.start), end=format_date(stats.end),
        no=cell_text(stats.left_out.cell("no"), t),
        not_asked=cell_text(stats.left_out.cell("not_asked"), t))


def method_text(stats: Statistics) -> list[str]:
    """The method, in the order printed: what is counted, the threshold, the suppression."""
    t = format_number(stats.threshold)
    return [
        _("Only cases whose survivor agreed to be counted are counted. Nothing here lists "
          "or names anyone."),
        fill(_("Counts below {t} are shown as \u201c< {t}\u201d. Where a table's total would let "
               "such a count be worked out, other counts are withheld too (complementary "
               "suppression); a table that nothing else protects shows its total alone. "
               "Countries counted fewer than {t} times are counted together as \u201cother "
               "countries\u201d."), t=t),
        _("A survivor can be counted under several exploitation types, means of control, "
          "citizenships, countries, services and providers: those tables have no total."),
    ]
