"""The case timeline: events added and corrected in place by those who may record it (a
legal volunteer on a shared case too), read by everyone who reads the case, ordered by
date, with approximate dates and the source of the account."""

from __future__ import annotations

import pytest

from shelter_app.errors import NotFound, PermissionDenied, ValidationError
from tests.records.conftest import Org, days


def test_a_legal_volunteer_records_and_corrects_the_timeline_of_a_shared_case(org: Org
                                                                            ) -> None:
    case_id = org.new_case("Ana Legal").id
    timeline = org.legal.timeline
    escape = timeline.add(case_id, "escape", place="Lyon", country="FR",
                          date_from=days(-100), source="survivor",
                          description="Left at night with a neighbour's help")
    recruited = timeline.add(case_id, "recruitment", place="Iasi", country="RO",
                             date_from=days(-700), approximate=True, source="survivor")
    undated = timeline.add(case_id, "other", description="A second recruiter, name unknown")
    assert [e.id for e in org.caseworker.timeline.list(case_id)] == [
        recruited.id, escape.id, undated.id]  # by date, undated last
    assert recruited.approximate and recruited.source == "survivor"

    changed = timeline.update(escape.id, stage="escape", place="Lyon", country="FR",
                              date_from=days(-101), source="document",
                              description=escape.description, version=escape.row_version)
    assert (changed.date_from, changed.source, changed.row_version) == (days(-101), "document",
                                                                        2)
    event = org.audit("record.updated")[-1]
    assert event["target_type"] == "timeline_event"
    assert event["details"] == {"fields": ["date_from", "source"]}
    # a save from the form as it was before is refused: nothing is overwritten
    with pytest.raises(ValidationError, match="Someone else changed"):
        timeline.update(escape.id, stage="escape", place="Paris", version=escape.row_version)
    assert timeline.get(escape.id).place == "Lyon"
    # a save that changes nothing writes nothing
    before = len(org.audit())
    assert timeline.update(escape.id, stage="escape", place="Lyon", country="FR",
                           date_from=days(-101), source="document",
                           description=escape.description) == changed
    assert len(org.audit()) == before


def test_who_may_read_and_record_the_timeline(org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    event = org.caseworker.timeline.add(case_id, "exploitation", place="Farm")
    assert org.coordinator.timeline.get(event.id).place == "Farm"
    for services in (org.other_legal, org.other_caseworker):
        with pytest.raises(NotFound):
            services.timeline.list(case_id)
        with pytest.raises(NotFound):
            services.timeline.update(event.id, stage="exploitation", place="Elsewhere")
    with pytest.raises(PermissionDenied):
        org.admin.timeline.add(case_id, "transit")
    with pytest.raises(PermissionDenied):
        org.admin.timeline.get(event.id)
    with pytest.raises(NotFound, match="No such timeline event"):
        org.coordinator.timeline.get("no-such-event")


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"approximate": True}, "date_from", "approximate date needs a date"),
    ({"source": "rumour"}, "source", "not a valid choice"),
    ({"date_from": days(-5), "date_to": days(-9)}, "date_to", "end is before the start"),
])
def test_bad_events_are_refused_and_nothing_is_written(org: Org, kwargs: dict[str, object],
                                                       field: str, message: str) -> None:
    case_id = org.new_case("Ana Legal").id
    with pytest.raises(ValidationError, match=message) as exc:
        org.legal.timeline.add(case_id, "transit", **kwargs)  # type: ignore[arg-type]
    assert exc.value.field == field
    assert org.count("timeline_events") == 0
