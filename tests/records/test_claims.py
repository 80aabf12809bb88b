"""Compensation and restitution claims: amounts as exact decimals in a currency, payments
received, the filing deadline while the claim is prepared, all but that date sealed."""

from __future__ import annotations

import pytest

from shelter_app.errors import ValidationError
from tests.records.conftest import Org, days
from ui.day.lines import tab_for


def _due(org: Org, case_id: str) -> dict[str, object]:
    return {d.kind: d.due_on for d in org.legal.legal.case_deadlines(case_id)}


def test_a_claim_from_filing_to_payment(org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    claims = org.legal.claims
    claim = claims.open(case_id, route="labour_tribunal", currency="eur",
                        against="Agrifarm Ltd (fictional)", claimed="14 250,5",
                        filing_due=days(20))
    assert (claim.currency, claim.claimed, claim.awarded) == ("EUR", "14250.50", "")
    assert _due(org, case_id) == {"claim_filing": days(20)}
    assert {tab_for(d.kind) for d in org.legal.legal.case_deadlines(case_id)} == {"claims"}

    filed = claims.update(claim.id, route="labour_tribunal", currency="EUR",
                          status="awarded", against=claim.against, claimed=claim.claimed,
                          awarded="9000", filing_due=days(20), version=claim.row_version)
    assert filed.awarded == "9000.00" and _due(org, case_id) == {}
    paid = claims.add_payment(filed.id, on=days(-1), paid="1500.25")
    paid = claims.add_payment(paid.id, on=days(0), paid="500")
    assert paid.received == "2000.25" and len(paid.payments) == 2
    event = org.audit("record.updated")[-1]
    assert event["details"] == {"fields": ["payments"]}
    # an update keeps the payments
    again = claims.update(paid.id, route="labour_tribunal", currency="EUR", status="paid",
                          against=claim.against, claimed=claim.claimed, awarded="9000")
    assert again.received == "2000.25"
    row = org.coordinator.ctx.db.one("SELECT * FROM claims WHERE id = :id", {"id": claim.id})
    assert row is not None and str(row["details"]).startswith("sf1:")
    assert "Agrifarm" not in str(dict(row)) and "9000" not in str(dict(row))


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"currency": "EURO"}, "currency"),
    ({"currency": "XYZ"}, "currency"),
    ({"claimed": "1.234"}, "claimed"),
    ({"claimed": "-5"}, "claimed"),
    ({"route": "lottery"}, "route"),
])
def test_bad_claims_are_refused(org: Org, kwargs: dict[str, str], field: str) -> None:
    case_id = org.new_case("Ana Legal").id
    values = {"route": "state_fund", "currency": "EUR", **kwargs}
    with pytest.raises(ValidationError) as exc:
        org.legal.claims.open(case_id, **values)  # type: ignore[arg-type]
    assert exc.value.field == field
    assert org.count("claims") == 0


def test_a_payment_must_be_something(org: Org) -> None:
    claim = org.legal.claims.open(org.new_case("Ana Legal").id, route="state_fund",
                                  currency="GBP")
    for bad in ("0", "", "abc"):
        with pytest.raises(ValidationError):
            org.legal.claims.add_payment(claim.id, on=days(0), paid=bad)
    with pytest.raises(ValidationError):
        org.legal.claims.add_payment(claim.id, on=days(3), paid="10")
    assert org.legal.claims.get(claim.id).payments == ()


def test_a_payment_on_a_claim_changed_meanwhile_is_refused(org: Org) -> None:
    from unittest import mock

    claim = org.legal.claims.open(org.new_case("Ana Legal").id, route="state_fund",
                                  currency="EUR")
    stale = org.legal.claims.get(claim.id)
    org.coordinator.claims.update(claim.id, route="state_fund", currency="EUR",
                                  status="filed")
    with mock.patch.object(type(org.legal.claims), "get", lambda self, _id: stale), \
            pytest.raises(ValidationError, match="Someone else changed"):
        org.legal.claims.add_payment(claim.id, on=days(0), paid="10")
    assert org.legal.claims.get(claim.id).status == "filed"
