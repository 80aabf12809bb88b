""""Forgot passphrase?" on the sign-in screen: the recovery key sets an administrator's new
passphrase, with a clear word for each refusal, then she signs in with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from shiboken6 import isValid

from shelter_app.services.registry import build_services
from shelter_app.vault.crypto import new_recovery_key
from shelter_app.vault.vault import Vault
from tests.bidi import plain
from tests.conftest import ADMIN_PASS, FAST_KDF, ORG, add_user
from ui.main_window import MainWindow
from ui.recovery_dialog import RecoveryDialog
from ui.sign_in import SignInWindow

from .conftest import WAIT_MS, sign_in

NEW_PASS = "lantern over the harbour"


@pytest.fixture
def recovery_key(vault_dir: Path) -> str:
    """A vault with the administrator 'admin' and the caseworker 'casey'; its key."""
    vault, opened, key = Vault.create(vault_dir, organisation=ORG, admin_username="admin",
                                      admin_passphrase=ADMIN_PASS, kdf=FAST_KDF)
    admin = build_services(opened)
    add_user(admin, "casey", "caseworker", passphrase="her own quiet passphrase",
             temporary=False)
    admin.lock()
    vault.close()
    return key


def _open_dialog(qtbot, window: SignInWindow) -> RecoveryDialog:
    qtbot.mouseClick(window.forgot_button, Qt.MouseButton.LeftButton)
    dialog = window.recovery
    assert isinstance(dialog, RecoveryDialog) and dialog.isVisible()
    return dialog


def _fill(qtbot, dialog: RecoveryDialog, key: str, user: str, new: str = NEW_PASS,
          repeat: str | None = None) -> None:
    for field, value in ((dialog.key, key), (dialog.username, user), (dialog.new, new),
                         (dialog.repeat, new if repeat is None else repeat)):
        field.clear()
        qtbot.keyClicks(field, value)


def _submit(qtbot, controller, dialog: RecoveryDialog, *, slow: bool = True) -> None:
    """Enter in the last field, as a person would; wait for the key check if one runs."""
    if slow:
        with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
            qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
    else:
        qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)


def test_forgot_passphrase_then_sign_in_with_the_new_one(qtbot, make_controller, vault_dir,
                                                         recovery_key):
    controller = make_controller(vault_dir)
    window = controller.window
    assert isinstance(window, SignInWindow)
    window.username.setText("admin")
    dialog = _open_dialog(qtbot, window)
    assert dialog.username.text() == "admin"  # taken from the sign-in screen
    assert any("No recovery key? Ask another administrator" in label.text()
               for label in dialog.findChildren(QLabel) if label.isVisibleTo(dialog)), \
        "what to do without the key is on the screen"

    # Checked at once, before any key derivation: the form of the key, the passphrase.
    _fill(qtbot, dialog, "not a key", "admin")
    _submit(qtbot, controller, dialog, slow=False)
    assert dialog.key_msg.text() == "That is not a recovery key: it has 32 letters and digits."
    _fill(qtbot, dialog, recovery_key, "admin", new="short")
    _submit(qtbot, controller, dialog, slow=False)
    assert "at least" in dialog.new_msg.text()
    _fill(qtbot, dialog, recovery_key, "admin", repeat=NEW_PASS + "!")
    _submit(qtbot, controller, dialog, slow=False)
    assert dialog.repeat_msg.text() == "The two new passphrases are not the same."

    # Checked by the vault, off the GUI thread: a wrong key, an unknown account, and an
    # account that is not an administrator's.
    _fill(qtbot, dialog, new_recovery_key(), "admin")
    _submit(qtbot, controller, dialog)
    assert dialog.key_msg.text() == "The recovery key is not correct."
    assert dialog.key_msg.isVisibleTo(dialog) and dialog.isVisible()
    _fill(qtbot, dialog, recovery_key.lower().replace("-", " "), "ghost")
    _submit(qtbot, controller, dialog)
    assert dialog.username_msg.text() == "There is no account with that user name in this vault."
    _fill(qtbot, dialog, recovery_key, "casey")
    _submit(qtbot, controller, dialog)
    assert "administrator's account only" in dialog.username_msg.text()
    assert not dialog.busy.isVisibleTo(dialog) and not dialog.key.isReadOnly()

    _fill(qtbot, dialog, recovery_key, "admin")
    _submit(qtbot, controller, dialog)
    assert not isValid(dialog) or not dialog.isVisible()  # closed (and deleted)
    assert controller.window is window and controller.state == "sign_in"
    assert plain(window.notice.text()) == "A new passphrase was set for admin. Sign in with it."
    assert window.username.text() == "admin" and window.passphrase.text() == ""
    assert window.focusWidget() is window.passphrase

    sign_in(qtbot, controller, "admin", ADMIN_PASS)  # the old passphrase no longer works
    assert window.error.text() == "The passphrase is not correct."
    sign_in(qtbot, controller, "admin", NEW_PASS)
    assert isinstance(controller.window, MainWindow)
    actions = [e.action for e in controller.services.ctx.audit.events(limit=12)]
    assert "key.recovery_used" in actions and "key.passphrase_changed" in actions
    assert "access.denied" in actions  # the try on the caseworker's account


def test_the_recovery_dialog_closes_with_escape_and_forgets_the_key(qtbot, make_controller,
                                                                    vault_dir, recovery_key):
    controller = make_controller(vault_dir)
    window = controller.window
    dialog = _open_dialog(qtbot, window)
    assert window.focusWidget() is not window.quick_exit
    qtbot.keyClicks(dialog.key, recovery_key)
    qtbot.keyClick(dialog.key, Qt.Key.Key_Escape)
    assert not isValid(dialog) or (not dialog.isVisible() and dialog.key.text() == "")
    assert controller.state == "sign_in"
