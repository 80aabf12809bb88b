"""The last page of the first run: the recovery key, shown once, and its sheet as PDF.

The key is shown in a large, selectable, left-to-right monospace label (also in Arabic
layouts: the key is Latin).  "Finish" stays disabled until the person ticks "I have stored
the recovery key somewhere safe".  The sheet is written by
``shelter_app.documents.recovery_sheet.save_recovery_sheet`` off the GUI thread; it never
overwrites a file, and any refusal is shown under the button.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shelter_app.documents.recovery_sheet import save_recovery_sheet
from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill

from .background import Background
from .file_dialogs import Kind, save_file
from .widgets import ERROR_STYLE, BusyBar, MessageLabel, heading, monospace_font, named, paragraph

SHEET_FILE_NAME = "recovery-sheet.pdf"
SAVED_STYLE = "color: #145a32; font-weight: 600;"


def display_key(key: str) -> str:
    """The key in two lines of four groups, easier to copy by hand than one long line."""
    groups = key.split("-")
    half = (len(groups) + 1) // 2
    return "-".join(groups[:half]) + "\n" + "-".join(groups[half:])


def default_sheet_path() -> Path:
    documents = Path.home() / "Documents"
    return (documents if documents.is_dir() else Path.home()) / SHEET_FILE_NAME


class RecoveryKeyPage(QWidget):
    """Emits ``sheet_saved(path)`` after a sheet is written and ``finished`` on Finish."""

    sheet_saved = Signal(str)
    finished = Signal()

    def __init__(self, background: Background, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._background = background
        self.recovery_key = ""
        self.organisation = ""
        self.vault_id = ""
        self.saved_path: Path | None = None
        # Tests replace this to avoid a native dialog: (suggested path) -> chosen path or "".
        self.choose_path: Callable[[Path], str] = self._ask_path

        self.key_label = QLabel()
        self.key_label.setFont(monospace_font(1.8))
        self.key_label.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setTextFormat(Qt.TextFormat.PlainText)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                               | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.key_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.key_label.setStyleSheet("padding: 12px;")
        named(self.key_label, _("Recovery key"))

        self.save_button = QPushButton(_("Save recovery sheet…"))
        named(self.save_button, _("Save recovery sheet"),
              _("Saves a PDF with the recovery key to print and keep in a safe place."))
        self.save_button.clicked.connect(self.save_sheet)
        self.save_status = MessageLabel(SAVED_STYLE)
        self.save_status.setAccessibleName(_("Recovery sheet"))
        self.save_busy = BusyBar(_("Saving the recovery sheet…"))

        self.stored = QCheckBox(_("I have stored the recovery key somewhere safe"))
        named(self.stored, self.stored.text())
        self.finish_button = QPushButton(_("Finish"))
        named(self.finish_button, _("Finish"))
        self.finish_button.setEnabled(False)
        self.stored.toggled.connect(self.finish_button.setEnabled)
        self.finish_button.clicked.connect(self._finish)

        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.finish_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading(_("Your recovery key")))
        layout.addWidget(paragraph(_(
            "This key opens every record in the vault if an administrator's passphrase is "
            "forgotten (\u201cForgot passphrase?\u201d on the sign-in screen). It is shown only "
            "now. Save the recovery sheet and print it, or write the key down, and keep it "
            "locked away from this computer.")))
        layout.addWidget(self.key_label)
        layout.addLayout(save_row)
        layout.addWidget(self.save_busy)
        layout.addWidget(self.save_status)
        layout.addWidget(paragraph(_(
            "Once the sheet is printed, delete the PDF file. Anyone who has the key can open "
            "every record.")))
        layout.addStretch(1)
        layout.addWidget(self.stored)
        layout.addLayout(buttons)
        self.setTabOrder(self.key_label, self.save_button)
        self.setTabOrder(self.save_button, self.stored)
        self.setTabOrder(self.stored, self.finish_button)

    def show_key(self, recovery_key: str, *, organisation: str, vault_id: str) -> None:
        self.recovery_key = recovery_key
        self.organisation = organisation
        self.vault_id = vault_id
        self.key_label.setText(display_key(recovery_key))
        self.save_button.setFocus()

    def forget_key(self) -> None:
        """Take the key off the screen and out of this page (on finish or lock)."""
        self.recovery_key = ""
        self.key_label.clear()

    # -- the sheet -------------------------------------------------------------------
    def _ask_path(self, suggested: Path) -> str:
        return save_file(self, Kind.RECOVERY_SHEET, _("Save recovery sheet"), suggested.name,
                         _("PDF documents (*.pdf)"), confirm_overwrite=False)

    def save_sheet(self) -> None:
        chosen = self.choose_path(self.saved_path or default_sheet_path())
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        key, organisation, vault_id = self.recovery_key, self.organisation, self.vault_id
        self.save_button.setEnabled(False)
        self.save_busy.show()
        self._background.run(
            lambda: save_recovery_sheet(path, organisation=organisation, vault_id=vault_id,
                                        recovery_key=key),
            lambda _r: self._saved(path), self._save_failed, context=self)

    def _saved(self, path: Path) -> None:
        self.save_busy.hide()
        self.save_button.setEnabled(True)
        self.saved_path = path
        self.save_status.setStyleSheet(SAVED_STYLE)
        self.save_status.show_message(
            fill(_("Recovery sheet saved to {path}. Print it, then delete the file."),
            path=path))
        self.sheet_saved.emit(str(path))

    def _save_failed(self, exc: BaseException) -> None:
        self.save_busy.hide()
        self.save_button.setEnabled(True)
        self.save_status.setStyleSheet(ERROR_STYLE)
        if not isinstance(exc, ShelterError | OSError):
            raise exc
        message = exc.message if isinstance(exc, ShelterError) else str(exc)
        self.save_status.show_message(message)

    def _finish(self) -> None:
        if not self.stored.isChecked():
            return
        self.forget_key()
        self.finished.emit()
