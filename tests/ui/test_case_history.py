"""The case's History tab, correcting a service, and the header's assignment and sharing,
driven through the real widgets with the keyboard and the mouse."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from shelter_app.domain.audit import Event
from ui.cases.section import CasesSection
from ui.cases.tabs.history import HistoryTab
from ui.cases.tabs.services import ServicesTab
from ui.cases.workspace import CaseWorkspace

from .case_helpers import CANARY, Office, all_texts, keep, new_case

YESTERDAY = dt.date.today() - dt.timedelta(days=1)


@pytest.fixture
def office(qapp, vault_dir):
    office = Office(vault_dir)
    office.record = new_case(office.coordinator, office.ids, access_needs="Ramp")
    yield office
    office.close()


def open_workspace(qtbot, office, who: str = "coordinator") -> CaseWorkspace:
    section = keep(CasesSection(getattr(office, who), office.background))
    section.resize(1100, 800)
    with qtbot.waitActive(section):
        section.show()
        section.activateWindow()
    workspace = section.open_case(office.record.id)
    assert workspace is not None
    return workspace


def plain(text: str) -> str:
    """*text* without the bidirectional isolates around names and dates."""
    return text.replace("\u2068", "").replace("\u2069", "")


def history_lines(tab: HistoryTab) -> list[tuple[str, str, str]]:
    """(who, section, what) of each row, as shown."""
    return [tuple(plain(tab.table.item(r, c).text()) for c in (1, 2, 3))  # type: ignore[misc]
            for r in range(tab.table.rowCount())]


def test_a_caseworker_corrects_a_service_with_the_keyboard_alone(qtbot, office):
    office.caseworker.care.record(office.record.id, "safe_shelter", provided_on=YESTERDAY,
                                  duration_minutes=60, outcome="Room given")
    workspace = open_workspace(qtbot, office, "caseworker")
    history = workspace.show_tab("history")
    assert isinstance(history, HistoryTab)
    assert ("You", "Services", "Recorded a service") in history_lines(history)
    tab = workspace.show_tab("services")
    assert isinstance(tab, ServicesTab)
    assert tab.table.item(0, 3).text() == "60"
    editor = tab.editor
    assert not editor.save_button.isVisibleTo(tab) and tab.record_button.isVisibleTo(tab)

    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Down)  # the first row
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)  # Enter edits it
    assert editor.editing
    assert editor.save_button.isVisibleTo(tab) and editor.cancel_button.isVisibleTo(tab)
    assert not tab.record_button.isVisibleTo(tab)
    assert tab.form["duration_minutes"].get() == "60"
    assert tab.form["outcome"].get() == "Room given"
    assert QApplication.focusWidget() is tab.form["service"].focus
    minutes = tab.form["duration_minutes"].focus
    minutes.selectAll()
    qtbot.keyClicks(minutes, "90")
    assert tab.has_unsaved()  # a correction typed and not saved counts as unsaved work
    qtbot.keyClick(editor.save_button, Qt.Key.Key_Space)
    assert not editor.editing, tab.message.text()
    assert tab.table.item(0, 3).text() == "90" and tab.table.rowCount() == 1
    assert "corrected" in tab.done.text()
    assert tab.record_button.isVisibleTo(tab) and not tab.has_unsaved()
    assert tab.form["duration_minutes"].get() == ""  # back to an empty new-entry form
    assert tab.form["provided_on"].get() == dt.date.today().isoformat()  # not the entry's

    workspace.tabs.setCurrentIndex(workspace.keys.index("history"))  # shown again: refreshed
    lines = history_lines(history)
    assert lines[0] == ("You", "Services", "Corrected a service entry: Minutes")
    assert not any("opened" in what for _who, _section, what in lines)


def test_a_colleagues_change_meanwhile_is_refused_then_cancel_and_edit_again(qtbot, office):
    entry = office.caseworker.care.record(office.record.id, "safe_shelter",
                                          provided_on=YESTERDAY, duration_minutes=60)
    workspace = open_workspace(qtbot, office, "caseworker")
    tab = workspace.show_tab("services")
    tab.table.selectRow(0)
    qtbot.mouseClick(tab.editor.edit_button, Qt.MouseButton.LeftButton)
    office.coordinator.care.update(entry.id, row_version=entry.row_version,
                                   service="safe_shelter", provided_on=YESTERDAY,
                                   duration_minutes=45)
    tab.form["duration_minutes"].put("30")
    qtbot.mouseClick(tab.editor.save_button, Qt.MouseButton.LeftButton)
    assert "Someone else changed this record" in tab.message.text()
    assert tab.editor.editing and tab.table.item(0, 3).text() == "45"  # nothing overwritten
    assert office.coordinator.care.get(entry.id).duration_minutes == 45
    qtbot.mouseClick(tab.editor.cancel_button, Qt.MouseButton.LeftButton)
    assert not tab.editor.editing and tab.form["duration_minutes"].get() == ""
    first_row = tab.table.visualRect(tab.table.model().index(0, 0)).center()
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=first_row)
    qtbot.mouseDClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=first_row)
    assert tab.editor.editing and tab.form["duration_minutes"].get() == "45"
    tab.form["duration_minutes"].put("50")
    qtbot.mouseClick(tab.editor.save_button, Qt.MouseButton.LeftButton)
    assert office.caseworker.care.get(entry.id).duration_minutes == 50


def test_edit_without_a_selection_says_so(qtbot, office):
    workspace = open_workspace(qtbot, office, "caseworker")
    tab = workspace.show_tab("services")
    qtbot.mouseClick(tab.editor.edit_button, Qt.MouseButton.LeftButton)
    assert "Select the service" in tab.message.text() and not tab.editor.editing


def test_assigning_confirms_and_the_header_shows_who(qtbot, office):
    workspace = open_workspace(qtbot, office)
    assert plain(workspace.team.text()) == "Assigned to Casey Worker · Shared with Lee Legal"
    assert "\u2068Casey Worker\u2069" in workspace.team.text()  # a name keeps its direction
    assert CANARY not in plain(workspace.team.text())
    qtbot.keyClick(workspace.assign_button, Qt.Key.Key_Space)
    dialog = workspace.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.person.setFocus()
    target = dialog.person.findData(office.ids["coordinator"])
    while dialog.person.currentIndex() != target:
        qtbot.keyClick(dialog.person, Qt.Key.Key_Down if dialog.person.currentIndex() < target
                       else Qt.Key.Key_Up)
    qtbot.keyClick(dialog.ok_button, Qt.Key.Key_Space)
    assert not dialog.isVisible()
    assert plain(workspace.team.text()) == "Assigned to Cora Coordinator · Shared with Lee Legal"
    notice = plain(workspace.notice.text())
    assert workspace.notice.isVisibleTo(workspace)
    assert notice.startswith(f"Case {office.record.code} is now assigned to Cora Coordinator.")
    assert "use Assign… again" in notice and "undo" not in notice.casefold()
    history = workspace.show_tab("history")
    assert history_lines(history)[0] == ("You", "Assignment",
                                         "Assigned the case to Cora Coordinator")
    # The caseworker, no longer assigned, cannot open it; the legal volunteer sees the header.
    legal = open_workspace(qtbot, office, "legal")
    assert plain(legal.team.text()) == "Assigned to Cora Coordinator · Shared with Lee Legal"


def test_sharing_confirms_and_the_header_follows(qtbot, office):
    workspace = open_workspace(qtbot, office)
    qtbot.mouseClick(workspace.share_button, Qt.MouseButton.LeftButton)
    dialog = workspace.dialog
    dialog.people.item(0).setCheckState(Qt.CheckState.Unchecked)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert plain(workspace.team.text()) == ("Assigned to Casey Worker · Not shared with a legal "
                                     "volunteer")
    assert "is no longer shared with Lee Legal" in plain(workspace.notice.text())
    assert "Share with legal volunteer… again" in plain(workspace.notice.text())
    qtbot.mouseClick(workspace.share_button, Qt.MouseButton.LeftButton)
    dialog = workspace.dialog
    dialog.people.item(0).setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "is now shared with Lee Legal" in plain(workspace.notice.text())
    assert plain(workspace.team.text()).endswith("Shared with Lee Legal")
    lines = history_lines(workspace.show_tab("history"))
    assert [what for _w, section, what in lines if section == "Sharing"][:2] == [
        "Shared the case with Lee Legal", "Stopped sharing the case with Lee Legal"]
    # Cancelling the dialog changes nothing and confirms nothing.
    qtbot.mouseClick(workspace.share_button, Qt.MouseButton.LeftButton)
    workspace.dialog.reject()
    assert not workspace.notice.isVisibleTo(workspace)


def test_the_legal_volunteer_sees_the_history_without_health_or_services(qtbot, office):
    office.caseworker.care.record(office.record.id, "medical", provided_on=YESTERDAY,
                                  notes="Blood test")
    current = office.caseworker.cases.get(office.record.id)
    from shelter_app.domain.records import SurvivorInput

    office.caseworker.cases.update(office.record.id, survivor=SurvivorInput(
        legal_name=CANARY, access_needs="Ramp and lift"), versions=current.row_versions)
    workspace = open_workspace(qtbot, office, "legal")
    history = workspace.show_tab("history")
    lines = history_lines(history)
    assert lines and {section for _w, section, _what in lines} <= {
        "Case", "Sharing", "Identity and languages", "Contact and safe contact"}
    assert not any("service" in what.casefold() or "needs" in what.casefold()
                   for _w, _s, what in lines)
    coordinator = history_lines(open_workspace(qtbot, office).show_tab("history"))
    assert ("Casey Worker", "Health", "Changed: Immediate needs and access needs") in coordinator
    assert ("Casey Worker", "Services", "Recorded a service") in coordinator
    assert CANARY not in all_texts().replace(workspace.profile.form["legal_name"].get(), "")
    events = office.coordinator.ctx.audit.events(target_type="case",
                                                 target_id=office.record.id)
    assert any(e.action == Event.SECTION_OPENED and e.details == {"section": "history"}
               and e.actor_id == office.ids["legal"] for e in events)


def test_a_long_history_comes_page_by_page(qtbot, office, monkeypatch):
    from ui.cases.tabs import history as history_module

    monkeypatch.setattr(history_module, "LIMIT", 3)
    for days_ago in range(5):
        office.caseworker.care.record(office.record.id, "safe_shelter",
                                      provided_on=YESTERDAY - dt.timedelta(days=days_ago))
    workspace = open_workspace(qtbot, office)
    tab = workspace.show_tab("history")
    assert tab.table.rowCount() == 3 and tab.older_button.isVisibleTo(tab)
    qtbot.keyClick(tab.older_button, Qt.Key.Key_Space)
    assert tab.table.rowCount() == 6
    qtbot.mouseClick(tab.older_button, Qt.MouseButton.LeftButton)
    lines = history_lines(tab)
    assert lines[-1][2] == "Created the case at intake"
    assert not tab.older_button.isVisibleTo(tab)
    assert [w for w, _s, _what in lines].count("Casey Worker") == 5
