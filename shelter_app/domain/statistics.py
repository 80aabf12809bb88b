"""Published statistics: the tables as they may be shown, and how they read — a count,
"< 11", "withheld" or "hidden" — with the method note printed with every output
(dashboard, monitoring report, command line).  Each text takes the *language* to write
in (the interface's by default).  Made by ``services/statistics.py``; nothing here holds
a person's data, only protected counts and their labels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shelter_app.domain.suppression import Cell, Mark, Protected
from shelter_app.i18n import translator
from shelter_app.i18n.formatting import fill, format_date, format_number


@dataclass(frozen=True)
class StatTable:
    """One published table: its rows' codes and labels, and the protected counts."""

    key: str
    title: str
    unit: str
    labels: tuple[tuple[str, str], ...]
    counts: Protected

    def rows(self) -> list[tuple[str, Cell]]:
        """(label, cell) in the table's order."""
        return [(label, self.counts.cell(code)) for code, label in self.labels]


@dataclass(frozen=True)
class Statistics:
    start: dt.date
    end: dt.date
    threshold: int
    counted: Protected  # one cell, "counted"
    left_out: Protected  # "no" and "not_asked"
    tables: tuple[StatTable, ...]
    answer_days: float | None  # median days partners took to answer, when enough answered
    site: str = ""  # the name of the one site counted; empty: every site

    @property
    def counted_cases(self) -> int | None:
        return self.counted.cell("counted").shown

    def table(self, key: str) -> StatTable:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

def below(threshold: int, language: str | None = None) -> str:
    """How a count under the threshold is published."""
    _ = translator(language)
    return fill(_("< {n}"), n=format_number(threshold, language=language))


def cell_text(cell: Cell, threshold: int, language: str | None = None) -> str:
    _ = translator(language)
    if cell.mark is Mark.SHOWN:
        return format_number(cell.count, language=language)
    if cell.mark is Mark.SUPPRESSED:
        return below(threshold, language)
    if cell.mark is Mark.WITHHELD:
        return _("withheld")
    return _("hidden")


def total_text(table: Protected, language: str | None = None) -> str:
    """A table's total as published: the number, "< 11" for a small population, or empty
    for a table whose cells do not add up to one."""
    if table.total is not None:
        return format_number(table.total, language=language)
    return below(table.threshold, language) if table.total_suppressed else ""


Sentence = tuple[str, dict[str, str]]  # a translated template and its values


def counted_parts(stats: Statistics, language: str | None = None) -> Sentence:
    """How many were counted and how many left out, and why (a template and its values:
    a document sets each value as it sets values)."""
    _ = translator(language)
    t = stats.threshold
    template = _(
        "Counted: {counted} cases open on at least one day from {start} to {end}, whose "
        "survivor agreed to be counted in anonymised statistics. Left out: {no} whose "
        "survivor said no, and {not_asked} not asked yet.") if not stats.site else _(
        "Counted: {counted} cases handled at {site} and open on at least one day from "
        "{start} to {end}, whose survivor agreed to be counted in anonymised statistics. "
        "Left out: {no} whose survivor said no, and {not_asked} not asked yet.")
    return template, {
        **({"site": stats.site} if stats.site else {}),
        "counted": cell_text(stats.counted.cell("counted"), t, language),
        "start": format_date(stats.start, language=language),
        "end": format_date(stats.end, language=language),
        "no": cell_text(stats.left_out.cell("no"), t, language),
        "not_asked": cell_text(stats.left_out.cell("not_asked"), t, language)}


def counted_text(stats: Statistics, language: str | None = None) -> str:
    template, values = counted_parts(stats, language)
    return fill(template, **values)


def method_parts(stats: Statistics, language: str | None = None) -> list[Sentence]:
    """The method, in the order printed: what is counted, the threshold, the suppression."""
    _ = translator(language)
    t = format_number(stats.threshold, language=language)
    lines: list[Sentence] = [
        (_("Only cases whose survivor agreed to be counted are counted. Nothing here lists "
           "or names anyone."), {}),
        (_("Counts below {t} are shown as \u201c< {t}\u201d. Where a table's total would "
           "let such a count be worked out, other counts are withheld too (complementary "
           "suppression); a table that nothing else protects shows its total alone. "
           "Countries counted fewer than {t} times are counted together as \u201cother "
           "countries\u201d."), {"t": t}),
        (_("A survivor can be counted under several exploitation types, means of control, "
           "services and providers: those tables have no total. Citizenship and country of "
           "exploitation count the first recorded."), {}),
        (_("Referrals, appointments, legal matters, proceedings and deadlines are counted as "
           "records, one survivor's often several; legal matters, proceedings and deadlines "
           "as they stand today."), {}),
    ]
    if stats.site:
        lines.append((_("These are the figures of one site, protected together with those of "
                        "every other site and of all sites, so that no small count follows "
                        "from their differences; they are not broken down."), {}))
    if stats.answer_days is not None:
        lines.append((_("Partners answered referrals in {days} days (median)."),
                      {"days": format_number(round(stats.answer_days, 1), language=language)}))
    return lines


def method_text(stats: Statistics, language: str | None = None) -> list[str]:
    return [fill(template, **values) for template, values in method_parts(stats, language)]
