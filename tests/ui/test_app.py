"""Starting the application: demo vault, language and layout direction, platform check."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from shelter_app.demo_vault import DEMO_SURVIVORS
from shelter_app.i18n import set_language
from tests.bidi import plain
from tests.conftest import ADMIN_PASS, FAST_KDF
from ui import app as app_module
from ui.controller import AppController
from ui.demo import demo_passphrase, new_demo_vault
from ui.main_window import MainWindow
from ui.platform_check import platform_problem, uses_xcb
from ui.sign_in import SignInWindow

from .conftest import WAIT_MS, sign_in


@pytest.fixture
def temp_dirs(monkeypatch, tmp_path: Path) -> list[Path]:
    made: list[Path] = []
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(prefix: str = "") -> str:
        path = Path(real_mkdtemp(prefix=prefix, dir=tmp_path))
        made.append(path)
        return str(path)

    monkeypatch.setattr("ui.demo.tempfile.mkdtemp", mkdtemp)
    return made


ROLES = [("Administrator", "admin"), ("Coordinator", "coordinator"),
         ("Caseworker", "caseworker"), ("Legal volunteer", "legal")]


def _cases_listed(qtbot, controller: AppController) -> int:
    window = controller.window
    assert isinstance(window, MainWindow)
    if "cases" not in window.section_keys():
        return -1
    page = window.page("cases").list_page
    qtbot.waitUntil(lambda: not page.loading and page.model.rowCount() > 0, timeout=WAIT_MS)
    return page.model.rowCount()


def test_demo_vault_offers_every_role_and_one_click_and_enter_signs_in(qtbot, make_controller,
                                                                       temp_dirs):
    demo = new_demo_vault()
    try:
        controller = make_controller(demo.folder, demo=demo)
        window = controller.window
        # The sign-in screen is there at once; the vault is made behind it, with progress.
        assert isinstance(window, SignInWindow) and controller.state == "sign_in"
        assert window.demo_box.progress.isVisibleTo(window)
        assert not window.sign_in_button.isEnabled()
        assert not any(b.isEnabled() for b in window.demo_box.buttons)
        qtbot.waitUntil(window.sign_in_button.isEnabled, timeout=WAIT_MS)
        assert controller.vault is not None and controller.window is window
        # The recovery key too, so that "Forgot passphrase?" can be tried.
        assert demo.recovery_key and window.demo_box.recovery_key.text() == demo.recovery_key
        assert window.demo_box.recovery_key.isVisibleTo(window)
        assert not window.demo_box.progress.isVisibleTo(window)
        assert window.sign_in_button.isEnabled()

        listed = {}
        for n, (role, username) in enumerate(ROLES):
            window = controller.window
            assert isinstance(window, SignInWindow) and window.demo_box.isVisibleTo(window)
            box = window.demo_box
            assert [b.text() for b in box.buttons] == [r for r, _u in ROLES]
            account = demo.accounts[n]
            shown = [label.text() for label in box.findChildren(QLabel)]
            assert account.username == username and account.passphrase in shown
            if n % 2:  # by mouse
                qtbot.mouseClick(box.buttons[n], Qt.MouseButton.LeftButton)
            else:  # by keyboard: Tab to the role's button, Enter
                window.sign_in_button.setFocus()
                for _step in range(n + 4):  # Forgot, About, Language, then the roles
                    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
                assert window.focusWidget() is box.buttons[n]
                qtbot.keyClick(box.buttons[n], Qt.Key.Key_Return)
            assert window.username.text() == username
            assert window.passphrase.text() == account.passphrase
            assert window.focusWidget() is window.passphrase
            with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
                qtbot.keyClick(window.passphrase, Qt.Key.Key_Return)
            assert isinstance(controller.window, MainWindow), controller.window.error.text()
            assert f"({role})" in plain(controller.window.greeting.text())
            assert "Demo shelter (fictional)" in controller.window.organisation.text()
            listed[username] = _cases_listed(qtbot, controller)
            controller.lock()  # and the box is there again for the next role
        assert listed["admin"] == -1  # no survivor records for an administrator alone
        assert listed["coordinator"] == listed["caseworker"] == DEMO_SURVIVORS
        assert 0 < listed["legal"] < DEMO_SURVIVORS  # the cases shared with her
    finally:
        controller.shutdown()
        demo.cleanup()
    assert not temp_dirs[0].exists()


def test_demo_mode_removes_its_temporary_folder(qapp, temp_dirs):
    assert app_module.main(["--demo", "--smoke-test"], kdf=FAST_KDF) == 0
    assert len(temp_dirs) == 1
    assert not temp_dirs[0].exists()


def test_demo_passphrases_differ_and_pass_the_policy():
    demo = new_demo_vault()
    demo.cleanup()
    passphrases = [a.passphrase for a in demo.accounts]
    assert len(set(passphrases)) == 4 and all(len(p) == 19 for p in passphrases)
    assert not any(a.username in a.passphrase for a in demo.accounts)
    assert demo_passphrase() != demo_passphrase()


def test_smoke_test_shows_first_run_on_an_empty_folder(qapp, tmp_path, capsys):
    assert app_module.main(["--smoke-test", "--vault", str(tmp_path / "v")], kdf=FAST_KDF) == 0
    assert "smoke test passed: first_run" in capsys.readouterr().out
    assert not (tmp_path / "v").exists()  # nothing is created before the person asks


@pytest.mark.parametrize("language", ["ar", "en_XA"])
def test_right_to_left_languages_mirror_the_layout(qapp, language):
    set_language(language)
    with app_module.qt_language(qapp, language):
        assert qapp.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert qapp.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_pseudo_locale_mirrors_the_sign_in_screen(qtbot, qapp, make_controller,
                                                 existing_vault):
    set_language("en_XA")
    with app_module.qt_language(qapp, "en_XA"):
        controller = make_controller()
        window = controller.window
        assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
        # Every string goes through the catalogue: the pseudo-locale marks and lengthens it.
        for text in (window.sign_in_button.text(), window.quick_exit.text(),
                     window.passphrase.accessibleName(), window.windowTitle()):
            assert text.startswith("⟦") and text.endswith("⟧"), text
        # Mirrored: the Sign in button sits at the left edge, the quick exit at the top left.
        assert window.sign_in_button.x() < window.width() // 2
        assert window.quick_exit.x() < window.width() // 2
        controller.shutdown()


def test_arabic_qt_translations_are_loaded(qapp):
    set_language("ar")
    with app_module.qt_language(qapp, "ar"):
        assert QApplication.translate("QPlatformTheme", "Cancel") != "Cancel"


def test_a_missing_catalogue_is_said_on_stderr_and_on_the_first_screen(
        qapp, tmp_path, monkeypatch, capsys, no_catalogues):
    shown: list[str] = []

    def smoke_test(_app, controller):
        window = controller.window
        shown.append(window.notice.text() if window.notice.isVisibleTo(window) else "")
        return 0

    monkeypatch.setattr(app_module, "_smoke_test", smoke_test)
    assert app_module.main(["--lang", "uk", "--smoke-test", "--vault", str(tmp_path / "v")],
                           kdf=FAST_KDF) == 0
    err = capsys.readouterr().err
    assert err.startswith("shelter-app: The catalogue for Ukrainian (uk) is not installed, "
                          "so the interface is shown in English.")
    assert "reinstall Shelter App, or run 'make translations'" in err
    assert shown == [err.removeprefix("shelter-app: ").strip()], "the first-run screen says it"


def test_the_sign_in_screen_says_the_catalogue_is_missing_after_other_notices(
        qtbot, make_controller, existing_vault):
    notice = "The catalogue for Ukrainian (uk) is not installed."
    controller = make_controller(language_notice=notice)
    window = controller.window
    assert isinstance(window, SignInWindow)
    assert window.notice.isVisibleTo(window) and window.notice.text() == notice
    sign_in(qtbot, controller, "admin", ADMIN_PASS)
    assert controller.state == "main"
    controller.lock(notice="Locked.")
    window = controller.window
    assert isinstance(window, SignInWindow) and window.notice.text() == "Locked.\n\n" + notice


def test_with_its_catalogue_the_language_is_not_mentioned(qapp, tmp_path, monkeypatch,
                                                          capsys):
    monkeypatch.setattr(app_module, "_smoke_test", lambda _app, controller: int(
        controller.window.notice.isVisibleTo(controller.window)))
    assert app_module.main(["--lang", "uk", "--smoke-test", "--vault", str(tmp_path / "v")],
                           kdf=FAST_KDF) == 0
    assert capsys.readouterr().err == ""


def test_missing_xcb_libraries_are_named_with_their_packages():
    env = {"DISPLAY": ":0"}
    message = platform_problem(env, "linux",
                               find=lambda name: None if name == "xcb-cursor" else "lib.so")
    assert message is not None and "sudo apt-get install libxcb-cursor0" in message
    assert "libxcb-icccm4" not in message
    assert platform_problem(env, "linux", find=lambda name: "lib.so") is None


def test_xcb_check_applies_only_when_qt_will_use_xcb():
    assert uses_xcb({"DISPLAY": ":0"}, "linux")
    assert uses_xcb({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not uses_xcb({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not uses_xcb({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not uses_xcb({"DISPLAY": ":0"}, "win32")
    assert not uses_xcb({}, "linux")


def test_lang_option_mirrors_the_application_for_arabic(qapp, tmp_path, monkeypatch):
    seen: list[Qt.LayoutDirection] = []
    real_start = AppController.start

    def start(self: AppController) -> None:
        seen.append(QApplication.layoutDirection())
        real_start(self)

    monkeypatch.setattr(AppController, "start", start)
    assert app_module.main(["--lang", "ar", "--smoke-test", "--vault", str(tmp_path / "v")],
                           kdf=FAST_KDF) == 0
    assert seen == [Qt.LayoutDirection.RightToLeft]
    assert QApplication.layoutDirection() == Qt.LayoutDirection.LeftToRight  # restored


def test_no_display_at_all_is_explained():
    message = platform_problem({}, "linux", find=lambda name: "lib.so")
    assert message is not None and "no graphical display" in message
    assert platform_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert platform_problem({}, "darwin") is None
