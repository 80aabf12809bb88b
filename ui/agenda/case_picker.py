"""Choosing a case for an appointment: by case code or by name, among the user's cases.

It starts with the user's most recently updated open cases; typing a code or a name and
pressing Enter (or Find) searches with ``SearchService.search``, the same audited search
as the case list (one search event per press, never per keystroke, and never the words).
A case is shown by its code, with the survivor's name only when the organisation's
"show case codes instead of names" setting is off.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLineEdit, QWidget

from shelter_app.domain.records import CaseSummary
from shelter_app.errors import ShelterError
from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import fill
from shelter_app.services.registry import Services
from shelter_app.services.search import CaseFilter

from ..widgets import MessageLabel, named
from .common import button

RECENT = 30


class CasePicker(QWidget):
    changed = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._codes_only = bool(services.settings.get("show_case_codes"))
        self.query = QLineEdit()
        self.query.setPlaceholderText(_("Case code or name"))
        named(self.query, _("Find a case"),
              _("Type a case code or a name, then press Enter."))
        self.query.returnPressed.connect(self.search)
        self.find_button = button(_("Find"), _("Search your cases"), self.search)
        self.results = QComboBox()
        named(self.results, _("Case"), _("The case this appointment is for"))
        self.results.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.message = MessageLabel()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.query, 0, 0)
        grid.addWidget(self.find_button, 0, 1)
        grid.addWidget(self.results, 1, 0, 1, 2)
        grid.addWidget(self.message, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        self.setFocusProxy(self.query)
        self._fixed = False

    def label(self, summary: CaseSummary) -> str:
        if self._codes_only or not summary.display_name:
            return summary.code
        return fill(_("{code} — {name}"), code=summary.code, name=summary.display_name)

    def load_recent(self) -> None:
        try:
            ids = self._services.search.list_ids(CaseFilter(include_closed=False))[:RECENT]
            self._fill(self._services.search.summaries(ids))
        except ShelterError as exc:
            self.message.show_message(exc.message)

    def search(self) -> None:
        if self._fixed:
            return
        text = self.query.text().strip()
        if not text:
            self.load_recent()
            return
        try:
            found = self._services.search.search(text, limit=50)
        except ShelterError as exc:
            self.message.show_message(exc.message)
            return
        self._fill(found)
        if not found:
            self.message.show_message(_("No case of yours matches. Check the code or the "
                                        "spelling."))
        else:
            self.message.clear_message()
            self.results.setAccessibleDescription(ngettext(
                "{n} case found", "{n} cases found", len(found)).format(n=len(found)))

    def _fill(self, summaries: list[CaseSummary]) -> None:
        self.results.blockSignals(True)
        self.results.clear()
        for summary in summaries:
            self.results.addItem(self.label(summary), summary.id)
        self.results.blockSignals(False)
        self.changed.emit()

    def set_fixed(self, case_id: str, code: str) -> None:
        """Show one case that cannot be changed (editing an existing appointment)."""
        self._fixed = True
        self.results.clear()
        self.results.addItem(code, case_id)
        self.results.setEnabled(False)
        self.query.hide()
        self.find_button.hide()

    def case_id(self) -> str | None:
        data = self.results.currentData()
        return str(data) if data else None

    def clear(self) -> None:
        self.query.clear()
        self.results.clear()
