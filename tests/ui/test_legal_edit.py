"""Changing a legal matter in the case's Legal tab: select it, Edit (or Enter), change its
status and dates, Save; the deadlines follow; a colleague's change made meanwhile is
refused and nothing is overwritten.  Driven through the real widgets."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ui.cases.tabs.legal import LegalTab

from .test_case_history import history_lines, open_workspace

TODAY = dt.date.today()
DUE = TODAY + dt.timedelta(days=10)


def _legal_tab(qtbot, office) -> LegalTab:
    workspace = open_workspace(qtbot, office, "legal")
    tab = workspace.show_tab("legal")
    assert isinstance(tab, LegalTab) and tab.editor is not None
    return tab


def _kinds(office) -> set[str]:
    return {d.kind for d in office.legal.legal.due(within_days=60)
            if d.case_id == office.record.id}


def test_a_matter_is_filed_decided_closed_and_reopened_from_the_tab(qtbot, office):
    matter = office.legal.legal.open(office.record.id, "residence_permit",
                                     dates={"filing_due": DUE}, notes="first note")
    assert _kinds(office) == {"filing_due"}
    tab = _legal_tab(qtbot, office)
    editor = tab.editor
    assert editor is not None and not editor.save_button.isVisibleTo(tab)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Down)
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)  # Enter edits the matter
    assert editor.editing and not tab.open_button.isVisibleTo(tab)
    assert tab.form["notes"].get() == "first note"
    assert tab.form["filing_due"].get() == DUE.isoformat()
    assert QApplication.focusWidget() is tab.form["status"].focus
    tab.form.put({"status": "filed", "filed_on": TODAY.isoformat(),
                  "authority_ref": "REF-77", "permit_expiry": (TODAY + dt.timedelta(days=40))
                  .isoformat()})
    assert tab.has_unsaved()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not editor.editing, tab.message.text()
    assert tab.done.text() == "The legal matter was changed."
    assert [tab.table.item(0, c).text() for c in (1, 3)] == ["Filed", "REF-77"]
    assert tab.form["notes"].get() == ""  # the add form is back as it was
    # filed: the filing deadline is met, the permit's expiry is now one
    assert _kinds(office) == {"permit_expiry"}
    stored = office.legal.legal.get(matter.id)
    assert stored.status == "filed" and stored.authority_ref == "REF-77"
    assert stored.notes == "first note"

    # closed: no deadline is left; reopened (under appeal): they come back
    assert editor.edit_selected()
    tab.form.put({"status": "closed"})
    editor.save()
    assert _kinds(office) == set() and tab.table.item(0, 1).text() == "Closed"
    assert editor.edit_selected()
    tab.form.put({"status": "appeal"})
    editor.save()
    assert _kinds(office) == {"permit_expiry"}
    assert tab.table.item(0, 1).text() == "Under appeal"
    # a save that changes nothing writes nothing
    assert editor.edit_selected()
    editor.save()
    assert office.legal.legal.get(matter.id).row_version == 4

    # the History tab keeps the matter's status changes, and names the other fields changed
    workspace = tab.parent()
    while not hasattr(workspace, "show_tab"):
        workspace = workspace.parent()
    history = workspace.show_tab("history")
    lines = [what for _who, _section, what in history_lines(history)]
    assert lines[:4] == [
        "Changed a legal matter's status from Closed to Under appeal",
        "Changed a legal matter's status from Filed to Closed",
        "Changed a legal matter's status from Preparing to Filed; also changed: "
        "Authority's reference, Filed on, and Permit expires",
        "Opened a legal matter",
    ]


def test_a_colleagues_change_meanwhile_is_refused(qtbot, office):
    matter = office.legal.legal.open(office.record.id, "residence_permit")
    tab = _legal_tab(qtbot, office)
    editor = tab.editor
    assert editor is not None
    assert tab.selected_id() == matter.id  # the first matter is selected on opening
    tab.table.clearSelection()
    tab.table.setCurrentCell(-1, -1)
    qtbot.mouseClick(editor.edit_button, Qt.MouseButton.LeftButton)
    assert "Select the legal matter" in tab.message.text() and not editor.editing
    tab.table.selectRow(0)
    qtbot.mouseClick(editor.edit_button, Qt.MouseButton.LeftButton)
    assert editor.editing
    office.coordinator.legal.update(matter.id, matter_type="residence_permit",
                                    status="pending", version=matter.row_version)
    tab.form.put({"status": "refused"})
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert "Someone else changed this record" in tab.message.text()
    assert editor.editing and tab.table.item(0, 1).text() == "Pending decision"
    assert office.legal.legal.get(matter.id).status == "pending"
    qtbot.mouseClick(editor.cancel_button, Qt.MouseButton.LeftButton)
    assert not editor.editing and tab.open_button.isVisibleTo(tab)
