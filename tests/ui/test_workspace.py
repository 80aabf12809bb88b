"""The case workspace: tabs by role, explicit edits, refusals shown, drafts merged."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from shelter_app.domain.records import CaseInput, SurvivorInput
from ui.cases.section import CasesSection
from ui.cases.workspace import CaseWorkspace

from .case_helpers import CANARY, Office, keep, new_case, unnamed_controls

ALL_TABS = ["profile", "consent", "services", "referrals", "appointments", "timeline", "family",
            "legal", "proceedings", "claims", "non_punishment", "documents", "attachments",
            "history", "tasks"]


@pytest.fixture
def office(qapp, vault_dir):
    office = Office(vault_dir)
    office.record = new_case(office.coordinator, office.ids, birth_date="1990-05-01")
    yield office
    office.close()


def open_workspace(office, who: str = "coordinator") -> CaseWorkspace:
    section = keep(CasesSection(getattr(office, who), office.background))
    section.show()
    workspace = section.open_case(office.record.id)
    assert workspace is not None
    return workspace


@pytest.mark.parametrize(("who", "tabs"), [
    ("coordinator", ALL_TABS),
    ("caseworker", ALL_TABS),
    ("legal", ["profile", "consent", "appointments", "timeline", "family", "legal",
               "proceedings", "claims", "non_punishment", "documents", "attachments", "history",
               "tasks"]),
])
def test_tabs_a_user_may_not_see_are_absent(office, who, tabs):
    workspace = open_workspace(office, who)
    assert workspace.keys == tabs
    profile = workspace.profile
    assert profile.edit_button.isVisibleTo(profile) == (who != "legal")
    for key in tabs:  # every tab builds, and every control in it is named
        workspace.show_tab(key)
    assert unnamed_controls(workspace) == []
    # Legal volunteers never see health: the field is not even there.
    assert ("access_needs" in profile.form) == (who != "legal")
    assert workspace.tabs.tabText(0) == "&Profile"
    assert "Zenobia" not in workspace.tabs.accessibleName()


def test_edit_save_and_cancel_are_explicit(qtbot, office):
    workspace = open_workspace(office)
    profile = workspace.profile
    plan = profile.form["safety_plan"]
    assert plan.focus.isReadOnly()
    qtbot.mouseClick(profile.edit_button, Qt.MouseButton.LeftButton)
    plan.put("Stays at the shelter until the hearing")
    qtbot.mouseClick(profile.cancel_button, Qt.MouseButton.LeftButton)
    assert plan.get() == "" and not profile.editing
    qtbot.mouseClick(profile.edit_button, Qt.MouseButton.LeftButton)
    plan.put("Stays at the shelter until the hearing")
    profile.form["birth_date"].put("1990-13-01")
    qtbot.mouseClick(profile.save_button, Qt.MouseButton.LeftButton)
    assert profile.editing and "no such date" in profile.form["birth_date"].message.text()
    profile.form["birth_date"].put("1990-05-01")
    qtbot.mouseClick(profile.save_button, Qt.MouseButton.LeftButton)
    assert not profile.editing
    saved = office.coordinator.cases.get(office.record.id)
    assert saved.case["safety_plan"] == "Stays at the shelter until the hearing"


def test_someone_elses_change_is_refused_clearly(qtbot, office):
    workspace = open_workspace(office)
    profile = workspace.profile
    qtbot.mouseClick(profile.edit_button, Qt.MouseButton.LeftButton)
    profile.form["phone"].put("+44 20 0000 0000")
    office.caseworker.cases.update(office.record.id, case=CaseInput(risk_level="high"),
                                   versions=office.record.row_versions)
    assert not profile.save()
    assert "Someone else changed this record" in profile.error.text()
    assert profile.error.isVisibleTo(profile) and profile.editing


def test_closing_a_case_with_unsaved_edits_asks(qtbot, office):
    workspace = open_workspace(office)
    section = workspace.parentWidget().parentWidget()
    profile = workspace.profile
    qtbot.mouseClick(profile.edit_button, Qt.MouseButton.LeftButton)
    profile.form["safety_plan"].put("Changed")
    section.close_case_at(1)
    box = section.closing_box
    assert isinstance(box, QMessageBox) and office.record.code in box.text()
    assert CANARY not in box.text()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert section.count() == 2 and profile.editing
    section.close_case_at(1)
    qtbot.mouseClick(section.closing_box.button(QMessageBox.StandardButton.Discard),
                     Qt.MouseButton.LeftButton)
    assert section.count() == 1
    assert office.coordinator.cases.get(office.record.id).case["safety_plan"] == ""


def test_a_kept_draft_never_overwrites_someone_elses_change(qtbot, office):
    workspace = open_workspace(office)
    profile = workspace.profile
    qtbot.mouseClick(profile.edit_button, Qt.MouseButton.LeftButton)
    profile.form["safety_plan"].put("Mine")
    profile.form["phone"].put("+1 555 0100")
    profile.keep_draft()
    # Meanwhile the caseworker writes another safety plan.
    office.caseworker.cases.update(office.record.id, case=CaseInput(safety_plan="Theirs"),
                                   survivor=SurvivorInput(legal_name=CANARY,
                                                          birth_date="1990-05-01"))
    again = open_workspace(office)
    restored = again.profile
    assert restored.editing
    assert restored.form["safety_plan"].get() == "Theirs"
    assert restored.form["phone"].get() == "+1 555 0100"
    assert "Safety plan" in restored.notice.text()
    assert restored.save()
    saved = office.coordinator.cases.get(office.record.id)
    assert saved.survivor["contact"]["phone"] == "+1 555 0100"
    assert saved.case["safety_plan"] == "Theirs"


def test_read_only_fields_look_read_only_until_edit(qtbot, office):
    from PySide6.QtGui import QPalette

    profile = open_workspace(office).profile
    name, gender = profile.form["legal_name"].focus, profile.form["gender"].focus
    plan = profile.form["safety_plan"].focus

    def looks_read_only(widget) -> bool:
        palette = widget.palette()
        return palette.color(QPalette.ColorRole.Base) == palette.color(QPalette.ColorRole.Window)

    assert name.isReadOnly() and plan.isReadOnly() and not gender.isEnabled()
    assert looks_read_only(name) and looks_read_only(plan)
    qtbot.mouseClick(profile.edit_button, Qt.MouseButton.LeftButton)
    assert not name.isReadOnly() and not plan.isReadOnly() and gender.isEnabled()
    assert not looks_read_only(name) and not looks_read_only(plan)
    qtbot.mouseClick(profile.cancel_button, Qt.MouseButton.LeftButton)
    assert looks_read_only(name)


def test_guardian_and_interpreter_fields_follow_their_boxes(qtbot, office):
    profile = open_workspace(office).profile
    form = profile.form

    def shown(name: str) -> bool:
        return form[name].widget.isVisibleTo(profile)

    assert not shown("guardian_name") and not shown("interpreter_language")
    qtbot.mouseClick(profile.edit_button, Qt.MouseButton.LeftButton)
    form["is_minor"].put(True)
    assert shown("guardian_name") and shown("guardian_contact")
    assert not shown("interpreter_language")
    form["interpreter_needed"].put(True)
    assert shown("interpreter_language")
    form["is_minor"].put(False)
    assert not shown("guardian_relationship")
