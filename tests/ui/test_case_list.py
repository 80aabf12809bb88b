"""The case list: the lazy id-only model, search as you type, filters, sorting, opening."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QTableView

from shelter_app.domain.records import CaseInput, CaseSummary, SurvivorInput
from ui.background import Background
from ui.cases.list_model import BLOCK, MAX_BLOCKS, CaseListModel
from ui.cases.list_page import CaseListPage
from ui.cases.pickers import collator
from ui.cases.section import CasesSection
from ui.cases.workspace import CaseWorkspace

from .case_helpers import CANARY, drop_widgets, keep, new_case, session, staffed_vault
from .conftest import WAIT_MS

NAMES = ["Ana Lopez", "Émile Zola", "Ирина Коваленко", "Bui Thi Lan", CANARY]


def summary(n: int) -> CaseSummary:
    return CaseSummary(f"id-{n}", f"SH-2026-{n:06d}", f"Person {n}", "open", "low", None,
                       "2026-01-02", "2026-01-02T10:00:00Z")


def test_the_model_passes_qt_s_model_tester(qtmodeltester):
    model = CaseListModel(lambda ids: [summary(int(i[3:])) for i in ids], me="me")
    model.set_ids([f"id-{n}" for n in range(250)])
    qtmodeltester.check(model, force_py=True)
    model.clear()
    qtmodeltester.check(model, force_py=True)


def test_the_model_fetches_only_the_blocks_shown_at_100000_cases(qtbot):
    asked: list[int] = []

    def fetch(ids):
        asked.append(len(ids))
        return [summary(int(i[3:])) for i in ids]

    model = CaseListModel(fetch, me="me")
    model.set_ids([f"id-{n}" for n in range(100_000)])
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(800, 400)
    view.show()
    qtbot.waitExposed(view)
    assert model.rowCount() == 100_000
    qtbot.waitUntil(lambda: bool(asked))  # painted
    assert len(asked) <= 3 and max(asked) <= BLOCK
    view.scrollToBottom()
    qtbot.wait(10)
    assert model.index(99_999, 0).data() == "\u2068SH-2026-099999\u2069"  # isolated (RTL)
    for row in range(0, 100_000, 4_000):  # jumping around never keeps more than the cache
        model.index(row, 1).data()
    assert model.cached_rows() <= MAX_BLOCKS * BLOCK
    assert model.index(5, 0).data(Qt.ItemDataRole.UserRole) == "id-5"


def test_a_row_no_longer_visible_says_so():
    model = CaseListModel(lambda ids: [], me="me")
    model.set_ids(["gone"])
    assert model.index(0, 0).data() == "Not available"


@pytest.fixture
def listed(vault_dir, qtbot):
    """A coordinator's services on a vault with five cases (one has a legal matter due)."""
    ids = staffed_vault(vault_dir)
    background = Background()
    with session(vault_dir, "coordinator") as services:
        records = {}
        for n, name in enumerate(NAMES):
            records[name] = services.cases.create(
                SurvivorInput(legal_name=name),
                CaseInput(assigned_to=ids["coordinator"] if n % 2 else ids["caseworker"],
                          exploitation_types=["forced_labour" if n < 2 else "sexual"]))
        services.legal.open(records[CANARY].id, "t_visa",
                            dates={"filing_due": dt.date.today() + dt.timedelta(days=10)})
        services.cases.set_status(records["Ana Lopez"].id, "closed", closure_reason="goals_met")
        yield services, background, records
        background.wait()
        drop_widgets()


def make_page(qtbot, services, background) -> CaseListPage:
    page = keep(CaseListPage(services, background))
    page.show()
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)
    return page


def shown_names(page: CaseListPage) -> list[str]:
    column = page.model.columns.index("name")
    return [page.model.index(r, column).data().strip("\u2068\u2069")
            for r in range(page.model.rowCount())]


def test_filters_narrow_the_list(qtbot, listed):
    services, background, _records = listed
    page = make_page(qtbot, services, background)
    assert sorted(shown_names(page)) == sorted(NAMES)
    assert page.count.text() == "5 cases"

    def after(change):
        change()
        qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)
        return sorted(shown_names(page))

    assert after(lambda: page.status.setCurrentIndex(page.status.findData("_active"))) == \
        sorted(set(NAMES) - {"Ana Lopez"})
    assert after(lambda: page.status.setCurrentIndex(page.status.findData("closed"))) == \
        ["Ana Lopez"]
    page.status.setCurrentIndex(0)
    assert after(lambda: page.mine.setChecked(True)) == sorted(NAMES[1::2])
    page.mine.setChecked(False)
    assert after(lambda: page.exploitation.setCurrentIndex(
        page.exploitation.findData("forced_labour"))) == sorted(NAMES[:2])
    page.exploitation.setCurrentIndex(0)
    assert after(lambda: page.legal.setCurrentIndex(page.legal.findData("t_visa"))) == [CANARY]
    page.legal.setCurrentIndex(0)
    assert after(lambda: page.due.setChecked(True)) == [CANARY]
    assert after(lambda: page.status.setCurrentIndex(page.status.findData("closed"))) == []
    assert page.empty.isVisibleTo(page)
    assert page.empty.text() == "No case matches your search or filters."


def click_header(qtbot, page: CaseListPage, column: int) -> None:
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)


def test_sorting_by_name_follows_list_ids_and_reverses(qtbot, listed):
    services, background, _records = listed
    page = make_page(qtbot, services, background)
    name_column = page.model.columns.index("name")
    click_header(qtbot, page, name_column)
    expected = services.search.list_ids(sort="name", name_key=collator().sortKey)
    assert page.model.ids() == expected
    click_header(qtbot, page, name_column)
    assert page.model.ids() == expected[::-1]
    # A column the service cannot sort by leaves the order alone.
    click_header(qtbot, page, page.model.columns.index("risk"))
    assert not background.busy and page.model.ids() == expected[::-1]


def test_search_waits_for_a_pause_and_runs_off_the_gui_thread(qtbot, listed):
    services, background, records = listed
    page = make_page(qtbot, services, background)
    calls: list[tuple[str, bool]] = []
    real = services.search.search

    def watched(text, **kwargs):
        calls.append((text, threading.current_thread() is threading.main_thread()))
        return real(text, **kwargs)

    services.search.search = watched
    qtbot.keyClicks(page.search, "Quill")
    assert calls == []  # nothing yet: the timer waits for a pause
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and not page.loading, timeout=WAIT_MS)
    assert calls == [("Quill", False)]
    assert page.model.ids() == [records[CANARY].id]
    assert page.count.text() == "1 case found"
    page.search.selectAll()
    qtbot.keyClick(page.search, Qt.Key.Key_Backspace)  # an empty search lists every case
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=WAIT_MS)


def test_results_of_a_superseded_search_are_dropped(qtbot, listed):
    services, background, records = listed
    page = make_page(qtbot, services, background)
    real = services.search.search

    def slow_for_ana(text, **kwargs):
        if text == "Ana":
            time.sleep(0.4)  # still running when the person has typed on
        return real(text, **kwargs)

    services.search.search = slow_for_ana
    page.search.setText("Ana")
    page._run_search()
    page.search.setText("Zola")
    page._typed("Zola")
    qtbot.waitUntil(lambda: not background.busy and not page._timer.isActive(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT_MS)
    assert page.model.ids() == [records["Émile Zola"].id]


def test_organisation_setting_shows_codes_instead_of_names(qtbot, vault_dir):
    ids = staffed_vault(vault_dir)
    with session(vault_dir, "admin") as admin:
        admin.settings.set("show_case_codes", True)
    background = Background()
    with session(vault_dir, "coordinator") as services:
        record = new_case(services, ids)
        page = make_page(qtbot, services, background)
        assert "name" not in page.model.columns
        assert page.model.index(0, 0).data().strip("\u2068\u2069") == record.code
        cells = [str(page.model.index(0, c).data()) for c in range(page.model.columnCount())]
        assert not [c for c in cells if "Zenobia" in c]
        page.forget()
        assert page.model.rowCount() == 0 and page.search.text() == ""
        background.wait()
        drop_widgets()


def test_enter_and_double_click_open_the_case_workspace(qtbot, listed):
    services, background, records = listed
    section = keep(CasesSection(services, background))
    section.show()
    page = section.list_page
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)
    row = page.model.row_of(records[CANARY].id)
    page.table.setCurrentIndex(page.model.index(row, 0))
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    workspace = section.currentWidget()
    assert isinstance(workspace, CaseWorkspace) and workspace.case_id == records[CANARY].id
    assert section.tabText(section.currentIndex()) == records[CANARY].code
    # Opening it again (double click) shows the same tab, not a second one.
    section.setCurrentIndex(0)
    qtbot.waitUntil(lambda: page.table.viewport().isVisible() and
                    page.table.visualRect(page.model.index(row, 0)).isValid())
    rect = page.table.visualRect(page.model.index(row, 0))
    # A real double click is press, release, then the double-click event.
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert section.currentWidget() is workspace and section.count() == 2
    # The keyboard way in: Down from the search field goes to the list.
    section.setCurrentIndex(0)
    page.search.setFocus()
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    assert page.table.hasFocus() or not page.isActiveWindow()
    section.end_session()
    assert section.count() == 1 and page.model.rowCount() == 0
