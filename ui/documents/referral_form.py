"""The referral packet's own choices in the documents dialog: the sections to share (those
the survivor's consent to the chosen partner covers are ticked, those the account may not
read are greyed out) and whether she wants her own copy, a separate document in her
language that the partner never receives."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QWidget

from shelter_app.domain import vocab
from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.services.registry import Services

from ..widgets import named


class ReferralForm(QObject):
    """``sections_box`` and ``own_copy`` are the dialog's rows; ``changed`` is emitted when
    a choice changes."""

    changed = Signal()

    def __init__(self, services: Services, case_id: str, parent: QObject) -> None:
        super().__init__(parent)
        self._s = services
        self._case_id = case_id
        self.sections: dict[str, QCheckBox] = {}
        self.sections_box = QWidget()
        grid = QGridLayout(self.sections_box)
        grid.setContentsMargins(0, 0, 0, 0)
        for n, (code, label) in enumerate(vocab.SECTIONS.choices()):
            box = named(QCheckBox(label), label)
            self.sections[code] = box
            grid.addWidget(box, n // 3, n % 3)
            box.toggled.connect(lambda _on: self.changed.emit())
        self.own_copy = named(QCheckBox(_("She wants her own cop&y (a separate document, in "
                                          "her language)")), _("Her own copy"))
        self.own_copy.setToolTip(_("Made only when she asks for it: the partner never "
                                   "receives it. It says where to go, what was shared and how "
                                   "to withdraw her consent."))
        self.own_copy.toggled.connect(lambda _on: self.changed.emit())

    @staticmethod
    def shown_label() -> str:
        """The preview's switch to her copy."""
        return _("Show h&er own copy")

    def fill(self, partner_id: str) -> str:
        """Tick what the consent to *partner_id* covers; what to tell the user if it fails."""
        docs = self._s.documents
        try:
            readable = set(docs.readable_sections(self._case_id))
            consented = set(docs.consented_sections(self._case_id, partner_id))
        except ShelterError as exc:
            return str(exc)
        for code, box in self.sections.items():
            box.blockSignals(True)
            box.setEnabled(code in readable)
            box.setChecked(code in consented)
            box.blockSignals(False)
        return ""

    def request(self) -> dict[str, Any]:
        """The referral's part of what the dialog asks the documents service for."""
        return {"sections": [c for c, box in self.sections.items() if box.isChecked()],
                "own_copy": self.own_copy.isChecked()}
