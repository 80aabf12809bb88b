"""shelter-admin commands for case data: demo, export, import, partners, tasks, matters,
evidence."""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

from shelter_app.demo_vault import DEMO_ACCOUNTS, create_demo_vault
from shelter_app.domain.accounts import validate_passphrase
from shelter_app.errors import ShelterError, VaultExists
from shelter_app.i18n import _
from shelter_app.services.registry import Services
from shelter_app.vault.crypto import KdfPolicy
from shelter_app.vault.vault import Vault

from .prompts import PassphraseReader

DEMO_ROLES = tuple(name for name, _role in DEMO_ACCOUNTS)
_WORDS = ("amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris",
          "juniper", "kelp", "lumen", "maple", "nectar", "orbit", "pebble", "quartz", "river",
          "sage", "tundra", "umber", "violet", "willow", "yarrow", "zephyr")


def generated_passphrase() -> str:
    return "-".join(secrets.choice(_WORDS) for _i in range(5)) + f"-{secrets.randbelow(100):02d}"


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    demo = sub.add_parser("demo", help=_("create a new vault filled with fictional cases"))
    demo.add_argument("--survivors", type=int, default=50, metavar="N")
    export = sub.add_parser("export", help=_("export data you may see"))
    export.add_argument("what", choices=["cases", "htcds", "ctdc"], help=_(
        "cases: every field of the cases you may see; htcds: the cases shared with a partner, "
        "as HTCDS 2.0 columns with a data dictionary; ctdc: an anonymised, k-anonymous table "
        "of the survivors who agreed to be counted (coordinators)"))
    export.add_argument("--out", required=True, type=Path, metavar="FILE.csv")
    export.add_argument("--partner", metavar="ID", help=_(
        "htcds: the partner it is for (shelter-admin partners lists them); only cases with "
        "consent to share identity and situation with it are written"))
    export.add_argument("--identifying", action="store_true", help=_(
        "htcds: include the date of birth"))
    export.add_argument("--k", type=int, metavar="N", help=_(
        "ctdc: every combination of values is shared by at least N survivors (default: the "
        "organisation's smallest count shown, 11 unless changed; never below it)"))
    imp = sub.add_parser("import", help=_("import cases from CSV or XLSX"))
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true",
                     help=_("check every row and report; save nothing"))
    imp.add_argument("--skip-invalid", action="store_true",
                     help=_("import the valid rows even if some rows are rejected"))
    imp.add_argument("--encoding", metavar="NAME",
                     help=_("text encoding of a CSV that is not UTF-8 (e.g. cp1252)"))
    imp.add_argument("--mapping", type=Path, metavar="FILE.json",
                     help=_("column and value mapping for other spreadsheets"))
    imp.add_argument("--site", metavar="NAME", help=_(
        "the site at which the imported cases are handled (see: sites list)"))
    sub.add_parser("partners", help=_("list partner organisations (id, name)"))
    tasks = sub.add_parser("tasks", help=_(
        "list open tasks by case code: yours, another person's or everyone's"))
    who = tasks.add_mutually_exclusive_group()
    who.add_argument("--user", metavar="NAME", help=_("the person whose tasks to list "
                                                      "(default: the acting account)"))
    who.add_argument("--all", action="store_true",
                     help=_("every open task in the cases you may work on"))
    tasks.add_argument("--overdue", action="store_true", help=_("only tasks past their due date"))
    tasks.add_argument("--show-text", action="store_true",
                       help=_("add what each task says (survivor content: not for logs)"))
    matters = sub.add_parser("matters", help=_(
        "list a case's legal matters: id, type, jurisdiction, status, open deadlines, "
        "template"))
    matters.add_argument("--case", required=True, metavar="CODE")
    evidence = sub.add_parser("evidence", help=_(
        "list a legal matter's evidence checklist: id, required or optional, state, documents "
        "linked or missing, label"))
    evidence.add_argument("--matter", required=True, metavar="ID")
    evidence.add_argument("--documents", action="store_true", help=_(
        "also the ids of the documents linked to each item (before the label)"))
    measures = sub.add_parser("measures", help=_(
        "list the measures taken against the survivor of a case (non-punishment): id, measure, "
        "status, date to act by"))
    measures.add_argument("--case", required=True, metavar="CODE")
    measures.add_argument("--show-text", action="store_true",
                          help=_("add the offence (survivor content: not for logs)"))


def run_demo(folder: Path, survivors: int, reader: PassphraseReader, kdf: KdfPolicy) -> int:
    if survivors < 0 or survivors > 1_000_000:
        raise ShelterError(_("--survivors must be between 0 and 1,000,000."))
    if Vault.exists(folder):
        raise VaultExists(_("A vault already exists at {folder}. The demo makes a new vault; "
                            "choose an empty folder with --vault.").format(folder=folder))
    if reader.from_stdin:
        shared = validate_passphrase(reader.current(_("passphrase for the demo accounts")))
        passphrases = dict.fromkeys(DEMO_ROLES, shared)
    else:
        passphrases = {role: generated_passphrase() for role in DEMO_ROLES}

    def progress(done: int, total: int) -> None:
        print(_("  {done} of {total} cases").format(done=done, total=total), file=sys.stderr)

    made = create_demo_vault(folder, passphrases, kdf=kdf, survivors=survivors,
                             cases_progress=progress if survivors >= 5000 else None)
    counts, recovery_key = made.counts, made.recovery_key
    print(_("Demo vault created in {folder} with fictional records:").format(folder=folder))
    print("  " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(_("Accounts (user name: passphrase):"))
    for role in DEMO_ROLES:
        shown = passphrases[role] if not reader.from_stdin else _("(the one you gave)")
        print(f"  {role}: {shown}")
    print(_("Recovery key: {key}").format(key=recovery_key))
    return 0


def list_tasks(args: argparse.Namespace, services: Services) -> int:
    """One line per open task: case code, due date (or -), the person (or -), "overdue"
    when it is, the task id; its text only with --show-text."""
    import datetime as dt

    person = services.tasks.person_id(args.user) if args.user else None
    today = dt.date.today()
    for task in services.tasks.open_for(person, everyone=args.all):
        if args.overdue and not task.overdue(today):
            continue
        fields = [task.case_code, task.due_on.isoformat() if task.due_on else "-",
                  task.assignee_name or "-", "overdue" if task.overdue(today) else "", task.id]
        if args.show_text:
            fields.append(task.what)
        print("\t".join(fields))
    return 0


def list_matters(case_code: str, services: Services) -> int:
    """One line per matter, oldest first: its id, type and status (as codes, for scripts),
    jurisdiction (or -), its open deadlines as kind=date, soonest first (or -), and the
    template it is prepared with (or -)."""
    legal = services.legal
    for matter in legal.list(services.cases.id_for_code(case_code)):
        due = ",".join(f"{d.kind}={d.due_on.isoformat()}" for d in legal.open_deadlines(matter.id))
        print("\t".join([matter.id, matter.matter_type, matter.jurisdiction or "-",
                         matter.status, due or "-", matter.template_id or "-"]))
    return 0


def list_evidence(matter_id: str, services: Services, documents: bool = False) -> int:
    """One line per checklist item: its id, "required" or "optional", its state (needed,
    requested, obtained, not_applicable), "missing" when pre-flight counts it missing or
    else how many documents are linked, with *documents* their ids (comma-separated, or -),
    and its label."""
    for item in services.legal.evidence(matter_id.strip()):
        linked = [",".join(item.attachment_ids) or "-"] if documents else []
        print("\t".join([item.id, "required" if item.required else "optional", item.state,
                         "missing" if item.missing else str(len(item.attachment_ids)),
                         *linked, item.label]))
    return 0


def list_measures(args: argparse.Namespace, services: Services) -> int:
    """One line per measure against her, oldest first: its id, measure and status (as codes,
    for scripts), the date to act by (or -), and with --show-text the offence."""
    for r in services.non_punishment.list(services.cases.id_for_code(args.case)):
        fields = [r.id, r.measure, r.status, r.act_by.isoformat() if r.act_by else "-"]
        print("\t".join([*fields, r.offence] if args.show_text else fields))
    return 0


def _statistical_export(args: argparse.Namespace, services: Services) -> int:
    from shelter_app.i18n.formatting import fill

    out: Path = args.out
    if args.what == "htcds":
        from shelter_app.services.htcds_export import HtcdsExporter

        if not args.partner:
            raise ShelterError(_("export htcds needs --partner ID: the partner it is for."))
        done = HtcdsExporter(services.ctx, services.consent).write(
            out, args.partner.strip(), identifying=args.identifying)
        print(fill(_("Wrote {n} cases to {path} and the data dictionary beside it; {m} "
                     "cases were left out: no active consent covers this partner for "
                     "identity and situation."), n=done.written, path=out,
                   m=done.without_consent))
        return 0
    from shelter_app.services.anonymised_export import AnonymisedExport, report_text

    least = services.statistics.threshold()
    k = least if args.k is None else args.k
    if not least <= k <= 100:
        raise ShelterError(fill(_("--k must be between {low} and 100: the organisation "
                                  "shows no count smaller than {low}."), low=least))
    made = AnonymisedExport(services.ctx).write(out, k)
    print(fill(_("Wrote {n} rows to {path}, and what was suppressed to {report}."),
               n=made.report.rows_out, path=out, report=out.stem + "-report.txt"))
    for line in report_text(made)[:3]:
        print(line)
    return 0


def run(command: str, args: argparse.Namespace, services: Services) -> int:
    if command == "partners":
        for partner in services.partners.list(include_inactive=True):
            state = "" if partner.active else "\t" + _("inactive")
            print(f"{partner.id}\t{partner.name}{state}")
        return 0
    if command == "tasks":
        return list_tasks(args, services)
    if command == "matters":
        return list_matters(args.case, services)
    if command == "evidence":
        return list_evidence(args.matter, services, args.documents)
    if command == "measures":
        return list_measures(args, services)
    if command == "export" and args.what != "cases":
        return _statistical_export(args, services)
    if command == "export":
        out: Path = args.out
        count = services.exchange.export_cases(out)
        print(_("Exported {n} cases to {path}.").format(n=count, path=out))
        return 0
    if command == "import":
        from shelter_app.services.exchange import describe

        site = services.sites.find(args.site).id if args.site else None
        report = services.exchange.import_file(args.file, dry_run=args.dry_run,
                                               skip_invalid=args.skip_invalid,
                                               encoding=args.encoding, mapping_path=args.mapping,
                                               site_id=site)
        lines = describe(report)
        for line in lines[:-1]:
            print(line)
        if report.problems and not report.imported:
            raise ShelterError(lines[-1])
        print(lines[-1])
        return 0
    raise AssertionError(command)
