"""Right to left done properly: values keep their direction inside translated sentences,
and text boxes take the direction of what is typed in them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from shelter_app.i18n import set_language
from ui import app as app_module
from ui.demo_box import DemoAccountsBox

ARABIC = "مريم حسن تسكن هنا"
LATIN = "Maria Lopez lives here"


@pytest.fixture(params=["en", "ar"])
def interface(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    set_language(request.param)
    with app_module.qt_language(qapp, request.param):
        yield request.param


def test_a_latin_user_name_in_an_arabic_sentence_is_isolated(qtbot, qapp):
    set_language("ar")
    with app_module.qt_language(qapp, "ar"):
        box = DemoAccountsBox("", [("منسق", "coordinator", "x y z")])
        qtbot.addWidget(box)
        told = box.buttons[0].accessibleDescription()
        assert any("\u0600" <= ch <= "\u06ff" for ch in told), told  # the Arabic sentence
        assert "\u2068coordinator\u2069" in told


def type_text(box: QWidget, text: str) -> None:
    """Type *text* key by key, as a keyboard of its script sends it (QTest knows ASCII only)."""
    box.setFocus()
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(box, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def ink(widget: QWidget) -> tuple[int, int]:
    """The leftmost and rightmost columns where text is drawn inside *widget*."""
    image = widget.grab().toImage()
    columns = [x for x in range(6, image.width() - 6) for y in range(6, image.height() - 6)
               if image.pixelColor(x, y).lightness() < 110]
    assert columns, "nothing drawn"
    return min(columns), max(columns)


@pytest.mark.parametrize("kind", [QPlainTextEdit, QLineEdit])
@pytest.mark.parametrize(("text", "direction"), [
    (ARABIC, Qt.LayoutDirection.RightToLeft), (LATIN, Qt.LayoutDirection.LeftToRight)])
def test_a_text_box_takes_the_direction_of_what_is_typed(qtbot, interface, kind, text,
                                                         direction):
    window = QWidget()
    qtbot.addWidget(window)
    box = kind()
    QVBoxLayout(window).addWidget(box)
    window.resize(420, 120)
    window.show()
    qtbot.waitExposed(window)
    type_text(box, text)
    if isinstance(box, QPlainTextEdit):  # what Qt lays the text out with
        assert box.document().defaultTextOption().textDirection() == direction
        assert box.document().firstBlock().layout().textOption().textDirection() == direction
    left, right = ink(box)
    middle = box.width() // 2
    if direction == Qt.LayoutDirection.RightToLeft:  # starts at the right edge
        assert left > middle // 2 and right > box.width() - 40, (interface, left, right)
    else:
        assert left < 40 and right < middle + middle // 2, (interface, left, right)


def test_an_emptied_box_follows_the_interface_again(qtbot, qapp):
    set_language("ar")
    with app_module.qt_language(qapp, "ar"):
        box = QPlainTextEdit()
        qtbot.addWidget(box)
        box.show()
        qtbot.waitExposed(box)
        box.setPlainText(LATIN)
        assert box.document().defaultTextOption().textDirection() == \
            Qt.LayoutDirection.LeftToRight
        box.clear()
        assert box.document().defaultTextOption().textDirection() == \
            Qt.LayoutDirection.RightToLeft
