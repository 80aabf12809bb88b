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
from shelter_app.store import deadlines
from shelter_app.store.audit import now_utc
from shelter_app.store.cases import update as versioned_update
from shelter_app.store.db import Row

DATE_FIELDS = ("reflection_start", "reflection_end", "filing_due", "filed_on", "decision_on",
               "permit_expiry")
DEADLINE_FIELDS = ("reflection_end", "filing_due", "permit_expiry")
DEADLINE_LABELS = {
    "reflection_end": N_("Reflection period ends"),
    "filing_due": N_("Filing due"),
    "permit_expiry": N_("Permit expires"),
    "follow_up": N_("Referral follow-up due"),
}


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


@dataclass(frozen=True)
class EvidenceItem:
    id: str
    matter_id: str
    label: str
    required: bool
    attachment_id: str | None


SEALED = ("authority_ref", "notes")  # under the legal key (docs/VAULT_FORMAT.md, 7.1)


def _open_deadlines(values: dict[str, object]) -> dict[str, str | None]:
    """The deadlines still to meet: none once the matter is closed, and no filing deadline
    once the application was filed."""
    if values["status"] == "closed":
        return dict.fromkeys(DEADLINE_FIELDS)
    dates = {k: (str(values[k]) if values[k] else None) for k in DEADLINE_FIELDS}
    if values["filed_on"]:
        dates["filing_due"] = None
    return dates


class LegalService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._access = CaseAccess(ctx)

    def _clean(self, matter_type: str, status: str, jurisdiction: str, authority_ref: str,
               notes: str, dates: dict[str, dt.date | str | None]) -> dict[str, object]:
        unknown = set(dates) - set(DATE_FIELDS)
        if unknown:
            raise ValidationError(fill(_("Unknown date field: {f}."),
                f=", ".join(sorted(unknown))))
        parsed = {k: v.date(dates.get(k), k) for k in DATE_FIELDS}
        v.order(parsed["reflection_start"], parsed["reflection_end"], "reflection_end",
                _("The reflection period cannot end before it starts."))
        v.order(parsed["filed_on"], parsed["decision_on"], "decision_on",
                _("A decision cannot come before the filing."))
        return {
            "matter_type": vocab.LEGAL_MATTER_TYPE.check(matter_type, "matter_type"),
            "status": vocab.LEGAL_MATTER_STATUS.check(status, "status"),
            "jurisdiction": v.text(jurisdiction, "jurisdiction", limit=100),
            "authority_ref": v.text(authority_ref, "authority_ref", limit=100),
            "notes": v.note(notes, "notes"),
            **{k: v.iso(d) for k, d in parsed.items()},
        }

    def open(self, case_id: str, matter_type: str, *, status: str = "preparing",
             jurisdiction: str = "", authority_ref: str = "", notes: str = "",
             dates: dict[str, dt.date | str | None] | None = None) -> LegalMatter:
        scope = self._access.require(case_id, Action.EDIT_LEGAL)
        values = self._clean(matter_type, status, jurisdiction, authority_ref, notes, dates or {})
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
                           dates=_open_deadlines(values))
        return self.get(matter_id)

    def update(self, matter_id: str, *, matter_type: str, status: str, jurisdiction: str = "",
               authority_ref: str = "", notes: str = "",
               dates: dict[str, dt.date | str | None] | None = None,
               version: int | None = None) -> LegalMatter:
        current = self.get(matter_id)
        scope = self._access.require(current.case_id, Action.EDIT_LEGAL)
        values = self._clean(matter_type, status, jurisdiction, authority_ref, notes, dates or {})
        was = {"matter_type": current.matter_type, "status": current.status,
               "jurisdiction": current.jurisdiction, "authority_ref": current.authority_ref,
               "notes": current.notes,
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
                           str(opened["notes"]), r["row_version"])

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
            + f" AND ((d.source = 'legal_matter' AND {visible_legal})"
            f" OR (d.source = 'referral' AND {visible_ref})) ORDER BY d.due_on LIMIT :limit",
            {"until": (today + dt.timedelta(days=within_days)).isoformat(),
             "today": today.isoformat(), "limit": limit, **p1, **p2})

    # -- evidence checklist ----------------------------------------------------------
    def add_evidence(self, matter_id: str, label: str, *, required: bool = True) -> EvidenceItem:
        matter = self.get(matter_id)
        scope = self._access.require(matter.case_id, Action.EDIT_LEGAL)
        item_id, now, me = str(uuid.uuid4()), now_utc(), self._ctx.session.user_id
        with self._ctx.write(Action.EDIT_LEGAL, Event.RECORD_CREATED, scope=scope,
                             target_type="evidence_item", target_id=item_id) as db:
            db.execute("INSERT INTO evidence_items (id, matter_id, label, required, created_at,"
                       " updated_at, created_by, updated_by) VALUES (:id, :m, :label, :req, :now,"
                       " :now, :me, :me)",
                       {"id": item_id, "m": matter_id,
                        "label": self._ctx.seal(KeyName.LEGAL, "evidence_items", item_id,
                                                "label", v.text(label, "label", required=True)),
                        "req": int(required), "now": now, "me": me})
        return next(i for i in self.evidence(matter_id) if i.id == item_id)

    def checklist_templates(self, matter_id: str) -> builtins.list[tuple[str, str]]:
        """(id, name) of the residence templates whose checklist fits the matter's type."""
        matter = self.get(matter_id)
        return [(t.id, t.name) for t in templates.available()
                if matter.matter_type in t.matter_types]

    def add_checklist(self, matter_id: str, template_id: str) -> int:
        """Add to the matter's checklist, in the template's order, each evidence
        requirement of the template that no item on it meets yet (required or optional as
        the template says).  Returns how many were added."""
        matter = self.get(matter_id)
        self._access.require(matter.case_id, Action.EDIT_LEGAL)
        template = templates.load(template_id)
        if matter.matter_type not in template.matter_types:
            raise ValidationError(_("That template is not for this kind of legal matter."),
                                  "template")
        met = {r.id for item in self.evidence(matter_id)
               if (r := template.requirement_for(item.label)) is not None}
        added = 0
        for requirement in template.requirements:
            if requirement.id not in met:
                self.add_evidence(matter_id, requirement.label, required=requirement.required)
                added += 1
        return added

    def link_evidence(self, item_id: str, attachment_id: str | None) -> None:
        row = self._ctx.db.one("SELECT e.matter_id, m.case_id FROM evidence_items e JOIN"
                               " legal_matters m ON m.id = e.matter_id WHERE e.id = :id",
                               {"id": item_id})
        if row is None:
            raise NotFound(_("No such evidence item."))
        scope = self._access.require(row["case_id"], Action.EDIT_LEGAL)
        if attachment_id and self._ctx.db.scalar(
                "SELECT case_id FROM attachments WHERE id = :a", {"a": attachment_id}
        ) != row["case_id"]:
            raise ValidationError(_("That attachment belongs to another case."), "attachment")
        with self._ctx.write(Action.EDIT_LEGAL, Event.RECORD_UPDATED, scope=scope,
                             target_type="evidence_item", target_id=item_id,
                             details={"fields": ["attachment_id"]}) as db:
            db.execute("UPDATE evidence_items SET attachment_id = :a, updated_at = :now,"
                       " updated_by = :me, row_version = row_version + 1 WHERE id = :id",
                       {"a": attachment_id, "now": now_utc(), "me": self._ctx.session.user_id,
                        "id": item_id})

    def evidence(self, matter_id: str) -> builtins.list[EvidenceItem]:
        self.get(matter_id)
        return [EvidenceItem(r["id"], r["matter_id"], self._ctx.unseal(
            KeyName.LEGAL, "evidence_items", r["id"], "label", r["label"]) or "",
            bool(r["required"]), r["attachment_id"]) for r in self._ctx.db.all(
            "SELECT * FROM evidence_items WHERE matter_id = :m ORDER BY created_at",
            {"m": matter_id})]

    def missing_evidence(self, matter_id: str) -> builtins.list[EvidenceItem]:
        return [i for i in self.evidence(matter_id) if i.required and not i.attachment_id]
