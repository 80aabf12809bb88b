"""Fixtures for the GUI tests: real vaults (fast Argon2), real windows (offscreen Qt)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication

from shelter_app.services.registry import build_services
from shelter_app.vault.vault import Vault
from tests.conftest import ADMIN_PASS, FAST_KDF, ORG
from ui.controller import AppController
from ui.sign_in import SignInWindow

WAIT_MS = 10_000


@pytest.fixture(autouse=True, scope="session")
def wheel_guard(qapp: QApplication) -> None:
    """The application's wheel guard, as ``shelter-app`` installs it (ui/wheel.py)."""
    from ui.wheel import install_wheel_guard

    install_wheel_guard(qapp)


@pytest.fixture(autouse=True, scope="session")
def text_direction(qapp: QApplication) -> None:
    """Text boxes follow the direction of their text, as ``shelter-app`` sets it up
    (ui/text_direction.py)."""
    from ui.text_direction import install_text_direction

    install_text_direction(qapp)


@pytest.fixture(scope="session")
def _first_locale(qapp: QApplication) -> str:
    from PySide6.QtCore import QLocale

    return QLocale().name()


@pytest.fixture(autouse=True)
def _left_to_right(qapp: QApplication, _first_locale: str) -> Iterator[None]:
    """Every test starts as the application does in English: left to right, in the
    locale the run began with.  A test that mirrors the layout (Arabic, the pseudo-locale)
    cannot leave it mirrored for the tests after it on the same worker."""
    from PySide6.QtCore import QLocale

    qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    QLocale.setDefault(QLocale(_first_locale))
    yield


class QuitRecorder:
    """Stands in for QApplication.quit: counts calls instead of ending the test run."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1


@pytest.fixture
def office(qapp: QApplication, vault_dir: Path) -> Iterator[Any]:
    """A staffed vault with one case (``office.record``) assigned to the caseworker and
    shared with the legal volunteer, a session per account (a test module may define its
    own ``office``)."""
    from .case_helpers import Office, new_case

    office = Office(vault_dir)
    office.record = new_case(office.coordinator, office.ids)
    yield office
    office.close()


@pytest.fixture
def existing_vault(vault_dir: Path) -> Path:
    """A vault with the administrator 'admin' (display name 'Ana Admin'), not held open."""
    vault, opened, _key = Vault.create(vault_dir, organisation=ORG, admin_username="admin",
                                       admin_passphrase=ADMIN_PASS,
                                       admin_display_name="Ana Admin", kdf=FAST_KDF)
    opened.close()
    vault.close()
    return vault_dir


@pytest.fixture
def with_admin(existing_vault: Path) -> Callable[[Callable[..., object]], None]:
    """Run a set-up step as the administrator, before the application holds the folder."""

    def run(step: Callable[..., object]) -> None:
        with Vault.open(existing_vault, kdf=FAST_KDF) as vault:
            opened, _report = vault.unlock("admin", ADMIN_PASS)
            services = build_services(opened)
            try:
                step(services)
            finally:
                services.lock()

    return run


@pytest.fixture
def make_controller(qtbot, vault_dir: Path) -> Iterator[Callable[..., AppController]]:
    made: list[AppController] = []

    def make(folder: Path | None = None, **kwargs: Any) -> AppController:
        """A started controller on *folder*; its quit is a QuitRecorder unless given."""
        kwargs.setdefault("quit_app", QuitRecorder())
        controller = AppController(folder or vault_dir, kdf=FAST_KDF, **kwargs)
        made.append(controller)
        controller.start()
        return controller

    yield make
    for controller in made:
        controller.shutdown()
        controller.deleteLater()
    flush_deletes()


def flush_deletes() -> None:
    """Run pending deleteLater() calls now (as the event loop would)."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


def sign_in(qtbot, controller: AppController, username: str, passphrase: str) -> None:
    """Type into the sign-in screen, press Enter, and wait for the outcome."""
    window = controller.window
    assert isinstance(window, SignInWindow), controller.state
    window.username.setText(username)
    window.passphrase.setText(passphrase)
    with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
        qtbot.keyClick(window.passphrase, Qt.Key.Key_Return)


def visible_windows() -> list[str]:
    return sorted(w.objectName() for w in QApplication.topLevelWidgets() if w.isVisible())


# Qt's offscreen platform cannot resize or raise windows and says so at warning level;
# that is the test platform's limit, not a defect (qutebrowser ignores it the same way).
OFFSCREEN_LIMITS = r"This plugin does not support (propagateSizeHints|raise|grab)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_LIMITS))
