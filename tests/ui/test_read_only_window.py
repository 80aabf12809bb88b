"""The window of a session on a read-only vault (tests/test_read_only_vault.py has the
rest): it says so, every section opens, and no automatic backup is tried."""

from __future__ import annotations

from tests.conftest import ADMIN_PASS
from tests.ui.case_helpers import STAFF_PASS
from tests.ui.conftest import sign_in
from ui.admin.vault_tab import VaultTab
from ui.cases.tabs.attachments import AttachmentsTab
from ui.main_window import MainWindow


def test_the_window_says_it_is_read_only(qtbot, read_only_vault, make_controller) -> None:
    """Signed in through the sign-in screen: the banner is the first thing under the
    greeting, and the sections open."""
    folder, _codes, _events = read_only_vault
    controller = make_controller(folder)
    sign_in(qtbot, controller, "coordinator", STAFF_PASS)
    window = controller.window
    assert isinstance(window, MainWindow), controller.state
    banner = window.read_only_banner
    assert banner.isVisible() and "cannot be written" in banner.text()
    for key in window.section_keys():
        window.go_to(key)
    assert not window.backup_problem.isVisible()
    cases = window.pages["cases"]
    assert not cases.list_page.new_button.isEnabled()  # an intake could not be saved
    services = controller.services
    [with_file] = [i for i in services.search.list_ids() if services.attachments.list(i)]
    assert cases.open_case(with_file, "attachments") is not None
    tab = window.findChild(AttachmentsTab)
    assert tab is not None
    assert not tab.save_button.isEnabled() and not tab.add_button.isEnabled()


def test_the_vault_tab_offers_only_what_can_be_done(qtbot, read_only_vault,
                                                    make_controller) -> None:
    """Check and copy elsewhere stay; a backup in the folder, a restore and a re-key cannot
    be done on a disk that cannot be written, and their buttons say so."""
    folder, _codes, _events = read_only_vault
    controller = make_controller(folder)
    sign_in(qtbot, controller, "admin", ADMIN_PASS)
    window = controller.window
    assert isinstance(window, MainWindow), controller.state
    tab = window.findChild(VaultTab, "vault_tab")
    assert tab is not None
    assert tab.verify_button.isEnabled() and tab.copy_button.isEnabled()
    for off in (tab.backup_button, tab.restore_button):
        assert not off.isEnabled() and "cannot be written" in off.toolTip()
