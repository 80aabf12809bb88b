"""The case's Compensation tab, through the real widgets: a legal volunteer records a
claim (its filing deadline reaches the case header), a payment received, and changes the
claim's status in place; amounts are written as the interface language writes money."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from ui.cases.tabs.base import select_row
from ui.cases.tabs.claims import ClaimsTab

from .test_case_history import open_workspace, plain

TODAY = dt.date.today()


def test_a_claim_is_recorded_paid_and_changed(qtbot, office):
    workspace = open_workspace(qtbot, office, "legal")
    tab = workspace.show_tab("claims")
    assert isinstance(tab, ClaimsTab) and tab.editor is not None
    tab.form.put({"route": "labour_tribunal", "against": "Agrifarm (fictional)",
                  "currency": "EUR", "claimed": "14250.5",
                  "filing_due": (TODAY + dt.timedelta(days=15)).isoformat()})
    qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    assert tab.done.text() == "The claim was recorded.", tab.message.text()
    cells = [tab.table.item(0, c).text() for c in range(7)]
    assert cells[:4] == ["Labour tribunal", "Agrifarm (fictional)", "Preparing", "€14,250.50"]
    assert "Compensation claim due" in plain(workspace.deadline.text())

    tab.table.clearSelection()  # the recorded claim is selected: with none, it is said
    tab.table.setCurrentCell(-1, -1)
    qtbot.mouseClick(tab.pay_button, Qt.MouseButton.LeftButton)
    assert tab.message.text() == "Select the claim the payment is for first."
    select_row(tab.table, 0)
    qtbot.keyClicks(tab.paid, "1500")
    qtbot.mouseClick(tab.pay_button, Qt.MouseButton.LeftButton)
    assert plain(tab.done.text()) == "Payment recorded: €1,500.00 received so far."
    assert tab.table.item(0, 5).text() == "€1,500.00"

    editor = tab.editor
    assert editor.edit_selected()
    tab.form.put({"status": "awarded", "awarded": "9000"})
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not editor.editing, tab.message.text()
    assert tab.table.item(0, 2).text() == "Awarded"
    assert tab.table.item(0, 5).text() == "€1,500.00"  # the payment is kept
    assert workspace.deadline.text() == "No open legal deadline"  # filed: no filing due


def test_a_bad_amount_is_said_beside_the_field(qtbot, office):
    workspace = open_workspace(qtbot, office, "legal")
    tab = workspace.show_tab("claims")
    tab.form.put({"route": "state_fund", "currency": "EUR", "claimed": "12,5,0"})
    qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    assert "at most two decimals" in tab.form["claimed"].message.text()
    assert tab.table.rowCount() == 0
