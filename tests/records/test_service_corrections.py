"""Correcting a logged service: who may, a colleague's change is never overwritten, health
stays with those who may edit it, and the audit names the fields changed, never the text."""

from __future__ import annotations

import pytest

from shelter_app.domain.audit import Event
from shelter_app.domain.roles import Action, Role
from shelter_app.errors import NotFound, PermissionDenied, ValidationError
from shelter_app.services.permissions import MATRIX
from tests.records.conftest import Org, days


def entry(org: Org, case_id: str, service: str = "safe_shelter", **kwargs: object) -> str:
    return org.caseworker.care.record(case_id, service, provided_on=days(-2),
                                      duration_minutes=60, outcome="Room given",
                                      **kwargs).id  # type: ignore[arg-type]


def test_a_caseworker_corrects_a_service(org: Org) -> None:
    case_id = org.new_case("Ana Fix").id
    partner = org.partner()
    entry_id = entry(org, case_id)
    care = org.caseworker.care
    before = care.get(entry_id)
    fixed = care.update(entry_id, row_version=before.row_version, service="interpreting",
                        provided_on=days(-3), provider_kind="partner", partner_id=partner,
                        duration_minutes="45", outcome="Room given", notes="Second visit")
    assert (fixed.service_code, fixed.provided_on, fixed.provider_kind, fixed.partner_id,
            fixed.duration_minutes, fixed.notes) == (
        "interpreting", days(-3), "partner", partner, 45, "Second visit")
    assert fixed.row_version == before.row_version + 1
    assert [e.id for e in care.list(case_id)] == [entry_id]  # changed, not added
    event = org.audit(Event.RECORD_UPDATED)[-1]
    assert (event["target_type"], event["target_id"], event["actor_id"]) == (
        "service_entry", entry_id, org.ids["caseworker"])
    assert event["details"] == {"fields": ["duration_minutes", "notes", "partner_id",
                                           "provided_on", "provider_kind", "service"]}
    assert "Second visit" not in str(org.audit())
    # The coordinator may correct it too, from the version they were shown.
    again = org.coordinator.care.update(entry_id, row_version=fixed.row_version,
                                        service="interpreting", provided_on=days(-3),
                                        provider_kind="internal", duration_minutes=45,
                                        outcome="Done", notes="Second visit")
    assert again.provider_kind == "internal" and again.partner_id is None


def test_a_colleagues_change_is_refused_not_overwritten(org: Org) -> None:
    case_id = org.new_case("Ana Race").id
    entry_id = entry(org, case_id)
    seen = org.caseworker.care.get(entry_id)
    org.coordinator.care.update(entry_id, row_version=seen.row_version, service="safe_shelter",
                                provided_on=days(-2), duration_minutes=90, outcome="Room given")
    updates = len(org.audit(Event.RECORD_UPDATED))
    with pytest.raises(ValidationError, match="Someone else changed this record"):
        org.caseworker.care.update(entry_id, row_version=seen.row_version,
                                   service="safe_shelter", provided_on=days(-2),
                                   duration_minutes=30, outcome="Room given")
    assert org.caseworker.care.get(entry_id).duration_minutes == 90
    assert len(org.audit(Event.RECORD_UPDATED)) == updates


def test_nothing_changed_writes_nothing(org: Org) -> None:
    case_id = org.new_case("Ana Same").id
    entry_id = entry(org, case_id)
    seen = org.caseworker.care.get(entry_id)
    updates = len(org.audit(Event.RECORD_UPDATED))
    same = org.caseworker.care.update(entry_id, row_version=seen.row_version,
                                      service="safe_shelter", provided_on=days(-2),
                                      duration_minutes="60", outcome="Room given")
    assert same.row_version == seen.row_version
    assert len(org.audit(Event.RECORD_UPDATED)) == updates


def test_a_correction_is_checked_like_a_new_entry(org: Org) -> None:
    case_id = org.new_case("Ana Check").id
    entry_id = entry(org, case_id)
    version = org.caseworker.care.get(entry_id).row_version
    for kwargs, message in (
            ({"provided_on": days(5)}, "in the future"),
            ({"provider_kind": "partner"}, "Choose the partner"),
            ({"duration_minutes": "an hour"}, "whole minutes"),
            ({"service": "massage"}, "Unknown service"),
            ({"service": ""}, "Choose the service")):
        with pytest.raises(ValidationError, match=message):
            org.caseworker.care.update(entry_id, row_version=version, **{
                "service": "safe_shelter", "provided_on": days(-2), **kwargs})  # type: ignore[arg-type]
    assert org.caseworker.care.get(entry_id).row_version == version


def test_who_may_not_correct_a_service(org: Org) -> None:
    case_id = org.new_case("Ana Scope").id
    entry_id = entry(org, case_id)
    kwargs = {"row_version": 1, "service": "safe_shelter", "provided_on": days(-2)}
    with pytest.raises(PermissionDenied):
        org.legal.care.update(entry_id, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        org.admin.care.update(entry_id, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        org.other_caseworker.care.update(entry_id, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        org.caseworker.care.update("no-such-entry", **kwargs)  # type: ignore[arg-type]
    assert org.audit(Event.PERMISSION_DENIED)
    assert org.caseworker.care.get(entry_id).duration_minutes == 60


def test_health_entries_only_by_roles_that_may_edit_health(
        org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    """A role that records services but may not touch health (an organisation could define
    one; none of the built-in roles is) neither corrects a health entry, nor turns an entry
    into one, nor learns from the history that its notes changed."""
    case_id = org.new_case("Ana Health").id
    medical = entry(org, case_id, "medical", notes="Blood test")
    shelter = entry(org, case_id)
    care = org.caseworker.care
    seen = care.get(medical)
    care.update(medical, row_version=seen.row_version, service="medical", provided_on=days(-2),
                duration_minutes=60, outcome="Room given", notes="Blood test, normal")
    rules = dict(MATRIX[Role.CASEWORKER])
    for action in (Action.READ_HEALTH, Action.EDIT_HEALTH):
        rules.pop(action)
    monkeypatch.setitem(MATRIX, Role.CASEWORKER, rules)
    restricted = care.get(medical)
    assert restricted.restricted and restricted.notes is None
    with pytest.raises(PermissionDenied):
        care.update(medical, row_version=restricted.row_version, service="medical",
                    provided_on=days(-2))
    plain = care.get(shelter)
    with pytest.raises(PermissionDenied):
        care.update(shelter, row_version=plain.row_version, service="medical",
                    provided_on=days(-2))
    assert care.get(medical).row_version == restricted.row_version
    texts = [e.text for e in org.caseworker.history.for_case(case_id)]
    assert "Recorded a service" in texts
    assert not any("Notes" in t for t in texts)
    coordinator = [e.text for e in org.coordinator.history.for_case(case_id)]
    assert "Corrected a service entry: Notes" in coordinator
