"""The Partners page: the directory, filtering, details, and adding (coordinators only)."""

from __future__ import annotations

import pytest

from tests.bidi import plain
from tests.ui.org_pages import Org, org_fixture, texts, unnamed  # noqa: F401 - the org fixture
from ui.partners_dialog import PartnerDialog
from ui.partners_page import PartnersModel, PartnersPage, may_see_partners


@pytest.fixture
def directory(org: Org) -> Org:
    org.coordinator.partners.add("Riverside Clinic", "health", services=["medical"],
                                 languages=["en", "vi"], address="1 River Road",
                                 secure_contact="Nurse Ade, extension 4")
    org.coordinator.partners.add("Harbour Legal", "legal", services=["legal_aid"],
                                 document_language="fr")
    return org


def test_directory_list_filter_and_details(qtbot, qtmodeltester, directory: Org):
    page = PartnersPage(directory.caseworker)
    qtbot.addWidget(page)
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.proxy)
    rows = texts(page.model)
    assert [r[PartnersModel.NAME] for r in rows] == ["Harbour Legal", "Riverside Clinic"]
    clinic = rows[1]
    assert clinic[PartnersModel.TYPE] == "Health service"
    assert clinic[PartnersModel.LANGUAGES] == "English, Vietnamese"
    assert rows[0][PartnersModel.DOCUMENTS] == "French"
    assert page.summary.text() == "2 partners"
    assert not page.add_button.isVisible() and not page.add_button.isVisibleTo(page)

    page.filter.setText("vietnam")
    assert page.proxy.rowCount() == 1 and page.summary.text() == "1 of 2 partners"
    page.view.selectRow(0)
    assert page.address.text() == "1 River Road"
    assert page.secure_contact.text() == "Nurse Ade, extension 4"
    assert unnamed(page) == []


def test_coordinator_adds_with_inline_validation(qtbot, directory: Org):
    page = PartnersPage(directory.coordinator)
    qtbot.addWidget(page)
    assert page.add_button.isVisibleTo(page)
    dialog = page.add_partner()
    qtbot.addWidget(dialog)
    assert unnamed(dialog) == []
    dialog.save_button.click()
    assert dialog.messages["name"].text() == "This field is required."
    dialog.name.setText("riverside clinic")
    dialog.save_button.click()
    assert dialog.messages["partner_type"].text() == "Choose one: Partner type."  # not guessed
    dialog.type.setCurrentIndex(dialog.type.findData("health"))
    dialog.save_button.click()
    assert "already in the directory" in dialog.messages["name"].text()
    assert dialog.isVisible()
    dialog.name.setText("Casa Segura")
    dialog.type.setCurrentIndex(dialog.type.findData("shelter"))
    dialog.services.set_value(["safe_shelter"])
    dialog.languages.set_value(["es"])
    dialog.document_language.set_value("es")
    dialog.secure_contact.setPlainText("Ask for Lucía")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    added = directory.coordinator.partners.find("Casa Segura")
    assert (added.partner_type, added.services, added.languages, added.document_language) == (
        "shelter", ("safe_shelter",), ("es",), "es")
    assert page.model.rowCount() == 3
    assert page.selected().id == added.id


def test_who_sees_the_directory_and_end_of_session(qtbot, directory: Org):
    assert may_see_partners(directory.legal) and may_see_partners(directory.caseworker)
    assert not may_see_partners(directory.admin)
    page = PartnersPage(directory.legal)
    qtbot.addWidget(page)
    page.view.selectRow(0)
    page.end_session()
    assert page.model.rowCount() == 0 and page.address.text() == ""


def _select(page: PartnersPage, name: str) -> None:
    for row in range(page.proxy.rowCount()):
        if page.proxy.index(row, PartnersModel.NAME).data().startswith(name):
            page.view.selectRow(row)
            return
    raise AssertionError(f"{name} is not listed")


def test_coordinator_edits_the_selected_partner(qtbot, directory: Org):
    page = PartnersPage(directory.coordinator)
    qtbot.addWidget(page)
    assert not page.edit_button.isEnabled(), "nothing is selected yet"
    _select(page, "Riverside Clinic")
    assert page.edit_button.isEnabled() and page.edit_button.isVisibleTo(page)
    dialog = page.edit_selected()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Edit a partner organisation"
    assert dialog.name.text() == "Riverside Clinic"
    assert dialog.languages.value() == ["en", "vi"] and dialog.services.value() == ["medical"]
    assert dialog.secure_contact.toPlainText() == "Nurse Ade, extension 4"
    assert unnamed(dialog) == []
    dialog.name.setText("harbour legal")
    dialog.save_button.click()
    assert "already in the directory" in dialog.messages["name"].text()
    assert dialog.isVisible()
    dialog.name.setText("Riverside Health Centre")
    dialog.address.setPlainText("9 Quay Street")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    stored = directory.coordinator.partners.find("Riverside Health Centre")
    assert stored.address == "9 Quay Street" and stored.languages == ("en", "vi")
    assert page.selected().id == stored.id and page.address.text() == "9 Quay Street"


def test_an_edit_made_meanwhile_is_not_overwritten(qtbot, directory: Org):
    page = PartnersPage(directory.coordinator)
    qtbot.addWidget(page)
    _select(page, "Harbour Legal")
    dialog = page.edit_selected()
    qtbot.addWidget(dialog)
    current = directory.coordinator.partners.find("Harbour Legal")
    directory.coordinator.partners.update(
        current.id, row_version=current.row_version, name="Harbour Legal", partner_type="legal",
        services=["legal_aid"], languages=[], address="Moved to 4 Dock Lane",
        secure_contact="", document_language="fr")
    dialog.address.setPlainText("12 Old Street")
    dialog.save_button.click()
    assert "Someone else changed" in dialog.error.text()
    assert dialog.isVisible() and dialog.address.toPlainText() == "12 Old Street"
    assert directory.coordinator.partners.get(current.id).address == "Moved to 4 Dock Lane"


def test_deactivate_and_reactivate_with_the_partner_kept_in_sight(qtbot, directory: Org):
    page = PartnersPage(directory.coordinator)
    qtbot.addWidget(page)
    _select(page, "Riverside Clinic")
    assert page.active_button.text() == "&Deactivate"
    page.active_button.click()
    assert page.show_inactive.isChecked(), "the partner stays listed so the change can be undone"
    assert page.selected().name == "Riverside Clinic" and not page.selected().active
    names = [r[PartnersModel.NAME] for r in texts(page.model)]
    assert "Riverside Clinic (inactive)" in names
    assert "Reactivate it to undo" in page.notice.text()
    assert page.active_button.text() == "&Reactivate"
    assert [p.name for p in directory.caseworker.partners.list()] == ["Harbour Legal"]
    page.show_inactive.setChecked(False)
    assert [r[PartnersModel.NAME] for r in texts(page.model)] == ["Harbour Legal"]
    page.show_inactive.setChecked(True)
    _select(page, "Riverside Clinic")
    page.active_button.click()
    assert page.selected().active and page.active_button.text() == "&Deactivate"
    assert plain(page.notice.text()) == "Riverside Clinic is active again."
    assert len(directory.caseworker.partners.list()) == 2


def test_others_cannot_edit_even_by_keyboard(qtbot, directory: Org):
    page = PartnersPage(directory.caseworker)
    qtbot.addWidget(page)
    _select(page, "Riverside Clinic")
    assert not page.edit_button.isVisibleTo(page) and not page.active_button.isVisibleTo(page)
    assert page.edit_selected() is None
    page.view.activated.emit(page.view.currentIndex())
    assert page.findChildren(PartnerDialog) == [], "Enter on a row opens no editor for them"
