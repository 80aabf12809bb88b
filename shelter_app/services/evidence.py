"""The evidence checklist of a legal matter (part of ``LegalService``).

Each item names a piece of evidence, whether the application requires it, its state —
still needed, requested, obtained, or not applicable (with the reason) — who holds the
original, and the case's attachments that document it (any number; each becomes an
exhibit of the packet, in the order they were linked).  A residence template's checklist
is added in one step.  Pre-flight counts a required item as missing until a document is
linked to it or it is marked not applicable.

Labels, reasons and holders are sealed under the legal key (docs/VAULT_FORMAT.md, 7.1).
``evidence_items.attachment_id`` keeps the first linked attachment, for readers of the
earlier format; ``evidence_links`` holds them all.
"""

from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shelter_app.documents import templates
from shelter_app.domain import validate as v
from shelter_app.domain import vocab
from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action
from shelter_app.errors import NotFound, ValidationError
from shelter_app.i18n import _
from shelter_app.store.audit import now_utc
from shelter_app.store.db import Database, Row

if TYPE_CHECKING:
    from shelter_app.services.case_access import CaseAccess
    from shelter_app.services.context import ServiceContext

SEALED = ("label", "reason", "holder")


@dataclass(frozen=True)
class EvidenceItem:
    id: str
    matter_id: str
    label: str
    required: bool
    attachment_id: str | None  # the first linked attachment
    attachment_ids: tuple[str, ...] = ()
    state: str = "needed"
    reason: str = ""
    holder: str = ""
    row_version: int = 1

    @property
    def missing(self) -> bool:
        """Required, with no document and not marked not applicable."""
        return self.required and not self.attachment_ids and self.state != "not_applicable"


class EvidenceChecklist:
    """The checklist methods of ``LegalService``; it provides ``_ctx``, ``_access`` and
    ``get`` (the matter, read with the permission check)."""

    _ctx: ServiceContext
    _access: CaseAccess

    def get(self, matter_id: str) -> object: ...  # overridden by LegalService

    def _matter_case(self, matter_id: str) -> str:
        return str(self.get(matter_id).case_id)  # type: ignore[attr-defined]

    def add_evidence(self, matter_id: str, label: str, *, required: bool = True) -> EvidenceItem:
        case_id = self._matter_case(matter_id)
        scope = self._access.require(case_id, Action.EDIT_LEGAL)
        item_id, now, me = str(uuid.uuid4()), now_utc(), self._ctx.session.user_id
        with self._ctx.write(Action.EDIT_LEGAL, Event.RECORD_CREATED, scope=scope,
                             target_type="evidence_item", target_id=item_id) as db:
            db.execute("INSERT INTO evidence_items (id, matter_id, label, required, reason,"
                       " holder, created_at, updated_at, created_by, updated_by) VALUES (:id,"
                       " :m, :label, :req, :reason, :holder, :now, :now, :me, :me)",
                       {"id": item_id, "m": matter_id, "req": int(required), "now": now,
                        "me": me, **self._seal_texts(item_id, {
                            "label": v.text(label, "label", required=True),
                            "reason": "", "holder": ""})})
        return self.evidence_item(item_id)

    def checklist_templates(self, matter_id: str) -> builtins.list[tuple[str, str]]:
        """(id, name) of the residence templates whose checklist fits the matter's type."""
        matter_type = self.get(matter_id).matter_type  # type: ignore[attr-defined]
        return [(t.id, t.name) for t in templates.available() if matter_type in t.matter_types]

    def add_checklist(self, matter_id: str, template_id: str) -> int:
        """Add to the matter's checklist, in the template's order, each evidence
        requirement of the template that no item on it meets yet (required or optional as
        the template says).  Returns how many were added."""
        matter = self.get(matter_id)
        self._access.require(matter.case_id, Action.EDIT_LEGAL)  # type: ignore[attr-defined]
        template = templates.load(template_id)
        if matter.matter_type not in template.matter_types:  # type: ignore[attr-defined]
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

    def _item_case(self, item_id: str) -> tuple[Row, str]:
        row = self._ctx.db.one("SELECT e.*, m.case_id FROM evidence_items e JOIN"
                               " legal_matters m ON m.id = e.matter_id WHERE e.id = :id",
                               {"id": item_id})
        if row is None:
            raise NotFound(_("No such evidence item."))
        return row, row["case_id"]

    def link_evidence(self, item_id: str, attachment_id: str | None) -> None:
        """Link one more of the case's attachments to the item (it is then obtained);
        ``None`` unlinks every attachment."""
        if attachment_id is None:
            self.unlink_evidence(item_id, None)
            return
        row, case_id = self._item_case(item_id)
        scope = self._access.require(case_id, Action.EDIT_LEGAL)
        if self._ctx.db.scalar("SELECT case_id FROM attachments WHERE id = :a",
                               {"a": attachment_id}) != case_id:
            raise ValidationError(_("That attachment belongs to another case."), "attachment")
        if attachment_id in self._links(self._ctx.db, item_id):
            return
        changed = ["attachments"] + (["state"] if row["state"] not in ("obtained",
                                                                       "not_applicable") else [])
        with self._ctx.write(Action.EDIT_LEGAL, Event.RECORD_UPDATED, scope=scope,
                             target_type="evidence_item", target_id=item_id,
                             details={"fields": changed}) as db:
            db.execute("INSERT INTO evidence_links (item_id, attachment_id, created_at,"
                       " created_by) VALUES (:i, :a, :now, :me)",
                       {"i": item_id, "a": attachment_id, "now": now_utc(),
                        "me": self._ctx.session.user_id})
            self._touch(db, item_id, state="obtained")

    def unlink_evidence(self, item_id: str, attachment_id: str | None) -> None:
        """Unlink one attachment from the item, or every one (``None``).  An item left
        with no document that was obtained is needed again."""
        _row, case_id = self._item_case(item_id)
        scope = self._access.require(case_id, Action.EDIT_LEGAL)
        linked = self._links(self._ctx.db, item_id)
        gone = linked if attachment_id is None else [a for a in linked if a == attachment_id]
        if not gone:
            return
        with self._ctx.write(Action.EDIT_LEGAL, Event.RECORD_UPDATED, scope=scope,
                             target_type="evidence_item", target_id=item_id,
                             details={"fields": ["attachments"]}) as db:
            for one in gone:
                db.execute("DELETE FROM evidence_links WHERE item_id = :i AND"
                           " attachment_id = :a", {"i": item_id, "a": one})
            left = len(linked) - len(gone)
            self._touch(db, item_id, state=None if left else "needed")

    def set_evidence_state(self, item_id: str, state: str, *, reason: str = "",
                           holder: str = "", version: int | None = None) -> EvidenceItem:
        """Mark the item needed, requested, obtained or not applicable (which needs the
        reason), and say who holds the original; refused if it changed since *version*."""
        row, case_id = self._item_case(item_id)
        scope = self._access.require(case_id, Action.EDIT_LEGAL)
        state = vocab.EVIDENCE_STATE.check(state, "state")
        reason = v.text(reason, "reason", limit=500)
        holder = v.text(holder, "holder", limit=200)
        if state == "not_applicable" and not reason:
            raise ValidationError(_("Say why this evidence is not applicable."), "reason")
        current = self.evidence_item(item_id)
        from shelter_app.services.cases import concurrent_change

        if version is not None and version != current.row_version:
            raise concurrent_change()
        changed = [k for k, new, old in (("state", state, current.state),
                                         ("reason", reason, current.reason),
                                         ("holder", holder, current.holder)) if new != old]
        if not changed:
            return current
        with self._ctx.write(Action.EDIT_LEGAL, Event.RECORD_UPDATED, scope=scope,
                             target_type="evidence_item", target_id=item_id,
                             details={"fields": changed}) as db:
            sealed = self._seal_texts(item_id, {"reason": reason, "holder": holder})
            done = db.execute(
                "UPDATE evidence_items SET state = :state, reason = :reason, holder = :holder,"
                " updated_at = :now, updated_by = :me, row_version = row_version + 1"
                " WHERE id = :id AND row_version = :version",
                {"state": state, **sealed, "now": now_utc(), "me": self._ctx.session.user_id,
                 "id": item_id, "version": row["row_version"]})
            if not done.rowcount:
                raise concurrent_change()
        return self.evidence_item(item_id)

    def evidence_item(self, item_id: str) -> EvidenceItem:
        row, case_id = self._item_case(item_id)
        self._access.require(case_id, Action.READ_LEGAL)
        return self._item(row)

    def evidence(self, matter_id: str) -> builtins.list[EvidenceItem]:
        self.get(matter_id)
        return [self._item(r) for r in self._ctx.db.all(
            "SELECT * FROM evidence_items WHERE matter_id = :m ORDER BY created_at",
            {"m": matter_id})]

    def missing_evidence(self, matter_id: str) -> builtins.list[EvidenceItem]:
        return [i for i in self.evidence(matter_id) if i.missing]

    # -- rows ---------------------------------------------------------------------------
    @staticmethod
    def _links(db: Database, item_id: str) -> builtins.list[str]:
        return [str(a) for a in db.column(
            "SELECT attachment_id FROM evidence_links WHERE item_id = :i"
            " ORDER BY created_at, attachment_id", {"i": item_id})]

    def _touch(self, db: Database, item_id: str, *, state: str | None) -> None:
        """After the links changed: the first one kept in ``attachment_id``, the state
        moved to *state* unless the item is not applicable, a new row version."""
        links = self._links(db, item_id)
        db.execute("UPDATE evidence_items SET attachment_id = :a,"
                   " state = CASE WHEN :state IS NULL OR state = 'not_applicable' THEN state"
                   " ELSE :state END, updated_at = :now, updated_by = :me,"
                   " row_version = row_version + 1 WHERE id = :id",
                   {"a": links[0] if links else None, "state": state, "now": now_utc(),
                    "me": self._ctx.session.user_id, "id": item_id})

    def _seal_texts(self, item_id: str, values: dict[str, str]) -> dict[str, str]:
        return {c: self._ctx.seal(KeyName.LEGAL, "evidence_items", item_id, c, text)
                for c, text in values.items()}

    def _item(self, r: Row) -> EvidenceItem:
        def opened(column: str) -> str:
            return self._ctx.unseal(KeyName.LEGAL, "evidence_items", r["id"], column,
                                    r[column]) or ""

        links = tuple(self._links(self._ctx.db, r["id"]))
        return EvidenceItem(r["id"], r["matter_id"], opened("label"), bool(r["required"]),
                            links[0] if links else None, links, r["state"], opened("reason"),
                            opened("holder"), r["row_version"])
