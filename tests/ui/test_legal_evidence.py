"""The evidence checklist in the Legal matters tab: a legal volunteer adds an item of her
own, adds a template's checklist in one step, links an attachment to an item and unlinks
it; the checklist is always the selected matter's.  Driven through the real widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt

from shelter_app.documents import templates
from ui.cases.tabs.base import select_row

from .test_legal_edit import _legal_tab


def _cells(panel) -> list[list[str]]:
    return [[panel.table.item(r, c).text() for c in range(3)]
            for r in range(panel.table.rowCount())]


def test_a_volunteer_completes_a_checklist_in_the_tab(qtbot, office):
    record = office.record
    permit = office.coordinator.legal.open(record.id, "residence_permit", jurisdiction="CA")
    asylum = office.coordinator.legal.open(record.id, "asylum")
    passport = office.coordinator.attachments.add(record.id, "passport.pdf", b"%PDF-1.4 id",
                                                  label="Passport")
    tab = _legal_tab(qtbot, office)
    panel = tab.evidence
    assert panel.matter_id == permit.id and _cells(panel) == []  # the first matter, shown

    qtbot.keyClicks(panel.label_edit, "Letter from the shelter")
    panel.required.setChecked(False)
    qtbot.keyClick(panel.label_edit, Qt.Key.Key_Return)
    assert _cells(panel) == [["Letter from the shelter", "Optional", "—"]]  # not missing
    assert panel.label_edit.text() == ""

    canada = templates.load("ca-trp-vtip")
    panel.templates.setCurrentIndex(panel.templates.findData("ca-trp-vtip"))
    qtbot.mouseClick(panel.template_button, Qt.MouseButton.LeftButton)
    assert len(_cells(panel)) == 1 + len(canada.requirements)
    assert "added to the checklist" in panel.done.text()
    qtbot.mouseClick(panel.template_button, Qt.MouseButton.LeftButton)
    assert panel.done.text() == "Every item of the template is on the checklist already."

    qtbot.mouseClick(panel.link_button, Qt.MouseButton.LeftButton)
    assert panel.message.text() == "Select the evidence item first."
    panel.table.selectRow(2)
    item = panel.ids[2]
    panel.attachments.setCurrentIndex(panel.attachments.findData(passport.id))
    qtbot.mouseClick(panel.link_button, Qt.MouseButton.LeftButton)
    assert _cells(panel)[2][2] == "Passport · passport.pdf"
    assert panel.selected_item() == item  # still on the item just linked
    linked = {i.id: i.attachment_id for i in office.legal.legal.evidence(permit.id)}
    assert linked[item] == passport.id
    qtbot.mouseClick(panel.unlink_button, Qt.MouseButton.LeftButton)
    assert _cells(panel)[2][2] == "Missing"

    tab.table.selectRow(1)  # the other matter: its own (empty) checklist
    assert panel.matter_id == asylum.id and _cells(panel) == []
    assert panel.templates.findData("ca-trp-vtip") == -1  # no residence template for it
    assert not panel.template_button.isEnabled()


def test_right_to_left_the_matter_and_the_item_stay_selected(qtbot, office):
    """In a right-to-left layout Qt's selectRow selects nothing: the tab selects through
    the selection model, so the checklist shown is still the first matter's."""
    from PySide6.QtWidgets import QApplication

    QApplication.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    try:
        permit = office.coordinator.legal.open(office.record.id, "residence_permit")
        item = office.coordinator.legal.add_evidence(permit.id, "Statement of the applicant")
        passport = office.coordinator.attachments.add(office.record.id, "p.pdf", b"%PDF-1.4",
                                                      label="Passport")
        tab = _legal_tab(qtbot, office)
        assert tab.selected_id() == permit.id and tab.evidence.matter_id == permit.id
        panel = tab.evidence
        select_row(panel.table, 0)
        panel.attachments.setCurrentIndex(panel.attachments.findData(passport.id))
        qtbot.mouseClick(panel.link_button, Qt.MouseButton.LeftButton)
        assert panel.selected_item() == item.id
        assert _cells(panel)[0][2] == "Passport · p.pdf"
    finally:
        QApplication.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
