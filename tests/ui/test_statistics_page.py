"""The Statistics section: coordinators alone see it; it counts in the background, shows
each table's published counts beside a chart of the shown ones, names nobody, and saves
the report and the tables."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCharts import QChartView
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from shelter_app.domain.records import CaseInput
from tests.bidi import plain
from tests.ui.org_pages import Org, org_fixture  # noqa: F401 - the org fixture
from ui.background import Background
from ui.main_window import MainWindow
from ui.statistics import exports
from ui.statistics.cards import Card
from ui.statistics.page import StatisticsPage

from .conftest import WAIT_MS


def statistics_page(qtbot, services) -> tuple[MainWindow, StatisticsPage]:
    window = MainWindow(services, Background())
    qtbot.addWidget(window)
    window.show()
    page = window.show_page("statistics")
    assert isinstance(page, StatisticsPage)
    qtbot.waitUntil(lambda: page.result is not None or bool(page.error.text()), timeout=WAIT_MS)
    return window, page


def fill(org: Org, n: int = 14) -> list[str]:
    """*n* cases opened last month: in the dashboard's default period, the twelve whole
    months before this one."""
    ids = []
    last_month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for i in range(n):
        record = org.new_case(f"Quintessa Marlowe {i}", share=False, gender="woman",
                              case=CaseInput(exploitation_types=["forced_labour"],
                                             opened_on=last_month))
        org.coordinator.consent.set_reporting(record.id, "yes" if i else "no")
        ids.append(record.id)
    return ids


def test_only_coordinators_see_the_statistics_section(qtbot, org: Org):
    for who, sees in (("coordinator", True), ("caseworker", False), ("legal", False),
                      ("admin", False)):
        window = MainWindow(getattr(org, who), Background())
        qtbot.addWidget(window)
        assert ("statistics" in window.section_keys()) is sees, who


def test_the_dashboard_counts_in_the_background_and_names_nobody(qtbot, org: Org):
    ids = fill(org)
    _window, page = statistics_page(qtbot, org.coordinator)
    assert page.result is not None and page.result.counted_cases == 13
    assert "Counted: 13 cases" in page.counted.text().replace("\u2068", "").replace("\u2069", "")
    cards = page.cards.findChildren(Card)
    assert [c.title() for c in cards] == [t.title for t in page.result.tables]
    shown = [w.text() for w in page.findChildren(QLabel)] + [
        c.table.item(r, col).text() for c in cards for r in range(c.table.rowCount())
        for col in (0, 1)]
    assert not any("Quintessa" in t or any(i in t for i in ids) for t in shown)
    exploitation = page.findChild(Card, "card_exploitation")
    assert exploitation is not None and exploitation.chart is not None
    assert isinstance(exploitation.chart, QChartView)
    table = exploitation.table
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows["Forced labour"] == "13" and plain(rows["Sexual exploitation"]) == "< 11"
    assert org.audit("data.statistics")[-1]["details"]["format"] == "dashboard"


def test_a_period_that_cannot_be_read_is_said_beside_its_field(qtbot, org: Org):
    _window, page = statistics_page(qtbot, org.coordinator)
    page.period.setCurrentIndex(page.period.findData("dates"))
    page.since.put("31/31/2026")
    qtbot.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    assert page.since.message.isVisibleTo(page) and not page.busy.isVisibleTo(page)


def test_the_report_and_the_anonymised_table_are_saved(qtbot, org: Org, tmp_path: Path,
                                                       monkeypatch):
    fill(org)
    _window, page = statistics_page(qtbot, org.coordinator)
    asked = iter([str(tmp_path / "report.pdf"), str(tmp_path / "table.csv")])
    monkeypatch.setattr(exports, "save_file", lambda *a, **k: next(asked))
    outputs = page.outputs
    qtbot.mouseClick(outputs.report_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(outputs.done.text()), timeout=WAIT_MS * 4)
    assert "report.pdf" in outputs.done.text() and "shown only now" in outputs.done.text()
    pdf = PdfReader(io.BytesIO((tmp_path / "report.pdf").read_bytes()))
    assert pdf.is_encrypted  # by default, as every document
    assert pdf.decrypt(outputs.passphrase.text())
    assert "Monitoring report" in pdf.pages[0].extract_text()
    qtbot.mouseClick(outputs.ctdc_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "table.csv" in outputs.done.text(), timeout=WAIT_MS * 4)
    assert not outputs.passphrase.isVisibleTo(page)  # the report's was dropped
    assert (tmp_path / "table-report.txt").exists()
    monkeypatch.setattr(exports, "save_file", lambda *a, **k: str(tmp_path / "table.csv"))
    qtbot.mouseClick(outputs.ctdc_button, Qt.MouseButton.LeftButton)  # the same name again
    qtbot.waitUntil(lambda: bool(outputs.error.text()), timeout=WAIT_MS * 4)
    assert "already exists" in outputs.error.text() and not outputs.done.text()


def test_a_lock_forgets_the_figures_and_the_passphrase(qtbot, org: Org, tmp_path: Path,
                                                      monkeypatch):
    fill(org)
    _window, page = statistics_page(qtbot, org.coordinator)
    monkeypatch.setattr(exports, "save_file", lambda *a, **k: str(tmp_path / "r.pdf"))
    qtbot.mouseClick(page.outputs.report_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(page.outputs.passphrase.text()), timeout=WAIT_MS * 4)
    page.end_session()
    assert page.result is None and not page.cards.findChildren(Card)
    assert page.outputs.passphrase.text() == "" and page.counted.text() == ""


def test_a_count_that_fails_unexpectedly_says_so_on_the_page(qtbot, org: Org, monkeypatch):
    """Not only on standard error: the person sees that the figures were not counted."""
    import sqlcipher3.dbapi2 as sqlcipher

    def broken(*_args: object, **_kw: object) -> None:
        raise sqlcipher.OperationalError("no such index: appointments_counted")
    monkeypatch.setattr(org.coordinator.statistics, "produce", broken)
    _window, page = statistics_page(qtbot, org.coordinator)
    assert page.result is None
    shown = plain(page.error.text())
    assert "Something unexpected went wrong (OperationalError)" in shown
    assert "appointments_counted" not in shown
    assert page.show_button.isEnabled()


def test_a_figure_is_broken_down_from_its_card_by_keyboard(qtbot, org: Org):
    from ui.statistics.breakdown import BreakdownDialog

    fill(org, 28)  # 27 counted: forced labour, women
    _window, page = statistics_page(qtbot, org.coordinator)
    card = page.findChild(Card, "card_exploitation")
    assert card is not None and card.break_button is not None
    table = card.table
    labels = [table.item(r, 0).text() for r in range(table.rowCount())]
    table.setFocus()
    table.setCurrentCell(labels.index("Forced labour"), 0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    dialog = page.breakdown
    assert isinstance(dialog, BreakdownDialog)
    qtbot.waitUntil(lambda: dialog.result is not None or bool(dialog.error.text()),
                    timeout=WAIT_MS)
    assert dialog.result is not None and dialog.result.counts.total == 27
    assert dialog.result.by == "Gender" and dialog.counts is not None
    rows = {dialog.counts.item(r, 0).text(): dialog.counts.item(r, 1).text()
            for r in range(dialog.counts.rowCount())}
    assert plain(rows["Man / boy"]) == "< 11" and rows["Total"] == "27"
    assert rows["Woman / girl"] in ("27", "withheld")  # the zeros beside it are small
    shown = " ".join(w.text() for w in dialog.findChildren(QLabel))
    assert "Quintessa" not in shown and "withheld" in dialog.method.text()
    dialog.by.setCurrentIndex(dialog.by.findText("Age at intake"))
    qtbot.waitUntil(lambda: dialog.result is not None and dialog.result.by == "Age at intake",
                    timeout=WAIT_MS)
    # a figure too small is not broken down, and the dialog says why
    card.break_down(labels.index("Sexual exploitation"))
    small = page.breakdown
    assert isinstance(small, BreakdownDialog) and small is not dialog
    qtbot.waitUntil(lambda: bool(small.error.text()), timeout=WAIT_MS)
    assert "not broken down" in small.error.text() and small.counts is None
    assert org.audit("data.statistics")[-1]["details"]["format"] == "breakdown"
