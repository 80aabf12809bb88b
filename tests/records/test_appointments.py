"""Appointments and their conflicts: the survivor, staff, volunteer, interpreter or room."""

from __future__ import annotations

import datetime as dt

import pytest

from shelter_app.errors import ValidationError
from shelter_app.services.appointments import AppointmentConflict
from tests.records.conftest import Org

DAY = dt.date.today() + dt.timedelta(days=7)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute))


@pytest.fixture
def two_cases(org: Org) -> tuple[str, str]:
    return org.new_case("Ana First").id, org.new_case("Ben Second").id


def test_schedule_and_read_back(org: Org, two_cases: tuple[str, str]) -> None:
    case_id, _ = two_cases
    a = org.caseworker.appointments.schedule(
        case_id, "court_hearing", at(9), at(11), location="County court", room="3",
        staff_id=org.ids["caseworker"], volunteer="Sam", interpreter="Ms Tran",
        interpreter_language="vi", notes="Bring the passport copy")
    assert a.starts_at == at(9).astimezone() and a.ends_at == at(11).astimezone()
    assert (a.status, a.room, a.interpreter_language) == ("scheduled", "3", "vi")
    assert org.legal.appointments.list_for_case(case_id) == [a]
    agenda = org.caseworker.appointments.between(at(0).astimezone(), at(23).astimezone())
    assert [x.id for x in agenda] == [a.id]
    assert org.other_caseworker.appointments.between(at(0), at(23)) == []


@pytest.mark.parametrize(("start", "end", "message"), [
    ("2026-02-30 10:00", "2026-02-30 11:00", "not a date and time"),
    (f"{DAY} 11:00", f"{DAY} 10:00", "must end after it starts"),
    (f"{DAY} 11:00", f"{DAY} 11:00", "must end after it starts"),
    (f"{DAY} 09:00", f"{DAY + dt.timedelta(days=2)} 09:00", "at most 24 hours"),
    ("tomorrow", f"{DAY} 10:00", "not a date and time"),
])
def test_impossible_times_are_refused(org: Org, two_cases: tuple[str, str], start: str,
                                      end: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        org.caseworker.appointments.schedule(two_cases[0], "medical", start, end)
    assert org.count("appointments") == 0


def test_other_bad_input(org: Org, two_cases: tuple[str, str]) -> None:
    appts = org.caseworker.appointments
    for kwargs, message in (({"interpreter": "Ms Tran"}, "which language"),
                            ({"interpreter": "Ms Tran", "interpreter_language": "xx"},
                             "ISO 639"),
                            ({"staff_id": "nobody"}, "active staff member")):
        with pytest.raises(ValidationError, match=message):
            appts.schedule(two_cases[0], "medical", at(9), at(10), **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="not a valid choice"):
        appts.schedule(two_cases[0], "picnic", at(9), at(10))
    assert org.count("appointments") == 0


@pytest.mark.parametrize(("first", "second", "kind"), [
    ({}, {"same_case": True}, "survivor"),
    ({"staff": True}, {"staff": True}, "staff"),
    ({"volunteer": "Sam Ortiz"}, {"volunteer": "sam ortiz"}, "volunteer"),
    ({"interpreter": "Mme Lê", "interpreter_language": "vi"},
     {"interpreter": "Mme Le", "interpreter_language": "vi"}, "interpreter"),
    ({"room": "Interview room", "location": "Main office"},
     {"room": "interview room", "location": "Main Office"}, "room"),
])
def test_conflicts_are_detected(org: Org, two_cases: tuple[str, str], first: dict[str, object],
                                second: dict[str, object], kind: str) -> None:
    appts = org.coordinator.appointments

    def kwargs(spec: dict[str, object]) -> dict[str, object]:
        out = {k: v for k, v in spec.items() if k not in ("staff", "same_case")}
        if spec.get("staff"):
            out["staff_id"] = org.ids["caseworker"]
        return out

    booked = appts.schedule(two_cases[0], "medical", at(10), at(11), **kwargs(first))  # type: ignore[arg-type]
    other_case = two_cases[0] if second.get("same_case") else two_cases[1]
    with pytest.raises(AppointmentConflict) as exc:
        appts.schedule(other_case, "legal_consultation", at(10, 30), at(11, 30),
                       **kwargs(second))  # type: ignore[arg-type]
    assert [(c.kind, c.appointment_id) for c in exc.value.conflicts] == [(kind, booked.id)]
    assert f"{at(10):%H:%M}" in str(exc.value) and f"{at(11):%H:%M}" in str(exc.value)
    assert org.count("appointments") == 1
    # back to back is not a conflict; a deliberate double booking is possible
    appts.schedule(other_case, "legal_consultation", at(11), at(12), **kwargs(second))  # type: ignore[arg-type]
    appts.schedule(other_case, "other", at(10), at(10, 30), allow_conflicts=True,
                   **kwargs(second))  # type: ignore[arg-type]
    assert org.count("appointments") == 3


def test_no_conflict_for_different_people_rooms_or_cancelled(org: Org,
                                                             two_cases: tuple[str, str]) -> None:
    appts = org.coordinator.appointments
    first = appts.schedule(two_cases[0], "medical", at(10), at(11), room="Room 1",
                           location="Main office", staff_id=org.ids["caseworker"],
                           interpreter="Ms Tran", interpreter_language="vi")
    appts.schedule(two_cases[1], "medical", at(10), at(11), room="Room 2",
                   location="Main office", staff_id=org.ids["other_caseworker"],
                   interpreter="Mr Ali", interpreter_language="ar")
    appts.schedule(two_cases[1], "medical", at(12), at(13), room="Room 1",
                   location="Annex")  # same room name, other building
    with pytest.raises(AppointmentConflict):
        appts.schedule(two_cases[0], "other", at(10, 30), at(10, 45))
    appts.set_status(first.id, "cancelled")
    again = appts.schedule(two_cases[0], "other", at(10, 30), at(10, 45), room="Room 1",
                           location="Main office", staff_id=org.ids["caseworker"])
    assert again.status == "scheduled"


def test_a_conflict_in_a_case_i_cannot_see_does_not_name_it(org: Org) -> None:
    hidden = org.new_case("Hidden Person", share=False)
    visible = org.new_case("Visible Person")
    org.coordinator.appointments.schedule(hidden.id, "medical", at(14), at(15),
                                          interpreter="Mr Ali", interpreter_language="ar")
    with pytest.raises(AppointmentConflict) as exc:
        org.legal.appointments.schedule(visible.id, "legal_consultation", at(14), at(15),
                                        interpreter="Mr Ali", interpreter_language="ar")
    message = str(exc.value)
    assert "interpreter is already booked" in message
    assert hidden.code not in message and "Hidden" not in message and hidden.id not in message
