"""The case's Timeline tab, driven through the real widgets: a legal volunteer adds events
from the keyboard (with an approximate date), they are listed in date order, one is
corrected in place, a colleague's change meanwhile is refused; a reader who may not record
the timeline sees no form."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from ui.cases.tabs.timeline import TimelineTab

from .test_case_history import open_workspace

TODAY = dt.date.today()


def _tab(qtbot, office, who: str = "legal") -> TimelineTab:
    workspace = open_workspace(qtbot, office, who)
    tab = workspace.show_tab("timeline")
    assert isinstance(tab, TimelineTab)
    return tab


def _cells(tab: TimelineTab, column: int) -> list[str]:
    return [tab.table.item(r, column).text() for r in range(tab.table.rowCount())]


def test_events_are_added_listed_in_order_and_corrected(qtbot, office):
    tab = _tab(qtbot, office)
    assert tab.editor is not None and tab.table.rowCount() == 0
    tab.form.put({"stage": "escape", "date_from": (TODAY - dt.timedelta(days=30)).isoformat(),
                  "place": "Lyon", "country": "FR", "source": "survivor",
                  "description": "Left at night.\nA neighbour helped."})
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    assert tab.done.text() == "The event was added to the timeline.", tab.message.text()
    assert tab.form["place"].get() == "" and not tab.has_unsaved()

    # from the keyboard: Space on the form's button adds
    tab.form.put({"stage": "recruitment", "date_from": "2023-04-01", "approximate": True,
                  "place": "Iasi", "country": "RO"})
    tab.add_button.setFocus()
    qtbot.keyClick(tab.add_button, Qt.Key.Key_Space)
    assert tab.table.rowCount() == 2, tab.message.text()
    assert _cells(tab, 1) == ["Recruitment", "Escape"]  # by date
    assert _cells(tab, 0)[0].startswith("about ") and "2023" in _cells(tab, 0)[0]
    assert _cells(tab, 3) == ["Romania", "France"]
    assert _cells(tab, 4)[1] == "The survivor's own account"
    assert _cells(tab, 5)[1] == "Left at night."  # the first line

    # corrected in place: Enter on the row loads it, Save changes keeps it
    editor = tab.editor
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    assert editor.editing and tab.form["place"].get() == "Iasi"
    assert tab.form["approximate"].get() is True
    tab.form.put({"place": "Vaslui"})
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not editor.editing and tab.done.text() == "The event was changed."
    assert _cells(tab, 2) == ["Vaslui", "Lyon"]
    events = office.legal.timeline.list(office.record.id)
    assert [e.place for e in events] == ["Vaslui", "Lyon"] and events[0].row_version == 2


def test_a_colleagues_change_meanwhile_is_refused(qtbot, office):
    event = office.coordinator.timeline.add(office.record.id, "transit", place="Bus")
    tab = _tab(qtbot, office)
    editor = tab.editor
    assert editor is not None
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Down)
    assert editor.edit_selected()
    office.coordinator.timeline.update(event.id, stage="transit", place="Train",
                                       version=event.row_version)
    tab.form.put({"place": "Plane"})
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert "Someone else changed this record" in tab.message.text() and editor.editing
    assert _cells(tab, 2) == ["Train"]


def test_a_refused_event_says_why_beside_the_field(qtbot, office):
    tab = _tab(qtbot, office, "caseworker")
    tab.form.put({"stage": "transit", "approximate": True})
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    assert tab.table.rowCount() == 0
    assert "approximate date needs a date" in tab.form["date_from"].message.text()
