"""``shelter-app``: the desktop application.

    shelter-app                     the vault in $SHELTER_VAULT or the user data folder
    shelter-app --vault DIR         another vault folder
    shelter-app --demo              a throwaway demo vault: every role's account, shown
    shelter-app --lang ar           the interface language (default: the one last chosen
                                    in the application, else the system's)
    shelter-app --smoke-test        start, show the first screen, exit 0 (for CI under Xvfb)

Exit status: 0 normally, 1 when the window cannot be opened (a message says why).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from shelter_app.errors import ShelterError
from shelter_app.i18n import (
    _,
    catalogue_notice,
    language_from_environment,
    set_language,
)
from shelter_app.i18n.preference import chosen_language
from shelter_app.paths import chosen_vault_dir
from shelter_app.resources import resource
from shelter_app.vault.crypto import PRODUCTION_KDF, KdfPolicy

from .platform_check import platform_problem

if TYPE_CHECKING:
    from .language import QtLanguage

SMOKE_TEST_MS = 5000
BUNDLED_FONTS = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoNaskhArabic-Regular.ttf",
                 "NotoNaskhArabic-Bold.ttf", "NotoSansMono-Regular.ttf")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="shelter-app",
                                description=_("Case records for shelters, kept encrypted."))
    p.add_argument("--vault", type=Path, metavar="DIR",
                   help=_("vault folder (default: $SHELTER_VAULT or the user data folder)"))
    p.add_argument("--demo", action="store_true",
                   help=_("open a throwaway demo vault in a temporary folder, deleted at exit"))
    p.add_argument("--lang", metavar="CODE",
                   help=_("interface language, e.g. en, ar (default: the one last chosen, else "
                          "the system's)"))
    p.add_argument("--smoke-test", action="store_true",
                   help=_("show the first screen, then exit (to check the installation)"))
    return p


@contextmanager
def qt_language(app: object, language: str) -> Iterator[QtLanguage]:
    """Qt's own translations (standard dialogs), layout direction, bundled fonts; what was
    in force before comes back at the end.  Yields what a language switch applies again."""
    from PySide6.QtGui import QFontDatabase
    from PySide6.QtWidgets import QApplication

    from .language import QtLanguage

    assert isinstance(app, QApplication)
    qt = QtLanguage(app)
    qt.apply(language)
    for font in BUNDLED_FONTS:
        path = resource("fonts", font)
        if path.is_file():
            QFontDatabase.addApplicationFont(str(path))
    try:
        yield qt
    finally:
        qt.restore()


def starting_language(asked: str | None) -> str:
    """``--lang``, else ``$SHELTER_LANG``, else the language chosen on this computer
    (``shelter_app/i18n/preference.py``), else the system's."""
    return chosen_language(asked)


def main(argv: Sequence[str] | None = None, *, kdf: KdfPolicy = PRODUCTION_KDF) -> int:
    set_language(language_from_environment())
    args = build_parser().parse_args(argv)
    # Qt's translations and the layout direction follow the language asked for, even while
    # our own catalogue for it is missing (its strings then stay in English).
    language = starting_language(args.lang)
    set_language(language)
    # A missing catalogue is said, on stderr and on the first screen, not hidden.
    notice = catalogue_notice(language, asked=bool(args.lang or os.environ.get("SHELTER_LANG")))
    if notice:
        print(f"shelter-app: {notice}", file=sys.stderr)

    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        problem = platform_problem(os.environ)
        if problem:
            print(problem, file=sys.stderr)
            return 1
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    from .wheel import install_wheel_guard

    install_wheel_guard(app)  # the wheel scrolls forms instead of changing their fields
    from .text_direction import install_text_direction

    install_text_direction(app)  # boxes of several lines take the direction of their text

    from .controller import AppController
    from .demo import new_demo_vault

    with qt_language(app, language) as qt:
        demo = None
        try:
            if args.demo:  # made in the background once the sign-in screen shows
                demo = new_demo_vault()
            folder = demo.folder if demo else chosen_vault_dir(args.vault)
            controller = AppController(folder, kdf=kdf, demo=demo, language_notice=notice,
                                       qt_language=qt)
            # What is loaded by now (~34,000 objects) lives as long as the program: Python's
            # full garbage collections, which hold the lock the window needs, need not walk
            # it again (in a session, 15-41 ms each before, 2-21 ms now).  Frozen before any
            # vault is opened, so nothing read from one escapes collection.
            gc.freeze()
            try:
                controller.start()
                return _smoke_test(app, controller) if args.smoke_test else int(app.exec())
            finally:
                # Hiding the last window after exec() has returned would post a Quit
                # event that ends the *next* event loop at once (matters when main() runs
                # inside a test process, or is called twice).
                quit_on_close = app.quitOnLastWindowClosed()
                app.setQuitOnLastWindowClosed(False)
                controller.shutdown()
                controller.deleteLater()
                app.setQuitOnLastWindowClosed(quit_on_close)
        except ShelterError as exc:  # e.g. the demo vault could not be written
            print(f"shelter-app: {exc}", file=sys.stderr)
            return 1
        finally:
            if demo is not None:
                demo.cleanup()


def _smoke_test(app: object, controller: object) -> int:
    """Run the event loop until the first screen is exposed on the display (at most
    ``SMOKE_TEST_MS``); succeed if it is.  Also what start-up is timed by: the process ends
    as soon as a person could see the screen.

    A local event loop, not ``app.exec()``: quitting the application would also close
    every window, which is not what is being tested.
    """
    from PySide6.QtCore import QDeadlineTimer, QEventLoop

    from .controller import AppController

    assert isinstance(controller, AppController)
    loop, deadline = QEventLoop(), QDeadlineTimer(SMOKE_TEST_MS)

    def exposed() -> bool:
        window = controller.window
        handle = window.windowHandle() if window is not None else None
        return handle is not None and handle.isExposed()

    while not exposed() and not deadline.hasExpired():
        loop.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 20)
    window = controller.window
    shown = exposed() and window is not None and window.isVisible() and not window.isMinimized()
    print(f"shelter-app: smoke test {'passed' if shown else 'failed'}: {controller.state}")
    return 0 if shown else 1


if __name__ == "__main__":
    sys.exit(main())
