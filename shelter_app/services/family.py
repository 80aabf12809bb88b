"""The survivor's family members and dependants.

Each has a name, a relationship, a date of birth, where they are (place and country),
whether they are at risk, whether they are included in an application and why (a T visa's
Supplement A, say), and notes.  A residence template's worksheet that names
``family_fields`` lists those included in the application instead of blank rows.

Everything about them is sealed under the case key in one JSON column (``details``;
docs/VAULT_FORMAT.md, 7.1): they are as exposed to traffickers as she is.  Their creation
is audited naming every field, so the log does not say who is at risk.  Reading follows
the case; recording needs ``case.family`` (coordinators, the caseworker of the case, a
legal volunteer it is shared with).
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from shelter_app.documents.templates import FAMILY_FIELDS
from shelter_app.domain import validate as v
from shelter_app.domain import vocab
from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action
from shelter_app.errors import NotFound
from shelter_app.i18n import _
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext, keys_not_given, require_case_key
from shelter_app.store.audit import now_utc
from shelter_app.store.cases import update as versioned_update
from shelter_app.store.db import Row

DETAILS = FAMILY_FIELDS  # what a residence worksheet's family_fields may name


@dataclass(frozen=True)
class FamilyMember:
    id: str
    case_id: str
    name: str
    relationship: str
    birth_date: dt.date | None
    place: str
    country: str | None
    at_risk: bool
    included: bool  # in an application (as a derivative or dependant)
    reason: str  # why included, or why at risk
    notes: str
    row_version: int


def clean(name: str, relationship: str, *, birth_date: dt.date | str | None, place: str,
          country: str | None, at_risk: bool, included: bool, reason: str,
          notes: str) -> dict[str, Any]:
    return {"name": v.text(name, "name", limit=200, required=True),
            "relationship": vocab.FAMILY_RELATIONSHIP.check(relationship, "relationship"),
            "birth_date": v.iso(v.date(birth_date, "birth_date", not_future=True)),
            "place": v.text(place, "place", limit=300),
            "country": v.country(country, "country") if country else None,
            "at_risk": bool(at_risk), "included": bool(included),
            "reason": v.text(reason, "reason", limit=500), "notes": v.note(notes, "notes")}


class FamilyService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._access = CaseAccess(ctx)

    def add(self, case_id: str, name: str, relationship: str, *,
            birth_date: dt.date | str | None = None, place: str = "",
            country: str | None = None, at_risk: bool = False, included: bool = False,
            reason: str = "", notes: str = "") -> FamilyMember:
        scope = self._access.require(case_id, Action.EDIT_FAMILY)
        require_case_key(self._ctx)
        details = clean(name, relationship, birth_date=birth_date, place=place,
                        country=country, at_risk=at_risk, included=included, reason=reason,
                        notes=notes)
        member_id, now, me = str(uuid.uuid4()), now_utc(), self._ctx.session.user_id
        with self._ctx.write(Action.EDIT_FAMILY, Event.RECORD_CREATED, scope=scope,
                             target_type="family_member", target_id=member_id,
                             details={"fields": sorted(DETAILS)}) as db:
            db.execute("INSERT INTO family_members (id, case_id, details, created_at,"
                       " updated_at, created_by, updated_by) VALUES (:id, :case, :details,"
                       " :now, :now, :me, :me)",
                       {"id": member_id, "case": case_id, "now": now, "me": me,
                        "details": self._seal(member_id, details)})
        return self.get(member_id)

    def update(self, member_id: str, *, name: str, relationship: str,
               birth_date: dt.date | str | None = None, place: str = "",
               country: str | None = None, at_risk: bool = False, included: bool = False,
               reason: str = "", notes: str = "",
               version: int | None = None) -> FamilyMember:
        current = self.get(member_id)
        scope = self._access.require(current.case_id, Action.EDIT_FAMILY)
        require_case_key(self._ctx)
        details = clean(name, relationship, birth_date=birth_date, place=place,
                        country=country, at_risk=at_risk, included=included, reason=reason,
                        notes=notes)
        was = _details(current)
        changed = sorted(k for k, x in details.items() if was[k] != x)
        from shelter_app.services.cases import concurrent_change

        if version is not None and version != current.row_version:
            raise concurrent_change()
        if not changed:
            return current
        with self._ctx.write(Action.EDIT_FAMILY, Event.RECORD_UPDATED, scope=scope,
                             target_type="family_member", target_id=member_id,
                             details={"fields": changed}) as db:
            if not versioned_update(db, "family_members", member_id, {
                    "details": self._seal(member_id, details), "updated_at": now_utc(),
                    "updated_by": self._ctx.session.user_id}, version):
                raise concurrent_change()
        return self.get(member_id)

    def get(self, member_id: str) -> FamilyMember:
        row = self._ctx.db.one("SELECT * FROM family_members WHERE id = :id", {"id": member_id})
        if row is None:
            raise NotFound(_("No such family member."))
        self._access.require(row["case_id"], Action.READ_CASE)
        return self._member(row)

    def list(self, case_id: str) -> builtins.list[FamilyMember]:
        self._access.require(case_id, Action.READ_CASE)
        return [self._member(r) for r in self._ctx.db.all(
            "SELECT * FROM family_members WHERE case_id = :c ORDER BY created_at",
            {"c": case_id})]

    def _seal(self, member_id: str, details: dict[str, Any]) -> str:
        return self._ctx.seal(KeyName.CASE, "family_members", member_id, "details",
                              json.dumps({k: details[k] for k in DETAILS}, ensure_ascii=False))

    def _member(self, r: Row) -> FamilyMember:
        opened = self._ctx.unseal(KeyName.CASE, "family_members", r["id"], "details",
                                  r["details"])
        if opened is None:
            raise keys_not_given(reading=True)
        d = json.loads(opened)
        return FamilyMember(r["id"], r["case_id"], d["name"], d["relationship"],
                            dt.date.fromisoformat(d["birth_date"]) if d["birth_date"] else None,
                            d["place"], d["country"], d["at_risk"], d["included"],
                            d["reason"], d["notes"], r["row_version"])


def _details(m: FamilyMember) -> dict[str, Any]:
    return {"name": m.name, "relationship": m.relationship,
            "birth_date": v.iso(m.birth_date), "place": m.place, "country": m.country,
            "at_risk": m.at_risk, "included": m.included, "reason": m.reason,
            "notes": m.notes}
