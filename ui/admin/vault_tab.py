"""The vault tab: check the database and the audit chain, and make a backup now.

Both read the whole database and can take a while on a large vault, so they run off the
GUI thread (``Background``) with a busy bar; the window stays responsive and the buttons
are disabled until the result is in.  The check shows ``VerifyReport.lines()`` as written.
"""

from __future__ import annotations

from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget

from shelter_app.domain.roles import Action
from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import format_datetime
from shelter_app.services.registry import Services
from shelter_app.services.vault_admin import VerifyReport

from ..agenda.common import button, flow
from ..background import Background
from ..widgets import NOTICE_STYLE, BusyBar, MessageLabel, heading, named, paragraph


class VaultTab(QWidget):
    def __init__(self, services: Services, background: Background,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("vault_tab")
        self._services = services
        self._background = background
        self.report: VerifyReport | None = None
        self.verify_button = button(_("&Check the vault"), _(
            "Check every page of the database and the audit chain"), self.verify)
        self.backup_button = button(_("Make a &backup now"), _(
            "Copy the encrypted database into the vault's backups folder and check the copy"),
            self.backup)
        self.verify_button.setVisible(services.ctx.allowed(Action.VERIFY))
        self.backup_button.setVisible(services.ctx.allowed(Action.BACKUP))
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
        layout.addWidget(flow(self.verify_button, self.backup_button))
        layout.addWidget(self.busy)
        layout.addWidget(self.result)
        layout.addWidget(self.error)
        layout.addWidget(self.lines, 1)
        self.show_last_backup()

    def show_last_backup(self) -> None:
        """When the newest copy was made; shown to those who may make one."""
        if not self._services.ctx.allowed(Action.BACKUP):
            self.last_backup.hide()
            return
        try:
            made = self._services.vault_admin.last_backup()
        except ShelterError as exc:
            self.last_backup.setText(exc.message)
            return
        self.last_backup.setText(
            _("Newest backup: {when}.").format(when=format_datetime(made, length="medium"))
            if made is not None else _("There is no backup yet."))

    def _start(self) -> None:
        self.result.clear_message()
        self.error.clear_message()
        self.busy.show()
        self.verify_button.setEnabled(False)
        self.backup_button.setEnabled(False)

    def _finish(self) -> None:
        self.busy.hide()
        self.verify_button.setEnabled(True)
        self.backup_button.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if not isinstance(exc, ShelterError):
            self.error.show_message(_("Something unexpected went wrong ({kind}).").format(
                kind=type(exc).__name__))
            raise exc
        self.error.show_message(exc.message)

    def verify(self) -> None:
        self._start()
        self._background.run(self._services.vault_admin.verify, self._verified, self._failed,
                             context=self)

    def _verified(self, report: VerifyReport) -> None:
        self._finish()
        self.report = report
        self.lines.setPlainText("\n".join(report.lines()))
        self.lines.show()
        if report.ok:
            self.result.show_message(_("The vault is intact."))
        else:
            self.error.show_message(_("The check found problems. Stop using this copy and "
                                      "restore the newest backup."))

    def backup(self) -> None:
        self._start()
        self._background.run(self._services.vault_admin.backup, self._backed_up, self._failed,
                             context=self)

    def _backed_up(self, path: object) -> None:
        self._finish()
        self.show_last_backup()
        self.result.show_message(_("Backup saved and checked: {path}").format(path=path))

    def end_session(self) -> None:
        self.report = None
        self.lines.clear()
        self.result.clear_message()
