"""The case's Proceedings tab, through the real widgets: a legal volunteer records a
prosecution, moves it to a new stage (the reminder to tell the survivor appears, in the
table and the case header), records that she was told (the reminder goes), and ticks the
measures granted; a caseworker reads it without a form."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from ui.cases.tabs.base import select_row
from ui.cases.tabs.proceedings import ProceedingsTab

from .test_case_history import open_workspace, plain

TODAY = dt.date.today()


def _cells(tab: ProceedingsTab, row: int = 0) -> list[str]:
    return [tab.table.item(row, c).text() for c in range(tab.table.columnCount())]


def test_a_prosecution_is_recorded_moved_on_and_she_is_told(qtbot, office):
    workspace = open_workspace(qtbot, office, "legal")
    tab = workspace.show_tab("proceedings")
    assert isinstance(tab, ProceedingsTab) and tab.editor is not None
    tab.form.put({"authority_kind": "prosecutor", "authority": "District prosecutor",
                  "reference": "PR-2026-77", "role": "injured_party", "stage": "investigation",
                  "requested": ["video_testimony", "screens"],
                  "next_hearing": (TODAY + dt.timedelta(days=30)).isoformat()})
    qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    assert tab.done.text() == "The proceedings were recorded.", tab.message.text()
    assert _cells(tab)[:4] == ["Prosecutor · District prosecutor", "PR-2026-77",
                               "Injured party", "Investigation"]
    assert _cells(tab)[6] == "Yes"  # she knew of the stage it was recorded at
    assert plain(workspace.deadline.text()).startswith("Next legal deadline: Next hearing")

    # moved on to the charge: the reminder to tell her
    editor = tab.editor
    tab.table.setFocus()
    select_row(tab.table, 0)
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    assert editor.editing and not tab.form["survivor_told"].widget.isVisibleTo(tab)
    tab.form.put({"stage": "charge", "granted": ["video_testimony"]})
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not editor.editing, tab.message.text()
    assert _cells(tab)[3] == "Charge" and _cells(tab)[6] == "Not yet"
    assert "Tell the survivor of the new stage" in workspace.deadline.text()

    panel = tab.informed
    assert panel.proceeding_id == tab.ids[0] and panel.stage.currentData() == "charge"
    panel.method.setCurrentIndex(panel.method.findData("in_person"))
    qtbot.keyClicks(panel.note, "Explained what a charge means, with the interpreter.")
    qtbot.mouseClick(panel.inform_button, Qt.MouseButton.LeftButton)
    assert "she was told of the stage" in plain(panel.done.text()), panel.message.text()
    assert _cells(tab)[6] == "Yes"
    assert panel.table.rowCount() == 1
    assert panel.table.item(0, 1).text() == "Charge"
    assert panel.table.item(0, 2).text() == "In person"
    assert "Tell the survivor" not in workspace.deadline.text()
    p = office.legal.proceedings.get(tab.ids[0])
    assert p.granted == ("video_testimony",) and p.requested == ("screens", "video_testimony")


def test_a_reader_who_may_not_record_sees_no_form(qtbot, office):
    office.coordinator.proceedings.open(office.record.id, authority_kind="police",
                                        role="witness", stage="report")
    workspace = open_workspace(qtbot, office, "caseworker")
    tab = workspace.show_tab("proceedings")
    assert isinstance(tab, ProceedingsTab)
    assert tab.editor is None and tab.informed.editing is None
    assert _cells(tab)[2:4] == ["Witness", "Report"]


def test_the_next_hearing_is_booked_as_an_appointment(qtbot, office):
    proceedings = office.legal.proceedings
    without = proceedings.open(office.record.id, authority_kind="police", role="witness",
                               stage="report")
    hearing = TODAY + dt.timedelta(days=20)
    proceedings.open(office.record.id, authority_kind="court", role="injured_party",
                     stage="trial", next_hearing=hearing)
    workspace = open_workspace(qtbot, office, "legal")
    tab = workspace.show_tab("proceedings")
    assert isinstance(tab, ProceedingsTab) and tab.book_button.isVisible()
    select_row(tab.table, tab.ids.index(without.id))
    qtbot.mouseClick(tab.book_button, Qt.MouseButton.LeftButton)
    assert "No next hearing is recorded" in tab.message.text()
    select_row(tab.table, 1 - tab.ids.index(without.id))
    qtbot.mouseClick(tab.book_button, Qt.MouseButton.LeftButton)
    appointments = workspace.tabs.currentWidget()
    assert appointments is workspace.tab("appointments")
    assert appointments.form["appointment_type"].get() == "court_hearing"
    assert appointments.starts.date.value() == hearing
    assert appointments.starts.value() is None, "no time is made up"
    assert appointments.starts.time.edit.hasFocus()
    qtbot.keyClicks(appointments.starts.time.edit, "10:30 AM")
    qtbot.mouseClick(appointments.book_button, Qt.MouseButton.LeftButton)
    assert appointments.done.text() == "The appointment was booked.", \
        appointments.form["starts_at"].message.text()
    [booked] = office.legal.appointments.list_for_case(office.record.id)
    assert booked.appointment_type == "court_hearing"
    assert booked.starts_at.astimezone().replace(tzinfo=None) == dt.datetime.combine(
        hearing, dt.time(10, 30))
