"""One whole working day through the widgets: a new vault, an intake, a service, a
referral, an appointment, lock, unlock — in English, and in the pseudo-locale en_XA with a
right-to-left layout (longer, accented, mirrored strings)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from shelter_app.i18n import set_language
from tests.conftest import ADMIN_PASS
from ui.cases.intake import IntakeDialog
from ui.cases.section import CasesSection
from ui.cases.workspace import CaseWorkspace
from ui.first_run import FirstRunWindow
from ui.main_window import MainWindow
from ui.sign_in import SignInWindow

from .case_helpers import STAFF_PASS, all_texts
from .conftest import WAIT_MS, sign_in

SURVIVOR = "Oyelaran Tiwatope"


def clipped_buttons(widget) -> list[str]:
    """Visible buttons narrower than their text needs (what a long translation shows)."""
    return [b.text() for b in widget.findChildren(QPushButton)
            if b.isVisible() and b.width() < b.minimumSizeHint().width()]


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def first_run(qtbot, controller) -> None:
    window = controller.window
    assert isinstance(window, FirstRunWindow)
    qtbot.keyClicks(window.organisation, "Harbour House")
    click(qtbot, window.next_button)
    qtbot.keyClicks(window.username, "maria")
    qtbot.keyClicks(window.passphrase, ADMIN_PASS)
    qtbot.keyClicks(window.repeat, ADMIN_PASS)
    with qtbot.waitSignal(controller.background.idle, timeout=WAIT_MS):
        click(qtbot, window.create_button)
    window.recovery.stored.setChecked(True)
    click(qtbot, window.recovery.finish_button)
    assert isinstance(controller.window, MainWindow)


def intake(qtbot, section: CasesSection, partner_id: str) -> CaseWorkspace:
    click(qtbot, section.list_page.new_button)
    dialog = section.intake
    assert isinstance(dialog, IntakeDialog)
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.form["legal_name"].focus, SURVIVOR)
    picker = dialog.form["citizenship"].widget
    qtbot.keyClicks(picker.combo.lineEdit(), "Nigeria")
    qtbot.keyClick(picker.combo.lineEdit(), Qt.Key.Key_Return)
    for _step in range(4):
        qtbot.keyClick(dialog.next_button, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not dialog.busy.isVisibleTo(dialog), timeout=WAIT_MS)
    assert dialog.current == 4
    assert clipped_buttons(dialog) == []
    dialog.record_consent.setChecked(True)
    dialog.consent["sections"].put(["identity", "contact", "services"])
    dialog.consent["partner_id"].put(partner_id)
    qtbot.keyClicks(dialog.consent["purpose"].focus, "Health check")
    dialog.consent["given_by"].put("survivor")
    dialog.consent["method"].put("verbal")
    click(qtbot, dialog.create_button)
    qtbot.waitUntil(lambda: isinstance(section.currentWidget(), CaseWorkspace),
                    timeout=WAIT_MS)
    return section.currentWidget()


@pytest.mark.parametrize("language", ["en", "en_XA"])
def test_a_working_day_through_the_widgets(qtbot, make_controller, vault_dir, language):
    app = QApplication.instance()
    direction = app.layoutDirection()
    set_language(language)
    if language == "en_XA":
        app.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    try:
        controller = make_controller()
        first_run(qtbot, controller)
        # The administrator makes a coordinator's account (Administration is another
        # engineer's page) and locks; the coordinator signs in.
        controller.services.accounts.add("cora", ["coordinator"], STAFF_PASS,
                                         display_name="Cora", temporary=False)
        assert "cases" not in controller.window.section_keys()
        qtbot.keyClick(controller.window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        sign_in(qtbot, controller, "cora", STAFF_PASS)
        window = controller.window
        assert isinstance(window, MainWindow)
        if language == "en_XA":
            assert window.isRightToLeft() and window.lock_action.text().startswith("⟦")
        partner = controller.services.partners.add("Riverside Clinic (fictional)", "health").id
        section = window.show_page("cases")
        qtbot.waitUntil(lambda: not section.list_page.loading, timeout=WAIT_MS)

        workspace = intake(qtbot, section, partner)
        code = workspace.code
        assert section.tabText(section.currentIndex()) == code

        services_tab = workspace.show_tab("services")
        services_tab.form["service"].put("medical")
        services_tab.form["provider_kind"].put("internal")
        click(qtbot, services_tab.record_button)
        assert services_tab.table.rowCount() == 1

        referrals = workspace.show_tab("referrals")
        referrals.form["partner_id"].put(partner)
        referrals.form["priority"].put("urgent")
        referrals.form["services"].put(["medical"])
        click(qtbot, referrals.create_button)
        assert referrals.table.rowCount() == 1, referrals.message.text()
        referrals.table.setCurrentCell(0, 0)
        referrals.status.put("sent")
        click(qtbot, referrals.move_button)  # the intake's consent covers this partner
        assert referrals.message.text() == ""
        assert controller.services.referrals.list(workspace.case_id)[0].status == "sent"

        appointments = workspace.show_tab("appointments")
        appointments.form["appointment_type"].put("medical")
        appointments.starts.set_value(dt.datetime.combine(dt.date.today()
                                                          + dt.timedelta(days=2), dt.time(11)))
        click(qtbot, appointments.book_button)
        assert appointments.table.rowCount() == 1
        assert clipped_buttons(window) == []

        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        assert isinstance(controller.window, SignInWindow)
        assert "Oyelaran" not in all_texts() and "Tiwatope" not in all_texts()

        sign_in(qtbot, controller, "cora", STAFF_PASS)
        section = controller.window.show_page("cases")
        qtbot.waitUntil(lambda: section.list_page.model.rowCount() == 1, timeout=WAIT_MS)
        reopened = section.open_case(section.list_page.model.case_id(0))
        assert reopened.code == code
        assert reopened.show_tab("services").table.rowCount() == 1
        assert reopened.show_tab("referrals").table.rowCount() == 1
        assert reopened.show_tab("appointments").table.rowCount() == 1
        assert reopened.show_tab("consent").table.rowCount() == 1
    finally:
        set_language("en")
        app.setLayoutDirection(direction)
