"""Correcting a logged service in the Services tab: select, Edit, Save changes or Cancel.

``EntryEditor`` joins the tab's table and its form.  Edit (the button, a double click, or
Enter on a row) loads the entry into the form, read fresh from the core with its row
version; the form's own button gives way to "Save changes" and "Cancel".  Saving calls
``CareService.update`` with the version the form was filled from, so a colleague's change
made meanwhile is refused with the core's message and nothing is overwritten (Cancel, then
Edit, shows their version).  Everything is reachable from the keyboard: Tab to the table,
arrows to a row, Enter to edit; Alt+A saves, Alt+L cancels.

While an entry is being corrected, what is typed counts as unsaved work like any add form
(locking by hand asks, Save saves the correction), but it is never kept as a draft: a
correction brought back after a lock could be taken for a new entry.  Saving or cancelling
puts back what the new-entry form held before Edit, so a later "Record service" never
takes the corrected entry's date or type by surprise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QPushButton, QWidget

from shelter_app.domain.history import isolate
from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.services.care import ServiceEntry
from shelter_app.services.context import keys_not_given

from ...widgets import named
from .base import day_text

if TYPE_CHECKING:
    from .services import ServicesTab

FIELDS = ("service", "provided_on", "provider_kind", "partner_id", "duration_minutes",
          "outcome", "notes")


def _button(text: str) -> QPushButton:
    button = QPushButton(text)
    named(button, text.replace("&", ""))
    button.setAutoDefault(False)
    return button


class EntryEditor:
    def __init__(self, tab: ServicesTab, layout: QFormLayout, new_button: QPushButton,
                 box: QGroupBox) -> None:
        self.tab = tab
        self.box = box
        self.new_button = new_button
        self.new_title = box.title()
        self.entry: ServiceEntry | None = None
        self._kept: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
        self.edit_button = _button(_("&Edit selected service"))
        self.edit_button.setToolTip(_("Load the selected service into the form to correct "
                                      "it (or double-click the row, or press Enter on it)"))
        self.save_button = _button(_("S&ave changes"))
        self.cancel_button = _button(_("Cance&l"))
        self.edit_button.clicked.connect(self.edit_selected)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.cancel)
        tab.table.activated.connect(lambda _index: self.edit_selected())
        row = QHBoxLayout()
        row.addWidget(self.edit_button)
        row.addStretch(1)
        tab.layout_.insertLayout(tab.layout_.indexOf(tab.table) + 1, row)
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

    @property
    def editing(self) -> bool:
        return self.entry is not None

    def _show(self, editing: bool) -> None:
        self.buttons.setVisible(editing)
        self.new_button.setVisible(not editing)
        self.edit_button.setEnabled(not editing)
        self.box.setTitle(_("Correct a service") if editing else self.new_title)
        self.tab.submit = self.save if editing else self._new_submit
        self.tab.draft_kind = None if editing else self._draft_kind

    def edit_selected(self) -> bool:
        """Load the selected entry into the form (False, with the reason, if it cannot be)."""
        entry_id = self.tab.selected_id()
        self.tab.message.clear_message()
        if entry_id is None:
            self.tab.message.show_message(_("Select the service to correct first."))
            self.tab.table.setFocus()
            return False
        if self.editing and self.tab.has_unsaved():
            self.tab.message.show_message(_("Save or cancel the correction you are making "
                                            "first."))
            return False
        try:
            entry = self.tab.services.care.get(entry_id)
        except ShelterError as exc:
            self.tab.message.show_message(exc.message)
            return False
        if entry.waiting_for_key:
            self.tab.message.show_message(keys_not_given(reading=False).message)
            return False
        if entry.restricted:
            self.tab.message.show_message(_("This service's notes are health information "
                                            "your roles do not allow you to change."))
            return False
        if not self.editing:  # what the new-entry form held, to put back afterwards
            self._kept = (self.tab.form.values(), dict(self.tab._clean))
        self.entry = entry
        self.tab.form.put({
            "service": entry.service_code, "provided_on": entry.provided_on.isoformat(),
            "provider_kind": entry.provider_kind, "partner_id": entry.partner_id or "",
            "duration_minutes": "" if entry.duration_minutes is None
            else str(entry.duration_minutes),
            "outcome": entry.outcome or "", "notes": entry.notes or ""})
        self.tab.mark_clean()
        self._show(True)
        self.tab.done.show_message(_("Correcting the service given on {day}. Save changes "
                                     "or cancel.").format(
                                         day=isolate(day_text(entry.provided_on))))
        self.tab.form["service"].focus.setFocus()
        return True

    def save(self) -> None:
        entry = self.entry
        if entry is None:
            return
        v = self.tab.form.values()
        if self.tab.attempt(lambda: self.tab.services.care.update(
                entry.id, row_version=entry.row_version, service=v["service"],
                provided_on=v["provided_on"], provider_kind=v["provider_kind"],
                partner_id=v["partner_id"] or None,
                duration_minutes=v["duration_minutes"] or None, outcome=v["outcome"],
                notes=v["notes"]), _("The service was corrected.")):
            self._leave()
            self._select(entry.id)
        else:  # refused: what is typed stays; the table shows the entry as it is now
            self.tab.refresh()

    def cancel(self) -> None:
        entry = self.entry
        if entry is None:
            return
        self._leave()
        self.tab.message.clear_message()
        self.tab.done.clear_message()
        self._select(entry.id)

    def _leave(self) -> None:
        """Back to recording new services, the form as it was before Edit."""
        self.entry = None
        values, clean = self._kept
        self.tab.form.put(values)
        self.tab._clean = clean
        self._show(False)

    def _select(self, entry_id: str) -> None:
        if entry_id in self.tab.ids:
            self.tab.table.selectRow(self.tab.ids.index(entry_id))
        self.tab.table.setFocus()

    def forget(self) -> None:
        self.entry = None
        self._show(False)
