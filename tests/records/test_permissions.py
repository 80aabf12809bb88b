"""Who may do what to which case, through the services (the one place access is decided).

For every role × action × (assigned/shared or not) the outcome is one of: it works, the
case is reported as missing (NotFound, exactly as for a case that does not exist), or the
action is refused (PermissionDenied).  Every refusal is in the audit chain.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from shelter_app.domain.records import CaseInput, SurvivorInput
from shelter_app.errors import NotFound, PermissionDenied
from shelter_app.services.case_access import no_such_case
from shelter_app.services.registry import Services
from tests.records.conftest import Org

PDF = b"%PDF-1.7\n%fictional test document\n"
TODAY = dt.date.today()

Op = Callable[[Services, Org, dict[str, Any]], object]


def _appointment(s: Services, o: Org, c: dict[str, Any]) -> object:
    start = dt.datetime.combine(TODAY + dt.timedelta(days=3), dt.time(10, 0))
    return s.appointments.schedule(c["id"], "legal_consultation", start,
                                   start + dt.timedelta(hours=1))


OPS: dict[str, Op] = {
    "read": lambda s, o, c: s.cases.get(c["id"]),
    "find_by_code": lambda s, o, c: s.cases.id_for_code(c["code"]),
    "edit": lambda s, o, c: s.cases.update(c["id"], case=CaseInput(risk_level="high")),
    "status": lambda s, o, c: s.cases.set_status(c["id"], "assessment"),
    "timeline": lambda s, o, c: s.timeline.add(c["id"], "recruitment", place="Port"),
    "read_timeline": lambda s, o, c: s.timeline.list(c["id"]),
    "consent": lambda s, o, c: s.consent.record(
        c["id"], sections=["identity"], purpose="Referral", given_by="survivor",
        method="verbal", given_on=TODAY, any_referral=True),
    "service": lambda s, o, c: s.care.record(c["id"], "safe_shelter", provided_on=TODAY),
    "health_service": lambda s, o, c: s.care.record(c["id"], "medical", provided_on=TODAY,
                                                    notes="Clinic visit"),
    "list_services": lambda s, o, c: s.care.list(c["id"]),
    "referral": lambda s, o, c: s.referrals.create(c["id"], c["partner"]),
    "appointment": _appointment,
    "open_legal_matter": lambda s, o, c: s.legal.open(c["id"], "residence_permit"),
    "read_legal": lambda s, o, c: s.legal.list(c["id"]),
    "open_proceeding": lambda s, o, c: s.proceedings.open(
        c["id"], authority_kind="police", role="witness", stage="report"),
    "read_proceedings": lambda s, o, c: s.proceedings.list(c["id"]),
    "open_claim": lambda s, o, c: s.claims.open(c["id"], route="state_fund", currency="EUR"),
    "read_claims": lambda s, o, c: s.claims.list(c["id"]),
    "record_measure": lambda s, o, c: s.non_punishment.add(c["id"], measure="fine",
                                                           offence="Street selling"),
    "read_measures": lambda s, o, c: s.non_punishment.list(c["id"]),
    "add_family": lambda s, o, c: s.family.add(c["id"], "Mira", "child"),
    "read_family": lambda s, o, c: s.family.list(c["id"]),
    "attach": lambda s, o, c: s.attachments.add(c["id"], "scan.pdf", PDF),
    "list_attachments": lambda s, o, c: s.attachments.list(c["id"]),
    "assign": lambda s, o, c: s.cases.assign(c["id"], o.ids["coordinator"]),
    "share": lambda s, o, c: s.cases.share(c["id"], o.ids["other_legal"]),
}

OK, NF, DENIED = "ok", "not found", "denied"
NEVER_CASEWORKER = {"open_legal_matter": DENIED, "open_proceeding": DENIED,
                    "open_claim": DENIED, "record_measure": DENIED, "assign": DENIED,
                    "share": DENIED}
NEVER_LEGAL = {k: DENIED for k in (
    "edit", "status", "consent", "service", "health_service", "list_services",
    "referral", "assign", "share")}
EXPECTED: dict[str, dict[str, str]] = {
    "coordinator": dict.fromkeys(OPS, OK),
    "caseworker": {**dict.fromkeys(OPS, OK), **NEVER_CASEWORKER},
    "other_caseworker": {**dict.fromkeys(OPS, NF), **NEVER_CASEWORKER},
    "legal": {**dict.fromkeys(OPS, OK), **NEVER_LEGAL},
    "other_legal": {**dict.fromkeys(OPS, NF), **NEVER_LEGAL},
    "admin": dict.fromkeys(OPS, DENIED),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_permission_matrix(org: Org, role: str) -> None:
    record = org.new_case("Amaka Eze")
    case = {"id": record.id, "code": record.code, "partner": org.partner()}
    services: Services = getattr(org, role)
    me = org.ids[role]
    outcome: dict[str, str] = {}
    for name, op in OPS.items():
        denials_before = len(org.audit("access.denied"))
        try:
            op(services, org, case)
            outcome[name] = OK
        except NotFound as exc:
            outcome[name] = NF
            assert str(exc) == str(no_such_case()), name
        except PermissionDenied:
            outcome[name] = DENIED
        denials = org.audit("access.denied")[denials_before:]
        if outcome[name] == OK:
            assert denials == [], name
        else:
            # every refusal is audited once, naming the account and the action, not the data
            assert len(denials) == 1, name
            assert denials[0]["actor_id"] == me
            assert denials[0]["outcome"] == "denied"
            assert set(denials[0]["details"]) == {"action"}
    assert outcome == EXPECTED[role]


def test_out_of_scope_case_is_indistinguishable_from_a_missing_one(org: Org) -> None:
    record = org.new_case("Grace Bello")
    missing = str(uuid.uuid4())
    for services in (org.other_caseworker, org.other_legal):
        with pytest.raises(NotFound) as real:
            services.cases.get(record.id)
        with pytest.raises(NotFound) as ghost:
            services.cases.get(missing)
        assert str(real.value) == str(ghost.value)
        with pytest.raises(NotFound) as by_code:
            services.cases.id_for_code(record.code)
        with pytest.raises(NotFound) as no_code:
            services.cases.id_for_code("SH-1999-9999")
        assert str(by_code.value) == str(no_code.value) == str(real.value)
        assert record.code not in str(real.value)
    # neither a list, a search nor an export shows it
    assert org.other_caseworker.search.list_ids() == []
    assert org.other_caseworker.search.search("Grace") == []
    assert org.other_legal.search.search(record.code) == []


def test_who_may_create_cases(org: Org) -> None:
    new = SurvivorInput(legal_name="Joy Okafor")
    made = org.caseworker.cases.create(new, CaseInput())
    # a caseworker's own intake is assigned to them, so they can keep working on it
    assert made.case["assigned_to"] == org.ids["caseworker"]
    assert org.caseworker.cases.get(made.id).id == made.id
    assert org.coordinator.cases.create(new, CaseInput()).case["assigned_to"] is None
    before = org.count("cases")
    for services in (org.admin, org.legal):
        with pytest.raises(PermissionDenied):
            services.cases.create(new, CaseInput())
        with pytest.raises(PermissionDenied):
            services.search.duplicates(new)
    assert org.count("cases") == before
    assert len(org.audit("access.denied")) == 4


def test_a_caseworker_cannot_assign_a_case_to_someone_else(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        org.caseworker.cases.create(SurvivorInput(legal_name="Esther Nwosu"),
                                    CaseInput(assigned_to=org.ids["other_caseworker"]))
    assert org.count("cases") == 0


def test_admin_sees_no_survivor_content_anywhere(org: Org, tmp_path: Any) -> None:
    record = org.new_case("Blessing Adeyemi")
    with pytest.raises(PermissionDenied):
        org.admin.cases.get(record.id)
    with pytest.raises(PermissionDenied):
        org.admin.cases.get(str(uuid.uuid4()))  # same answer whether or not the case exists
    with pytest.raises(PermissionDenied):
        org.admin.search.search("Blessing")
    with pytest.raises(PermissionDenied):
        org.admin.exchange.export_cases(tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()
    assert org.admin.search.list_ids() == []


def test_assignment_moves_access(org: Org) -> None:
    record = org.new_case("Chinedu Eze", share=False)
    with pytest.raises(NotFound):
        org.other_caseworker.cases.get(record.id)
    org.coordinator.cases.assign(record.id, org.ids["other_caseworker"])
    assert org.other_caseworker.cases.get(record.id).id == record.id
    with pytest.raises(NotFound):
        org.caseworker.cases.get(record.id)
    # only active caseworkers or coordinators can hold a case
    from shelter_app.errors import ValidationError

    with pytest.raises(ValidationError, match="caseworkers or coordinators"):
        org.coordinator.cases.assign(record.id, org.ids["legal"])


def test_sharing_with_a_legal_volunteer_and_stopping(org: Org) -> None:
    record = org.new_case("Fatou Diallo", share=False)
    with pytest.raises(NotFound):
        org.legal.cases.get(record.id)
    org.coordinator.cases.share(record.id, org.ids["legal"])
    assert org.legal.cases.get(record.id).shared_with == (org.ids["legal"],)
    org.coordinator.cases.share(record.id, org.ids["legal"], shared=False)
    with pytest.raises(NotFound):
        org.legal.cases.get(record.id)
    from shelter_app.errors import ValidationError

    with pytest.raises(ValidationError, match="legal volunteers"):
        org.coordinator.cases.share(record.id, org.ids["caseworker"])


def test_legal_volunteer_reads_identity_but_never_health(org: Org) -> None:
    record = org.new_case("Mariam Keita", access_needs="Uses a hearing aid",
                          citizenship=["ML"])
    org.coordinator.care.record(record.id, "medical", provided_on=TODAY,
                                notes="Blood test results", outcome="Referred on")
    as_legal = org.legal.cases.get(record.id)
    assert as_legal.survivor["legal_name"] == "Mariam Keita"
    assert as_legal.survivor["citizenship"] == ["ML"]
    assert "access_needs" not in as_legal.survivor
    assert org.caseworker.cases.get(record.id).survivor["access_needs"] == "Uses a hearing aid"
    with pytest.raises(PermissionDenied):
        org.legal.care.list(record.id)
    entries = org.caseworker.care.list(record.id)
    assert entries[0].notes == "Blood test results" and not entries[0].restricted
