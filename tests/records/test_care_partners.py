"""The service catalogue, service entries (health kept to those who may read it), partners."""

from __future__ import annotations

import datetime as dt

import pytest

from shelter_app.errors import NotFound, PermissionDenied, ValidationError
from tests.records.conftest import Org, days

TODAY = dt.date.today()


def test_built_in_catalogue_marks_health_services(org: Org) -> None:
    catalogue = {t.code: t for t in org.caseworker.care.catalogue()}
    assert {"safe_shelter", "medical", "psychosocial", "legal_aid", "interpreting"} <= set(
        catalogue)
    assert catalogue["medical"].is_health and catalogue["psychosocial"].is_health
    assert not catalogue["legal_aid"].is_health
    assert catalogue["psychosocial"].label == "Mental health and psychosocial support"


def test_coordinator_adds_a_service_type(org: Org) -> None:
    added = org.coordinator.care.add_type("Art therapy", is_health=True)
    assert (added.code, added.label, added.is_health, added.built_in) == (
        "art_therapy", "Art therapy", True, False)
    assert "art_therapy" in {t.code for t in org.caseworker.care.catalogue()}
    with pytest.raises(ValidationError, match="already in the catalogue"):
        org.coordinator.care.add_type("ART THERAPY")
    with pytest.raises(PermissionDenied):
        org.caseworker.care.add_type("Yoga")
    with pytest.raises(PermissionDenied):
        org.legal.care.add_type("Yoga")
    assert "yoga" not in {t.code for t in org.coordinator.care.catalogue()}


def test_service_entries(org: Org) -> None:
    case_id = org.new_case("Ana Care").id
    partner = org.partner("Vocational Bridge")
    care = org.caseworker.care
    care.record(case_id, "safe_shelter", provided_on=days(-3), duration_minutes="90",
                outcome="Room allocated")
    care.record(case_id, "education", provided_on=TODAY, provider_kind="partner",
                partner_id=partner, notes="Language class")
    entries = care.list(case_id)
    assert [e.service_code for e in entries] == ["education", "safe_shelter"]  # newest first
    assert entries[0].provider_kind == "partner" and entries[0].partner_id == partner
    assert entries[1].duration_minutes == 90 and entries[1].outcome == "Room allocated"
    assert entries[1].staff_id == org.ids["caseworker"]
    for kwargs, message in (
            ({"provided_on": days(5)}, "in the future"),
            ({"provided_on": "2026-02-30"}, "not a date"),
            ({"provider_kind": "partner"}, "Choose the partner"),
            ({"duration_minutes": "an hour"}, "whole minutes"),
            ({"duration_minutes": -5}, "not possible")):
        with pytest.raises(ValidationError, match=message):
            care.record(case_id, "safe_shelter", **{"provided_on": TODAY, **kwargs})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="Unknown service"):
        care.record(case_id, "massage", provided_on=TODAY)
    assert len(care.list(case_id)) == 2


def test_health_notes_stay_with_those_who_may_read_health(org: Org) -> None:
    case_id = org.new_case("Ana Health", access_needs="Needs insulin").id
    org.coordinator.care.add_type("Art therapy", is_health=True)
    org.caseworker.care.record(case_id, "art_therapy", provided_on=TODAY,
                               notes="Talked about nightmares")
    org.caseworker.care.record(case_id, "psychosocial", provided_on=TODAY,
                               notes="Anxiety, sleeping badly", outcome="Weekly sessions")
    for services in (org.coordinator, org.caseworker):
        notes = {e.notes for e in services.care.list(case_id)}
        assert notes == {"Talked about nightmares", "Anxiety, sleeping badly"}
    for services, error in ((org.legal, PermissionDenied), (org.admin, PermissionDenied),
                            (org.other_caseworker, NotFound)):
        with pytest.raises(error):
            services.care.list(case_id)
        with pytest.raises(error):
            services.care.record(case_id, "psychosocial", provided_on=TODAY, notes="x")
    shared = org.legal.cases.get(case_id)
    assert "access_needs" not in shared.survivor
    assert "Needs insulin" not in repr(shared) and "nightmares" not in repr(shared)
    # the opening of the health section is itself recorded
    assert org.audit("record.section_opened")[-1]["details"] == {"section": "health"}


def test_partner_directory(org: Org) -> None:
    partners = org.coordinator.partners
    clinic = partners.add("Riverside Clinic", "health", services=["medical", "psychosocial"],
                          languages=["en", "ar"], address="1 River Road",
                          secure_contact="Signal only", document_language="ar")
    partners.add("Aid Collective", "legal", services=["legal_aid"])
    assert [p.name for p in org.caseworker.partners.list()] == ["Aid Collective",
                                                                "Riverside Clinic"]
    found = org.legal.partners.find("riverside clinic")
    assert found == clinic == org.caseworker.partners.get(clinic.id)
    assert found.services == ("medical", "psychosocial") and found.languages == ("en", "ar")
    assert found.document_language == "ar" and found.secure_contact == "Signal only"
    with pytest.raises(ValidationError, match="already in the directory"):
        partners.add("RIVERSIDE CLINIC", "health")
    for kwargs, message in (({"partner_type": "spa"}, "not a valid choice"),
                            ({"services": ["massage"]}, "Unknown service"),
                            ({"languages": ["xx"]}, "ISO 639"),
                            ({"name": " "}, "required")):
        with pytest.raises(ValidationError, match=message):
            partners.add(**{"name": "New Partner", "partner_type": "ngo", **kwargs})  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        org.caseworker.partners.add("Caseworker's Friend", "ngo")
    with pytest.raises(NotFound, match="shelter-admin partners"):
        org.caseworker.partners.find("Nobody")
    assert len(org.coordinator.partners.list()) == 2
