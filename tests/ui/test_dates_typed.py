"""Dates and times typed into the real fields, the way people type them, in the language's
own forms: read back in words as they type, refused beside the field when they cannot be
read, and never a silent guess (the 10:00 AM booked at 22:00 of issue 9)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QCalendarWidget, QTableView, QToolButton

from shelter_app.i18n import current_language, set_language
from tests.ui.org_pages import Org, org_fixture  # noqa: F401 - the org fixture
from ui.agenda.dialog import AppointmentDialog
from ui.cases.section import CasesSection
from ui.dates import DateField

from .case_helpers import Office, keep, new_case

MONDAY = dt.date.today() + dt.timedelta(days=14 - dt.date.today().weekday())


@pytest.fixture
def language() -> Iterator[object]:
    before = current_language()
    yield set_language
    set_language(before)


def plain(text: str) -> str:
    """*text* without the marks that keep a date's direction in a right-to-left line."""
    return text.replace("\u2068", "").replace("\u2069", "")


def retype(qtbot, edit, text: str) -> None:
    """Select what the field holds and type *text* over it, key by key."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit, text)


@pytest.mark.parametrize(("lang", "read", "iso"), [
    ("en_GB", "Read as 4 Dec 2026 (day/month/year)", "2026-12-04"),
    ("en_US", "Read as Apr 12, 2026 (month/day/year)", "2026-04-12"),
])
def test_4_12_2026_is_read_as_the_language_writes_it_and_says_which(qtbot, language, lang,
                                                                     read, iso):
    language(lang)
    field = DateField("Follow up by")
    qtbot.addWidget(field)
    field.show()
    retype(qtbot, field.edit, "4/12/2026")
    assert plain(field.reading.text()) == read and field.reading.isVisible()
    assert field.form_value() == iso


def test_arabic_digits_are_read(qtbot, language):
    language("ar")
    field = DateField("Follow up by")
    qtbot.addWidget(field)
    field.edit.setFocus()
    for char in "٤/١٢/٢٠٢٦":  # as an Arabic keyboard sends them (QTest knows ASCII only)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(field.edit, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                         char))
    assert field.edit.text() == "٤/١٢/٢٠٢٦"
    assert field.value() == dt.date(2026, 12, 4)
    assert plain(field.reading.text()) == "يُقرأ: 04‏/12‏/2026 (يوم/شهر/سنة)"


@pytest.fixture
def office(qapp, vault_dir):
    office = Office(vault_dir)
    office.record = new_case(office.coordinator, office.ids)
    office.partner = office.coordinator.partners.add("Riverside Clinic (fictional)",
                                                     "health").id
    yield office
    office.close()


def referrals_tab(office):
    section = keep(CasesSection(office.coordinator, office.background))
    section.show()
    workspace = section.open_case(office.record.id)
    tab = workspace.show_tab("referrals")
    tab.form["partner_id"].put(office.partner)
    tab.form["priority"].put("normal")
    return tab


def test_a_date_typed_in_british_english_is_recorded_and_shown_in_one_format(qtbot, office,
                                                                            language):
    language("en_GB")
    tab = referrals_tab(office)
    retype(qtbot, tab.form["follow_up_due"].focus, "4/12/2026")
    qtbot.mouseClick(tab.create_button, Qt.MouseButton.LeftButton)
    [referral] = office.coordinator.referrals.list(office.record.id)
    assert referral.follow_up_due == "2026-12-04"
    assert tab.table.item(0, 5).text() == "4 Dec 2026"


def test_a_date_that_cannot_be_read_is_refused_beside_the_field_not_dropped(qtbot, office,
                                                                           language):
    language("en_US")
    tab = referrals_tab(office)
    due = tab.form["follow_up_due"]
    retype(qtbot, due.focus, "31/12/2026")  # day first, where dates are month first
    assert "month/day/year" in due.widget.reading.text()
    qtbot.mouseClick(tab.create_button, Qt.MouseButton.LeftButton)
    assert "month/day/year, for example 12/31/2026" in plain(due.message.text())
    assert office.coordinator.referrals.list(office.record.id) == [], "not saved undated"
    retype(qtbot, due.focus, "12/31/2026")
    qtbot.mouseClick(tab.create_button, Qt.MouseButton.LeftButton)
    [referral] = office.coordinator.referrals.list(office.record.id)
    assert referral.follow_up_due == "2026-12-31"


def test_the_calendar_opens_from_the_keyboard_and_fills_the_field(qtbot, language):
    language("en_GB")
    field = DateField("Given on")
    qtbot.addWidget(field)
    field.show()
    qtbot.waitExposed(field)
    field.set_value(dt.date(2026, 11, 30))
    qtbot.keyClick(field.edit, Qt.Key.Key_F4)
    calendar = field._menu.findChild(QCalendarWidget)
    qtbot.waitUntil(calendar.isVisible)
    assert calendar.selectedDate().toPython() == dt.date(2026, 11, 30)
    grid = calendar.findChild(QTableView)
    qtbot.keyClick(grid, Qt.Key.Key_Right)  # the next day
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert field.edit.text() == "1 Dec 2026" and field.value() == dt.date(2026, 12, 1)
    qtbot.keyClick(field.edit, Qt.Key.Key_Up)
    assert field.value() == dt.date(2026, 12, 2)


# -- the appointment dialog ------------------------------------------------------------------
@pytest.fixture
def booking(qtbot, org: Org, language) -> Iterator[tuple[Org, AppointmentDialog]]:
    language("en_US")
    case_id = org.new_case("Ana Times").id
    dialog = AppointmentDialog(org.caseworker, case_id=case_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.type.setCurrentIndex(dialog.type.findData("legal_consultation"))
    retype(qtbot, dialog.starts.date.edit, f"{MONDAY.month}/{MONDAY.day}/{MONDAY.year}")
    yield org, dialog


def test_10_00_am_typed_in_american_english_is_booked_at_10_00(qtbot, booking):
    org, dialog = booking
    retype(qtbot, dialog.starts.time.edit, "10:00 AM")
    assert dialog.starts.value() == dt.datetime.combine(MONDAY, dt.time(10))
    assert dialog.ends.value() == dt.datetime.combine(MONDAY, dt.time(11)), "end kept 1 hour"
    assert plain(dialog.starts.reading.text()).endswith("10:00\u202fAM")
    assert not dialog.hours_box.isVisible()
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    [booked] = org.caseworker.appointments.list_for_case(dialog.case.case_id())
    assert booked.starts_at.astimezone().hour == 10 and booked.starts_at.astimezone().minute == 0


def test_a_bare_9_on_a_12_hour_clock_is_refused_beside_the_field(qtbot, booking):
    org, dialog = booking
    retype(qtbot, dialog.starts.time.edit, "9")
    assert "Is that AM or PM?" in plain(dialog.starts.reading.text())
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Is that AM or PM?" in plain(dialog.messages["starts_at"].text())
    assert dialog.starts.reading.text() == "", "said once, under the field"
    assert dialog.isVisible() and org.count("appointments") == 0
    assert dialog.starts.time.edit.hasFocus() or not dialog.isActiveWindow()
    retype(qtbot, dialog.starts.time.edit, "9 am")
    assert dialog.messages["starts_at"].text() == "", "correcting it clears the message"
    assert dialog.starts.value() == dt.datetime.combine(MONDAY, dt.time(9))


def test_21_30_is_booked_with_a_notice_that_it_is_out_of_hours(qtbot, booking):
    org, dialog = booking
    retype(qtbot, dialog.starts.time.edit, "21:30")
    assert dialog.hours_box.isVisible()
    assert "Outside the usual hours" in dialog.hours_box.text()
    assert "starts after 7:00\u202fPM" in plain(dialog.hours_box.text())
    with qtbot.waitSignal(dialog.saved):  # a notice, not a refusal
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    [booked] = org.caseworker.appointments.list_for_case(dialog.case.case_id())
    assert (booked.starts_at.astimezone().hour, booked.starts_at.astimezone().minute) == (21, 30)


def test_a_saturday_is_pointed_out(qtbot, booking):
    _org, dialog = booking
    saturday = MONDAY + dt.timedelta(days=5)
    retype(qtbot, dialog.starts.date.edit, f"{saturday.month}/{saturday.day}/{saturday.year}")
    retype(qtbot, dialog.starts.time.edit, "10:00 AM")
    assert "Saturday, at the weekend" in plain(dialog.hours_box.text())


def test_the_cases_appointments_tab_reads_the_time_the_same_way(qtbot, office, language):
    language("en_US")
    section = keep(CasesSection(office.coordinator, office.background))
    section.show()
    tab = section.open_case(office.record.id).show_tab("appointments")
    tab.form["appointment_type"].put("legal_consultation")
    retype(qtbot, tab.starts.date.edit, f"{MONDAY.month}/{MONDAY.day}/{MONDAY.year}")
    retype(qtbot, tab.starts.time.edit, "10")
    qtbot.mouseClick(tab.book_button, Qt.MouseButton.LeftButton)
    assert "Is that AM or PM?" in plain(tab.form["starts_at"].message.text())
    assert tab.table.rowCount() == 0
    retype(qtbot, tab.starts.time.edit, "10:00 AM")
    qtbot.mouseClick(tab.book_button, Qt.MouseButton.LeftButton)
    assert tab.table.rowCount() == 1 and tab.table.item(0, 0).text().endswith("10:00\u202fAM")


def test_closing_the_calendar_while_its_month_list_is_open_does_not_crash(qtbot):
    """The month list is a menu of its own; a click elsewhere closes it and the calendar
    together.  The calendar used to be deleted then, under the month list: a crash."""
    field = keep(DateField("Start"))
    field.show()
    field.open_calendar()
    months = field._menu.findChild(QToolButton, "qt_calendar_monthbutton")

    def click_elsewhere() -> None:
        while (popup := QApplication.activePopupWidget()) is not None:
            popup.close()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    QTimer.singleShot(150, click_elsewhere)
    qtbot.mouseClick(months, Qt.MouseButton.LeftButton, pos=months.rect().center())
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    field.open_calendar()  # and it opens again, on the same day
    calendar = field._menu.findChild(QCalendarWidget)
    assert calendar.isVisible()
    calendar.clicked.emit(calendar.selectedDate().addDays(1))
    assert field.value() == dt.date.today() + dt.timedelta(days=1)


def test_a_date_only_read_shows_no_example_that_could_pass_for_one(qtbot):
    field = keep(DateField("Date of birth"))
    assert field.edit.placeholderText()  # an example, while typing
    field.set_read_only(True)
    assert field.edit.placeholderText() == "" and field.edit.text() == ""
    field.set_read_only(False)
    assert field.edit.placeholderText()
