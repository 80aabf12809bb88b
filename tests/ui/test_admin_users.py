"""Administration, accounts tab: list, add, disable (asked first), re-enable, reset, roles."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from shelter_app.errors import AccountDisabled, WrongPassphrase
from tests.bidi import plain
from tests.records.conftest import STAFF_PASS
from tests.ui.conftest import WAIT_MS
from tests.ui.org_pages import Org, org_fixture, texts, unnamed  # noqa: F401 - the org fixture
from ui.admin.page import AdminPage, may_see_admin
from ui.admin.user_dialogs import temporary_passphrase
from ui.admin.users import AccountsModel, AccountsTab
from ui.background import Background


@pytest.fixture
def background(qtbot) -> Background:
    worker = Background()
    yield worker
    worker.wait()


@pytest.fixture
def tab(qtbot, org: Org, background: Background) -> AccountsTab:
    widget = AccountsTab(org.admin, background)
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    return widget


def select(tab: AccountsTab, username: str) -> None:
    tab.refresh(select=username)
    assert tab.selected() is not None and tab.selected().username == username


def signs_in(org: Org, username: str, passphrase: str) -> bool:
    opened, report = org.vault.unlock(username, passphrase)
    opened.close()
    return bool(report.must_change_passphrase)


def test_list_and_who_sees_administration(qtbot, qtmodeltester, org: Org, tab, background):
    qtmodeltester.check(tab.model)
    qtmodeltester.check(tab.proxy)
    rows = {r[AccountsModel.USERNAME]: r for r in texts(tab.model)}
    assert set(rows) == {"admin", "coordinator", "caseworker", "other_caseworker", "legal",
                         "other_legal"}
    assert rows["legal"][AccountsModel.ROLES] == "Legal volunteer"
    assert rows["legal"][AccountsModel.STATUS] == "Active"
    assert rows["legal"][AccountsModel.KEYS] == "All its roles allow"
    assert rows["legal"][AccountsModel.LAST] != "Never"
    org.admin.accounts.add("newcomer", ["caseworker"], STAFF_PASS, temporary=False)
    tab.refresh()
    rows = {r[AccountsModel.USERNAME]: r for r in texts(tab.model)}
    assert rows["newcomer"][AccountsModel.LAST] == "Never"  # made, never signed in
    assert may_see_admin(org.admin) and may_see_admin(org.coordinator)
    assert not any(may_see_admin(s) for s in (org.caseworker, org.legal))
    page = AdminPage(org.admin, background)
    qtbot.addWidget(page)
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == [
        "&Accounts", "&Settings", "Sit&es", "&Vault"]
    coordinators = AdminPage(org.coordinator, background)
    qtbot.addWidget(coordinators)
    assert [coordinators.tabs.tabText(i) for i in range(coordinators.tabs.count())] == [
        "&Vault"], "a coordinator checks the vault and changes its keys; nothing else here"
    assert unnamed(tab) == []
    select(tab, "admin")
    assert not tab.disable_button.isEnabled(), "nobody disables their own account"
    assert not tab.reset_button.isEnabled(), "nor gives themselves a temporary passphrase"
    assert tab.reset() is None


def test_add_account_checks_inline_then_adds(qtbot, org: Org, tab, background):
    dialog = tab.add()
    qtbot.addWidget(dialog)
    assert unnamed(dialog) == []
    suggested = dialog.passphrase.text()
    assert len(suggested) == 19 and suggested.count("-") == 3
    dialog.ok_button.click()
    assert dialog.username_msg.text() == "Enter a user name."
    dialog.username.setText("nadia")
    dialog.ok_button.click()
    assert dialog.roles_msg.text() == "Give the account at least one role."
    dialog.roles.boxes[next(r for r in dialog.roles.boxes if r.value == "caseworker")
                       ].setChecked(True)
    dialog.passphrase.setText("short")
    dialog.ok_button.click()
    assert "at least 12 characters" in dialog.passphrase_msg.text()
    dialog.username.setText("Coordinator")  # user names are compared without case
    dialog.passphrase.setText(suggested)
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        dialog.ok_button.click()
    assert "already exists" in dialog.username_msg.text()
    dialog.username.setText("nadia")
    dialog.display_name.setText("Nadia Night Shift")
    with qtbot.waitSignal(dialog.done_ok, timeout=WAIT_MS):
        dialog.ok_button.click()
    assert not dialog.isVisible()
    assert tab.selected().username == "nadia"
    row = next(r for r in texts(tab.model) if r[0] == "nadia")
    assert row[AccountsModel.STATUS] == "Active, must choose a passphrase"
    roles = {r[AccountsModel.USERNAME]: r[AccountsModel.ROLES] for r in texts(tab.model)}
    expected = ("All its roles allow" if roles["nadia"] == "Administrator"
                else "At a coordinator's next sign-in")
    assert row[AccountsModel.KEYS] == expected
    assert "nadia added" in plain(tab.notice.text()) and suggested not in tab.notice.text()
    assert signs_in(org, "nadia", suggested)


def test_disable_asks_first_then_re_enable(qtbot, org: Org, tab, background):
    select(tab, "other_legal")
    box = tab.disable()
    assert isinstance(box, QMessageBox) and "other_legal" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert org.admin.accounts._by_name("other_legal").status == "active"
    select(tab, "other_legal")
    box = tab.disable()
    confirm = next(b for b in box.buttons() if b.text() == "&Disable account")
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        confirm.click()
    assert org.admin.accounts._by_name("other_legal").status == "disabled"
    assert "other_legal disabled" in plain(tab.notice.text())
    with pytest.raises(AccountDisabled):
        org.vault.unlock("other_legal", STAFF_PASS)

    assert tab.selected().username == "other_legal"
    assert tab.enable_button.isEnabled() and not tab.reset_button.isEnabled()
    dialog = tab.enable()
    qtbot.addWidget(dialog)
    new = dialog.passphrase.text()
    with qtbot.waitSignal(dialog.done_ok, timeout=WAIT_MS):
        dialog.ok_button.click()
    assert signs_in(org, "other_legal", new)


def test_reset_replaces_the_passphrase(qtbot, org: Org, tab, background):
    select(tab, "caseworker")
    dialog = tab.reset()
    qtbot.addWidget(dialog)
    dialog.passphrase.setText("caseworker 123456")
    dialog.ok_button.click()
    assert "cannot contain the user name" in dialog.error.text()
    new = temporary_passphrase("caseworker")
    dialog.passphrase.setText(new)
    with qtbot.waitSignal(dialog.done_ok, timeout=WAIT_MS):
        dialog.ok_button.click()
    with pytest.raises(WrongPassphrase):
        org.vault.unlock("caseworker", STAFF_PASS)
    assert signs_in(org, "caseworker", new)


def test_roles_change_and_the_last_administrator_stays(qtbot, org: Org, tab, background):
    select(tab, "legal")
    dialog = tab.change_roles()
    qtbot.addWidget(dialog)
    boxes = {role.value: box for role, box in dialog.roles.boxes.items()}
    assert boxes["legal"].isChecked() and not boxes["caseworker"].isChecked()
    boxes["legal"].setChecked(False)
    dialog.ok_button.click()
    assert dialog.error.text() == "Give the account at least one role."
    boxes["caseworker"].setChecked(True)
    with qtbot.waitSignal(dialog.done_ok, timeout=WAIT_MS):
        dialog.ok_button.click()
    assert {r.value for r in org.admin.accounts._by_name("legal").roles} == {"caseworker"}

    select(tab, "admin")
    dialog = tab.change_roles()
    qtbot.addWidget(dialog)
    boxes = {role.value: box for role, box in dialog.roles.boxes.items()}
    boxes["admin"].setChecked(False)
    boxes["coordinator"].setChecked(True)
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        dialog.ok_button.click()
    assert "last active administrator" in dialog.error.text() and dialog.isVisible()
    assert {r.value for r in org.admin.session.roles} == {"admin"}


def test_end_of_session_closes_dialogs_and_drops_the_list(qtbot, org: Org, tab):
    dialog = tab.add()
    tab.end_session()
    assert tab.model.rowCount() == 0 and not dialog.isVisible()


def test_an_account_change_finishing_after_the_lock_shows_nothing(qtbot, org: Org, tab):
    """A disable still on the worker when the session locks reports back to a closed vault:
    the tab shows nothing and raises nothing."""
    tab.end_session()
    org.admin.lock()
    tab._done("Account {user} disabled.")("casey")
    assert tab.notice.text() == "" and tab.model.rowCount() == 0


def test_give_keys_with_the_recovery_key(qtbot, org: Org, tab, background):
    """The button is there for the day no coordinator holding the keys is left."""
    assert not tab.keys_button.isEnabled(), "everyone holds their keys"
    org.admin.accounts.add("nadia", ["caseworker"], STAFF_PASS, temporary=False)
    tab.refresh()
    assert tab.keys_button.isEnabled()
    tab.keys_button.click()
    dialog = tab.findChild(QDialog, "give_keys_dialog")
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.key, "not the key")
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        qtbot.keyClick(dialog.key, Qt.Key.Key_Return)
    assert "not a recovery key" in dialog.error.text() and dialog.isVisible()
    dialog.key.setText(org.recovery_key)
    with qtbot.waitSignal(dialog.done_ok, timeout=WAIT_MS):
        qtbot.keyClick(dialog.key, Qt.Key.Key_Return)
    assert "1 account received keys." in plain(tab.notice.text())
    assert not tab.keys_button.isEnabled()
    row = next(r for r in texts(tab.model) if r[0] == "nadia")
    assert row[AccountsModel.KEYS] == "All its roles allow"


def test_an_account_waiting_for_its_keys_is_told_so_once(qtbot, org: Org):
    """Its notes and tasks show empty until a coordinator signs in: the main window says
    why, instead of leaving each empty field to puzzle over."""
    from shelter_app.services.registry import build_services
    from ui.main_window import MainWindow
    org.admin.accounts.add("newcomer", ["caseworker"], STAFF_PASS, temporary=False)
    one, _report = org.vault.unlock("newcomer", STAFF_PASS)
    org.opened.append(one)
    window = MainWindow(build_services(one), Background())
    qtbot.addWidget(window)
    window.show()
    assert window.keys_banner.isVisible()
    assert "has not received the keys" in window.keys_banner.text()
    holder = MainWindow(org.caseworker, Background())
    qtbot.addWidget(holder)
    holder.show()
    assert not holder.keys_banner.isVisible()


def test_the_legal_tab_says_why_it_cannot_show_matters_without_the_key(qtbot, org: Org):
    from PySide6.QtWidgets import QWidget

    from shelter_app.domain.roles import Scope
    from shelter_app.services.registry import build_services
    from ui.cases.tabs.legal import LegalTab
    record = org.new_case()
    org.legal.legal.open(record.id, "residence_permit", notes="sealed for her")
    org.admin.accounts.add("newlegal", ["legal"], STAFF_PASS, temporary=False)
    one, _report = org.vault.unlock("newlegal", STAFF_PASS)
    org.opened.append(one)
    newcomer = build_services(one)
    org.coordinator.cases.share(record.id, newcomer.session.user_id)
    holder = QWidget()
    qtbot.addWidget(holder)
    tab = LegalTab(newcomer, Background(), record.id, Scope.SHARED, holder)
    assert tab.table.rowCount() == 0
    assert "has not received the key" in plain(tab.message.text())
