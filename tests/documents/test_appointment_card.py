"""The appointment card: small, in the survivor's language, naming no one."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pypdf
import pytest

from shelter_app.documents.layout import PAGE_SIZES
from shelter_app.i18n import translator
from tests.documents.conftest import NAME, Scenario, has_phrase, read_pdf


@pytest.fixture
def appointment_id(scenario: Scenario) -> str:
    c = scenario.org.coordinator
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).replace(hour=9, minute=30,
                                                                      second=0, microsecond=0)
    return c.appointments.schedule(
        scenario.case_id, "legal_consultation", start, start + dt.timedelta(hours=1),
        location="Calle Luna 4, Sevilla", room="Sala 2", staff_id=scenario.org.ids["caseworker"],
        interpreter="Interpreter A", interpreter_language="ar").id


@pytest.mark.parametrize("language", ["vi", "ar", "ru"])
def test_card_in_the_chosen_language(scenario: Scenario, appointment_id: str, tmp_path: Path,
                                     language: str) -> None:
    produced = scenario.org.coordinator.documents.appointment_card(appointment_id,
                                                                   language=language)
    reader = pypdf.PdfReader(io.BytesIO(produced.pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == tuple(
        round(x) for x in PAGE_SIZES["a6"])
    read = read_pdf(produced.pdf, tmp_path)
    _ = translator(language)
    assert _("Appointment") != "Appointment"
    page = read.poppler_pages[0]
    for phrase in (_("Appointment"), _("Ask for"), "Sala 2", scenario.code,
                   _("Please come a few minutes early and bring this card.")):
        assert has_phrase(page, phrase), (phrase, page)
    assert produced.packet_id in page
    assert NAME.split()[0] not in read.text, "the card never names the person"
    assert _("Legal consultation") not in read.text, "nor what the appointment is about"


def test_card_follows_the_survivors_language_and_is_recorded(
        scenario: Scenario, appointment_id: str, tmp_path: Path) -> None:
    org = scenario.org
    produced = org.coordinator.documents.appointment_card(appointment_id)
    ar = translator("ar")
    read = read_pdf(produced.pdf, tmp_path)
    assert has_phrase(read.poppler_pages[0], ar("Appointment")), "her first language is Arabic"
    assert org.audit("document.previewed")[-1]["details"] == {
        "sections": [], "format": "appointment_card.pdf"}
    org.coordinator.documents.save(produced, tmp_path / produced.file_name)
    [record] = org.coordinator.documents.history(scenario.case_id)
    assert (record.kind, record.language, record.sections) == ("appointment_card", "ar", ())
    assert org.audit("data.export")[-1]["details"] == {"sections": [],
                                                       "format": "appointment_card.pdf"}
    assert produced.file_name.startswith("appointment-PK-")


def test_legal_volunteers_make_cards_for_shared_cases_only(scenario: Scenario,
                                                           appointment_id: str) -> None:
    from shelter_app.errors import NotFound

    org = scenario.org
    assert org.legal.documents.appointment_card(appointment_id).kind == "appointment_card"
    with pytest.raises(NotFound):
        org.other_legal.documents.appointment_card(appointment_id)
