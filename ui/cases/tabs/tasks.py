"""The Tasks tab: this case's short to-do list — what, who, by when, and done.

Open tasks come first (the earliest due first), then the done ones.  The box in the first
column ticks a task; with the keyboard, **Space** ticks or unticks the selected task and
**Enter** (or a double click, or "Edit…") puts it in the form below to be changed.  The
form adds a task when nothing is being changed; Enter in "What" records it.  Who may be
chosen: the people the core says may work on the case (``TaskService.assignees``), or
nobody yet.  A refusal (someone else changed the task meanwhile, a person who no longer
works on the case) is shown in the tab; the list is read again either way.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QStyle,
    QTableWidgetItem,
    QWidget,
)

from shelter_app.domain.roles import Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill, format_datetime
from shelter_app.services.registry import Services
from shelter_app.services.tasks import Task

from ...agenda.common import select_row
from ...background import Background
from ...widgets import named
from .. import form as f
from .base import ListTab, day_text

DONE, WHAT, WHO, DUE, DONE_BY = range(5)
EDITING = "editing"  # the draft's note of the task being changed


def who_text(task: Task) -> str:
    if not task.assigned_to:
        return _("Nobody yet")
    if not task.assignee_on_case:
        return fill(_("{name} (no longer on this case)"), name=task.assignee_name)
    return task.assignee_name


def done_text(task: Task) -> str:
    if task.done_at is None:
        return ""
    return fill(_("{name}, {when}"), name=task.done_by_name,
                when=format_datetime(task.done_at.astimezone()))


class TasksTab(ListTab):
    draft_kind = "task_form"

    def __init__(self, services: Services, background: Background, case_id: str,
                 scope: Scope, parent: QWidget | None = None) -> None:
        super().__init__(services, background, case_id,
                         [_("Done"), _("What"), _("Who"), _("Due"), _("Done by")],
                         _("Tasks"), parent)
        self.table.setAccessibleDescription(_(
            "Space ticks or unticks the selected task; Enter edits it."))
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(WHAT, QHeaderView.ResizeMode.Stretch)
        self.tasks: dict[str, Task] = {}
        self.editing: Task | None = None
        self.tick_button = QPushButton(_("Ma&rk done"))
        named(self.tick_button, _("Mark done"),
              _("Mark the selected task done, or open again (Space in the list)"))
        self.tick_button.clicked.connect(self.toggle_selected)
        self.change_button = QPushButton(_("&Edit…"))
        named(self.change_button, _("Edit"),
              _("Put the selected task in the form below to change it (Enter in the list)"))
        self.change_button.clicked.connect(self.edit_selected)
        row = QHBoxLayout()
        row.addWidget(self.tick_button)
        row.addWidget(self.change_button)
        row.addStretch(1)
        self.layout_.insertLayout(1, row)

        self.box = self.group(_("Add a task"))
        layout = QFormLayout(self.box)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.add(layout, f.line("what", _("&What:"), max_length=200,
                                     placeholder=_("For example: book an interpreter")))
        self.form.add(layout, f.options("assigned_to", _("Wh&o:"), self._people()))
        self.form.add(layout, f.date("due_on", _("&Due (optional):")))
        self.save_button = QPushButton(_("&Add task"))
        named(self.save_button, _("Add task"))
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton(_("&Cancel change"))
        named(self.cancel_button, _("Cancel change"), _("Leave the task as it was"))
        self.cancel_button.clicked.connect(self.cancel_edit)
        self.cancel_button.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout.addRow("", buttons)
        what = self.form["what"].focus
        assert isinstance(what, QLineEdit)
        what.returnPressed.connect(self.save)
        self.submit = self.save
        self.table.itemChanged.connect(self._box_clicked)
        self.table.itemDoubleClicked.connect(lambda _item: self.edit_selected())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.installEventFilter(self)
        QWidget.setTabOrder(self.table, self.tick_button)
        QWidget.setTabOrder(self.tick_button, self.change_button)
        QWidget.setTabOrder(self.change_button, what)
        self.refresh()

    def _people(self) -> list[tuple[str, str]]:
        try:
            people = self.services.tasks.assignees(self.case_id)
        except ShelterError:
            people = []
        return [("", _("Nobody yet")), *people]

    # -- the list -------------------------------------------------------------------------
    def refresh(self) -> None:
        keep = self.selected_id()
        tasks = self.services.tasks.list_for_case(self.case_id)
        self.tasks = {t.id: t for t in tasks}
        today = dt.date.today()
        self.table.blockSignals(True)
        try:
            self.fill([(t.id, ["", t.what, who_text(t), day_text(t.due_on), done_text(t)])
                       for t in tasks])
            warning = QApplication.style().standardIcon(
                QStyle.StandardPixmap.SP_MessageBoxWarning)
            for row, task in enumerate(tasks):
                box = self.table.item(row, DONE)
                box.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                             | Qt.ItemFlag.ItemIsUserCheckable)
                box.setCheckState(Qt.CheckState.Checked if task.done
                                  else Qt.CheckState.Unchecked)
                state = _("Done") if task.done else _("Open")
                box.setData(Qt.ItemDataRole.AccessibleTextRole, state)
                box.setToolTip(state)
                if task.overdue(today):
                    due = self.table.item(row, DUE)
                    due.setText(_("Overdue: {date}").format(date=day_text(task.due_on)))
                    due.setIcon(warning)
                    font = QFont(due.font())
                    font.setBold(True)
                    due.setFont(font)
        finally:
            self.table.blockSignals(False)
        if keep in self.ids:
            select_row(self.table, self.ids.index(keep))
        self._update_buttons()

    def selected_task(self) -> Task | None:
        task_id = self.selected_id()
        return self.tasks.get(task_id) if task_id else None

    def _update_buttons(self) -> None:
        chosen = self.selected_task()
        self.tick_button.setEnabled(chosen is not None)
        self.change_button.setEnabled(chosen is not None and not chosen.done)
        if chosen is not None:
            self.tick_button.setText(_("Ma&rk not done") if chosen.done else _("Ma&rk done"))
            named(self.tick_button, self.tick_button.text().replace("&", ""))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and isinstance(event, QKeyEvent) and \
                event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Space, Qt.Key.Key_Select) and self.selected_task():
                self.toggle_selected()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.selected_task():
                self.edit_selected()
                return True
        return super().eventFilter(watched, event)

    # -- ticking --------------------------------------------------------------------------
    def _box_clicked(self, item: QTableWidgetItem) -> None:
        if item.column() != DONE or not 0 <= item.row() < len(self.ids):
            return
        task = self.tasks.get(self.ids[item.row()])
        if task is not None:
            select_row(self.table, item.row())
            self._set_done(task, item.checkState() == Qt.CheckState.Checked)

    def toggle_selected(self) -> None:
        task = self.selected_task()
        if task is None:
            self.message.show_message(_("Choose a task in the list first."))
            return
        self._set_done(task, not task.done)

    def _set_done(self, task: Task, done: bool) -> None:
        result = self.attempt(lambda: self.services.tasks.set_done(
            task.id, done, row_version=task.row_version),
            _("The task is done.") if done else _("The task is open again."))
        if result is None:
            self.refresh()  # the refusal stands; the box shows what is recorded
        self.table.setFocus()

    # -- adding and changing ----------------------------------------------------------------
    def edit_selected(self) -> None:
        task = self.selected_task()
        if task is None:
            self.message.show_message(_("Choose a task in the list first."))
            return
        if task.done:
            self.message.show_message(_("Untick the task first to change it."))
            return
        self._start_edit(task)
        self.done.clear_message()
        self.message.clear_message()
        self.form.put({"what": task.what, "assigned_to": task.assigned_to or "",
                       "due_on": task.due_on.isoformat() if task.due_on else ""})
        self.mark_clean()
        self.form["what"].focus.setFocus()

    def _start_edit(self, task: Task) -> None:
        self.editing = task
        if task.assigned_to and self.form["assigned_to"].widget.findData(task.assigned_to) < 0:
            combo = self.form["assigned_to"].widget
            combo.addItem(who_text(task), task.assigned_to)  # type: ignore[attr-defined]
        self.box.setTitle(_("Change the task"))
        self.save_button.setText(_("&Save change"))
        named(self.save_button, _("Save change"))
        self.cancel_button.show()

    def cancel_edit(self) -> None:
        self.editing = None
        self.box.setTitle(_("Add a task"))
        self.save_button.setText(_("&Add task"))
        named(self.save_button, _("Add task"))
        self.cancel_button.hide()
        self.form.put({"what": "", "assigned_to": "", "due_on": ""})
        self.mark_clean()
        self._drop_draft()
        self.table.setFocus()

    def save(self) -> None:
        v = self.form.values()
        editing = self.editing
        if editing is None:
            done = self.attempt(lambda: self.services.tasks.create(
                self.case_id, v["what"], assigned_to=v["assigned_to"] or None,
                due_on=v["due_on"] or None), _("The task was added."))
        else:
            done = self.attempt(lambda: self.services.tasks.update(
                editing.id, row_version=editing.row_version, what=v["what"],
                assigned_to=v["assigned_to"] or None, due_on=v["due_on"] or None),
                _("The task was changed."))
        if not done:
            self.refresh()  # the list shows what is recorded; what was typed stays
        elif editing is not None:
            self.cancel_edit()
            self.done.show_message(_("The task was changed."))
        else:
            self.form.put({"what": "", "due_on": ""})
            self.mark_clean()
            self.form["what"].focus.setFocus()

    # -- kept across a lock (auto-lock, quick exit) -----------------------------------------
    def keep_draft(self) -> None:
        """As every add form; a change in progress also notes which task it was."""
        if self.editing is None or not self.has_unsaved():
            super().keep_draft()
            return
        changes = {name: {"from": self._clean.get(name, ""), "to": self.form[name].get()}
                   for name in self._typed_fields()}
        changes[EDITING] = {"from": self.editing.row_version, "to": self.editing.id}
        with contextlib.suppress(ShelterError):  # the session is ending: never block it
            self.services.drafts.save(self.draft_kind, changes, case_id=self.case_id)

    def restore_draft(self) -> None:
        try:
            draft = self.services.drafts.get(self.draft_kind, case_id=self.case_id)
        except ShelterError:
            return
        if draft is None:
            return
        editing = draft.changes.get(EDITING, {})
        task = self.tasks.get(str(editing.get("to", "")))
        if task is not None and not task.done:
            # the version the change started from: a change made since is refused on save
            self._start_edit(task)
            self.editing = dataclasses.replace(task, row_version=int(editing.get("from", 0)))
            self.form.put({"assigned_to": task.assigned_to or ""})
        typed = set(self._typed_fields())
        self.form.put({name: change.get("to", "") for name, change in draft.changes.items()
                       if name in typed})
        self._draft_restored = True
        self.done.show_message(_("What you had typed here before the lock is back. Record it "
                                 "or clear it."))

    def forget(self) -> None:
        self.tasks = {}
        self.editing = None
        super().forget()
