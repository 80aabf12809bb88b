"""Signing in: clear refusals, the wait after many failures, and what the main window says."""

from __future__ import annotations

from PySide6.QtCore import Qt

from shelter_app.domain.roles import Role
from tests.bidi import plain
from tests.conftest import ADMIN_PASS
from ui.change_passphrase import ChangePassphraseDialog
from ui.main_window import MainWindow
from ui.sign_in import SignInWindow

from .conftest import WAIT_MS, sign_in, visible_windows

TEMP_PASS = "temporary passphrase 1"
NEW_PASS = "harbour lights at dawn"


def test_existing_vault_opens_on_the_sign_in_screen(make_controller, existing_vault):
    controller = make_controller()
    assert controller.state == "sign_in"
    window = controller.window
    assert isinstance(window, SignInWindow) and window.isVisible()
    assert window.passphrase.echoMode() == window.passphrase.EchoMode.Password
    assert window.windowTitle() == "Shelter App"
    assert not window.demo_box.isVisibleTo(window)


def test_wrong_passphrase_is_refused_in_the_window(qtbot, make_controller, existing_vault):
    controller = make_controller()
    window = controller.window
    sign_in(qtbot, controller, "admin", "not the passphrase")
    assert controller.window is window and window.isVisible()
    assert controller.services is None
    assert window.error.text() == "The passphrase is not correct."
    assert window.error.isVisibleTo(window)
    assert window.passphrase.text() == ""
    assert window.username.text() == "admin"
    assert window.sign_in_button.isEnabled() and not window.busy.isVisibleTo(window)


def test_unknown_user_is_named_as_such(qtbot, make_controller, existing_vault):
    controller = make_controller()
    sign_in(qtbot, controller, "nobody", ADMIN_PASS)
    assert "no account" in controller.window.error.text().lower()


def test_correct_sign_in_shows_main_window_without_a_name_in_its_title(
        qtbot, make_controller, existing_vault):
    controller = make_controller()
    sign_in(qtbot, controller, "admin", ADMIN_PASS)
    window = controller.window
    assert isinstance(window, MainWindow) and window.isVisible()
    assert window.windowTitle() == "Shelter App"
    for name in ("admin", "Ana", "Admin"):
        assert name.lower() not in window.windowTitle().lower()
    assert plain(window.greeting.text()) == "Signed in as Ana Admin (Administrator)"
    assert not window.banner.isVisibleTo(window)
    # An administrator alone has no survivor records: the Cases section is absent.
    assert "cases" not in window.section_keys()
    assert visible_windows() == ["main_window"]


def test_window_title_comes_from_the_settings(qtbot, make_controller, with_admin):
    with_admin(lambda s: s.settings.set("window_title", "Notes"))
    controller = make_controller()
    sign_in(qtbot, controller, "admin", ADMIN_PASS)
    assert controller.window.windowTitle() == "Notes"
    controller.lock()
    assert controller.window.windowTitle() == "Notes"  # the sign-in screen keeps it neutral


def test_failed_attempts_are_reported_after_sign_in(qtbot, make_controller, existing_vault):
    controller = make_controller()
    for _attempt in range(2):
        sign_in(qtbot, controller, "admin", "wrong passphrase here")
    sign_in(qtbot, controller, "admin", ADMIN_PASS)
    window = controller.window
    assert isinstance(window, MainWindow)
    assert window.banner.isVisibleTo(window)
    assert window.banner.text().startswith("2 failed sign-in attempts on your account")


def test_too_many_attempts_shows_the_wait(qtbot, make_controller, existing_vault):
    controller = make_controller()
    for _attempt in range(5):
        sign_in(qtbot, controller, "admin", "wrong passphrase here")
    window = controller.window
    sign_in(qtbot, controller, "admin", ADMIN_PASS)  # refused before the passphrase is tried
    assert controller.window is window and controller.services is None
    assert window.error.text().startswith("Too many failed attempts. Try again in ")
    assert not window.sign_in_button.isEnabled()
    # Another account is not held back by this one's wait.
    qtbot.keyClicks(window.username, "x")
    assert window.sign_in_button.isEnabled()


def test_temporary_passphrase_must_be_changed_first(qtbot, make_controller, with_admin):
    with_admin(lambda s: s.accounts.add("sam", [Role.CASEWORKER.value], TEMP_PASS,
                                        display_name="Sam Worker"))
    controller = make_controller()
    sign_in(qtbot, controller, "sam", TEMP_PASS)
    dialog = controller.window
    assert controller.state == "must_change"
    assert isinstance(dialog, ChangePassphraseDialog) and dialog.isVisible()
    assert visible_windows() == ["change_passphrase"]  # no main window behind it

    dialog.current.setText("not it at all")
    dialog.new.setText(NEW_PASS)
    dialog.repeat.setText(NEW_PASS)
    with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.current_msg.text() == "The current passphrase is not correct."
    assert controller.state == "must_change"

    dialog.current.setText(TEMP_PASS)
    dialog.new.setText(NEW_PASS)
    dialog.repeat.setText(NEW_PASS + "!")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.repeat_msg.text() == "The two new passphrases are not the same."

    dialog.repeat.setText(NEW_PASS)
    with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert controller.state == "main"
    assert plain(controller.window.greeting.text()) == "Signed in as Sam Worker (Caseworker)"
    assert "cases" in controller.window.section_keys()  # a caseworker works on cases

    # The new passphrase is the one that works from now on.
    controller.lock()
    sign_in(qtbot, controller, "sam", NEW_PASS)
    assert controller.state == "main"


def test_leaving_the_required_change_signs_out(qtbot, make_controller, with_admin):
    with_admin(lambda s: s.accounts.add("sam", [Role.CASEWORKER.value], TEMP_PASS))
    controller = make_controller()
    sign_in(qtbot, controller, "sam", TEMP_PASS)
    services = controller.services
    qtbot.mouseClick(controller.window.cancel_button, Qt.MouseButton.LeftButton)
    assert controller.state == "sign_in"
    assert services.ctx.vault.closed
