"""The Partners page: the directory of organisations that receive referrals.

Everyone who may read the directory sees the list (name, kind, services, languages, the
language their documents are sent in) and, for the selected partner, its address and
secure contact.  Coordinators (MANAGE_PARTNERS) also add partners, edit the selected one
(the button, Enter or a double click) and deactivate or reactivate it; for others those
buttons are absent, and the service refuses anyway.  An inactive partner is hidden until
"Show inactive partners" is ticked, and is then marked in the list.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from shelter_app.domain import vocab
from shelter_app.domain.roles import Action
from shelter_app.errors import ShelterError
from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import fill, language_name
from shelter_app.services.partners import Partner
from shelter_app.services.registry import Services

from .agenda.common import (
    Column,
    RowsModel,
    button,
    flow,
    select_row,
    selected_row,
    sorted_proxy,
    tab_order,
    table,
)
from .background import Background
from .partners_dialog import PartnerDialog
from .widgets import NOTICE_STYLE, MessageLabel, heading, named, paragraph


def may_see_partners(services: Services) -> bool:
    return services.ctx.allowed(Action.READ_PARTNERS)


def _languages(codes: tuple[str, ...]) -> str:
    return ", ".join(language_name(c) or c for c in codes)


class PartnersModel(RowsModel):
    NAME, TYPE, SERVICES, LANGUAGES, DOCUMENTS = range(5)

    def __init__(self, parent: QObject | None = None) -> None:
        self.service_labels: dict[str, str] = {}
        super().__init__([
            Column(lambda: _("Name"), lambda p: p.label),
            Column(lambda: _("Kind"), lambda p: vocab.PARTNER_TYPE.label(p.partner_type)),
            Column(lambda: _("Services"), lambda p: ", ".join(
                self.service_labels.get(s, s) for s in p.services)),
            Column(lambda: _("Languages"), lambda p: _languages(p.languages)),
            Column(lambda: _("Documents in"),
                   lambda p: language_name(p.document_language) or p.document_language),
        ], parent)


class PartnersPage(QWidget):
    def __init__(self, services: Services, background: Background | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("partners_page")
        self._services = services
        self.model = PartnersModel(self)
        self.proxy = sorted_proxy(self.model)
        self.view = table(self.proxy, _("Partner organisations"))
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(_("Filter by name, kind, service or language"))
        self.filter.setClearButtonEnabled(True)
        named(self.filter, _("Filter partners"))
        self.filter.textChanged.connect(self._filter)
        self.summary = paragraph("")
        self.address = paragraph("")
        self.secure_contact = paragraph("")
        for label in (self.address, self.secure_contact):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.details = QWidget()
        details = QFormLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        details.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        details.addRow(_("Address:"), self.address)
        details.addRow(_("Secure contact:"), self.secure_contact)
        self.details_hint = paragraph(_("Select a partner to see its address and secure "
                                        "contact."))
        self.message = MessageLabel()
        self.notice = MessageLabel(NOTICE_STYLE)
        self.add_button = button(_("&Add partner…"), _("Add an organisation to the directory"),
                                 self.add_partner)
        self.edit_button = button(_("&Edit partner…"), _("Correct the selected partner's "
                                                         "details"), self.edit_selected)
        self.active_button = button(_("&Deactivate"), "", self.toggle_active)
        self.show_inactive = QCheckBox(_("Show &inactive partners"))
        named(self.show_inactive, _("Show inactive partners"))
        self.show_inactive.toggled.connect(lambda _on: self.refresh())
        self._manager = services.ctx.allowed(Action.MANAGE_PARTNERS)
        for widget in (self.add_button, self.edit_button, self.active_button):
            widget.setVisible(self._manager)

        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Partners")))
        layout.addWidget(self.filter)
        layout.addWidget(self.show_inactive)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.details_hint)
        layout.addWidget(self.message)
        layout.addWidget(self.notice)
        layout.addWidget(flow(self.add_button, self.edit_button, self.active_button))
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._show_details())
        self.view.activated.connect(lambda _i: self.edit_selected())
        tab_order(self.filter, self.show_inactive, self.view, self.add_button,
                  self.edit_button, self.active_button)
        self.refresh()

    def refresh(self, select: str | None = None) -> None:
        try:
            self.model.service_labels = {t.code: t.label
                                         for t in self._services.care.catalogue()}
            partners = self._services.partners.list(
                include_inactive=self.show_inactive.isChecked())
        except ShelterError as exc:
            partners = []
            self.message.show_message(exc.message)
        self.model.set_rows(partners)
        self._summary()
        if select is not None:
            for row in range(self.proxy.rowCount()):
                found = self.model.row_at(self.proxy.index(row, 0))
                if found is not None and found.id == select:
                    select_row(self.view, row)
        self._show_details()

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._summary()

    def _summary(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        text = (ngettext("{n} partner", "{n} partners", total).format(n=total)
                if shown == total else
                _("{shown} of {total} partners").format(shown=shown, total=total))
        self.summary.setText(text)
        self.summary.setAccessibleName(text)

    def selected(self) -> Partner | None:
        row = selected_row(self.view)
        return row if isinstance(row, Partner) else None

    def _show_details(self) -> None:
        chosen = self.selected()
        self.details.setVisible(chosen is not None)
        self.details_hint.setVisible(chosen is None)
        self.address.setText(chosen.address if chosen else "")
        self.secure_contact.setText(chosen.secure_contact if chosen else "")
        self.edit_button.setEnabled(chosen is not None)
        self.active_button.setEnabled(chosen is not None)
        action = (_("&Reactivate") if chosen is not None and not chosen.active
                  else _("&Deactivate"))
        self.active_button.setText(action)
        named(self.active_button, action.replace("&", ""),
              _("Offer this partner again for new referrals and consents")
              if chosen is not None and not chosen.active else
              _("Stop offering this partner for new referrals and consents; its history "
                "stays"))
        for label, name in ((self.address, _("Address")),
                            (self.secure_contact, _("Secure contact"))):
            label.setAccessibleName(f"{name}: {label.text()}" if label.text() else name)

    def add_partner(self) -> PartnerDialog:
        return self._open_dialog(None)

    def edit_selected(self) -> PartnerDialog | None:
        chosen = self.selected()
        if chosen is None or not self._manager:
            return None
        return self._open_dialog(chosen)

    def _open_dialog(self, partner: Partner | None) -> PartnerDialog:
        self.message.clear_message()
        self.notice.clear_message()
        dialog = PartnerDialog(self._services, self, partner=partner)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda partner_id: self.refresh(select=partner_id))
        dialog.open()
        return dialog

    def toggle_active(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        self.message.clear_message()
        try:
            changed = self._services.partners.set_active(chosen.id, not chosen.active)
        except ShelterError as exc:
            self.message.show_message(exc.message)
            return
        if not changed.active and not self.show_inactive.isChecked():
            self.show_inactive.setChecked(True)  # keep it in sight, so it can be undone
        self.refresh(select=changed.id)
        self.notice.show_message(
            fill(_("{name} is inactive: it is no longer offered for new referrals and consents. "
              "Reactivate it to undo."), name=changed.name) if not changed.active else
            fill(_("{name} is active again."), name=changed.name))

    def end_session(self) -> None:
        for dialog in self.findChildren(PartnerDialog):
            dialog.hide()
            dialog.deleteLater()
        self.model.clear()
        self.filter.clear()
        self.message.clear_message()
        self.notice.clear_message()
        self.address.clear()
        self.secure_contact.clear()
