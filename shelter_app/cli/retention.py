"""shelter-admin retention and erase: the purge list, its approval, and erasing one
survivor's records on request (coordinators; services/retention.py)."""

from __future__ import annotations

import argparse
import sys

from shelter_app.errors import ShelterError
from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import fill, format_date, format_number
from shelter_app.services.registry import Services
from shelter_app.services.retention import (
    KIND_LABELS,
    REASON_LABELS,
    Reason,
    count_text,
    summary,
)


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    retention = sub.add_parser("retention", help=_(
        "the records the retention periods have reached, and purging them (coordinators)"))
    rsub = retention.add_subparsers(dest="retention_command", metavar="ACTION")
    rsub.add_parser("review", help=_(
        "print the purge list and its fingerprint; nothing is removed"))
    purge = rsub.add_parser("purge", help=_(
        "remove what the purge list names, once approved with its fingerprint"))
    purge.add_argument("--list", required=True, metavar="FINGERPRINT", help=_(
        "the fingerprint printed by 'retention review' (the list you approve)"))
    purge.add_argument("--keep", action="append", default=[], metavar="CODE", help=_(
        "a case of the list to keep for now (may be given more than once)"))
    erase = sub.add_parser("erase", help=_(
        "erase one survivor's records on request (coordinators; a second coordinator "
        "confirms where there is one)"))
    erase.add_argument("--case", metavar="CODE")
    what = erase.add_mutually_exclusive_group()
    what.add_argument("--reason", choices=[str(r) for r in Reason], help=_(
        "why: survivor_request, consent_withdrawn, entered_in_error or legal_order"))
    what.add_argument("--confirm", action="store_true", help=_(
        "confirm an erasure another coordinator asked for"))
    what.add_argument("--withdraw", action="store_true", help=_(
        "withdraw an erasure waiting for confirmation"))
    what.add_argument("--pending", action="store_true", help=_(
        "list the erasures waiting for confirmation"))


def _progress(text: str) -> None:
    print(text, file=sys.stderr)


def run_retention(args: argparse.Namespace, services: Services) -> int:
    retention = services.retention
    if args.retention_command == "review":
        found = retention.review()
        policy = retention.policy()
        print(fill(_("Kept: closed cases {cases} after closing, their attachments "
                     "{attachments}, records of documents produced {documents}, unsaved "
                     "changes {drafts}."), **policy.periods()))
        if not found.items:
            print(_("Nothing has reached its retention period."))
            return 0
        for item in found.items:
            fields = [item.case_code or "-", _(KIND_LABELS[item.kind]),
                      count_text(item.kind, item.count), format_date(item.due_since)]
            if item.held:
                fields.append(fill(_("kept: {why}"), why=item.held))
            print("\t".join(fields))
        # Not through fill(): the fingerprint is copied into the next command as it is.
        print(ngettext("{n} item may be purged. List {fingerprint}: approve it with "
                       "shelter-admin retention purge --list {fingerprint}",
                       "{n} items may be purged. List {fingerprint}: approve it with "
                       "shelter-admin retention purge --list {fingerprint}",
                       len(found.due)).format(n=format_number(len(found.due)),
                                              fingerprint=found.fingerprint))
        return 0
    if args.retention_command == "purge":
        print(summary(retention.purge(args.list, keep=args.keep, progress=_progress)))
        return 0
    raise ShelterError(_("retention needs an action: review or purge"))


def run_erase(args: argparse.Namespace, services: Services) -> int:
    retention = services.retention
    if args.pending:
        for request in retention.requests():
            print("\t".join([request.case_code, str(request.reason), request.requested_by_name,
                             request.requested_at[:10]]))
        return 0
    if not args.case:
        raise ShelterError(_("erase needs --case CODE (or --pending)"))
    case_id = services.cases.id_for_code(args.case)
    if args.confirm:
        print(summary(retention.confirm_erasure(case_id, progress=_progress)))
        return 0
    if args.withdraw:
        retention.withdraw_erasure(case_id)
        print(_("The erasure request was withdrawn; nothing was removed."))
        return 0
    if not args.reason:
        raise ShelterError(_("erase needs --reason, --confirm or --withdraw"))
    outcome = retention.erase(case_id, args.reason)
    if outcome.erased:
        print(summary(outcome.purged))
        return 0
    print(fill(_("Erasure asked for ({reason}). Another coordinator must confirm it: "
                 "shelter-admin --as NAME erase --case {code} --confirm"),
               reason=_(REASON_LABELS[Reason(args.reason)]), code=args.case.strip().upper()))
    return 0
