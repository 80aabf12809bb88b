"""Tasks: who may add, change and tick them on which case, who they may be given to, row
versions, and the task text kept out of the audit chain."""

from __future__ import annotations

import json

import pytest

from shelter_app.domain.records import CaseInput
from shelter_app.errors import NotFound, PermissionDenied, ValidationError
from tests.records.conftest import Org, days

SECRET = "Call Quillon about the bruises"  # a task text; never in the audit chain


@pytest.fixture
def case(org: Org) -> str:
    return org.new_case("Tara Task").id


def test_a_coordinator_adds_and_assigns_on_any_case(org: Org, case: str) -> None:
    task = org.coordinator.tasks.create(case, SECRET, assigned_to=org.ids["caseworker"],
                                        due_on=days(2))
    assert (task.what, task.assigned_to, task.due_on, task.done) == (
        SECRET, org.ids["caseworker"], days(2), False)
    assert task.case_code.startswith("SH-") and task.row_version == 1
    row = org.coordinator.ctx.db.one("SELECT * FROM tasks WHERE id = :id", {"id": task.id})
    assert row["created_by"] == row["updated_by"] == org.ids["coordinator"]
    assert row["created_at"] == row["updated_at"] and len(row["id"]) == 36
    # anyone who may work on the case, or nobody
    for who in ("coordinator", "legal", None):
        made = org.coordinator.tasks.create(case, "Book an interpreter",
                                            assigned_to=org.ids[who] if who else None)
        assert made.assigned_to == (org.ids[who] if who else None)
    names = {n for _id, n in org.coordinator.tasks.assignees(case)}
    assert names == {"coordinator", "caseworker", "legal"}


@pytest.mark.parametrize("who", ["other_caseworker", "other_legal", "admin"])
def test_only_people_on_the_case_can_be_given_a_task(org: Org, case: str, who: str) -> None:
    with pytest.raises(ValidationError) as info:
        org.coordinator.tasks.create(case, "Anything", assigned_to=org.ids[who])
    assert info.value.field == "assigned_to"
    assert org.count("tasks") == 0


def test_a_disabled_account_cannot_be_given_a_task(org: Org, case: str) -> None:
    org.admin.accounts.disable("legal")
    with pytest.raises(ValidationError):
        org.coordinator.tasks.create(case, "Anything", assigned_to=org.ids["legal"])
    assert org.ids["legal"] not in {i for i, _n in org.coordinator.tasks.assignees(case)}


def test_a_caseworker_on_her_cases_only(org: Org, case: str) -> None:
    mine = org.caseworker.tasks.create(case, "Renew the bus pass", due_on=days(1))
    ticked = org.caseworker.tasks.set_done(mine.id, True, row_version=mine.row_version)
    assert ticked.done and ticked.done_by == org.ids["caseworker"]
    assert ticked.done_by_name == "caseworker" and ticked.done_at is not None
    for refused in (org.other_caseworker, org.other_legal):
        with pytest.raises(NotFound):  # a case outside one's scope answers as missing
            refused.tasks.create(case, "Anything")
        with pytest.raises(NotFound):
            refused.tasks.set_done(mine.id, False, row_version=ticked.row_version)
        with pytest.raises(NotFound):
            refused.tasks.list_for_case(case)
        with pytest.raises(NotFound):
            refused.tasks.get(mine.id)
    assert [t.id for t in org.caseworker.tasks.list_for_case(case)] == [mine.id]


def test_a_legal_volunteer_on_shared_cases(org: Org, case: str) -> None:
    given = org.coordinator.tasks.create(case, "Collect the police report",
                                         assigned_to=org.ids["legal"])
    done = org.legal.tasks.set_done(given.id, True, row_version=given.row_version)
    assert done.done_by == org.ids["legal"]
    made = org.legal.tasks.create(case, "Draft the statement", assigned_to=org.ids["legal"])
    assert made.assigned_to == org.ids["legal"]
    unshared = org.new_case("Ulla Unshared", share=False).id
    with pytest.raises(NotFound):
        org.legal.tasks.create(unshared, "Anything")


def test_an_administrator_alone_reaches_no_task(org: Org, case: str) -> None:
    task = org.coordinator.tasks.create(case, "Anything")
    for attempt in (lambda: org.admin.tasks.create(case, "Anything"),
                    lambda: org.admin.tasks.list_for_case(case),
                    lambda: org.admin.tasks.get(task.id),
                    lambda: org.admin.tasks.set_done(task.id, True, row_version=1),
                    lambda: org.admin.tasks.open_for()):
        with pytest.raises(PermissionDenied):
            attempt()
    denied = org.audit("access.denied")
    assert len(denied) == 5 and {e["details"]["action"] for e in denied} == {"case.tasks"}


def test_edits_and_ticks_check_the_row_version(org: Org, case: str) -> None:
    task = org.coordinator.tasks.create(case, "Ask about the lease")
    changed = org.caseworker.tasks.update(task.id, row_version=task.row_version,
                                          what="Ask about the lease (landlord)",
                                          assigned_to=org.ids["caseworker"], due_on=days(3))
    assert changed.row_version == task.row_version + 1
    with pytest.raises(ValidationError, match="Someone else changed"):
        org.coordinator.tasks.update(task.id, row_version=task.row_version, what="Mine")
    with pytest.raises(ValidationError, match="Someone else changed"):
        org.coordinator.tasks.set_done(task.id, True, row_version=task.row_version)
    assert org.coordinator.tasks.get(task.id).what == "Ask about the lease (landlord)"
    done = org.coordinator.tasks.set_done(task.id, True, row_version=changed.row_version)
    # ticking what someone already ticked changes nothing and is no error
    again = org.caseworker.tasks.set_done(task.id, True, row_version=changed.row_version)
    assert again.row_version == done.row_version and again.done_by == org.ids["coordinator"]
    undone = org.caseworker.tasks.set_done(task.id, False, row_version=done.row_version)
    assert not undone.done and undone.done_by is None


def test_what_is_required_short_and_the_date_a_date(org: Org, case: str) -> None:
    for what, field in (("  ", "what"), ("x" * 201, "what")):
        with pytest.raises(ValidationError) as info:
            org.coordinator.tasks.create(case, what)
        assert info.value.field == field
    with pytest.raises(ValidationError) as info:
        org.coordinator.tasks.create(case, "Fine", due_on="next week")
    assert info.value.field == "due_on"
    assert org.count("tasks") == 0


def test_the_task_text_never_reaches_the_audit_chain(org: Org, case: str) -> None:
    task = org.coordinator.tasks.create(case, SECRET, due_on=days(1))
    org.caseworker.tasks.update(task.id, row_version=1, what=SECRET + " again", due_on=None)
    org.caseworker.tasks.set_done(task.id, True, row_version=2)
    events = [e for e in org.audit() if e["target_type"] == "task"]
    assert [(e["action"], e["details"]) for e in events] == [
        ("record.created", {"fields": ["due_on", "what"]}),
        ("record.updated", {"fields": ["due_on", "what"]}),
        ("record.updated", {"fields": ["done_at", "done_by"]}),
    ]
    chain = json.dumps(org.audit(), ensure_ascii=False)
    assert "Quillon" not in chain and "bruises" not in chain


def test_list_order_and_a_person_who_left_the_case(org: Org, case: str) -> None:
    later = org.coordinator.tasks.create(case, "Later", due_on=days(5))
    undated = org.coordinator.tasks.create(case, "Undated")
    overdue = org.coordinator.tasks.create(case, "Overdue", due_on=days(-2),
                                           assigned_to=org.ids["caseworker"])
    done = org.coordinator.tasks.create(case, "Done")
    org.coordinator.tasks.set_done(done.id, True, row_version=1)
    listed = org.coordinator.tasks.list_for_case(case)
    assert [t.what for t in listed] == ["Overdue", "Later", "Undated", "Done"]
    assert listed[0].overdue(days(0)) and not listed[1].overdue(days(0))
    assert all(t.assignee_on_case for t in listed)
    # the case moves to another caseworker: the task keeps its person, who has left it
    org.coordinator.cases.assign(case, org.ids["other_caseworker"])
    moved = org.coordinator.tasks.get(overdue.id)
    assert moved.assigned_to == org.ids["caseworker"] and not moved.assignee_on_case
    assert [t.id for t in org.other_caseworker.tasks.list_for_case(case)][:2] == [
        overdue.id, later.id]
    with pytest.raises(NotFound):
        org.caseworker.tasks.get(overdue.id)
    assert undated.due_on is None


def test_open_tasks_of_a_person_across_cases(org: Org, case: str) -> None:
    second = org.new_case("Sara Second").id
    hidden = org.new_case("Hana Hidden", share=False,
                          case=CaseInput(assigned_to=org.ids["other_caseworker"])).id
    org.coordinator.tasks.create(second, "B", assigned_to=org.ids["caseworker"], due_on=days(4))
    org.coordinator.tasks.create(case, "A", assigned_to=org.ids["caseworker"], due_on=days(-1))
    org.coordinator.tasks.create(case, "Nobody's")
    org.coordinator.tasks.create(hidden, "Theirs", assigned_to=org.ids["other_caseworker"])
    assert [t.what for t in org.caseworker.tasks.open_for()] == ["A", "B"]
    assert [t.what for t in org.coordinator.tasks.open_for(org.ids["caseworker"])] == ["A", "B"]
    assert len(org.coordinator.tasks.open_for(everyone=True)) == 4
    # a caseworker asking for someone else's tasks sees only those on her own cases
    assert org.caseworker.tasks.open_for(org.ids["other_caseworker"]) == []
    assert org.legal.tasks.open_for() == []
