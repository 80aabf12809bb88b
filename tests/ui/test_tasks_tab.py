"""The Tasks tab of a case, by keyboard and by mouse: add, edit, tick, untick, refusals."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QPoint, Qt

from tests.bidi import plain
from ui.cases.section import CasesSection
from ui.cases.tabs.tasks import DONE, DUE, WHAT, WHO, TasksTab
from ui.cases.workspace import CaseWorkspace

from .case_helpers import CANARY, keep, unnamed_controls

TODAY = dt.date.today()


def tasks_tab(qtbot, office, who: str = "caseworker") -> TasksTab:
    section = keep(CasesSection(getattr(office, who), office.background))
    section.resize(1000, 800)
    with qtbot.waitActive(section):
        section.show()
        section.activateWindow()
    workspace = section.open_case(office.record.id)
    assert isinstance(workspace, CaseWorkspace)
    tab = workspace.show_tab("tasks")
    assert isinstance(tab, TasksTab)
    return tab


def cells(tab: TasksTab, column: int) -> list[str]:
    return [tab.table.item(r, column).text() for r in range(tab.table.rowCount())]


def test_add_edit_and_tick_with_the_keyboard_alone(qtbot, office):
    tab = tasks_tab(qtbot, office)
    assert unnamed_controls(tab) == []
    what = tab.form["what"].focus
    who = tab.form["assigned_to"].widget
    assert who.currentText() == "Nobody yet", "the form never guesses who"
    assert [who.itemText(i) for i in range(who.count())] == [
        "Nobody yet", "Casey Worker", "Cora Coordinator", "Lee Legal"]
    what.setFocus()
    qtbot.keyClicks(what, "Book an interpreter")
    qtbot.keyClick(what, Qt.Key.Key_Tab)
    assert who.hasFocus()
    qtbot.keyClick(who, Qt.Key.Key_Down)  # Casey Worker
    qtbot.keyClick(who, Qt.Key.Key_Tab)
    due = tab.form["due_on"].focus
    assert due.hasFocus()
    qtbot.keyClicks(due, (TODAY - dt.timedelta(days=1)).isoformat())
    qtbot.keyClick(what, Qt.Key.Key_Return)  # Enter in "What" records the task
    assert tab.done.text() == "The task was added."
    assert cells(tab, WHAT) == ["Book an interpreter"] and cells(tab, WHO) == ["Casey Worker"]
    assert cells(tab, DUE)[0].startswith("Overdue: ")
    assert tab.table.item(0, DUE).font().bold()
    assert what.text() == "" and not tab.has_unsaved()

    # Enter on the task puts it in the form; Enter in "What" saves the change
    tab.table.setFocus()
    tab.table.selectRow(0)
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    assert tab.box.title() == "Change the task" and what.hasFocus()
    assert what.text() == "Book an interpreter"
    qtbot.keyClicks(what, " (Dari)")
    qtbot.keyClick(what, Qt.Key.Key_Return)
    assert cells(tab, WHAT) == ["Book an interpreter (Dari)"]
    assert tab.box.title() == "Add a task" and tab.done.text() == "The task was changed."

    # Space ticks and unticks
    tab.table.setFocus()
    tab.table.selectRow(0)
    qtbot.keyClick(tab.table, Qt.Key.Key_Space)
    assert tab.table.item(0, DONE).checkState() == Qt.CheckState.Checked
    assert tab.tick_button.text() == "Ma&rk not done" and not tab.change_button.isEnabled()
    assert plain(tab.table.item(0, 4).text()).startswith("Casey Worker, ")
    qtbot.keyClick(tab.table, Qt.Key.Key_Space)
    assert tab.table.item(0, DONE).checkState() == Qt.CheckState.Unchecked
    task = office.caseworker.tasks.list_for_case(office.record.id)[0]
    assert not task.done and task.what == "Book an interpreter (Dari)"


def test_the_box_ticks_with_the_mouse(qtbot, office):
    office.coordinator.tasks.create(office.record.id, "Renew the bus pass")
    tab = tasks_tab(qtbot, office)
    rect = tab.table.visualItemRect(tab.table.item(0, DONE))
    box = QPoint(rect.left() + 10, rect.center().y())
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=box)
    assert tab.table.item(0, DONE).checkState() == Qt.CheckState.Checked
    assert office.caseworker.tasks.list_for_case(office.record.id)[0].done
    qtbot.mouseClick(tab.tick_button, Qt.MouseButton.LeftButton)
    assert not office.caseworker.tasks.list_for_case(office.record.id)[0].done


def test_a_change_made_meanwhile_is_refused_not_overwritten(qtbot, office):
    task = office.coordinator.tasks.create(office.record.id, "Collect the police report")
    tab = tasks_tab(qtbot, office)
    tab.table.selectRow(0)
    qtbot.mouseClick(tab.change_button, Qt.MouseButton.LeftButton)
    office.coordinator.tasks.update(task.id, row_version=1, what="Collect the report today")
    tab.form["what"].put("My version")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "Someone else changed" in tab.message.text()
    assert office.coordinator.tasks.get(task.id).what == "Collect the report today"
    assert tab.editing is not None, "what was typed stays, to copy or cancel"
    qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
    assert cells(tab, WHAT) == ["Collect the report today"] and tab.editing is None
    # ticking with an old version: refused, and the box shows what is recorded
    office.coordinator.tasks.update(task.id, row_version=2, what="Collect it")
    tab.table.selectRow(0)
    qtbot.keyClick(tab.table, Qt.Key.Key_Space)
    assert "Someone else changed" in tab.message.text()
    assert tab.table.item(0, DONE).checkState() == Qt.CheckState.Unchecked
    assert cells(tab, WHAT) == ["Collect it"]


def test_a_required_what_is_said_beside_the_field(qtbot, office):
    tab = tasks_tab(qtbot, office)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.form["what"].message.text() == "This field is required."
    assert tab.table.rowCount() == 0


def test_legal_volunteers_see_tasks_and_nothing_of_a_name(qtbot, office):
    office.coordinator.tasks.create(office.record.id, "Draft the statement",
                                    assigned_to=office.ids["legal"])
    tab = tasks_tab(qtbot, office, "legal")
    assert cells(tab, WHO) == ["Lee Legal"]
    tab.table.selectRow(0)
    qtbot.mouseClick(tab.tick_button, Qt.MouseButton.LeftButton)
    assert tab.table.item(0, DONE).checkState() == Qt.CheckState.Checked
    assert not any(CANARY in text for text in cells(tab, WHAT) + cells(tab, WHO))


def test_an_edit_in_progress_is_kept_at_a_lock_and_offered_again(qtbot, office):
    task = office.coordinator.tasks.create(office.record.id, "Ask about a school place")
    tab = tasks_tab(qtbot, office)
    tab.table.selectRow(0)
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    tab.form["what"].put("Ask about a school place for September")
    assert tab.has_unsaved()
    tab.keep_draft()  # what auto-lock and quick exit do
    again = tasks_tab(qtbot, office)  # the case opened again, in a new session's window
    assert again.editing is not None and again.editing.id == task.id
    assert again.form["what"].get() == "Ask about a school place for September"
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    assert office.caseworker.tasks.get(task.id).what == "Ask about a school place for September"
    assert office.caseworker.drafts.get("task_form", case_id=office.record.id) is None


def test_opened_at_a_task_in_right_to_left_it_is_selected(qtbot, office, qapp):
    task = office.coordinator.tasks.create(office.record.id, "Arrange a safe phone")
    qapp.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    try:
        section = keep(CasesSection(office.caseworker, office.background))
        section.show()
        workspace = section.open_case(office.record.id, "tasks", task.id)
        tab = workspace.built["tasks"]
        assert [i.row() for i in tab.table.selectionModel().selectedRows()] == [0]
        assert tab.selected_id() == task.id and tab.tick_button.isEnabled()
    finally:
        qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
