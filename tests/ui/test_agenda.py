"""The Appointments page: day and week agenda, booking with double-booking warnings,
changing, status, and the end of the session."""

from __future__ import annotations

import datetime as dt

import pytest

from shelter_app.services.appointments import Appointment
from tests.bidi import plain
from tests.ui.org_pages import Org, org_fixture, texts, unnamed  # noqa: F401 - the org fixture
from ui.agenda.dialog import AppointmentDialog
from ui.agenda.model import AgendaModel
from ui.agenda.page import AgendaPage, week_start

DAY = dt.date.today() + dt.timedelta(days=14)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


@pytest.fixture
def cases(org: Org) -> tuple[str, str]:
    return org.new_case("Ana Agenda").id, org.new_case("Ben Agenda").id


@pytest.fixture
def page(qtbot, org: Org) -> AgendaPage:
    widget = AgendaPage(org.caseworker, today=DAY)
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    return widget


def book(org: Org, case_id: str, start: dt.datetime, **kwargs: object) -> Appointment:
    return org.caseworker.appointments.schedule(case_id, "legal_consultation", start,
                                                start + dt.timedelta(hours=1), **kwargs)  # type: ignore[arg-type]


def test_day_and_week_show_codes_never_names(qtbot, qtmodeltester, org: Org, cases, page):
    first, second = cases
    code = org.coordinator.cases.get(first).code
    book(org, first, at(9), room="2", location="Main office", interpreter="Ms Tran",
         interpreter_language="vi", staff_id=org.ids["caseworker"])
    book(org, second, at(10, day=DAY + dt.timedelta(days=1)))
    book(org, first, at(10, day=DAY + dt.timedelta(days=8)))
    hidden = org.new_case("Hidden Person", by=org.other_caseworker, share=False)
    org.coordinator.appointments.schedule(hidden.id, "medical", at(11), at(12))

    page.refresh()
    qtmodeltester.check(page.model)
    rows = texts(page.model)
    assert len(rows) == 1
    row = rows[0]
    assert row[AgendaModel.CASE] == code
    assert row[AgendaModel.TYPE] == "Legal consultation"
    assert row[AgendaModel.PLACE] == "Main office, room 2"
    assert row[AgendaModel.INTERPRETER] == "Ms Tran (Vietnamese)"
    assert row[AgendaModel.STAFF] == "caseworker"
    assert row[AgendaModel.STATUS] == "Scheduled"
    assert not any("Ana" in cell or "Agenda" in cell for cell in row)
    assert page.view.isColumnHidden(AgendaModel.DAY)

    page.next_button.click()
    assert page.day == DAY + dt.timedelta(days=1) and page.model.rowCount() == 1
    page.today_button.click()
    assert page.day == DAY
    page.week_button.click()
    assert page.mode == "week" and not page.view.isColumnHidden(AgendaModel.DAY)
    monday = week_start(DAY)
    expected = [d for d in (DAY, DAY + dt.timedelta(days=1)) if monday <= d < monday
                + dt.timedelta(days=7)]
    assert page.model.rowCount() == len(expected)
    assert page.range_label.text().startswith("Week of")
    qtmodeltester.check(page.model)
    page.next_button.click()
    assert page.day == DAY + dt.timedelta(days=7)
    page.day_button.click()
    page.go_to(DAY + dt.timedelta(days=3))
    assert page.model.rowCount() == 0 and page.empty.text() == "No appointments on this day."


def find_case(qtbot, dialog: AppointmentDialog, code: str) -> None:
    dialog.case.query.setText(code)
    dialog.case.find_button.click()
    assert plain(dialog.case.results.currentText()).startswith(code)


def test_double_booking_is_shown_before_saving_and_needs_save_anyway(qtbot, org: Org, cases,
                                                                     page):
    first, second = cases
    code = org.coordinator.cases.get(second).code
    book(org, first, at(10), room="Interview room", location="Main office")
    page.refresh()
    dialog = page.new_appointment()
    qtbot.addWidget(dialog)
    find_case(qtbot, dialog, code)
    dialog.type.setCurrentIndex(dialog.type.findData("legal_consultation"))
    dialog.starts.set_value(at(10, 30))
    dialog.ends.set_value(at(11, 30))
    dialog.location.setText("Main office")
    qtbot.keyClicks(dialog.room, "interview room")
    qtbot.waitUntil(lambda: dialog.conflict_box.isVisible(), timeout=3000)
    assert "The room is already booked" in dialog.conflict_box.text()
    assert not dialog.save_anyway_button.isVisible()

    dialog.save_button.click()
    assert dialog.isVisible(), "a double booking is not saved by the plain Save"
    assert dialog.save_anyway_button.isVisible()
    assert org.count("appointments") == 1
    with qtbot.waitSignal(dialog.saved):
        dialog.save_anyway_button.click()
    assert org.count("appointments") == 2
    assert page.model.rowCount() == 2
    assert page.selected() is not None and page.selected().case_code == code


def test_a_field_error_is_shown_under_its_field(qtbot, org: Org, cases, page):
    dialog = page.new_appointment(case_id=cases[0])
    qtbot.addWidget(dialog)
    assert not dialog.case.query.isVisible()  # the case was given: it cannot be changed
    dialog.interpreter.setText("Mr Ali")
    dialog.save_button.click()
    assert dialog.messages["appointment_type"].text() == "Choose one: Appointment type."
    dialog.type.setCurrentIndex(dialog.type.findData("medical"))
    dialog.save_button.click()
    assert dialog.messages["interpreter_language"].text() == (
        "Say which language the interpreter speaks.")
    dialog.ends.set_value(dialog.starts.value() - dt.timedelta(minutes=1))
    dialog.language.set_value("ar")
    dialog.save_button.click()
    assert "must end after it starts" in dialog.messages["ends_at"].text()
    assert org.count("appointments") == 0


def test_no_case_chosen_says_so(qtbot, org: Org, page):
    dialog = page.new_appointment()
    qtbot.addWidget(dialog)
    dialog.case.query.setText("NO-SUCH-CODE")
    dialog.case.search()
    assert "No case of yours matches" in dialog.case.message.text()
    dialog.save_button.click()
    assert "Choose the case first" in dialog.messages["case_id"].text()


def test_change_time_and_status(qtbot, org: Org, cases, page):
    booked = book(org, cases[0], at(9))
    page.refresh()
    page.select(booked.id)
    dialog = page.edit_selected()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert not dialog.case.results.isEnabled()
    dialog.starts.set_value(at(13))
    assert dialog.ends.value() == at(14), "the length is kept"
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    changed = org.caseworker.appointments.get(booked.id)
    assert changed.starts_at == at(13).astimezone()
    assert page.selected().id == booked.id

    page.status_actions["attended"].trigger()
    assert org.caseworker.appointments.get(booked.id).status == "attended"
    assert texts(page.model)[0][AgendaModel.STATUS] == "Attended"
    assert not page.status_actions["attended"].isEnabled()
    with qtbot.waitSignal(page.open_case) as opened:
        page.open_button.click()
    assert opened.args == [cases[0]]


def test_ending_the_session_drops_rows_and_dialogs(qtbot, org: Org, cases, page):
    book(org, cases[0], at(9))
    page.refresh()
    dialog = page.new_appointment()
    page.end_session()
    assert page.model.rowCount() == 0 and page.model.staff_names == {}
    assert not dialog.isVisible()


def test_controls_are_named_for_screen_readers(qtbot, org: Org, cases, page):
    assert unnamed(page) == []
    dialog = page.new_appointment()
    qtbot.addWidget(dialog)
    assert unnamed(dialog) == []


def test_legal_volunteer_sees_shared_cases_and_admin_no_agenda(qtbot, org: Org, cases):
    from ui.agenda.page import may_see_agenda

    book(org, cases[0], at(9))
    legal = AgendaPage(org.legal, today=DAY)
    qtbot.addWidget(legal)
    assert legal.model.rowCount() == 1
    other = AgendaPage(org.other_legal, today=DAY)
    qtbot.addWidget(other)
    assert other.model.rowCount() == 0
    assert may_see_agenda(org.legal) and may_see_agenda(org.caseworker)
    assert not may_see_agenda(org.admin)


def test_selecting_works_right_to_left(qtbot, org: Org, cases):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    before = app.layoutDirection()
    app.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    try:
        booked = book(org, cases[0], at(9))
        page = AgendaPage(org.caseworker, today=DAY)
        qtbot.addWidget(page)
        page.show()
        page.select(booked.id)
        assert page.selected() is not None and page.selected().id == booked.id
        assert page.edit_button.isEnabled()
    finally:
        app.setLayoutDirection(before)
