"""Render the main screens to PNG files, to look at layouts without clicking through.

    QT_QPA_PLATFORM=offscreen python -m ui.screenshots docs/screenshots

Every vault here is a throwaway one in a temporary folder, with invented names; it is
deleted at the end.  Screens: the first-run pages, the recovery key, the demo sign-in
screen (also with an error), the main window, and the sign-in screen in Arabic (mirrored),
Spanish and the pseudo-locale ``en_XA`` (longer strings, mirrored); then, on a vault filled
with ``shelter_app.demo.populate`` and seen by a coordinator: the case list, the five
intake steps and a case's Profile tab, in English, Arabic, Spanish and ``en_XA``; and the
other sections' pages (``ui/screenshots_pages.py``).

``QT_SCALE_FACTOR=2 python -m ui.screenshots OUTDIR`` renders the same at 200 %.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from shelter_app.demo import populate
from shelter_app.domain.roles import Role
from shelter_app.i18n import set_language
from shelter_app.services.registry import build_services
from shelter_app.vault.crypto import KdfParams, KdfPolicy
from shelter_app.vault.vault import Vault

from .app import qt_language
from .controller import AppController
from .demo import DemoVault, create_demo_vault_now
from .first_run import FirstRunWindow
from .main_window import MainWindow
from .screenshots_pages import language_screens
from .sign_in import SignInWindow

ADMIN_PASSPHRASE = "lantern orchard seven rivers"  # noqa: S105 (a throwaway vault)
# Key derivation is not what these pictures show; the throwaway vault opens at once.
QUICK_KDF = KdfPolicy(KdfParams(1024, 2, 1), KdfParams(1024, 2, 1))
WINDOW_SIZE = (1180, 760)


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


def case_screens(out: Path, folder: Path, suffix: str = "") -> None:
    """The case list, the intake steps and a case's profile, as a coordinator."""
    from .background import Background
    from .cases.section import CasesSection

    vault, opened, _key = Vault.create(folder, organisation="Harbour House (fictional)",
                                       admin_username="maria", admin_passphrase=ADMIN_PASSPHRASE,
                                       kdf=QUICK_KDF)
    admin = build_services(opened)
    admin.accounts.add("ines", [Role.COORDINATOR.value], ADMIN_PASSPHRASE,
                       display_name="Ines Coordinator", temporary=False)
    admin.accounts.add("sam", [Role.CASEWORKER.value], ADMIN_PASSPHRASE,
                       display_name="Sam Worker", temporary=False)
    admin.lock()
    coordinator, _report = vault.unlock("ines", ADMIN_PASSPHRASE)
    services = build_services(coordinator)
    background = Background()
    try:
        populate(services, survivors=80, services_per_case=1, appointments_per_case=1)
        main = MainWindow(services, background)
        main.resize(*WINDOW_SIZE)
        section = main.show_page("cases")
        assert isinstance(section, CasesSection)
        main.show()
        wait_until(lambda: not section.list_page.loading)
        save(main, out, f"case-list{suffix}")
        workspace = section.open_case(str(section.list_page.model.case_id(0)))
        assert workspace is not None
        save(main, out, f"case-profile{suffix}")
        section.setCurrentIndex(0)
        dialog = section.new_case()
        dialog.resize(860, 680)
        dialog.form["legal_name"].put("Amina Yusuf (fictional)")
        dialog.form["citizenship"].put(["NG"])
        dialog.form["languages"].put(["ha", "en"])
        for step in range(dialog.pages.count()):
            dialog.show_step(step)
            save(dialog, out, f"intake-{step + 1}{suffix}")
        dialog.form["legal_name"].put("")
        dialog.show_step(0)
        dialog.next()
        save(dialog, out, f"intake-problem{suffix}")
        main.end_session()
        main.close()
        main.deleteLater()
    finally:
        background.wait()
        services.lock()
        vault.close()


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
        demo = create_demo_vault_now()
        try:
            for language, suffix in (("en", ""), ("ar", "-ar"), ("es", "-es"),
                                     ("en_XA", "-en_XA")):
                set_language(language)
                with qt_language(app, language):
                    first_run_screens(out, root / language, suffix)
                    sign_in_screens(out, demo, suffix=suffix, with_error=language != "ar")
                    case_screens(out, root / f"cases-{language}", suffix)
                    language_screens(out, root / "pages", language)
        finally:
            demo.cleanup()
            set_language("en")
    return 0


if __name__ == "__main__":
    sys.exit(main())
