"""Walking the application's windows for mnemonics (Alt+letter) used twice in one window.

Qt gives an ambiguous mnemonic to neither control: Alt+A with "&Accounts" and "&Add
account…" both on screen only moves the focus between them.  A mnemonic counts where Qt
registers one: a button's text, a label's text when it has a buddy, a group box's title,
each tab of a tab bar — for every widget visible in its window, enabled or not (a disabled
button still makes the key ambiguous).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QDialog,
    QFileDialog,
    QGroupBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabBar,
    QTabWidget,
    QWidget,
)
from shiboken6 import isValid

from shelter_app.domain.records import CaseInput, SurvivorInput
from tests.conftest import ADMIN_PASS
from ui.cases.intake import IntakeDialog
from ui.cases.workspace import CaseWorkspace
from ui.main_window import MainWindow

from .case_helpers import CANARY, STAFF_PASS, new_case, session, staffed_vault
from .conftest import WAIT_MS, sign_in


def _key(text: str) -> str:
    sequence = QKeySequence.mnemonic(text)
    return "" if sequence.isEmpty() else sequence.toString()


def mnemonics(window: QWidget) -> dict[str, list[str]]:
    """Alt+key → the texts that claim it, among the widgets visible in *window*."""
    found: dict[str, list[str]] = {}
    for widget in [window, *window.findChildren(QWidget)]:
        if widget.window() is not window or not (widget is window
                                                  or widget.isVisibleTo(window)):
            continue
        texts: list[str] = []
        if isinstance(widget, QAbstractButton) or (
                isinstance(widget, QLabel) and widget.buddy() is not None):
            texts.append(widget.text())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QTabBar):
            texts += [widget.tabText(i) for i in range(widget.count()) if widget.isTabVisible(i)]
        for text in texts:
            key = _key(text)
            if key:
                found.setdefault(key, []).append(text)
    return found


def answer_system_dialogs(monkeypatch) -> None:
    """File and print dialogs answer "cancel" at once instead of waiting for a person."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    monkeypatch.setattr(QFileDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    monkeypatch.setattr(QMessageBox, "information",
                        lambda *a, **k: QMessageBox.StandardButton.Ok)  # "no printer"
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected)


def visible_windows() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]


class Walk:
    """Collects every mnemonic used twice, with where it was seen."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.states = 0

    def check(self, where: str) -> None:
        self.states += 1
        for window in visible_windows():
            for key, texts in mnemonics(window).items():
                if len(texts) > 1:
                    name = window.objectName() or type(window).__name__
                    self.problems.append(f"{where} [{name}]: {key} for {texts}")

    def report(self) -> str:
        return "\n".join(dict.fromkeys(self.problems))


def dialog_buttons(page: QWidget) -> list[QPushButton]:
    """The visible, enabled buttons of *page* that open a window ("…" by convention)."""
    return [b for b in page.findChildren(QPushButton)
            if b.isVisibleTo(page.window()) and b.isEnabled()
            and b.text().rstrip(" ~⟧\u2069").endswith(("…", "..."))]  # also in en_XA


def select_first_rows(page: QWidget) -> None:
    """Select a row in every list and table, so the buttons that act on it are enabled."""
    for view in page.findChildren(QAbstractItemView):
        model = view.model()
        if view.isVisibleTo(page.window()) and model is not None and model.rowCount() > 0:
            view.setCurrentIndex(model.index(0, 0))


@contextmanager
def opened_windows(settle: Callable[[], None]) -> Iterator[list[QWidget]]:
    """The windows that appear inside the block; each is closed (rejected) afterwards."""
    before = set(visible_windows())
    new: list[QWidget] = []
    try:
        yield new
    finally:
        settle()
        for window in [w for w in visible_windows() if w not in before]:
            if isinstance(window, QDialog):
                window.reject()
            else:
                window.close()
        settle()


def open_each(walk: Walk, where: str, page: QWidget, settle: Callable[[], None]) -> None:
    """Press each of *page*'s "…" buttons, check the window it opens, close it again."""
    for button in dialog_buttons(page):
        if not isValid(button) or not button.isVisible():
            continue  # a dialog opened before rebuilt this part of the page
        text = button.text().replace("&", "")
        with opened_windows(settle) as _new:
            button.click()
            settle()
            walk.check(f"{where} → {text}")


def make_walked_vault(vault_dir: Path) -> Path:
    """A staffed vault with two cases, a legal matter, a partner and a consent."""
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


def walk_roles(qtbot, walk: Walk, controller, roles: Sequence[str],
               settle: Callable[[], None]) -> None:
    """Sign in as each of *roles* and check every section, every tab of each case, every
    "…" window, the intake's steps and the passphrase change; lock after each."""
    for username in roles:
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
