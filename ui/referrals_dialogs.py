"""Small dialogs of the referrals page: the partner's reason for declining and the outcome
of a completed referral.

Each is opened without blocking (``open()``), parented to the page so that it goes when
the main window goes, and calls back with what was typed; a refusal from the service is
shown inside the dialog, which stays open so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from shelter_app.errors import ShelterError
from shelter_app.i18n import _

from .widgets import MessageLabel, heading, named, paragraph


class TextStepDialog(QDialog):
    """One text box and a confirming button; *act(text)* does the change or raises."""

    def __init__(self, title: str, intro: str, field: str, confirm: str,
                 act: Callable[[str], object], *, required: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("referral_step_dialog")
        self.setWindowTitle(title)
        named(self, title)
        self._act = act
        self._required = required
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        named(self.text, field)
        self.message = MessageLabel()
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(confirm, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        named(self.ok_button, confirm.replace("&", ""))
        named(self.cancel_button, _("Cancel"))
        self.buttons.accepted.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(title, scale=1.2))
        layout.addWidget(paragraph(intro))
        layout.addWidget(paragraph(field))
        layout.addWidget(self.text)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 30)
        self.text.setFocus()

    def confirm(self) -> None:
        text = self.text.toPlainText().strip()
        if self._required and not text:
            self.message.show_message(_("This field is required."))
            self.text.setFocus()
            return
        try:
            self._act(text)
        except ShelterError as exc:
            self.message.show_message(exc.message)
            return
        self.accept()


def decline_dialog(act: Callable[[str], object], parent: QWidget) -> TextStepDialog:
    return TextStepDialog(
        _("Referral declined"), _("Record why the partner declined, in their words if you "
                                  "can. Do not write the survivor's name."),
        _("Reason given by the partner"), _("&Record decline"), act, required=True,
        parent=parent)


def complete_dialog(act: Callable[[str], object], parent: QWidget) -> TextStepDialog:
    return TextStepDialog(
        _("Referral completed"), _("What came of the referral? (optional)"),
        _("Outcome"), _("&Mark completed"), act, required=False, parent=parent)
