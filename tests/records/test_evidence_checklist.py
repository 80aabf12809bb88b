"""A residence template's checklist added to a legal matter in one step: only what no item
meets yet, required as the template says; refused for a template of another kind of
matter and for an account that may not change the matter; pre-flight's missing list then
names exactly what is left."""

from __future__ import annotations

import pytest

from shelter_app.documents import templates
from shelter_app.errors import NotFound, PermissionDenied, ValidationError
from tests.records.conftest import Org


def test_a_templates_checklist_is_added_once(org: Org) -> None:
    record = org.new_case()
    matter = org.legal.legal.open(record.id, "residence_permit")
    canada = templates.load("ca-trp-vtip")
    choices = dict(org.legal.legal.checklist_templates(matter.id))
    assert "ca-trp-vtip" in choices and "us-t-visa" not in choices
    # an item the volunteer already wrote, in her own words, counts as met
    mine = org.legal.legal.add_evidence(matter.id, "Passport copy (identity document)")
    added = org.legal.legal.add_checklist(matter.id, "ca-trp-vtip")
    assert added == len(canada.requirements) - 1
    items = org.legal.legal.evidence(matter.id)
    assert items[0].id == mine.id
    assert [(i.label, i.required) for i in items[1:]] == [
        (r.label, r.required) for r in canada.requirements
        if r.id != canada.requirement_for(mine.label).id]  # type: ignore[union-attr]
    assert org.legal.legal.add_checklist(matter.id, "ca-trp-vtip") == 0  # nothing twice
    # what is missing is what is required and has no document yet
    missing = {i.label for i in org.legal.legal.missing_evidence(matter.id)}
    assert missing == {i.label for i in items if i.required}


def test_a_checklist_is_refused_where_it_does_not_belong(org: Org) -> None:
    record = org.new_case()
    unshared = org.new_case("Bo Unshared", share=False)
    asylum = org.coordinator.legal.open(record.id, "asylum")
    with pytest.raises(ValidationError, match="not for this kind of legal matter"):
        org.coordinator.legal.add_checklist(asylum.id, "ca-trp-vtip")
    other = org.coordinator.legal.open(unshared.id, "residence_permit")
    with pytest.raises(NotFound):  # a case not shared with her is not there for her
        org.legal.legal.add_checklist(other.id, "ca-trp-vtip")
    with pytest.raises(PermissionDenied):  # an administrator reads no legal matter
        org.admin.legal.add_checklist(other.id, "ca-trp-vtip")
    assert org.coordinator.legal.evidence(other.id) == []
