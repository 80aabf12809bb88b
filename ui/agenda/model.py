"""The agenda's table model: one row per appointment, cases shown by their code only.

Front desks keep the agenda open where visitors pass by, so the model holds no survivor
name at all: ``AppointmentService.between`` returns each appointment's case code.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QObject
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

from shelter_app.domain import vocab
from shelter_app.i18n import _
from shelter_app.i18n.formatting import format_date, format_time, language_name, weekday_name
from shelter_app.services.appointments import Appointment

from .common import Column, RowsModel


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone()


def time_text(moment: dt.datetime) -> str:
    return format_time(local(moment))


def span_text(a: Appointment) -> str:
    return _("{start}–{end}").format(start=time_text(a.starts_at), end=time_text(a.ends_at))


def day_text(day: dt.date, *, width: str = "abbreviated") -> str:
    """"Fri Dec 4, 2026": the day of the week and the interface's one date format."""
    return _("{weekday} {date}").format(weekday=weekday_name(day, width=width),
                                        date=format_date(day))


def place_text(location: str, room: str) -> str:
    """"Main office, Room 2"; a bare room number reads "Main office, room 3"."""
    if room and not any(ch.isalpha() for ch in room):
        room = _("room {room}").format(room=room)
    if location and room:
        return _("{location}, {room}").format(location=location, room=room)
    return location or room


def interpreter_text(name: str, language: str | None) -> str:
    if not name:
        return ""
    if not language:
        return name
    return _("{name} ({language})").format(
        name=name, language=language_name(language) or language)


def _status_icon(a: Appointment) -> QIcon | None:
    pixmap = {"attended": QStyle.StandardPixmap.SP_DialogApplyButton,
              "no_show": QStyle.StandardPixmap.SP_MessageBoxWarning,
              "cancelled": QStyle.StandardPixmap.SP_DialogCancelButton}.get(a.status)
    return QApplication.style().standardIcon(pixmap) if pixmap is not None else None


class AgendaModel(RowsModel):
    DAY, TIME, CASE, TYPE, PLACE, STAFF, INTERPRETER, STATUS = range(8)

    def __init__(self, parent: QObject | None = None) -> None:
        self.staff_names: dict[str, str] = {}
        super().__init__([
            Column(lambda: _("Day"), lambda a: day_text(local(a.starts_at).date()),
                   sort=lambda a: a.starts_at.timestamp()),
            Column(lambda: _("Time"), span_text, sort=lambda a: a.starts_at.timestamp()),
            Column(lambda: _("Case"), lambda a: a.case_code),
            Column(lambda: _("Type"), lambda a: vocab.APPOINTMENT_TYPE.label(
                a.appointment_type)),
            Column(lambda: _("Place"), lambda a: place_text(a.location, a.room)),
            Column(lambda: _("Staff"), lambda a: self.staff_names.get(a.staff_id or "", "")),
            Column(lambda: _("Interpreter"),
                   lambda a: interpreter_text(a.interpreter, a.interpreter_language)),
            Column(lambda: _("Status"), lambda a: vocab.APPOINTMENT_STATUS.label(a.status),
                   icon=_status_icon, bold=lambda a: a.status == "cancelled"),
        ], parent)

    def set_appointments(self, appointments: list[Appointment],
                         staff_names: dict[str, str]) -> None:
        self.staff_names = dict(staff_names)
        self.set_rows(appointments)

    def clear(self) -> None:
        self.staff_names = {}
        super().clear()
