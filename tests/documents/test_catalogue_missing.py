"""A document asked for in a language whose catalogue is not installed is refused with the
reason, never produced in English instead."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pytest

from shelter_app.errors import CatalogueMissing
from tests.documents.conftest import Scenario


def _appointment(scenario: Scenario) -> str:
    c = scenario.org.coordinator
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).replace(hour=9, minute=30,
                                                                      second=0, microsecond=0)
    return c.appointments.schedule(scenario.case_id, "legal_consultation", start,
                                   start + dt.timedelta(hours=1), location="Calle Luna 4").id


def test_a_card_in_a_language_without_its_catalogue_is_refused(
        scenario: Scenario, no_catalogues: Path) -> None:
    appointment = _appointment(scenario)
    documents = scenario.org.coordinator.documents
    # chosen, or the survivor's own language (her first is Arabic)
    for asked, named in (("vi", "Vietnamese (vi)"), (None, "Arabic (ar)")):
        with pytest.raises(CatalogueMissing) as info:
            documents.appointment_card(appointment, language=asked)
        message = str(info.value)
        assert f"Documents cannot be written in {named}: its catalogue is not installed" \
            in message
        assert "make translations" in message
    assert not scenario.org.audit("document.previewed"), "nothing was made"
    # The document process sends it back whole (errors cross the pipe pickled).
    again = pickle.loads(pickle.dumps(CatalogueMissing("x")))  # noqa: S301
    assert isinstance(again, CatalogueMissing) and str(again) == "x"


def test_a_referral_packet_in_a_language_without_its_catalogue_is_refused(
        scenario: Scenario, no_catalogues: Path) -> None:
    documents = scenario.org.coordinator.documents
    with pytest.raises(CatalogueMissing, match=r"Spanish \(es\)"):  # the partner's language
        documents.referral_packet(scenario.case_id, scenario.partner_id)
    assert not scenario.org.audit("document.previewed")


def test_english_documents_need_no_catalogue(scenario: Scenario, no_catalogues: Path) -> None:
    produced = scenario.org.coordinator.documents.appointment_card(
        _appointment(scenario), language="en")
    assert produced.pdf.startswith(b"%PDF") and produced.language == "en"
