"""Retention and erasure: what the organisation's periods say may go, a coordinator's
approval of that list, erasure of one survivor's records on request, and a database left
with nothing of them in free pages, the name index or the write-ahead log.

The purge list (``review``) names what each retention period has reached: closed cases,
attachments of closed cases, records of documents produced, and unsaved changes kept as
drafts.  A closed case with an open deadline is held (listed, not purged).  The list has
a fingerprint; ``purge`` is given the fingerprint the coordinator approved and refuses if
the list has changed since, so only what she read goes.

Erasing one survivor's records (``erase``) needs a reason from a fixed list and, where the
organisation has another active coordinator, that coordinator's confirmation
(``confirm_erasure``): a request waits in ``erasure_requests`` until then.

Both remove every row of the case (store/erasure.py), its name
index entries and its survivor when no other case is hers; then the name index is merged,
the log checkpointed and the file vacuumed, with ``secure_delete`` on, so nothing of them is
left in the file.  The audit keeps that it happened, how many records and why, never what.
Backups made before keep the data until rotation deletes them: ``purged_copies`` says how
many and when.  An erased case's id goes into the key file, so that restoring a copy made
before erases it again (docs/VAULT_FORMAT.md, section 12.4).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import sqlcipher3.dbapi2 as sqlcipher

from shelter_app.domain.audit import Event
from shelter_app.domain.roles import Action
from shelter_app.errors import (
    NotFound,
    PermissionDenied,
    ShelterError,
    StorageFailure,
    ValidationError,
)
from shelter_app.i18n import N_, _, ngettext
from shelter_app.i18n.formatting import format_number, join_list
from shelter_app.services.case_access import no_such_case
from shelter_app.services.context import ServiceContext
from shelter_app.services.retention_upkeep import COMPACT_KEY, LEDGER_KEY, note_erased
from shelter_app.services.second_confirmation import other_coordinators, set_up_by
from shelter_app.services.settings import SettingsService
from shelter_app.store.audit import now_utc
from shelter_app.store.db import Database
from shelter_app.store.erasure import (
    Purged,
    compact,
    delete_ids,
    erase_cases,
    remove_attachments,
)

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
LAST_PURGE_KEY = "last_purge_at"

class Reason(StrEnum):
    SURVIVOR_REQUEST = "survivor_request"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    ENTERED_IN_ERROR = "entered_in_error"
    LEGAL_ORDER = "legal_order"


REASON_LABELS: dict[Reason, str] = {
    Reason.SURVIVOR_REQUEST: N_("The survivor asked for the records to be erased"),
    Reason.CONSENT_WITHDRAWN: N_("Consent to keep the records was withdrawn"),
    Reason.ENTERED_IN_ERROR: N_("The records were entered by mistake or twice"),
    Reason.LEGAL_ORDER: N_("A court or authority ordered the erasure"),
}


class Kind(StrEnum):
    CASE = "case"
    ATTACHMENTS = "attachments"
    DOCUMENTS = "documents"
    DRAFTS = "drafts"


KIND_LABELS: dict[Kind, str] = {
    Kind.CASE: N_("Closed case, with everything recorded in it"),
    Kind.ATTACHMENTS: N_("Attachments of a closed case"),
    Kind.DOCUMENTS: N_("Records of documents produced"),
    Kind.DRAFTS: N_("Unsaved changes kept as drafts"),
}


@dataclass(frozen=True)
class Policy:
    """The organisation's periods (Administration → Settings)."""

    closed_case_years: int
    attachment_years: int
    document_years: int
    draft_days: int

    def periods(self) -> dict[str, str]:
        """Each period in words ("5 years", "90 days"), by the name of its setting's part."""
        def years(n: int) -> str:
            return ngettext("{n} year", "{n} years", n).format(n=format_number(n))

        return {"cases": years(self.closed_case_years),
                "attachments": years(self.attachment_years),
                "documents": years(self.document_years),
                "drafts": ngettext("{n} day", "{n} days", self.draft_days).format(
                    n=format_number(self.draft_days))}

    @classmethod
    def of(cls, settings: SettingsService) -> Policy:
        return cls(int(settings.get("retention_closed_years")),
                   int(settings.get("retention_attachment_years")),
                   int(settings.get("retention_document_years")),
                   int(settings.get("retention_draft_days")))


@dataclass(frozen=True)
class Item:
    """One line of the purge list: what goes of one case (or of no case, for drafts of an
    intake never saved), since when it may, and why it is held if it is."""

    kind: Kind
    case_id: str | None
    case_code: str  # "" for drafts that belong to no case
    ids: tuple[str, ...]  # the rows: the case itself, or its attachments, documents, drafts
    due_since: dt.date
    held: str = ""  # translated reason it is kept for now; empty when it goes

    @property
    def count(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class PurgeList:
    as_of: dt.date
    items: tuple[Item, ...]
    fingerprint: str  # of the items that would go; what ``purge`` is approved with

    @property
    def due(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if not item.held)


@dataclass(frozen=True)
class Request:
    case_id: str
    case_code: str
    reason: Reason
    requested_by: str  # the account's id
    requested_by_name: str
    requested_at: str


@dataclass(frozen=True)
class ErasureOutcome:
    erased: bool  # False: waiting for another coordinator's confirmation
    purged: Purged = field(default_factory=Purged)


def count_text(kind: Kind, n: int) -> str:
    """"3 attachments", "1 closed case": how much of one kind."""
    if kind is Kind.CASE:
        text = ngettext("{n} case", "{n} cases", n)
    elif kind is Kind.ATTACHMENTS:
        text = ngettext("{n} attachment", "{n} attachments", n)
    elif kind is Kind.DOCUMENTS:
        text = ngettext("{n} document record", "{n} document records", n)
    else:
        text = ngettext("{n} draft", "{n} drafts", n)
    return text.format(n=format_number(n))


def describe(counts: dict[Kind, int]) -> str:
    """"2 cases and 3 attachments": the kinds with a count, in the list's order; empty when
    there are none."""
    return join_list(count_text(kind, n) for kind, n in counts.items() if n)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _fingerprint(items: Iterable[Item]) -> str:
    lines = sorted(f"{item.kind}:{','.join(sorted(item.ids))}" for item in items)
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest().upper()
    return f"{digest[:4]}-{digest[4:8]}"


def _reason(value: str) -> Reason:
    try:
        return Reason(value)
    except ValueError:
        raise ValidationError(_("Choose why the records are erased."), "reason") from None


class RetentionService:
    def __init__(self, ctx: ServiceContext, settings: SettingsService) -> None:
        self._ctx = ctx
        self._settings = settings

    def policy(self) -> Policy:
        return Policy.of(self._settings)

    # -- the purge list ------------------------------------------------------------
    def review(self, today: dt.date | None = None) -> PurgeList:
        """What the retention periods have reached on *today* (default: today)."""
        self._ctx.require(Action.PURGE_RECORDS)
        found = self._list(today or dt.date.today())
        self._ctx.record(Event.RETENTION_REVIEWED, details={"count": len(found.due)})
        return found

    def _list(self, today: dt.date) -> PurgeList:
        policy = self.policy()
        db = self._ctx.db
        items: list[Item] = []
        case_cut = _years_before(today, policy.closed_case_years)
        whole: set[str] = set()
        for row in db.all(
                "SELECT c.id, c.code, c.closed_at, EXISTS (SELECT 1 FROM deadlines d WHERE"
                " d.case_id = c.id AND d.done = 0) AS open_deadline FROM cases c"
                " WHERE c.status = 'closed' AND c.closed_at IS NOT NULL AND c.is_draft = 0"
                " AND c.closed_at < :cut ORDER BY c.closed_at, c.code",
                {"cut": (case_cut + dt.timedelta(days=1)).isoformat()}):
            closed = dt.date.fromisoformat(row["closed_at"][:10])
            held = _("An open deadline") if row["open_deadline"] else ""
            items.append(Item(Kind.CASE, row["id"], row["code"], (row["id"],),
                              _years_after(closed, policy.closed_case_years), held))
            if not held:
                whole.add(row["id"])
        attachment_cut = _years_before(today, policy.attachment_years)
        by_case: dict[str, list[str]] = {}
        codes: dict[str, tuple[str, dt.date]] = {}
        for row in db.all(
                "SELECT a.id, c.id AS case_id, c.code, c.closed_at FROM attachments a JOIN"
                " cases c ON c.id = a.case_id WHERE c.status = 'closed' AND c.closed_at IS NOT"
                " NULL AND c.closed_at < :cut ORDER BY c.closed_at, c.code, a.id",
                {"cut": (attachment_cut + dt.timedelta(days=1)).isoformat()}):
            if row["case_id"] in whole:
                continue
            by_case.setdefault(row["case_id"], []).append(row["id"])
            closed = dt.date.fromisoformat(row["closed_at"][:10])
            codes[row["case_id"]] = (row["code"], _years_after(closed, policy.attachment_years))
        items += [Item(Kind.ATTACHMENTS, case_id, codes[case_id][0], tuple(ids),
                       codes[case_id][1]) for case_id, ids in by_case.items()]
        items += self._per_case(
            Kind.DOCUMENTS, whole,
            "SELECT g.id, g.case_id, c.code, g.created_at AS since FROM generated_documents g"
            " JOIN cases c ON c.id = g.case_id WHERE g.created_at < :cut"
            " ORDER BY c.code, g.created_at",
            _years_before(today, policy.document_years),
            lambda since: _years_after(since, policy.document_years))
        items += self._per_case(
            Kind.DRAFTS, whole,
            "SELECT d.id, d.case_id, COALESCE(c.code, '') AS code, d.updated_at AS since"
            " FROM drafts d LEFT JOIN cases c ON c.id = d.case_id WHERE d.updated_at < :cut"
            " ORDER BY c.code, d.updated_at",
            today - dt.timedelta(days=policy.draft_days),
            lambda since: since + dt.timedelta(days=policy.draft_days))
        return PurgeList(today, tuple(items), _fingerprint(i for i in items if not i.held))

    def _per_case(self, kind: Kind, whole: set[str], sql: str, cut: dt.date,
                  due: Callable[[dt.date], dt.date]) -> list[Item]:
        """Rows of *kind* whose period ended on *cut* or before (that day included), by case;
        *due* gives the day a row's period ends from the day it counts from."""
        grouped: dict[str | None, list[str]] = {}
        first: dict[str | None, tuple[str, str]] = {}
        for row in self._ctx.db.all(sql, {"cut": (cut + dt.timedelta(days=1)).isoformat()}):
            if row["case_id"] in whole:
                continue
            grouped.setdefault(row["case_id"], []).append(row["id"])
            first.setdefault(row["case_id"], (row["code"], row["since"]))
        items = []
        for case_id, ids in grouped.items():
            code, since = first[case_id]
            items.append(Item(kind, case_id, code, tuple(ids),
                              due(dt.date.fromisoformat(since[:10]))))
        return items

    def purge(self, fingerprint: str, *, keep: Collection[str] = (),
              today: dt.date | None = None, progress: Progress | None = None) -> Purged:
        """Remove what the purge list with *fingerprint* names, except the cases whose codes
        are in *keep*; refused if the list is not the one approved."""
        self._ctx.require(Action.PURGE_RECORDS)
        day = today or dt.date.today()
        purged = Purged()
        if not self._approved(self._list(day), fingerprint, keep):  # refused before any lock
            if self.compaction_due():
                self._compact(progress)
            return purged
        if progress:
            progress(_("Removing the records…"))
        details: dict[str, object] = {"reason": "retention"}
        with self._ctx.write(Action.PURGE_RECORDS, Event.RECORDS_PURGED,
                             details=details) as db:
            # made again inside the transaction: nothing can change it between the check
            # and the removal (a case reopened at another desk meanwhile)
            found = self._list(day)
            going = self._approved(found, fingerprint, keep)
            details["list"] = found.fingerprint
            erase_cases(db, [i.case_id for i in going if i.kind is Kind.CASE and i.case_id],
                              purged)
            remove_attachments(
                db, [x for i in going if i.kind is Kind.ATTACHMENTS for x in i.ids], purged)
            ids = [x for i in going if i.kind is Kind.DOCUMENTS for x in i.ids]
            purged.documents += delete_ids(db, "generated_documents", ids)
            ids = [x for i in going if i.kind is Kind.DRAFTS for x in i.ids]
            purged.drafts += delete_ids(db, "drafts", ids)
            purged.rows += purged.documents + purged.drafts
            if going:
                _mark_purge(db)
            details["purged"] = purged.as_details()  # recorded as the block ends
        if going or self.compaction_due():
            self._compact(progress)
        return purged

    @staticmethod
    def _approved(found: PurgeList, fingerprint: str, keep: Collection[str]) -> list[Item]:
        """The lines of *found* to remove: refused unless it is the list approved (as typed
        or pasted: any case, without what a terminal may copy around it)."""
        if re.sub(r"[^0-9A-Za-z-]", "", fingerprint).upper() != found.fingerprint:
            raise ShelterError(_(
                "The purge list has changed since it was reviewed (it is now {now}). Review it "
                "again before approving it.").format(now=found.fingerprint))
        kept = {code.strip().upper() for code in keep}
        unknown = kept - {item.case_code for item in found.items}
        if unknown:
            raise ValidationError(_("Not on the purge list: {codes}.").format(
                codes=", ".join(sorted(unknown))), "keep")
        return [item for item in found.due if item.case_code not in kept or not item.case_code]

    # -- erasure of one survivor's records -----------------------------------------
    def erase(self, case_id: str, reason: str,
              progress: Progress | None = None) -> ErasureOutcome:
        """Erase the case's records now when no other coordinator could confirm it;
        otherwise record the request for one to confirm."""
        why = _reason(reason)
        self._ctx.require(Action.PURGE_RECORDS, target_type="case", target_id=case_id)
        self._case_code(case_id)
        if self.pending(case_id) is not None:
            raise ShelterError(_("An erasure of this case is already waiting for a second "
                                 "coordinator's confirmation."))
        if not other_coordinators(self._ctx):
            return ErasureOutcome(True, self._erase_now(case_id, why, requested_by=None,
                                                        progress=progress))
        with self._ctx.write(Action.PURGE_RECORDS, Event.ERASURE_REQUESTED, target_type="case",
                             target_id=case_id, details={"reason": str(why)}) as db:
            db.execute("INSERT INTO erasure_requests (case_id, reason, requested_by,"
                       " requested_at) VALUES (:c, :r, :u, :at)",
                       {"c": case_id, "r": str(why), "u": self._ctx.session.user_id,
                        "at": now_utc()})
        return ErasureOutcome(False)

    def confirm_erasure(self, case_id: str, progress: Progress | None = None) -> Purged:
        """A second coordinator's confirmation: the case's records are erased."""
        self._ctx.require(Action.PURGE_RECORDS, target_type="case", target_id=case_id)
        request = self.pending(case_id)
        if request is None:
            raise NotFound(_("No erasure of this case is waiting for confirmation."))
        if request.requested_by == self._ctx.session.user_id:
            raise PermissionDenied(_("Another coordinator must confirm an erasure you "
                                     "asked for."))
        if set_up_by(self._ctx, request.requested_by):
            raise PermissionDenied(_(
                "The coordinator who asked for this erasure made, re-enabled or reset this "
                "account, or gave it the coordinator role, in the last 30 days: another "
                "coordinator must confirm it."))
        return self._erase_now(case_id, request.reason, requested_by=request.requested_by,
                               progress=progress)

    def withdraw_erasure(self, case_id: str) -> None:
        self._ctx.require(Action.PURGE_RECORDS, target_type="case", target_id=case_id)
        if self.pending(case_id) is None:
            raise NotFound(_("No erasure of this case is waiting for confirmation."))
        with self._ctx.write(Action.PURGE_RECORDS, Event.ERASURE_WITHDRAWN, target_type="case",
                             target_id=case_id) as db:
            db.execute("DELETE FROM erasure_requests WHERE case_id = :c", {"c": case_id})

    def pending(self, case_id: str | None = None) -> Request | None:
        found = self.requests(case_id)
        return found[0] if found else None

    def requests(self, case_id: str | None = None) -> list[Request]:
        """Erasures waiting for a second coordinator, oldest first."""
        self._ctx.require(Action.PURGE_RECORDS)
        rows = self._ctx.db.all(
            "SELECT r.case_id, c.code, r.reason, r.requested_by, r.requested_at,"
            " COALESCE(NULLIF(u.display_name, ''), u.username) AS name FROM erasure_requests r"
            " JOIN cases c ON c.id = r.case_id LEFT JOIN users u ON u.id = r.requested_by"
            " WHERE :c IS NULL OR r.case_id = :c ORDER BY r.requested_at", {"c": case_id})
        return [Request(r["case_id"], r["code"], Reason(r["reason"]), r["requested_by"],
                        r["name"] or "", r["requested_at"]) for r in rows]

    def needs_confirmation(self) -> bool:
        """Whether an erasure asked for now would wait for another coordinator."""
        return other_coordinators(self._ctx) > 0

    def _case_code(self, case_id: str) -> str:
        code = self._ctx.db.scalar("SELECT code FROM cases WHERE id = :c", {"c": case_id})
        if code is None:
            raise no_such_case()
        return str(code)

    def _erase_now(self, case_id: str, reason: Reason, *, requested_by: str | None,
                   progress: Progress | None = None) -> Purged:
        purged = Purged()
        if progress:
            progress(_("Removing the records…"))
        details: dict[str, object] = {"reason": str(reason)}
        if requested_by is not None:
            details["user"] = requested_by  # who asked; the actor confirmed
        with self._ctx.write(Action.PURGE_RECORDS, Event.CASE_ERASED, target_type="case",
                             target_id=case_id, details=details) as db:
            erase_cases(db, [case_id], purged)
            _mark_purge(db)
            db.execute("INSERT INTO meta (key, value) VALUES (:k, :v) ON CONFLICT (key) DO"
                       " UPDATE SET value = meta.value || ',' || excluded.value",
                       {"k": LEDGER_KEY, "v": case_id})
            details["purged"] = purged.as_details()
        note_erased(self._ctx)
        self._compact(progress)
        return purged

    def _compact(self, progress: Progress | None) -> None:
        """``compact`` (store/erasure.py); until it has run, ``meta.compact_due`` says so,
        and the next purge or erasure runs it again (a full disk can stop the vacuum after
        the rows are gone)."""
        if progress:
            progress(_("Clearing the freed space…"))
        try:
            compact(self._ctx.db, COMPACT_KEY)
        except (sqlcipher.Error, StorageFailure) as exc:
            raise StorageFailure(_(
                "The records were removed, but the space they took could not be cleared "
                "(the disk may be full). Free some space and run the purge again: it clears "
                "it then.")) from exc

    def compaction_due(self) -> bool:
        return self._ctx.db.scalar("SELECT 1 FROM meta WHERE key = :k",
                                   {"k": COMPACT_KEY}) is not None


def summary(purged: Purged) -> str:
    """What was removed, in words, for the person who asked (command line and screen)."""
    what = describe({Kind.CASE: purged.cases, Kind.ATTACHMENTS: purged.attachments,
                     Kind.DOCUMENTS: purged.documents, Kind.DRAFTS: purged.drafts})
    if not what:
        return _("Nothing was removed.")
    return ngettext("Removed {what}: {n} record in all.",
                    "Removed {what}: {n} records in all.", purged.rows).format(
        what=what, n=format_number(purged.rows))


def _years_after(day: dt.date, years: int) -> dt.date:
    return _years_before(day, -years)


def _mark_purge(db: Database) -> None:
    for key, value in ((LAST_PURGE_KEY, now_utc()), (COMPACT_KEY, "1")):
        db.execute("INSERT INTO meta (key, value) VALUES (:k, :v) ON CONFLICT (key) DO UPDATE"
                   " SET value = excluded.value", {"k": key, "v": value})
