"""The Retention section, the erasure dialog in the case header, the retention periods in
Settings and the Vault tab's note on backups holding purged records, on a real vault."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from shelter_app.domain.records import CaseInput
from shelter_app.services.registry import build_services
from tests.bidi import plain
from tests.records.conftest import STAFF_PASS
from tests.ui.org_pages import Org, org_fixture  # noqa: F401 - the org fixture
from ui.admin.settings_tab import SettingsTab
from ui.admin.vault_tab import purged_copies_text
from ui.background import Background
from ui.cases.section import CasesSection
from ui.main_window import MainWindow
from ui.retention.erase_dialog import EraseDialog, open_erase
from ui.retention.page import RetentionPage

from .conftest import WAIT_MS

LATER = dt.date.today() + dt.timedelta(days=6 * 366)


def _window(qtbot, services) -> MainWindow:
    window = MainWindow(services, Background())
    qtbot.addWidget(window)
    window.show()
    return window


def _page(qtbot, window: MainWindow, today: dt.date | None = None) -> RetentionPage:
    page = window.show_page("retention")
    assert isinstance(page, RetentionPage)
    qtbot.waitUntil(lambda: page.found is not None and not page.busy.isVisible(),
                    timeout=WAIT_MS)
    if today is not None:
        page.today = lambda: today
        page.found = None
        page.review()
        qtbot.waitUntil(lambda: page.found is not None and not page.busy.isVisible(),
                        timeout=WAIT_MS)
    return page


def _closed_cases(org: Org, *names: str) -> list[tuple[str, str]]:
    made = []
    for name in names:
        record = org.new_case(name, case=CaseInput(assigned_to=org.ids["caseworker"]))
        org.coordinator.cases.set_status(record.id, "closed", closure_reason="goals_met")
        made.append((record.id, record.code))
    return made


def test_only_coordinators_see_the_retention_section(qtbot, org: Org):
    for who, sees in (("coordinator", True), ("caseworker", False), ("legal", False),
                      ("admin", False)):
        window = MainWindow(getattr(org, who), Background())
        qtbot.addWidget(window)
        assert ("retention" in window.section_keys()) is sees, who


def test_a_coordinator_purges_the_list_she_reviewed_and_keeps_what_she_unticks(qtbot, org: Org):
    (first, first_code), (second, second_code) = _closed_cases(org, "Ana Test", "Bea Test")
    window = _window(qtbot, org.coordinator)
    cases = window.show_page("cases")
    assert isinstance(cases, CasesSection)
    cases.open_case(first)
    page = _page(qtbot, window, LATER)
    assert page.items.rowCount() == 2 and page.purge_button.isEnabled()
    codes = [page.items.item(r, 1).text() for r in range(2)]
    assert sorted(codes) == sorted([first_code, second_code])
    assert "Ana" not in " ".join(page.items.item(r, c).text() for r in range(2)
                                 for c in range(1, 6))
    kept_row = codes.index(second_code)
    page.items.item(kept_row, 0).setCheckState(Qt.CheckState.Unchecked)
    assert page.kept_codes() == [second_code]
    box = page.ask_purge()
    assert isinstance(box, QMessageBox) and "1 case" in plain(box.text())
    assert box.defaultButton().text() == "Cancel"  # Enter purges nothing
    purge = next(b for b in box.buttons() if b.text() == "&Purge")
    qtbot.mouseClick(purge, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Removed" in page.notice.text(), timeout=WAIT_MS)
    assert "1 case" in plain(page.notice.text())
    assert org.coordinator.ctx.db.column("SELECT id FROM cases") == [second]
    qtbot.waitUntil(lambda: cases.workspace(first) is None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.items.rowCount() == 1, timeout=WAIT_MS)


def test_a_purge_list_changed_meanwhile_is_refused(qtbot, org: Org):
    _closed_cases(org, "Ana Test")
    window = _window(qtbot, org.coordinator)
    page = _page(qtbot, window, LATER)
    _closed_cases(org, "Bea Test")  # closed at another desk after the review
    page.purge()
    qtbot.waitUntil(lambda: "changed since it was reviewed" in page.error.text(),
                    timeout=WAIT_MS)
    assert org.count("cases") == 2


def test_erasing_from_the_case_closes_it_and_says_what_went(qtbot, org: Org):
    record = org.new_case("Ana Test")
    window = _window(qtbot, org.coordinator)
    cases = window.show_page("cases")
    assert isinstance(cases, CasesSection)
    workspace = cases.open_case(record.id)
    assert workspace is not None and workspace.erase_button.isVisibleTo(workspace)
    qtbot.mouseClick(workspace.erase_button, Qt.MouseButton.LeftButton)
    dialog = workspace.dialog
    assert isinstance(dialog, EraseDialog) and "Ana" not in dialog.windowTitle()
    assert dialog.ok_button.text() == "&Erase the records"
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "Choose why" in dialog.error.text() and org.count("cases") == 1
    dialog.reason.setCurrentIndex(dialog.reason.findData("survivor_request"))
    qtbot.keyClicks(dialog.typed, "SH-0000")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "exactly" in dialog.error.text() and org.count("cases") == 1
    dialog.typed.setText(record.code.lower())
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cases.workspace(record.id) is None, timeout=WAIT_MS)
    assert org.count("cases") == 0
    assert "1 case" in plain(cases.list_page.notice.text())


def test_caseworkers_see_no_erase_button(qtbot, org: Org):
    record = org.new_case("Ana Test")
    window = _window(qtbot, org.caseworker)
    cases = window.show_page("cases")
    workspace = cases.open_case(record.id)  # type: ignore[attr-defined]
    assert workspace is not None and not workspace.erase_button.isVisibleTo(workspace)


def test_a_second_coordinator_confirms_on_the_retention_page(qtbot, org: Org):
    record = org.new_case("Ana Test")
    org.admin.accounts.add("coordinator2", ["coordinator"], STAFF_PASS, temporary=False)
    opened, _report = org.vault.unlock("coordinator2", STAFF_PASS)
    org.opened.append(opened)
    second = build_services(opened)
    window = _window(qtbot, org.coordinator)
    workspace = window.show_page("cases").open_case(record.id)  # type: ignore[attr-defined]
    dialog = open_erase(workspace)
    assert isinstance(dialog, EraseDialog) and dialog.ok_button.text() == "&Ask for erasure"
    dialog.reason.setCurrentIndex(dialog.reason.findData("legal_order"))
    dialog.typed.setText(record.code)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "Another coordinator must confirm" in workspace.notice.text()
    assert org.count("cases") == 1
    own = _page(qtbot, window)
    assert own.requests.rowCount() == 1 and not own.confirm_button.isEnabled()
    assert own.withdraw_button.isEnabled()

    other = _page(qtbot, _window(qtbot, second))
    assert other.requests.item(0, 0).text() == record.code
    assert other.confirm_button.isEnabled()
    box = other.confirm_selected()
    assert box is not None and box.defaultButton().text() == "Cancel"
    erase = next(b for b in box.buttons() if b.text() == "&Erase")
    qtbot.mouseClick(erase, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Removed" in other.notice.text(), timeout=WAIT_MS)
    assert org.count("cases") == 0
    qtbot.waitUntil(lambda: other.requests.rowCount() == 0, timeout=WAIT_MS)  # read again


def test_the_retention_periods_are_settings(qtbot, org: Org):
    tab = SettingsTab(org.admin)
    qtbot.addWidget(tab)
    assert tab.retention["retention_closed_years"].value() == 5
    tab.retention["retention_closed_years"].setValue(7)
    tab.retention["retention_draft_days"].setValue(30)
    assert tab.save()
    assert org.admin.settings.get("retention_closed_years") == 7
    assert org.coordinator.retention.policy().draft_days == 30


def test_the_vault_tab_says_which_backups_hold_purged_records(org: Org):
    org.admin.vault_admin.backup()
    assert org.admin.vault_admin.purged_copies() is None
    case_id = org.new_case("Ana Test").id
    org.coordinator.retention.erase(case_id, "survivor_request")
    purged = org.admin.vault_admin.purged_copies()
    assert purged is not None and purged.holding == 1 and purged.more_backups == 10
    assert purged.about is not None
    text = plain(purged_copies_text(purged))
    assert "1 backup made before the purge" in text and "10 more backups" in text
    for _n in range(10):
        org.admin.vault_admin.backup()
    purged = org.admin.vault_admin.purged_copies()
    assert purged is not None and purged.holding == 0
    assert "No backup holds" in plain(purged_copies_text(purged))
