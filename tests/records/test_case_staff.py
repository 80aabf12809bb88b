"""Who a case can be assigned to or shared with: asked by those who may do it."""

from __future__ import annotations

import pytest

from shelter_app.errors import PermissionDenied
from tests.records.conftest import Org


def test_assignable_staff_are_active_caseworkers_and_coordinators(org: Org) -> None:
    ids = {i for i, _name in org.coordinator.cases.assignable_staff()}
    assert ids == {org.ids["coordinator"], org.ids["caseworker"], org.ids["other_caseworker"]}
    org.admin.accounts.disable("other_caseworker")
    ids = {i for i, _name in org.coordinator.cases.assignable_staff()}
    assert org.ids["other_caseworker"] not in ids


def test_legal_volunteers_are_active_legal_accounts(org: Org) -> None:
    staff = org.coordinator.cases.legal_volunteers()
    assert {i for i, _name in staff} == {org.ids["legal"], org.ids["other_legal"]}
    assert all(name for _i, name in staff)


@pytest.mark.parametrize("who", ["caseworker", "legal", "admin"])
def test_others_may_not_ask(org: Org, who: str) -> None:
    services = getattr(org, who)
    with pytest.raises(PermissionDenied):
        services.cases.assignable_staff()
    with pytest.raises(PermissionDenied):
        services.cases.legal_volunteers()
