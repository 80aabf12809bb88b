"""Every screen, after a switch of language in the running program, shows no English text
and no clipped button.

The walk (``mnemonic_walk.walk_roles``) signs in as a coordinator and as an administrator and
visits every section, every tab of each case, every window a "…" button opens, the
intake's steps and the passphrase change.  On each screen every text a person sees or hears
(labels, buttons, tabs, table cells and headers, drop-down items, placeholders, tooltips,
accessible names, window titles) is compared with the English source messages of the
catalogue template: a text that *is* an English message (placeholders filled in or not)
while that message has a different translation is an untranslated string on screen.  Every
button must be as wide as its text.

It runs in the pseudo-locale ``en_XA`` (every message longer, accented and mirrored: what
any translation can be compared against), in Arabic (right to left) and in Spanish, each
reached by switching from English while the program runs (the modules were loaded in
English, so a string translated once at import would show).  With ``en_XA`` clean, each
message shown goes through the catalogue; with every catalogue complete
(``tests/test_catalogues_complete.py``), no shipped language shows English.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QDialogButtonBox,
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from shelter_app.i18n import (
    DOMAIN,
    LOCALE_DIR,
    PSEUDO_LOCALE,
    current_language,
    set_language,
)
from ui.main_window import MainWindow

from .case_helpers import STAFF_PASS, texts
from .conftest import WAIT_MS, sign_in
from .mnemonic_walk import (
    Walk,
    answer_system_dialogs,
    make_walked_vault,
    visible_windows,
    walk_roles,
)

ROOT = Path(__file__).resolve().parents[2]
ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u200e\u200f"))
PRODUCT = "Shelter App"  # the name, also the vault's neutral window title (data)
SCREEN = (1280, 800)  # a laptop's screen: the main window is given this much
USER_NAMES = {"admin", "coordinator", "caseworker", "legal"}  # the walked vault's accounts
PLACEHOLDER = re.compile(r"\\\{[^}]*\\\}")  # "{name}" once escaped


def plain(text: str) -> str:
    return " ".join(text.translate(ISOLATES).replace("&", "").split())


class English:
    """The English messages of the template that *language* translates differently."""

    def __init__(self, language: str) -> None:
        catalogue = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language])
        with (ROOT / "translations" / "shelter_app.pot").open("rb") as f:
            template = read_po(f)
        exact: set[str] = set()
        patterns: list[str] = []
        for message in template:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            for number, msgid in enumerate(ids):
                if not msgid:
                    continue
                shown = (catalogue.ngettext(ids[0], ids[1], 1 if number == 0 else 5)
                         if len(ids) > 1 else catalogue.gettext(msgid))
                if shown == msgid or msgid == PRODUCT:
                    continue  # the same word in this language
                text = plain(msgid)
                pattern = PLACEHOLDER.sub(".+", re.escape(text))
                if pattern == re.escape(text):
                    exact.add(text)
                elif len(re.sub(r"\{[^}]*\}|\W", "", text)) >= 8:  # words besides the values
                    patterns.append(pattern)
        self.exact = exact
        self.pattern = re.compile("|".join(f"(?:{p})" for p in patterns))

    def says(self, text: str) -> bool:
        return text in self.exact or self.pattern.fullmatch(text) is not None


class TextWalk(Walk):
    """Collects English texts and clipped buttons on every screen the walk reaches."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language
        self.english = English(language)
        self.seen: set[str] = set()

    def check(self, where: str) -> None:
        self.states += 1
        for window in visible_windows():
            # Qt's own buttons come from Qt's translations, which have no pseudo-locale.
            qt_own = qt_standard_buttons(window) if self.language == PSEUDO_LOCALE else set()
            for text in shown_texts(window) - self.seen - qt_own - USER_NAMES:
                self.seen.add(text)
                if text and self.english.says(text):
                    self.problems.append(f"{where}: English {text!r}")
            if isinstance(window, MainWindow) and window.width() < SCREEN[0]:
                window.resize(*SCREEN)
                QApplication.processEvents()
            self.problems += [f"{where}: clipped {t!r}" for t in narrow(window)]


def shown_texts(window: QWidget) -> set[str]:
    """``texts`` (labels, buttons, cells, items, names, tooltips, titles) and what it leaves
    out: group box titles, placeholders, column headers, actions in menus and
    toolbars."""
    found = set(texts(window))
    for widget in [window, *window.findChildren(QWidget)]:
        if isinstance(widget, QGroupBox):
            found.add(widget.title())
        if isinstance(widget, QLineEdit | QPlainTextEdit):
            found.add(widget.placeholderText())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            columns = (1 if isinstance(model, QAbstractListModel)
                       else model.columnCount(QModelIndex()))
            found |= {str(model.headerData(i, Qt.Orientation.Horizontal) or "")
                      for i in range(columns)}
    for action in window.findChildren(QAction):
        found |= {action.text(), action.toolTip()}
    return {plain(t) for t in found}


def qt_standard_buttons(window: QWidget) -> set[str]:
    """The texts of the standard buttons (OK, Cancel…) Qt puts in a dialog."""
    found = set()
    for box in window.findChildren(QDialogButtonBox):
        found |= {plain(b.text()) for b in box.buttons()
                  if box.standardButton(b) != QDialogButtonBox.StandardButton.NoButton}
    return found


def narrow(window: QWidget) -> list[str]:
    """Buttons (check boxes, radio buttons) shown narrower than their text needs."""
    return [button.text() for button in window.findChildren(QAbstractButton)
            if button.isVisibleTo(window) and button.text()
            and not button.objectName().startswith("qt_")
            and button.width() < button.sizeHint().width()]


@pytest.fixture(autouse=True)
def _no_system_dialogs(monkeypatch):
    answer_system_dialogs(monkeypatch)


def test_the_check_finds_english_and_passes_translations():
    spanish = English("es")
    assert spanish.says("Save as draft")  # a message, as English shows it
    assert spanish.says(plain("Signed in as \u2068Ana\u2069 (Coordinator)"))  # filled in
    assert not spanish.says("Guardar como borrador")
    assert not spanish.says("Shelter App")  # the same in Spanish: not a finding
    assert not spanish.says("Diego García")  # data


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en_XA", "ar"])  # ar: a real catalogue, right to left
def test_every_screen_after_a_switch_is_in_the_new_language(
        qtbot, make_controller, vault_dir, language):
    make_walked_vault(vault_dir)
    walk = TextWalk(language)
    controller = make_controller()

    def settle() -> None:
        qtbot.waitUntil(lambda: not controller.background.busy, timeout=WAIT_MS)
        qtbot.wait(5)

    try:
        sign_in(qtbot, controller, "coordinator", STAFF_PASS)
        english = controller.window
        assert isinstance(english, MainWindow)
        controller.switch_language(language)
        qtbot.waitUntil(lambda: controller.window is not english, timeout=WAIT_MS)
        assert current_language() == language
        walk.check("coordinator: the window built by the switch")
        controller.lock()
        settle()
        walk_roles(qtbot, walk, controller, ("coordinator", "admin"), settle)
        walk.check("sign-in")
    finally:
        set_language("en")
    assert walk.states > 40, walk.states
    assert not walk.problems, f"{language}:\n" + walk.report()
