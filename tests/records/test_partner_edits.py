"""Correcting a partner's details and taking a partner out of the directory's choices."""

from __future__ import annotations

import datetime as dt

import pytest

from shelter_app.errors import NotFound, PermissionDenied, ValidationError
from tests.records.conftest import Org

TODAY = dt.date.today()


def _details(**over: object) -> dict[str, object]:
    values: dict[str, object] = dict(
        name="Riverside Clinic", partner_type="health", services=["medical"], languages=["en"],
        address="1 River Road", secure_contact="Signal only", document_language="en")
    values.update(over)
    return values


def test_coordinator_corrects_a_partner(org: Org) -> None:
    partners = org.coordinator.partners
    clinic = partners.add("Riverside Clinc", "health", services=["medical"])
    fixed = partners.update(clinic.id, row_version=clinic.row_version, **_details(  # type: ignore[arg-type]
        languages=["en", "uk"], document_language="uk"))
    assert fixed.name == "Riverside Clinic" and fixed.languages == ("en", "uk")
    assert fixed.document_language == "uk" and fixed.address == "1 River Road"
    assert fixed.row_version == clinic.row_version + 1
    event = org.audit("record.updated")[-1]
    assert event["target_id"] == clinic.id and event["outcome"] == "ok"
    assert event["details"]["fields"] == ["address", "document_language", "languages", "name",
                                          "secure_contact"]
    assert "Riverside" not in str(event["details"]), "values never go into the audit chain"
    same = partners.update(clinic.id, row_version=fixed.row_version, **_details(  # type: ignore[arg-type]
        languages=["en", "uk"], document_language="uk"))
    assert same == fixed, "saving without a change writes nothing"
    assert len(org.audit("record.updated")) == 1


def test_a_stale_edit_or_a_taken_name_is_refused_and_nothing_changes(org: Org) -> None:
    partners = org.coordinator.partners
    clinic = partners.add("Riverside Clinic", "health")
    partners.add("Aid Collective", "legal")
    with pytest.raises(ValidationError, match="already in the directory") as info:
        partners.update(clinic.id, row_version=clinic.row_version,  # type: ignore[arg-type]
                        **_details(name="AID COLLECTIVE"))
    assert info.value.field == "name"
    partners.update(clinic.id, row_version=clinic.row_version,  # type: ignore[arg-type]
                    **_details(address="2 River Road"))
    with pytest.raises(ValidationError, match="Someone else changed"):
        partners.update(clinic.id, row_version=clinic.row_version,  # type: ignore[arg-type]
                        **_details(address="3 River Road"))
    assert partners.get(clinic.id).address == "2 River Road"
    with pytest.raises(ValidationError, match="ISO 639"):
        partners.update(clinic.id, row_version=clinic.row_version + 1,  # type: ignore[arg-type]
                        **_details(languages=["xx"]))
    with pytest.raises(NotFound):
        partners.update("no-such-id", row_version=1, **_details())  # type: ignore[arg-type]


def test_only_coordinators_edit_or_deactivate(org: Org) -> None:
    clinic = org.coordinator.partners.add("Riverside Clinic", "health")
    for who in (org.caseworker, org.legal):
        with pytest.raises(PermissionDenied):
            who.partners.update(clinic.id, row_version=clinic.row_version, **_details())  # type: ignore[arg-type]
        with pytest.raises(PermissionDenied):
            who.partners.set_active(clinic.id, False)
    assert org.coordinator.partners.get(clinic.id) == clinic
    assert [e["outcome"] for e in org.audit("access.denied")] == ["denied"] * 4


def _consented_case(org: Org) -> tuple[str, str]:
    """A case whose survivor agreed to share her identity with Riverside Clinic."""
    case_id = org.new_case("Ana Partner").id
    clinic = org.partner("Riverside Clinic")
    org.caseworker.consent.record(case_id, sections=["identity"], purpose="Check-up",
                                  given_by="survivor", method="written", given_on=TODAY,
                                  partner_id=clinic)
    return case_id, clinic


def test_an_inactive_partner_keeps_its_history_but_takes_nothing_new(org: Org) -> None:
    case_id, clinic = _consented_case(org)
    referral = org.caseworker.referrals.create(case_id, clinic)
    off = org.coordinator.partners.set_active(clinic, False)
    assert not off.active
    assert [p.id for p in org.caseworker.partners.list()] == []
    assert [p.id for p in org.caseworker.partners.list(include_inactive=True)] == [clinic]
    assert org.caseworker.referrals.get(referral.id).partner_id == clinic
    assert org.caseworker.consent.list(case_id)[0].partner_id == clinic
    with pytest.raises(ValidationError, match="inactive") as info:
        org.caseworker.referrals.create(case_id, clinic)
    assert info.value.field == "partner_id"
    with pytest.raises(ValidationError, match="inactive"):
        org.caseworker.consent.record(case_id, sections=["identity"], purpose="Again",
                                      given_by="survivor", method="written", given_on=TODAY,
                                      partner_id=clinic)
    # A service the partner gave before it closed can still be written down.
    org.caseworker.care.record(case_id, "medical", provided_on=TODAY,
                               provider_kind="partner", partner_id=clinic)
    back = org.coordinator.partners.set_active(clinic, True)
    assert back.active and org.caseworker.referrals.create(case_id, clinic).partner_id == clinic
    assert [e["details"]["fields"] for e in org.audit("record.updated")
            if e["target_type"] == "partner"] == [["active"], ["active"]]


def test_nothing_is_sent_to_an_inactive_partner(org: Org) -> None:
    """A draft referral made before the partner was deactivated cannot be sent."""
    case_id, clinic = _consented_case(org)
    draft = org.caseworker.referrals.create(case_id, clinic)
    org.coordinator.partners.set_active(clinic, False)
    with pytest.raises(ValidationError, match="inactive"):
        org.caseworker.referrals.move(draft.id, "sent")
    assert org.caseworker.referrals.get(draft.id).status == "draft"
    org.coordinator.partners.set_active(clinic, True)
    assert org.caseworker.referrals.move(draft.id, "sent").status == "sent"


def test_a_refusal_comes_before_any_look_up(org: Org) -> None:
    """Whether a partner id exists is not told to someone who may not manage partners."""
    for partner_id in ("no-such-partner", org.partner("Riverside Clinic")):
        with pytest.raises(PermissionDenied):
            org.caseworker.partners.set_active(partner_id, False)
