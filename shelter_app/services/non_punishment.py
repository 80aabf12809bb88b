"""Measures taken against the survivor herself, and the non-punishment principle raised
against each.

A trafficked person is often arrested, charged, fined, detained or ordered to leave for
what she was compelled to do while exploited: a false document she was handed, irregular
entry or work, cannabis cultivation, petty theft.  The non-punishment principle (Council of
Europe Convention on Action against Trafficking in Human Beings, CETS No. 197, Article 26;
Directive 2011/36/EU, Article 8) says she should not be punished for it.  Each record
here is one such measure: what it is, the offence, the authority and its reference, the
date, how the offence is linked to her exploitation, the domestic provision relied on,
and where raising the principle stands.  While it is not yet decided, the date to act by
(a hearing, a time limit to answer) is a deadline on the Deadlines page, in My day and in
the case header.  The non-punishment letter (``documents/non_punishment.py``) is made
from a record.

Everything but the date to act by is sealed under the legal key in one JSON column
(``details``; docs/VAULT_FORMAT.md, 7.1): a charge against her is as dangerous in the
wrong hands as anything in her file.  Its creation is audited naming every field.  Access
follows the legal matters: ``case.read_legal`` to read, ``case.edit_legal`` to record.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from shelter_app.domain import validate as v
from shelter_app.domain import vocab
from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action
from shelter_app.errors import NotFound
from shelter_app.i18n import _
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext, keys_not_given
from shelter_app.store import deadlines
from shelter_app.store.audit import now_utc
from shelter_app.store.cases import update as versioned_update
from shelter_app.store.db import Row

DETAILS = ("measure", "offence", "authority", "reference", "measure_on", "status", "link",
           "legal_basis", "notes")
# What the creation's audit event names: every field, whatever is filled in.
CREATED_FIELDS = sorted({*DETAILS, "act_by"})
OPEN_STATUSES = frozenset({"open", "raised"})  # the date to act by stands until decided


@dataclass(frozen=True)
class NonPunishment:
    id: str
    case_id: str
    measure: str
    offence: str
    authority: str
    reference: str
    measure_on: dt.date | None
    status: str
    link: str  # how the offence is linked to her exploitation
    legal_basis: str  # the domestic provision relied on
    notes: str
    act_by: dt.date | None
    row_version: int


def clean(measure: str, offence: str, *, status: str, authority: str, reference: str,
          measure_on: dt.date | str | None, link: str, legal_basis: str, notes: str,
          act_by: dt.date | str | None) -> tuple[dict[str, Any], str | None]:
    details = {"measure": vocab.NP_MEASURE.check(measure, "measure"),
               "offence": v.text(offence, "offence", limit=300, required=True),
               "authority": v.text(authority, "authority", limit=200),
               "reference": v.text(reference, "reference", limit=100),
               "measure_on": v.iso(v.date(measure_on, "measure_on", not_future=True)),
               "status": vocab.NP_STATUS.check(status, "status"),
               "link": v.note(link, "link"),
               "legal_basis": v.text(legal_basis, "legal_basis", limit=300),
               "notes": v.note(notes, "notes")}
    return details, v.iso(v.date(act_by, "act_by"))


class NonPunishmentService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._access = CaseAccess(ctx)

    def add(self, case_id: str, *, measure: str, offence: str, status: str = "open",
            authority: str = "", reference: str = "", measure_on: dt.date | str | None = None,
            link: str = "", legal_basis: str = "", notes: str = "",
            act_by: dt.date | str | None = None) -> NonPunishment:
        scope = self._access.require(case_id, Action.EDIT_LEGAL)
        details, due = clean(measure, offence, status=status, authority=authority,
                             reference=reference, measure_on=measure_on, link=link,
                             legal_basis=legal_basis, notes=notes, act_by=act_by)
        record_id, now, me = str(uuid.uuid4()), now_utc(), self._ctx.session.user_id
        with self._ctx.write(Action.EDIT_LEGAL, Event.RECORD_CREATED, scope=scope,
                             target_type="non_punishment", target_id=record_id,
                             details={"fields": CREATED_FIELDS}) as db:
            db.execute("INSERT INTO non_punishment (id, case_id, details, act_by, created_at,"
                       " updated_at, created_by, updated_by) VALUES (:id, :case, :details,"
                       " :due, :now, :now, :me, :me)",
                       {"id": record_id, "case": case_id, "due": due, "now": now, "me": me,
                        "details": self._seal(record_id, details)})
            self._sync(db, case_id, record_id, details, due)
        return self.get(record_id)

    def update(self, record_id: str, *, measure: str, offence: str, status: str,
               authority: str = "", reference: str = "",
               measure_on: dt.date | str | None = None, link: str = "",
               legal_basis: str = "", notes: str = "", act_by: dt.date | str | None = None,
               version: int | None = None) -> NonPunishment:
        """Replace the record's fields; refused if it changed since *version* was read."""
        current = self.get(record_id)
        scope = self._access.require(current.case_id, Action.EDIT_LEGAL)
        details, due = clean(measure, offence, status=status, authority=authority,
                             reference=reference, measure_on=measure_on, link=link,
                             legal_basis=legal_basis, notes=notes, act_by=act_by)
        was = {**_details(current), "act_by": v.iso(current.act_by)}
        changed = sorted(k for k, x in {**details, "act_by": due}.items() if was[k] != x)
        from shelter_app.services.cases import concurrent_change

        if version is not None and version != current.row_version:
            raise concurrent_change()
        if not changed:
            return current
        with self._ctx.write(Action.EDIT_LEGAL, Event.RECORD_UPDATED, scope=scope,
                             target_type="non_punishment", target_id=record_id,
                             details={"fields": changed}) as db:
            if not versioned_update(db, "non_punishment", record_id, {
                    "details": self._seal(record_id, details), "act_by": due,
                    "updated_at": now_utc(), "updated_by": self._ctx.session.user_id},
                    version):
                raise concurrent_change()
            self._sync(db, current.case_id, record_id, details, due)
        return self.get(record_id)

    def _sync(self, db: Any, case_id: str, record_id: str, details: dict[str, Any],
              due: str | None) -> None:
        deadlines.sync(db, case_id=case_id, source="non_punishment", source_id=record_id,
                       dates={"non_punishment": due if details["status"] in OPEN_STATUSES
                              else None})

    def get(self, record_id: str) -> NonPunishment:
        row = self._ctx.db.one("SELECT * FROM non_punishment WHERE id = :id", {"id": record_id})
        if row is None:
            raise NotFound(_("No such non-punishment record."))
        self._access.require(row["case_id"], Action.READ_LEGAL)
        return self._record(row)

    def list(self, case_id: str) -> builtins.list[NonPunishment]:
        self._access.require(case_id, Action.READ_LEGAL)
        return [self._record(r) for r in self._ctx.db.all(
            "SELECT * FROM non_punishment WHERE case_id = :c ORDER BY created_at",
            {"c": case_id})]

    def _seal(self, record_id: str, details: dict[str, Any]) -> str:
        return self._ctx.seal(KeyName.LEGAL, "non_punishment", record_id, "details",
                              json.dumps({k: details[k] for k in DETAILS}, ensure_ascii=False))

    def _record(self, r: Row) -> NonPunishment:
        opened = self._ctx.unseal(KeyName.LEGAL, "non_punishment", r["id"], "details",
                                  r["details"])
        if opened is None:
            raise keys_not_given(reading=True)
        d = json.loads(opened)
        return NonPunishment(
            r["id"], r["case_id"], d["measure"], d["offence"], d["authority"], d["reference"],
            dt.date.fromisoformat(d["measure_on"]) if d["measure_on"] else None, d["status"],
            d["link"], d["legal_basis"], d["notes"],
            dt.date.fromisoformat(r["act_by"]) if r["act_by"] else None, r["row_version"])


def _details(r: NonPunishment) -> dict[str, Any]:
    return {"measure": r.measure, "offence": r.offence, "authority": r.authority,
            "reference": r.reference, "measure_on": v.iso(r.measure_on), "status": r.status,
            "link": r.link, "legal_basis": r.legal_basis, "notes": r.notes}
