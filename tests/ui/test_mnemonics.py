"""No Alt+letter is used twice in one window, in any window or dialog of the application.

The walk signs in as each role and visits every section, every tab of an open case, each
step of the intake (with its duplicate warning), and every window a "…" button opens
(documents, appointments, accounts, partners, referrals…), as well as the sign-in screen
(with the demo accounts and "Forgot passphrase?"), the first run and the passphrase
change.  System dialogs (files, printing) are answered "cancel" so that none blocks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain.records import CaseInput, SurvivorInput
from tests.conftest import ADMIN_PASS
from ui.background import Background
from ui.cases.intake import IntakeDialog
from ui.cases.workspace import CaseWorkspace
from ui.change_passphrase import ChangePassphraseDialog
from ui.first_run import FirstRunWindow
from ui.main_window import MainWindow
from ui.mnemonics import settle, with_free_letter, without_mnemonic
from ui.sign_in import SignInWindow

from .case_helpers import CANARY, STAFF_PASS, keep, new_case, session, staffed_vault
from .conftest import WAIT_MS, sign_in
from .mnemonic_walk import Walk, open_each, opened_windows, select_first_rows

ROLES = ("coordinator", "caseworker", "legal", "admin")


@pytest.fixture(autouse=True)
def _no_system_dialogs(monkeypatch):
    """File and print dialogs answer "cancel" at once instead of waiting for a person."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    monkeypatch.setattr(QFileDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    monkeypatch.setattr(QMessageBox, "information",
                        lambda *a, **k: QMessageBox.StandardButton.Ok)  # "no printer"
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected)


@pytest.fixture
def walked_vault(vault_dir):
    ids = staffed_vault(vault_dir)
    with session(vault_dir, "coordinator") as coordinator:
        record = new_case(coordinator, ids, CANARY, birth_date="1990-05-01")
        coordinator.legal.open(record.id, "residence_permit", jurisdiction="IT")
        partner = coordinator.partners.add("Riverside Clinic (fictional)", "health").id
        coordinator.consent.record(record.id, sections=["identity", "contact"],
                                   partner_id=partner, purpose="Referral",
                                   given_by="survivor", method="written",
                                   given_on="2026-01-05")
        coordinator.cases.create(SurvivorInput(legal_name="Olena Kovalenko"),
                                 CaseInput(assigned_to=ids["caseworker"]))
    return vault_dir


def test_no_mnemonic_is_used_twice_in_any_window(qtbot, make_controller, walked_vault):
    walk = Walk()
    controller = make_controller(walked_vault)

    def settle() -> None:
        qtbot.waitUntil(lambda: not controller.background.busy, timeout=WAIT_MS)
        qtbot.wait(5)

    for username in ROLES:
        sign_in(qtbot, controller, username, ADMIN_PASS if username == "admin" else STAFF_PASS)
        window = controller.window
        assert isinstance(window, MainWindow), username
        for key in window.section_keys():
            page = window.go_to(key)
            settle()
            where = f"{username}: {key}"
            if key == "cases":
                _walk_cases(qtbot, walk, where, page, settle)
                continue
            for sub in _tabs_of(page):
                settle()
                walk.check(f"{where}: {sub}")
                select_first_rows(page)
                open_each(walk, f"{where}: {sub}", page, settle)
        with opened_windows(settle):
            window.change_passphrase()
            walk.check(f"{username}: change passphrase")
        controller.lock()
        settle()

    _walk_sign_in(qtbot, walk, controller, settle)
    assert walk.states > 60, walk.states  # the walk really went through the application
    assert not walk.problems, "mnemonics used twice:\n" + walk.report()


def _tabs_of(page):
    """Each tab of the page's tab widgets in turn (the page itself when it has none)."""
    tabs = [t for t in page.findChildren(QTabWidget) if t.isVisibleTo(page.window())]
    if not tabs:
        yield "page"
        return
    for tab_widget in tabs:
        for index in range(tab_widget.count()):
            if tab_widget.isTabVisible(index):
                tab_widget.setCurrentIndex(index)
                yield tab_widget.tabText(index).replace("&", "")


def _walk_cases(qtbot, walk: Walk, where: str, section, settle) -> None:
    page = section.list_page
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=WAIT_MS)
    walk.check(f"{where}: list")
    for row in range(page.model.rowCount()):
        section.open_case(page.model.case_id(row))
    settle()
    for workspace in section.workspaces():
        section.setCurrentWidget(workspace)
        assert isinstance(workspace, CaseWorkspace)
        tabs = workspace.findChild(QTabWidget)
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            settle()
            tab = tabs.tabText(index).replace("&", "")
            walk.check(f"{where}: case {workspace.code}: {tab}")
            select_first_rows(workspace)
            open_each(walk, f"{where}: case {workspace.code}: {tab}", workspace, settle)
    section.setCurrentIndex(0)
    if page.new_button.isVisibleTo(page):
        _walk_intake(qtbot, walk, where, section, settle)


def _walk_intake(qtbot, walk: Walk, where: str, section, settle) -> None:
    dialog = section.new_case()
    assert isinstance(dialog, IntakeDialog)
    for step in range(dialog.pages.count()):
        dialog.show_step(step)
        walk.check(f"{where}: intake step {step + 1}")
    dialog.show_step(0)
    dialog.form["legal_name"].put(CANARY)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    settle()
    assert dialog.duplicates.isVisibleTo(dialog)
    walk.check(f"{where}: intake with the duplicate warning")
    dialog.reject()
    box = dialog.confirm_box
    assert isinstance(box, QMessageBox)
    walk.check(f"{where}: discard the intake?")
    box.button(QMessageBox.StandardButton.Discard).click()
    settle()


def _walk_sign_in(qtbot, walk: Walk, controller, settle) -> None:
    window = controller.window
    assert isinstance(window, SignInWindow)
    walk.check("sign-in")
    with opened_windows(settle):
        qtbot.mouseClick(window.forgot_button, Qt.MouseButton.LeftButton)
        walk.check("sign-in: forgot passphrase")
    demo = keep(SignInWindow("Shelter App", demo_note="Demo", demo_accounts=[
        ("Administrator", "admin", "aaaa-bbbb-cccc-dddd"),
        ("Coordinator", "coordinator", "aaaa-bbbb-cccc-dddd"),
        ("Caseworker", "caseworker", "aaaa-bbbb-cccc-dddd"),
        ("Legal volunteer", "legal", "aaaa-bbbb-cccc-dddd")]))
    with opened_windows(settle):
        demo.show()
        walk.check("sign-in with the demo accounts")
    first = keep(FirstRunWindow("Shelter App", Background()))
    with opened_windows(settle):
        first.show()
        for page in range(first.pages.count()):
            first.pages.setCurrentIndex(page)
            walk.check(f"first run: page {page + 1}")
    for required in (True, False):
        dialog = keep(ChangePassphraseDialog(lambda _c, _n: None, "admin", Background(),
                                             required=required))
        with opened_windows(settle):
            dialog.show()
            walk.check(f"change passphrase (required={required})")


def test_a_taken_letter_moves_to_a_free_one_and_comes_back(qtbot):
    assert without_mnemonic("Save && &close") == "Save && close"
    assert with_free_letter("&Accounts", {"A"}) == "A&ccounts"
    assert with_free_letter("Change &status", {"S", "C"}) == "C&hange status"
    assert with_free_letter("&Ok", {"O", "K"}) == "Ok"

    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    add = QPushButton("&Add account…")
    field = QLineEdit()
    label = QLabel("&Address:")
    label.setBuddy(field)
    for widget in (label, field, add):
        layout.addWidget(widget)
    window.show()
    settle(window)
    assert add.text() == "&Add account…"  # a button keeps its letter before a label
    assert label.text() == "A&ddress:"
    add.hide()
    settle(window)
    assert label.text() == "&Address:"  # its own letter again
    label.setText("&Street:")  # changed by the code: the new text is the original
    add.show()
    settle(window)
    assert label.text() == "&Street:" and add.text() == "&Add account…"
