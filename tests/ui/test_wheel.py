"""The mouse wheel scrolls a form instead of changing the field under the pointer.

Real wheel events (``QTest.wheelEvent`` goes through the window system, as a mouse does)
over the intake's Gender and Citizenship while its page scrolls; a field with the focus
still takes the wheel.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QScrollArea, QSpinBox, QVBoxLayout, QWidget

from ui.background import Background
from ui.cases.intake import IntakeDialog

from .case_helpers import drop_widgets, keep, session, staffed_vault
from .conftest import WAIT_MS

DOWN, UP = QPoint(0, -120), QPoint(0, 120)


@pytest.fixture
def intake(qtbot, vault_dir):
    staffed_vault(vault_dir)
    background = Background()
    with session(vault_dir, "coordinator") as services:
        dialog = keep(IntakeDialog(services, background))
        dialog.show()
        dialog.resize(720, 420)  # short enough that the identity step scrolls
        qtbot.waitExposed(dialog)
        yield services, dialog
        background.wait()
        drop_widgets()


def wheel_over(qtbot, widget: QWidget, delta: QPoint, times: int = 1) -> None:
    """Turn the wheel *times* notches with the pointer over the middle of *widget*."""
    window = widget.window()
    at = QPointF(widget.mapTo(window, widget.rect().center()))
    for _turn in range(times):
        QTest.wheelEvent(window.windowHandle(), at, delta)
        qtbot.wait(10)


def scroll_of(dialog: IntakeDialog) -> QScrollArea:
    scroll = dialog.pages.currentWidget()
    assert isinstance(scroll, QScrollArea)
    return scroll


def bring_into_view(qtbot, scroll: QScrollArea, widget: QWidget) -> QPoint:
    """Scroll so that *widget* is in the middle of the page; the direction that still has
    room to scroll."""
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0, "the page must be taller than the window for this test"
    scroll.ensureWidgetVisible(widget, 0, scroll.viewport().height() // 2)
    qtbot.wait(10)
    return DOWN if bar.value() < bar.maximum() else UP


def test_the_wheel_over_gender_and_citizenship_scrolls_the_intake(qtbot, intake):
    _services, dialog = intake
    gender = dialog.form["gender"].widget
    citizenship = dialog.form["citizenship"].widget.combo
    name = dialog.form["legal_name"].focus
    assert name.hasFocus() or not dialog.isActiveWindow()
    scroll = scroll_of(dialog)
    bar = scroll.verticalScrollBar()
    for field in (gender, citizenship):
        direction = bring_into_view(qtbot, scroll, field)
        target = field.lineEdit() if field.isEditable() else field
        under = dialog.childAt(target.mapTo(dialog, target.rect().center()))
        assert under is target or target.isAncestorOf(under), "the pointer is over the field"
        before = bar.value()
        wheel_over(qtbot, target, direction)
        assert bar.value() != before, "the page scrolled as it would over a label"
        assert not field.hasFocus(), "the wheel does not hand the field the focus"
    assert gender.currentIndex() == 0 and gender.currentText() == "(not asked)"
    assert citizenship.currentText() == "" and dialog.form["citizenship"].get() == []
    assert dialog.form.changes() == {}, "nothing changed by scrolling"


def test_a_field_with_the_focus_still_takes_the_wheel(qtbot, intake):
    _services, dialog = intake
    gender = dialog.form["gender"].widget
    bring_into_view(qtbot, scroll_of(dialog), gender)
    gender.setFocus()  # tabbed or clicked into on purpose
    qtbot.waitUntil(gender.hasFocus, timeout=WAIT_MS)
    before = scroll_of(dialog).verticalScrollBar().value()
    wheel_over(qtbot, gender, DOWN)
    assert gender.currentIndex() == 1
    assert scroll_of(dialog).verticalScrollBar().value() == before


def test_a_spin_box_in_a_scrolling_form_is_guarded_too(qtbot):
    page = QWidget()
    column = QVBoxLayout(page)
    spin = QSpinBox()
    spin.setValue(5)
    for _row in range(30):
        column.addWidget(QSpinBox() if _row != 15 else spin)
    scroll = QScrollArea()
    scroll.setWidget(page)
    scroll.resize(300, 200)
    qtbot.addWidget(scroll)
    scroll.show()
    qtbot.waitExposed(scroll)
    scroll.ensureWidgetVisible(spin, 0, 80)
    qtbot.wait(10)
    assert spin.focusPolicy() == Qt.FocusPolicy.StrongFocus, "not WheelFocus any more"
    before = scroll.verticalScrollBar().value()
    wheel_over(qtbot, spin, DOWN)
    assert spin.value() == 5 and scroll.verticalScrollBar().value() > before
