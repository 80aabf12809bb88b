"""The duplicate warning of the intake: records that may be the same person, with reasons.

Shown before the survivor is created (``SearchService.duplicates``), so a person who came
back is not recorded twice.  The user opens a match or says this is a new person.  A
strong match among cases the user cannot open (``duplicates_elsewhere``) is only counted:
the panel then asks her to check with a coordinator, and shows nothing of that case.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain.names import display_safe
from shelter_app.i18n import _, ngettext
from shelter_app.services.search import DuplicateMatch

from ..widgets import NOTICE_STYLE, MessageLabel, named, paragraph


class DuplicatesPanel(QGroupBox):
    open_requested = Signal(str)
    continue_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Possible existing records"), parent)
        self.setObjectName("duplicates")
        self.intro = paragraph("")
        self.elsewhere = MessageLabel(NOTICE_STYLE)  # read out at once by screen readers
        self.matches = QListWidget()
        named(self.matches, _("Possible existing records"),
              _("Press Enter to open the selected record."))
        self.matches.itemActivated.connect(lambda _item: self._open())
        self.open_button = QPushButton(_("&Open the selected record"))
        named(self.open_button, _("Open the selected record"))
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(self._open)
        self.continue_button = QPushButton(_("Continue with a ne&w record"))
        named(self.continue_button, _("Continue with a new record"),
              _("This is a different person: go on with the intake"))
        self.continue_button.setAutoDefault(False)
        self.continue_button.clicked.connect(self.continue_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.continue_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.matches)
        layout.addWidget(self.elsewhere)
        layout.addLayout(buttons)
        self.hide()

    def show_matches(self, found: list[DuplicateMatch], elsewhere: int = 0) -> None:
        self.matches.clear()
        for match in found:
            item = QListWidgetItem(_("{code} — {name}: {reasons}").format(
                code=match.code, name=display_safe(match.display_name),
                reasons=", ".join(match.reasons)))
            item.setData(Qt.ItemDataRole.UserRole, match.case_id)
            self.matches.addItem(item)
        self.intro.setText(ngettext(
            "{n} record may be the same person. Open it to check, or continue if this is "
            "someone else.",
            "{n} records may be the same person. Open one to check, or continue if this is "
            "someone else.", len(found)).format(n=len(found)))
        for widget in (self.intro, self.matches, self.open_button):
            widget.setVisible(bool(found))
        self.elsewhere.show_message(ngettext(
            "A case you cannot open has the same name and date of birth. Ask a coordinator "
            "whether this person already has a case before you continue.",
            "{n} cases you cannot open have the same name and date of birth. Ask a "
            "coordinator whether this person already has a case before you continue.",
            elsewhere).format(n=elsewhere) if elsewhere else "")
        self.matches.setCurrentRow(0)
        self.setVisible(bool(found or elsewhere))
        if found:
            self.matches.setFocus()
        elif elsewhere:
            self.continue_button.setFocus()

    def _open(self) -> None:
        item = self.matches.currentItem()
        if item is not None:
            self.open_requested.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def clear(self) -> None:
        self.matches.clear()
        self.hide()
