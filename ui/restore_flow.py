"""Restoring a backup from the application (shelter_app/vault/restore.py does the work).

Two ways in: the sign-in screen offers the newest backup when the database cannot be
opened (damaged, missing or empty), and Administration → Vault → "Restore a backup…"
offers any of them.  Either way the session, if one is open, ends first: the database
is about to be replaced under it.  The restore runs off the GUI thread on the sign-in
screen, which shows each step; afterwards it says what was restored and where the
replaced database is kept, and the administrator signs in to the restored vault.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from shelter_app.domain.audit import Event
from shelter_app.errors import ShelterError, VaultDamaged, VaultMissing
from shelter_app.i18n import _
from shelter_app.i18n.formatting import format_datetime
from shelter_app.vault.backup import copies
from shelter_app.vault.restore import report_lines, restore

from .session_end import unexpected
from .sign_in import SignInWindow

if TYPE_CHECKING:
    from shelter_app.vault.restore import RestoreReport

    from .controller import AppController


class _Steps(QObject):
    """Carries a step's text from the worker thread to the sign-in screen."""

    step = Signal(str)


def offer(controller: AppController, window: SignInWindow, exc: BaseException) -> None:
    """After a failed sign-in: offer the newest backup if the database is what failed."""
    if isinstance(exc, VaultDamaged | VaultMissing):
        _offer_newest(controller, window)


def _offer_newest(controller: AppController, window: SignInWindow) -> None:
    found = copies(controller.folder)  # a listing of backups/: no file is opened
    if found:
        window.offer_restore(format_datetime(found[-1][0]))


def start(controller: AppController, username: str, passphrase: str,
          backup: Path | None = None) -> None:
    """Restore *backup* (None: the newest that passes its check) as *username*."""
    vault = controller.vault
    if vault is None:
        return
    offered = controller.services is None  # from the sign-in screen's offer
    if controller.services is not None:
        # Unsaved edits become drafts first: if the backup is refused, they are still
        # in the vault, which nothing then changes.
        controller._keep_drafts()
        controller._end_session(Event.SIGN_OUT)
    current = controller.window
    # The sign-in screen that offered it stays where it is on the screen.
    window = current if isinstance(current, SignInWindow) else controller._show_sign_in()
    window.username.setText(username)
    steps = _Steps(window)
    steps.step.connect(window.set_restoring)
    window.set_restoring(_("Preparing the restore…"))
    kdf = controller.kdf

    def work() -> RestoreReport:
        return restore(vault.folder, username, passphrase, backup, minimum=kdf.minimum,
                       attempts=vault.attempts, step=steps.step.emit)

    def done(report: RestoreReport) -> None:
        if window is not controller.window:
            return
        window.set_restoring("")
        window.restore_done()
        window.notice.show_message("\n".join(
            [*report_lines(report), _("Sign in to the restored vault.")]))
        window.passphrase.setFocus()

    def failed(exc: BaseException) -> None:
        if window is not controller.window:
            return
        window.set_restoring("")
        window.show_error(exc.message if isinstance(exc, ShelterError) else unexpected(exc))
        if offered:  # the database still cannot be opened: another backup may do
            _offer_newest(controller, window)
        if not isinstance(exc, ShelterError):
            raise exc

    controller.background.run(work, done, failed, context=window)
