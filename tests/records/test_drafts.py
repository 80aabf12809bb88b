"""Drafts: unsaved edits kept inside the vault at auto-lock and quick exit, per user."""

from __future__ import annotations

import pytest

from shelter_app.errors import NotFound, PermissionDenied, ValidationError
from shelter_app.services.drafts import merge_changes

CHANGE = {"safety_plan": {"from": "", "to": "Move to the second house"}}


def test_a_draft_is_kept_for_its_author_only_and_audited_without_content(org):
    case = org.new_case("Canary Draftname")
    org.caseworker.drafts.save("case_profile", CHANGE, case_id=case.id,
                               base_versions=case.row_versions)
    draft = org.caseworker.drafts.get("case_profile", case_id=case.id)
    assert draft is not None
    assert draft.changes == CHANGE and draft.base_versions == case.row_versions
    # The coordinator sees every case, but never another person's draft.
    assert org.coordinator.drafts.get("case_profile", case_id=case.id) is None
    [event] = org.audit("record.draft_saved")
    assert event["target_type"] == "case" and event["target_id"] == case.id
    assert event["details"] == {"section": "case_profile"}
    # Saving again replaces the draft rather than adding a second one.
    org.caseworker.drafts.save("case_profile", {}, case_id=case.id)
    assert org.count("drafts") == 1
    assert org.caseworker.drafts.discard("case_profile", case_id=case.id)
    assert not org.caseworker.drafts.discard("case_profile", case_id=case.id)
    assert org.caseworker.drafts.get("case_profile", case_id=case.id) is None
    assert len(org.audit("record.draft_discarded")) == 1
    assert "Draftname" not in str(org.audit())


def test_drafts_follow_the_edit_permission(org):
    case = org.new_case()
    # A legal volunteer may read the shared case but not edit it: no draft to keep.
    with pytest.raises(PermissionDenied):
        org.legal.drafts.save("case_profile", CHANGE, case_id=case.id)
    # A caseworker not assigned the case is told it does not exist.
    with pytest.raises(NotFound):
        org.other_caseworker.drafts.save("case_profile", CHANGE, case_id=case.id)
    with pytest.raises(PermissionDenied):
        org.admin.drafts.save("intake", CHANGE)
    with pytest.raises(ValidationError):
        org.caseworker.drafts.save("no_such_kind", CHANGE, case_id=case.id)
    with pytest.raises(ValidationError):
        org.caseworker.drafts.save("case_profile", CHANGE)  # a profile draft needs its case


def test_a_draft_is_not_offered_once_access_is_lost(org):
    case = org.new_case()
    org.caseworker.drafts.save("case_profile", CHANGE, case_id=case.id)
    org.coordinator.cases.assign(case.id, org.ids["other_caseworker"])
    assert org.caseworker.drafts.get("case_profile", case_id=case.id) is None


def test_an_intake_draft_has_no_case(org):
    org.caseworker.drafts.save("intake", {"legal_name": {"from": "", "to": "Ana"}})
    draft = org.caseworker.drafts.get("intake")
    assert draft is not None and draft.case_id is None
    assert org.coordinator.drafts.get("intake") is None
    org.coordinator.drafts.save("intake", {})
    assert org.count("drafts") == 2


def test_merging_keeps_other_peoples_changes_and_names_the_conflicts():
    current = {"safety_plan": "Theirs", "risk_level": "low", "phone": "123"}
    changes = {"safety_plan": {"from": "", "to": "Mine"},
               "risk_level": {"from": "low", "to": "high"},
               "phone": {"from": "000", "to": "123"}}
    merged, conflicts = merge_changes(current, changes)
    assert merged == {"safety_plan": "Theirs", "risk_level": "high", "phone": "123"}
    assert conflicts == ["safety_plan"]
