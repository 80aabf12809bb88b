"""Appointments, with conflict detection for the survivor, staff, volunteer, interpreter
and room.  A conflict in a case the user cannot see is described without naming it."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from shelter_app.domain import names, vocab
from shelter_app.domain import validate as v
from shelter_app.domain.audit import Event
from shelter_app.domain.roles import Action
from shelter_app.errors import NotFound, ShelterError, ValidationError
from shelter_app.i18n import _
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext
from shelter_app.store.audit import now_utc
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
        local = self.starts_at.astimezone()
        return _("{what} from {start} to {end}.").format(
            what=what, start=local.strftime("%Y-%m-%d %H:%M"),
            end=self.ends_at.astimezone().strftime("%H:%M"))


class AppointmentConflict(ShelterError):
    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__(" ".join(c.describe() for c in conflicts))
        self.conflicts = conflicts


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _appointment(r: Row) -> Appointment:
    return Appointment(r["id"], r["case_id"], r["appointment_type"], _ts(r["starts_at"]),
                       _ts(r["ends_at"]), r["location"], r["room"], r["staff_id"], r["volunteer"],
                       r["interpreter"], r["interpreter_language"], r["status"], r["notes"],
                       r["row_version"])


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
            found += [Conflict(k, r["id"], _ts(r["starts_at"]), _ts(r["ends_at"])) for k in kinds]
        return found

    def schedule(self, case_id: str, appointment_type: str, starts_at: dt.datetime | str,
                 ends_at: dt.datetime | str, *, location: str = "", room: str = "",
                 staff_id: str | None = None, volunteer: str = "", interpreter: str = "",
                 interpreter_language: str | None = None, notes: str = "",
                 allow_conflicts: bool = False) -> Appointment:
        scope = self._access.require(case_id, Action.MANAGE_APPOINTMENTS)
        start = v.datetime_utc(starts_at, "starts_at")
        end = v.datetime_utc(ends_at, "ends_at")
        if end <= start:
            raise ValidationError(_("The appointment must end after it starts."), "ends_at")
        if end - start > dt.timedelta(hours=24):
            raise ValidationError(_("An appointment can last at most 24 hours."), "ends_at")
        if staff_id and not self._ctx.db.scalar(
                "SELECT 1 FROM users WHERE id = :u AND status = 'active'", {"u": staff_id}):
            raise ValidationError(_("Choose an active staff member."), "staff_id")
        fields = {
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
                               location=str(fields["location"]))
        if found and not allow_conflicts:
            raise AppointmentConflict(found)
        appointment_id, now, me = str(uuid.uuid4()), now_utc(), self._ctx.session.user_id
        with self._ctx.write(Action.MANAGE_APPOINTMENTS, Event.RECORD_CREATED, scope=scope,
                             target_type="appointment", target_id=appointment_id,
                             details={"fields": sorted(k for k, x in fields.items() if x)}) as db:
            db.execute(
                "INSERT INTO appointments (id, case_id, appointment_type, starts_at, ends_at,"
                " location, room, staff_id, volunteer, interpreter, interpreter_language,"
                " status, notes, created_at, updated_at, created_by, updated_by) VALUES (:id,"
                " :case, :appointment_type, :start, :end, :location, :room, :staff, :volunteer,"
                " :interpreter, :interpreter_language, 'scheduled', :notes, :now, :now, :me, :me)",
                {"id": appointment_id, "case": case_id, **fields, "start": v.iso(start),
                 "end": v.iso(end), "staff": staff_id, "now": now, "me": me})
        return self.get(appointment_id)

    def get(self, appointment_id: str) -> Appointment:
        row = self._ctx.db.one("SELECT * FROM appointments WHERE id = :id", {"id": appointment_id})
        if row is None:
            raise NotFound(_("No such appointment."))
        self._access.require(row["case_id"], Action.MANAGE_APPOINTMENTS)
        return _appointment(row)

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
        return [_appointment(r) for r in self._ctx.db.all(
            "SELECT * FROM appointments WHERE case_id = :c ORDER BY starts_at", {"c": case_id})]

    def between(self, start: dt.datetime, end: dt.datetime) -> list[Appointment]:
        """Appointments in the user's visible cases overlapping [start, end) (the agenda)."""
        visible, params = self._access.visible_sql("c", Action.MANAGE_APPOINTMENTS)
        rows = self._ctx.db.all(
            f"SELECT a.* FROM appointments a JOIN cases c ON c.id = a.case_id"  # noqa: S608
            f" WHERE a.starts_at < :end AND a.ends_at > :start AND {visible} ORDER BY a.starts_at",
            {"start": v.iso(start), "end": v.iso(end), **params})
        return [_appointment(r) for r in rows]
