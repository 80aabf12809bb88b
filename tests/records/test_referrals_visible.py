"""Referrals across every case the user may manage: the list behind the referrals page."""

from __future__ import annotations

import pytest

from shelter_app.errors import PermissionDenied
from tests.records.conftest import Org, days


def test_list_visible_follows_each_users_scope(org: Org) -> None:
    clinic, legal_aid = org.partner("Riverside Clinic"), org.partner("Harbour Legal")
    mine = org.new_case("Ana Mine")
    other = org.new_case("Ben Other", by=org.other_caseworker, share=False)
    late = org.caseworker.referrals.create(mine.id, clinic, priority="urgent",
                                           follow_up_due=days(2))
    soon = org.caseworker.referrals.create(mine.id, legal_aid, follow_up_due=days(1))
    closed = org.caseworker.referrals.create(mine.id, legal_aid)
    org.caseworker.referrals.move(closed.id, "revoked")
    theirs = org.other_caseworker.referrals.create(other.id, clinic)

    rows = org.caseworker.referrals.list_visible()
    assert [r.referral.id for r in rows] == [soon.id, late.id, closed.id]
    assert [(r.case_code, r.partner_name) for r in rows[:2]] == [
        (mine.code, "Harbour Legal"), (mine.code, "Riverside Clinic")]
    assert [r.referral.id for r in org.caseworker.referrals.list_visible(open_only=True)] == [
        soon.id, late.id]
    assert {r.referral.id for r in org.coordinator.referrals.list_visible()} == {
        soon.id, late.id, closed.id, theirs.id}
    assert [r.referral.id for r in org.other_caseworker.referrals.list_visible()] == [theirs.id]


def test_roles_without_referrals_are_refused(org: Org) -> None:
    org.new_case()
    for who in (org.legal, org.admin):
        with pytest.raises(PermissionDenied):
            who.referrals.list_visible()
    assert org.audit("access.denied")[-1]["details"] == {"action": "case.referral"}
