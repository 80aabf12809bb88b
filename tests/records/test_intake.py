"""Survivor intake and the case record: what is kept, how it is checked, how a case moves."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from shelter_app.domain.names import display_safe
from shelter_app.domain.records import (
    CaseInput,
    Guardian,
    IdentityDocument,
    SafeContact,
    SurvivorInput,
)
from shelter_app.errors import ValidationError
from tests.bidi import plain
from tests.records.conftest import Org, days


def full_survivor(**over: object) -> SurvivorInput:
    values: dict[str, object] = dict(
        legal_name="Nguyễn Thị Lan", preferred_name="Lan",
        aliases=["Lana", "Лана", "لانا"], birth_date="1998-04-12", gender="woman",
        citizenship=["vn", "KH"], languages=["vi", "en"], interpreter_needed=True,
        interpreter_language="vi", phone="+84 90 000 0000", email="lan@example.org",
        address="Flat 3, 12 Example Road",
        safe_contact=SafeContact(safe_to_call=False, safe_to_leave_message=False,
                                 accepts_withheld_numbers=True, preferred_method="sms",
                                 cover_story="Messages are from the nail salon."),
        identity_documents=[IdentityDocument("passport", "withheld", "the recruiter"),
                            IdentityDocument("national_id", "missing", "ignored unless withheld"),
                            IdentityDocument("birth_certificate", "held")],
        access_needs="Step-free access")
    values.update(over)
    return SurvivorInput(**values)  # type: ignore[arg-type]


def test_intake_keeps_every_survivor_field(org: Org) -> None:
    record = org.coordinator.cases.create(full_survivor(), CaseInput(
        referral_source="Labour inspectorate", identification_status="actual",
        identified_by="police", reasonable_grounds_date="2025-06-01",
        conclusive_grounds_date="2025-09-15", exploitation_types=["forced_labour", "sexual"],
        means_of_control=["debt_bondage", "withholds_documents", "debt_bondage"],
        recruitment_method="job_offer", recruiter_relationship="employer", risk_level="high",
        safety_plan="Change route to work; code word 'blue'.", opened_on="2025-05-30",
        assigned_to=org.ids["caseworker"]))
    s = org.caseworker.cases.get(record.id).survivor
    assert s["legal_name"] == "Nguyễn Thị Lan" and s["preferred_name"] == "Lan"
    assert s["aliases"] == ["Lana", "Лана", "لانا"]
    assert s["birth_date"] == "1998-04-12" and s["estimated_age"] is None
    assert s["gender"] == "woman"
    assert s["citizenship"] == ["KH", "VN"]  # ISO 3166, upper case
    assert s["languages"] == ["vi", "en"]
    assert s["interpreter_needed"] is True and s["interpreter_language"] == "vi"
    assert s["contact"] == {"phone": "+84 90 000 0000", "email": "lan@example.org",
                            "address": "Flat 3, 12 Example Road"}
    assert s["safe_contact"] == {"safe_to_call": False, "safe_to_leave_message": False,
                                 "accepts_withheld_numbers": True, "preferred_method": "sms",
                                 "cover_story": "Messages are from the nail salon."}
    assert s["identity_documents"] == [
        {"type": "passport", "status": "withheld", "withheld_by": "the recruiter"},
        {"type": "national_id", "status": "missing", "withheld_by": ""},
        {"type": "birth_certificate", "status": "held", "withheld_by": ""}]
    assert s["is_minor"] is False
    assert s["access_needs"] == "Step-free access"
    c = org.caseworker.cases.get(record.id).case
    assert c["identification_status"] == "actual" and c["identified_by"] == "police"
    assert (c["reasonable_grounds_date"], c["conclusive_grounds_date"]) == ("2025-06-01",
                                                                             "2025-09-15")
    assert c["exploitation_types"] == ["forced_labour", "sexual"]
    assert c["means_of_control"] == ["debt_bondage", "withholds_documents"]
    assert (c["recruitment_method"], c["recruiter_relationship"]) == ("job_offer", "employer")
    assert c["risk_level"] == "high" and c["safety_plan"].startswith("Change route")
    assert c["status"] == "open" and c["opened_on"] == "2025-05-30"
    assert c["assigned_to"] == org.ids["caseworker"]


def test_case_code_is_human_readable_and_separate_from_the_id(org: Org) -> None:
    first = org.new_case("Ana One")
    second = org.new_case("Ana Two")
    year = dt.date.today().year
    assert first.code == f"SH-{year}-0001" and second.code == f"SH-{year}-0002"
    assert uuid.UUID(first.id) and first.id != first.code
    chosen = org.coordinator.cases.create(SurvivorInput(legal_name="Ana Three"), CaseInput(),
                                          code="sh-2025-0042")
    assert chosen.code == "SH-2025-0042"
    assert org.coordinator.cases.id_for_code("sh-2025-0042 ") == chosen.id


def test_duplicate_case_code_is_refused_and_nothing_is_saved(org: Org) -> None:
    org.coordinator.cases.create(SurvivorInput(legal_name="Ana"), CaseInput(),
                                 code="SH-2026-0042")
    before = (org.count("cases"), org.count("survivors"), len(org.audit()))
    with pytest.raises(ValidationError) as exc:
        org.coordinator.cases.create(SurvivorInput(legal_name="Other"), CaseInput(),
                                     code="SH-2026-0042")
    assert "SH-2026-0042 is already in use" in plain(str(exc.value))
    assert exc.value.field == "code"
    with pytest.raises(ValidationError, match="looks like SH-2026-0042"):
        org.coordinator.cases.create(SurvivorInput(legal_name="Other"), CaseInput(),
                                     code="case 42")
    assert (org.count("cases"), org.count("survivors"), len(org.audit())) == before


def test_estimated_age_when_the_birth_date_is_unknown(org: Org) -> None:
    record = org.new_case("Joy", estimated_age="16")
    assert record.survivor["birth_date"] is None and record.survivor["estimated_age"] == 16
    assert record.survivor["is_minor"] is True  # an estimated 16-year-old is a child
    assert org.new_case("Adult Joy", estimated_age=30).survivor["is_minor"] is False
    for bad, message in (("sixteen", "whole years"), (130, "between 0 and 120")):
        with pytest.raises(ValidationError, match=message) as exc:
            org.new_case("Joy", estimated_age=bad)
        assert exc.value.field == "estimated_age"


def test_minor_with_guardian(org: Org) -> None:
    born = dt.date.today().replace(year=dt.date.today().year - 15, day=1)
    record = org.new_case("Child Test", birth_date=born,
                          guardian=Guardian("Aunt Test", "aunt", "+1 555 0100"))
    assert record.survivor["is_minor"] is True  # derived from the birth date
    assert record.survivor["guardian"] == {"name": "Aunt Test", "relationship": "aunt",
                                           "contact": "+1 555 0100"}
    assert org.new_case("Said To Be Minor", is_minor=True).survivor["is_minor"] is True
    assert org.new_case("Adult", birth_date="1990-01-01").survivor["is_minor"] is False


@pytest.mark.parametrize(("field", "value", "message"), [
    ("birth_date", "2026-02-30", "not a date"),
    ("birth_date", "30/01/1990", "YYYY-MM-DD"),
    ("birth_date", "2999-01-01", "in the future"),
    ("citizenship", ["XX"], "ISO 3166"),
    ("citizenship", ["Nigeria"], "ISO 3166"),
    ("languages", ["klingon"], "ISO 639"),
    ("languages", ["qq"], "ISO 639"),
    ("interpreter_language", "zz", "ISO 639"),
    ("gender", "female", "not a valid choice"),
    ("legal_name", "   ", "required"),
    ("legal_name", "x" * 201, "Too long"),
])
def test_bad_survivor_input_is_refused_naming_the_field(org: Org, field: str, value: object,
                                                        message: str) -> None:
    values: dict[str, object] = {"legal_name": "Valid Name", field: value}
    if field == "interpreter_language":
        values["interpreter_needed"] = True
    with pytest.raises(ValidationError, match=message) as exc:
        org.coordinator.cases.create(SurvivorInput(**values), CaseInput())  # type: ignore[arg-type]
    assert exc.value.field == field
    assert org.count("survivors") == 0 and org.count("cases") == 0


def test_interpreter_need_says_which_language(org: Org) -> None:
    with pytest.raises(ValidationError, match="which language") as exc:
        org.new_case("Ana", interpreter_needed=True)
    assert exc.value.field == "interpreter_language"


@pytest.mark.parametrize(("case", "field", "message"), [
    (CaseInput(reasonable_grounds_date="2026-02-30"), "reasonable_grounds_date", "not a date"),
    (CaseInput(reasonable_grounds_date="2025-05-01", conclusive_grounds_date="2025-04-01"),
     "conclusive_grounds_date", "cannot come before"),
    (CaseInput(exploitation_types=["sexual", "smuggling"]), "exploitation_types",
     "not a valid choice"),
    (CaseInput(means_of_control=["magic"]), "means_of_control", "not a valid choice"),
    (CaseInput(identification_status="maybe"), "identification_status", "not a valid choice"),
    (CaseInput(identified_by="neighbour"), "identified_by", "not a valid choice"),
    (CaseInput(risk_level="extreme"), "risk_level", "not a valid choice"),
    (CaseInput(safety_plan="x" * (10 * 1024 * 1024)), "safety_plan", "Too long"),
])
def test_bad_case_input_is_refused(org: Org, case: CaseInput, field: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as exc:
        org.coordinator.cases.create(SurvivorInput(legal_name="Valid Name"), case)
    assert exc.value.field == field
    assert org.count("cases") == 0


def test_a_ten_megabyte_note_is_refused_with_its_size(org: Org) -> None:
    record = org.new_case("Ana")
    huge = "a" * (10 * 1024 * 1024)
    with pytest.raises(ValidationError, match=r"at most 100,000 characters.*10,485,760"):
        org.caseworker.care.record(record.id, "safe_shelter", provided_on=dt.date.today(),
                                   notes=huge)
    assert org.count("service_entries") == 0
    assert org.audit("record.created")[-1]["target_type"] != "service_entry"


INVISIBLE_NAMES = [
    "Ma\u200bría Ló\u200dpez",          # zero-width space and joiner
    "\u202eMaría López",                 # right-to-left override
    "María\u2066 López\u2069",           # left-to-right isolate
    "\u200fمريم\u200e Lopez",            # RLM / LRM marks
    "\ufeffMaría López\u2060",           # BOM and word joiner
]


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_invisible_characters_are_kept_exactly_and_shown_safely(org: Org, name: str) -> None:
    record = org.new_case(name, aliases=[name])
    stored = org.caseworker.cases.get(record.id).survivor
    assert stored["legal_name"].encode("utf-8") == name.encode("utf-8")
    assert stored["aliases"] == [name]
    shown = display_safe(stored["legal_name"])
    assert shown.startswith("\u2068") and shown.endswith("\u2069")  # isolated from its line
    inner = shown[1:-1]
    assert not re.search("[\u202a-\u202e\u2066-\u2069\u200b\u200e\u200f\ufeff\u2060]", inner)
    visible = "مريم" if "مريم" in name else "María"
    assert [r.id for r in org.caseworker.search.search(visible)] == [record.id]


def test_status_moves_forward_closes_with_a_reason_and_reopens(org: Org) -> None:
    record = org.new_case("Ana")
    cases = org.caseworker.cases
    for status in ("assessment", "case_plan", "services"):
        cases.set_status(record.id, status)
        assert cases.get(record.id).case["status"] == status
    with pytest.raises(ValidationError, match="moves forward"):
        cases.set_status(record.id, "open")
    with pytest.raises(ValidationError, match="why the case is closed"):
        cases.set_status(record.id, "closed")
    with pytest.raises(ValidationError, match="not a valid choice"):
        cases.set_status(record.id, "closed", closure_reason="bored")
    with pytest.raises(ValidationError, match="not a valid choice"):
        cases.set_status(record.id, "archived")
    assert cases.get(record.id).case["status"] == "services"
    cases.set_status(record.id, "closed", closure_reason="goals_met")
    closed = cases.get(record.id).case
    assert (closed["status"], closed["closure_reason"]) == ("closed", "goals_met")
    assert closed["closed_at"]
    cases.set_status(record.id, "open")  # reopen
    reopened = cases.get(record.id).case
    assert (reopened["status"], reopened["closure_reason"], reopened["closed_at"]) == (
        "open", None, None)


def test_editing_keeps_other_fields_and_refuses_a_stale_save(org: Org) -> None:
    record = org.new_case("Ana", citizenship=["RO"])
    versions = record.row_versions
    org.coordinator.cases.update(record.id, case=CaseInput(risk_level="critical"),
                                 versions=versions)
    updated = org.caseworker.cases.get(record.id)
    assert updated.case["risk_level"] == "critical"
    assert updated.survivor["citizenship"] == ["RO"]
    assert updated.case["opened_on"] == record.case["opened_on"]
    with pytest.raises(ValidationError, match="Someone else changed this record"):
        org.caseworker.cases.update(record.id, case=CaseInput(risk_level="low"),
                                    versions=versions)
    assert org.caseworker.cases.get(record.id).case["risk_level"] == "critical"


def test_renaming_updates_the_search_index(org: Org) -> None:
    record = org.new_case("Olga Ivanova")
    org.caseworker.cases.update(record.id, survivor=SurvivorInput(legal_name="Olga Petrova",
                                                                  aliases=["Olya"]))
    search = org.caseworker.search.search
    assert search("Ivanova") == []
    assert [r.id for r in search("Petrova")] == [record.id]
    assert [r.id for r in search("Olya")] == [record.id]


def test_timeline_of_events(org: Org) -> None:
    record = org.new_case("Ana")
    t = org.caseworker.timeline
    t.add(record.id, "exploitation", place="Farm", country="IT", date_from="2024-03-01",
          date_to="2024-09-30", description="Worked 14 hours a day")
    t.add(record.id, "recruitment", place="Village", country="md", date_from="2024-01-10")
    events = t.list(record.id)
    assert [(e.stage, e.country) for e in events] == [("recruitment", "MD"),
                                                      ("exploitation", "IT")]
    assert events[1].date_to == dt.date(2024, 9, 30)
    for kwargs, message in (
            ({"date_from": "2024-05-01", "date_to": "2024-04-01"}, "end is before the start"),
            ({"date_from": "2024-02-30"}, "not a date"),
            ({"country": "XY"}, "ISO 3166"),
            ({"date_from": days(10)}, "in the future")):
        with pytest.raises(ValidationError, match=message):
            t.add(record.id, "transit", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="not a valid choice"):
        t.add(record.id, "holiday")
    assert len(t.list(record.id)) == 2
