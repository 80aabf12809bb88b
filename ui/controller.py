"""The GUI's composition root: holds the vault folder, signs in, builds the services, locks.

One ``AppController`` per application holds the ``Vault`` (the folder lock) from start to
shutdown, builds ``Services`` at sign-in and hands them to the windows; nothing is global.
Screens, one at a time: first run → (recovery key) → main window, or sign-in → (required
change of passphrase) → main window, or "cannot open"; a restore runs on the sign-in screen.

Ending a session (lock, auto-lock, quick exit) hides and deletes every window that showed vault
data, clears the clipboard, records why in the audit chain, closes the database and forgets
the key (``Services.lock``).  Quick exit hides every window first, then ends the session and
**quits the application**: nothing is left on the screen."""
from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from shelter_app.domain.audit import Event
from shelter_app.errors import ShelterError, TooManyAttempts, VaultExists
from shelter_app.i18n import _, ngettext
from shelter_app.vault.crypto import PRODUCTION_KDF, KdfPolicy
from shelter_app.vault.process import core_dumps
from shelter_app.vault.vault import OpenVault, Vault

from . import restore_flow
from .background import Background
from .demo import DemoVault, make_demo_vault
from .file_dialogs import forget as forget_file_dialogs
from .idle import IdleWatcher, auto_lock_minutes
from .session_end import clear_clipboard, close_quietly, discard, unexpected
from .shortcuts import AppShortcuts, hide_all_windows
from .sign_in import SignInWindow
from .vault_error import VaultErrorWindow

if TYPE_CHECKING:
    from shelter_app.services.registry import Services

    from .first_run import FirstRunWindow
    from .language import QtLanguage
    from .language_switch import LanguageSwitch
    from .main_window import MainWindow

log = logging.getLogger(__name__)
PRELOAD_AFTER_MS = 250  # after the sign-in screen is on the display


def _session_code() -> Callable[[OpenVault], Services]:
    """The services and the main window's code: loaded on the worker thread once the sign-in
    screen is up (or at unlock at the latest), so that it comes up with only its own."""
    from shelter_app.services.registry import build_services

    from . import main_window  # noqa: F401 - imported for the next screen

    # documents are laid out in a process of their own: never on the window's time
    return functools.partial(build_services, document_process=True)


class AppController(QObject):
    """Owns the screens and the session; ``state`` names the screen in front."""

    state_changed = Signal(str)

    def __init__(self, folder: Path, *, kdf: KdfPolicy = PRODUCTION_KDF,
                 demo: DemoVault | None = None, auto_lock_ms: int | None = None,
                 quit_app: Callable[[], None] | None = None, language_notice: str = "",
                 qt_language: QtLanguage | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self.language_notice = language_notice  # why English is shown (catalogue missing)
        self.kdf, self.demo, self.auto_lock_ms = kdf, demo, auto_lock_ms
        self._quit_app = quit_app or QCoreApplication.quit
        self.vault: Vault | None = None
        self.services: Services | None = None
        self.window: QWidget | None = None
        self.state = "new"
        self.title = _("Shelter App")  # until the vault's own neutral title is known
        self._epoch = 0  # changes whenever a session ends; late results are then discarded
        self.background = Background(self)
        self.idle = IdleWatcher(self)
        self.idle.timed_out.connect(self.auto_lock)
        self.keys = AppShortcuts(self)
        self.keys.quick_exit.connect(self.quick_exit)
        self.keys.lock.connect(self.lock)
        self.qt_language = qt_language
        self.languages: LanguageSwitch | None = None  # made at the first switch
        self.main_banners: tuple[int, str | None] = (0, None)  # shown again after a switch

    # -- starting ------------------------------------------------------------------
    def start(self) -> None:
        self.keys.install()
        if self.demo is not None and not self.demo.ready:  # made behind the sign-in screen
            epoch, window = self._epoch, self._show_sign_in()
            make_demo_vault(self.demo, self.kdf, self.background, window, lambda: (
                self._hold_vault(ready=window) if epoch == self._epoch else None))
        elif Vault.exists(self.folder):
            self._hold_vault()
        else:
            from .first_run import FirstRunWindow
            window = FirstRunWindow(self.title, self.background, notice=self.language_notice)
            window.create_requested.connect(self._create)
            window.finished.connect(lambda: self._show_main(0))
            window.recovery.sheet_saved.connect(self._sheet_saved)
            self._show(window, "first_run")

    def _hold_vault(self, ready: SignInWindow | None = None) -> None:
        """Hold the vault folder, then sign in (*ready*: the screen shown while a demo is made)."""
        try:
            self.vault = Vault.open(self.folder, kdf=self.kdf)
        except ShelterError as exc:
            window = VaultErrorWindow(self.title, exc.message, str(self.folder))
            window.retry_requested.connect(lambda: self.start() if self.vault is None else None)
            window.close_requested.connect(self.quit)
            self._show(window, "error")
            return
        if ready is not None and ready is self.window:
            ready.set_prepared()
        else:
            self._show_sign_in()

    def _show(self, window: QWidget, state: str) -> None:
        old, self.window = self.window, window
        quick_exit = getattr(window, "quick_exit_requested", None)  # the screens with the button
        if quick_exit is not None:
            quick_exit.connect(self.quick_exit)
        window.show()
        window.raise_()
        window.activateWindow()
        if old is not None:
            discard(old)
        self.state = state
        self.state_changed.emit(state)

    def _show_sign_in(self, notice: str = "") -> SignInWindow:
        demo = self.demo.shown() if self.demo is not None else {}
        window = SignInWindow(self.title, notice="\n\n".join(filter(None, (
            notice, self.language_notice))), **demo)  # type: ignore[arg-type]
        window.submitted.connect(self._sign_in)
        window.language_chosen.connect(self.switch_language)
        window.forgot_requested.connect(lambda: self._forgot(window))
        window.restore_requested.connect(functools.partial(restore_flow.start, self))
        self._show(window, "sign_in")
        QTimer.singleShot(PRELOAD_AFTER_MS, self, self._preload)
        return window

    def _preload(self) -> None:
        """Load the next screens' code on the worker while the person types."""
        if self.state == "sign_in" and "ui.main_window" not in sys.modules:
            self.background.run(_session_code, lambda _code: None,
                                lambda exc: log.warning("preloading failed: %r", exc),
                                context=self)

    def _forgot(self, window: SignInWindow) -> None:
        from .recovery_dialog import open_recovery  # only when asked: it is seldom needed
        open_recovery(window, self.vault, self.background)

    def _first_run(self) -> FirstRunWindow | None:
        return self.window if self.state in ("first_run", "recovery_key") else None  # type: ignore[return-value]

    def _main(self) -> MainWindow | None:
        return self.window if self.state == "main" else None  # type: ignore[return-value]

    # -- first run -------------------------------------------------------------------
    def _create(self, organisation: str, username: str, display_name: str,
                passphrase: str) -> None:
        folder, kdf, epoch = self.folder, self.kdf, self._epoch

        def work() -> tuple[Vault, Services, str]:
            vault, opened, key = Vault.create(
                folder, organisation=organisation, admin_username=username,
                admin_passphrase=passphrase, admin_display_name=display_name, kdf=kdf)
            core_dumps.acquire()  # released by OpenVault.close(), as after unlocking
            try:
                return vault, _session_code()(opened), key
            except BaseException:
                opened.close()
                vault.close()
                raise

        def done(result: tuple[Vault, Services, str]) -> None:
            vault, services, key = result
            first_run = self._first_run()
            if epoch != self._epoch or first_run is None:
                close_quietly(services, Event.LOCK)
                vault.close()
                return
            self.vault = vault
            self._begin_session(services)
            first_run.show_recovery_key(key, organisation=organisation,
                                          vault_id=services.ctx.vault.vault_id)
            self.state = "recovery_key"
            self.state_changed.emit(self.state)

        def failed(exc: BaseException) -> None:
            window = self._first_run()
            if isinstance(exc, VaultExists) and epoch == self._epoch:
                self._hold_vault()  # made meanwhile (another window): sign in to it instead
                return
            if window is not None:
                window.show_create_error(exc if isinstance(exc, ShelterError)
                                         else ShelterError(unexpected(exc)))
            if not isinstance(exc, ShelterError):
                raise exc

        self.background.run(work, done, failed, context=self)

    def _sheet_saved(self, _path: str) -> None:
        if self.services is not None:
            self.services.ctx.record(Event.RECOVERY_SHEET, target_type="vault",
                                     target_id=self.services.ctx.vault.vault_id)

    # -- signing in ------------------------------------------------------------------
    def _sign_in(self, username: str, passphrase: str) -> None:
        vault, epoch, window = self.vault, self._epoch, self.window
        if vault is None or not isinstance(window, SignInWindow):
            return
        window.set_busy(True)

        def work() -> tuple[Services, Any]:
            opened, report = vault.unlock(username, passphrase)
            try:
                return _session_code()(opened), report
            except BaseException:
                opened.close()
                raise

        def done(result: tuple[Services, Any]) -> None:
            services, report = result
            if epoch != self._epoch or window is not self.window:
                close_quietly(services, Event.LOCK)
                return
            self._begin_session(services)
            if report.must_change_passphrase:
                self._show_must_change(report.failed_attempts, report.integrity_warning)
            else:
                self._show_main(report.failed_attempts, report.integrity_warning)

        def failed(exc: BaseException) -> None:
            if window is not self.window:
                return
            if isinstance(exc, TooManyAttempts):
                window.show_error(exc.message, retry_after=exc.retry_after)
            elif isinstance(exc, ShelterError):
                window.show_error(exc.message)
                restore_flow.offer(self, window, exc)
            else:
                window.show_error(unexpected(exc))
                raise exc

        self.background.run(work, done, failed, context=self)

    def _begin_session(self, services: Services) -> None:
        self.services = services
        self.title = str(services.settings.get("window_title")) or self.title
        if self.auto_lock_ms is not None:
            self.idle.start(self.auto_lock_ms)
        else:
            self.idle.start(auto_lock_minutes(self.services) * 60_000)

    def _show_must_change(self, failed_attempts: int, integrity_warning: str | None) -> None:
        from .change_passphrase import ChangePassphraseDialog

        assert self.services is not None
        dialog = ChangePassphraseDialog(
            self.services.accounts.change_own_passphrase, self.services.session.username,
            self.background, required=True, title=self.title)
        dialog.changed.connect(lambda: self._show_main(failed_attempts, integrity_warning))
        dialog.rejected.connect(lambda: self.lock(Event.SIGN_OUT))
        self._show(dialog, "must_change")

    def _show_main(self, failed_attempts: int, integrity_warning: str | None = None, *,
                   backup: bool = True) -> MainWindow | None:
        from .main_window import MainWindow

        if self.services is None:
            return None
        self.main_banners = (failed_attempts, integrity_warning)
        window = MainWindow(self.services, self.background, failed_attempts=failed_attempts, integrity_warning=integrity_warning)  # noqa: E501
        window.lock_requested.connect(self.lock)
        window.language_chosen.connect(self.switch_language)
        window.restore_requested.connect(functools.partial(restore_flow.start, self,
                                                           self.services.session.username))
        self._show(window, "main")
        if backup:
            window.backup_if_due()
        return window

    def switch_language(self, language: str) -> None:
        """Show the interface in *language* (ui/language_switch.py), once the menu closed."""
        if self.languages is None:  # its code is loaded then, not at start-up
            from .language_switch import LanguageSwitch
            self.languages = LanguageSwitch(self, self.qt_language)
        QTimer.singleShot(0, self, functools.partial(self.languages.switch, language))

    # -- ending a session ------------------------------------------------------------
    def lock(self, event: Event = Event.LOCK, *, notice: str = "") -> None:
        """End the session and show the sign-in screen (no-op when nothing is open).  A lock
        the user asked for (Ctrl+L, the Lock button) first asks about unsaved edits: Save,
        Discard or Cancel.  Nothing else asks: see ``auto_lock``."""
        if self.services is None:
            return
        window = self._main()
        if event == Event.LOCK and window is not None:
            if window.unsaved_box is not None and not window.drop_language_question():
                return  # already asking before a lock; the answer decides
            if window.has_unsaved():
                epoch = self._epoch
                window.ask_before_lock(
                    lambda: self._lock_now(event, notice) if epoch == self._epoch else None)
                return
        self._lock_now(event, notice)

    def _lock_now(self, event: Event, notice: str) -> None:
        if self.services is None:
            return
        if self.state == "recovery_key":
            notice = " ".join(filter(None, (notice, _(
                "The vault was locked before the recovery key was confirmed. If it was not "
                "stored, an administrator can make a new one: shelter-admin recovery-sheet."))))
        self._end_session(event)
        self._show_sign_in(notice)

    def auto_lock(self) -> None:
        """Lock without asking anything: unsaved edits are kept as drafts in the vault."""
        self._keep_drafts()
        minutes = auto_lock_minutes(self.services)
        self.lock(Event.AUTO_LOCK, notice=ngettext(
            "Locked after {n} minute without activity.",
            "Locked after {n} minutes without activity.", minutes).format(n=minutes))

    def quick_exit(self) -> None:
        """Hide everything at once, then end the session, then quit the application."""
        hide_all_windows()  # first, before anything that could take time
        self._keep_drafts()
        self._epoch += 1
        if self.services is not None:
            self._end_session(Event.QUICK_EXIT)
        if self.window is not None:
            discard(self.window)
            self.window = None
        self.state = "closed"
        self.state_changed.emit(self.state)
        self.quit()

    def quit(self) -> None:
        self._quit_app()

    def _keep_drafts(self) -> None:
        """Keep unsaved edits inside the vault; a failure must never stop the lock."""
        window = self._main()
        if window is not None and self.services is not None:
            try:
                window.keep_drafts()
            except Exception:
                log.exception("keeping unsaved edits as drafts failed; locking anyway")

    def _end_session(self, event: Event) -> None:
        self._epoch += 1
        self.idle.stop()
        forget_file_dialogs()  # remembered folders may name a case; an open dialog closes
        window = self._main()
        if window is not None:
            try:
                window.end_session()  # every page drops what it holds, now
            except Exception:
                log.exception("a page failed to drop its data; its window is deleted anyway")
        if self.window is not None:
            discard(self.window)
            self.window = None
        clear_clipboard()
        services, self.services = self.services, None
        if services is not None:
            services.vault_admin.cancel_backups()  # a lock never waits for a long copy
        self.background.wait()  # a passphrase change may still be using the database
        if services is not None:
            close_quietly(services, event)

    def shutdown(self) -> None:
        """Called once when the application ends: sign out, release the folder."""
        self.keys.remove()
        if self.languages is not None:
            self.languages.restore()
        self.idle.stop()
        self._epoch += 1
        self.background.wait()  # then deliver finished results: a late unlock is closed
        QCoreApplication.sendPostedEvents(None, QEvent.Type.MetaCall)
        if self.services is not None:
            self._end_session(Event.SIGN_OUT)
        if self.window is not None:
            discard(self.window)
            self.window = None
        if self.vault is not None:
            self.vault.close()
            self.vault = None
        self.state = "closed"
