"""The case header: status, assignment and sharing, each shown only when allowed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ui.cases.case_actions import AssignDialog, ShareDialog, StatusDialog, next_statuses
from ui.cases.section import CasesSection
from ui.cases.workspace import CaseWorkspace

from .case_helpers import CANARY, keep


def open_workspace(office, who: str = "coordinator") -> tuple[CasesSection, CaseWorkspace]:
    section = keep(CasesSection(getattr(office, who), office.background))
    section.show()
    workspace = section.open_case(office.record.id)
    assert workspace is not None
    return section, workspace


def count_reloads(section: CasesSection, monkeypatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(section.list_page, "reload", lambda: calls.append(1))
    return calls


@pytest.mark.parametrize(("who", "status", "assign", "share"), [
    ("coordinator", True, True, True),
    ("caseworker", True, False, False),
    ("legal", False, False, False),
])
def test_controls_are_shown_only_when_allowed(office, who, status, assign, share):
    _section, workspace = open_workspace(office, who)
    assert workspace.status_button.isVisibleTo(workspace) == status
    assert workspace.assign_button.isVisibleTo(workspace) == assign
    assert workspace.share_button.isVisibleTo(workspace) == share


def test_next_statuses_move_forward_or_reopen():
    assert next_statuses("open") == ["assessment", "case_plan", "services", "closed"]
    assert next_statuses("services") == ["closed"]
    assert "closed" not in next_statuses("closed") and "open" in next_statuses("closed")


def test_closing_needs_a_reason_and_a_closed_case_reopens(qtbot, office, monkeypatch):
    section, workspace = open_workspace(office, "caseworker")
    reloads = count_reloads(section, monkeypatch)
    assert "Status: Open" in workspace.state.text()
    qtbot.mouseClick(workspace.status_button, Qt.MouseButton.LeftButton)
    dialog = workspace.dialog
    assert isinstance(dialog, StatusDialog) and CANARY not in dialog.windowTitle()
    assert not dialog.reason.isVisibleTo(dialog)
    dialog.status.setCurrentIndex(dialog.status.findData("closed"))
    assert dialog.reason.isVisibleTo(dialog)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "Say why the case is closed" in dialog.error.text()
    assert dialog.isVisible() and reloads == [] and "Status: Open" in workspace.state.text()
    assert office.caseworker.cases.get(office.record.id).case["status"] == "open"
    dialog.reason.setCurrentIndex(dialog.reason.findData("goals_met"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and reloads == [1]
    assert "Status: Closed" in workspace.state.text()
    saved = office.caseworker.cases.get(office.record.id)
    assert saved.case["status"] == "closed" and saved.case["closure_reason"] == "goals_met"
    # The profile now holds the new row version: an edit still saves.
    assert workspace.profile.record.row_versions == saved.row_versions
    # Reopen.
    qtbot.mouseClick(workspace.status_button, Qt.MouseButton.LeftButton)
    dialog = workspace.dialog
    assert dialog.status.currentData() == "open"
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "Status: Open" in workspace.state.text() and reloads == [1, 1]


def test_a_coordinator_assigns_and_a_refusal_stays_in_the_dialog(qtbot, office, monkeypatch):
    section, workspace = open_workspace(office)
    reloads = count_reloads(section, monkeypatch)
    qtbot.mouseClick(workspace.assign_button, Qt.MouseButton.LeftButton)
    dialog = workspace.dialog
    assert isinstance(dialog, AssignDialog)
    names = [dialog.person.itemText(i) for i in range(dialog.person.count())]
    assert "Casey Worker" in names and "Cora Coordinator" in names
    assert "Lee Legal" not in names and "Ana Admin" not in names
    assert dialog.person.currentData() == office.ids["caseworker"]
    # The caseworker is disabled meanwhile: the refusal is shown, nothing changes.
    office.admin.accounts.disable("caseworker")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "active caseworkers or coordinators" in dialog.error.text()
    assert dialog.isVisible() and reloads == []
    dialog.person.setCurrentIndex(dialog.person.findData(office.ids["coordinator"]))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and reloads == [1]
    saved = office.coordinator.cases.get(office.record.id)
    assert saved.case["assigned_to"] == office.ids["coordinator"]


def test_a_coordinator_shares_and_stops_sharing(qtbot, office, monkeypatch):
    section, workspace = open_workspace(office)
    reloads = count_reloads(section, monkeypatch)
    qtbot.mouseClick(workspace.share_button, Qt.MouseButton.LeftButton)
    dialog = workspace.dialog
    assert isinstance(dialog, ShareDialog)
    assert dialog.ticked() == {office.ids["legal"]}
    dialog.people.item(0).setCheckState(Qt.CheckState.Unchecked)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and reloads == [1]
    assert office.coordinator.cases.get(office.record.id).shared_with == ()
    assert workspace.profile.record.shared_with == ()
