"""Editing an appointment, the printed day list and the bookable staff list."""

from __future__ import annotations

import datetime as dt

import pytest

from shelter_app.errors import NotFound, PermissionDenied, ValidationError
from shelter_app.services.appointments import AppointmentConflict
from tests.records.conftest import Org

DAY = dt.date.today() + dt.timedelta(days=7)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def test_moving_an_appointment_checks_conflicts_but_not_against_itself(org: Org) -> None:
    first, second = org.new_case("Ana First").id, org.new_case("Ben Second").id
    appts = org.caseworker.appointments
    a = appts.schedule(first, "medical", at(9), at(10), room="Room 1", location="Main office")
    b = appts.schedule(second, "legal_consultation", at(11), at(12), room="Room 1",
                       location="Main office")
    # later by half an hour: overlaps only with itself, which is no conflict
    moved = appts.update(a.id, row_version=a.row_version, appointment_type="medical",
                         starts_at=at(9, 30), ends_at=at(10, 30), room="Room 1",
                         location="Main office")
    assert (moved.starts_at, moved.ends_at) == (at(9, 30).astimezone(), at(10, 30).astimezone())
    assert moved.row_version == a.row_version + 1 and moved.case_code == a.case_code
    with pytest.raises(AppointmentConflict) as exc:
        appts.update(a.id, row_version=moved.row_version, appointment_type="medical",
                     starts_at=at(11, 30), ends_at=at(12, 30), room="Room 1",
                     location="Main office")
    assert [(c.kind, c.appointment_id) for c in exc.value.conflicts] == [("room", b.id)]
    assert appts.get(a.id) == moved  # nothing changed
    forced = appts.update(a.id, row_version=moved.row_version, appointment_type="other",
                          starts_at=at(11, 30), ends_at=at(12, 30), room="Room 1",
                          location="Main office", allow_conflicts=True)
    assert forced.appointment_type == "other" and forced.starts_at == at(11, 30).astimezone()
    event = org.audit("record.updated")[-1]
    assert event["target_id"] == a.id
    assert event["details"]["fields"] == ["appointment_type", "ends_at", "starts_at"]


def test_an_edit_from_a_stale_form_is_refused(org: Org) -> None:
    case_id = org.new_case().id
    a = org.caseworker.appointments.schedule(case_id, "medical", at(9), at(10))
    org.coordinator.appointments.set_status(a.id, "confirmed")
    with pytest.raises(ValidationError, match="Someone else changed"):
        org.caseworker.appointments.update(a.id, row_version=a.row_version,
                                           appointment_type="medical", starts_at=at(13),
                                           ends_at=at(14))
    assert org.caseworker.appointments.get(a.id).starts_at == at(9).astimezone()


def test_edits_are_checked_like_new_appointments(org: Org) -> None:
    case_id = org.new_case().id
    a = org.caseworker.appointments.schedule(case_id, "medical", at(9), at(10))
    with pytest.raises(ValidationError, match="must end after") as exc:
        org.caseworker.appointments.update(a.id, row_version=a.row_version,
                                           appointment_type="medical", starts_at=at(10),
                                           ends_at=at(9))
    assert exc.value.field == "ends_at"


def test_only_people_who_may_manage_the_case_can_edit(org: Org) -> None:
    hidden = org.new_case("Hidden Person", share=False).id
    a = org.coordinator.appointments.schedule(hidden, "medical", at(9), at(10))
    for who in (org.other_caseworker, org.legal):
        with pytest.raises(NotFound):
            who.appointments.update(a.id, row_version=a.row_version, appointment_type="medical",
                                    starts_at=at(12), ends_at=at(13))
    with pytest.raises(PermissionDenied):
        org.admin.appointments.update(a.id, row_version=a.row_version,
                                      appointment_type="medical", starts_at=at(12),
                                      ends_at=at(13))
    assert org.coordinator.appointments.get(a.id).starts_at == at(9).astimezone()


def test_day_sheet_lists_codes_of_visible_cases_and_is_recorded(org: Org) -> None:
    mine = org.new_case("Ana Visible")
    hidden = org.new_case("Hidden Person", share=False)
    appts = org.coordinator.appointments
    appts.schedule(mine.id, "court_hearing", at(14), at(15), room="3", location="Court",
                   interpreter="Ms Tran", interpreter_language="vi")
    appts.schedule(mine.id, "medical", at(9), at(10))
    cancelled = appts.schedule(mine.id, "other", at(11), at(12))
    appts.set_status(cancelled.id, "cancelled")
    appts.schedule(hidden.id, "medical", at(16), at(17))
    appts.schedule(mine.id, "medical", at(9, day=DAY + dt.timedelta(days=1)),
                   at(10, day=DAY + dt.timedelta(days=1)))

    sheet = org.legal.appointments.day_sheet(DAY)
    assert [(line.starts_at.hour, line.case_code, line.appointment_type) for line in sheet] == [
        (at(9).astimezone().hour, mine.code, "medical"),
        (at(14).astimezone().hour, mine.code, "court_hearing")]
    assert (sheet[1].room, sheet[1].interpreter, sheet[1].interpreter_language) == (
        "3", "Ms Tran", "vi")
    assert "Ana" not in repr(sheet) and "Visible" not in repr(sheet)
    printed = org.audit("data.print")[-1]
    assert printed["actor_id"] == org.ids["legal"]
    assert printed["details"] == {"format": "day_list", "count": 2}
    assert len(org.coordinator.appointments.day_sheet(DAY)) == 3
    with pytest.raises(PermissionDenied):
        org.admin.appointments.day_sheet(DAY)


def test_staff_lists_bookable_people_not_the_administrator(org: Org) -> None:
    org.admin.accounts.disable("other_legal")
    staff = {s.name: s for s in org.caseworker.appointments.staff()}
    assert set(staff) == {"coordinator", "caseworker", "other_caseworker", "legal",
                          "other_legal"}
    assert not staff["other_legal"].active and staff["legal"].active
    assert staff["caseworker"].id == org.ids["caseworker"]
    with pytest.raises(PermissionDenied):
        org.admin.appointments.staff()
