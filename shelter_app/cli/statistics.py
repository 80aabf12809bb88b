"""shelter-admin stats: the anonymised statistics of a period, as the dashboard shows them."""

from __future__ import annotations

import argparse
import datetime as dt

from shelter_app.domain import validate as v
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill, format_date, format_number
from shelter_app.services.registry import Services


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    stats = sub.add_parser("stats", help=_(
        "print the anonymised statistics of a period (coordinators): small counts are "
        "suppressed"))
    stats.add_argument("--from", dest="start", metavar="DATE", help=_(
        "first day, YYYY-MM-DD (default: a year before --to)"))
    stats.add_argument("--to", dest="end", metavar="DATE", help=_(
        "last day, YYYY-MM-DD (default: today)"))


def period(args: argparse.Namespace) -> tuple[dt.date, dt.date]:
    end = v.date(args.end, "to") or dt.date.today()
    start = v.date(args.start, "from") or end.replace(year=end.year - 1) + dt.timedelta(days=1)
    return start, end


def run(args: argparse.Namespace, services: Services) -> int:
    from shelter_app.services.statistics_text import (
        cell_text,
        counted_text,
        method_text,
        total_text,
    )

    start, end = period(args)
    stats = services.statistics.produce(start, end, purpose="table")
    t = stats.threshold
    print(fill(_("Statistics from {start} to {end}; smallest count shown: {t}"),
               start=format_date(start), end=format_date(end), t=format_number(t)))
    print(counted_text(stats))
    for table in stats.tables:
        print()
        print(f"{table.title} ({table.unit})")
        for label, cell in table.rows():
            print(f"  {label}\t{cell_text(cell, t)}")
        total = total_text(table.counts)
        if total:
            print(f"  {_('Total')}\t{total}")
    if stats.answer_days is not None:
        print()
        print(fill(_("Partners answered referrals in {days} days (median)."),
                   days=format_number(round(stats.answer_days, 1))))
    print()
    for line in method_text(stats):
        print(line)
    return 0
