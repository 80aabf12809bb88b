"""Administration → Vault → "Restore a backup…": which backup, and the administrator's own
passphrase again.

The list holds the vault's backups, newest first and selected; "Choose another file…" adds
one from elsewhere (a copy kept on another drive, or a database a restore kept aside).  The
passphrase is checked off the GUI thread before anything ends; then ``chosen`` carries the
passphrase and the file to the controller (ui/restore_flow.py), which ends the session and
restores on the sign-in screen.  No button is the default: Enter starts no restore
and closes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import format_datetime, format_megabytes
from shelter_app.services.registry import Services

from ..background import Background
from ..file_dialogs import Kind, open_file
from ..session_end import unexpected
from ..widgets import BusyBar, MessageLabel, named, paragraph

# (parent) → a chosen backup file, or None; the default asks with the system file dialog.
ChooseBackup = Callable[[QWidget], Path | None]


def system_backup_dialog(parent: QWidget) -> Path | None:
    name = open_file(parent, Kind.VAULT_COPY, _("Choose a backup to restore"),
                     _("Shelter App databases (*.db)"))
    return Path(name) if name else None


def _size(path: Path) -> str:
    try:
        return format_megabytes(path.stat().st_size)
    except OSError:
        return _("cannot be read")


class RestoreDialog(QDialog):
    chosen = Signal(str, object)  # the passphrase, the backup file

    def __init__(self, services: Services, background: Background, parent: QWidget, *,
                 choose_backup: ChooseBackup = system_backup_dialog) -> None:
        super().__init__(parent)
        self.setObjectName("restore_dialog")
        self.setWindowTitle(_("Restore a backup"))
        self._services = services
        self._background = background
        self._choose_backup = choose_backup
        self.backups = QListWidget()
        named(self.backups, _("Backups"), _("Newest first"))
        for made, version, path in services.vault_admin.backups():
            self._add(_("{when} · database version {version} · {size}").format(
                when=format_datetime(made), version=version, size=_size(path)), path)
        self.backups.setCurrentRow(0)
        backups_label = QLabel(_("&Backup to restore:"))
        backups_label.setBuddy(self.backups)
        self.other = QPushButton(_("Choose another &file…"))
        named(self.other, _("Choose another file"),
              _("A backup kept elsewhere, or a database a restore kept aside"))
        self.other.clicked.connect(self._other)
        self.other.setAutoDefault(False)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        named(self.passphrase, _("Your passphrase"))
        passphrase_label = QLabel(_("Your &passphrase:"))
        passphrase_label.setBuddy(self.passphrase)
        self.error = MessageLabel()
        self.busy = BusyBar(_("Checking the passphrase…"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = self.buttons.addButton(
            _("&Restore"), QDialogButtonBox.ButtonRole.DestructiveRole)
        named(self.restore_button, _("Restore"))
        self.restore_button.setAutoDefault(False)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)
        self.restore_button.clicked.connect(self._restore)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(paragraph(_(
            "The backup is checked in a folder of its own before anything changes: every page, "
            "its audit chain, and that it belongs to this vault. If it passes, it replaces the "
            "database in use, which is kept aside in the vault folder. Records entered after "
            "the backup was made will not be in the restored vault. Your session ends while "
            "the backup is restored; sign in again afterwards.")))
        layout.addWidget(backups_label)
        layout.addWidget(self.backups, 1)
        layout.addWidget(self.other, 0, Qt.AlignmentFlag.AlignLeading)
        layout.addWidget(passphrase_label)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        # The keyboard goes the way the eye does: the buttons after the passphrase, Restore
        # (shown first) before Cancel.
        for first, second in pairwise((self.backups, self.other, self.passphrase,
                                       self.restore_button, cancel)):
            self.setTabOrder(first, second)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)
        (self.passphrase if self.backups.count() else self.other).setFocus()

    def _add(self, text: str, path: Path) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, str(path))
        item.setToolTip(str(path))
        self.backups.addItem(item)
        return item

    def _other(self) -> None:
        path = self._choose_backup(self)
        if path is None:
            return
        item = self._add(_("{name} · {size}").format(name=path.name, size=_size(path)), path)
        self.backups.setCurrentItem(item)
        self.passphrase.setFocus()

    def selected(self) -> Path | None:
        item = self.backups.currentItem()
        return Path(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _restore(self) -> None:
        backup, passphrase = self.selected(), self.passphrase.text()
        if backup is None:
            self.error.show_message(_("Choose a backup to restore."))
            return
        if not passphrase:
            self.error.show_message(_("Enter your passphrase."))
            self.passphrase.setFocus()
            return
        self.error.clear_message()
        self.busy.show()
        self.restore_button.setEnabled(False)

        def checked(_result: object) -> None:
            self.busy.hide()
            self.chosen.emit(passphrase, backup)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.busy.hide()
            self.restore_button.setEnabled(True)
            self.passphrase.clear()
            self.passphrase.setFocus()
            self.error.show_message(exc.message if isinstance(exc, ShelterError)
                                    else unexpected(exc))
            if not isinstance(exc, ShelterError):
                raise exc

        self._background.run(lambda: self._services.vault_admin.check_restorer(passphrase),
                             checked, failed, context=self)
