"""The sites tab: the organisation's shelters, offices and clinics, for administrators.

A site is added or renamed with the name typed in the field, and retired or brought back;
each change is made at once by ``SiteService``, which checks it and records it.  A retired
site keeps its cases and is offered for no new one.  Caseworkers choose a case's site at
intake and in the case's header; coordinators count the statistics of one site.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.services.registry import Services
from shelter_app.services.sites import NAME_LIMIT, Site

from ..agenda.common import button, field_with, flow
from ..widgets import NOTICE_STYLE, MessageLabel, named, paragraph


class SitesTab(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sites_tab")
        self._services = services
        self._sites: list[Site] = []
        self.list = QListWidget()
        named(self.list, _("Sites"))
        self.name = QLineEdit()
        self.name.setMaxLength(NAME_LIMIT)
        named(self.name, _("Site name"))
        self.message = MessageLabel()
        self.notice = MessageLabel(NOTICE_STYLE)
        self.add_button = button(_("&Add site"), _("Add a site with the name typed"),
                                 self.add)
        self.rename_button = button(_("Rena&me site"), _(
            "Give the chosen site the name typed"), self.rename)
        self.retire_button = button(_("Re&tire site"), _(
            "No new case is recorded at a retired site; its cases keep it"), self.retire)
        self.list.currentRowChanged.connect(self._chosen)
        self.name.returnPressed.connect(self.add)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(_("Sites &list:"), self.list)
        form.addRow(_("Site &name:"), field_with(self.name, self.message))
        layout = QVBoxLayout(self)
        layout.addWidget(paragraph(_(
            "The organisation's shelters, offices and clinics. Each case can be recorded as "
            "handled at one of them, and the statistics counted for one site. A site's name "
            "is seen by everyone who signs in: use the organisation's own word for the "
            "place, never its address.")))
        layout.addLayout(form)
        layout.addWidget(flow(self.add_button, self.rename_button, self.retire_button))
        layout.addWidget(self.notice)
        layout.addStretch(1)
        self.load()

    def load(self) -> None:
        chosen = self.chosen()
        self._sites = self._services.sites.all()
        self.list.clear()
        for site in self._sites:
            item = QListWidgetItem(fill(_("{name} (retired)"), name=site.name) if site.retired
                                   else site.name)
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole,
                         _("Retired") if site.retired else _("In use"))
            self.list.addItem(item)
        ids = [site.id for site in self._sites]
        if chosen is not None and chosen.id in ids:
            self.list.setCurrentRow(ids.index(chosen.id))
        self._chosen()

    def chosen(self) -> Site | None:
        row = self.list.currentRow()
        return self._sites[row] if 0 <= row < len(self._sites) else None

    def _chosen(self, _row: int = 0) -> None:
        site = self.chosen()
        self.rename_button.setEnabled(site is not None)
        self.retire_button.setEnabled(site is not None)
        self.retire_button.setText(_("&Bring back site") if site is not None and site.retired
                                   else _("Re&tire site"))
        named(self.retire_button, self.retire_button.text().replace("&", ""))
        if site is not None:
            self.name.setText(site.name)

    def _attempt(self, change: Callable[[], Site]) -> Site | None:
        self.message.clear_message()
        self.notice.clear_message()
        try:
            return change()
        except ShelterError as exc:
            self.message.show_message(exc.message)
            self.name.setFocus()
            return None

    def add(self) -> None:
        site = self._attempt(lambda: self._services.sites.add(self.name.text()))
        if site is not None:
            self.load()
            self.list.setCurrentRow([s.id for s in self._sites].index(site.id))
            self.notice.show_message(fill(_("Added the site \u201c{name}\u201d."),
                                          name=site.name))

    def rename(self) -> None:
        old = self.chosen()
        if old is None:
            return
        site = self._attempt(lambda: self._services.sites.rename(old.id, self.name.text()))
        if site is not None:
            self.load()
            self.notice.show_message(fill(_("Renamed the site \u201c{old}\u201d to "
                                            "\u201c{name}\u201d."), old=old.name, name=site.name))

    def retire(self) -> None:
        old = self.chosen()
        if old is None:
            return
        site = self._attempt(lambda: self._services.sites.retire(old.id,
                                                                 retired=not old.retired))
        if site is not None:
            self.load()
            self.notice.show_message(fill(
                _("Retired the site \u201c{name}\u201d: no new case is recorded there.")
                if site.retired else _("The site \u201c{name}\u201d is in use again."),
                name=site.name))

    def end_session(self) -> None:
        self.list.clear()
        self._sites = []
        self.name.clear()
