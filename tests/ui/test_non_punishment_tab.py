"""The case's Non-punishment tab, through the real widgets: a legal volunteer records the
charge brought against the survivor (its date to act by reaches the case header), marks it
raised in place, and prepares the letter: the document window opens with the letter about
that record chosen, and its preview holds what was recorded."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
from PySide6.QtCore import Qt

from ui.cases.tabs.base import select_row
from ui.cases.tabs.documents import DocumentsTab
from ui.cases.tabs.non_punishment import NonPunishmentTab

from .test_case_history import open_workspace, plain

TODAY = dt.date.today()
WAIT_MS = 20_000


def test_a_measure_is_recorded_changed_and_its_letter_prepared(qtbot, office):
    c = office.coordinator
    prosecutor = c.partners.add("Fiscalía de Sevilla", "law_enforcement")
    c.consent.record(office.record.id, sections=["identity", "legal"], purpose="Letter",
                     given_by="survivor", method="written", given_on=TODAY,
                     partner_id=prosecutor.id)
    workspace = open_workspace(qtbot, office, "legal")
    tab = workspace.show_tab("non_punishment")
    assert isinstance(tab, NonPunishmentTab) and tab.editor is not None
    assert workspace.tabs.tabText(workspace.keys.index("non_punishment")) == "Non-&punishment"
    tab.form.put({"measure": "charge", "offence": "Use of a false identity document",
                  "authority": "Juzgado n.º 3", "reference": "DP 1234/2025",
                  "act_by": (TODAY + dt.timedelta(days=9)).isoformat()})
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    assert tab.message.text() == "", tab.message.text()
    assert tab.done.text() == "The measure was recorded."
    cells = [tab.table.item(0, c).text() for c in range(6)]
    assert cells[:5] == ["Charge or prosecution", "Use of a false identity document",
                         "Juzgado n.º 3", "DP 1234/2025", "Not raised yet"]
    assert "Raise non-punishment by" in plain(workspace.deadline.text())

    editor = tab.editor
    assert editor.edit_selected()
    tab.form.put({"status": "raised", "link": "She was made to carry it by the recruiter."})
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not editor.editing, tab.message.text()
    assert tab.table.item(0, 4).text() == "Raised with the authority"

    tab.table.clearSelection()
    tab.table.setCurrentCell(-1, -1)
    qtbot.mouseClick(tab.letter_button, Qt.MouseButton.LeftButton)
    assert tab.message.text() == "Select the record the letter is about first."
    select_row(tab.table, 0)
    qtbot.mouseClick(tab.letter_button, Qt.MouseButton.LeftButton)
    documents = workspace.tabs.currentWidget()
    assert isinstance(documents, DocumentsTab)
    dialog = documents.panel.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.kind.value() == "non_punishment"
    assert dialog.record.value() == tab.ids[0] and dialog.record.isVisible()
    assert not dialog.template.isVisible()
    assert dialog.recipient.value() == prosecutor.id, "her consent covers it: offered first"
    dialog.encrypt.setChecked(False)
    with qtbot.waitSignal(office.background.idle, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    assert dialog.document is not None, dialog.message.text()
    text = "".join(p.extract_text() for p in pypdf.PdfReader(
        io.BytesIO(dialog.document.pdf)).pages)
    assert "Use of a false identity document" in text and "carry it by the recruiter" in text
    dialog.close()


def test_a_caseworker_reads_the_measures_but_records_none(qtbot, office):
    office.legal.non_punishment.add(office.record.id, measure="detention",
                                    offence="Irregular stay")
    workspace = open_workspace(qtbot, office, "caseworker")
    tab = workspace.show_tab("non_punishment")
    assert isinstance(tab, NonPunishmentTab)
    assert tab.editor is None and tab.table.rowCount() == 1
    assert tab.table.item(0, 0).text() == "Immigration detention"
