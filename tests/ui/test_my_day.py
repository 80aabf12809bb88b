"""My day through the real windows: the first page after sign-in, each line opening its case
at the right tab with the keyboard, and the counts beside the navigation kept up to date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QModelIndex, Qt

from shelter_app.domain.records import CaseInput, SurvivorInput
from shelter_app.i18n.formatting import format_date
from tests.bidi import plain
from ui.cases.workspace import CaseWorkspace
from ui.day.model import DayModel
from ui.day.page import MyDayPage
from ui.main_window import MainWindow

from .case_helpers import CANARY, STAFF_PASS, all_texts, session, staffed_vault, unnamed_controls
from .conftest import WAIT_MS, sign_in

TODAY = dt.date.today()


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime.combine(TODAY + dt.timedelta(days=day), dt.time(hour)).astimezone()


@dataclass
class Day:
    case: str
    code: str
    other_code: str
    appointment: str
    task: str
    matter: str
    referral: str
    consent: str


@pytest.fixture
def day(vault_dir) -> Day:
    """A case of the caseworker's (shared with legal) with a line in every group, and a case
    of nobody's with an appointment today (for the coordinator's "everyone")."""
    ids = staffed_vault(vault_dir)
    with session(vault_dir, "coordinator") as c:
        record = c.cases.create(SurvivorInput(legal_name=CANARY),
                                CaseInput(assigned_to=ids["caseworker"]))
        c.cases.share(record.id, ids["legal"])
        other = c.cases.create(SurvivorInput(legal_name="Nadia Nobody"), CaseInput())
        c.appointments.schedule(other.id, "other", at(0, 9), at(0, 10))
        appointment = c.appointments.schedule(record.id, "medical", at(0, 12), at(0, 13),
                                              location="Clinic")
        matter = c.legal.open(record.id, "residence_permit",
                              dates={"filing_due": TODAY + dt.timedelta(days=2)})
        clinic = c.partners.add("Riverside Clinic", "health", services=["medical"]).id
        consent = c.consent.record(record.id, sections=["identity"], purpose="Referral",
                                   given_by="survivor", method="written",
                                   given_on=TODAY - dt.timedelta(days=200), partner_id=clinic,
                                   expires_on=TODAY + dt.timedelta(days=10))
        referral = c.referrals.create(record.id, clinic, follow_up_due=TODAY)
        c.referrals.move(referral.id, "sent")
        task = c.tasks.create(record.id, "Book an interpreter", assigned_to=ids["caseworker"],
                              due_on=TODAY)
    return Day(record.id, record.code, other.code, appointment.id, task.id, matter.id,
               referral.id, consent.id)


def signed_in(qtbot, make_controller, username: str) -> MainWindow:
    controller = make_controller()
    sign_in(qtbot, controller, username, STAFF_PASS)
    window = controller.window
    assert isinstance(window, MainWindow), controller.state
    return window


def loaded(qtbot, window: MainWindow) -> MyDayPage:
    page = window.pages["my_day"]
    assert isinstance(page, MyDayPage)
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)
    return page


def line(page: MyDayPage, group: str, row: int = 0) -> QModelIndex:
    head = page.model.group_index(group)
    assert head.isValid(), group
    return page.model.index(row, 0, head)


def nav_text(window: MainWindow, key: str) -> str:
    return window.nav.item(window.section_keys().index(key)).text()


def nav_count(window: MainWindow, key: str) -> int:
    found = re.fullmatch(r".* \((\d+)\)", nav_text(window, key))
    return int(found.group(1)) if found else 0


def current_tab(workspace: CaseWorkspace) -> str:
    return workspace.keys[workspace.tabs.currentIndex()]


def test_a_caseworker_lands_on_my_day_and_enter_opens_the_appointment(
        qtbot, make_controller, day):
    window = signed_in(qtbot, make_controller, "caseworker")
    assert window.section_keys()[0] == "my_day" and window.current_key() == "my_day"
    page = loaded(qtbot, window)
    first = line(page, "today")
    assert page.model.group_index("today").data() == "Appointments today (1)"
    assert first.siblingAtColumn(DayModel.CASE).data() == day.code
    assert plain(first.siblingAtColumn(DayModel.WHAT).data()) == "Medical · Clinic"
    assert page.tree.currentIndex() == first, "the first line is ready for Enter"
    assert CANARY not in all_texts()
    assert unnamed_controls(window) == []
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_Return)
    assert window.current_key() == "cases"
    workspace = window.pages["cases"].currentWidget()
    assert isinstance(workspace, CaseWorkspace) and workspace.case_id == day.case
    assert current_tab(workspace) == "appointments"
    tab = workspace.built["appointments"]
    assert tab.selected_id() == day.appointment and tab.table.hasFocus()


def test_each_line_opens_its_case_at_the_right_tab(qtbot, make_controller, day):
    window = signed_in(qtbot, make_controller, "caseworker")
    page = loaded(qtbot, window)
    expected = {"deadlines": ("legal", day.matter), "referrals": ("referrals", day.referral),
                "consents": ("consent", day.consent), "tasks": ("tasks", day.task)}
    for group, (tab, record) in expected.items():
        window.show_page("my_day")  # Ctrl+1, or a click in the navigation
        qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)  # read again when shown
        page.tree.setCurrentIndex(line(page, group))
        qtbot.keyClick(page.tree, Qt.Key.Key_Enter)
        workspace = window.pages["cases"].currentWidget()
        assert (workspace.case_id, current_tab(workspace)) == (day.case, tab), group
        assert workspace.built[tab].selected_id() == record, group
    # Enter on a group folds it; a second Enter unfolds it
    window.show_page("my_day")
    head = page.model.group_index("tasks")
    page.tree.setCurrentIndex(head)
    qtbot.keyClick(page.tree, Qt.Key.Key_Return)
    assert not page.tree.isExpanded(head) and window.current_key() == "my_day"
    qtbot.keyClick(page.tree, Qt.Key.Key_Return)
    assert page.tree.isExpanded(head)


def test_ticking_a_task_in_its_case_lowers_the_count(qtbot, make_controller, day):
    window = signed_in(qtbot, make_controller, "caseworker")
    page = loaded(qtbot, window)
    # today's appointment, the deadline, the referral, the consent, the task
    qtbot.waitUntil(lambda: nav_count(window, "my_day") == 5, timeout=WAIT_MS)
    assert nav_count(window, "deadlines") == 2 and nav_count(window, "referrals") == 1
    assert "5 items on your day" in window.nav.item(0).toolTip()
    page.tree.setCurrentIndex(line(page, "tasks"))
    qtbot.keyClick(page.tree, Qt.Key.Key_Return)
    tab = window.pages["cases"].currentWidget().built["tasks"]
    assert tab.table.hasFocus() and tab.selected_id() == day.task
    qtbot.keyClick(tab.table, Qt.Key.Key_Space)
    assert tab.table.item(0, 0).checkState() == Qt.CheckState.Checked
    qtbot.waitUntil(lambda: nav_count(window, "my_day") == 4, timeout=WAIT_MS)
    assert nav_text(window, "my_day") == "My day (4)"
    window.show_page("my_day")
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)
    assert page.model.group_index("tasks").data() == "Open tasks (0)"
    assert line(page, "tasks").data() == "No open task."


def test_a_coordinator_sees_her_day_or_everyone_s(qtbot, make_controller, day):
    window = signed_in(qtbot, make_controller, "coordinator")
    page = loaded(qtbot, window)
    assert page.everyone.isVisibleTo(page)
    assert page.model.group_index("today").data() == "Appointments today (0)"
    assert page.summary.text() == "Nothing on your day."
    qtbot.mouseClick(page.everyone, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)
    today = page.model.group_index("today")
    assert today.data() == "Appointments today (2)"
    codes = [page.model.index(r, DayModel.CASE, today).data() for r in range(2)]
    assert codes == [day.other_code, day.code]
    assert page.summary.text() == "6 items on everyone's day."
    assert nav_count(window, "my_day") == 0 and nav_text(window, "my_day") == "My day"


def test_a_legal_volunteer_s_day_and_no_day_for_an_administrator(qtbot, make_controller,
                                                                  day):
    controller = make_controller()
    sign_in(qtbot, controller, "legal", STAFF_PASS)
    window = controller.window
    page = loaded(qtbot, window)
    groups = [page.model.index(r, 0).data(Qt.ItemDataRole.UserRole)
              for r in range(page.model.rowCount())]
    assert groups == ["today", "tomorrow", "deadlines", "tasks"]
    assert [page.model.rowCount(page.model.group_index(g)) for g in groups] == [1, 1, 1, 1]
    assert line(page, "today").siblingAtColumn(DayModel.CASE).data() == day.code
    assert not page.everyone.isVisibleTo(page)
    assert "referrals" not in window.section_keys()
    controller.lock()
    sign_in(qtbot, controller, "admin", "correct horse battery staple")
    assert "my_day" not in controller.window.section_keys()
    assert not controller.window.counts.active


def test_lock_forgets_the_day_and_the_counts(qtbot, make_controller, day):
    window = signed_in(qtbot, make_controller, "caseworker")
    page = loaded(qtbot, window)
    qtbot.waitUntil(lambda: nav_count(window, "my_day") == 5, timeout=WAIT_MS)
    model, nav = page.model, window.nav
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert model.rowCount() == 0 and model.items == []
    assert [nav.item(i).text() for i in range(3)] == ["My day", "Cases", "Appointments"]
    assert "(" not in " ".join(nav.item(i).text() for i in range(nav.count()))
    assert day.code not in all_texts()


def test_the_day_turning_reads_again(qtbot, make_controller, day):
    window = signed_in(qtbot, make_controller, "caseworker")
    page = loaded(qtbot, window)
    counts = window.counts
    before = page._generation
    counts._today = TODAY - dt.timedelta(days=1)  # as if the window was open at midnight
    with qtbot.waitSignals([counts.changed, counts.counted], timeout=WAIT_MS):
        pass  # the next tick of the light timer notices
    assert page._generation == before + 1, "the page read the day again"
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)
    assert page.date.text() == f"Today: {format_date(TODAY)}"


def test_right_to_left_keeps_the_counts_in_the_navigation(qtbot, make_controller, day,
                                                         qapp):
    qapp.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    try:
        window = signed_in(qtbot, make_controller, "caseworker")
        loaded(qtbot, window)
        qtbot.waitUntil(lambda: nav_count(window, "my_day") == 5, timeout=WAIT_MS)
        metrics = window.nav.fontMetrics()
        for row in range(window.nav.count()):
            text = window.nav.item(row).text()
            assert metrics.horizontalAdvance(text) < window.nav.viewport().width(), text
    finally:
        qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def test_a_double_click_opens_and_a_change_shows_while_looking(qtbot, make_controller, day):
    controller = make_controller()
    sign_in(qtbot, controller, "caseworker", STAFF_PASS)
    window = controller.window
    page = loaded(qtbot, window)
    # a task added meanwhile (as from another page) appears without touching the page
    controller.services.tasks.create(day.case, "Renew the bus pass")
    qtbot.waitUntil(lambda: page.model.group_index("tasks").data() == "Open tasks (2)",
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: nav_count(window, "my_day") == 6, timeout=WAIT_MS)
    index = line(page, "referrals")
    page.tree.scrollTo(index)
    rect = page.tree.visualRect(index.siblingAtColumn(DayModel.WHAT))
    # (Qt's test double click on a tree needs the line chosen first; a real one does not)
    qtbot.mouseClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current_key() == "my_day", "one click only chooses the line"
    qtbot.mouseDClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    workspace = window.pages["cases"].currentWidget()
    assert (workspace.case_id, current_tab(workspace)) == (day.case, "referrals")
    assert workspace.built["referrals"].selected_id() == day.referral


def test_big_numbers_read_99_plus(qapp):
    from ui.day.lines import group_title
    from ui.day.nav_counts import count_label

    assert count_label("My day", 0) == "My day"
    assert count_label("My day", 99) == "My day (99)"
    assert count_label("My day", 100) == "My day (99+)"
    assert group_title("tasks", 100, capped=True) == "Open tasks (99+)"


def test_a_session_closed_while_the_day_is_read_ends_quietly(qtbot, vault_dir, day):
    from ui.background import Background

    background = Background()
    with session(vault_dir, "caseworker") as services:
        window = MainWindow(services, background)  # the day and its counts are being read
        qtbot.addWidget(window)
        assert window.pages["my_day"].loading
    background.wait()  # they fail on the closed vault: nothing is raised, nothing shown
    qtbot.wait(100)
    page = window.pages["my_day"]
    # No error is shown. (On a busy machine the read may finish before the session
    # closes; then the day is shown as read, which is as quiet.)
    assert page.message.text() == ""
    window.counts.recount()
    assert not background.busy


def test_choosing_cases_after_my_day_keeps_the_window_active(qtbot, make_controller, day):
    """The case list is now built after the window is on screen: no control of it may
    flash up as a window of its own and take the keyboard away (Tab from the search)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    class Spy(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.shown: list[str] = []

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Show and watched.isWidgetType() and \
                    watched.isWindow() and not isinstance(watched, MainWindow):
                self.shown.append(type(watched).__name__)
            return False

    window = signed_in(qtbot, make_controller, "coordinator")
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    spy = Spy()
    QApplication.instance().installEventFilter(spy)
    try:
        page = window.show_page("cases").list_page
        qtbot.wait(50)
    finally:
        QApplication.instance().removeEventFilter(spy)
    assert spy.shown == [] and window.isActiveWindow()
    page.search.setFocus()
    qtbot.keyClick(page.search, Qt.Key.Key_Tab)
    assert window.focusWidget() is not None and window.isActiveWindow()
