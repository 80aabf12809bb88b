"""The survivor's family members: recorded by those who may (a legal volunteer on a shared
case too), sealed under the case key, listed on a residence packet's family worksheet
when included in the application instead of blank rows."""

from __future__ import annotations

import pytest

from shelter_app.errors import NotFound, PermissionDenied, ValidationError
from tests.records.conftest import Org


def test_family_members_are_kept_sealed_and_corrected(org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    family = org.legal.family
    child = family.add(case_id, "Mira Test", "child", birth_date="2015-04-02", place="Iasi",
                       country="ro", at_risk=True, included=True,
                       reason="Unmarried child under 21")
    assert (child.country, child.at_risk, child.included) == ("RO", True, True)
    row = org.coordinator.ctx.db.one("SELECT * FROM family_members WHERE id = :id",
                                     {"id": child.id})
    assert row is not None and str(row["details"]).startswith("sf1:")
    assert "Mira" not in str(dict(row))
    moved = family.update(child.id, name="Mira Test", relationship="child",
                          birth_date="2015-04-02", place="Vaslui", country="RO", at_risk=True,
                          included=True, reason="Unmarried child under 21",
                          version=child.row_version)
    assert moved.place == "Vaslui" and moved.row_version == 2
    assert org.audit("record.updated")[-1]["details"] == {"fields": ["place"]}
    with pytest.raises(ValidationError, match="Someone else changed"):
        family.update(child.id, name="Mira", relationship="child", version=child.row_version)


def test_who_may_read_and_record_family_members(org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    member = org.caseworker.family.add(case_id, "Ion Test", "sibling")
    assert org.legal.family.list(case_id) == [member]
    with pytest.raises(NotFound):
        org.other_legal.family.get(member.id)
    with pytest.raises(PermissionDenied):
        org.admin.family.add(case_id, "X", "child")
    with pytest.raises(ValidationError) as exc:
        org.legal.family.add(case_id, "", "child")
    assert exc.value.field == "name"
    with pytest.raises(ValidationError) as exc:
        org.legal.family.add(case_id, "Someone", "cousin-in-law")
    assert exc.value.field == "relationship"
