"""The main window: sections by role, built when first shown, and what locking asks."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget
from shiboken6 import isValid

from shelter_app.domain.audit import Event
from ui.background import Background
from ui.cases.section import CasesSection
from ui.main_window import MainWindow
from ui.pages import PAGES, PageSpec

from .case_helpers import (
    CANARY,
    STAFF_PASS,
    all_texts,
    new_case,
    session,
    staffed_vault,
    unnamed_controls,
)
from .conftest import WAIT_MS, flush_deletes, sign_in


@pytest.fixture
def staffed(vault_dir):
    ids = staffed_vault(vault_dir)
    with session(vault_dir, "coordinator") as coordinator:
        record = new_case(coordinator, ids)
    return ids, record


def signed_in(qtbot, make_controller, username, **kwargs):
    controller = make_controller(**kwargs)
    sign_in(qtbot, controller, username, STAFF_PASS)
    assert isinstance(controller.window, MainWindow), controller.state
    return controller


def wait_for_list(qtbot, section: CasesSection) -> None:
    qtbot.waitUntil(lambda: not section.list_page.loading, timeout=WAIT_MS)


def test_sections_follow_the_roles_and_my_day_opens_first(qtbot, make_controller, staffed):
    controller = signed_in(qtbot, make_controller, "coordinator")
    window = controller.window
    assert window.section_keys()[:2] == ["my_day", "cases"]
    assert window.nav.isVisibleTo(window)
    assert window.stack.currentWidget() is window.pages["my_day"]
    assert "cases" not in window.pages  # built when first shown
    section = window.show_page("cases")
    assert isinstance(section, CasesSection) and window.stack.currentWidget() is section
    wait_for_list(qtbot, section)
    assert section.list_page.model.rowCount() == 1
    assert unnamed_controls(window) == []


def test_sections_a_user_may_not_see_are_absent_and_pages_are_built_when_shown(
        qtbot, staffed, vault_dir):
    built: list[str] = []

    def factory(key):
        def make(services, background, parent):
            built.append(key)
            return QLabel(key, parent)
        return make

    pages = [PageSpec("one", lambda: "One", factory("one"), lambda s: True),
             PageSpec("hidden", lambda: "Hidden", factory("hidden"), lambda s: False),
             PageSpec("two", lambda: "Two", factory("two"), lambda s: True)]
    with session(vault_dir, "coordinator") as services:
        window = MainWindow(services, Background(), pages=pages)
        qtbot.addWidget(window)
        assert window.section_keys() == ["one", "two"]
        assert [window.nav.item(i).text() for i in range(window.nav.count())] == ["One", "Two"]
        assert built == ["one"]  # only the page in front
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        qtbot.keyClick(window.nav, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
        assert window.current_key() == "two" and built == ["one", "two"]
        window.end_session()


def test_an_administrator_alone_sees_no_cases_and_is_told_why(qtbot, make_controller, staffed):
    controller = make_controller()
    sign_in(qtbot, controller, "admin", "correct horse battery staple")
    window = controller.window
    registered = [spec.key for spec in PAGES if spec.visible(controller.services)]
    assert "cases" not in window.section_keys() and window.section_keys() == registered
    if not registered:
        assert window.stack.currentWidget() is window.nothing
        assert not window.nav.isVisibleTo(window)


def test_lock_clears_every_case_widget_and_model(qtbot, make_controller, staffed):
    _ids, record = staffed
    controller = signed_in(qtbot, make_controller, "coordinator")
    section = controller.window.show_page("cases")
    wait_for_list(qtbot, section)
    workspace = section.open_case(record.id)
    for key in workspace.keys:
        workspace.show_tab(key)
    model = section.list_page.model
    assert CANARY in all_texts()
    qtbot.keyClick(controller.window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert controller.state == "sign_in"
    # Nothing of the session is left, even in windows still waiting to be deleted.
    assert CANARY not in all_texts()
    assert model.rowCount() == 0 and model.cached_rows() == 0
    assert workspace.profile.form.values()["legal_name"] == ""
    flush_deletes()
    assert not isValid(model) and not isValid(workspace)


def make_unsaved(qtbot, controller, record):
    section = controller.window.show_page("cases")
    workspace = section.open_case(record.id)
    profile = workspace.profile
    qtbot.mouseClick(profile.edit_button, Qt.MouseButton.LeftButton)
    profile.form["safety_plan"].put("Move to the second house")
    assert profile.has_unsaved()
    return profile


@pytest.mark.parametrize("answer", ["save", "discard", "cancel"])
def test_locking_by_hand_with_unsaved_edits_asks_first(qtbot, make_controller, staffed,
                                                       vault_dir, answer):
    _ids, record = staffed
    controller = signed_in(qtbot, make_controller, "coordinator")
    make_unsaved(qtbot, controller, record)
    controller.lock()
    box = controller.window.unsaved_box
    assert controller.state == "main" and isinstance(box, QMessageBox)
    assert record.code in box.informativeText() and CANARY not in box.informativeText()
    controller.lock()  # asking again while the question is open changes nothing
    button = {"save": QMessageBox.StandardButton.Save,
              "discard": QMessageBox.StandardButton.Discard,
              "cancel": QMessageBox.StandardButton.Cancel}[answer]
    qtbot.mouseClick(box.button(button), Qt.MouseButton.LeftButton)
    assert controller.state == ("main" if answer == "cancel" else "sign_in")
    controller.shutdown()
    with session(vault_dir, "coordinator") as services:
        plan = services.cases.get(record.id).case["safety_plan"]
        assert plan == ("Move to the second house" if answer == "save" else "")
        assert services.drafts.get("case_profile", case_id=record.id) is None


@pytest.mark.parametrize("how", ["auto_lock", "quick_exit"])
def test_auto_lock_and_quick_exit_never_ask_and_keep_a_draft_in_the_vault(
        qtbot, make_controller, staffed, vault_dir, how):
    _ids, record = staffed
    controller = signed_in(qtbot, make_controller, "coordinator")
    make_unsaved(qtbot, controller, record)
    getattr(controller, how)()
    assert controller.state in ("sign_in", "closed")
    assert CANARY not in all_texts()
    assert not list(vault_dir.parent.rglob("*draft*"))  # nothing written beside the vault
    controller.shutdown()
    with session(vault_dir, "coordinator") as services:
        assert services.cases.get(record.id).case["safety_plan"] == ""
        draft = services.drafts.get("case_profile", case_id=record.id)
        assert draft.changes["safety_plan"]["to"] == "Move to the second house"
        events = [e.action for e in services.ctx.audit.events(target_type="case",
                                                               target_id=record.id)]
        assert Event.DRAFT_SAVED in events

    # Opening the case again shows the kept edits, ready to save.
    controller = signed_in(qtbot, make_controller, "coordinator")
    workspace = controller.window.show_page("cases").open_case(record.id)
    profile = workspace.profile
    assert profile.editing and profile.has_unsaved()
    assert profile.form["safety_plan"].get() == "Move to the second house"
    assert "kept when the vault locked" in profile.notice.text()
    assert profile.save()
    with session_of(controller) as services:
        assert services.drafts.get("case_profile", case_id=record.id) is None


class session_of:
    """The controller's own services, as a context manager (nothing to close)."""

    def __init__(self, controller) -> None:
        self.services = controller.services

    def __enter__(self):
        return self.services

    def __exit__(self, *exc) -> None:
        return None


def test_no_survivor_name_in_any_window_title(qtbot, make_controller, staffed):
    _ids, record = staffed
    controller = signed_in(qtbot, make_controller, "coordinator")
    section = controller.window.show_page("cases")
    section.open_case(record.id)
    section.new_case()
    titles = [w.windowTitle() for w in controller.window.findChildren(QWidget) if w.isWindow()]
    titles.append(controller.window.windowTitle())
    titles += [section.tabText(i) for i in range(section.count())]
    assert record.code in titles
    assert not [t for t in titles if "Zenobia" in t or "Quillfeather" in t]


def test_thousands_of_qt_calls_cannot_use_up_none(qapp):
    # PySide6 6.12.0 on Python 3.11 drops a reference to None at each void call; without
    # ui/binding.py's guard this loop aborts the whole test run ("deallocating None").
    label = QLabel()
    before = sys.getrefcount(None)
    for _i in range(20_000):
        label.setText("x")
    assert sys.getrefcount(None) > max(10_000, before - 20_000)


def test_an_intake_open_at_a_manual_lock_is_kept_and_offered_again(qtbot, make_controller,
                                                                   staffed):
    controller = signed_in(qtbot, make_controller, "coordinator")
    dialog = controller.window.show_page("cases").new_case()
    dialog.form["legal_name"].put("Teodora Ilic")
    controller.lock()  # nothing to save in a workspace: no question, but the intake is kept
    assert controller.state == "sign_in" and "Teodora" not in all_texts()
    sign_in(qtbot, controller, "coordinator", STAFF_PASS)
    again = controller.window.show_page("cases").new_case()
    assert again.form["legal_name"].get() == "Teodora Ilic"


def test_a_row_in_another_section_opens_its_case(qtbot, make_controller, staffed):
    _ids, record = staffed
    controller = signed_in(qtbot, make_controller, "coordinator")
    window = controller.window
    deadlines = window.show_page("deadlines")
    with qtbot.waitSignal(deadlines.open_case, timeout=WAIT_MS):
        # as the "Open case" button does: the case, the tab, the record there
        deadlines.open_case.emit(record.id, "legal", "")
    assert window.current_key() == "cases"
    opened = [w for w in window.findChildren(QWidget) if getattr(w, "case_id", None) == record.id]
    assert opened and all(w.isVisibleTo(window) for w in opened)
