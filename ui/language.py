"""The interface language inside the running application.

``QtLanguage`` puts Qt's side of a language in force: Qt's own translations (standard
buttons, file and print dialogs, context menus: ``qtbase_<lang>.qm``), the default locale
(calendar, first day of the week) and the layout direction.  ``shelter-app`` applies it at
start-up (``ui/app.py``); a switch applies it again (``AppController.switch_language``).

``offered`` lists the languages a person can choose: English and every shipped language
whose catalogue is installed, each written in its own language and script ("Español",
"العربية"), so that someone who cannot read the language on screen still finds their own.
``LanguageChooser`` is that list as a drop-down (sign-in screen); ``language_menu`` as the
main window's menu.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTimer, QTranslator, Signal
from PySide6.QtGui import QAction, QActionGroup, QFocusEvent, QKeyEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QMenu, QWidget

from shelter_app.i18n import (
    DOMAIN,
    LOCALE_DIR,
    PSEUDO_LOCALE,
    SHIPPED_LANGUAGES,
    _,
    current_language,
    is_rtl,
)

from .widgets import named


class QtLanguage:
    """Qt's translations, default locale and layout direction for one language at a time;
    ``restore`` puts back what was in force before the first ``apply``."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.translator: QTranslator | None = None
        self._before = (app.layoutDirection(), QLocale())

    def apply(self, language: str) -> bool:
        """Put *language* in force; True when Qt has translations for it."""
        if self.translator is not None:
            self.app.removeTranslator(self.translator)
            self.translator = None
        translator = QTranslator(self.app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        for name in (language, language.split("_")[0]):
            if translator.load(f"qtbase_{name}", folder) and self.app.installTranslator(
                    translator):
                self.translator = translator
                break
        # the pseudo-locale is English underneath (dates, numbers, the calendar)
        QLocale.setDefault(QLocale("en_US" if language == PSEUDO_LOCALE else language))
        self.app.setLayoutDirection(Qt.LayoutDirection.RightToLeft if is_rtl(language)
                                    else Qt.LayoutDirection.LeftToRight)
        return self.translator is not None

    def restore(self) -> None:
        if self.translator is not None:
            self.app.removeTranslator(self.translator)
            self.translator = None
        direction, locale = self._before
        self.app.setLayoutDirection(direction)
        QLocale.setDefault(locale)


FILL_AFTER_MS = 100  # after the screen is shown: see LanguageChooser

# Each offered language in its own words, as CLDR writes it (babel's ``language_name`` with
# the first letter capitalised for a list; tests/ui/test_language_switch.py checks the two
# agree).  Written out because reading nine locales' data at start-up took 70 ms.
OWN_NAMES = {"ar": "العربية", "en": "English", "es": "Español", "fr": "Français",
             "it": "Italiano", "ro": "Română", "ru": "Русский", "uk": "Українська",
             "vi": "Tiếng Việt"}


def own_name(code: str) -> str:
    """*code*'s language in its own words, capitalised as a list item ("Español")."""
    if code == PSEUDO_LOCALE:
        return code
    if code in OWN_NAMES:
        return OWN_NAMES[code]
    from shelter_app.i18n.formatting import language_name  # babel's data: only when needed

    name = language_name(code, language=code) or language_name(code.split("_")[0],
                                                                language=code) or code
    return name[:1].upper() + name[1:]


def _installed(code: str) -> bool:
    """Whether *code*'s compiled catalogue is there (without reading it: start-up)."""
    return gettext.find(DOMAIN, str(LOCALE_DIR), [code]) is not None


def offered() -> list[tuple[str, str]]:
    """(code, own name) of every language the interface can be switched to; the language
    in force is among them even when it is not offered otherwise (``en_XA``, ``es_MX``)."""
    codes = ["en", *(c for c in SHIPPED_LANGUAGES if _installed(c))]
    if current_language() not in codes:
        codes.append(current_language())
    return sorted(((code, own_name(code)) for code in codes), key=lambda c: c[1].casefold())


class LanguageChooser(QComboBox):
    """The languages as a drop-down; ``chosen(code)`` when a person picks another one.

    Picked in the open list (mouse, arrows and Enter), the language is chosen at once.
    Typed into the closed list ("Esp…"), or stepped through with the arrow keys or the
    wheel, it is chosen once that pauses, so that the screen is not rebuilt at every step."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The list is filled once the screen is up (or when it is first used): the first
        # items of a drop-down cost the program's start-up some 30 ms.
        self.setMinimumContentsLength(max(len(name) for _code, name in offered()))
        self.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        QTimer.singleShot(FILL_AFTER_MS, self, self.fill)
        self.view().setAccessibleName(_("Interface language"))
        named(self, _("Interface language"), _(
            "The language of the screens on this computer; the choice is kept for next time"))
        self._typed = False
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(QApplication.keyboardInputInterval() + 300)
        self._pause.timeout.connect(self._settled)
        self.activated.connect(self._activated)

    def fill(self) -> None:
        if self.count():
            return
        for code, name in offered():
            self.addItem(name, code)
            # each name is read out in its own language by a screen reader that can
            self.setItemData(self.count() - 1, code, Qt.ItemDataRole.AccessibleDescriptionRole)
        self.setCurrentIndex(max(0, self.findData(current_language())))

    def showPopup(self) -> None:
        self.fill()
        super().showPopup()

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.fill()
        super().focusInEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.fill()
        self._typed = True  # into the closed list: the open list's keys go to its view
        super().keyPressEvent(event)
        self._typed = False

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.fill()
        self._typed = True  # a wheel steps through the closed list as the arrow keys do
        super().wheelEvent(event)
        self._typed = False

    def _activated(self, _index: int) -> None:
        if self._typed:
            self._pause.start()
        else:
            self._pause.stop()
            self._settled()

    def cancel_pending(self) -> None:
        """Forget a choice still waiting for the typing to pause, and show the language in
        force again (sign-in has begun: the screen is not rebuilt now)."""
        if self._pause.isActive():
            self._pause.stop()
            self.setCurrentIndex(max(0, self.findData(current_language())))

    def _settled(self) -> None:
        code = self.currentData()
        if code is not None and code != current_language():
            self.chosen.emit(code)


def language_menu(parent: QWidget, chosen: Callable[[str], object]) -> QMenu:
    """A menu of the offered languages, the one in force checked; picking one calls
    ``chosen(code)``."""
    menu = QMenu(parent)
    named(menu, _("Interface language"))
    group = QActionGroup(menu)
    for code, name in offered():
        action = QAction(name, menu)
        action.setCheckable(True)
        action.setChecked(code == current_language())
        action.setData(code)
        group.addAction(action)
        menu.addAction(action)
    group.triggered.connect(lambda action: chosen(str(action.data())))

    def checked() -> None:  # the language in force, also after a switch that waited
        for action in group.actions():
            action.setChecked(action.data() == current_language())

    menu.aboutToShow.connect(checked)
    return menu
