"""Legal matters, their deadlines across the user's cases, and the evidence checklist."""

from __future__ import annotations

import pytest

from shelter_app.domain.records import CaseInput, SurvivorInput
from shelter_app.errors import NotFound, PermissionDenied, ValidationError
from tests.records.conftest import Org, days

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def test_legal_volunteer_opens_a_matter_on_a_shared_case(org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    matter = org.legal.legal.open(case_id, "t_visa", jurisdiction="US", authority_ref="A-123",
                                  notes="Prepare declaration",
                                  dates={"filing_due": days(20), "reflection_start": days(-10),
                                         "reflection_end": days(80)})
    assert (matter.matter_type, matter.status, matter.jurisdiction) == ("t_visa", "preparing",
                                                                        "US")
    assert matter.dates["filing_due"] == days(20) and matter.dates["filed_on"] is None
    assert org.caseworker.legal.list(case_id) == [matter]  # the caseworker reads it
    with pytest.raises(PermissionDenied):
        org.caseworker.legal.open(case_id, "asylum")
    with pytest.raises(NotFound):
        org.other_legal.legal.get(matter.id)


@pytest.mark.parametrize(("dates", "field", "message"), [
    ({"reflection_start": "2026-03-01", "reflection_end": "2026-02-01"}, "reflection_end",
     "cannot end before it starts"),
    ({"filed_on": "2026-03-01", "decision_on": "2026-01-01"}, "decision_on",
     "decision cannot come before"),
    ({"filing_due": "2026-02-30"}, "filing_due", "not a date"),
    ({"permit_expiry": "31.12.2027"}, "permit_expiry", "YYYY-MM-DD"),
    ({"hearing_on": "2026-03-01"}, None, "Unknown date field"),
])
def test_bad_dates_are_refused(org: Org, dates: dict[str, str], field: str | None,
                               message: str) -> None:
    case_id = org.new_case("Ana Legal").id
    with pytest.raises(ValidationError, match=message) as exc:
        org.legal.legal.open(case_id, "reflection_period", dates=dates)  # type: ignore[arg-type]
    assert exc.value.field == field
    assert org.count("legal_matters") == 0 and org.count("deadlines") == 0


def test_due_soon_and_overdue_across_my_cases_only(org: Org) -> None:
    mine = org.new_case("Ana Mine")
    shared_only = org.coordinator.cases.create(SurvivorInput(legal_name="Ben Other"),
                                               CaseInput(assigned_to=org.ids["other_caseworker"]))
    org.coordinator.cases.share(shared_only.id, org.ids["legal"])
    not_mine = org.coordinator.cases.create(SurvivorInput(legal_name="Cy Third"), CaseInput())
    legal = org.coordinator.legal
    legal.open(mine.id, "residence_permit", dates={"filing_due": days(5),
                                                   "permit_expiry": days(200)})
    legal.open(mine.id, "reflection_period", dates={"reflection_start": days(-40),
                                                    "reflection_end": days(-2)})
    legal.open(shared_only.id, "asylum", dates={"filing_due": days(25)})
    legal.open(not_mine.id, "nrm", dates={"filing_due": days(1)})

    def seen(services: object, **kw: object) -> list[tuple[str, str, int]]:
        return [(d.case_code, d.kind, (d.due_on - days(0)).days)
                for d in services.legal.due(**kw)]  # type: ignore[attr-defined]

    assert seen(org.caseworker) == [(mine.code, "reflection_end", -2),
                                    (mine.code, "filing_due", 5)]
    assert seen(org.legal) == [(mine.code, "reflection_end", -2), (mine.code, "filing_due", 5),
                               (shared_only.code, "filing_due", 25)]
    assert seen(org.legal, include_overdue=False, within_days=10) == [
        (mine.code, "filing_due", 5)]
    assert seen(org.other_legal) == []
    assert len(seen(org.coordinator, within_days=365)) == 5
    overdue = [d for d in org.legal.legal.due() if d.overdue()]
    assert [(d.kind, d.label) for d in overdue] == [("reflection_end", "Reflection period ends")]


def test_changing_a_matter_moves_its_deadlines(org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    m = org.legal.legal.open(case_id, "residence_permit", dates={"filing_due": days(3)})
    org.legal.legal.update(m.id, matter_type="residence_permit", status="preparing",
                           dates={"filing_due": days(9)}, version=m.row_version)
    assert [d.due_on for d in org.legal.legal.due()] == [days(9)]
    with pytest.raises(ValidationError, match="Someone else changed"):
        org.legal.legal.update(m.id, matter_type="residence_permit", status="filed",
                               version=m.row_version)
    org.legal.legal.update(m.id, matter_type="residence_permit", status="preparing",
                           dates={})
    assert org.legal.legal.due() == []


def test_filed_or_closed_matters_leave_the_due_list(org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    legal = org.legal.legal
    m = legal.open(case_id, "residence_permit", dates={"filing_due": days(-3)})
    assert [d.kind for d in legal.due()] == ["filing_due"]
    legal.update(m.id, matter_type="residence_permit", status="filed",
                 dates={"filing_due": days(-3), "filed_on": days(-4)})
    assert legal.due() == []  # filed in time: nothing is overdue
    other = legal.open(case_id, "t_visa", dates={"filing_due": days(10),
                                                 "permit_expiry": days(20)})
    legal.update(other.id, matter_type="t_visa", status="closed",
                 dates={"filing_due": days(10), "permit_expiry": days(20)})
    assert legal.due() == []


def test_evidence_checklist_linked_to_attachments(org: Org) -> None:
    case_id = org.new_case("Ana Evidence").id
    other_case = org.new_case("Ben Evidence").id
    legal = org.legal.legal
    matter = legal.open(case_id, "t_visa")
    passport = legal.add_evidence(matter.id, "Copy of passport")
    legal.add_evidence(matter.id, "Police report", required=False)
    statement = legal.add_evidence(matter.id, "Personal statement")
    assert [i.label for i in legal.missing_evidence(matter.id)] == ["Copy of passport",
                                                                     "Personal statement"]
    scan = org.legal.attachments.add(case_id, "passport.pdf", PDF, label="Passport")
    legal.link_evidence(passport.id, scan.id)
    assert [i.id for i in legal.missing_evidence(matter.id)] == [statement.id]
    assert legal.evidence(matter.id)[0].attachment_id == scan.id
    elsewhere = org.legal.attachments.add(other_case, "statement.pdf", PDF)
    with pytest.raises(ValidationError, match="belongs to another case"):
        legal.link_evidence(statement.id, elsewhere.id)
    legal.link_evidence(passport.id, None)
    assert len(legal.missing_evidence(matter.id)) == 2
    with pytest.raises(PermissionDenied):
        org.caseworker.legal.add_evidence(matter.id, "Payslips")
