"""The Audit log section: coordinators and administrators open it, filter it with the
keyboard, scroll through it page by page; cases by code only; opening it is recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from shelter_app.errors import PermissionDenied
from tests.bidi import plain
from tests.ui.org_pages import Org, org_fixture, texts  # noqa: F401 - the org fixture
from ui.audit import model as audit_model
from ui.audit.page import AuditLogPage
from ui.background import Background
from ui.main_window import MainWindow


def choose(qtbot, combo, data: str) -> None:
    """Pick the item whose data is *data* with the arrow keys, as a person would."""
    combo.setFocus()
    target = combo.findData(data)
    assert target >= 0, data
    while combo.currentIndex() != target:
        key = Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)


def open_section(qtbot, services) -> tuple[MainWindow, AuditLogPage]:
    window = MainWindow(services, Background())
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    keys = window.section_keys()
    assert "audit" in keys
    window.nav.setFocus()
    qtbot.keyClick(window.nav, Qt.Key.Key_End)  # the list is the navigation: arrows move
    while window.current_key() != "audit":
        qtbot.keyClick(window.nav, Qt.Key.Key_Up)
    page = window.page("audit")
    assert isinstance(page, AuditLogPage)
    return window, page


def test_a_coordinator_opens_and_filters_the_audit_log(qtbot, qtmodeltester, org: Org):
    record = org.new_case("Zenobia Quillfeather")
    org.caseworker.cases.get(record.id)
    org.caseworker.care.record(record.id, "safe_shelter", provided_on=dt.date.today())
    with pytest.raises(PermissionDenied):  # the refusal is what the log should show
        org.legal.care.record(record.id, "safe_shelter", provided_on=dt.date.today())
    window, page = open_section(qtbot, org.coordinator)
    qtmodeltester.check(page.model)
    rows = texts(page.model)
    assert rows and page.model.rowCount() == len(rows)
    shown = plain("\n".join(" ".join(r) for r in rows))
    assert "Zenobia" not in shown and "Quillfeather" not in shown
    assert f"Case {record.code}" in shown
    opened = org.audit()[-1]
    assert (opened["action"], opened["details"], opened["actor_id"]) == (
        "record.section_opened", {"section": "audit"}, org.ids["coordinator"])

    choose(qtbot, page.person, org.ids["caseworker"])
    whos = {r[1] for r in texts(page.model)}
    assert whos == {"caseworker"}
    choose(qtbot, page.kind, "changes")
    assert {r[2] for r in texts(page.model)} == {"Record created"}
    assert plain(texts(page.model)[0][4]) == f"Case {record.code}"
    choose(qtbot, page.person, "")
    choose(qtbot, page.kind, "")
    choose(qtbot, page.outcome, "denied")
    refused = texts(page.model)
    assert [(r[1], r[2], r[3]) for r in refused] == [("legal", "Action refused", "Refused")]
    assert "1 event" in page.status.text()

    choose(qtbot, page.period, "dates")
    assert page.dates.isVisibleTo(page)
    since = page.since.focus
    qtbot.keyClicks(since, "2026-02-30")
    qtbot.keyClick(since, Qt.Key.Key_Return)
    assert "is not a date" in page.since.message.text()
    since.clear()
    qtbot.keyClicks(since, (dt.date.today() + dt.timedelta(days=1)).isoformat())
    qtbot.keyClick(since, Qt.Key.Key_Return)
    assert page.model.rowCount() == 0
    assert "No events match" in page.status.text()
    choose(qtbot, page.period, "today")
    assert page.model.rowCount() == 1 and not page.dates.isVisibleTo(page)

    window.end_session()
    assert page.model.rowCount() == 0 and page.person.count() == 0


def test_scrolling_loads_older_events_page_by_page(qtbot, org: Org, monkeypatch):
    monkeypatch.setattr(audit_model, "PAGE", 20)
    record = org.new_case("Ana Scroll")
    for _n in range(70):
        org.caseworker.cases.get(record.id)
    total = int(org.admin.ctx.db.scalar("SELECT count(*) FROM audit_events"))
    _window, page = open_section(qtbot, org.admin)  # administrators see the log too
    assert page.model.rowCount() == 20 and page.model.canFetchMore()
    assert "scroll down for older ones" in page.status.text()
    view = page.view
    for _step in range(20):
        if not page.model.canFetchMore():
            break
        view.scrollToBottom()
        QApplication.processEvents()
    assert page.model.rowCount() == total + 1  # and the opening of the page itself
    seqs = [page.model.index(r, 0).data(audit_model.ROW_ROLE).seq
            for r in range(page.model.rowCount())]
    assert seqs == sorted(set(seqs), reverse=True)
    assert not page.further_button.isVisibleTo(page)


def test_caseworkers_and_legal_volunteers_have_no_audit_log(qtbot, org: Org):
    for services in (org.caseworker, org.legal):
        window = MainWindow(services, Background())
        qtbot.addWidget(window)
        assert "audit" not in window.section_keys()
