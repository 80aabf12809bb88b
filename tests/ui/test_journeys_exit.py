"""Journey 5, quick exit and lock: a caseworker has an intake half typed and an edit of a
profile not saved.  Ctrl+L asks Save / Discard / Cancel, and Cancel keeps both.  Then she
steps away: the auto-lock asks nothing and keeps both edits as drafts inside the vault, and
they come back when she opens the case (and New case…) again.  Someone comes in: the red
Quick exit button, and Ctrl+Shift+Q pressed inside the intake (a modal dialog), each hide
every window at once and quit, and leave nothing typed in any widget; the next start of the
program shows the sign-in screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from shelter_app.domain.audit import Event
from shelter_app.domain.records import CaseInput, SurvivorInput
from tests.bidi import plain
from ui.cases.intake import IntakeDialog
from ui.cases.workspace import CaseWorkspace
from ui.main_window import MainWindow
from ui.sign_in import SignInWindow

from .case_helpers import STAFF_PASS, all_texts, session, staffed_vault
from .conftest import WAIT_MS, flush_deletes, sign_in, visible_windows
from .journeys import (
    LANGUAGES,
    box_button,
    click,
    enter,
    gone,
    interface,
    key,
    retype,
    shown,
    tr,
    type_text,
)

SURVIVOR = "Nadia Haddad"
OLD_PHONE, NEW_PHONE = "+1 555 0100", "+1 555 0199"
HALF_TYPED = "Yasmin Darwish"  # the new person's name, typed in the intake
AUTO_LOCK_MS = 2500
QUICK_EXIT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def office(vault_dir: Path) -> dict[str, str]:
    ids = staffed_vault(vault_dir)
    with session(vault_dir, "coordinator") as coordinator:
        record = coordinator.cases.create(SurvivorInput(legal_name=SURVIVOR, phone=OLD_PHONE),
                                          CaseInput(assigned_to=ids["caseworker"]))
        ids["case"], ids["code"] = record.id, record.code
    return ids


def open_the_case(qtbot, window: MainWindow) -> CaseWorkspace:
    key(qtbot, window.focusWidget(), Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    section = window.page("cases")
    page = section.list_page
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=WAIT_MS)
    key(qtbot, page.search, Qt.Key.Key_Down)
    enter(qtbot, page.table)
    qtbot.waitUntil(lambda: isinstance(section.currentWidget(), CaseWorkspace),
                    timeout=WAIT_MS)
    return section.currentWidget()


def new_case(qtbot, window: MainWindow) -> IntakeDialog:
    section = window.page("cases")
    bar = section.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(0).center())
    click(qtbot, section.list_page.new_button)
    return shown(IntakeDialog, qtbot=qtbot)


class WhenHidden(QObject):
    """Notes ``look()`` at the moment *window* is hidden."""

    def __init__(self, window: QWidget, look: Callable[[], object]) -> None:
        super().__init__(window)
        self.seen: list[object] = []
        self._look = look
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Hide:
            self.seen.append(self._look())
        return False


def nothing_typed_left() -> None:
    """No widget, shown or hidden, still holds what was typed or the survivor's record."""
    for when in ("at once", "once deleted"):
        texts = all_texts()
        for typed in (HALF_TYPED, NEW_PHONE, SURVIVOR, OLD_PHONE):
            assert typed not in texts, (typed, when)
        flush_deletes()


@pytest.mark.parametrize("language", LANGUAGES)
def test_lock_asks_auto_lock_keeps_quick_exit_hides(qtbot, make_controller, vault_dir,
                                                    office, language):
    code = office["code"]
    with interface(language):
        controller = make_controller(auto_lock_ms=AUTO_LOCK_MS)
        sign_in(qtbot, controller, "caseworker", STAFF_PASS)
        window = controller.window
        assert isinstance(window, MainWindow)

        # A profile edit, not saved; an intake, half typed.
        workspace = open_the_case(qtbot, window)
        profile = workspace.profile
        click(qtbot, profile.edit_button)
        assert profile.editing and profile.save_button.isVisible()
        retype(qtbot, profile.form["phone"].focus, NEW_PHONE)
        intake = new_case(qtbot, window)
        assert intake.focusWidget() is intake.form["legal_name"].focus
        type_text(intake.form["legal_name"].focus, HALF_TYPED)

        # Ctrl+L, pressed in the intake, asks first; Cancel keeps both.
        key(qtbot, intake.form["legal_name"].focus, Qt.Key.Key_L,
            Qt.KeyboardModifier.ControlModifier)
        box = window.unsaved_box
        assert isinstance(box, QMessageBox) and box.isVisible()
        assert controller.state == "main"
        assert box.text() == tr("Save your changes before locking?")
        assert plain(box.informativeText()) == tr("Unsaved changes in: {cases}").format(cases=code)
        click(qtbot, box_button(box, QMessageBox.StandardButton.Cancel))
        assert gone(box) and window.unsaved_box is None
        assert controller.state == "main" and intake.isVisible()
        assert intake.form["legal_name"].get() == HALF_TYPED
        assert profile.editing and profile.form["phone"].get() == NEW_PHONE

        # She steps away: the auto-lock asks nothing and keeps both inside the vault.
        qtbot.waitUntil(lambda: controller.state == "sign_in", timeout=AUTO_LOCK_MS + WAIT_MS)
        sign_in_screen = controller.window
        assert isinstance(sign_in_screen, SignInWindow) and sign_in_screen.isVisible()
        assert sign_in_screen.notice.isVisible() and sign_in_screen.notice.text()
        assert visible_windows() == ["sign_in"]
        nothing_typed_left()

        # Back: the case opens with her edit, in edit mode, and says why.
        sign_in(qtbot, controller, "caseworker", STAFF_PASS)
        window = controller.window
        assert isinstance(window, MainWindow)
        workspace = open_the_case(qtbot, window)
        profile = workspace.profile
        assert profile.editing and profile.form["phone"].get() == NEW_PHONE
        assert profile.notice.isVisible() and profile.save_button.isVisible()

        # Someone comes in: the red button.  The window goes first, before the program
        # keeps her edit and empties its fields (which takes time on a slow computer).
        at_hide = WhenHidden(window, lambda: profile.form["phone"].get())
        click(qtbot, window.quick_exit)
        assert visible_windows() == [], "every window hidden at once"
        assert at_hide.seen == [NEW_PHONE], "hidden before anything else was done"
        assert controller.state == "closed" and controller._quit_app.calls == 1
        nothing_typed_left()
        controller.shutdown()  # what the program does as it quits

        # The program is started again: sign-in.  The intake comes back with New case….
        controller = make_controller()
        assert controller.state == "sign_in" and visible_windows() == ["sign_in"]
        sign_in(qtbot, controller, "caseworker", STAFF_PASS)
        window = controller.window
        key(qtbot, window.focusWidget(), Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
        intake = new_case(qtbot, window)
        assert intake.form["legal_name"].get() == HALF_TYPED
        assert intake.notice.isVisible()  # "…was kept when the vault locked…"

        # Ctrl+Shift+Q inside the modal intake: everything hidden, and the program quits.
        key(qtbot, intake.form["legal_name"].focus, Qt.Key.Key_Q, QUICK_EXIT)
        assert visible_windows() == []
        assert controller.state == "closed" and controller._quit_app.calls == 1
        assert intake.form["legal_name"].get() == ""  # emptied as the session ended
        nothing_typed_left()
        controller.shutdown()

        controller = make_controller()
        assert controller.state == "sign_in" and visible_windows() == ["sign_in"]
        assert isinstance(controller.window, SignInWindow)
        assert controller.window.focusWidget() is controller.window.username
        controller.shutdown()

    # The vault: the record as it was; her edits kept as drafts, for her only.
    with session(vault_dir, "caseworker") as caseworker:
        record = caseworker.cases.get(office["case"])
        assert record.survivor["contact"]["phone"] == OLD_PHONE, "nothing saved without her"
        profile_draft = caseworker.drafts.get("case_profile", case_id=office["case"])
        assert profile_draft is not None
        assert profile_draft.changes["phone"]["to"] == NEW_PHONE
        intake_draft = caseworker.drafts.get("intake")
        assert intake_draft is not None
        assert intake_draft.changes["legal_name"]["to"] == HALF_TYPED
        assert len(caseworker.search.list_ids()) == 1, "no case was created"
    with session(vault_dir, "coordinator") as coordinator:
        assert coordinator.drafts.get("intake") is None  # another person's draft: not hers
        events = [e.action for e in coordinator.ctx.audit.events()]
    assert events.count(Event.AUTO_LOCK) == 1 and events.count(Event.QUICK_EXIT) == 2
