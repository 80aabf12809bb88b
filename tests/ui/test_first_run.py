"""First run: a new vault, its first administrator, and the recovery key shown once."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt

from shelter_app.vault.vault import Vault
from tests.conftest import ADMIN_PASS
from ui.first_run import FirstRunWindow
from ui.main_window import MainWindow

from .conftest import WAIT_MS


def fill_and_create(qtbot, controller, *, passphrase: str = ADMIN_PASS,
                    repeat: str | None = None, username: str = "maria") -> FirstRunWindow:
    window = controller.window
    assert isinstance(window, FirstRunWindow)
    qtbot.keyClicks(window.organisation, "Harbour House")
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentIndex() == 1
    window.username.setText(username)
    window.display_name.setText("Maria Admin")
    window.passphrase.setText(passphrase)
    window.repeat.setText(passphrase if repeat is None else repeat)
    return window


@pytest.fixture
def created_window(qtbot, make_controller):
    controller = make_controller()
    window = fill_and_create(qtbot, controller)
    with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
        qtbot.mouseClick(window.create_button, Qt.MouseButton.LeftButton)
    return controller, window


def test_first_run_creates_vault_and_shows_recovery_key_once(created_window, vault_dir):
    controller, window = created_window
    assert controller.state == "recovery_key"
    assert Vault.exists(vault_dir)
    key = window.recovery.recovery_key
    assert len(key) == 39 and key.count("-") == 7
    assert window.recovery.key_label.text().replace("\n", "-") == key
    assert window.recovery.key_label.isVisibleTo(window)
    # The passphrase fields do not keep the passphrase once the vault exists.
    assert window.passphrase.text() == "" and window.repeat.text() == ""


def test_finish_is_disabled_until_the_key_is_confirmed(qtbot, created_window):
    controller, window = created_window
    page = window.recovery
    assert not page.finish_button.isEnabled()
    qtbot.mouseClick(page.finish_button, Qt.MouseButton.LeftButton)
    assert controller.state == "recovery_key"
    page.stored.setChecked(True)
    assert page.finish_button.isEnabled()
    qtbot.mouseClick(page.finish_button, Qt.MouseButton.LeftButton)
    assert controller.state == "main"
    assert isinstance(controller.window, MainWindow)
    assert "Maria Admin" in controller.window.greeting.text()
    assert "Administrator" in controller.window.greeting.text()
    assert page.recovery_key == ""  # gone from memory the window keeps
    assert not window.isVisible()


def test_saving_the_recovery_sheet_writes_a_pdf_with_the_key(qtbot, created_window,
                                                           tmp_path: Path):
    controller, window = created_window
    page = window.recovery
    target = tmp_path / "recovery-sheet"
    suggested: list[Path] = []
    page.choose_path = lambda default: (suggested.append(default), str(target))[1]
    with qtbot.waitSignal(page.sheet_saved, timeout=WAIT_MS):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert suggested[0].name == "recovery-sheet.pdf"
    written = target.with_name("recovery-sheet.pdf")
    text = "".join(p.extract_text() for p in PdfReader(written).pages)
    assert page.recovery_key in text.replace(" ", "")
    assert "Harbour House" in text
    assert str(written) in page.save_status.text()

    # A second save to the same name is refused, and the refusal is shown.
    with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "already exists" in page.save_status.text()
    assert page.save_status.isVisibleTo(window)


def test_cancelled_file_dialog_saves_nothing(qtbot, created_window, tmp_path: Path):
    _controller, window = created_window
    window.recovery.choose_path = lambda default: ""
    qtbot.mouseClick(window.recovery.save_button, Qt.MouseButton.LeftButton)
    assert not window.recovery.save_status.isVisibleTo(window)
    assert list(tmp_path.glob("*.pdf")) == []


def test_inline_messages_explain_what_to_fix(qtbot, make_controller, vault_dir):
    controller = make_controller()
    window = controller.window
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentIndex() == 0
    assert window.organisation_msg.text() == "Enter the organisation's name."
    assert window.organisation_msg.isVisibleTo(window)

    window = fill_and_create(qtbot, controller, passphrase="short")
    qtbot.mouseClick(window.create_button, Qt.MouseButton.LeftButton)
    assert "at least 12 characters" in window.passphrase_msg.text()

    window.passphrase.setText(ADMIN_PASS)
    window.repeat.setText(ADMIN_PASS + "x")
    qtbot.mouseClick(window.create_button, Qt.MouseButton.LeftButton)
    assert window.repeat_msg.text() == "The two passphrases are not the same."
    assert window.passphrase_msg.text() == ""

    window.username.setText("two words")
    window.repeat.setText(ADMIN_PASS)
    qtbot.mouseClick(window.create_button, Qt.MouseButton.LeftButton)
    assert "spaces" in window.username_msg.text()
    assert not Vault.exists(vault_dir)
    assert controller.state == "first_run"


def test_a_vault_made_meanwhile_elsewhere_leads_to_sign_in(qtbot, make_controller, vault_dir,
                                                          existing_vault):
    # This window started on an empty folder; the vault appeared before "Create vault".
    controller = make_controller(vault_dir.parent / "elsewhere")
    controller.folder = existing_vault
    window = fill_and_create(qtbot, controller)
    with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
        qtbot.mouseClick(window.create_button, Qt.MouseButton.LeftButton)
    assert controller.state == "sign_in"


def test_locking_before_the_key_is_confirmed_says_how_to_make_a_new_one(qtbot,
                                                                       created_window):
    controller, _window = created_window
    services = controller.services
    controller.auto_lock()
    assert controller.state == "sign_in" and services.ctx.vault.closed
    notice = controller.window.notice.text()
    assert "Locked after 5 minutes without activity." in notice
    assert "shelter-admin recovery-sheet" in notice
