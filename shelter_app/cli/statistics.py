"""shelter-admin stats: the anonymised statistics of a period, as the dashboard shows them."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from shelter_app.domain import validate as v
from shelter_app.exchange import tables
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
        "last day, YYYY-MM-DD (default: the last day of last month; today when --from is "
        "given)"))
    stats.add_argument("--site", metavar="NAME", help=_(
        "count the cases of one site only (default: every site; see: sites list)"))
    sites = sub.add_parser("sites", help=_(
        "list the organisation's sites, or add, rename, retire or restore one "
        "(administrators)"))
    sites.add_argument("site_command", nargs="?", default="list",
                       choices=["list", "add", "rename", "retire", "restore"])
    sites.add_argument("name", nargs="?", metavar="NAME", help=_("the site's name"))
    sites.add_argument("new_name", nargs="?", metavar="NEW_NAME",
                       help=_("rename: the site's new name"))


def add_report_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    report = sub.add_parser("report", help=_(
        "make the monitoring report of a period as a PDF (coordinators)"))
    report.add_argument("kind", choices=["monitoring"])
    report.add_argument("--from", dest="start", metavar="DATE", help=_(
        "first day, YYYY-MM-DD (default: a year before --to)"))
    report.add_argument("--to", dest="end", metavar="DATE", help=_(
        "last day, YYYY-MM-DD (default: the last day of last month; today when --from is "
        "given)"))
    report.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    report.add_argument("--language", metavar="CODE", help=_(
        "the report's language (default: the organisation's document language)"))
    report.add_argument("--recipient", metavar="TEXT", default="", help=_(
        "who it is for, printed on every page"))
    report.add_argument("--encrypt", action="store_true",
                        help=_("encrypt with AES-256; the passphrase is printed once"))
    report.add_argument("--site", metavar="NAME", help=_(
        "report on the cases of one site only (default: every site)"))


def run_report(args: argparse.Namespace, services: Services) -> int:
    from shelter_app.documents.encryption import new_passphrase
    from shelter_app.vault.fileio import write_new_file

    start, end = period(args)
    out: Path = args.out
    tables.require_new(out)
    passphrase = new_passphrase() if args.encrypt else None
    made = services.statistics.monitoring_report(start, end, language=args.language,
                                                 recipient=args.recipient,
                                                 passphrase=passphrase, site=site_of(args,
                                                                                     services))
    write_new_file(out, made.pdf)
    print(fill(_("Saved the monitoring report from {start} to {end} to {path}."),
               start=format_date(start), end=format_date(end), path=out))
    if passphrase:
        print(fill(_("It opens with this passphrase, shown only now: {passphrase}"),
                   passphrase=passphrase))
    return 0


def site_of(args: argparse.Namespace, services: Services) -> str | None:
    """The id of the site named by --site, or None for every site."""
    return services.sites.find(args.site).id if args.site else None


def run_sites(args: argparse.Namespace, services: Services) -> int:
    from shelter_app.cli.main import UsageError

    command = args.site_command
    if command == "list":
        found = services.sites.all()
        if not found:
            print(_("The organisation has no sites yet. An administrator adds one with: "
                    "shelter-admin sites add NAME"))
        for site in found:
            state = _("retired") if site.retired else _("in use")
            print(site.name + "\t" + state)
        return 0
    if not args.name:
        raise UsageError(fill(_("sites {action} needs the site's name"), action=command))
    if command == "add":
        site = services.sites.add(args.name)
        print(fill(_("Added the site \u201c{name}\u201d."), name=site.name))
        return 0
    site = services.sites.find(args.name)
    if command == "rename":
        if not args.new_name:
            raise UsageError(_("sites rename needs the site's name and its new name"))
        renamed = services.sites.rename(site.id, args.new_name)
        print(fill(_("Renamed the site \u201c{old}\u201d to \u201c{name}\u201d."),
                   old=site.name, name=renamed.name))
        return 0
    services.sites.retire(site.id, retired=command == "retire")
    print(fill(_("Retired the site \u201c{name}\u201d: no new case is recorded there.")
               if command == "retire" else
               _("The site \u201c{name}\u201d is in use again."), name=site.name))
    return 0


def period(args: argparse.Namespace) -> tuple[dt.date, dt.date]:
    """The period asked for: by default the twelve whole months before this one, as on
    the dashboard; --from a year before --to when only --to is given."""
    start = v.date(args.start, "from")
    today = dt.date.today()
    end = v.date(args.end, "to") or (
        today if start is not None else today.replace(day=1) - dt.timedelta(days=1))
    if start is None:
        after = end + dt.timedelta(days=1)
        start = (after.replace(year=after.year - 1) if (after.month, after.day) != (2, 29)
                 else after.replace(year=after.year - 1, day=28))
    return start, end


def run(args: argparse.Namespace, services: Services) -> int:
    from shelter_app.domain.statistics import (
        cell_text,
        counted_text,
        method_text,
        total_text,
    )

    start, end = period(args)
    stats = services.statistics.produce(start, end, purpose="table",
                                        site=site_of(args, services))
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
    print()
    for line in method_text(stats):
        print(line)
    return 0
