"""Switching the interface language while the application runs, losing nothing.

Strings are translated when a window is built, so a switch builds the window in front
again in the new language, in the same state:

- On the sign-in screen: what was typed (user name, passphrase) stays in the fields, a
  wait after too many failed attempts keeps running, and the new screen's language list
  has the focus.  While the demo vault is being made, or a passphrase is being checked,
  the list is disabled (the screen is waiting for an answer).
- In the main window: the section in front, every case open (each at its tab, the one in
  front again in front, the case list's search), and every unsaved edit (a profile being
  edited, a half-typed add form, a task being changed) come back in the new window.  The
  edits are carried in memory (``ui/cases/carried.py``): nothing is written to the vault,
  nothing is audited.  A dialog open over the window (an intake, a document) keeps the
  menu out of reach until it is closed, so nothing typed in one can be lost.
- Elsewhere (first run, required passphrase change) the language changes for the screens
  that come next.

The choice is kept for this computer (``shelter_app/i18n/preference.py``), so the next
start is in the same language.
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


class LanguageSwitch:
    def __init__(self, controller: AppController, qt: QtLanguage | None = None) -> None:
        self.controller = controller
        self._qt = qt
        self.made_here = qt is None  # then put back when the controller shuts down

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
        save_language(language)
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

    def _sign_in_again(self, language: str) -> None:
        old = self.controller.window
        assert isinstance(old, SignInWindow)
        username, passphrase = old.username.text(), old.passphrase.text()
        wait, place = old.waiting(), _place(old)
        self._apply(language)
        window = self.controller._show_sign_in()
        _put(window, place)
        window.username.setText(username)
        window.passphrase.setText(passphrase)
        if wait:
            window.show_error("", retry_after=wait)
            window.passphrase.setText(passphrase)
        window.language.setFocus(Qt.FocusReason.OtherFocusReason)

    def _main_again(self, language: str) -> None:
        from .main_window import MainWindow

        controller = self.controller
        old = controller.window
        assert isinstance(old, MainWindow)
        carried = CarriedEdits()
        where, place = old.carry(carried), _place(old)
        old.end_session()
        self._apply(language)
        window = controller._show_main(*controller.main_banners, backup=False)
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
