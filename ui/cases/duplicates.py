"""The duplicate warning of the intake: records that may be the same person, with reasons.

Shown before the survivor is created (``SearchService.duplicates``), so a person who came
back is not recorded twice.  The user opens a match or says this is a new person.  A
strong match among cases the user cannot open (``duplicates_elsewhere``) is only counted:
the panel then asks her to check with a coordinator, and shows nothing of that case.

The panel sits at the top of the intake's first step, above the form, so it is seen
without scrolling in a small dialog; its introduction is announced to screen readers and
the focus goes to the list.  It remembers what the person said is someone else, so the
intake does not ask about those records again (unless they now match better); when new
ones turn up at Create, the intake goes back to step 1 and the introduction says why.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain.names import display_safe
from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import fill
from shelter_app.services.search import DuplicateMatch

from ..widgets import NOTICE_STYLE, MessageLabel, named
from .pickers import list_height


class DuplicatesPanel(QGroupBox):
    open_requested = Signal(str)
    continue_requested = Signal()

    def __init__(self, on_open: Callable[[str], None] | None = None,
                 on_continue: Callable[[], None] | None = None,
                 parent: QWidget | None = None) -> None:
        """*on_open* and *on_continue* are connected to ``open_requested`` and
        ``continue_requested``."""
        super().__init__(_("Possible existing records"), parent)
        self.setObjectName("duplicates")
        self.found: list[DuplicateMatch] = []
        self.elsewhere_count = 0
        # What the person said is someone else ("Continue with a new record"): case id to
        # its score then, and how many cases she cannot open were counted then.
        self._dismissed: dict[str, int] = {}
        self._dismissed_elsewhere = 0
        self.intro = MessageLabel(NOTICE_STYLE)  # read out at once by screen readers
        self.intro.setAccessibleName(_("Possible existing records"))
        self.elsewhere = MessageLabel(NOTICE_STYLE)
        self.matches = QListWidget()
        named(self.matches, _("Possible existing records"),
              _("Press Enter to open the selected record."))
        self.matches.setMaximumHeight(list_height(self.matches, 4))
        self.matches.itemActivated.connect(lambda _item: self._open())
        self.open_button = QPushButton(_("&Open the selected record"))
        named(self.open_button, _("Open the selected record"))
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(self._open)
        self.continue_button = QPushButton(_("Continue with a ne&w record"))
        named(self.continue_button, _("Continue with a new record"),
              _("This is a different person: go on with the intake"))
        self.continue_button.setAutoDefault(False)
        self.continue_button.clicked.connect(self._continue)
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
        if on_open is not None:
            self.open_requested.connect(on_open)
        if on_continue is not None:
            self.continue_requested.connect(on_continue)

    def show_matches(self, found: list[DuplicateMatch], elsewhere: int = 0, *,
                     again: bool = False) -> None:
        """Show *found* (and *elsewhere*, a count); *again* when the person had already
        continued past other matches: the text then says why the intake came back."""
        self.found, self.elsewhere_count = list(found), elsewhere
        self.matches.clear()
        for match in found:
            item = QListWidgetItem(fill(_("{code} — {name}: {reasons}"),
                code=match.code, name=display_safe(match.display_name),
                reasons=", ".join(match.reasons)))
            item.setData(Qt.ItemDataRole.UserRole, match.case_id)
            self.matches.addItem(item)
        intro = ngettext(
            "{n} record may be the same person. Open it to check, or continue if this is "
            "someone else.",
            "{n} records may be the same person. Open one to check, or continue if this is "
            "someone else.", len(found)).format(n=len(found))
        if again:
            intro = ngettext(
                "Back at the first step, before anything is created: with the names or date "
                "of birth as they are now, {n} more record may be the same person. Open it "
                "to check, or continue if this is someone else.",
                "Back at the first step, before anything is created: with the names or date "
                "of birth as they are now, {n} more records may be the same person. Open one "
                "to check, or continue if this is someone else.", len(found)).format(
                    n=len(found))
        self.setVisible(bool(found or elsewhere))
        self.intro.show_message(intro if found else "")
        self.matches.setAccessibleDescription(
            f"{intro} {_('Press Enter to open the selected record.')}" if found else "")
        for widget in (self.matches, self.open_button):
            widget.setVisible(bool(found))
        self.elsewhere.show_message(ngettext(
            "A case you cannot open has the same name and date of birth. Ask a coordinator "
            "whether this person already has a case before you continue.",
            "{n} cases you cannot open have the same name and date of birth. Ask a "
            "coordinator whether this person already has a case before you continue.",
            elsewhere).format(n=elsewhere) if elsewhere else "")
        self.matches.setCurrentRow(0)
        if found:
            self.matches.setFocus()
        elif elsewhere:
            self.continue_button.setFocus()
        self._reveal()

    def _reveal(self) -> None:
        """Scroll the page that holds the panel to its top, where the panel is (the focus
        is already in it, so a screen reader reads the warning)."""
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if isinstance(parent, QScrollArea):
            parent.verticalScrollBar().setValue(0)
            parent.ensureWidgetVisible(self, 0, 0)

    def unanswered(self, found: list[DuplicateMatch], elsewhere: int
                   ) -> tuple[list[DuplicateMatch], int]:
        """What in a new check's result the person has not answered yet: records she has
        not said are someone else (or that match better now), and the count of cases she
        cannot open if it grew (0 otherwise)."""
        fresh = [m for m in found if m.score > self._dismissed.get(m.case_id, -1)]
        return fresh, (elsewhere if elsewhere > self._dismissed_elsewhere else 0)

    def answered(self) -> bool:
        return bool(self._dismissed or self._dismissed_elsewhere)

    def _continue(self) -> None:
        for match in self.found:
            self._dismissed[match.case_id] = max(match.score,
                                                 self._dismissed.get(match.case_id, -1))
        self._dismissed_elsewhere = max(self._dismissed_elsewhere, self.elsewhere_count)
        self.continue_requested.emit()

    def forget(self) -> None:
        """Drop everything, answers included (the intake is closing)."""
        self._dismissed.clear()
        self._dismissed_elsewhere = 0
        self.clear()

    def _open(self) -> None:
        item = self.matches.currentItem()
        if item is not None:
            self.open_requested.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def clear(self) -> None:
        self.found, self.elsewhere_count = [], 0
        self.matches.clear()
        self.intro.clear_message()
        self.hide()
