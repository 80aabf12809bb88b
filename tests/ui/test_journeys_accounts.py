"""Journey 1, first run and accounts: a shelter's IT volunteer sets up the vault on a new
computer, keeps the recovery key, adds a coordinator, a caseworker and a legal volunteer in
Administration, and locks; the caseworker signs in with the temporary passphrase she was
handed, chooses her own and lands on My day.  Later the administrator has forgotten her
passphrase and sets a new one with the recovery key shown on the first run.

Walked in English and in the mirrored pseudo-locale, through the windows the controller
shows; at the end the vault is opened again to see what it holds."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from shelter_app.domain.roles import Role
from shelter_app.errors import WrongPassphrase
from shelter_app.services.registry import build_services
from shelter_app.vault.vault import Vault
from tests.bidi import plain
from tests.conftest import FAST_KDF
from ui.admin.page import AdminPage
from ui.admin.user_dialogs import AddAccountDialog
from ui.change_passphrase import ChangePassphraseDialog
from ui.first_run import FirstRunWindow
from ui.main_window import MainWindow
from ui.recovery_dialog import RecoveryDialog
from ui.sign_in import SignInWindow

from .conftest import WAIT_MS
from .journeys import (
    LANGUAGES,
    click,
    clipped_buttons,
    enter,
    focus_name,
    gone,
    interface,
    key,
    shown,
    tab_to,
    tr,
)

ADMIN, ADMIN_PASS = "maria", "correct horse battery staple"
HER_OWN = "blue kettle on the windowsill"
AFTER_RECOVERY = "lantern over the harbour"
STAFF = (("cora", "Cora Coordinator", Role.COORDINATOR),
         ("casey", "Casey Worker", Role.CASEWORKER),
         ("lee", "Lee Legal", Role.LEGAL))


def first_run(qtbot, controller) -> str:
    """The three first-run screens by keyboard; returns the recovery key as shown."""
    window = controller.window
    assert isinstance(window, FirstRunWindow) and controller.state == "first_run"
    assert window.focusWidget() is window.organisation
    assert window.step.text() == tr("Step {n} of {total}").format(n=1, total=3)
    qtbot.keyClicks(window.organisation, "Harbour House")
    enter(qtbot, window.organisation)
    assert window.step.text() == tr("Step {n} of {total}").format(n=2, total=3)
    assert window.focusWidget() is window.username
    qtbot.keyClicks(window.username, ADMIN)
    key(qtbot, window.username, Qt.Key.Key_Tab)
    qtbot.keyClicks(window.focusWidget(), "Maria Admin")  # the display name
    key(qtbot, window.display_name, Qt.Key.Key_Tab)
    assert window.focusWidget() is window.passphrase
    qtbot.keyClicks(window.passphrase, ADMIN_PASS)
    enter(qtbot, window.passphrase)  # Enter goes on to the next empty field
    assert window.focusWidget() is window.repeat
    qtbot.keyClicks(window.repeat, ADMIN_PASS)
    with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
        enter(qtbot, window.repeat)  # all filled in: the vault is made
    assert controller.state == "recovery_key"
    assert window.step.text() == tr("Step {n} of {total}").format(n=3, total=3)
    page = window.recovery
    shown_key = page.key_label.text()
    assert len(shown_key.replace("\n", "-").split("-")) == 8, shown_key
    assert page.key_label.isVisible() and not page.finish_button.isEnabled()
    assert window.focusWidget() is page.save_button  # never Quick exit
    assert clipped_buttons(window) == []
    tab_to(qtbot, window, page.stored)
    key(qtbot, page.stored, Qt.Key.Key_Space)  # "I have stored the recovery key…"
    assert page.finish_button.isEnabled()
    tab_to(qtbot, window, page.finish_button)
    enter(qtbot, page.finish_button)  # Finish with Enter
    assert controller.state == "main" and page.key_label.text() == ""
    return shown_key.replace("\n", "-")


def add_account(qtbot, controller, admin: AdminPage, username: str, display: str,
                role: Role) -> str:
    """Add… in the accounts tab; returns the temporary passphrase the dialog suggested."""
    accounts = admin.accounts
    click(qtbot, accounts.add_button)
    dialog = shown(AddAccountDialog, qtbot=qtbot)
    assert dialog.focusWidget() is dialog.username
    qtbot.keyClicks(dialog.username, username)
    key(qtbot, dialog.username, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.display_name, display)
    box = dialog.roles.boxes[role]
    tab_to(qtbot, dialog, box)
    key(qtbot, box, Qt.Key.Key_Space)
    temporary = dialog.passphrase.text()  # suggested; read out to the person in private
    assert len(temporary) == 19 and temporary.count("-") == 3
    assert clipped_buttons(dialog) == []
    with qtbot.waitSignal(dialog.done_ok, timeout=WAIT_MS):
        enter(qtbot, dialog.display_name)
    assert gone(dialog)
    assert plain(accounts.notice.text()) == tr(
        "Account {user} added. They must choose their own passphrase at first sign-in."
    ).format(user=username)
    assert temporary not in accounts.notice.text()
    assert accounts.selected().username == username
    return temporary


def sign_in_by_keys(qtbot, controller, username: str, passphrase: str) -> None:
    window = controller.window
    assert isinstance(window, SignInWindow)
    assert window.focusWidget() in (window.username, window.passphrase)
    window.username.selectAll()
    qtbot.keyClicks(window.username, username)
    enter(qtbot, window.username)  # on to the passphrase
    assert window.focusWidget() is window.passphrase
    qtbot.keyClicks(window.passphrase, passphrase)
    with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
        enter(qtbot, window.passphrase)


@pytest.mark.parametrize("language", LANGUAGES)
def test_first_run_accounts_first_sign_in_and_forgotten_passphrase(
        qtbot, make_controller, vault_dir, language):
    with interface(language):
        controller = make_controller()
        recovery_key = first_run(qtbot, controller)

        # The administrator lands on Administration: no survivor's record for her.
        window = controller.window
        assert isinstance(window, MainWindow)
        assert window.section_keys() == ["admin", "audit"]  # no Cases, no My day
        assert window.focusWidget() is not window.quick_exit
        assert focus_name(window) == tr("Accounts")
        if language == "en_XA":
            assert window.isRightToLeft() and window.lock_action.text().startswith("⟦")
        admin = window.page("admin")
        assert isinstance(admin, AdminPage) and admin.isVisible()
        temporary = {username: add_account(qtbot, controller, admin, username, display, role)
                     for username, display, role in STAFF}
        rows = {admin.accounts.model.row_at(admin.accounts.proxy.index(r, 0)).username
                for r in range(admin.accounts.proxy.rowCount())}
        assert rows == {ADMIN, "cora", "casey", "lee"}

        key(qtbot, window.focusWidget(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        assert controller.state == "sign_in" and not window.isVisible()

        # The caseworker, with the passphrase she was handed, must choose her own.
        sign_in_by_keys(qtbot, controller, "casey", temporary["casey"])
        assert controller.state == "must_change"
        change = controller.window
        assert isinstance(change, ChangePassphraseDialog) and change.isVisible()
        assert change.focusWidget() is change.current
        qtbot.keyClicks(change.current, temporary["casey"])
        key(qtbot, change.current, Qt.Key.Key_Tab)
        qtbot.keyClicks(change.new, "short")
        key(qtbot, change.new, Qt.Key.Key_Tab)
        qtbot.keyClicks(change.repeat, "short")
        enter(qtbot, change.repeat)
        assert change.new_msg.isVisible() and change.focusWidget() is change.new  # too short
        assert controller.state == "must_change"
        for field in (change.new, change.repeat):
            field.selectAll()
            qtbot.keyClicks(field, HER_OWN)
        with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
            enter(qtbot, change.repeat)
        main = controller.window
        assert controller.state == "main" and isinstance(main, MainWindow)
        assert main.current_key() == "my_day"  # where a caseworker's day starts
        assert focus_name(main) == tr("My day")
        assert main.nav.item(0).text().startswith(tr("My day"))
        assert plain(main.greeting.text()) == tr("Signed in as {name} ({roles})").format(
            name="Casey Worker", roles=tr("Caseworker"))
        assert "admin" not in main.section_keys()

        # Later: the administrator forgot her passphrase; the recovery key sets a new one.
        key(qtbot, main.focusWidget(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        sign_in = controller.window
        assert isinstance(sign_in, SignInWindow)
        click(qtbot, sign_in.forgot_button)
        dialog = shown(RecoveryDialog, qtbot=qtbot)
        assert dialog.focusWidget() is dialog.key
        qtbot.keyClicks(dialog.key, recovery_key)
        for field, text in ((dialog.username, ADMIN), (dialog.new, AFTER_RECOVERY),
                            (dialog.repeat, AFTER_RECOVERY)):
            key(qtbot, dialog.focusWidget(), Qt.Key.Key_Tab)
            assert dialog.focusWidget() is field
            field.selectAll()
            qtbot.keyClicks(field, text)
        with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
            enter(qtbot, dialog.repeat)
        assert gone(dialog)
        assert plain(sign_in.notice.text()) == tr(
            "A new passphrase was set for {user}. Sign in with it.").format(user=ADMIN)
        assert sign_in.username.text() == ADMIN and sign_in.focusWidget() is sign_in.passphrase
        qtbot.keyClicks(sign_in.passphrase, AFTER_RECOVERY)
        with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
            enter(qtbot, sign_in.passphrase)
        assert controller.state == "main" and controller.window.current_key() == "admin"
        controller.shutdown()

    # What the vault holds: four accounts with their roles, the caseworker's own passphrase,
    # the administrator's new one (the old one no longer opens anything).
    with Vault.open(vault_dir, kdf=FAST_KDF) as vault:
        with pytest.raises(WrongPassphrase):
            vault.unlock(ADMIN, ADMIN_PASS)
        opened, _report = vault.unlock(ADMIN, AFTER_RECOVERY)
        services = build_services(opened)
        try:
            accounts = {a.username: a for a in services.accounts.list()}
            assert {u: sorted(r.value for r in a.roles) for u, a in accounts.items()} == {
                ADMIN: ["admin"], "cora": ["coordinator"], "casey": ["caseworker"],
                "lee": ["legal"]}
            assert not accounts["casey"].must_change_passphrase
            assert accounts["cora"].must_change_passphrase  # has not signed in yet
            assert accounts["casey"].display_name == "Casey Worker"
            assert services.settings.get("organisation") == "Harbour House"
        finally:
            services.lock()
        for user, passphrase in (("casey", HER_OWN),):
            opened, report = vault.unlock(user, passphrase)
            assert not report.must_change_passphrase
            opened.close()
        with pytest.raises(WrongPassphrase):
            vault.unlock("casey", temporary["casey"])
