"""Her own copy of her records, made and saved from the documents window."""

from __future__ import annotations

from pathlib import Path

from tests.documents.conftest import (  # noqa: F401 - org and scenario are fixtures
    NAME,
    Scenario,
    has_phrase,
    org,
    read_pdf,
    scenario,
)
from tests.ui.test_documents import made, saved
from ui.background import Background
from ui.documents import DocumentDialog
from ui.documents.choices import KINDS


def test_her_copy_is_made_and_saved_from_the_documents_window(
        qtbot, scenario: Scenario, tmp_path: Path) -> None:  # noqa: F811
    background = Background()
    dialog = DocumentDialog(scenario.org.coordinator, background, scenario.case_id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.choose("own_copy")
    assert dialog.kind.value() == "own_copy" and dialog.recipient.value() == "self"
    assert dialog.encrypt.isChecked()
    made(qtbot, dialog, background)
    assert dialog.document is not None and dialog.document.kind == "own_copy"
    assert dialog.passphrase.isVisible() and dialog.save_button.isEnabled()
    dialog.ask_save_path = lambda suggested: str(tmp_path / suggested)
    saved(qtbot, dialog, background)
    [written] = tmp_path.glob("copy-PK-*.pdf")
    assert has_phrase(read_pdf(written.read_bytes(), tmp_path, dialog.document.passphrase).text,
                      NAME)
    kinds = [code for code, _label in KINDS.offered(scenario.org.legal, scenario.case_id)]
    assert "own_copy" not in kinds  # a legal volunteer is not offered it
    background.wait(20_000)
