"""The Partners page: the directory, filtering, details, and adding (coordinators only)."""

from __future__ import annotations

import pytest

from tests.ui.org_pages import Org, org_fixture, texts, unnamed  # noqa: F401 - the org fixture
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
    dialog.add_button.click()
    assert dialog.messages["name"].text() == "This field is required."
    dialog.name.setText("riverside clinic")
    dialog.add_button.click()
    assert "already in the directory" in dialog.messages["name"].text()
    assert dialog.isVisible()
    dialog.name.setText("Casa Segura")
    dialog.type.setCurrentIndex(dialog.type.findData("shelter"))
    dialog.services.set_value(["safe_shelter"])
    dialog.languages.set_value(["es"])
    dialog.document_language.set_value("es")
    dialog.secure_contact.setPlainText("Ask for Lucía")
    with qtbot.waitSignal(dialog.added):
        dialog.add_button.click()
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
