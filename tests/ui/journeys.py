"""What the journey tests share: a person's hands on the real windows, and the language.

The journeys (``test_journeys_*.py``) walk the application the way its users do, through
the windows the controller shows: the mouse on buttons, the keyboard in fields, Enter,
Tab, Space, the application's own chords.  A step that only a program could take (setting
a value directly) is not used where a person's way exists; what a person would notice is
asserted at each step: what is on screen, where the focus is, the message shown.

Messages are compared through ``tr`` (the translation function of the interface), so the
same assertion holds in English and in the pseudo-locale ``en_XA`` with a mirrored layout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pypdf
import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QFileDialog,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)
from shiboken6 import isValid

from shelter_app.i18n import _, set_language

from .conftest import WAIT_MS

W = TypeVar("W", bound=QWidget)
LANGUAGES = ["en", "en_XA"]  # English, and the long, accented, mirrored pseudo-locale
tr = _  # what a message reads in the interface language


@contextmanager
def interface(language: str) -> Iterator[None]:
    """The interface in *language*; ``en_XA`` also mirrors the layout, as Arabic does."""
    app = QApplication.instance()
    direction = app.layoutDirection()
    set_language(language)
    if language == "en_XA":
        app.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    try:
        yield
    finally:
        set_language("en")
        app.setLayoutDirection(direction)


# -- hands -------------------------------------------------------------------------------
def click(qtbot, widget: QWidget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget.accessibleName()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def key(qtbot, widget: QWidget, which: Qt.Key,
        modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(widget, which, modifiers)


def enter(qtbot, widget: QWidget) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def type_text(widget: QWidget, text: str) -> None:
    """Type *text* into *widget* key by key, any character (``qtbot.keyClicks`` takes ASCII
    only, and the pseudo-locale's labels, Arabic or an emoji are not)."""
    for char in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char,
                           Qt.KeyboardModifier.NoModifier)


def retype(qtbot, field: QLineEdit, text: str) -> None:
    """Select what *field* holds and type *text* over it, key by key."""
    field.setFocus(Qt.FocusReason.MouseFocusReason)
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    type_text(field, text)


def choose(qtbot, combo: QComboBox, label: str) -> None:
    """Pick *label* in a drop-down from the keyboard: focus it and type the start of the
    label (Qt's keyboard search), as a person does without opening the list."""
    combo.setFocus(Qt.FocusReason.TabFocusReason)
    type_text(combo, label[:14])
    assert combo.currentText() == label, (combo.accessibleName(), combo.currentText())


def tab_to(qtbot, window: QWidget, target: QWidget, *, limit: int = 60) -> None:
    """Press Tab until *target* has the focus (fails if it is never reached)."""
    for _n in range(limit):
        if window.focusWidget() is target:
            return
        qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {target.accessibleName()!r}; "
                         f"stuck at {focus_name(window)!r}")


def open_tab(qtbot, workspace: QWidget, tab: str) -> QWidget:
    """Click the tab *tab* of an open case (``CaseWorkspace``); returns its page."""
    bar = workspace.tabs.tabBar()
    index = workspace.keys.index(tab)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert workspace.tabs.currentIndex() == index, tab
    window = workspace.window()
    assert window.focusWidget() is not window.quick_exit, f"the focus fell on Quick exit ({tab})"
    return workspace.tab(tab)


def click_row(qtbot, table: QWidget, row: int) -> None:
    """Click the first cell of *row* of a table widget."""
    cell = table.visualItemRect(table.item(row, 0)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert table.currentRow() == row


def focus_name(window: QWidget) -> str:
    focused = window.focusWidget()
    return focused.accessibleName() if focused is not None else ""


def shown(kind: type[W], timeout: int = WAIT_MS, qtbot=None) -> W:
    """The visible top-level window or dialog of type *kind* (waiting for it if need be)."""
    def find() -> W | None:
        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, kind) and w.isVisible()), None)

    if find() is None and qtbot is not None:
        qtbot.waitUntil(lambda: find() is not None, timeout=timeout)
    found = find()
    assert found is not None, f"no {kind.__name__} on screen"
    return found


def gone(widget: QWidget) -> bool:
    """Closed: hidden, or already deleted (a dialog that deletes itself on close)."""
    return not isValid(widget) or not widget.isVisible()


def box_button(box: QMessageBox, which: QMessageBox.StandardButton) -> QAbstractButton:
    button = box.button(which)
    assert button is not None and button.isVisible()
    return button


def idle(qtbot, background, action: Callable[[], object]) -> None:
    """Do *action* and wait until the work it sent to the background is done."""
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        action()


def clipped_buttons(widget: QWidget) -> list[str]:
    """Visible buttons narrower than their text needs (what a long translation shows)."""
    return [b.text() for b in widget.findChildren(QPushButton)
            if b.isVisible() and b.width() < b.minimumSizeHint().width()]


# -- the system's file dialog, answered as a person would ---------------------------------------
@pytest.fixture
def own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A home folder with a Documents folder under *tmp_path*, and Qt's settings written
    there: what the file dialogs remember never lands in the real home of the test run."""
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    scope = (QSettings.Format.NativeFormat, QSettings.Scope.UserScope)
    before = Path(QSettings(*scope, "probe").fileName()).parent
    QSettings.setPath(*scope, str(home / ".config"))
    yield home
    QSettings.setPath(*scope, str(before))


def answer_file_dialog(qtbot, path: Path, seen: list[str] | None = None, *,
                       suggested: bool = True) -> None:
    """When the application's file dialog (``ui/file_dialogs.py``, modal: it blocks) opens,
    type *path* in its file name field (in place of the name suggested, when *suggested*)
    and press Enter, as a person does.  The folder the dialog opened in is appended to
    *seen*.

    The dialog is made the active window first, as the desktop does when it opens: on the
    offscreen test platform it may not be, and Qt's file dialog then reads each folder of
    a typed path as a selection of its own (and Enter only opens them)."""
    tries = iter(range(500))

    def later() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog) or not dialog.isVisible() or \
                QApplication.activeWindow() is not dialog:
            if next(tries, None) is None:
                raise AssertionError(f"no file dialog came to the front; modal: {dialog!r}")
            if isinstance(dialog, QFileDialog):
                dialog.activateWindow()
            QTimer.singleShot(20, later)
            return
        try:
            if seen is not None:
                seen.append(dialog.directory().absolutePath())
            field = dialog.findChild(QLineEdit, "fileNameEdit")
            assert field.hasFocus(), "the file name field waits for the name"
            assert field.text() or not suggested, "the suggested name, to be replaced"
            field.selectAll()
            type_text(field, str(path))
            QTest.keyClick(field, Qt.Key.Key_Return)
            assert not dialog.isVisible(), dialog.selectedFiles()
        except BaseException:
            dialog.reject()  # (else the test would wait for ever in the dialog's exec)
            raise

    QTimer.singleShot(20, later)


def pdf_text(path: Path, passphrase: str | None = None) -> tuple[bool, str]:
    """(was it encrypted, its text), read back with pypdf."""
    reader = pypdf.PdfReader(path)
    encrypted = reader.is_encrypted
    if encrypted:
        assert passphrase, "encrypted, but no passphrase was shown"
        assert reader.decrypt(passphrase), "the passphrase shown does not open it"
    return encrypted, "\n".join(page.extract_text() or "" for page in reader.pages)
