"""What the workspace's list tabs share: a read-only table, messages, and forgetting.

Each tab shows one kind of record of one case (consents, services, referrals…) in a
``QTableWidget`` (small lists, all rows at once) and, when the user may add to it, a form
under the table.  Service calls run on the GUI thread: they touch one case and take a
few milliseconds.  Refusals are shown in the tab, beside the field they name when they
name one.

Something typed in a tab's add form and not yet recorded counts as unsaved work, like an
edited profile: closing the case or locking by hand asks Save / Discard / Cancel (Save
records it with the tab's own button action, ``submit``).  Auto-lock and quick exit never
ask, and these half-typed add forms are then **discarded**, not kept: only the profile's
edits are kept as a draft in the vault.  Nothing typed is ever written outside the vault.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QSignalBlocker
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shelter_app.errors import ShelterError, ValidationError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import format_date
from shelter_app.services.registry import Services

from ...background import Background
from ...widgets import MessageLabel, named
from ..form import Form

DONE_STYLE = "font-weight: 600;"


def select_row(table: QTableWidget, row: int) -> None:
    """Make *row* the table's current and only selected row.  (``selectRow`` and
    ``setCurrentCell`` select nothing in a right-to-left layout; the selection model does.)"""
    flags = QItemSelectionModel.SelectionFlag
    table.selectionModel().setCurrentIndex(table.model().index(row, 0),
                                           flags.ClearAndSelect | flags.Rows)


def record_table(headers: Sequence[str], name: str, lines: int,
                 stretch: Sequence[int] = ()) -> QTableWidget:
    """A read-only table of records, one selected at a time, at least *lines* high; its
    columns fit their content, and those in *stretch* (else the last) take the room."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    for column in stretch:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    header.setStretchLastSection(not stretch)
    table.setMinimumHeight(table.fontMetrics().height() * lines)
    named(table, name)
    return table


def put_cells(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    """Show *rows* of texts, each cell's whole text in its tooltip."""
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(r, c, item)


def day_text(value: dt.date | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return format_date(value)


class ListTab(QWidget):
    """A table of one case's records, a message line, and an optional form below."""

    def __init__(self, services: Services, background: Background, case_id: str,
                 headers: Sequence[str], name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.background = background
        self.case_id = case_id
        self.ids: list[str] = []
        self.table = record_table(headers, name, 9)
        self.table.setTabKeyNavigation(False)
        self.message = MessageLabel()
        self.done = MessageLabel(DONE_STYLE)
        self.done.setAccessibleName(_("Saved"))
        self.form = Form(self)
        self.submit: Callable[[], Any] | None = None  # records what the add form holds
        self._clean: dict[str, Any] = {}
        # Everything scrolls together, so a long form never makes the window grow (200 %).
        inner = QWidget()
        self.layout_ = QVBoxLayout(inner)
        self.scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.layout_.addWidget(self.table, 1)
        self.layout_.addWidget(self.done)
        self.layout_.addWidget(self.message)

    def group(self, title: str) -> QGroupBox:
        box = QGroupBox(title)
        self.layout_.addWidget(box)
        return box

    def fill(self, rows: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Show *rows* as (record id, cells)."""
        self.ids = [row_id for row_id, _cells in rows]
        put_cells(self.table, [cells for _row_id, cells in rows])

    # told after each reading by fill_keeping (the workspace sets it on its legal tabs: the
    # header's next deadline follows)
    changed: Callable[[], object] | None = None

    def fill_keeping(self, rows: Sequence[tuple[str, Sequence[str]]]) -> str | None:
        """Show *rows* with the record that was selected (else the first) selected again,
        in one selection change, and tell ``changed``.  Returns the selected id."""
        chosen = self.selected_id() or (rows[0][0] if rows else None)
        with QSignalBlocker(self.table.selectionModel()):
            self.fill(rows)
            if chosen in self.ids:
                select_row(self.table, self.ids.index(chosen))
        if self.changed is not None:
            self.changed()
        return self.selected_id()

    def selected_id(self) -> str | None:
        selected = self.table.selectionModel().selectedRows()
        row = selected[0].row() if selected else self.table.currentRow()
        return self.ids[row] if 0 <= row < len(self.ids) else None

    def attempt(self, action: Callable[[], Any], done: str = "", *, prefix: str = "") -> Any:
        """Run a service call; show its refusal beside the field it names, or above."""
        self.message.clear_message()
        self.done.clear_message()
        if not self.form.check_fields():  # a date that cannot be read, shown beside it
            return None
        try:
            result = action()
        except ValidationError as exc:
            if not self.form.show_error(exc, prefix=prefix):
                self.message.show_message(exc.message)
            return None
        except ShelterError as exc:
            self.message.show_message(exc.message)
            return None
        if done:
            self.done.show_message(done)
        self.refresh()
        return result if result is not None else True

    def refresh(self) -> None:
        """Load this tab's records again (each tab defines it)."""

    # -- half-typed add forms ------------------------------------------------------------
    def _typed_fields(self) -> list[str]:
        return [name for name, field in self.form.fields.items()
                if isinstance(field.focus, QLineEdit | QPlainTextEdit)]

    def mark_clean(self) -> None:
        """What the add form holds now is nothing to save (built, or just recorded)."""
        self._clean = {name: self.form[name].get() for name in self._typed_fields()}
        if getattr(self, "_draft_restored", False):  # what came back was recorded
            self._draft_restored = False
            self._drop_draft()

    def has_unsaved(self) -> bool:
        """Something typed in the add form and not recorded."""
        return self.submit is not None and any(
            self.form[name].get() != self._clean.get(name, "")
            for name in self._typed_fields())

    def save_form(self) -> bool:
        """Record what was typed (False, with the reason shown, when it was refused)."""
        if not self.has_unsaved() or self.submit is None:
            return True
        self.submit()
        if self.has_unsaved():
            return False
        self._drop_draft()
        return True

    def discard_form(self) -> None:
        """Forget what was typed in the add form."""
        self.form.put({name: self._clean.get(name, "") for name in self._typed_fields()})
        self.message.clear_message()
        self._drop_draft()

    # -- kept inside the vault when a session ends without asking ------------------------
    draft_kind: str | None = None  # the drafts service's kind for this tab's add form

    def keep_draft(self) -> None:
        """At auto-lock or quick exit: keep what was typed as a draft in the vault (never
        anywhere else), to be offered again when this case is next opened."""
        if self.draft_kind is None or not self.has_unsaved():
            return
        changes = {name: {"from": self._clean.get(name, ""), "to": self.form[name].get()}
                   for name in self._typed_fields()
                   if self.form[name].get() != self._clean.get(name, "")}
        with contextlib.suppress(ShelterError):  # the session is ending: never block it
            self.services.drafts.save(self.draft_kind, changes, case_id=self.case_id)

    def restore_draft(self) -> None:
        """Put back what was typed before the last lock, if anything was kept."""
        if self.draft_kind is None or self.submit is None:
            return
        try:
            draft = self.services.drafts.get(self.draft_kind, case_id=self.case_id)
        except ShelterError:
            return
        if draft is None:
            return
        typed = set(self._typed_fields())
        self.form.put({name: change.get("to", "") for name, change in draft.changes.items()
                       if name in typed})
        self._draft_restored = True
        self.done.show_message(_("What you had typed here before the lock is back. Record it "
                                 "or clear it."))

    def _drop_draft(self) -> None:
        if self.draft_kind is not None:
            with contextlib.suppress(ShelterError):
                self.services.drafts.discard(self.draft_kind, case_id=self.case_id)

    def forget(self) -> None:
        """Drop every record shown or typed (the session is ending)."""
        self.ids = []
        self.table.setRowCount(0)
        self.form.forget()
        self.message.clear_message()
        self.done.clear_message()

