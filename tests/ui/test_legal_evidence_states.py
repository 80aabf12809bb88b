"""The evidence checklist's states and documents, through the real widgets: an item marked
not applicable needs the reason; who holds the original is kept; two documents are linked
to one item and one is unlinked; a "Still missing" line of a packet opens the item in the
Legal matters tab."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from shelter_app.services.residence_data import Missing
from ui.cases.tabs.base import select_row
from ui.documents.choices import MissingList

from .test_case_history import open_workspace, plain
from .test_legal_edit import _legal_tab

PDF = b"%PDF-1.4 demo"


def _row(panel, r: int) -> list[str]:
    return [panel.table.item(r, c).text() for c in range(panel.table.columnCount())]


def test_states_reasons_holders_and_several_documents(qtbot, office):
    record = office.record
    matter = office.coordinator.legal.open(record.id, "residence_permit")
    photos = office.coordinator.legal.add_evidence(matter.id, "Passport photographs")
    letter = office.coordinator.legal.add_evidence(matter.id, "Police letter")
    front = office.coordinator.attachments.add(record.id, "front.pdf", PDF, label="Front")
    back = office.coordinator.attachments.add(record.id, "back.pdf", PDF, label="Back")
    panel = _legal_tab(qtbot, office).evidence
    assert not panel.state.isEnabled()  # nothing selected: nothing to record

    select_row(panel.table, 0)
    assert panel.state.isEnabled() and panel.state.currentData() == "needed"
    panel.state.setCurrentIndex(panel.state.findData("not_applicable"))
    qtbot.mouseClick(panel.state_button, Qt.MouseButton.LeftButton)
    assert panel.message.text() == "Say why this evidence is not applicable."
    qtbot.keyClicks(panel.reason, "Photos are taken at the office")
    qtbot.mouseClick(panel.state_button, Qt.MouseButton.LeftButton)
    assert "Not applicable" in panel.done.text(), panel.message.text()
    assert _row(panel, 0)[2:4] == ["—", "Not applicable: Photos are taken at the office"]

    select_row(panel.table, 1)
    panel.state.setCurrentIndex(panel.state.findData("requested"))
    qtbot.keyClicks(panel.holder, "Police station, Via Roma")
    qtbot.mouseClick(panel.state_button, Qt.MouseButton.LeftButton)
    assert _row(panel, 1)[2:] == ["Missing", "Requested", "Police station, Via Roma"]
    missing = office.legal.legal.missing_evidence(matter.id)
    assert [i.id for i in missing] == [letter.id]  # not applicable is not missing

    for attachment in (front, back):
        panel.attachments.setCurrentIndex(panel.attachments.findData(attachment.id))
        qtbot.mouseClick(panel.link_button, Qt.MouseButton.LeftButton)
    assert _row(panel, 1)[2:4] == ["Front · front.pdf; Back · back.pdf", "Obtained"]
    assert office.legal.legal.evidence_item(letter.id).attachment_ids == (front.id, back.id)
    panel.attachments.setCurrentIndex(panel.attachments.findData(front.id))
    qtbot.mouseClick(panel.unlink_button, Qt.MouseButton.LeftButton)
    assert _row(panel, 1)[2] == "Back · back.pdf"
    select_row(panel.table, 0)
    qtbot.mouseClick(panel.unlink_button, Qt.MouseButton.LeftButton)
    assert panel.message.text() == "That document is not linked to the selected item."
    assert office.legal.legal.evidence_item(photos.id).state == "not_applicable"


def test_a_missing_line_opens_the_item_in_the_legal_tab(qtbot, office):
    record = office.record
    office.coordinator.legal.open(record.id, "asylum")
    matter = office.coordinator.legal.open(record.id, "t_visa",
                                           dates={"filing_due": dt.date.today()
                                                  + dt.timedelta(days=9)})
    office.coordinator.legal.add_evidence(matter.id, "Form I-914, signed")
    statement = office.coordinator.legal.add_evidence(matter.id, "Personal statement")

    shown = MissingList()
    qtbot.addWidget(shown)
    opened: list[tuple[str, str]] = []
    shown.opened.connect(lambda field, ref: opened.append((field, ref)))
    shown.show_items([Missing("No document attached: Personal statement", "evidence",
                              statement.id), Missing("Citizenship of the applicant")])
    assert 'href="evidence:' in shown.text() and "Citizenship" in shown.text()
    shown.linkActivated.emit(f"evidence:{statement.id}")
    assert opened == [("evidence", statement.id)]

    workspace = open_workspace(qtbot, office, "legal")
    assert plain(workspace.deadline.text()).startswith("Next legal deadline: Filing due, ")
    workspace.show_tab("profile")
    workspace.open_missing("evidence", statement.id)
    tab = workspace.tabs.currentWidget()
    assert workspace.keys[workspace.tabs.currentIndex()] == "legal"
    assert tab.selected_id() == matter.id and tab.evidence.matter_id == matter.id
    assert tab.evidence.selected_item() == statement.id
    workspace.open_missing("checklist", matter.id)
    assert tab.evidence.matter_id == matter.id

    # the header follows the Legal matters tab: the matter filed, its deadline is met
    assert tab.editor is not None and tab.editor.edit_selected()
    tab.form.put({"status": "filed", "filed_on": dt.date.today().isoformat()})
    tab.editor.save()
    assert workspace.deadline.text() == "No open legal deadline"


def test_opening_a_missing_line_closes_the_document_window(qtbot, office):
    from ui.documents.panel import DocumentsPanel

    from .case_helpers import keep

    opened: list[tuple[str, str]] = []
    office.coordinator.legal.open(office.record.id, "residence_permit")
    panel = keep(DocumentsPanel(office.legal, office.background, office.record.id,
                                opener=lambda field, ref: opened.append((field, ref))))
    dialog = panel.open_dialog()
    qtbot.waitUntil(lambda: dialog.missing.items and dialog.missing.items != ["Checking…"],
                    timeout=10_000)  # the pre-flight check has answered
    dialog.missing.opened.emit("evidence", "item-1")
    assert opened == [("evidence", "item-1")]
    assert not dialog.isVisible() and panel.dialog is None
    office.background.wait()


def test_what_is_typed_for_an_item_survives_linking_a_document(qtbot, office):
    record = office.record
    matter = office.coordinator.legal.open(record.id, "residence_permit")
    office.coordinator.legal.add_evidence(matter.id, "Police letter")
    scan = office.coordinator.attachments.add(record.id, "scan.pdf", PDF, label="Scan")
    panel = _legal_tab(qtbot, office).evidence
    select_row(panel.table, 0)
    qtbot.keyClicks(panel.holder, "Police station")
    panel.attachments.setCurrentIndex(panel.attachments.findData(scan.id))
    qtbot.mouseClick(panel.link_button, Qt.MouseButton.LeftButton)
    assert _row(panel, 0)[3] == "Obtained" and panel.holder.text() == "Police station"


def test_a_state_changed_elsewhere_is_not_overwritten_after_a_refresh(qtbot, office):
    """The checklist is read again when its tab is shown; what is typed then is saved
    against the version it was typed over, so another session's change is refused, not
    overwritten."""
    matter = office.coordinator.legal.open(office.record.id, "residence_permit")
    item = office.coordinator.legal.add_evidence(matter.id, "Police letter")
    panel = _legal_tab(qtbot, office).evidence
    select_row(panel.table, 0)
    panel.holder.setText("Law centre")
    office.coordinator.legal.set_evidence_state(item.id, "requested", holder="Police")
    panel.hide()
    panel.show()  # the tab shown again: the checklist is read afresh
    assert panel.holder.text() == "Law centre", "what was typed stays"
    qtbot.mouseClick(panel.state_button, Qt.MouseButton.LeftButton)
    assert "changed this record" in panel.message.text()
    assert office.coordinator.legal.evidence_item(item.id).holder == "Police"
