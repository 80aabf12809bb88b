"""Adding an organisation to the partner directory, or correcting one (MANAGE_PARTNERS).

``PartnerService.add`` and ``update`` check everything; a refusal names its field and the
message is shown under that field (a name already in the directory, an unknown
language…), with the focus moved there.  Editing a field clears its message.  An edit
carries the version the form was filled from, so a colleague's change made meanwhile is
never overwritten: the dialog says so and keeps what was typed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain import vocab
from shelter_app.errors import ShelterError, ValidationError
from shelter_app.i18n import _
from shelter_app.services.partners import Partner
from shelter_app.services.registry import Services

from .agenda.common import FieldForm, name_combo_lists, name_combo_parts
from .cases.pickers import CodeCombo, CodeListPicker, MultiChoice, language_options
from .widgets import MessageLabel, heading, named, paragraph


def _text_box(name: str, lines: int, parent: QWidget) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setMaximumHeight(parent.fontMetrics().lineSpacing() * lines + 14)
    named(box, name)
    return box


class PartnerDialog(QDialog):
    """Adds a partner, or edits *partner*; ``saved(partner_id)`` once it is stored."""

    saved = Signal(str)

    def __init__(self, services: Services, parent: QWidget | None = None, *,
                 partner: Partner | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._partner = partner
        self.setObjectName("partner_dialog")
        title = (_("Add a partner organisation") if partner is None
                 else _("Edit a partner organisation"))
        self.setWindowTitle(title)
        named(self, title)
        self.name = QLineEdit()
        named(self.name, _("Name of the organisation"))
        self.type = QComboBox()
        self.type.addItem(_("Choose… (required)"), "")
        for code, label in vocab.PARTNER_TYPE.choices():
            self.type.addItem(label, code)
        named(self.type, _("Kind of organisation"))
        catalogue = vocab.Vocabulary("services", _("Services offered"), [
            vocab.Term(t.code, t.label) for t in services.care.catalogue()])
        self.services = MultiChoice(catalogue, _("Services offered"))
        self.languages = CodeListPicker(language_options(), _("Languages spoken"))
        name_combo_parts(self.languages.combo, _("Find a language spoken"))
        self.address = _text_box(_("Address"), 2, self)
        self.secure_contact = _text_box(_("Secure contact"), 2, self)
        self.document_language = CodeCombo(language_options(), _("Language of documents sent"))
        name_combo_parts(self.document_language, _("Language of documents sent"))
        self.document_language.set_value("en")

        self.error = MessageLabel()
        self.form = FieldForm((
            ("name", _("&Name:"), self.name), ("partner_type", _("&Kind:"), self.type),
            ("services", _("&Services:"), self.services),
            ("languages", _("&Languages:"), self.languages),
            ("address", _("A&ddress:"), self.address),
            ("secure_contact", _("Se&cure contact:"), self.secure_contact),
            ("document_language", _("&Documents in:"), self.document_language)), self.error)
        self.messages = self.form.messages
        self.name.textEdited.connect(lambda _t: self.messages["name"].clear_message())
        self.buttons = QDialogButtonBox()
        action = _("Add partner") if partner is None else _("Save changes")
        self.save_button = self.buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        named(self.save_button, action)
        named(self.cancel_button, _("Cancel"))
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(title, scale=1.2))
        layout.addWidget(paragraph(_("The secure contact is how to reach the partner safely "
                                     "about a referral: a named person, a phone line or an "
                                     "encrypted address.")))
        layout.addLayout(self.form.layout)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 34)
        name_combo_lists(self)
        if partner is not None:
            self._fill(partner)
        self.name.setFocus()

    def _fill(self, partner: Partner) -> None:
        self.name.setText(partner.name)
        self.type.setCurrentIndex(max(0, self.type.findData(partner.partner_type)))
        self.services.set_value(list(partner.services))
        self.languages.set_value(list(partner.languages))
        self.address.setPlainText(partner.address)
        self.secure_contact.setPlainText(partner.secure_contact)
        self.document_language.set_value(partner.document_language)

    def save(self) -> None:
        self.form.clear()
        fields: dict[str, Any] = {
            "name": self.name.text(), "partner_type": str(self.type.currentData() or ""),
            "services": self.services.value(), "languages": self.languages.value(),
            "address": self.address.toPlainText(),
            "secure_contact": self.secure_contact.toPlainText(),
            "document_language": self.document_language.value() or "en"}
        partners = self._services.partners
        try:
            if self._partner is None:
                partner = partners.add(**fields)
            else:
                partner = partners.update(self._partner.id,
                                          row_version=self._partner.row_version, **fields)
        except ValidationError as exc:
            self.form.show_refusal(exc)
            return
        except ShelterError as exc:
            self.error.show_message(exc.message)
            return
        self.saved.emit(partner.id)
        self.accept()
