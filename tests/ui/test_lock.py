"""Locking, auto-lock and quick exit: nothing of the session stays on screen or in memory."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from shiboken6 import isValid

from shelter_app.domain.audit import Event
from tests.conftest import ADMIN_PASS, reopen
from ui.main_window import MainWindow
from ui.sign_in import SignInWindow

from .conftest import WAIT_MS, flush_deletes, sign_in, visible_windows


def audit_events(vault_dir) -> list[str]:
    vault, services = reopen(vault_dir)
    try:
        return [e.action for e in reversed(services.ctx.audit.events())]
    finally:
        services.lock()
        vault.close()


def signed_in(qtbot, make_controller, *, locks_soon: bool = False, **kwargs):
    """A controller signed in as the administrator.  With *locks_soon* (an auto-lock of a
    few hundred milliseconds) the main window may already have locked on a busy machine, so
    it is not looked for: the test checks the lock itself."""
    controller = make_controller(**kwargs)
    sign_in(qtbot, controller, "admin", ADMIN_PASS)
    assert locks_soon or isinstance(controller.window, MainWindow)
    return controller


def test_lock_clears_clipboard_closes_vault_and_returns_to_sign_in(qtbot, make_controller,
                                                                  existing_vault):
    controller = signed_in(qtbot, make_controller)
    main, services = controller.window, controller.services
    dialog = main.change_passphrase()  # a dialog with session data open at the same time
    QGuiApplication.clipboard().setText("copied from a case")
    qtbot.keyClick(main, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    assert controller.state == "sign_in"
    assert isinstance(controller.window, SignInWindow) and controller.window.isVisible()
    assert QGuiApplication.clipboard().text() == ""
    assert services.ctx.vault.closed
    assert controller.services is None
    assert not main.isVisible() and not dialog.isVisible()
    flush_deletes()
    assert not isValid(main) and not isValid(dialog)
    assert visible_windows() == ["sign_in"]


def test_lock_is_recorded_and_sign_in_works_again(qtbot, make_controller, existing_vault):
    controller = signed_in(qtbot, make_controller)
    controller.lock()
    sign_in(qtbot, controller, "admin", ADMIN_PASS)
    assert controller.state == "main"
    controller.shutdown()
    assert [e for e in audit_events(existing_vault) if e != Event.BACKUP][-5:] == [
        Event.SIGN_IN, Event.LOCK, Event.SIGN_IN, Event.SIGN_OUT, Event.SIGN_IN]


def test_sign_in_makes_the_automatic_backup_and_lock_stops_a_long_one(
        qtbot, make_controller, existing_vault, monkeypatch):
    from shelter_app.vault import backup as backup_module
    from shelter_app.vault.backup import copies

    controller = signed_in(qtbot, make_controller)
    qtbot.waitUntil(lambda: not controller.background.busy, timeout=WAIT_MS)
    first = copies(existing_vault)
    assert len(first) == 1, "the first sign-in makes one"
    assert not controller.window.backup_problem.isVisible()
    controller.lock()
    sign_in(qtbot, controller, "admin", ADMIN_PASS)
    qtbot.waitUntil(lambda: not controller.background.busy, timeout=WAIT_MS)
    assert copies(existing_vault) == first, "not due again an hour later"
    controller.services.settings.set("backup_every_days", 0)
    controller.lock()

    # A copy that takes long is stopped by the lock, which does not wait for it.
    started = threading.Event()

    def slow_check(conn, **_kw):
        started.set()
        # One long statement, as the check of a very large copy is (minutes, not stopped).
        conn.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                     " WHERE i < 5000000000) SELECT count(*) FROM n").fetchone()
        return []

    monkeypatch.setattr(backup_module, "integrity_problems", slow_check)
    sign_in(qtbot, controller, "admin", ADMIN_PASS)
    controller.services.settings.set("backup_every_days", 1)
    for _made, _version, path in copies(existing_vault):  # make the copy look years old
        path.rename(path.with_name(path.name.replace("cases-2", "cases-1")))
    controller.window.backup_if_due()
    assert started.wait(10)
    began = time.monotonic()
    controller.lock()
    assert time.monotonic() - began < 5, "the lock stopped the copy instead of waiting"
    assert controller.state == "sign_in"
    assert len(copies(existing_vault)) == 1, "the stopped copy was deleted"


def test_a_failed_automatic_backup_is_reported_in_the_window(qtbot, make_controller,
                                                             existing_vault, monkeypatch):
    from shelter_app.errors import StorageFailure
    from shelter_app.vault import vault as vault_module

    def full_disk(*_args, **_kwargs):
        raise StorageFailure("The disk is full: the backup could not be saved.")

    monkeypatch.setattr(vault_module, "make_backup", full_disk)
    controller = signed_in(qtbot, make_controller)
    notice = controller.window.backup_problem
    qtbot.waitUntil(notice.isVisible, timeout=WAIT_MS)
    assert notice.text().startswith("The automatic backup could not be made: The disk is full")
    assert "Tell your administrator" in notice.text()
    controller.shutdown()


def test_auto_lock_after_idle_time(qtbot, make_controller, existing_vault):
    controller = signed_in(qtbot, make_controller, locks_soon=True, auto_lock_ms=200)
    qtbot.waitUntil(lambda: controller.state == "sign_in", timeout=WAIT_MS)
    assert controller.services is None
    assert "Locked after 5 minutes without activity." in controller.window.notice.text()
    controller.shutdown()
    assert Event.AUTO_LOCK in audit_events(existing_vault)


def test_activity_postpones_auto_lock(qtbot, make_controller, existing_vault):
    # long enough that a busy machine signs in before it runs out, kept going for longer
    controller = signed_in(qtbot, make_controller, auto_lock_ms=1500)
    window = controller.window
    start = time.monotonic()
    while time.monotonic() - start < 2.5:
        qtbot.keyClick(window, Qt.Key.Key_Shift)
        qtbot.wait(50)
    assert controller.state == "main"
    qtbot.waitUntil(lambda: controller.state == "sign_in", timeout=WAIT_MS)


def test_quick_exit_shortcut_hides_at_once_then_locks_and_quits(qtbot, make_controller,
                                                                existing_vault):
    controller = signed_in(qtbot, make_controller)
    main, services = controller.window, controller.services
    at_lock: list[tuple[float, list[str]]] = []  # (when, windows on screen) as lock starts
    real_lock = services.lock
    services.lock = lambda event: (at_lock.append((time.perf_counter(), visible_windows())),
                                   real_lock(event))
    started = time.perf_counter()
    qtbot.keyClick(main, Qt.Key.Key_Q,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not main.isVisible()
    assert visible_windows() == []
    (locking_at, on_screen), = at_lock
    assert on_screen == []  # everything was hidden before the session was even locked
    assert locking_at - started < 0.1  # so from the chord to hidden took less than this
    assert services.ctx.vault.closed and controller.services is None
    assert controller._quit_app.calls == 1
    controller.shutdown()
    assert audit_events(existing_vault)[-2:] == [Event.QUICK_EXIT, Event.SIGN_IN]


def test_quick_exit_works_over_a_dialog_and_from_the_button(qtbot, make_controller,
                                                           existing_vault):
    controller = signed_in(qtbot, make_controller)
    dialog = controller.window.change_passphrase()
    qtbot.keyClick(dialog.current, Qt.Key.Key_Q,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not dialog.isVisible() and visible_windows() == []
    assert dialog.current.text() == ""  # the chord never reached the field

    other = make_controller(existing_vault.parent / "second")  # first run screen
    qtbot.mouseClick(other.window.quick_exit, Qt.MouseButton.LeftButton)
    assert QApplication.topLevelWidgets() and visible_windows() == []
    assert other._quit_app.calls == 1


def test_second_window_on_the_same_vault_says_it_is_in_use(make_controller, existing_vault):
    first = make_controller()
    second = make_controller()
    assert first.state == "sign_in"
    assert second.state == "error"
    assert "already open in another Shelter App window" in second.window.message.text()
    assert second.window.isVisible()


def test_a_vault_folder_without_its_database_is_explained(qtbot, make_controller,
                                                         existing_vault):
    (existing_vault / "cases.db").unlink()
    controller = make_controller()
    sign_in(qtbot, controller, "admin", ADMIN_PASS)
    assert controller.state == "sign_in" and controller.services is None
    assert "cases.db is missing" in controller.window.error.text()
    assert not (existing_vault / "cases.db").exists()  # nothing was created in its place
