"""Run under a real X server by ``test_focus_on_screen``: sign in, open a case, click through
its tabs twice, pressing Space after each click as a person might by mistake; print where the
keyboard focus was each time and whether the program is still there.

(The offscreen platform has no active window, so Qt never moves the focus along its chain
when a focused widget is hidden: only a real window system shows where it lands.)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTabWidget

from tests.conftest import FAST_KDF
from tests.ui.case_helpers import STAFF_PASS, new_case, session, staffed_vault
from ui.controller import AppController


def until(condition: Callable[[], bool], ms: int = 10_000) -> None:
    end = time.monotonic() + ms / 1000
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the screen did not get there")
        QTest.qWait(10)


def main(folder: Path) -> int:
    ids = staffed_vault(folder)
    with session(folder, "coordinator") as coordinator:
        record = new_case(coordinator, ids)
    app = QApplication.instance() or QApplication([])
    quits: list[int] = []
    controller = AppController(folder, kdf=FAST_KDF, quit_app=lambda: quits.append(1))
    controller.start()
    until(lambda: controller.window.windowHandle() is not None
          and controller.window.windowHandle().isExposed())
    sign_in = controller.window
    sign_in.username.setText("caseworker")
    sign_in.passphrase.setText(STAFF_PASS)
    QTest.keyClick(sign_in.passphrase, Qt.Key.Key_Return)
    until(lambda: controller.state == "main")
    until(lambda: not controller.background.busy)
    main_window = controller.window
    on_quick_exit: list[str] = []

    def stray_space(where: str) -> None:
        focused = QApplication.focusWidget()
        name = focused.accessibleName() if focused is not None else ""
        print(f"focus {where}: {type(focused).__name__} {name}")
        if focused is main_window.quick_exit:
            on_quick_exit.append(where)
        if focused is not None:
            QTest.keyClick(focused, Qt.Key.Key_Space)
        QTest.qWait(20)

    stray_space("after sign-in")
    workspace = main_window.open_case(record.id)
    QTest.qWait(100)
    tabs = workspace.findChild(QTabWidget)
    bar = tabs.tabBar()
    for round_ in range(2):
        for index in range(tabs.count()):
            if controller.state != "main":
                break
            QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
            QTest.qWait(100)
            until(lambda: not controller.background.busy)
            stray_space(f"tab {index} round {round_}")
    print(f"RESULT quick-exit-focused={len(on_quick_exit)} quits={len(quits)} "
          f"state={controller.state}")
    controller.shutdown()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
