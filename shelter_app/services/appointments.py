"""Appointments, with conflict detection for the survivor, staff, volunteer, interpreter
and room.  A conflict in a case the user cannot see is described without naming it."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

from shelter_app.domain import names, vocab
from shelter_app.domain import validate as v
from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import NotFound, ShelterError, ValidationError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import format_datetime, format_time, isolated
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext, require_case_key
from shelter_app.store.audit import now_utc
from shelter_app.store.cases import update as versioned_update
from shelter_app.store.db import Row

ACTIVE = ("scheduled", "confirmed")


@dataclass(frozen=True)
class Appointment:
    id: str
    case_id: str
    appointment_type: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str
    room: str
    staff_id: str | None
    volunteer: str
    interpreter: str
    interpreter_language: str | None
    status: str
    notes: str
    row_version: int
    case_code: str = ""


@dataclass(frozen=True)
class StaffMember:
    """Someone who can be booked for an appointment (name only: no roles, no contact)."""

    id: str
    name: str
    active: bool


@dataclass(frozen=True)
class SheetLine:
    """One line of a printed day list: the case CODE, never the survivor's name."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    case_code: str
    appointment_type: str
    location: str
    room: str
    interpreter: str
    interpreter_language: str | None
    status: str


@dataclass(frozen=True)
class Conflict:
    kind: str  # survivor, staff, volunteer, interpreter, room
    appointment_id: str
    starts_at: dt.datetime
    ends_at: dt.datetime

    def describe(self) -> str:
        what = {"survivor": _("The survivor already has an appointment"),
                "staff": _("The staff member is already booked"),
                "volunteer": _("The volunteer is already booked"),
                "interpreter": _("The interpreter is already booked"),
                "room": _("The room is already booked")}[self.kind]
        start, end = self.starts_at.astimezone(), self.ends_at.astimezone()
        end_text = format_time(end) if end.date() == start.date() else format_datetime(end)
        return _("{what} from {start} to {end}.").format(
            what=what, start=isolated(format_datetime(start)), end=isolated(end_text))


class AppointmentConflict(ShelterError):
    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__(" ".join(c.describe() for c in conflicts))
        self.conflicts = conflicts





SELECT = "SELECT a.*, c.code AS case_code FROM appointments a JOIN cases c ON c.id = a.case_id"
CASE_SCOPES = (Scope.ASSIGNED, Scope.SHARED, Scope.OTHER)


def _appointment(r: Row, notes: str) -> Appointment:
    return Appointment(r["id"], r["case_id"], r["appointment_type"],
                       v.parse_utc(r["starts_at"]), v.parse_utc(r["ends_at"]), r["location"],
                       r["room"], r["staff_id"], r["volunteer"],
                       r["interpreter"], r["interpreter_language"], r["status"], notes,
                       r["row_version"], r["case_code"])


class AppointmentService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._access = CaseAccess(ctx)

    def conflicts(self, *, case_id: str, starts_at: dt.datetime, ends_at: dt.datetime,
                  staff_id: str | None = None, volunteer: str = "", interpreter: str = "",
                  room: str = "", location: str = "", ignore_id: str | None = None
                  ) -> list[Conflict]:
        rows = self._ctx.db.all(
            "SELECT id, case_id, starts_at, ends_at, staff_id, volunteer, interpreter, room,"
            " location FROM appointments WHERE status IN ('scheduled', 'confirmed')"
            " AND starts_at < :end AND ends_at > :start AND id != :ignore",
            {"start": v.iso(starts_at), "end": v.iso(ends_at), "ignore": ignore_id or ""})
        found = []
        for r in rows:
            kinds = []
            if r["case_id"] == case_id:
                kinds.append("survivor")
            if staff_id and r["staff_id"] == staff_id:
                kinds.append("staff")
            if volunteer.strip() and names.fold(r["volunteer"]) == names.fold(volunteer):
                kinds.append("volunteer")
            if interpreter.strip() and names.fold(r["interpreter"]) == names.fold(interpreter):
                kinds.append("interpreter")
            if room.strip() and names.fold(r["room"]) == names.fold(room) and (
                    names.fold(r["location"]) == names.fold(location)):
                kinds.append("room")
            start, end = v.parse_utc(r["starts_at"]), v.parse_utc(r["ends_at"])
            found += [Conflict(k, r["id"], start, end) for k in kinds]
        return found

    def _clean(self, case_id: str, appointment_type: str, starts_at: dt.datetime | str,
               ends_at: dt.datetime | str, *, location: str, room: str, staff_id: str | None,
               volunteer: str, interpreter: str, interpreter_language: str | None, notes: str,
               allow_conflicts: bool, ignore_id: str | None = None) -> dict[str, object]:
        """Checked column values, or ValidationError / AppointmentConflict."""
        start = v.datetime_utc(starts_at, "starts_at")
        end = v.datetime_utc(ends_at, "ends_at")
        if end <= start:
            raise ValidationError(_("The appointment must end after it starts."), "ends_at")
        if end - start > dt.timedelta(hours=24):
            raise ValidationError(_("An appointment can last at most 24 hours."), "ends_at")
        if staff_id and not self._ctx.db.scalar(
                "SELECT 1 FROM users WHERE id = :u AND status = 'active'", {"u": staff_id}):
            raise ValidationError(_("Choose an active staff member."), "staff_id")
        fields: dict[str, object] = {
            "appointment_type": vocab.APPOINTMENT_TYPE.check(appointment_type,
                                                             "appointment_type"),
            "location": v.text(location, "location", limit=300),
            "room": v.text(room, "room", limit=100),
            "volunteer": v.text(volunteer, "volunteer"),
            "interpreter": v.text(interpreter, "interpreter"),
            "interpreter_language": (v.language(interpreter_language, "interpreter_language")
                                     if interpreter_language else None),
            "notes": v.note(notes, "notes"),
        }
        if fields["interpreter"] and not fields["interpreter_language"]:
            raise ValidationError(_("Say which language the interpreter speaks."),
                                  "interpreter_language")
        found = self.conflicts(case_id=case_id, starts_at=start, ends_at=end, staff_id=staff_id,
                               volunteer=str(fields["volunteer"]),
                               interpreter=str(fields["interpreter"]), room=str(fields["room"]),
                               location=str(fields["location"]), ignore_id=ignore_id)
        if found and not allow_conflicts:
            raise AppointmentConflict(found)
        return {**fields, "starts_at": v.iso(start), "ends_at": v.iso(end), "staff_id": staff_id}

    def schedule(self, case_id: str, appointment_type: str, starts_at: dt.datetime | str,
                 ends_at: dt.datetime | str, *, location: str = "", room: str = "",
                 staff_id: str | None = None, volunteer: str = "", interpreter: str = "",
                 interpreter_language: str | None = None, notes: str = "",
                 allow_conflicts: bool = False) -> Appointment:
        scope = self._access.require(case_id, Action.MANAGE_APPOINTMENTS)
        require_case_key(self._ctx)
        fields = self._clean(case_id, appointment_type, starts_at, ends_at, location=location,
                             room=room, staff_id=staff_id, volunteer=volunteer,
                             interpreter=interpreter, interpreter_language=interpreter_language,
                             notes=notes, allow_conflicts=allow_conflicts)
        appointment_id, now, me = str(uuid.uuid4()), now_utc(), self._ctx.session.user_id
        filled = sorted(k for k, x in fields.items() if x)
        fields["notes"] = self._seal_notes(appointment_id, str(fields["notes"]))
        with self._ctx.write(Action.MANAGE_APPOINTMENTS, Event.RECORD_CREATED, scope=scope,
                             target_type="appointment", target_id=appointment_id,
                             details={"fields": filled}) as db:
            db.execute(
                "INSERT INTO appointments (id, case_id, appointment_type, starts_at, ends_at,"
                " location, room, staff_id, volunteer, interpreter, interpreter_language,"
                " status, notes, created_at, updated_at, created_by, updated_by) VALUES (:id,"
                " :case, :appointment_type, :starts_at, :ends_at, :location, :room, :staff_id,"
                " :volunteer, :interpreter, :interpreter_language, 'scheduled', :notes, :now,"
                " :now, :me, :me)",
                {"id": appointment_id, "case": case_id, **fields, "now": now, "me": me})
        return self.get(appointment_id)

    def update(self, appointment_id: str, *, row_version: int, appointment_type: str,
               starts_at: dt.datetime | str, ends_at: dt.datetime | str, location: str = "",
               room: str = "", staff_id: str | None = None, volunteer: str = "",
               interpreter: str = "", interpreter_language: str | None = None,
               notes: str = "", allow_conflicts: bool = False) -> Appointment:
        """Change an appointment's time, place or people (its case stays the same).

        *row_version* is the version the form was filled from: if someone changed the
        appointment meanwhile, the edit is refused instead of overwriting theirs."""
        current = self.get(appointment_id)
        scope = self._access.require(current.case_id, Action.MANAGE_APPOINTMENTS)
        require_case_key(self._ctx)
        fields = self._clean(current.case_id, appointment_type, starts_at, ends_at,
                             location=location, room=room, staff_id=staff_id,
                             volunteer=volunteer, interpreter=interpreter,
                             interpreter_language=interpreter_language, notes=notes,
                             allow_conflicts=allow_conflicts, ignore_id=appointment_id)
        before = self._ctx.db.one("SELECT * FROM appointments WHERE id = :id",
                                  {"id": appointment_id})
        assert before is not None
        was = {**dict(zip(before.keys(), before, strict=True)), "notes": current.notes}
        changed = sorted(k for k, x in fields.items() if was[k] != x)
        fields["notes"] = self._seal_notes(appointment_id, str(fields["notes"]))
        with self._ctx.write(Action.MANAGE_APPOINTMENTS, Event.RECORD_UPDATED, scope=scope,
                             target_type="appointment", target_id=appointment_id,
                             details={"fields": changed}) as db:
            if not versioned_update(db, "appointments", appointment_id, {
                    **fields, "updated_at": now_utc(),
                    "updated_by": self._ctx.session.user_id}, row_version):
                from shelter_app.services.cases import concurrent_change

                raise concurrent_change()
        return self.get(appointment_id)

    def get(self, appointment_id: str) -> Appointment:
        row = self._ctx.db.one(f"{SELECT} WHERE a.id = :id", {"id": appointment_id})
        if row is None:
            raise NotFound(_("No such appointment."))
        self._access.require(row["case_id"], Action.MANAGE_APPOINTMENTS)
        return self._appointment(row)

    def _seal_notes(self, appointment_id: str, notes: str) -> str:
        """Notes are sealed under the case key (docs/VAULT_FORMAT.md, section 7.1)."""
        return self._ctx.seal(KeyName.CASE, "appointments", appointment_id, "notes", notes)

    def _appointment(self, r: Row) -> Appointment:
        """One appointment, its notes opened; empty while this account has not received the
        case key (saving is refused then, so nothing is written back over them)."""
        notes = self._ctx.unseal(KeyName.CASE, "appointments", r["id"], "notes", r["notes"])
        return _appointment(r, notes or "")

    def set_status(self, appointment_id: str, status: str) -> Appointment:
        row = self._ctx.db.one("SELECT case_id FROM appointments WHERE id = :id",
                               {"id": appointment_id})
        if row is None:
            raise NotFound(_("No such appointment."))
        scope = self._access.require(row["case_id"], Action.MANAGE_APPOINTMENTS)
        vocab.APPOINTMENT_STATUS.check(status, "status")
        with self._ctx.write(Action.MANAGE_APPOINTMENTS, Event.RECORD_UPDATED, scope=scope,
                             target_type="appointment", target_id=appointment_id,
                             details={"fields": ["status"]}) as db:
            db.execute("UPDATE appointments SET status = :s, updated_at = :now, updated_by = :me,"
                       " row_version = row_version + 1 WHERE id = :id",
                       {"s": status, "now": now_utc(), "me": self._ctx.session.user_id,
                        "id": appointment_id})
        return self.get(appointment_id)

    def list_for_case(self, case_id: str) -> list[Appointment]:
        self._access.require(case_id, Action.MANAGE_APPOINTMENTS)
        return [self._appointment(r) for r in self._ctx.db.all(
            f"{SELECT} WHERE a.case_id = :c ORDER BY a.starts_at", {"c": case_id})]

    def between(self, start: dt.datetime, end: dt.datetime, *, notes: bool = True
                ) -> list[Appointment]:
        """Appointments in the user's visible cases overlapping [start, end) (the agenda);
        with *notes* False their notes are left sealed (and empty here)."""
        visible, params = self._access.visible_sql("c", Action.MANAGE_APPOINTMENTS)
        rows = self._ctx.db.all(
            f"{SELECT} WHERE a.starts_at < :end AND a.ends_at > :start AND {visible}"
            " ORDER BY a.starts_at",
            {"start": v.iso(start), "end": v.iso(end), **params})
        return [self._appointment(r) if notes else _appointment(r, "") for r in rows]

    def day_sheet(self, day: dt.date) -> list[SheetLine]:
        """The printed list of *day*'s appointments (local day) in the user's cases.

        Only what a front desk needs: time, case code, type, place, interpreter; never a
        name.  Cancelled appointments are left off.  The printing is recorded."""
        self._require_some_scope()
        self._ctx.refuse_if_read_only()
        start = dt.datetime.combine(day, dt.time()).astimezone()
        lines = [SheetLine(a.starts_at, a.ends_at, a.case_code, a.appointment_type, a.location,
                           a.room, a.interpreter, a.interpreter_language, a.status)
                 for a in self.between(start, start + dt.timedelta(days=1), notes=False)
                 if a.status != "cancelled"]
        self._ctx.record(Event.PRINT, target_type="appointments",
                         details={"format": "day_list", "count": len(lines)})
        return lines

    def staff(self) -> list[StaffMember]:
        """The people who can be booked: caseworkers, coordinators and legal volunteers."""
        self._require_some_scope()
        rows = self._ctx.db.all("SELECT id, username, display_name, roles, status FROM users"
                                " ORDER BY username_key")
        return [StaffMember(r["id"], r["display_name"] or r["username"], r["status"] == "active")
                for r in rows if {"caseworker", "coordinator", "legal"} & set(
                    json.loads(r["roles"]))]

    def _require_some_scope(self) -> None:
        """Refuse (and audit) a user whose roles allow appointments in no case at all."""
        if not any(self._ctx.allowed(Action.MANAGE_APPOINTMENTS, s) for s in CASE_SCOPES):
            self._ctx.require(Action.MANAGE_APPOINTMENTS, Scope.OTHER)
