"""Legal matters (residence permits, T visas, reflection periods…), their deadlines, and the
evidence checklist linked to attachments."""

from __future__ import annotations

import builtins
import datetime as dt
import uuid
from dataclasses import dataclass

from shelter_app.documents import templates
from shelter_app.domain import validate as v
from shelter_app.domain import vocab
from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action
from shelter_app.errors import NotFound, ValidationError
from shelter_app.i18n import N_, _
from shelter_app.i18n.formatting import fill
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext, keys_not_given
from shelter_app.services.evidence import EvidenceChecklist
from shelter_app.store import deadlines
from shelter_app.store.audit import now_utc
from shelter_app.store.cases import update as versioned_update
from shelter_app.store.db import Row
from shelter_app.store.deadlines import LEGAL_SOURCES

DATE_FIELDS = ("reflection_start", "reflection_end", "filing_due", "filed_on", "decision_on",
               "permit_from", "permit_expiry", "renewal_due")
DEADLINE_LABELS = {
    "reflection_end": N_("Reflection period ends"),
    "filing_due": N_("Filing due"),
    "permit_expiry": N_("Permit expires"),
    "renewal_due": N_("Renewal due"),
    "appeal_due": N_("Appeal or review due"),
    "hearing": N_("Next hearing"),
    "inform_survivor": N_("Tell the survivor of the new stage"),
    "claim_filing": N_("Compensation claim due"),
    "non_punishment": N_("Raise non-punishment by"),
    "follow_up": N_("Referral follow-up due"),
}
MATTER_DEADLINES = ("reflection_end", "filing_due", "permit_expiry", "renewal_due",
                    "appeal_due")
# A renewal is due this many days before the permit expires, unless the matter's template
# says otherwise or the volunteer enters its own date.
RENEWAL_NOTICE_DAYS = 90
# The texts of a matter besides its type and status, and their longest lengths.
TEXTS = {"jurisdiction": 100, "authority": 200, "authority_ref": 100, "representative": 200,
         "decision": 2000, "template_id": 60, "notes": 0}


@dataclass(frozen=True)
class LegalMatter:
    id: str
    case_id: str
    matter_type: str
    jurisdiction: str
    authority_ref: str
    status: str
    dates: dict[str, dt.date | None]
    notes: str
    row_version: int
    authority: str = ""
    representative: str = ""
    decision: str = ""
    template_id: str = ""

    def texts(self) -> dict[str, str]:
        return {k: str(getattr(self, k)) for k in TEXTS}


@dataclass(frozen=True)
class Deadline:
    case_id: str
    case_code: str
    kind: str
    due_on: dt.date
    source: str
    source_id: str

    @property
    def label(self) -> str:
        return _(DEADLINE_LABELS.get(self.kind, self.kind))

    def overdue(self, today: dt.date | None = None) -> bool:
        return self.due_on < (today or dt.date.today())



# under the legal key (docs/VAULT_FORMAT.md, 7.1)
SEALED = ("authority_ref", "notes", "authority", "representative", "decision")


def _template(template_id: object) -> templates.Template | None:
    if not template_id:
        return None
    try:
        return templates.load(str(template_id))
    except (NotFound, ValidationError):  # removed or broken since: the defaults then
        return None


def _open_deadlines(values: dict[str, object]) -> dict[str, str | None]:
    """The deadlines still to meet: none once the matter is closed; no filing deadline once
    the application was filed; the renewal as entered, or the template's notice period
    (else RENEWAL_NOTICE_DAYS) before the permit expires; and, after a refusal, the
    template's window for an appeal or review from the decision, while no appeal is
    under way."""
    due: dict[str, str | None] = dict.fromkeys(MATTER_DEADLINES)
    if values["status"] == "closed":
        return due
    for kind in ("reflection_end", "filing_due", "permit_expiry"):
        due[kind] = str(values[kind]) if values[kind] else None
    if values["filed_on"]:
        due["filing_due"] = None
    # the template files are read only when a date is to be computed from them
    renewal = not values["renewal_due"] and values["permit_expiry"] and \
        values["status"] == "granted"
    refused = values["status"] == "refused" and values["decision_on"]
    template = _template(values.get("template_id")) if renewal or refused else None
    if values["renewal_due"]:
        due["renewal_due"] = str(values["renewal_due"])
    elif renewal:
        notice = template.renewal_notice_days if template else RENEWAL_NOTICE_DAYS
        due["renewal_due"] = (dt.date.fromisoformat(str(values["permit_expiry"]))
                              - dt.timedelta(days=notice)).isoformat()
    if refused and template is not None and template.appeal_days:
        due["appeal_due"] = (dt.date.fromisoformat(str(values["decision_on"]))
                             + dt.timedelta(days=template.appeal_days)).isoformat()
    return due


class LegalService(EvidenceChecklist):
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._access = CaseAccess(ctx)

    @staticmethod
    def _clean(matter_type: str, status: str, texts: dict[str, str],
               dates: dict[str, dt.date | str | None], *, was_template: str | None = None
               ) -> dict[str, object]:
        """The matter's columns, checked.  A template newly named (*was_template* is the
        one before) must fit the matter's type and fills in an empty jurisdiction and
        authority; one kept as it was is not read again (it may have been removed)."""
        unknown = set(dates) - set(DATE_FIELDS)
        if unknown:
            raise ValidationError(fill(_("Unknown date field: {f}."),
                f=", ".join(sorted(unknown))))
        unknown = set(texts) - set(TEXTS)
        if unknown:
            raise ValidationError(fill(_("Unknown field: {f}."), f=", ".join(sorted(unknown))))
        parsed = {k: v.date(dates.get(k), k) for k in DATE_FIELDS}
        v.order(parsed["reflection_start"], parsed["reflection_end"], "reflection_end",
                _("The reflection period cannot end before it starts."))
        v.order(parsed["filed_on"], parsed["decision_on"], "decision_on",
                _("A decision cannot come before the filing."))
        v.order(parsed["permit_from"], parsed["permit_expiry"], "permit_expiry",
                _("A permit cannot expire before it starts."))
        matter_type = vocab.LEGAL_MATTER_TYPE.check(matter_type, "matter_type")
        cleaned = {k: (v.note(texts.get(k, ""), k) if not limit
                       else v.text(texts.get(k, ""), k, limit=limit))
                   for k, limit in TEXTS.items()}
        if cleaned["template_id"] and cleaned["template_id"] != was_template:
            template = templates.load(str(cleaned["template_id"]))
            if matter_type not in template.matter_types:
                raise ValidationError(_("That template is not for this kind of legal "
                                        "matter."), "template_id")
            cleaned["template_id"] = template.id
            # the template says where and to whom, unless the volunteer wrote otherwise
            cleaned["jurisdiction"] = cleaned["jurisdiction"] or template.jurisdiction
            cleaned["authority"] = cleaned["authority"] or template.authority
        return {
            "matter_type": matter_type,
            "status": vocab.LEGAL_MATTER_STATUS.check(status, "status"),
            **cleaned,
            **{k: v.iso(d) for k, d in parsed.items()},
        }

    def open(self, case_id: str, matter_type: str, *, status: str = "preparing",
             dates: dict[str, dt.date | str | None] | None = None,
             **texts: str) -> LegalMatter:
        """Open a matter.  *texts* are any of TEXTS: jurisdiction, authority and its
        reference, representative, decision, template (its id) and notes."""
        return self.get(self.create(case_id, matter_type, status=status, dates=dates, **texts))

    def create(self, case_id: str, matter_type: str, *, status: str = "preparing",
               dates: dict[str, dt.date | str | None] | None = None, **texts: str) -> str:
        """``open``, returning the new matter's id alone (an import opens thousands)."""
        scope = self._access.require(case_id, Action.EDIT_LEGAL)
        values = self._clean(matter_type, status, texts, dates or {})
        matter_id, now, me = str(uuid.uuid4()), now_utc(), self._ctx.session.user_id
        cols = list(values)
        filled = sorted(k for k, x in values.items() if x)
        sealed = self._sealed(matter_id, values)
        with self._ctx.write(Action.EDIT_LEGAL, Event.RECORD_CREATED, scope=scope,
                             target_type="legal_matter", target_id=matter_id,
                             details={"fields": filled}) as db:
            db.execute(
                f"INSERT INTO legal_matters (id, case_id, {', '.join(cols)}, created_at,"  # noqa: S608
                f" updated_at, created_by, updated_by) VALUES (:id, :case,"
                f" {', '.join(':' + c for c in cols)}, :now, :now, :me, :me)",
                {"id": matter_id, "case": case_id, **sealed, "now": now, "me": me})
            deadlines.sync(db, case_id=case_id, source="legal_matter", source_id=matter_id,
                           dates=_open_deadlines(values), new=True)
        return matter_id

    def update(self, matter_id: str, *, matter_type: str, status: str,
               dates: dict[str, dt.date | str | None] | None = None,
               version: int | None = None, **texts: str) -> LegalMatter:
        """Replace the matter's fields with those given (a text or date not given is
        emptied), refused if it changed since *version* was read."""
        current = self.get(matter_id)
        scope = self._access.require(current.case_id, Action.EDIT_LEGAL)
        values = self._clean(matter_type, status, texts, dates or {},
                             was_template=current.template_id)
        was = {"matter_type": current.matter_type, "status": current.status,
               **current.texts(),
               **{k: (d.isoformat() if (d := current.dates.get(k)) else None)
                  for k in DATE_FIELDS}}
        # The history names what changed (never the content); a save that changes nothing
        # writes nothing.
        changed = sorted(k for k, x in values.items() if was[k] != x)
        from shelter_app.services.cases import concurrent_change

        if version is not None and version != current.row_version:
            raise concurrent_change()
        if not changed:
            return current
        details: dict[str, object] = {"fields": changed}
        if "status" in changed:  # plain in the row too: kept as the matter's status history
            details["status"] = [current.status, values["status"]]
        with self._ctx.write(Action.EDIT_LEGAL, Event.RECORD_UPDATED, scope=scope,
                             target_type="legal_matter", target_id=matter_id,
                             details=details) as db:
            if not versioned_update(db, "legal_matters", matter_id, {
                    **self._sealed(matter_id, values), "updated_at": now_utc(),
                    "updated_by": self._ctx.session.user_id}, version):
                raise concurrent_change()
            deadlines.sync(db, case_id=current.case_id, source="legal_matter",
                           source_id=matter_id, dates=_open_deadlines(values))
        return self.get(matter_id)

    def get(self, matter_id: str) -> LegalMatter:
        row = self._ctx.db.one("SELECT * FROM legal_matters WHERE id = :id", {"id": matter_id})
        if row is None:
            raise NotFound(_("No such legal matter."))
        self._access.require(row["case_id"], Action.READ_LEGAL)
        return self._matter(row)

    def list(self, case_id: str) -> list[LegalMatter]:
        self._access.require(case_id, Action.READ_LEGAL)
        return [self._matter(r) for r in self._ctx.db.all(
            "SELECT * FROM legal_matters WHERE case_id = :c ORDER BY created_at", {"c": case_id})]

    def open_deadlines(self, matter_id: str) -> builtins.list[Deadline]:
        """The matter's deadlines still to meet, the soonest first."""
        self.get(matter_id)
        return self._deadlines("d.source = 'legal_matter' AND d.source_id = :m"
                               " ORDER BY d.due_on, d.kind", {"m": matter_id})

    def case_deadlines(self, case_id: str) -> builtins.list[Deadline]:
        """The open deadlines of the case's legal matters, the soonest first."""
        self._access.require(case_id, Action.READ_LEGAL)
        return self._deadlines(f"d.source IN {LEGAL_SOURCES} AND d.case_id = :c"
                               " ORDER BY d.due_on, d.kind", {"c": case_id})

    def _deadlines(self, where: str, params: dict[str, object]) -> builtins.list[Deadline]:
        """The open deadlines *where* selects (with its ORDER BY and LIMIT)."""
        return [Deadline(r["case_id"], r["code"], r["kind"], dt.date.fromisoformat(r["due_on"]),
                         r["source"], r["source_id"]) for r in self._ctx.db.all(
            "SELECT d.case_id, c.code, d.kind, d.due_on, d.source, d.source_id FROM deadlines d"  # noqa: S608
            f" JOIN cases c ON c.id = d.case_id WHERE d.done = 0 AND {where}", params)]

    def _sealed(self, matter_id: str, values: dict[str, object]) -> dict[str, object]:
        return {**values, **{column: self._ctx.seal(KeyName.LEGAL, "legal_matters", matter_id,
                                                    column, str(values[column]))
                             for column in SEALED}}

    def _matter(self, r: Row) -> LegalMatter:
        """One matter, its sealed fields opened; refused (not shown empty, which a save
        would then write back) while this account has not received the legal key."""
        opened = {c: self._ctx.unseal(KeyName.LEGAL, "legal_matters", r["id"], c, r[c])
                  for c in SEALED}
        if any(value is None for value in opened.values()):
            raise keys_not_given(reading=True)
        dates = {k: (dt.date.fromisoformat(r[k]) if r[k] else None) for k in DATE_FIELDS}
        return LegalMatter(r["id"], r["case_id"], r["matter_type"], r["jurisdiction"],
                           str(opened["authority_ref"]), r["status"], dates,
                           str(opened["notes"]), r["row_version"],
                           authority=str(opened["authority"]),
                           representative=str(opened["representative"]),
                           decision=str(opened["decision"]), template_id=r["template_id"])

    # -- deadlines across cases ----------------------------------------------------
    def due(self, *, within_days: int = 30, today: dt.date | None = None,
            include_overdue: bool = True, limit: int = 500) -> builtins.list[Deadline]:
        """Open deadlines due within *within_days* (and overdue ones) in the user's cases,
        the most pressing first, at most *limit* of them."""
        today = today or dt.date.today()
        visible_legal, p1 = self._access.visible_sql("c", Action.READ_LEGAL)
        visible_ref, p2 = self._access.visible_sql("c", Action.MANAGE_REFERRALS)
        return self._deadlines(
            "d.due_on <= :until" + ("" if include_overdue else " AND d.due_on >= :today")
            + f" AND ((d.source IN {LEGAL_SOURCES} AND {visible_legal})"
            f" OR (d.source = 'referral' AND {visible_ref})) ORDER BY d.due_on LIMIT :limit",
            {"until": (today + dt.timedelta(days=within_days)).isoformat(),
             "today": today.isoformat(), "limit": limit, **p1, **p2})
