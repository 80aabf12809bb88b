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
  Cancel (a lock asked for meanwhile takes the question over).  While work runs in the
  background (a backup, a check, a document) the language changes once it has finished,
  as the status bar says: its result goes to the window that asked for it; choosing the
  language in force meanwhile takes the switch back.  While another window is open (a
  document, an attachment, any dialog) the language is not changed, and the status bar
  says so.  Cases opened again are recorded in the audit chain as opened, as every
  opening is.
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

from .language import QtLanguage
from .sign_in import SignInWindow

if TYPE_CHECKING:  # (the rest is imported at a switch, not at start-up)
    from .cases.carried import CarriedEdits
    from .controller import AppController
    from .main_window import MainWindow


class LanguageSwitch:
    def __init__(self, controller: AppController, qt: QtLanguage | None = None) -> None:
        self.controller = controller
        self._qt = qt
        self.made_here = qt is None  # then put back when the controller shuts down
        # asked for while work ran in the background: the language, and the window asked in
        self._waiting: tuple[str, QWidget] | None = None

    def _idle(self) -> None:
        """The background work has finished: make the switch that waited for it, if the
        window that asked is still the one in front (no lock, no new session since)."""
        waiting = self._stop_waiting()
        if waiting is not None and self.controller.window is waiting[1]:
            self.switch(waiting[0])

    def _stop_waiting(self) -> tuple[str, QWidget] | None:
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self.controller.background.idle.disconnect(self._idle)
        return waiting

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
            if self._stop_waiting() is not None:  # taken back before the work finished
                self._say(_("The language stays as it is."))
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
        if self.controller.language_notice:  # said again in the new language, if need be
            notice = notice.replace(self.controller.language_notice, "").strip()
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
            self._waiting = (language, old)
            self._say(_("The language changes once the work running in the background has "
                        "finished."), keep=True)
            return
        if old.unsaved_box is not None or open_windows(old):
            # a question or a window of its own is open (a document, an attachment): what
            # it holds would go with the window
            self._say(_("The language was not changed while another window is open. Close "
                        "it, then choose the language again."))
            return
        if forms_unsaved(old):
            old.ask_before_lock(
                lambda: self._rebuild_main(old, language),
                _("Save your changes before the language changes?"),
                _("The language was not changed: some changes could not be saved. The "
                  "reason is shown where they were made."))
            old.unsaved_about = "language"
            return
        self._rebuild_main(old, language)

    def _say(self, message: str, *, keep: bool = False) -> None:
        status_bar = getattr(self.controller.window, "statusBar", None)  # the main window's
        if callable(status_bar):
            status_bar().showMessage(message, 0 if keep else 15_000)

    def _rebuild_main(self, old: MainWindow, language: str) -> None:
        controller = self.controller
        if controller.window is not old or controller.services is None:
            return  # locked meanwhile
        from .cases.carried import CarriedEdits

        carried = CarriedEdits()
        where, place, before = carry(old, carried), _place(old), current_language()
        self._apply(language)
        try:
            window = controller._show_main(*controller.main_banners, backup=False)
        except Exception:
            self._apply(before)  # the old window stays, as it was
            raise
        old.end_session()  # the old window is deleted by _show; it drops its data first
        if window is not None:
            _put(window, place)
            return_to(window, where, carried)
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
    else:  # at least as large as the new language needs (a longer one is wider)
        window.setGeometry(QRect(geometry.topLeft(),
                                 geometry.size().expandedTo(window.sizeHint())))


def open_windows(main: QWidget) -> list[QWidget]:
    """The windows and dialogs shown besides *main* (menus, tooltips and pop-ups aside)."""
    return [w for w in QApplication.topLevelWidgets()
            if w is not main and w.isVisible()
            and w.windowType() in (Qt.WindowType.Window, Qt.WindowType.Dialog)]


# -- what the main window carries to the one built again ---------------------------------
def forms_unsaved(window: MainWindow) -> bool:
    """Unsaved work a switch asks about: all but a profile's edits (those are carried)."""
    return any(page.forms_unsaved() if key == "cases" else page.has_unsaved()  # type: ignore[attr-defined]
               for key, page in window.pages.items()
               if callable(getattr(page, "has_unsaved", None)))


def carry(window: MainWindow, drafts: CarriedEdits) -> dict[str, object]:
    """Where *window* is (section, open cases), the profiles' unsaved edits kept in
    *drafts*, and the automatic backup's problem if one is shown."""
    cases = window.pages.get("cases")
    return {"section": window.current_key(),
            "cases": cases.carry(drafts) if cases is not None else None,  # type: ignore[attr-defined]
            "backup_problem": window.backup_problem.text()}


def return_to(window: MainWindow, where: dict[str, object], drafts: CarriedEdits) -> None:
    if where.get("cases") and "cases" in window.section_keys():
        window.page("cases").return_to(where["cases"], drafts)  # type: ignore[attr-defined]
    if where.get("section") in window.section_keys():
        window.show_page(str(where["section"]))
    window.backup_problem.show_message(str(where.get("backup_problem") or ""))
