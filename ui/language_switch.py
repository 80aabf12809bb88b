"""Switching the interface language while the application runs, losing nothing.

Strings are translated when a window is built, so a switch builds the window in front
again in the new language, in the same state:

- On the sign-in screen: what was typed (user name, passphrase), the notice and the
  error shown stay (in the words they were said in), a wait after too many failed
  attempts keeps running, and the new screen's language list has the focus.  While the
  demo vault is being made or a passphrase is being checked, the list is disabled and a
  switch asked meanwhile is not made (the screen is waiting for an answer).
- In the main window: the section in front, every case open (each at its tab, the one in
  front again in front), the case list's search, a profile being edited (every field, in
  memory: ``ui/cases/carried.py``) and the automatic backup's problem, if one is shown,
  come back in the new window.  Anything else not saved (an add form, a row being
  changed, a setting) is asked about first, as a lock by hand asks: Save, Discard or
  Cancel.  While work runs in the background (a backup, a check, a document) the language
  changes once it has finished, as the status bar says: its result goes to the window
  that asked for it.  Cases opened again are recorded in the audit chain as opened, as
  every opening is.  A dialog open over the window (an intake, a document) keeps the menu
  out of reach until it is closed.
- Elsewhere (first run, required passphrase change) the language changes for the screens
  that come next.

The new window is built before the old one is emptied: if building it fails, the old one
stays, in the old language.  The choice is kept for this computer
(``shelter_app/i18n/preference.py``), so the next start is in the same language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QWidget

from shelter_app.i18n import _, catalogue_notice, current_language, set_language
from shelter_app.i18n.preference import save_language

from .cases.carried import CarriedEdits
from .language import QtLanguage
from .sign_in import SignInWindow

if TYPE_CHECKING:
    from .controller import AppController
    from .main_window import MainWindow


class LanguageSwitch:
    def __init__(self, controller: AppController, qt: QtLanguage | None = None) -> None:
        self.controller = controller
        self._qt = qt
        self.made_here = qt is None  # then put back when the controller shuts down
        self._waiting: str | None = None  # asked for while work ran in the background

    def _idle(self) -> None:
        self.controller.background.idle.disconnect(self._idle)
        language, self._waiting = self._waiting, None
        if language is not None and self.controller.state == "main":
            self.switch(language)

    @property
    def qt(self) -> QtLanguage:
        if self._qt is None:
            app = QApplication.instance()
            assert isinstance(app, QApplication)
            self._qt = QtLanguage(app)
        return self._qt

    def switch(self, language: str) -> None:
        language = language.replace("-", "_")
        if language == current_language():
            return
        state = self.controller.state
        if state == "sign_in":
            self._sign_in_again(language)
        elif state == "main":
            self._main_again(language)
        else:
            self._apply(language)

    def _apply(self, language: str) -> None:
        controller = self.controller
        untitled = controller.services is None and controller.title == _("Shelter App")
        set_language(language)
        self.qt.apply(language)
        controller.language_notice = catalogue_notice(language)
        if untitled:  # the vault's own neutral title is not known yet
            controller.title = _("Shelter App")
        save_language(language)

    def _sign_in_again(self, language: str) -> None:
        old = self.controller.window
        assert isinstance(old, SignInWindow)
        if old.busy_now() or self.controller.vault is None:
            return  # a passphrase being checked, or no vault to sign in to yet
        username, passphrase = old.username.text(), old.passphrase.text()
        notice = old.notice.text() if old.notice.isVisibleTo(old) else ""
        error = old.error.text() if old.error.isVisibleTo(old) else ""
        wait, place = old.waiting(), _place(old)
        self._apply(language)
        window = self.controller._show_sign_in(notice)
        _put(window, place)
        window.username.setText(username)
        window.passphrase.setText(passphrase)
        if wait:
            window.show_error("", retry_after=wait)
            window.passphrase.setText(passphrase)
        elif error:
            window.error.show_message(error)
        window.language.setFocus(Qt.FocusReason.OtherFocusReason)

    def _main_again(self, language: str) -> None:
        from .main_window import MainWindow

        old = self.controller.window
        assert isinstance(old, MainWindow)
        background = self.controller.background
        if background.busy:  # its results go to the window that asked for them
            if self._waiting is None:
                background.idle.connect(self._idle)
                old.statusBar().showMessage(_(
                    "The language changes once the work running in the background has "
                    "finished."))
            self._waiting = language
            return
        if old.unsaved_box is not None:
            return  # already asking (about a lock or a switch); the answer decides
        if old.forms_unsaved():
            old.ask_before_lock(
                lambda: self._rebuild_main(old, language),
                _("Save your changes before the language changes?"),
                _("The language was not changed: some changes could not be saved. The "
                  "reason is shown in the case."))
            return
        self._rebuild_main(old, language)

    def _rebuild_main(self, old: MainWindow, language: str) -> None:
        controller = self.controller
        if controller.window is not old or controller.services is None:
            return  # locked meanwhile
        carried = CarriedEdits()
        where, place, before = old.carry(carried), _place(old), current_language()
        self._apply(language)
        try:
            window = controller._show_main(*controller.main_banners, backup=False)
        except Exception:
            self._apply(before)  # the old window stays, as it was
            raise
        old.end_session()  # the old window is deleted by _show; it drops its data first
        if window is not None:
            _put(window, place)
            window.return_to(where, carried)
            window.language_button().setFocus(Qt.FocusReason.OtherFocusReason)
        carried.clear()

    def restore(self) -> None:
        if self.made_here and self._qt is not None:
            self._qt.restore()
            self._qt = None


def _place(window: QWidget) -> tuple[bool, QRect]:
    return window.isMaximized(), window.geometry()


def _put(window: QWidget, place: tuple[bool, QRect]) -> None:
    """The new window where the old one was, as large (or maximised)."""
    maximised, geometry = place
    if maximised:
        window.showMaximized()
    else:
        window.setGeometry(geometry)
