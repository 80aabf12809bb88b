"""Criminal proceedings: recorded and moved on by those who may change legal matters, read
by those who may read them; the survivor-informed log and its reminder; the next hearing
as a deadline; everything but the dates sealed under the legal key."""

from __future__ import annotations

import pytest

from shelter_app.errors import NotFound, PermissionDenied, ValidationError
from tests.records.conftest import Org, days
from ui.day.lines import tab_for


def _deadlines(org: Org, case_id: str) -> dict[str, object]:
    return {d.kind: d.due_on for d in org.legal.legal.case_deadlines(case_id)}


def test_a_stage_she_has_not_been_told_of_is_a_reminder_until_she_is(org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    proceedings = org.legal.proceedings
    p = proceedings.open(case_id, authority_kind="prosecutor", role="injured_party",
                         stage="investigation", authority="Procura di Latina",
                         reference="RGNR 1234/26", requested=["video_testimony", "screens"],
                         next_hearing=days(40), stage_on=days(-30))
    assert p.survivor_told and p.requested == ("screens", "video_testimony")
    assert _deadlines(org, case_id) == {"hearing": days(40)}

    moved = proceedings.update(p.id, authority_kind="prosecutor", role="injured_party",
                               stage="charge", authority="Procura di Latina",
                               reference="RGNR 1234/26",
                               requested=["video_testimony", "screens"],
                               granted=["video_testimony"], next_hearing=days(40),
                               stage_on=days(-2), version=p.row_version)
    assert not moved.survivor_told and moved.granted == ("video_testimony",)
    assert _deadlines(org, case_id) == {"hearing": days(40), "inform_survivor": days(5)}
    # on everyone's list of what is due, for those who read legal matters
    assert any(d.kind == "inform_survivor" for d in org.coordinator.legal.due(within_days=10))
    assert not any(d.kind == "inform_survivor" for d in org.other_legal.legal.due())
    ahead = org.coordinator.legal.case_deadlines(case_id)
    assert {tab_for(d.kind) for d in ahead} == {"proceedings"}

    entry = proceedings.inform(p.id, informed_on=days(-1), method="in_person", language="ro",
                               note="Explained with the interpreter what a charge means.")
    assert (entry.stage, entry.method, entry.language) == ("charge", "in_person", "ro")
    assert entry.informed_by == "legal"
    assert proceedings.get(p.id).survivor_told
    assert _deadlines(org, case_id) == {"hearing": days(40)}
    assert [e.id for e in proceedings.informed(p.id)] == [entry.id]

    closed = proceedings.update(p.id, authority_kind="court", role="injured_party",
                                stage="closed", next_hearing=days(40))
    # closed: no hearing any more, and she is to be told that it is over (within a week of
    # the day it was recorded, as the day it closed was not given)
    assert not closed.survivor_told
    assert _deadlines(org, case_id) == {"inform_survivor": days(7)}


def test_nothing_of_a_proceeding_but_its_dates_is_plain(org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    p = org.legal.proceedings.open(case_id, authority_kind="court", role="witness",
                                   stage="trial", requested=["relocation"],
                                   next_hearing=days(3))
    org.legal.proceedings.inform(p.id, informed_on=days(0), method="phone")
    row = org.coordinator.ctx.db.one("SELECT * FROM proceedings WHERE id = :id", {"id": p.id})
    assert row is not None and str(row["details"]).startswith("sf1:")
    for word in ("witness", "trial", "relocation", "court"):
        assert word not in str(dict(row)), word
    update = org.coordinator.ctx.db.one("SELECT details FROM proceeding_updates")
    assert update is not None and str(update["details"]).startswith("sf1:")
    events = org.audit("record.updated") + org.audit("record.created")
    assert not any("trial" in str(e["details"]) for e in events)


def test_who_may_read_and_record_proceedings(org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    p = org.legal.proceedings.open(case_id, authority_kind="police", role="witness",
                                   stage="report")
    assert org.caseworker.proceedings.list(case_id) == [p]  # reads legal, may not record
    with pytest.raises(PermissionDenied):
        org.caseworker.proceedings.open(case_id, authority_kind="police", role="witness",
                                        stage="report")
    with pytest.raises(PermissionDenied):
        org.caseworker.proceedings.inform(p.id, informed_on=days(0), method="phone")
    with pytest.raises(NotFound):
        org.other_legal.proceedings.get(p.id)
    with pytest.raises(PermissionDenied):
        org.admin.proceedings.list(case_id)
    assert org.coordinator.proceedings.get(p.id) == p


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"stage": "verdict"}, "stage"),
    ({"role": "bystander"}, "role"),
    ({"requested": ["disguise"]}, "requested"),
    ({"stage_on": "2999-01-01"}, "stage_on"),
])
def test_bad_proceedings_are_refused(org: Org, kwargs: dict[str, object], field: str) -> None:
    case_id = org.new_case("Ana Legal").id
    values = {"authority_kind": "police", "role": "witness", "stage": "report", **kwargs}
    with pytest.raises(ValidationError) as exc:
        org.legal.proceedings.open(case_id, **values)  # type: ignore[arg-type]
    assert exc.value.field == field
    assert org.count("proceedings") == 0 and org.count("deadlines") == 0


def test_a_colleagues_change_meanwhile_is_refused(org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    proceedings = org.legal.proceedings
    p = proceedings.open(case_id, authority_kind="police", role="witness", stage="report")
    org.coordinator.proceedings.update(p.id, authority_kind="police", role="witness",
                                       stage="investigation", version=p.row_version)
    with pytest.raises(ValidationError, match="Someone else changed"):
        proceedings.update(p.id, authority_kind="police", role="civil_party", stage="report",
                           version=p.row_version)
    assert proceedings.get(p.id).role == "witness"


def test_a_new_stage_keeps_no_date_of_the_stage_before_and_its_reminder_stays_put(
        org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    proceedings = org.legal.proceedings
    p = proceedings.open(case_id, authority_kind="court", role="witness", stage="charge",
                         stage_on=days(-40))
    moved = proceedings.update(p.id, authority_kind="court", role="witness", stage="trial",
                               stage_on=days(-40))  # the form's date, left as it was
    assert moved.stage_on is None and moved.stage_recorded == days(0)
    assert _deadlines(org, case_id) == {"inform_survivor": days(7)}
    # a later edit of something else does not push the reminder on
    proceedings.update(p.id, authority_kind="court", role="witness", stage="trial",
                       notes="Hearing moved to the afternoon")
    assert _deadlines(org, case_id) == {"inform_survivor": days(7)}
    events = org.audit("record.created")
    assert events[-1]["details"]["fields"] == sorted(
        ["authority", "authority_kind", "granted", "next_hearing", "notes", "reference",
         "requested", "role", "stage", "stage_on"])  # every field, whatever is filled


def test_telling_her_of_a_stage_that_moved_on_meanwhile_is_refused(org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    p = org.legal.proceedings.open(case_id, authority_kind="court", role="witness",
                                   stage="trial", survivor_told=False)
    stale = org.legal.proceedings.get(p.id)
    org.coordinator.proceedings.update(p.id, authority_kind="court", role="witness",
                                       stage="judgment")
    # the service reads the proceeding afresh, so she is recorded as told of the trial,
    # and the judgment she has not been told of keeps its reminder
    org.legal.proceedings.inform(stale.id, informed_on=days(0), method="phone",
                                 stage="trial")
    assert not org.legal.proceedings.get(p.id).survivor_told
    assert "inform_survivor" in _deadlines(org, case_id)
