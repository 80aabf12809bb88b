"""A legal matter through its life: the authority, the representative, the template it is
prepared with, the permit's dates and the decision; the deadlines that follow (renewal
before the permit expires, the template's appeal window after a refusal)."""

from __future__ import annotations

import datetime as dt

import pytest

from shelter_app.errors import NotFound, PermissionDenied, ValidationError
from tests.records.conftest import Org, days


def _deadlines(org: Org, matter_id: str) -> dict[str, dt.date]:
    return {d.kind: d.due_on for d in org.legal.legal.open_deadlines(matter_id)}


def test_every_field_of_a_matter_is_kept_and_sealed(org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    matter = org.legal.legal.open(
        case_id, "t_visa", template_id="us-t-visa", representative="Dana Okafor, counsel",
        authority_ref="EAC-1", notes="n", dates={"filing_due": days(20)})
    # the template fills in where and to whom, unless written otherwise
    assert matter.template_id == "us-t-visa" and matter.jurisdiction == "United States"
    assert "Citizenship and Immigration" in matter.authority
    assert matter.representative == "Dana Okafor, counsel"
    stored = org.coordinator.ctx.db.one(
        "SELECT representative, authority, decision, template_id FROM legal_matters"
        " WHERE id = :id", {"id": matter.id})
    assert stored is not None
    assert all(str(stored[c]).startswith("sf1:") for c in ("representative", "authority"))
    assert stored["decision"] == "", "an empty text is stored empty, never sealed"
    assert stored["template_id"] == "us-t-visa"  # plain: it names no one


def test_a_template_for_another_kind_of_matter_is_refused(org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    with pytest.raises(ValidationError, match="not for this kind") as exc:
        org.legal.legal.open(case_id, "nrm", template_id="us-t-visa")
    assert exc.value.field == "template_id"
    with pytest.raises(NotFound, match="No residence template"):
        org.legal.legal.open(case_id, "t_visa", template_id="nowhere")
    assert org.count("legal_matters") == 0


def test_renewal_falls_due_before_a_granted_permit_expires(org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    legal = org.legal.legal
    matter = legal.open(case_id, "residence_permit", status="filed",
                        dates={"filed_on": days(-30), "permit_expiry": days(400)})
    assert _deadlines(org, matter.id) == {"permit_expiry": days(400)}  # not granted yet
    granted = legal.update(matter.id, matter_type="residence_permit", status="granted",
                           decision="Granted for one year", version=matter.row_version,
                           dates={"filed_on": days(-30), "decision_on": days(-1),
                                  "permit_from": days(-1), "permit_expiry": days(400)})
    assert _deadlines(org, matter.id) == {"permit_expiry": days(400),
                                          "renewal_due": days(400 - 90)}
    # an entered renewal date wins over the computed one
    legal.update(matter.id, matter_type="residence_permit", status="granted",
                 decision="Granted for one year", version=granted.row_version,
                 dates={"filed_on": days(-30), "decision_on": days(-1), "permit_from": days(-1),
                        "permit_expiry": days(400), "renewal_due": days(300)})
    assert _deadlines(org, matter.id)["renewal_due"] == days(300)
    with pytest.raises(ValidationError, match="cannot expire before it starts"):
        legal.update(matter.id, matter_type="residence_permit", status="granted",
                     dates={"permit_from": days(10), "permit_expiry": days(5)})


def test_a_refusal_opens_the_templates_appeal_window_until_the_appeal_is_filed(org: Org
                                                                             ) -> None:
    case_id = org.new_case("Ana Legal").id
    legal = org.legal.legal
    dates = {"filed_on": days(-60), "decision_on": days(-3)}
    matter = legal.open(case_id, "t_visa", status="refused", template_id="us-t-visa",
                        dates=dates)
    assert _deadlines(org, matter.id) == {"appeal_due": days(-3 + 30)}
    assert {d.kind for d in legal.due(within_days=40) if d.source_id == matter.id} == {
        "appeal_due"}
    appealed = legal.update(matter.id, matter_type="t_visa", status="appeal",
                            template_id="us-t-visa", dates=dates, version=matter.row_version)
    assert _deadlines(org, matter.id) == {}
    # without a template that gives a window, no appeal deadline is invented
    other = legal.open(case_id, "nrm", status="refused", template_id="uk-nrm-vts",
                       dates=dates)
    assert _deadlines(org, other.id) == {}
    closed = legal.update(appealed.id, matter_type="t_visa", status="closed",
                          template_id="us-t-visa", dates=dates)
    assert closed.status == "closed" and _deadlines(org, matter.id) == {}


def test_only_those_who_may_edit_legal_matters_change_the_new_fields(org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    matter = org.legal.legal.open(case_id, "residence_permit", representative="Counsel")
    with pytest.raises(PermissionDenied):
        org.caseworker.legal.update(matter.id, matter_type="residence_permit",
                                    status="filed", representative="Someone else")
    with pytest.raises(NotFound):
        org.other_legal.legal.update(matter.id, matter_type="residence_permit",
                                     status="filed")
    with pytest.raises(PermissionDenied):
        org.admin.legal.get(matter.id)
    assert org.coordinator.legal.get(matter.id).representative == "Counsel"


def test_a_matter_whose_template_was_removed_still_saves_and_keeps_it(
        org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    from shelter_app.documents import templates

    case_id = org.new_case("Ana Legal").id
    matter = org.legal.legal.open(case_id, "t_visa", template_id="us-t-visa")
    monkeypatch.setattr(templates, "available", lambda: [])  # the file was removed
    saved = org.legal.legal.update(matter.id, matter_type="t_visa", status="filed",
                                   template_id="us-t-visa", jurisdiction=matter.jurisdiction,
                                   authority="")
    assert saved.template_id == "us-t-visa" and saved.status == "filed"
    assert saved.authority == ""  # cleared by hand: not filled in again
