"""Sites in the application: the administrator's tab, the intake's choice, the case header's
"Change site…" and the Statistics page's choice of one site."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.bidi import plain
from ui.admin.sites_tab import SitesTab
from ui.background import Background
from ui.cases.case_actions import SiteDialog
from ui.cases.intake import IntakeDialog
from ui.cases.section import CasesSection
from ui.main_window import MainWindow
from ui.statistics.page import StatisticsPage

from .case_helpers import keep
from .conftest import WAIT_MS
from .test_intake import fill_identity, press


def test_an_administrator_adds_renames_and_retires_sites(qtbot, office):
    tab = keep(SitesTab(office.admin))
    tab.show()
    assert tab.list.count() == 0 and not tab.rename_button.isEnabled()
    qtbot.keyClicks(tab.name, "North shelter")
    qtbot.keyClick(tab.name, Qt.Key.Key_Return)  # Enter adds
    assert [tab.list.item(i).text() for i in range(tab.list.count())] == ["North shelter"]
    assert "Added the site" in plain(tab.notice.text())
    tab.name.setText("north SHELTER")
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    assert "already a site" in plain(tab.message.text()) and tab.list.count() == 1
    tab.list.setCurrentRow(0)
    tab.name.setText("Harbour House")
    qtbot.mouseClick(tab.rename_button, Qt.MouseButton.LeftButton)
    assert tab.list.item(0).text() == "Harbour House" and not tab.message.text()
    qtbot.mouseClick(tab.retire_button, Qt.MouseButton.LeftButton)
    assert plain(tab.list.item(0).text()) == "Harbour House (retired)"
    assert tab.retire_button.text() == "&Bring back site"
    qtbot.mouseClick(tab.retire_button, Qt.MouseButton.LeftButton)
    assert [(s.name, s.retired) for s in office.caseworker.sites.all()] == [
        ("Harbour House", False)]


def test_the_intake_offers_the_sites_and_records_the_one_chosen(qtbot, office):
    north = office.admin.sites.add("North")
    office.admin.sites.add("South")
    office.admin.sites.retire(office.admin.sites.add("Closed office").id)
    services = office.coordinator
    dialog = keep(IntakeDialog(services, Background()))
    dialog.show()
    qtbot.waitExposed(dialog)
    created: list[str] = []
    dialog.created.connect(created.append)
    fill_identity(dialog)
    field = dialog.form["site"]
    combo = field.widget
    assert [combo.itemText(i) for i in range(combo.count())] == ["(no site)", "North", "South"]
    assert field.get() == ""  # none until one is chosen
    field.put(north.id)
    dialog.show_step(4)
    press(qtbot, dialog, dialog.create_button)
    assert len(created) == 1
    assert services.sites.of_case(created[0]) == north


def test_the_case_header_shows_the_site_and_changes_it(qtbot, office):
    north = office.admin.sites.add("North")
    section = keep(CasesSection(office.caseworker, office.background))
    section.show()
    workspace = section.open_case(office.record.id)
    assert workspace is not None and workspace.site_button.isVisibleTo(workspace)
    assert "Handled at" not in workspace.team.text()
    qtbot.mouseClick(workspace.site_button, Qt.MouseButton.LeftButton)
    dialog = workspace.dialog
    assert isinstance(dialog, SiteDialog)
    assert [dialog.site.itemText(i) for i in range(dialog.site.count())] == ["(no site)", "North"]
    dialog.site.setCurrentIndex(1)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert office.caseworker.sites.of_case(office.record.id) == north
    assert "Handled at North" in plain(workspace.team.text())
    assert "is now handled at North" in plain(workspace.notice.text())
    legal = keep(CasesSection(office.legal, office.background))
    legal.show()
    shared = legal.open_case(office.record.id)
    assert shared is not None and not shared.site_button.isVisibleTo(shared)
    assert "Handled at North" in plain(shared.team.text())


def test_the_statistics_page_counts_one_site(qtbot, office, monkeypatch):
    window = keep(MainWindow(office.coordinator, Background()))
    window.show()
    page = window.show_page("statistics")
    assert isinstance(page, StatisticsPage)
    qtbot.waitUntil(lambda: page.result is not None, timeout=WAIT_MS)
    assert not page.site.isVisibleTo(page)  # no site yet: nothing to choose
    north = office.admin.sites.add("North")
    office.caseworker.sites.move(office.record.id, north.id)
    asked: list[object] = []
    produce = office.coordinator.statistics.produce
    monkeypatch.setattr(office.coordinator.statistics, "produce",
                        lambda *a, **k: asked.append(k.get("site")) or produce(*a, **k))
    page.hide()
    page.show()  # the list is read again when the page is shown
    QApplication.processEvents()
    assert page.site.isVisibleTo(page) and page.site.count() == 2
    qtbot.waitUntil(lambda: not page.busy.isVisibleTo(page), timeout=WAIT_MS)
    page.site.setCurrentIndex(1)
    qtbot.waitUntil(lambda: north.id in asked and not page.busy.isVisibleTo(page),
                    timeout=WAIT_MS)
    assert page.result is not None and page.result.site == "North"
    assert "handled at North" in plain(page.counted.text())
