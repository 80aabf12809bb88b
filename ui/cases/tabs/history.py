"""The History tab: what changed in this case, who changed it and when, newest first.

Shown to everyone who can open the case; each person sees the changes to the sections their
roles may read (``HistoryService``), in plain sentences: "Changed: Risk level", "Recorded a
service".  Nothing here says what was written: the history names sections and fields only.
Reads, searches and sessions are not history; they stay in the audit log.

The lines are loaded when the tab is built (which is recorded as the history being read)
and again, unrecorded, each time the tab is shown, so a change made in another tab is
there when one comes back.  "Show older changes" loads the next page.
"""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QPushButton, QWidget

from shelter_app.domain.history import join, section_label
from shelter_app.domain.roles import Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import format_datetime
from shelter_app.services.history import PAGE, HistoryEntry
from shelter_app.services.registry import Services

from ...background import Background
from ...widgets import named
from .base import ListTab

LIMIT = PAGE  # events a page of the tab reads


class HistoryTab(ListTab):
    def __init__(self, services: Services, background: Background, case_id: str,
                 scope: Scope, parent: QWidget | None = None) -> None:
        super().__init__(services, background, case_id,
                         [_("When"), _("Who"), _("Section"), _("What changed")],
                         _("History of this case"), parent)
        self.table.setWordWrap(False)
        self.older_button = QPushButton(_("Show &older changes"))
        named(self.older_button, _("Show older changes"))
        self.older_button.setAutoDefault(False)
        self.older_button.clicked.connect(self.load_older)
        self.older_button.hide()
        self.layout_.addWidget(self.older_button)
        self.entries: list[HistoryEntry] = []
        self._older: int | None = None
        self._loaded = False
        self.refresh()
        self._just_loaded = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._just_loaded:
            self._just_loaded = False
        elif self._loaded:
            self.refresh(record=False)

    def _who(self, entry: HistoryEntry) -> str:
        if entry.actor_id == self.services.session.user_id:
            return _("You")
        return entry.actor or _("(no account)")

    def refresh(self, *, record: bool = True) -> None:
        self.message.clear_message()
        try:
            page = self.services.history.page(self.case_id, limit=LIMIT,
                                              record=record and not self._loaded)
        except ShelterError as exc:
            self.message.show_message(exc.message)
            return
        self._loaded = True
        self.entries = list(page.entries)
        self._older = page.older
        self._show()

    def load_older(self) -> None:
        if self._older is None:
            return
        try:
            page = self.services.history.page(self.case_id, before=self._older, limit=LIMIT)
        except ShelterError as exc:
            self.message.show_message(exc.message)
            return
        self.entries += page.entries
        self._older = page.older
        self._show()

    def _show(self) -> None:
        rows = []
        for n, e in enumerate(self.entries):
            rows.append((f"{e.seq}-{n}", [format_datetime(e.occurred_at), self._who(e),
                                          section_label(e.section), e.text]))
        self.fill(rows)
        for r, e in enumerate(self.entries):
            if e.fields:  # the intake's list of fields, a packet's sections
                item = self.table.item(r, 3)
                item.setToolTip(join(list(e.fields)))
        if not self.entries:
            self.done.show_message(_("No changes to show yet."))
        else:
            self.done.clear_message()
        self.older_button.setVisible(self._older is not None)

    def forget(self) -> None:
        self.entries = []
        self._older = None
        self.older_button.hide()
        super().forget()
