"""What left the vault from a case: a list for the case's Documents tab.

``DocumentsPanel(services, background, case_id, parent, opener=…)`` lists the
generated-document records — documents saved or printed, never a preview only, and never
the documents themselves, which are not kept — and opens ``DocumentDialog`` for a new one.

A line of the dialog's "Still missing" list that names the evidence checklist closes the
dialog (it stays above the case window, which would hide the item) and is handed to
*opener*: the case workspace opens the item in its Legal matters tab.  "New document…"
then checks again, so what was fixed is gone from the list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain import vocab
from shelter_app.domain.validate import parse_utc
from shelter_app.i18n import _
from shelter_app.i18n.formatting import format_datetime, language_name
from shelter_app.services.documents import GeneratedDocument
from shelter_app.services.registry import Services

from ..background import Background
from ..widgets import MessageLabel, named
from .choices import KINDS, contained
from .dialog import DocumentDialog


class DocumentsPanel(QWidget):
    def __init__(self, services: Services, background: Background, case_id: str,
                 parent: QWidget | None = None, *,
                 opener: Callable[[str, str], object] | None = None) -> None:
        super().__init__(parent)
        self._opener = opener
        self._s = services
        self._background = background
        self._case_id = case_id
        self.setObjectName("documents_panel")
        self.records: list[GeneratedDocument] = []
        headers = [_("When"), _("Document"), _("Recipient"), _("Language"), _("Sections"),
                   _("Pages"), _("Encrypted"), _("Packet"), _("By")]
        self.table = named(QTableWidget(0, len(headers)), _("Documents saved or printed"))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.empty = QLabel(_("No document from this case has been saved or printed yet."))
        self.message = MessageLabel()
        self.new_button = named(QPushButton(_("&New document…")), _("New document"))
        self.refresh_button = named(QPushButton(_("Re&fresh")), _("Refresh"))
        self.new_button.clicked.connect(self.open_dialog)
        self.refresh_button.clicked.connect(self.refresh)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        self.dialog: DocumentDialog | None = None
        self.refresh()

    def refresh(self) -> None:
        """Read the list again, off the GUI thread."""
        self._background.run(contained(lambda: self._s.documents.history(self._case_id)),
                             self._show, self._crashed, context=self)

    def _show(self, outcome: tuple[bool, Any]) -> None:
        ok, value = outcome
        if not ok:
            self.message.show_message(str(value))
            return
        records: list[GeneratedDocument] = value
        self.records = records
        self.message.show_message("")
        kinds = dict(KINDS)
        self.table.setRowCount(len(records))
        for row, r in enumerate(records):
            when = parse_utc(r.created_at)
            cells = (format_datetime(when), _(kinds.get(r.kind, r.kind)),
                     r.recipient, language_name(r.language) or r.language,
                     ", ".join(vocab.SECTIONS.label(s) for s in r.sections),
                     str(r.pages), _("Yes") if r.encrypted else _("No"), r.packet_id,
                     r.created_by)
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setToolTip(f"SHA-256 {r.sha256}" if column == 7 else value)
                self.table.setItem(row, column, item)
        self.empty.setVisible(not records)
        self.table.setVisible(bool(records))

    def _crashed(self, exc: BaseException) -> None:
        raise exc

    def _closed(self, dialog: DocumentDialog) -> None:
        """A closed dialog is deleted and forgotten: closing it again at the end of the
        session touched a deleted object and stopped the other tabs from forgetting theirs."""
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def open_dialog(self) -> DocumentDialog:
        """Open the dialog (modeless, so the rest of the case stays visible)."""
        dialog = DocumentDialog(self._s, self._background, self._case_id, self)
        dialog.produced.connect(lambda _document: self.refresh())
        dialog.finished.connect(lambda _result: self._closed(dialog))
        if self._opener is not None:
            dialog.missing.opened.connect(lambda field, ref: self._open(dialog, field, ref))
        self.dialog = dialog
        dialog.show()
        return dialog

    def _open(self, dialog: DocumentDialog, field: str, ref: str) -> None:
        dialog.close()
        if self._opener is not None:
            self._opener(field, ref)
