"""The evidence checklist of the legal matter selected in the Legal matters tab.

Each item says whether it is required, which of the case's attachments document it (any
number: each is an exhibit of the packet), its state (still needed, requested, obtained,
not applicable with the reason) and who holds the original.  An account that may change
legal matters adds items one by one or a residence template's whole checklist in one step
(only what no item meets yet), links the selected item to an attachment or unlinks one,
and records its state.  The packet's pre-flight reads this same checklist, so what it
calls missing is fixed here (each of its lines opens the item, ``show_item``).
Everything is inline, reachable with Tab and Alt letters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain import vocab
from shelter_app.domain.history import isolate
from shelter_app.errors import ShelterError
from shelter_app.i18n import _, ngettext
from shelter_app.services.evidence import EvidenceItem
from shelter_app.services.registry import Services

from ...widgets import MessageLabel, named
from .base import DONE_STYLE, put_cells, record_table, select_row


def _button(text: str) -> QPushButton:
    button = QPushButton(text)
    named(button, text.replace("&", ""))
    button.setAutoDefault(False)
    return button


class EvidencePanel(QGroupBox):
    def __init__(self, services: Services, case_id: str, may_edit: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Evidence checklist of the selected matter"), parent)
        self.services = services
        self.case_id = case_id
        # "" until shown: the first show_matter, below, counts as a change of matter
        self.matter_id: str | None = ""
        self.ids: list[str] = []
        self.items: dict[str, EvidenceItem] = {}
        self._state_of: str | None = ""  # the item whose state the fields show
        self._state_version: int | None = None  # the row version the fields were read at
        layout = QVBoxLayout(self)
        # what the evidence is, and its documents, get the room
        self.table = record_table([_("Evidence"), _("Needed"), _("Documents"), _("State"),
                                   _("Original held by")], _("Evidence checklist"), 7,
                                  stretch=(0, 2))
        layout.addWidget(self.table)
        self.done = MessageLabel(DONE_STYLE)
        self.message = MessageLabel()
        layout.addWidget(self.done)
        layout.addWidget(self.message)
        self.editing: QWidget | None = None
        if may_edit:
            self.editing = QWidget()
            rows = QVBoxLayout(self.editing)
            rows.setContentsMargins(0, 0, 0, 0)
            self.label_edit = QLineEdit()
            self.label_edit.setMaxLength(200)
            self.label_edit.setPlaceholderText(_("for example: Statement of the applicant"))
            named(self.label_edit, _("Evidence item"))
            self.required = QCheckBox(_("Re&quired"))
            self.required.setChecked(True)
            named(self.required, _("Required"))
            self.add_button = _button(_("Add to the c&hecklist"))
            self.add_button.clicked.connect(self.add_item)
            self.label_edit.returnPressed.connect(self.add_item)
            self.templates = QComboBox()
            named(self.templates, _("Template"))
            self.template_button = _button(_("Add the &template's checklist"))
            self.template_button.clicked.connect(self.add_template)
            self.attachments = QComboBox()
            named(self.attachments, _("Attachment"))
            self.link_button = _button(_("&Link to the selected item"))
            self.link_button.clicked.connect(self.link)
            self.unlink_button = _button(_("&Unlink"))
            self.unlink_button.clicked.connect(self.unlink)
            self.state = QComboBox()
            for code, text in vocab.EVIDENCE_STATE.choices():
                self.state.addItem(text, code)
            named(self.state, _("State"))
            self.reason = QLineEdit()
            self.reason.setMaxLength(500)
            self.reason.setPlaceholderText(_("why it is not applicable"))
            named(self.reason, _("Reason"))
            self.holder = QLineEdit()
            self.holder.setMaxLength(200)
            self.holder.setPlaceholderText(_("who holds the original"))
            named(self.holder, _("Original held by"))
            self.state_button = _button(_("&Save the item's state"))
            self.state_button.clicked.connect(self.save_state)
            state_label = QLabel(_("Stat&e:"))
            state_label.setBuddy(self.state)
            self.table.selectionModel().selectionChanged.connect(
                lambda *_args: self._show_state())
            label = QLabel(_("E&vidence item:"))
            label.setBuddy(self.label_edit)
            template_label = QLabel(_("Te&mplate:"))
            template_label.setBuddy(self.templates)
            attachment_label = QLabel(_("&Attachment:"))
            attachment_label.setBuddy(self.attachments)
            for widgets in ((label, self.label_edit, self.required, self.add_button),
                            (template_label, self.templates, self.template_button),
                            (attachment_label, self.attachments, self.link_button,
                             self.unlink_button),
                            (state_label, self.state, self.reason, self.holder,
                             self.state_button)):
                row = QHBoxLayout()
                for widget in widgets:
                    row.addWidget(widget, 1 if isinstance(widget, QLineEdit | QComboBox) else 0)
                rows.addLayout(row)
            layout.addWidget(self.editing)
        self.show_matter(None)

    def show_matter(self, matter_id: str | None) -> None:
        if matter_id != self.matter_id:
            self.done.clear_message()
            self.message.clear_message()
            self.matter_id = matter_id
            self._state_of = ""  # another matter: the fields are read afresh
            self._fill_templates()  # they follow the matter's type, read from disk once
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        """Shown again (the Legal matters tab chosen): files added in the Attachments tab
        meanwhile are offered for linking, and their names are read again."""
        super().showEvent(event)
        if self.matter_id is not None and not event.spontaneous():
            self.refresh()

    def refresh(self) -> None:
        items: list[Any] = []
        if self.matter_id is None:
            self.message.show_message(_("Select a legal matter to see its evidence."))
        else:
            try:
                items = self.services.legal.evidence(self.matter_id)
            except ShelterError as exc:
                self.message.show_message(exc.message)
        names = self._attachment_names()
        selected = self.selected_item()
        self.items = {item.id: item for item in items}
        self.ids = [item.id for item in items]
        put_cells(self.table, [
            [item.label, _("Required") if item.required else _("Optional"),
             "; ".join(names.get(a, _("(not available)")) for a in item.attachment_ids)
             or (_("Missing") if item.missing else "—"),
             vocab.EVIDENCE_STATE.label(item.state)
             + (f": {item.reason}" if item.state == "not_applicable" else ""), item.holder]
            for item in items])
        if self.editing is not None:
            self.editing.setEnabled(self.matter_id is not None)
            self.attachments.clear()
            for attachment_id, name in names.items():
                self.attachments.addItem(name, attachment_id)
            self.link_button.setEnabled(self.attachments.count() > 0)
        if selected in self.ids:
            select_row(self.table, self.ids.index(selected))
        self._show_state(again=selected not in self.ids)

    def _attachment_names(self) -> dict[str | None, str]:
        try:
            found = self.services.attachments.list(self.case_id)
        except ShelterError:
            return {}
        return {a.id: f"{a.label} · {a.file_name}" if a.label else a.file_name for a in found}

    def _fill_templates(self) -> None:
        if self.editing is None:
            return
        self.templates.clear()
        if self.matter_id is not None:
            try:
                for template_id, name in self.services.legal.checklist_templates(
                        self.matter_id):
                    self.templates.addItem(name, template_id)
            except ShelterError as exc:
                self.message.show_message(exc.message)
        self.template_button.setEnabled(self.templates.count() > 0)

    def selected_item(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else -1
        return self.ids[row] if 0 <= row < len(self.ids) else None

    def _attempt(self, action: Callable[[], Any], done: Callable[[Any], str],
                 select: str | None = None) -> bool:
        self.message.clear_message()
        self.done.clear_message()
        try:
            result = action()
        except ShelterError as exc:
            self.message.show_message(exc.message)
            return False
        self.refresh()
        self.done.show_message(done(result))
        if select in self.ids:
            select_row(self.table, self.ids.index(select))
        return True

    def add_item(self) -> None:
        matter_id, label = self.matter_id, self.label_edit.text()
        if matter_id is None:
            return
        if self._attempt(lambda: self.services.legal.add_evidence(
                matter_id, label, required=self.required.isChecked()),
                lambda item: _("Added to the checklist: {label}.").format(
                    label=isolate(item.label))):
            self.label_edit.clear()

    def add_template(self) -> None:
        matter_id, template_id = self.matter_id, self.templates.currentData()
        if matter_id is None or template_id is None:
            return
        self._attempt(lambda: self.services.legal.add_checklist(matter_id, template_id),
                      lambda n: ngettext("{n} item of the template added to the checklist.",
                                         "{n} items of the template added to the checklist.",
                                         n).format(n=n) if n else
                      _("Every item of the template is on the checklist already."))

    def _item_first(self) -> str | None:
        item_id = self.selected_item()
        if item_id is None:
            self.message.show_message(_("Select the evidence item first."))
            self.table.setFocus()
        return item_id

    def link(self) -> None:
        item_id, attachment_id = self._item_first(), self.attachments.currentData()
        if item_id is None or attachment_id is None:
            return
        self._attempt(lambda: self.services.legal.link_evidence(item_id, str(attachment_id)),
                      lambda _none: _("The document was linked to the item."), select=item_id)

    def unlink(self) -> None:
        """Unlink the attachment chosen in the list from the selected item."""
        item_id, attachment_id = self._item_first(), self.attachments.currentData()
        if item_id is None or attachment_id is None:
            return
        if attachment_id not in self.items[item_id].attachment_ids:
            self.message.show_message(_("That document is not linked to the selected "
                                        "item."))
            return
        self._attempt(lambda: self.services.legal.unlink_evidence(item_id, str(attachment_id)),
                      lambda _none: _("The document was unlinked from the item."),
                      select=item_id)

    def _show_state(self, *, again: bool = False) -> None:
        """The selected item's state, reason and holder, ready to change: read when the
        selection moves to another item (or *again*), so what is typed there survives a
        link or an unlink on the same item."""
        if self.editing is None:
            return
        selected = self.selected_item()
        if selected == self._state_of and not again:
            return
        self._state_of = selected
        item = self.items.get(selected or "")
        for widget in (self.state, self.reason, self.holder, self.state_button):
            widget.setEnabled(item is not None)
        self.state.setCurrentIndex(max(self.state.findData(item.state if item else ""), 0))
        self.reason.setText(item.reason if item else "")
        self.holder.setText(item.holder if item else "")
        # the version the fields were read at: a refresh meanwhile (the tab shown again, a
        # link) must not make a save overwrite another session's change unseen
        self._state_version = item.row_version if item else None

    def save_state(self) -> None:
        item_id = self._item_first()
        if item_id is None:
            return
        version = self._state_version if item_id == self._state_of else \
            self.items[item_id].row_version
        state, reason, holder = self.state.currentData(), self.reason.text(), self.holder.text()
        if self._attempt(lambda: self.services.legal.set_evidence_state(
                item_id, state, reason=reason, holder=holder, version=version),
                lambda item: _("Saved: {label} is {state}.").format(
                    label=isolate(item.label), state=vocab.EVIDENCE_STATE.label(item.state)),
                select=item_id):
            self._show_state(again=True)  # as saved (refused: what was typed stays)

    def show_item(self, item_id: str) -> bool:
        """Select *item_id* (an item of the matter shown) and put the focus where it is
        completed: the attachment list, or the state when there is nothing to link."""
        if item_id not in self.ids:
            return False
        select_row(self.table, self.ids.index(item_id))
        self.table.scrollToItem(self.table.item(self.ids.index(item_id), 0))
        if self.editing is None:
            self.table.setFocus()
        else:
            (self.attachments if self.attachments.count() else self.state).setFocus()
        return True
