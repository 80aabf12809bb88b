"""The keyboard alone: where the focus lands, what Enter and Tab do.

The focus after signing in (or unlocking) is on the page's first control, never on the red
Quick exit button, where a stray Space would close the program; Enter presses the focused
button in every window; Tab from the case list's search goes to the results."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QPushButton

from shelter_app.domain.roles import Role
from tests.conftest import ADMIN_PASS
from ui.admin.user_dialogs import AddAccountDialog
from ui.background import Background
from ui.cases.intake import IntakeDialog
from ui.first_run import FirstRunWindow
from ui.main_window import MainWindow
from ui.shortcuts import AppShortcuts
from ui.sign_in import SignInWindow

from .case_helpers import STAFF_PASS, drop_widgets, keep, new_case, session, staffed_vault
from .conftest import WAIT_MS, sign_in


@pytest.fixture
def staffed(vault_dir):
    ids = staffed_vault(vault_dir)
    with session(vault_dir, "coordinator") as coordinator:
        for name in ("Ana Lopez", "Bui Thi Lan", "Grace Okafor"):
            new_case(coordinator, ids, name)
    return vault_dir


@pytest.fixture
def app_keys():
    """The application-wide key filter the controller installs (for dialogs tested alone)."""
    keys = AppShortcuts()
    keys.install()
    yield keys
    keys.remove()


def _main(qtbot, controller, username: str) -> MainWindow:
    sign_in(qtbot, controller, username, ADMIN_PASS if username == "admin" else STAFF_PASS)
    window = controller.window
    assert isinstance(window, MainWindow), getattr(window, "error", window).text()
    return window


@pytest.mark.parametrize(("username", "first"), [
    ("coordinator", "My day"), ("caseworker", "My day"),
    ("legal", "My day"), ("admin", "Accounts"),
])
def test_after_sign_in_the_focus_is_on_the_page_not_on_quick_exit(qtbot, make_controller,
                                                                  staffed, username, first):
    controller = make_controller(staffed)
    for _round in range(2):  # and again after Lock and signing in again
        window = _main(qtbot, controller, username)
        focused = window.focusWidget()
        assert focused is not window.quick_exit
        assert focused.accessibleName() == first
        # Space where the focus is does not quit; the session goes on.
        qtbot.keyClick(focused, Qt.Key.Key_Space)
        assert controller._quit_app.calls == 0 and controller.state == "main"
        controller.lock()
        assert isinstance(controller.window, SignInWindow)


def test_a_section_chosen_by_its_shortcut_gets_the_focus(qtbot, make_controller, staffed):
    controller = make_controller(staffed)
    window = _main(qtbot, controller, "coordinator")
    assert len(window.specs) == 10  # the tenth is Ctrl+0
    for number in range(2, len(window.specs) + 1):
        qtbot.keyClick(window.focusWidget(), Qt.Key(Qt.Key.Key_0 + number % 10),
                       Qt.KeyboardModifier.ControlModifier)
        page = window.stack.currentWidget()
        focused = window.focusWidget()
        assert window.current_key() == window.specs[number - 1].key
        assert focused is not None and page.isAncestorOf(focused), window.current_key()


def test_tab_from_the_search_goes_to_the_results(qtbot, make_controller, staffed):
    controller = make_controller(staffed)
    window = _main(qtbot, controller, "coordinator")
    page = window.go_to("cases").list_page
    assert window.focusWidget() is page.search
    qtbot.keyClicks(page.search, "Lopez")
    qtbot.waitUntil(lambda: page._results is not None and page.model.rowCount() == 1,
                    timeout=WAIT_MS)
    qtbot.keyClick(page.search, Qt.Key.Key_Tab)
    assert window.focusWidget() is page.table
    # Enter there opens the result (the first row is current once the list has the focus).
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.page("cases").count() == 2, timeout=WAIT_MS)
    # Shift+Tab from the search goes back up to what is above it: the filters' New case.
    window.page("cases").setCurrentIndex(0)
    page.search.setFocus()
    qtbot.keyClick(page.search, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert window.focusWidget() is page.new_button


def test_enter_on_a_focused_button_presses_it_in_the_main_window(qtbot, make_controller,
                                                                 staffed):
    controller = make_controller(staffed)
    window = _main(qtbot, controller, "admin")
    add = next(b for b in window.findChildren(QPushButton) if b.text() == "&Add account…")
    add.setFocus()
    assert window.focusWidget() is add
    qtbot.keyClick(add, Qt.Key.Key_Return)
    dialog = next((w for w in QApplication.topLevelWidgets()
                   if isinstance(w, AddAccountDialog) and w.isVisible()), None)
    assert dialog is not None
    # A refused user name, corrected, then Enter: the account is added.
    dialog.username.setText("new person")
    dialog.roles.boxes[Role.CASEWORKER].setChecked(True)
    qtbot.keyClick(dialog.username, Qt.Key.Key_Return)
    assert dialog.username_msg.isVisibleTo(dialog) and dialog.isVisible()
    dialog.username.setText("newperson")
    with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
        qtbot.keyClick(dialog.username, Qt.Key.Key_Return)
    assert "newperson" in [a.username for a in controller.services.accounts.list()]


def test_enter_on_finish_ends_the_first_run(qtbot, make_controller):
    controller = make_controller()
    window = controller.window
    assert isinstance(window, FirstRunWindow)
    qtbot.keyClicks(window.organisation, "Harbour House")
    qtbot.keyClick(window.organisation, Qt.Key.Key_Return)
    # A refused user name, corrected, then Enter in that field: the vault is made.
    qtbot.keyClicks(window.username, "maria admin")
    for field in (window.passphrase, window.repeat):
        qtbot.keyClicks(field, ADMIN_PASS)
    qtbot.keyClick(window.repeat, Qt.Key.Key_Return)
    assert window.username_msg.isVisibleTo(window)
    window.username.setText("maria")
    with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
        qtbot.keyClick(window.username, Qt.Key.Key_Return)
    assert controller.state == "recovery_key"
    page = window.recovery
    assert window.focusWidget() is not window.quick_exit
    qtbot.keyClick(page.stored, Qt.Key.Key_Space)
    page.finish_button.setFocus()
    qtbot.keyClick(page.finish_button, Qt.Key.Key_Return)
    assert controller.state == "main" and isinstance(controller.window, MainWindow)
    assert controller.window.focusWidget() is not controller.window.quick_exit


def test_the_focus_stays_off_quick_exit_while_the_vault_is_made(qtbot, make_controller):
    controller = make_controller()
    window = controller.window
    qtbot.keyClicks(window.organisation, "Harbour House")
    qtbot.keyClick(window.organisation, Qt.Key.Key_Return)
    window.username.setText("maria")
    for field in (window.passphrase, window.repeat):
        field.setText(ADMIN_PASS)
    with qtbot.waitActive(window, timeout=WAIT_MS):
        window.activateWindow()
    window.create_button.setFocus()
    assert window.create_button.hasFocus()
    with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
        qtbot.keyClick(window.create_button, Qt.Key.Key_Return)
        assert window.focusWidget() is window.repeat  # while busy: not Quick exit
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Space)
    assert controller._quit_app.calls == 0 and controller.state == "recovery_key"


def test_enter_on_a_picker_s_add_adds_instead_of_going_on(qtbot, vault_dir, app_keys):
    ids = staffed_vault(vault_dir)
    background = Background()
    with session(vault_dir, "coordinator") as services:
        del ids
        dialog = keep(IntakeDialog(services, background))
        dialog.show()
        qtbot.waitExposed(dialog)
        picker = dialog.form["citizenship"].widget
        picker.combo.setCurrentIndex(picker.combo.findData("PH"))
        picker.add_button.setFocus()
        qtbot.keyClick(picker.add_button, Qt.Key.Key_Return)
        assert picker.value() == ["PH"] and dialog.current == 0
        assert dialog.result() != QDialog.DialogCode.Accepted
        background.wait()
        drop_widgets()


def test_signing_in_keeps_the_focus_in_the_fields(qtbot, make_controller, staffed):
    controller = make_controller(staffed)
    window = controller.window
    window.username.setText("caseworker")
    window.passphrase.setText(STAFF_PASS)
    with qtbot.waitActive(window, timeout=WAIT_MS):
        window.activateWindow()
    window.sign_in_button.setFocus()
    assert window.sign_in_button.hasFocus()
    with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
        qtbot.keyClick(window.sign_in_button, Qt.Key.Key_Return)
        assert window.focusWidget() is window.sign_in_button  # while the key is derived
    assert controller.state == "main"


def test_clicking_a_case_s_tabs_or_closing_it_never_leaves_the_focus_on_quick_exit(
        qtbot, make_controller, staffed):
    """A tab is built when first clicked, in place of a stand-in that had the focus, and a
    closed case takes the focus with it: Qt handed it on to the next control, Quick exit,
    where a stray Space quit the program."""
    controller = make_controller(staffed)
    window = _main(qtbot, controller, "coordinator")
    section = window.go_to("cases")
    page = section.list_page
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=WAIT_MS)
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: section.count() == 2, timeout=WAIT_MS)
    workspace = section.currentWidget()
    bar = workspace.tabs.tabBar()
    for key in ("documents", "services", "history", "profile", "services"):
        index = workspace.keys.index(key)
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
        assert workspace.tabs.currentIndex() == index
        assert window.focusWidget() is not window.quick_exit, key
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Space)
        assert controller._quit_app.calls == 0 and controller.state == "main"
    workspace.tab("services").form["outcome"].focus.setFocus()
    cases = section.tabBar()
    close = cases.tabButton(1, cases.ButtonPosition.RightSide) or \
        cases.tabButton(1, cases.ButtonPosition.LeftSide)
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    assert section.count() == 1
    assert window.focusWidget() is page.search
