"""Render the main screens to PNG files, to look at layouts without clicking through.

    QT_QPA_PLATFORM=offscreen python -m ui.screenshots docs/screenshots

Every vault here is a throwaway one in a temporary folder, with invented names; it is
deleted at the end.  Screens: the first-run pages, the recovery key, the demo sign-in
screen (also with an error), the main window, and the sign-in screen in Arabic (mirrored)
and in the pseudo-locale ``en_XA`` (longer strings, mirrored).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from shelter_app.domain.roles import Role
from shelter_app.i18n import set_language

from .app import qt_language
from .controller import AppController
from .demo import DemoVault, create_demo_vault
from .first_run import FirstRunWindow
from .main_window import MainWindow
from .sign_in import SignInWindow

ADMIN_PASSPHRASE = "lantern orchard seven rivers"  # noqa: S105 (a throwaway vault)


def wait_until(done: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not reach the expected state")
        QApplication.processEvents()
        time.sleep(0.01)


def save(widget: QWidget, out: Path, name: str) -> Path:
    widget.show()
    for _i in range(5):
        QApplication.processEvents()
    path = out / f"{name}.png"
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    print(path)
    return path


def first_run_screens(out: Path, folder: Path, suffix: str = "") -> None:
    controller = AppController(folder, quit_app=lambda: None)
    controller.start()
    try:
        window = controller.window
        assert isinstance(window, FirstRunWindow)
        window.organisation.setText("Harbour House (fictional)")
        save(window, out, f"first-run-organisation{suffix}")
        window.next_button.click()
        window.username.setText("maria")
        window.display_name.setText("Maria Admin")
        window.passphrase.setText("short")
        window.repeat.setText("short")
        window.create_button.click()  # refused: shows the inline message
        save(window, out, f"first-run-administrator{suffix}")
        window.passphrase.setText(ADMIN_PASSPHRASE)
        window.repeat.setText(ADMIN_PASSPHRASE)
        window.create_button.click()
        wait_until(lambda: controller.state == "recovery_key")
        save(window, out, f"recovery-key{suffix}")

        assert controller.services is not None
        for name, display, roles in (("sam", "Sam Worker", [Role.CASEWORKER]),
                                     ("lee", "Lee Legal", [Role.LEGAL]),
                                     ("ines", "Ines Coordinator", [Role.COORDINATOR])):
            controller.services.accounts.add(name, [r.value for r in roles],
                                             "temporary passphrase 1", display_name=display)
        window.recovery.stored.setChecked(True)
        window.recovery.finish_button.click()
        wait_until(lambda: controller.state == "main")
        main = MainWindow(controller.services, controller.background, failed_attempts=2)
        save(main, out, f"main-window{suffix}")
        main.deleteLater()
    finally:
        controller.shutdown()


def sign_in_screens(out: Path, demo: DemoVault, *, suffix: str = "",
                    with_error: bool = False) -> None:
    controller = AppController(demo.folder, demo=demo, quit_app=lambda: None)
    controller.start()
    try:
        window = controller.window
        assert isinstance(window, SignInWindow)
        save(window, out, f"sign-in{suffix}")
        if with_error:
            window.passphrase.setText("not the passphrase")
            window.sign_in_button.click()
            wait_until(lambda: window.error.isVisibleTo(window))
            save(window, out, f"sign-in-error{suffix}")
    finally:
        controller.shutdown()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m ui.screenshots OUTDIR", file=sys.stderr)
        return 2
    out = Path(args[0])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory(prefix="shelter-screens-") as tmp:
        root = Path(tmp)
        demo = create_demo_vault()
        try:
            for language, suffix in (("en", ""), ("ar", "-ar"), ("en_XA", "-en_XA")):
                set_language(language)
                with qt_language(app, language):
                    if language != "ar":  # no Arabic catalogue yet: en_XA shows the same
                        first_run_screens(out, root / language, suffix)
                    sign_in_screens(out, demo, suffix=suffix, with_error=language != "ar")
        finally:
            demo.cleanup()
            set_language("en")
    return 0


if __name__ == "__main__":
    sys.exit(main())
