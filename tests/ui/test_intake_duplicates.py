"""The intake's duplicate warning: seen without scrolling, read out, never a silent jump back,
and no warning for a common middle name alone."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QScrollArea

from shelter_app.domain.records import CaseInput, SurvivorInput
from tests.bidi import plain
from ui.cases.intake import IntakeDialog

from .test_intake import cases, desk, open_intake, press, press_next

__all__ = ["desk"]  # the fixture, shared with test_intake


def _in_view(dialog: IntakeDialog, widget) -> bool:
    """Is *widget* wholly inside the visible part of the first step's scroll area?"""
    scroll = dialog.pages.widget(0)
    assert isinstance(scroll, QScrollArea)
    viewport = scroll.viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return viewport.rect().contains(QRect(top_left, widget.size()))


def _through_to_the_last_step(qtbot, dialog: IntakeDialog) -> None:
    while dialog.current < 4:
        press_next(qtbot, dialog)


def test_the_warning_is_seen_without_scrolling_and_read_out(qtbot, desk):
    services, background, existing, _partner = desk
    dialog = open_intake(qtbot, services, background)
    dialog.resize(660, 506)  # the size people met the warning below the fold at
    qtbot.wait(20)
    dialog.form["legal_name"].put("Zenobia Quilfeather")
    dialog.form["birth_date"].put("1990-05-01")
    press_next(qtbot, dialog)
    panel = dialog.duplicates
    assert dialog.current == 0 and panel.isVisibleTo(dialog)
    qtbot.wait(20)  # let the layout settle, as on screen
    for part in (panel.intro, panel.matches, panel.continue_button):
        assert _in_view(dialog, part), part.accessibleName()
    assert dialog.focusWidget() is panel.matches
    assert existing.code in panel.matches.currentItem().text()
    assert "may be the same person" in panel.matches.accessibleDescription()
    assert panel.intro.text() and panel.intro.isVisibleTo(dialog)


def test_continuing_as_a_new_person_is_not_undone_at_create(qtbot, desk):
    """Having said "new person" for these names, a change that finds no one new (a
    preferred name added on the way back) does not send her back when she creates the case
    (here with Save as draft, from the first step): the case is created."""
    services, background, existing, _partner = desk
    dialog = open_intake(qtbot, services, background)
    created: list[str] = []
    dialog.created.connect(created.append)
    dialog.form["legal_name"].put("Zenobia Quilfeather")
    press_next(qtbot, dialog)
    assert dialog.duplicates.isVisibleTo(dialog)
    qtbot.mouseClick(dialog.duplicates.continue_button, Qt.MouseButton.LeftButton)
    assert dialog.current == 1
    qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
    dialog.form["preferred_name"].put("Zee")  # the identity changed: checked again
    press(qtbot, dialog, dialog.draft_button)
    assert len(created) == 1  # and the dialog closed
    assert cases(services) == 2 and created[0] != existing.id
    assert services.cases.get(created[0]).case["is_draft"] is True


def test_a_new_match_at_create_goes_back_and_says_why(qtbot, desk):
    services, background, existing, _partner = desk
    other = services.cases.create(SurvivorInput(legal_name="Olena Kovalenko",
                                                birth_date="1988-03-04"), CaseInput())
    dialog = open_intake(qtbot, services, background)
    created: list[str] = []
    dialog.created.connect(created.append)
    dialog.form["legal_name"].put("Zenobia Quilfeather")
    press_next(qtbot, dialog)
    qtbot.mouseClick(dialog.duplicates.continue_button, Qt.MouseButton.LeftButton)
    _through_to_the_last_step(qtbot, dialog)
    # The identity changed since the last check without Next on the first step (as when a
    # kept draft is restored): the name now matches another record.
    dialog.form["legal_name"].put("Olena Kovalenko")
    dialog.form["birth_date"].put("1988-03-04")
    press(qtbot, dialog, dialog.create_button)
    panel = dialog.duplicates
    assert dialog.current == 0 and panel.isVisibleTo(dialog) and created == []
    assert panel.intro.text().startswith("Back at the first step, before anything is created")
    assert [plain(panel.matches.item(i).text()).split(" ")[0]
            for i in range(panel.matches.count())] == [other.code]
    assert existing.code not in panel.matches.item(0).text()  # already answered
    assert dialog.focusWidget() is panel.matches
    qtbot.mouseClick(panel.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(created), timeout=5000)  # "continue" finishes the Create
    assert cases(services) == 3


def test_a_common_middle_name_alone_raises_nothing(qtbot, desk):
    services, background, _existing, _partner = desk
    services.cases.create(SurvivorInput(legal_name="Nguyễn Thị Lan", birth_date="1990-05-01",
                                        citizenship=["VN"]), CaseInput())
    dialog = open_intake(qtbot, services, background)
    dialog.form["legal_name"].put("Trần Thị Mai")
    dialog.form["birth_date"].put("1990-11-20")
    dialog.form["citizenship"].put(["VN"])
    press_next(qtbot, dialog)
    assert dialog.current == 1 and not dialog.duplicates.isVisibleTo(dialog)
    dialog.show_step(0)
    dialog.form["legal_name"].put("Thị")
    press_next(qtbot, dialog)
    assert dialog.current == 1 and not dialog.duplicates.isVisibleTo(dialog)
