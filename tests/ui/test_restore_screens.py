"""Restoring through the application: the sign-in screen offers the newest backup when the
database is damaged, and Administration → Vault restores any backup; the restored vault
signs in and passes the vault check."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from tests.conftest import ADMIN_PASS
from ui.admin.page import AdminPage
from ui.main_window import MainWindow
from ui.sign_in import SignInWindow

from .case_helpers import new_case, session, staffed_vault
from .conftest import WAIT_MS, sign_in


def _vault_with_backup(folder: Path) -> tuple[str, str]:
    """A staffed vault whose backup holds one case; a second case is made after it."""
    ids = staffed_vault(folder)
    with session(folder, "coordinator") as s:
        kept = new_case(s, ids).code
    with session(folder, "admin") as admin:
        admin.vault_admin.backup()
    with session(folder, "coordinator") as s:
        later = new_case(s, ids, "Ottilie Marchbank").code
    return kept, later


def _codes_and_check(folder: Path) -> set[str]:
    with session(folder, "coordinator") as s:
        report = s.vault_admin.verify()
        assert report.ok, report.lines()
        return {row.code for row in s.search.summaries(s.search.list_ids())}


def test_a_damaged_database_at_sign_in_offers_the_newest_backup(qtbot, make_controller,
                                                                 vault_dir: Path) -> None:
    kept, _later = _vault_with_backup(vault_dir)
    with (vault_dir / "cases.db").open("r+b") as f:
        f.write(bytes(4096))  # page 1 gone: nothing opens it
    controller = make_controller()
    sign_in(qtbot, controller, "admin", ADMIN_PASS)
    window = controller.window
    assert isinstance(window, SignInWindow)
    assert "damaged" in window.error.text()
    assert window.restore_button.isVisible() and "newest backup" in window.restore_note.text()

    window.passphrase.setText("not the passphrase")
    with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
        qtbot.mouseClick(window.restore_button, Qt.MouseButton.LeftButton)
    window = controller.window
    assert isinstance(window, SignInWindow)
    assert window.error.text() == "The passphrase is not correct."
    assert window.restore_button.isVisible(), "still offered after a mistyped passphrase"

    window.passphrase.setText(ADMIN_PASS)
    with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
        qtbot.mouseClick(window.restore_button, Qt.MouseButton.LeftButton)
    assert controller.window is window, "the screen that offered it stays in place"
    assert not window.restore_button.isVisible() and window.error.text() == ""
    assert "was restored" in window.notice.text() and "kept in" in window.notice.text()
    assert not window.step.isVisible() and not window.busy.isVisible()
    assert window.username.text() == "admin" and window.passphrase.hasFocus()
    sign_in(qtbot, controller, "admin", ADMIN_PASS)
    assert isinstance(controller.window, MainWindow)
    assert controller.window.integrity_banner.text() == "", "the anchor follows the restore"
    controller.shutdown()
    assert _codes_and_check(vault_dir) == {kept}


def test_an_administrator_restores_from_the_vault_tab(qtbot, make_controller,
                                                      vault_dir: Path) -> None:
    kept, later = _vault_with_backup(vault_dir)
    controller = make_controller()
    sign_in(qtbot, controller, "admin", ADMIN_PASS)
    main = controller.window
    assert isinstance(main, MainWindow)
    page = main.page("admin")
    assert isinstance(page, AdminPage) and page.vault is not None
    dialog = page.vault.restore()
    assert dialog.backups.count() == 1 and dialog.selected() is not None
    assert dialog.focusWidget() is dialog.passphrase
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert dialog.isVisible(), "Enter never starts a restore"
    assert dialog.passphrase.nextInFocusChain() is dialog.restore_button, "as the eye reads"
    qtbot.keyClick(dialog.restore_button, Qt.Key.Key_Space)
    assert dialog.error.text() == "Enter your passphrase." and dialog.isVisible()

    dialog.passphrase.setText("not the passphrase")
    with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "The passphrase is not correct."
    assert controller.window is main and controller.services is not None, "nothing ended"

    dialog.passphrase.setText(ADMIN_PASS)
    with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.state == "sign_in" and not controller.background.busy,
                    timeout=WAIT_MS)
    window = controller.window
    assert isinstance(window, SignInWindow)
    qtbot.waitUntil(lambda: "was restored" in window.notice.text(), timeout=WAIT_MS)
    assert controller.services is None
    controller.shutdown()
    assert _codes_and_check(vault_dir) == {kept} != {kept, later}
