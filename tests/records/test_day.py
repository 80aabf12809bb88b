"""The day: each group's lines and counts, for each role and scope, by case code only."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from shelter_app.domain.records import CaseInput
from shelter_app.errors import PermissionDenied
from shelter_app.services.day import GROUPS, Day
from tests.records.conftest import Org, days

TODAY = dt.date.today()


def at(day: int, hour: int) -> dt.datetime:
    """Local wall-clock time *day* days from today."""
    return dt.datetime.combine(days(day), dt.time(hour)).astimezone()


@dataclasses.dataclass
class Setup:
    case: str
    code: str
    other: str  # assigned to other_caseworker, shared with nobody
    other_code: str
    ids: dict[str, str]


@pytest.fixture
def setup(org: Org) -> Setup:
    """One case of caseworker's (shared with legal) with something in every group, and the
    same again in a case of other_caseworker's."""
    case = org.new_case("Dora Day")
    other = org.new_case("Olga Other", share=False,
                         case=CaseInput(assigned_to=org.ids["other_caseworker"]))
    clinic = org.partner()
    made: dict[str, str] = {}
    for record, worker in ((case, org.caseworker), (other, org.other_caseworker)):
        c = record.id
        worker.appointments.schedule(c, "medical", at(0, 10), at(0, 11), location="Clinic")
        worker.appointments.schedule(c, "other", at(1, 9), at(1, 10))
        worker.appointments.schedule(c, "other", at(2, 9), at(2, 10))  # the day after: not
        cancelled = worker.appointments.schedule(c, "other", at(0, 15), at(0, 16))
        worker.appointments.set_status(cancelled.id, "cancelled")
        org.coordinator.legal.open(c, "residence_permit", dates={
            "filing_due": days(-3), "permit_expiry": days(7), "reflection_end": days(8)})
        worker.consent.record(c, sections=["identity"], purpose="Referral",
                              given_by="survivor", method="written", given_on=days(-300),
                              partner_id=clinic, expires_on=days(20))
        worker.consent.record(c, sections=["identity"], purpose="Any referral",
                              given_by="survivor", method="written", given_on=days(-300),
                              any_referral=True, expires_on=days(31))  # beyond 30 days
        late = worker.referrals.create(c, clinic, follow_up_due=days(-1))
        worker.referrals.move(late.id, "sent")
        later = worker.referrals.create(c, clinic, follow_up_due=days(3))
        worker.referrals.move(later.id, "sent")  # not yet due: not on the day
        answered = worker.referrals.create(c, clinic, follow_up_due=days(-5))
        worker.referrals.move(answered.id, "sent")
        worker.referrals.move(answered.id, "accepted")  # answered: not awaiting
        made[c] = late.id
    org.coordinator.tasks.create(case.id, "Overdue one", assigned_to=org.ids["caseworker"],
                                 due_on=days(-1))
    org.coordinator.tasks.create(case.id, "Undated one", assigned_to=org.ids["caseworker"])
    org.coordinator.tasks.create(case.id, "Nobody's yet", due_on=days(2))
    org.coordinator.tasks.create(case.id, "For legal", assigned_to=org.ids["legal"])
    org.coordinator.tasks.create(case.id, "For me", assigned_to=org.ids["coordinator"],
                                 due_on=days(0))
    done = org.coordinator.tasks.create(case.id, "Done", assigned_to=org.ids["caseworker"])
    org.caseworker.tasks.set_done(done.id, True, row_version=1)
    org.coordinator.tasks.create(other.id, "Theirs", assigned_to=org.ids["other_caseworker"])
    return Setup(case.id, case.code, other.id, other.code, org.ids)


def lines(day: Day, key: str) -> list[tuple[str, str]]:
    group = day.group(key)
    assert group is not None, key
    assert group.total == len(group.items)
    return [(i.case_code, i.kind if key != "tasks" else i.text) for i in group.items]


def test_a_caseworker_sees_her_cases_in_every_group(org: Org, setup: Setup) -> None:
    day = org.caseworker.day.my_day(TODAY)
    assert [g.key for g in day.groups] == list(GROUPS)
    code = setup.code
    assert lines(day, "today") == [(code, "medical")]
    assert day.group("today").items[0].text == "Clinic"  # type: ignore[union-attr]
    assert lines(day, "tomorrow") == [(code, "other")]
    assert lines(day, "deadlines") == [(code, "filing_due"), (code, "permit_expiry")]
    assert lines(day, "referrals") == [(code, "referral")]
    assert day.group("referrals").items[0].text == "Riverside Clinic"  # type: ignore[union-attr]
    assert lines(day, "consents") == [(code, "partner")]
    # hers, then nobody's on her case; overdue first, undated last
    assert lines(day, "tasks") == [(code, "Overdue one"), (code, "Nobody's yet"),
                                   (code, "Undated one")]
    overdue = day.group("tasks").items[0]  # type: ignore[union-attr]
    assert overdue.overdue(TODAY) and overdue.person == "caseworker"
    assert day.total == 1 + 1 + 2 + 1 + 1 + 3
    assert org.caseworker.day.counts(TODAY).my_day == day.total


def test_each_line_names_the_case_by_its_code_only(org: Org, setup: Setup) -> None:
    day = org.coordinator.day.my_day(TODAY, everyone=True)
    every = [i for g in day.groups for i in g.items]
    assert every and all(i.case_code in (setup.code, setup.other_code) for i in every)
    text = repr(day)
    assert "Dora" not in text and "Olga" not in text


def test_a_legal_volunteer_sees_shared_cases_and_no_referrals_or_consents(
        org: Org, setup: Setup) -> None:
    day = org.legal.day.my_day(TODAY)
    assert [g.key for g in day.groups] == ["today", "tomorrow", "deadlines", "tasks"]
    assert lines(day, "deadlines") == [(setup.code, "filing_due"),
                                       (setup.code, "permit_expiry")]
    assert lines(day, "tasks") == [(setup.code, "For legal")]
    counts = org.legal.day.counts(TODAY)
    assert counts.referrals is None and counts.deadlines == 2 and counts.my_day == day.total
    other = org.other_legal.day.my_day(TODAY)
    assert other.total == 0


def test_a_coordinator_has_her_own_day_and_everyone_s(org: Org, setup: Setup) -> None:
    own = org.coordinator.day.my_day(TODAY)
    assert lines(own, "tasks") == [(setup.code, "For me")]
    assert own.group("today").total == 0  # type: ignore[union-attr]
    # booked herself: the appointment is hers even on a case that is not
    org.coordinator.appointments.schedule(setup.other, "other", at(0, 12), at(0, 13),
                                          staff_id=setup.ids["coordinator"])
    own = org.coordinator.day.my_day(TODAY)
    assert lines(own, "today") == [(setup.other_code, "other")]
    assert own.group("today").items[0].person == "coordinator"  # type: ignore[union-attr]
    everyone = org.coordinator.day.my_day(TODAY, everyone=True)
    assert {c for c, _k in lines(everyone, "today")} == {setup.code, setup.other_code}
    assert len(lines(everyone, "today")) == 3
    assert len(lines(everyone, "deadlines")) == 4 and len(lines(everyone, "referrals")) == 2
    assert [t for _c, t in lines(everyone, "tasks")] == [
        "Overdue one", "For me", "Nobody's yet", "Undated one", "For legal", "Theirs"]
    assert org.coordinator.day.can_show_everyone()
    assert not org.caseworker.day.can_show_everyone()
    # a caseworker asking for everyone's day still gets only her cases
    theirs = org.caseworker.day.my_day(TODAY, everyone=True)
    assert {i.case_code for g in theirs.groups for i in g.items} == {setup.code}


def test_another_caseworker_sees_only_her_own(org: Org, setup: Setup) -> None:
    day = org.other_caseworker.day.my_day(TODAY)
    assert {i.case_code for g in day.groups for i in g.items} == {setup.other_code}
    assert lines(day, "tasks") == [(setup.other_code, "Theirs")]


def test_an_administrator_alone_has_no_day(org: Org, setup: Setup) -> None:
    assert org.admin.day.groups() == ()
    with pytest.raises(PermissionDenied):
        org.admin.day.my_day(TODAY)
    with pytest.raises(PermissionDenied):
        org.admin.day.counts(TODAY)
    assert len(org.audit("access.denied")) == 2


def test_counts_for_the_navigation(org: Org, setup: Setup) -> None:
    counts = org.caseworker.day.counts(TODAY)
    # as the Deadlines page lists them, overdue or due within 7 days: filing, permit
    # (day 7; not the reflection period, day 8) and the follow-ups of referrals sent or
    # accepted; awaiting an answer: only the one sent whose follow-up date has come
    assert counts.deadlines == 2 + 3 and counts.referrals == 1
    assert counts.deadlines == len(org.caseworker.legal.due(within_days=7, today=TODAY))
    everyone = org.coordinator.day.counts(TODAY)
    assert everyone.deadlines == 10 and everyone.referrals == 2
    assert everyone.my_day == org.coordinator.day.my_day(TODAY).total
    before = org.caseworker.day.change_marker()
    task = org.caseworker.tasks.open_for()[0]
    org.caseworker.tasks.set_done(task.id, True, row_version=task.row_version)
    assert org.caseworker.day.change_marker() != before
    assert org.caseworker.day.counts(TODAY).my_day == counts.my_day - 1  # type: ignore[operator]


def test_consents_renewed_or_in_closed_cases_are_not_expiring(org: Org, setup: Setup) -> None:
    assert org.caseworker.day.my_day(TODAY).group("consents").total == 1  # type: ignore[union-attr]
    clinic = org.coordinator.partners.list()[0].id
    org.caseworker.consent.record(setup.case, sections=["identity"], purpose="Renewed",
                                  given_by="survivor", method="written", given_on=TODAY,
                                  partner_id=clinic, expires_on=days(400))
    assert org.caseworker.day.my_day(TODAY).group("consents").total == 0  # type: ignore[union-attr]
    other = org.coordinator.day.my_day(TODAY, everyone=True).group("consents")
    assert other is not None and [i.case_code for i in other.items] == [setup.other_code]
    org.coordinator.cases.set_status(setup.other, "closed", closure_reason="goals_met")
    assert org.coordinator.day.my_day(TODAY, everyone=True).group("consents").total == 0  # type: ignore[union-attr]


def test_a_limit_keeps_the_full_count(org: Org, setup: Setup) -> None:
    day = org.coordinator.day.my_day(TODAY, everyone=True, limit=1)
    tasks = day.group("tasks")
    assert tasks is not None and len(tasks.items) == 1 and tasks.total == 6
    none = org.coordinator.day.my_day(TODAY, everyone=True, limit=0)
    assert none.group("tasks").total == 6 and not none.group("tasks").items  # type: ignore[union-attr]


@pytest.mark.parametrize("who", ["caseworker", "coordinator", "legal", "other_caseworker"])
def test_few_or_many_cases_of_her_own_give_the_same_day(org: Org, setup: Setup, who: str,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """Her own day is read case by case when she has few cases, along the organisation's
    date indexes when she has many: both ways must give the same lines and counts."""
    from shelter_app.services import day as day_module

    services = getattr(org, who)
    services.appointments.schedule(setup.case if who != "other_caseworker" else setup.other,
                                   "other", at(0, 7), at(0, 8),
                                   staff_id=setup.ids["coordinator"])
    org.coordinator.tasks.create(setup.other, "Nobody's on hers")

    def seen(day: Day) -> list[tuple[str, int, list[str]]]:
        return [(g.key, g.total, [i.record_id for i in g.items]) for g in day.groups]

    few = seen(services.day.my_day(TODAY))
    few_counts = services.day.counts(TODAY)
    monkeypatch.setattr(day_module, "FEW_CASES", 0)
    assert seen(services.day.my_day(TODAY)) == few
    assert services.day.counts(TODAY) == few_counts
    assert sum(len(items) for _k, _t, items in few) > 0


def test_counts_stop_at_the_cap(org: Org, setup: Setup, monkeypatch: pytest.MonkeyPatch
                                ) -> None:
    from shelter_app.services import day as day_module

    monkeypatch.setattr(day_module, "COUNT_CAP", 3)
    tasks = org.coordinator.day.my_day(TODAY, everyone=True, limit=2).group("tasks")
    assert tasks is not None and (tasks.total, tasks.capped, len(tasks.items)) == (3, True, 2)
    assert [i.text for i in tasks.items] == ["Overdue one", "For me"]
    own = org.caseworker.day.my_day(TODAY)
    assert own.capped and own.group("tasks").total == 3  # type: ignore[union-attr]
    counts = org.coordinator.day.counts(TODAY)
    assert counts.deadlines == 3 and counts.referrals == 2
