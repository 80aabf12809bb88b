"""Services given to a survivor, and the catalogue of service types.

Entries of health types (medical, psychosocial, or any type a coordinator marks as health)
keep their notes and outcome from roles that may not read the health section.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from shelter_app.domain import validate as v
from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action
from shelter_app.errors import NotFound, ValidationError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.cases import concurrent_change
from shelter_app.services.context import ServiceContext
from shelter_app.store import directory
from shelter_app.store.audit import now_utc
from shelter_app.store.cases import update as versioned_update
from shelter_app.store.db import Row


@dataclass(frozen=True)
class ServiceType:
    id: str
    code: str
    label: str
    is_health: bool
    built_in: bool


@dataclass(frozen=True)
class ServiceEntry:
    id: str
    case_id: str
    service_code: str
    provided_on: dt.date
    provider_kind: str
    partner_id: str | None
    duration_minutes: int | None
    staff_id: str | None
    outcome: str | None  # None when restricted
    notes: str | None  # None when restricted
    restricted: bool
    row_version: int = 1
    # restricted only because this account has not received the entry's key yet
    waiting_for_key: bool = False


class CareService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._access = CaseAccess(ctx)

    # -- catalogue -----------------------------------------------------------------
    def catalogue(self) -> list[ServiceType]:
        rows = self._ctx.db.all("SELECT * FROM service_types ORDER BY built_in DESC, code")
        return [ServiceType(r["id"], r["code"], _(r["label"]) if r["built_in"] else r["label"],
                            bool(r["is_health"]), bool(r["built_in"])) for r in rows]

    def add_type(self, label: str, *, is_health: bool = False) -> ServiceType:
        self._ctx.require(Action.MANAGE_CATALOGUE)
        text = v.text(label, "label", required=True, limit=100)
        code = re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")[:40] or "service"
        if self._ctx.db.scalar("SELECT 1 FROM service_types WHERE code = :c OR lower(label) ="
                               " lower(:l)", {"c": code, "l": text}):
            raise ValidationError(_("That service is already in the catalogue."), "label")
        type_id, now, me = str(uuid.uuid4()), now_utc(), self._ctx.session.user_id
        with self._ctx.write(Action.MANAGE_CATALOGUE, Event.RECORD_CREATED,
                             target_type="service_type", target_id=type_id) as db:
            db.execute("INSERT INTO service_types (id, code, label, is_health, built_in,"
                       " created_at, updated_at, created_by, updated_by) VALUES (:id, :code,"
                       " :label, :health, 0, :now, :now, :me, :me)",
                       {"id": type_id, "code": code, "label": text, "health": int(is_health),
                        "now": now, "me": me})
        return next(t for t in self.catalogue() if t.id == type_id)

    def _type(self, code: str) -> ServiceType:
        found = next((t for t in self.catalogue() if t.code == code), None)
        if found is None:
            raise ValidationError(fill(_("Unknown service '{code}'."), code=code), "service")
        return found

    # -- entries -------------------------------------------------------------------
    def record(self, case_id: str, service: str, *, provided_on: dt.date | str,
               provider_kind: str = "internal", partner_id: str | None = None,
               duration_minutes: int | str | None = None, staff_id: str | None = None,
               outcome: str = "", notes: str = "") -> ServiceEntry:
        scope = self._access.require(case_id, Action.RECORD_SERVICE)
        if not service:
            raise ValidationError(_("Choose the service that was given."), "service")
        stype = self._type(service)
        if stype.is_health:
            self._access.require(case_id, Action.EDIT_HEALTH)
        day, minutes = self._check(provided_on, provider_kind, partner_id, duration_minutes)
        entry_id, now, me = str(uuid.uuid4()), now_utc(), self._ctx.session.user_id
        sealed = self._sealed(entry_id, stype.is_health, v.text(outcome, "outcome", limit=2000),
                              v.note(notes, "notes"))
        with self._ctx.write(Action.RECORD_SERVICE, Event.RECORD_CREATED, scope=scope,
                             target_type="service_entry", target_id=entry_id,
                             details={"fields": ["service", "provided_on"]}) as db:
            db.execute(
                "INSERT INTO service_entries (id, case_id, service_type_id, provided_on,"
                " provider_kind, partner_id, duration_minutes, staff_id, outcome, notes,"
                " created_at, updated_at, created_by, updated_by) VALUES (:id, :case, :type,"
                " :day, :kind, :partner, :minutes, :staff, :outcome, :notes, :now, :now, :me, :me)",
                {"id": entry_id, "case": case_id, "type": stype.id, "day": day.isoformat(),
                 "kind": provider_kind,
                 "partner": partner_id if provider_kind == "partner" else None,
                 "minutes": minutes, "staff": staff_id or me,
                 "outcome": sealed["outcome"], "notes": sealed["notes"], "now": now, "me": me})
        return next(e for e in self.list(case_id) if e.id == entry_id)

    def _sealed(self, entry_id: str, health: bool, outcome: str, notes: str) -> dict[str, str]:
        """Outcome and notes sealed under the health key for a health type, else the case
        key (docs/VAULT_FORMAT.md, section 7.1)."""
        key = KeyName.HEALTH if health else KeyName.CASE
        return {column: self._ctx.seal(key, "service_entries", entry_id, column, text)
                for column, text in (("outcome", outcome), ("notes", notes))}

    def _opened(self, row: Row) -> tuple[str | None, str | None]:
        key = KeyName.HEALTH if row["is_health"] else KeyName.CASE
        return (self._ctx.unseal(key, "service_entries", row["id"], "outcome", row["outcome"]),
                self._ctx.unseal(key, "service_entries", row["id"], "notes", row["notes"]))

    def _check(self, provided_on: dt.date | str, provider_kind: str, partner_id: str | None,
               duration_minutes: int | str | None) -> tuple[dt.date, int | None]:
        """The date and minutes of an entry, checked with its provider."""
        day = v.date(provided_on, "provided_on", required=True)
        assert day is not None
        if day > dt.date.today() + dt.timedelta(days=1):
            raise ValidationError(_("A service is recorded once it was given; that date is in "
                                    "the future."), "provided_on")
        if provider_kind not in ("internal", "partner"):
            raise ValidationError(_("Choose who gave the service: this organisation or a "
                                    "partner."),
                                  "provider_kind")
        if provider_kind == "partner" and not directory.partner_exists(self._ctx.db, partner_id):
            raise ValidationError(_("Choose the partner who gave the service."), "partner_id")
        minutes = None
        if duration_minutes not in (None, ""):
            try:
                minutes = int(str(duration_minutes))
            except ValueError as exc:
                raise ValidationError(_("Enter the duration in whole minutes."),
                                      "duration_minutes") from exc
            if not 0 <= minutes <= 100_000:
                raise ValidationError(_("That duration is not possible."), "duration_minutes")
        return day, minutes

    def update(self, entry_id: str, *, row_version: int, service: str,
               provided_on: dt.date | str, provider_kind: str = "internal",
               partner_id: str | None = None, duration_minutes: int | str | None = None,
               outcome: str = "", notes: str = "") -> ServiceEntry:
        """Correct a recorded entry (its staff member and case stay the same).

        *row_version* is the version the form was filled from: a colleague's change made
        meanwhile is refused, not overwritten.  An entry of a health type, before or after
        the change, is corrected only by roles that may edit health.  The audit event names
        the fields changed, never their content."""
        before = self._ctx.db.one(
            "SELECT e.*, t.code, t.is_health FROM service_entries e JOIN service_types t"
            " ON t.id = e.service_type_id WHERE e.id = :id", {"id": entry_id})
        if before is None:
            raise NotFound(_("No such service entry."))
        case_id = str(before["case_id"])
        scope = self._access.require(case_id, Action.RECORD_SERVICE)
        if not service:
            raise ValidationError(_("Choose the service that was given."), "service")
        stype = self._type(service)
        if before["is_health"] or stype.is_health:
            self._access.require(case_id, Action.EDIT_HEALTH)
        day, minutes = self._check(provided_on, provider_kind, partner_id, duration_minutes)
        values = {"service_type_id": stype.id, "provided_on": day.isoformat(),
                  "provider_kind": provider_kind,
                  "partner_id": partner_id if provider_kind == "partner" else None,
                  "duration_minutes": minutes,
                  "outcome": v.text(outcome, "outcome", limit=2000),
                  "notes": v.note(notes, "notes")}
        old_outcome, old_notes = self._opened(before)
        was = {**dict(zip(before.keys(), before, strict=True)), "outcome": old_outcome,
               "notes": old_notes}
        names = {"service_type_id": "service"}
        changed = sorted(names.get(k, k) for k, x in values.items() if was[k] != x)
        if changed:  # sealed again, under the class of the type the entry has now
            values.update(self._sealed(entry_id, stype.is_health, str(values["outcome"]),
                                       str(values["notes"])))
        if before["row_version"] != row_version:
            raise concurrent_change()
        if not changed:
            return self.get(entry_id)
        with self._ctx.write(Action.RECORD_SERVICE, Event.RECORD_UPDATED, scope=scope,
                             target_type="service_entry", target_id=entry_id,
                             details={"fields": changed}) as db:
            if not versioned_update(db, "service_entries", entry_id, {
                    **values, "updated_at": now_utc(),
                    "updated_by": self._ctx.session.user_id}, row_version):
                raise concurrent_change()
        return self.get(entry_id)

    def get(self, entry_id: str) -> ServiceEntry:
        case_id = self._ctx.db.scalar("SELECT case_id FROM service_entries WHERE id = :id",
                                      {"id": entry_id})
        if case_id is None:
            raise NotFound(_("No such service entry."))
        found = next((e for e in self.list(str(case_id)) if e.id == entry_id), None)
        if found is None:
            raise NotFound(_("No such service entry."))
        return found

    def list(self, case_id: str) -> list[ServiceEntry]:
        scope = self._access.require(case_id, Action.RECORD_SERVICE)
        may_read_health = self._ctx.allowed(Action.READ_HEALTH, scope)
        rows = self._ctx.db.all(
            "SELECT e.*, t.code, t.is_health FROM service_entries e JOIN service_types t"
            " ON t.id = e.service_type_id WHERE e.case_id = :c ORDER BY e.provided_on DESC,"
            " e.created_at DESC", {"c": case_id})
        out = []
        for r in rows:
            hidden = bool(r["is_health"]) and not may_read_health
            outcome, notes = (None, None) if hidden else self._opened(r)
            waiting = not hidden and (outcome is None or notes is None)
            hidden = hidden or waiting
            out.append(ServiceEntry(
                r["id"], r["case_id"], r["code"], dt.date.fromisoformat(r["provided_on"]),
                r["provider_kind"], r["partner_id"], r["duration_minutes"], r["staff_id"],
                None if hidden else outcome, None if hidden else notes, hidden,
                r["row_version"], waiting))
        if any(bool(r["is_health"]) for r in rows):
            self._ctx.record(Event.SECTION_OPENED, target_type="case", target_id=case_id,
                             details={"section": "health" if may_read_health else "services"})
        return out
