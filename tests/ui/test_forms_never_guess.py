"""Forms never guess: what nobody asked stays unknown, and a required choice left blank
is refused beside its field (the wheel: ``test_wheel.py``)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from shiboken6 import isValid

from ui.background import Background
from ui.cases.intake import IntakeDialog
from ui.cases.section import CasesSection

from .case_helpers import Office, drop_widgets, keep, new_case, session, staffed_vault
from .conftest import WAIT_MS


@pytest.fixture
def intake(qtbot, vault_dir):
    staffed_vault(vault_dir)
    background = Background()
    with session(vault_dir, "coordinator") as services:
        dialog = keep(IntakeDialog(services, background))
        dialog.show()
        qtbot.waitExposed(dialog)
        yield services, dialog
        background.wait()
        drop_widgets()


def test_gender_left_alone_is_saved_as_unknown(qtbot, intake):
    services, dialog = intake
    assert dialog.form["gender"].widget.currentText() == "(not asked)"
    assert dialog.form["identification_status"].widget.currentText() == "(not asked)"
    created: list[str] = []
    dialog.created.connect(created.append)
    qtbot.keyClicks(dialog.form["legal_name"].focus, "Mira Unasked")
    for _step in range(4):
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.busy.isVisibleTo(dialog), timeout=WAIT_MS)
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(created) or not isValid(dialog), timeout=WAIT_MS)
    record = services.cases.get(created[0])
    assert record.survivor["gender"] == "unknown"
    assert record.case["identification_status"] == ""
    assert record.case["risk_level"] is None and record.case["recruitment_method"] is None


@pytest.fixture
def office(qapp, vault_dir):
    office = Office(vault_dir)
    office.record = new_case(office.coordinator, office.ids)
    office.partner = office.coordinator.partners.add("Riverside Clinic (fictional)",
                                                     "health").id
    yield office
    office.close()


def tab_of(office, key: str):
    section = keep(CasesSection(office.coordinator, office.background))
    section.show()
    workspace = section.open_case(office.record.id)
    assert workspace is not None
    return workspace, workspace.show_tab(key)


def test_the_profile_says_not_recorded_for_what_nobody_asked(qtbot, office):
    workspace, _tab = tab_of(office, "consent")
    status = workspace.profile.form["identification_status"].widget
    assert status.currentText() == "(not recorded)" and not status.isEnabled()
    qtbot.mouseClick(workspace.profile.edit_button, Qt.MouseButton.LeftButton)
    assert status.currentText() == "(not asked)" and status.isEnabled()


def test_a_service_without_a_type_is_refused_beside_the_field(qtbot, office):
    _workspace, tab = tab_of(office, "services")
    service = tab.form["service"]
    assert service.widget.currentText() == "Choose… (required)"
    assert tab.form["provider_kind"].widget.currentText() == "Choose… (required)"
    qtbot.keyClicks(tab.form["outcome"].focus, "Bus pass to the clinic")
    qtbot.mouseClick(tab.record_button, Qt.MouseButton.LeftButton)
    assert service.message.isVisibleTo(tab)
    assert service.message.text() == "Choose the service that was given."
    assert service.widget.hasFocus() or not tab.isActiveWindow()
    assert tab.table.rowCount() == 0 and office.coordinator.care.list(office.record.id) == []
    service.widget.setCurrentIndex(service.widget.findData("safe_shelter"))
    assert not service.message.isVisibleTo(tab), "choosing clears the message"
    qtbot.mouseClick(tab.record_button, Qt.MouseButton.LeftButton)
    assert "who gave the service" in tab.form["provider_kind"].message.text()
    tab.form["provider_kind"].widget.setCurrentIndex(1)
    qtbot.mouseClick(tab.record_button, Qt.MouseButton.LeftButton)
    assert tab.table.rowCount() == 1


def test_a_referral_and_a_consent_need_their_recipient_chosen(qtbot, office):
    workspace, referrals = tab_of(office, "referrals")
    partner = referrals.form["partner_id"]
    assert partner.widget.currentText() == "Choose… (required)"
    qtbot.mouseClick(referrals.create_button, Qt.MouseButton.LeftButton)
    assert partner.message.text() == "Choose the partner."
    assert referrals.table.rowCount() == 0
    consent = workspace.show_tab("consent")
    recipient = consent.form["partner_id"]
    assert recipient.widget.currentText() == "Choose… (required)"
    consent.form["sections"].put(["identity"])
    consent.form["purpose"].put("Referral")
    consent.form["given_by"].put("survivor")
    consent.form["method"].put("verbal")
    qtbot.mouseClick(consent.record_button, Qt.MouseButton.LeftButton)
    assert "Choose one recipient" in recipient.message.text()
    assert consent.table.rowCount() == 0
    recipient.widget.setCurrentIndex(recipient.widget.findData("*any*"))
    qtbot.mouseClick(consent.record_button, Qt.MouseButton.LeftButton)
    assert consent.table.rowCount() == 1 and consent.table.item(0, 2).text() == "Any referral"


def test_an_identity_document_needs_its_kind_and_status(qtbot, office):
    workspace, _tab = tab_of(office, "consent")
    profile = workspace.profile
    qtbot.mouseClick(profile.edit_button, Qt.MouseButton.LeftButton)
    editor = profile.form["identity_documents"].widget
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert editor.entries.count() == 0 and "Choose the kind of document" in editor.problem.text()
    editor.kind.setCurrentIndex(editor.kind.findData("passport"))
    editor.status.setCurrentIndex(editor.status.findData("held"))
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert profile.form["identity_documents"].get() == [
        {"type": "passport", "status": "held", "withheld_by": ""}]
    assert editor.kind.currentIndex() == 0, "the next document starts unchosen again"
