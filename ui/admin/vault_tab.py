"""The vault tab: check the database and the audit chain, make a backup now, copy the
whole vault to another drive, or change the vault's keys.

Both read the whole database and can take a while on a large vault, so they run off the
GUI thread (``Background``) with a busy bar; the window stays responsive and the buttons
are disabled until the result is in.  The check shows ``VerifyReport.lines()`` as written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain.roles import Action
from shelter_app.errors import ShelterError
from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import fill, format_date, format_datetime, format_number, isolated
from shelter_app.services.registry import Services
from shelter_app.services.vault_admin import PurgedCopies, VerifyReport, rekey_lines
from shelter_app.vault.anchors import EXAMPLE
from shelter_app.vault.rekey import RekeyReport

from ..agenda.common import button, flow
from ..background import Background
from ..file_dialogs import Kind, choose_folder
from ..widgets import NOTICE_STYLE, BusyBar, MessageLabel, heading, named, paragraph
from .restore_dialog import RestoreDialog

# (parent) → the chosen folder, or None; the default asks with the system folder dialog.
ChooseFolder = Callable[[QWidget], Path | None]


def purged_copies_text(purged: PurgedCopies) -> str:
    """Which backups still hold what the last purge or erasure removed, and until when."""
    when = format_datetime(purged.purged_at)
    if not purged.holding:
        return fill(_("No backup holds the records purged on {when}."), when=when)
    held = fill(ngettext(
        "{n} backup made before the purge of {when} still holds the purged records.",
        "{n} backups made before the purge of {when} still hold the purged records.",
        purged.holding), n=format_number(purged.holding), when=when)
    if purged.about is None:
        gone = fill(ngettext(
            "The last of them is deleted after {n} more backup (automatic backups are off).",
            "The last of them is deleted after {n} more backups (automatic backups are off).",
            purged.more_backups), n=format_number(purged.more_backups))
    else:
        gone = fill(ngettext(
            "The last of them is deleted after {n} more backup, about {day}.",
            "The last of them is deleted after {n} more backups, about {day}.",
            purged.more_backups), n=format_number(purged.more_backups),
            day=format_date(purged.about))
    return f"{held} {gone}"


def system_folder_dialog(parent: QWidget) -> Path | None:
    name = choose_folder(parent, Kind.VAULT_COPY,
                         _("Choose the drive or folder for the copy of the vault"))
    return Path(name) if name else None


class _Progress(QObject):
    """Carries (done, total) from the worker thread to the progress bar."""

    moved = Signal(int, int)


class VaultTab(QWidget):
    restore_requested = Signal(str, object)  # the passphrase, the backup file

    def __init__(self, services: Services, background: Background,
                 parent: QWidget | None = None, *,
                 choose_folder: ChooseFolder = system_folder_dialog) -> None:
        super().__init__(parent)
        self._choose_folder = choose_folder
        self.setObjectName("vault_tab")
        self._services = services
        self._background = background
        self.report: VerifyReport | None = None
        self.rekey_box: QMessageBox | None = None
        self.verify_button = button(_("&Check the vault"), _(
            "Check every page of the database and the audit chain"), self.verify)
        self.backup_button = button(_("Make a &backup now"), _(
            "Copy the encrypted database into the vault's backups folder and check the copy"),
            self.backup)
        self.copy_button = button(_("Cop&y the vault to another drive…"), _(
            "A complete, checked copy of the vault folder, for a drive kept in another place"),
            self.copy_elsewhere)
        self.rekey_button = button(_("Change the vault's &keys…"), _(
            "A new database key: copies of the key file made before open nothing afterwards"),
            self.rekey)
        self.rekey_button.setVisible(services.ctx.allowed(Action.REKEY))
        self.restore_button = button(_("&Restore a backup…"), _(
            "Put a backup back: it is checked first, and the database in use is kept aside"),
            self.restore)
        self._progress = _Progress(self)
        self._progress.moved.connect(self._moved)
        self.verify_button.setVisible(services.ctx.allowed(Action.VERIFY))
        self.fingerprints = QLineEdit()
        self.fingerprints.setObjectName("fingerprints")
        self.fingerprints.setPlaceholderText(
            _("for example {example}").format(example=isolated(EXAMPLE)))
        named(self.fingerprints, _("Fingerprints written down earlier"), _(
            "Optional: audit fingerprints to check as well, separated by semicolons"))
        self.fingerprints.returnPressed.connect(self.verify)
        fingerprint_label = QLabel(_("&Fingerprints written down earlier (optional):"))
        fingerprint_label.setBuddy(self.fingerprints)
        fingerprint_row = QWidget()
        row = QHBoxLayout(fingerprint_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(fingerprint_label)
        row.addWidget(self.fingerprints, 1)
        fingerprint_row.setVisible(services.ctx.allowed(Action.VERIFY))
        self.accept_button = button(_("&Accept the restored backup…"), _(
            "After a backup was put back on purpose: take its audit record as the new anchor"),
            self.accept_restored)
        self.accept_button.hide()
        for widget in (self.backup_button, self.copy_button, self.restore_button):
            widget.setVisible(services.ctx.allowed(Action.BACKUP))
        if services.ctx.vault.read_only:  # the window's banner says why; a copy still works
            for widget in (self.backup_button, self.restore_button, self.rekey_button):
                widget.setEnabled(False)
                widget.setToolTip(_("Not on a vault whose disk cannot be written to"))
        self.busy = BusyBar(_("Working…"))
        self.result = MessageLabel(NOTICE_STYLE)
        self.error = MessageLabel()
        self.lines = QPlainTextEdit()
        self.lines.setReadOnly(True)
        named(self.lines, _("Result of the check"))
        self.lines.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Vault care"), scale=1.1))
        layout.addWidget(paragraph(_(
            "The check reads every page of the encrypted database and verifies that no audit "
            "event was changed, removed or reordered. A backup is an encrypted copy in the "
            "vault folder's backups; copy the whole vault folder to a safe place regularly.")))
        self.last_backup = paragraph("")
        layout.addWidget(self.last_backup)
        layout.addWidget(fingerprint_row)
        layout.addWidget(flow(self.verify_button, self.backup_button, self.copy_button,
                              self.restore_button, self.rekey_button))
        layout.addWidget(self.busy)
        layout.addWidget(self.result)
        layout.addWidget(self.error)
        layout.addWidget(flow(self.accept_button))
        layout.addWidget(self.lines, 1)
        layout.addStretch(0)  # takes the room while the result box is hidden
        self.show_last_backup()

    def show_last_backup(self) -> None:
        """When the newest copy was made; shown to those who may make one."""
        if not self._services.ctx.allowed(Action.BACKUP):
            self.last_backup.hide()
            return
        if self._services.ctx.vault.closed:
            return  # the session ended while a backup or a re-key was finishing
        try:
            made = self._services.vault_admin.last_backup()
            purged = self._services.vault_admin.purged_copies()
        except ShelterError as exc:
            self.last_backup.setText(exc.message)
            return
        lines = [_("Newest backup: {when}.").format(when=format_datetime(made))
                 if made is not None else _("There is no backup yet.")]
        if purged is not None:
            lines.append(purged_copies_text(purged))
        self.last_backup.setText("\n".join(lines))

    def _start(self) -> None:
        self.result.clear_message()
        self.error.clear_message()
        self.busy.show()
        self.accept_button.hide()
        for widget in self._buttons():
            widget.setEnabled(False)

    def _buttons(self) -> tuple[QWidget, ...]:
        return (self.verify_button, self.backup_button, self.copy_button, self.restore_button,
                self.rekey_button)

    def _finish(self) -> None:
        self.busy.hide()
        self.busy.setRange(0, 0)
        for widget in self._buttons():
            widget.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if not isinstance(exc, ShelterError):
            self.error.show_message(fill(_("Something unexpected went wrong ({kind})."),
                kind=type(exc).__name__))
            raise exc
        self.error.show_message(exc.message)

    def verify(self) -> None:
        typed = [part for part in self.fingerprints.text().split(";") if part.strip()]
        self._start()
        self._background.run(lambda: self._services.vault_admin.verify(typed), self._verified,
                             self._failed, context=self)

    def _verified(self, report: VerifyReport) -> None:
        self._finish()
        self.report = report
        self.lines.setPlainText("\n".join(report.lines()))
        self.lines.show()
        if report.ok:
            self.result.show_message(_("The vault is intact."))
        elif not report.database_problems and report.chain.ok and not report.anchors_ok:
            self.error.show_message(_(
                "The database and its audit chain are whole, but they do not reach what the "
                "anchors below recorded: audit events were deleted, or an older copy of the "
                "database was put back. If an administrator restored a backup on purpose, "
                "accept it; otherwise restore the newest backup."))
            self.accept_button.setVisible(self._services.ctx.allowed(Action.BACKUP))
        elif not report.database_problems and report.chain.ok and report.rows is not None \
                and report.rows.problems:
            self.error.show_message(_(
                "Records of the cases named below were changed outside the application. "
                "Compare them with the newest backup and restore it if they are wrong; tell "
                "your administrator."))
        else:
            self.error.show_message(_("The check found problems. Stop using this copy and "
                                      "restore the newest backup."))

    def accept_restored(self) -> None:
        answer = QMessageBox.question(
            self, _("Accept the restored backup?"), _(
                "Accept this only if a backup was put back on purpose. The audit events that "
                "the anchors recorded after the backup was made are then no longer looked "
                "for; the acceptance is recorded in the audit log."),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._start()
        self._background.run(self._services.vault_admin.accept_restored, self._verified,
                             self._failed, context=self)

    def backup(self) -> None:
        self._start()
        self._background.run(self._services.vault_admin.backup, self._backed_up, self._failed,
                             context=self)

    def _backed_up(self, path: object) -> None:
        self._finish()
        self.show_last_backup()
        self.result.show_message(fill(_("Backup saved and checked: {path}"), path=path))

    def copy_elsewhere(self) -> None:
        parent = self._choose_folder(self)
        if parent is None:
            return
        self._start()
        self._background.run(lambda: self._services.vault_admin.copy_to(parent),
                             self._copied, self._failed, context=self)

    def _copied(self, path: object) -> None:
        self._finish()
        self.result.show_message(fill(_(
            "A complete copy of the vault, checked, is in {path}. The passphrases and the "
            "recovery key that open this vault open the copy too: keep the drive locked "
            "away."), path=path))

    def restore(self) -> RestoreDialog:
        """The backups to choose from and the passphrase (ui/admin/restore_dialog.py)."""
        dialog = RestoreDialog(self._services, self._background, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(self.restore_requested)
        dialog.open()
        return dialog

    def rekey(self) -> QMessageBox:
        """Asks first (Cancel is the default), then changes the keys off the GUI thread."""
        box = QMessageBox(QMessageBox.Icon.Warning, _("Change the vault's keys"), _(
            "Do this after an account was disabled or lost a role, or when a copy of the "
            "vault folder may have been taken. The database and every backup are encrypted "
            "again under a new key; everyone signs in as before with their own passphrase. "
            "Copies of the key file made before open nothing afterwards. A coordinator's "
            "change replaces the content keys too and seals every field again; an "
            "administrator's replaces the database key. Copies of the vault on other drives "
            "keep the old keys: make a new copy and destroy the old ones. The vault cannot be "
            "used while this runs."),
            QMessageBox.StandardButton.Cancel, self)
        confirm = box.addButton(_("&Change the keys"), QMessageBox.ButtonRole.DestructiveRole)
        named(confirm, _("Change the keys"))
        named(box, _("Change the vault's keys"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda b: self._rekey() if b is confirm else None)
        self.rekey_box = box
        box.open()
        return box

    def _rekey(self) -> None:
        self._start()
        self.busy.setRange(0, 100)
        self.busy.setValue(0)
        moved = self._progress.moved
        self._background.run(
            lambda: self._services.vault_admin.rekey(lambda done, total: moved.emit(done,
                                                                                  total)),
            self._rekeyed, self._failed, context=self)

    def _moved(self, done: int, total: int) -> None:
        self.busy.setValue(round(100 * done / max(total, 1)))

    def _rekeyed(self, report: RekeyReport) -> None:
        self._finish()
        self.show_last_backup()
        self.result.show_message(" ".join(rekey_lines(report)))

    def end_session(self) -> None:
        self.report = None
        self.fingerprints.clear()
        self.accept_button.hide()
        self.lines.clear()
        self.result.clear_message()
