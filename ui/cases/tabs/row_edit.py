"""Changing a row of a case tab in place: select, Edit, Save changes or Cancel.

``RowEditor`` joins a tab's table and its form.  Edit (the button, a double click, or
Enter on a row) loads the row into the form, read fresh from the core with its row
version; the form's own button gives way to "Save changes" and "Cancel".  Saving passes
the version the form was filled from, so a colleague's change made meanwhile is refused
with the core's message and nothing is overwritten (Cancel, then Edit, shows their
version).  Everything is reachable from the keyboard: Tab to the table, arrows to a row,
Enter to edit; Alt+A saves, Alt+L cancels.

While a row is being changed, what is typed counts as unsaved work like any add form
(locking by hand asks, Save saves the change), but it is never kept as a draft: a change
brought back after a lock could be taken for a new row.  Saving or cancelling puts back
what the add form held before Edit, so a later add never takes the edited row's values by
surprise.

A tab's editor says what it edits (``load``) and how it is saved (``store``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QPushButton, QWidget

from shelter_app.errors import ShelterError
from shelter_app.i18n import _

from ...widgets import named
from .base import ListTab, select_row


def _button(text: str) -> QPushButton:
    button = QPushButton(text)
    named(button, text.replace("&", ""))
    button.setAutoDefault(False)
    return button


class Loaded:
    """A row read for editing: its id and version, the form's values, and what the tab
    says while it is being changed."""

    def __init__(self, row_id: str, version: int, values: dict[str, str], notice: str,
                 first: str) -> None:
        self.row_id, self.version, self.values = row_id, version, values
        self.notice, self.first = notice, first


class RowEditor:
    # What the editor says, marked with N_ by each tab and translated when shown.
    edit_text = ""  # the Edit button, with its mnemonic
    edit_tip = ""
    editing_title = ""  # the form's title while a row is changed
    select_first = ""  # said when Edit is asked with no row selected
    saved = ""  # said when the change is saved

    def __init__(self, tab: ListTab, layout: QFormLayout, new_button: QPushButton,
                 box: QGroupBox) -> None:
        self.tab = tab
        self.box = box
        self.new_button = new_button
        self.new_title = box.title()
        self.row: Loaded | None = None
        self._kept: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
        self.edit_button = _button(_(self.edit_text))
        self.edit_button.setToolTip(_(self.edit_tip))
        self.save_button = _button(_("S&ave changes"))
        self.cancel_button = _button(_("Cance&l"))
        self.edit_button.clicked.connect(self.edit_selected)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.cancel)
        tab.table.activated.connect(lambda _index: self.edit_selected())
        self.row_buttons = QHBoxLayout()
        self.row_buttons.addWidget(self.edit_button)
        self.row_buttons.addStretch(1)
        tab.layout_.insertLayout(tab.layout_.indexOf(tab.table) + 1, self.row_buttons)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        self.buttons = QWidget()
        self.buttons.setLayout(buttons)
        buttons.setContentsMargins(0, 0, 0, 0)
        layout.addRow("", self.buttons)
        self._new_submit = tab.submit
        self._draft_kind = tab.draft_kind
        self._show(False)

    # -- what a tab says ------------------------------------------------------------------
    def load(self, row_id: str) -> Loaded:
        """The row, read fresh; raises ShelterError with the reason it cannot be changed."""
        raise NotImplementedError

    def store(self, row: Loaded, values: dict[str, Any]) -> object:
        """Save *values* over *row* at its version (through the core)."""
        raise NotImplementedError

    # -- the editing ----------------------------------------------------------------------
    @property
    def editing(self) -> bool:
        return self.row is not None

    def _show(self, editing: bool) -> None:
        self.buttons.setVisible(editing)
        self.new_button.setVisible(not editing)
        self.edit_button.setEnabled(not editing)
        self.box.setTitle(_(self.editing_title) if editing else self.new_title)
        self.tab.submit = self.save if editing else self._new_submit
        self.tab.draft_kind = None if editing else self._draft_kind
        self.shown(editing)

    def shown(self, editing: bool) -> None:
        """A tab's other buttons follow (nothing by default)."""

    def edit_selected(self) -> bool:
        """Load the selected row into the form (False, with the reason, if it cannot be)."""
        row_id = self.tab.selected_id()
        self.tab.message.clear_message()
        if row_id is None:
            self.tab.message.show_message(_(self.select_first))
            self.tab.table.setFocus()
            return False
        if self.editing and self.tab.has_unsaved():
            self.tab.message.show_message(_("Save or cancel the change you are making "
                                            "first."))
            return False
        try:
            row = self.load(row_id)
        except ShelterError as exc:
            self.tab.message.show_message(exc.message)
            return False
        if not self.editing:  # what the add form held, to put back afterwards
            self._kept = (self.tab.form.values(), dict(self.tab._clean))
        self.row = row
        self.tab.form.put(row.values)
        self.tab.mark_clean()
        self._show(True)
        self.tab.done.show_message(row.notice)
        self.tab.form[row.first].focus.setFocus()
        return True

    def save(self) -> None:
        row = self.row
        if row is None:
            return
        values = self.tab.form.values()
        if self.tab.attempt(lambda: self.store(row, values), _(self.saved)):
            self._leave()
            self.select(row.row_id)
        else:  # refused: what is typed stays; the table shows the row as it is now
            self.tab.refresh()

    def cancel(self) -> None:
        row = self.row
        if row is None:
            return
        self._leave()
        self.tab.message.clear_message()
        self.tab.done.clear_message()
        self.select(row.row_id)

    def _leave(self) -> None:
        """Back to adding, the form as it was before Edit."""
        self.row = None
        values, clean = self._kept
        self.tab.form.put(values)
        self.tab._clean = clean
        self._show(False)

    def select(self, row_id: str) -> None:
        """Back on the row, in view: the table is where the change shows."""
        if row_id in self.tab.ids:
            select_row(self.tab.table, self.tab.ids.index(row_id))
        self.tab.scroll.ensureWidgetVisible(self.tab.table, 0, 0)
        self.tab.table.setFocus()

    def forget(self) -> None:
        self.row = None
        self._show(False)
