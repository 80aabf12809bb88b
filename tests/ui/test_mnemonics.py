"""No Alt+letter is used twice in one window, in any window or dialog of the application.

The walk signs in as each role and visits every section, every tab of an open case, each
step of the intake (with its duplicate warning), and every window a "…" button opens
(documents, appointments, accounts, partners, referrals…), as well as the sign-in screen
(with the demo accounts and "Forgot passphrase?"), the first run and the passphrase
change.  System dialogs (files, printing) are answered "cancel" so that none blocks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.background import Background
from ui.change_passphrase import ChangePassphraseDialog
from ui.first_run import FirstRunWindow
from ui.mnemonics import settle, with_free_letter, without_mnemonic
from ui.sign_in import SignInWindow

from .case_helpers import keep
from .conftest import WAIT_MS
from .mnemonic_walk import (
    Walk,
    answer_system_dialogs,
    make_walked_vault,
    opened_windows,
    walk_roles,
)


@pytest.fixture(autouse=True)
def _no_system_dialogs(monkeypatch):
    answer_system_dialogs(monkeypatch)


@pytest.fixture
def walked_vault(vault_dir):
    return make_walked_vault(vault_dir)


# In two halves, which the test processes run side by side; each with the fewest windows
# and states its walk must go through (186 and 131 when this was written).
HALVES = {"coordinator": (("coordinator",), 150),
          "others": (("caseworker", "legal", "admin"), 100)}


@pytest.mark.parametrize("half", HALVES)
def test_no_mnemonic_is_used_twice_in_any_window(qtbot, make_controller, walked_vault, half):
    roles, at_least = HALVES[half]
    walk = Walk()
    controller = make_controller(walked_vault)

    def settle() -> None:
        qtbot.waitUntil(lambda: not controller.background.busy, timeout=WAIT_MS)
        qtbot.wait(5)

    walk_roles(qtbot, walk, controller, roles, settle)
    if half == "others":
        _walk_sign_in(qtbot, walk, controller, settle)
    assert walk.states > at_least, walk.states  # the walk really went through the application
    assert not walk.problems, "mnemonics used twice:\n" + walk.report()


def _walk_sign_in(qtbot, walk: Walk, controller, settle) -> None:
    window = controller.window
    assert isinstance(window, SignInWindow)
    walk.check("sign-in")
    with opened_windows(settle):
        qtbot.mouseClick(window.forgot_button, Qt.MouseButton.LeftButton)
        walk.check("sign-in: forgot passphrase")
    demo = keep(SignInWindow("Shelter App", demo_note="Demo", demo_accounts=[
        ("Administrator", "admin", "aaaa-bbbb-cccc-dddd"),
        ("Coordinator", "coordinator", "aaaa-bbbb-cccc-dddd"),
        ("Caseworker", "caseworker", "aaaa-bbbb-cccc-dddd"),
        ("Legal volunteer", "legal", "aaaa-bbbb-cccc-dddd")]))
    with opened_windows(settle):
        demo.show()
        walk.check("sign-in with the demo accounts")
    first = keep(FirstRunWindow("Shelter App", Background()))
    with opened_windows(settle):
        first.show()
        for page in range(first.pages.count()):
            first.pages.setCurrentIndex(page)
            walk.check(f"first run: page {page + 1}")
    for required in (True, False):
        dialog = keep(ChangePassphraseDialog(lambda _c, _n: None, "admin", Background(),
                                             required=required))
        with opened_windows(settle):
            dialog.show()
            walk.check(f"change passphrase (required={required})")


def test_a_taken_letter_moves_to_a_free_one_and_comes_back(qtbot):
    assert without_mnemonic("Save && &close") == "Save && close"
    assert with_free_letter("&Accounts", {"A"}) == "A&ccounts"
    assert with_free_letter("Change &status", {"S", "C"}) == "C&hange status"
    assert with_free_letter("&Ok", {"O", "K"}) == "Ok"

    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    add = QPushButton("&Add account…")
    field = QLineEdit()
    label = QLabel("&Address:")
    label.setBuddy(field)
    for widget in (label, field, add):
        layout.addWidget(widget)
    window.show()
    settle(window)
    assert add.text() == "&Add account…"  # a button keeps its letter before a label
    assert label.text() == "A&ddress:"
    add.hide()
    settle(window)
    assert label.text() == "&Address:"  # its own letter again
    label.setText("&Street:")  # changed by the code: the new text is the original
    add.show()
    settle(window)
    assert label.text() == "&Street:" and add.text() == "&Add account…"
