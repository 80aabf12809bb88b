"""The sections in the main window follow the roles, drop their data when the session ends,
and keep their buttons whole in right-to-left, long pseudo-locale strings and large text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import isValid

from shelter_app.i18n import set_language
from tests.ui.conftest import flush_deletes
from tests.ui.org_pages import Org, clipped, org_fixture, unnamed  # noqa: F401 - the org fixture
from ui.admin.page import AdminPage
from ui.agenda.page import AgendaPage
from ui.audit.page import AuditLogPage
from ui.background import Background
from ui.deadlines import DeadlinesPage
from ui.main_window import MainWindow
from ui.partners_page import PartnersPage
from ui.referrals_page import ReferralsPage

MINE = ["appointments", "deadlines", "referrals", "partners", "admin", "audit"]
# A 1920-pixel screen at 200 % is 960 logical pixels wide; less the section list and margins.
PAGE_BUDGET = 780


@pytest.fixture
def background(qtbot) -> Iterator[Background]:
    worker = Background()
    yield worker
    worker.wait()


def my_keys(window: MainWindow) -> list[str]:
    return [k for k in window.section_keys() if k in MINE]


def test_sections_follow_the_roles(qtbot, org: Org, background):
    expected = {
        "admin": ["admin", "audit"],
        "coordinator": ["appointments", "deadlines", "referrals", "partners", "admin", "audit"],
        "caseworker": ["appointments", "deadlines", "referrals", "partners"],
        "legal": ["appointments", "deadlines", "partners"],
    }
    for who, keys in expected.items():
        window = MainWindow(getattr(org, who), background)
        qtbot.addWidget(window)
        assert my_keys(window) == keys, who
    # The audit log names cases by code and holds no survivor data.
    assert MainWindow(org.admin, background).section_keys() == ["admin", "audit"], \
        "an administrator alone sees no section with survivor content"


def test_ending_the_session_empties_every_page_and_deleting_the_window_frees_them(
        qtbot, org: Org, background):
    case = org.new_case()
    org.caseworker.appointments.schedule(case.id, "medical", "2030-01-01 10:00",
                                         "2030-01-01 11:00")
    window = MainWindow(org.coordinator, background)
    pages = [window.page(key) for key in my_keys(window) if key != "admin"]  # no list
    models = [page.model for page in pages]
    window.page("appointments").go_to(__import__("datetime").date(2030, 1, 1))
    assert models[0].rowCount() == 1
    window.page("appointments").new_appointment()
    window.end_session()
    assert all(model.rowCount() == 0 for model in models)
    window.deleteLater()
    flush_deletes()
    assert not any(isValid(page) for page in pages)
    assert not [w for w in QApplication.topLevelWidgets()
                if w.isVisible() and w.objectName() == "appointment_dialog"]


def pages(org: Org, background: Background) -> list[QWidget]:
    return [AgendaPage(org.coordinator), DeadlinesPage(org.coordinator),
            ReferralsPage(org.coordinator), PartnersPage(org.coordinator),
            AuditLogPage(org.coordinator), AdminPage(org.admin, background)]


@pytest.mark.parametrize(("language", "scale"), [("ar", 1.0), ("en_XA", 1.0), ("en", 2.0)])
def test_buttons_stay_whole(qtbot, org: Org, background, language, scale):
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    font, direction = app.font(), app.layoutDirection()
    try:
        set_language(language)
        if language != "en":
            app.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        if scale != 1.0:
            bigger = app.font()
            bigger.setPointSizeF(bigger.pointSizeF() * scale)
            app.setFont(bigger)
        for page in pages(org, background):
            qtbot.addWidget(page)
            assert page.minimumSizeHint().width() <= PAGE_BUDGET, (language, scale, page)
            page.resize(PAGE_BUDGET, 700)
            page.show()
            QApplication.processEvents()
            assert clipped(page) == [], (language, type(page).__name__)
            assert unnamed(page) == [], (language, type(page).__name__)
            if language != "en":
                assert page.layoutDirection() == Qt.LayoutDirection.RightToLeft
    finally:
        set_language("en")
        app.setFont(font)
        app.setLayoutDirection(direction)


def focus_chain(start: QWidget, length: int = 60) -> list[QWidget]:
    chain, widget = [], start
    for _i in range(length):
        chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


@pytest.mark.parametrize(("make", "top", "bottom"), [
    (lambda org: AgendaPage(org.coordinator), "day_button", "new_button"),
    (lambda org: DeadlinesPage(org.coordinator), "window_combo", "open_button"),
    (lambda org: ReferralsPage(org.coordinator), "show_closed", "send_button"),
    (lambda org: PartnersPage(org.coordinator), "filter", "active_button"),
    (lambda org: AuditLogPage(org.coordinator), "period", "further_button")])
def test_tab_goes_top_to_bottom(qtbot, org: Org, make, top, bottom):
    """Tab follows what the eye sees: the controls above the table, the table, then the
    buttons under it (not the order in which the widgets happened to be made)."""
    page = make(org)
    qtbot.addWidget(page)
    order = focus_chain(getattr(page, top))
    assert 0 < order.index(page.view) < order.index(getattr(page, bottom))


def test_subpackages_follow_the_ui_rules():
    """ui/agenda and ui/admin, like ui/*.py: no SQL, no PDF building, readable modules."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "ui"
    files = [*root.glob("agenda/*.py"), *root.glob("admin/*.py"), *root.glob("audit/*.py")]
    assert len(files) >= 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert ".execute(" not in text, path.name
        assert not re.search(r"^\s*(from|import)\s+(sqlcipher3|sqlite3|reportlab|pypdf)",
                             text, re.M), path.name
        assert len(text.splitlines()) <= 400, path.name
