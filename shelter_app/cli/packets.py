"""shelter-admin commands for documents: packet referral, packet residence, packet
non-punishment, packet own-copy, templates.

The same service call as the desktop application, so the same rules and refusals: the
permission on the case, the consent for the recipient and every section, the pre-flight check
of a residence packet.  A refusal is one line on standard error and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from shelter_app.errors import ShelterError, ValidationError
from shelter_app.i18n import N_, _
from shelter_app.services.document_files import editable_path, working_path
from shelter_app.services.documents import PreflightFailed, Produced
from shelter_app.services.registry import Services
from shelter_app.services.residence_data import describe

# The core words a missing recipient for anyone; the command line adds how to name one here.
TO_HINT = N_("Name the recipient with --to PARTNER (see: shelter-admin partners).")
MATTER_HINT = N_("Name the legal matter with --matter ID; those that fit the template:")


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    packet = sub.add_parser("packet", help=_(
        "produce a referral or residence-status packet, or a non-punishment letter"))
    kinds = packet.add_subparsers(dest="packet_kind", metavar="KIND",
                                  parser_class=type(packet))
    referral = kinds.add_parser("referral", help=_("a referral packet for a partner"))
    referral.add_argument("--to", required=True, metavar="PARTNER",
                          help=_("partner id or name (see: shelter-admin partners)"))
    referral.add_argument("--sections", metavar="LIST",
                          help=_("comma-separated sections (default: all the consent covers)"))
    referral.add_argument("--own-copy", action="store_true",
                          help=_("also the person's own copy, in her language, when she wants "
                                 "one: a separate file beside it, FILE-own-copy.pdf"))
    residence = kinds.add_parser("residence", help=_("a residence-status application packet"))
    residence.add_argument("--template", required=True, metavar="NAME",
                           help=_("template id (see: shelter-admin templates)"))
    residence.add_argument("--matter", metavar="ID",
                           help=_("the legal matter to build it from (see: shelter-admin matters "
                                  "--case CODE; default: the only one that fits the template's "
                                  "type and jurisdiction, refused when several do)"))
    residence.add_argument("--to", metavar="PARTNER",
                           help=_("recipient in the partner directory (default: the partner "
                                  "named like the template's authority)"))
    residence.add_argument("--translated", action="append", default=[],
                           metavar="ITEM:LANG[:ATTACHMENT]",
                           help=_("an evidence item's documents translated from a language, "
                                  "and the attachment holding the translation (ids from "
                                  "'evidence --matter ID --documents'; repeat)"))
    residence.add_argument("--bates-prefix", metavar="TEXT")
    residence.add_argument("--draft", action="store_true",
                           help=_("produce even with items missing, marked DRAFT"))
    residence.add_argument("--docx", action="store_true",
                           help=_("also the cover letter and the statement draft as editable "
                                  "Word files, FILE-letter.docx and FILE-statement.docx (not "
                                  "with --encrypt)"))
    residence.add_argument("--preflight", action="store_true",
                           help=_("list what is missing and stop"))
    letter = kinds.add_parser("non-punishment", help=_(
        "a non-punishment letter about a measure taken against the survivor"))
    letter.add_argument("--record", required=True, metavar="ID",
                        help=_("the measure (see: shelter-admin measures --case CODE)"))
    letter.add_argument("--to", required=True, metavar="PARTNER",
                        help=_("partner id or name (see: shelter-admin partners)"))
    own = kinds.add_parser("own-copy", help=_(
        "the survivor's own copy of everything held about her, in her language, with what was "
        "shared with whom under which consent (her caseworker or a coordinator); encrypted "
        "unless --plain"))
    own.add_argument("--plain", action="store_true", help=_(
        "not encrypted (when she will read it on paper at once)"))
    for kind in (referral, residence, letter, own):
        kind.add_argument("--case", required=True, metavar="CODE")
        kind.add_argument("--out", type=Path, metavar="FILE.pdf",
                          required=kind is not residence,
                          help=_("where to save it (a residence packet's working papers go "
                                 "beside it, as FILE-working.pdf)")
                          if kind is residence else None)
        kind.add_argument("--language", metavar="CODE",
                          help=_("document language (en, es, fr, ar, ru, uk, ro, vi)"))
        kind.add_argument("--encrypt", action="store_true",
                          help=_("encrypt with AES-256; the passphrase is printed once")
                          if kind is not own else _("encrypt with AES-256 (the default); "
                                                    "the passphrase is printed once"))
        if kind not in (letter, own):
            kind.add_argument("--pdfa", action="store_true",
                              help=_("an archival copy: PDF/A-2b files (not with --encrypt)"))
        kind.add_argument("--watermark", metavar="TEXT")
    sub.add_parser("templates", help=_("list residence-status templates"))


def _sections(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [s.strip() for s in value.split(",") if s.strip()]


def _translations(values: list[str]) -> dict[str, str]:
    out = {}
    for value in values:
        item, sep, rest = value.partition(":")
        if not sep or not item.strip() or not rest.strip():
            raise ValidationError(_("Write a translated document as ITEM:LANGUAGE or "
                                    "ITEM:LANGUAGE:ATTACHMENT (the evidence item's id from "
                                    "'evidence --matter ID', e.g. 5f0c…:es)."), "translated")
        out[item.strip()] = rest.strip()
    return out


def _hints(services: Services, case_id: str, template_id: str, missing: Sequence[str],
           file: TextIO | None = None) -> None:
    """How to name what the missing items ask for on the command line."""
    fields = {getattr(item, "field", "") for item in missing}
    if "recipient" in fields:
        print(_(TO_HINT), file=file)
    if "matter" in fields:
        print(_(MATTER_HINT), file=file)
        for matter in services.documents.residence_matters(case_id, template_id):
            print(f"    {matter.id}  {describe(matter)}", file=file)


def _report(services: Services, produced: Produced, out: Path) -> None:
    saved = services.documents.save(produced, out)
    print(_("Saved {path}: {pages} pages, packet {packet}.").format(
        path=saved, pages=produced.pages, packet=produced.packet_id))
    if produced.working is not None and produced.kind == "referral":
        print(_("The person's own copy: {path}, {pages} pages.").format(
            path=working_path(saved, produced.kind), pages=produced.working_pages))
    elif produced.working is not None:
        print(_("Working papers, not for filing: {path}, {pages} pages.").format(
            path=working_path(saved), pages=produced.working_pages))
    for name, _data in produced.editable:
        print(_("Editable copy: {path}").format(path=editable_path(saved, name)))
    if produced.sections and produced.kind != "own_copy":
        print(_("Sections shared: {sections}").format(sections=", ".join(produced.sections)))
    if produced.passphrase:
        print(_("Passphrase to open it (shown once; give it to the recipient another way, "
                "never with the file):"))
        print(f"    {produced.passphrase}")


def run(command: str, args: argparse.Namespace, services: Services) -> int:
    docs = services.documents
    if command == "templates":
        for template in docs.templates():
            print(f"{template.id}\t{template.version}\t{template.name}")
        return 0
    case_id = services.cases.id_for_code(args.case)
    out: Path | None = args.out
    if out is not None:
        docs.check_target(case_id, out, kind=args.packet_kind.replace("-", "_"),
                          editable=("letter", "statement") if getattr(args, "docx", False)
                          else (), second=True if getattr(args, "own_copy", False) else None)
    if args.packet_kind == "referral":
        assert out is not None
        partner = services.partners.find(args.to)
        produced = docs.referral_packet(case_id, partner.id, sections=_sections(args.sections),
                                        language=args.language, encrypt=args.encrypt,
                                        watermark=args.watermark, preview=False,
                                        own_copy=args.own_copy, archival=args.pdfa)
        _report(services, produced, out)
        return 0
    if args.packet_kind == "own-copy":
        assert out is not None
        if args.plain and args.encrypt:
            raise ValidationError(_("Choose --encrypt or --plain, not both."), "plain")
        produced = docs.own_copy(case_id, language=args.language, encrypt=not args.plain,
                                 watermark=args.watermark, preview=False)
        _report(services, produced, out)
        return 0
    if args.packet_kind == "non-punishment":
        assert out is not None
        record = services.non_punishment.get(args.record.strip())
        if record.case_id != case_id:
            raise ValidationError(_("That record belongs to another case."), "record")
        produced = docs.non_punishment_letter(
            record.id, services.partners.find(args.to).id, language=args.language,
            encrypt=args.encrypt, watermark=args.watermark, preview=False)
        _report(services, produced, out)
        return 0
    recipient = services.partners.find(args.to).id if args.to else None
    translations = _translations(args.translated)
    matter = args.matter.strip() if args.matter else None
    if args.preflight:
        check = docs.residence_check(case_id, args.template, recipient_id=recipient,
                                     matter_id=matter, translations=translations)
        if check.matter is not None:
            print(_("Legal matter: {matter} ({id})").format(matter=describe(check.matter),
                                                           id=check.matter.id))
        for letter, label, item in check.exhibits:
            print(_("Exhibit {letter}: {label} (item {id})").format(letter=letter, label=label,
                                                                 id=item))
        for item in check.missing:
            print(item)
        _hints(services, case_id, args.template, check.missing)
        if check.missing:
            raise ShelterError(_("{n} items missing.").format(n=len(check.missing)))
        print(_("Nothing is missing."))
        return 0
    if out is None:
        raise ValidationError(_("Say where to save the packet: --out FILE.pdf"), "out")
    try:
        produced = docs.residence_packet(case_id, args.template, recipient_id=recipient,
                                         matter_id=matter, language=args.language,
                                         translations=translations,
                                         encrypt=args.encrypt, watermark=args.watermark,
                                         bates_prefix=args.bates_prefix, draft=args.draft,
                                         preview=False, editable=args.docx,
                                         archival=args.pdfa)
    except ValidationError as exc:
        if exc.field != "recipient":
            raise
        raise ValidationError(f"{exc} {_(TO_HINT)}", "recipient") from None
    except PreflightFailed as exc:
        _hints(services, case_id, args.template, exc.items, file=sys.stderr)
        raise
    _report(services, produced, out)
    return 0
