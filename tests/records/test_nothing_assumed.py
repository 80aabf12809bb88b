"""Nothing is assumed about a person, and required choices are refused left blank.

A survivor or case field nobody filled in is stored as unknown, exported as unknown and
printed as "not recorded"; a service, referral, appointment or consent whose required
choice was left blank is refused with a message naming the field, not a list of codes.
"""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest

from shelter_app.domain.records import CaseInput, SurvivorInput, clean_case, clean_survivor
from shelter_app.errors import ValidationError
from tests.records.conftest import Org

TODAY = dt.date.today()


def test_unasked_fields_are_stored_as_unknown(org: Org) -> None:
    record = org.new_case("Ana Unasked")
    assert record.survivor["gender"] == "unknown"
    assert record.case["identification_status"] == "", "not 'possible victim'"
    for name in ("risk_level", "recruitment_method", "recruiter_relationship", "identified_by"):
        assert record.case[name] is None, name
    assert record.survivor["safe_contact"]["preferred_method"] == ""
    assert clean_case(CaseInput())["identification_status"] == ""
    assert clean_survivor(SurvivorInput("Ana"))["gender"] == "unknown"


def test_an_existing_status_still_reads_and_can_be_cleared(org: Org) -> None:
    record = org.new_case("Ana Possible", case=CaseInput(identification_status="possible"))
    assert record.case["identification_status"] == "possible"
    changed = org.coordinator.cases.update(record.id, case=CaseInput(),
                                           versions=record.row_versions)
    assert changed.case["identification_status"] == ""


def test_a_packet_says_not_recorded_instead_of_guessing(org: Org) -> None:
    c = org.coordinator
    record = org.new_case("Ana Unasked")
    partner = c.partners.add("Harbour Clinic (fictional)", "health", document_language="en")
    c.consent.record(record.id, sections=["identity", "situation"], purpose="Referral",
                     given_by="survivor", method="written", given_on=TODAY,
                     partner_id=partner.id)
    c.referrals.create(record.id, partner.id, priority="normal", services=["medical"])
    produced = c.documents.referral_packet(record.id, partner.id,
                                           sections=["identity", "situation"])
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(
        io.BytesIO(produced.pdf)).pages)
    text = " ".join(text.replace("\ufb01", "fi").split())  # the "fi" ligature, as letters
    assert "Identification not recorded" in text and "Risk level not recorded" in text
    assert "Gender Not known or not disclosed" in text
    for guess in ("Possible victim", "Woman / girl", "Low"):
        assert guess not in text, guess


@pytest.mark.parametrize(("call", "field", "message"), [
    (lambda o, case: o.caseworker.care.record(case, "", provided_on=TODAY),
     "service", "Choose the service that was given."),
    (lambda o, case: o.caseworker.care.record(case, "safe_shelter", provided_on=TODAY,
                                              provider_kind=""),
     "provider_kind", "Choose who gave the service"),
    (lambda o, case: o.caseworker.referrals.create(case, ""), "partner_id",
     "Choose the partner."),
    (lambda o, case: o.caseworker.referrals.create(case, o.partner, priority=""),
     "priority", "Choose one: Priority."),
    (lambda o, case: o.caseworker.appointments.schedule(
        case, "", dt.datetime(2030, 1, 7, 10), dt.datetime(2030, 1, 7, 11)),
     "appointment_type", "Choose one: Appointment type."),
    (lambda o, case: o.caseworker.consent.record(
        case, sections=["identity"], purpose="Referral", given_by="", method="written",
        given_on=TODAY, any_referral=True), "given_by", "Choose one: Consent given by."),
    (lambda o, case: o.caseworker.consent.record(
        case, sections=["identity"], purpose="Referral", given_by="survivor", method="written",
        given_on=TODAY), "partner_id", "Choose one recipient"),
])
def test_a_required_choice_left_blank_is_refused_by_name(org: Org, call, field: str,
                                                         message: str) -> None:
    case = org.new_case("Ana Choices").id
    org.partner = org.coordinator.partners.add("Bay Shelter (fictional)", "shelter").id
    with pytest.raises(ValidationError) as refused:
        call(org, case)
    assert refused.value.field == field and message in refused.value.message
    assert "Valid:" not in refused.value.message, "no list of codes"
