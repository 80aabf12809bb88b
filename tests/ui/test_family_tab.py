"""The case's Family tab, through the real widgets: a legal volunteer adds a child included
in the application and corrects where she is; a reader without the right sees no form."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ui.cases.tabs.base import select_row
from ui.cases.tabs.family import FamilyTab

from .test_case_history import open_workspace


def test_a_family_member_is_added_and_corrected(qtbot, office):
    workspace = open_workspace(qtbot, office, "legal")
    tab = workspace.show_tab("family")
    assert isinstance(tab, FamilyTab) and tab.editor is not None
    tab.form.put({"name": "Mira Test", "relationship": "child", "birth_date": "2015-04-02",
                  "place": "Iasi", "country": "RO", "included": True,
                  "reason": "Unmarried child under 21"})
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    assert tab.done.text() == "The family member was added.", tab.message.text()
    cells = [tab.table.item(0, c).text() for c in range(6)]
    assert cells[:2] == ["Mira Test", "Child"] and cells[3] == "Iasi, Romania"
    assert cells[4:] == ["No", "Yes"]
    select_row(tab.table, 0)
    assert tab.editor.edit_selected() and tab.form["included"].get() is True
    tab.form.put({"place": "Vaslui", "at_risk": True})
    qtbot.mouseClick(tab.editor.save_button, Qt.MouseButton.LeftButton)
    assert tab.table.item(0, 3).text() == "Vaslui, Romania"
    assert tab.table.item(0, 4).text() == "Yes"


def test_a_reader_without_the_right_sees_no_form(qtbot, office):
    office.coordinator.family.add(office.record.id, "Ion Test", "sibling")
    workspace = open_workspace(qtbot, office, "coordinator")
    tab = workspace.show_tab("family")
    assert tab.table.rowCount() == 1 and tab.editor is not None
