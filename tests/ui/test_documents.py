"""The documents dialog and panel: choose, preview from memory, save, print, list."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget

from tests.bidi import plain
from tests.documents.conftest import Scenario, org, scenario  # noqa: F401
from tests.ui.conftest import flush_deletes
from tests.ui.test_rules import unnamed_controls
from ui.background import Background
from ui.documents import DocumentDialog, DocumentsPanel
from ui.widgets import ERROR_STYLE, SUCCESS_STYLE

WAIT_MS = 20_000


@pytest.fixture
def background(qtbot) -> Iterator[Background]:
    worker = Background()
    yield worker
    worker.wait(WAIT_MS)


@pytest.fixture
def keep(background: Background) -> Iterator[Callable[[QWidget], QWidget]]:
    """Hold each window until the test is over, then close it and let Qt delete it, as the
    application does (a parentless window whose Python wrapper is simply dropped is deleted
    at once, under events still queued for it, and PySide 6.12 crashes on that)."""
    held: list[QWidget] = []
    yield lambda widget: held.append(widget) or widget
    background.wait(WAIT_MS)
    for widget in held:
        widget.close()
        widget.deleteLater()
    flush_deletes()
    held.clear()


def made(qtbot, dialog: DocumentDialog, background: Background) -> None:
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)


def saved(qtbot, dialog: DocumentDialog, background: Background) -> None:
    """Click Save (the path is asked first) and wait for the file and its record."""
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def pdf_printer(path: Path, mode: QPrinter.PrinterMode = QPrinter.PrinterMode.ScreenResolution
                ) -> QPrinter:
    """The printer a test passes in: it writes a PDF the test reads back."""
    printer = QPrinter(mode)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def printing_to(dialog: DocumentDialog, path: Path, **kwargs: Any) -> None:
    """Stand a PDF file in for the printer the person would choose in the system dialog."""
    dialog.printer_names = lambda: ["Office printer"]
    dialog.new_printer = lambda: pdf_printer(path, **kwargs)
    dialog.ask_printer = lambda printer, parent: parent is dialog


def printed(qtbot, dialog: DocumentDialog, background: Background) -> None:
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog._print_run is None, timeout=WAIT_MS)


def test_referral_preview_save_and_print(qtbot, scenario: Scenario,  # noqa: F811
                                         background: Background, tmp_path: Path, keep,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    org_ = scenario.org
    dialog = keep(DocumentDialog(org_.coordinator, background, scenario.case_id))
    assert unnamed_controls(dialog) == []
    assert dialog.recipient.currentText() == "Centro Esperanza"
    checked = {code for code, box in dialog.sections.items() if box.isChecked()}
    assert checked == {"identity", "contact", "situation"}, "what the consent covers"
    assert not dialog.save_button.isEnabled()
    made(qtbot, dialog, background)
    document = dialog.document
    assert document is not None and document.passphrase
    assert dialog.preview.document and dialog.preview.document.status() == (
        QPdfDocument.Status.Ready)
    assert dialog.preview.pages == document.pages
    assert dialog.passphrase.text() == document.passphrase and not dialog.passphrase.isHidden()
    assert org_.audit("document.previewed")[-1]["details"] == {
        "sections": ["identity", "contact", "situation"], "format": "referral.pdf-aes256"}
    assert org_.audit("data.export") == [] and org_.count("generated_documents") == 0

    target = tmp_path / "out" / document.file_name
    target.parent.mkdir()
    monkeypatch.setattr(dialog, "ask_save_path", lambda suggested: str(target))
    saved(qtbot, dialog, background)
    assert target.read_bytes() == document.pdf
    assert plain(dialog.notice.text()) == f"Saved as {document.file_name}."
    assert dialog.notice.styleSheet() == SUCCESS_STYLE and dialog.message.isHidden()
    assert org_.audit("data.export")[-1]["details"]["format"] == "referral.pdf-aes256"
    saved(qtbot, dialog, background)  # the same name: refused
    assert "already exists" in dialog.message.text() and dialog.notice.isHidden()
    assert dialog.message.styleSheet() == ERROR_STYLE

    printing_to(dialog, tmp_path / "printed.pdf")
    printed(qtbot, dialog, background)
    assert len(pypdf.PdfReader(tmp_path / "printed.pdf").pages) == document.pages
    assert dialog.notice.text() == f"Sent {document.pages} pages to the printer."
    assert org_.audit("data.print")[-1]["details"] == {
        "sections": ["identity", "contact", "situation"], "format": "referral.print"}
    assert org_.count("generated_documents") == 1, "saved and printed: one document"

    dialog.sections["identity"].setChecked(False)  # a change: the preview is gone
    assert dialog.document is None and dialog.preview.pages == 0
    assert not dialog.save_button.isEnabled() and dialog.passphrase.isHidden()
    assert dialog.notice.isHidden()

    # she wants her own copy: a second document, shown on request, saved beside the packet
    assert not dialog.referral.own_copy.isHidden()
    assert not dialog.referral.own_copy.isChecked()
    assert dialog.working.isHidden(), "no copy of hers unless she wants one"
    qtbot.mouseClick(dialog.referral.own_copy, Qt.MouseButton.LeftButton)
    made(qtbot, dialog, background)
    document = dialog.document
    assert document is not None and document.working is not None
    assert not dialog.working.isHidden() and dialog.working.text() == "Show h&er own copy"
    partner_pages = dialog.preview.pages
    qtbot.mouseClick(dialog.working, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.preview.pages == document.working_pages, timeout=WAIT_MS)
    assert partner_pages == document.pages != document.working_pages
    target = tmp_path / "out" / "referral-copy.pdf"
    monkeypatch.setattr(dialog, "ask_save_path", lambda suggested: str(target))
    saved(qtbot, dialog, background)
    own = tmp_path / "out" / "referral-copy-own-copy.pdf"
    assert target.read_bytes() == document.pdf and own.read_bytes() == document.working
    assert plain(dialog.notice.text()) == (
        "Saved as referral-copy.pdf, and her own copy as referral-copy-own-copy.pdf.")


def test_a_refusal_is_shown_in_the_core_words(qtbot, scenario: Scenario,  # noqa: F811
                                              background: Background, keep) -> None:
    dialog = keep(DocumentDialog(scenario.org.coordinator, background, scenario.case_id))
    dialog.sections["health"].setChecked(True)
    made(qtbot, dialog, background)
    assert dialog.document is None
    assert "does not cover: Health" in plain(dialog.message.text())
    assert scenario.org.count("generated_documents") == 0


def test_residence_preflight_and_plain_card(qtbot, scenario: Scenario,  # noqa: F811
                                            background: Background, keep) -> None:
    dialog = keep(DocumentDialog(scenario.org.legal, background, scenario.case_id))
    dialog.kind.select("residence")
    assert dialog.template.count() == 0 and "No residence template fits" in \
        dialog.message.text()
    dialog.close()
    c = scenario.org.coordinator
    first = c.legal.open(scenario.case_id, "t_visa", jurisdiction="United States")
    second = c.legal.open(scenario.case_id, "t_visa", authority_ref="EAC-2")
    c.legal.open(scenario.case_id, "residence_permit", jurisdiction="Italia")
    dialog = keep(DocumentDialog(scenario.org.legal, background, scenario.case_id))
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        dialog.kind.select("residence")
    # only the templates the matters fit: the T visa's and the Italian one
    offered = {dialog.template.itemText(i) for i in range(dialog.template.count())}
    assert len(offered) == 2 and any("T nonimmigrant" in t for t in offered), offered
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        dialog.template.select("us-t-visa")
    assert [dialog.matter.itemText(i) for i in range(dialog.matter.count())] == [
        "T visa, United States, Preparing", "T visa, EAC-2, Preparing"]
    assert dialog.matter.value() is None  # two fit: she chooses
    assert any("More than one legal matter fits" in i for i in dialog.missing.items)
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        dialog.matter.select(second.id)
    assert not any("More than one legal matter" in i for i in dialog.missing.items)
    assert dialog.residence.request() == {"template_id": "us-t-visa", "matter_id": second.id,
                                          "editable": False}
    assert dialog.form.isRowVisible(dialog.residence.editable)
    dialog.residence.editable.setChecked(True)
    assert dialog.residence.request()["editable"] is True
    dialog.residence.editable.setChecked(False)
    assert first.id != second.id
    made(qtbot, dialog, background)
    assert dialog.document is None
    assert "add U.S. Citizenship and Immigration Services" in plain(dialog.message.text())


def test_panel_lists_what_left_the_vault(qtbot, scenario: Scenario,  # noqa: F811
                                         background: Background, keep, tmp_path: Path) -> None:
    services = scenario.org.coordinator
    first = services.documents.referral_packet(scenario.case_id, scenario.partner_id)
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        panel = keep(DocumentsPanel(services, background, scenario.case_id))
    assert unnamed_controls(panel) == []
    assert panel.table.rowCount() == 0 and not panel.empty.isHidden(), "only previewed"
    services.documents.save(first, tmp_path / first.file_name)
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        panel.refresh()
    assert panel.table.rowCount() == 1 and panel.table.item(0, 7).text() == first.packet_id
    assert panel.table.item(0, 2).text() == "Centro Esperanza"
    dialog = panel.open_dialog()
    dialog.encrypt.setChecked(False)
    made(qtbot, dialog, background)
    reader = pypdf.PdfReader(io.BytesIO(dialog.document.pdf))
    assert not reader.is_encrypted
    qtbot.wait(50)
    assert panel.table.rowCount() == 1, "a preview is not listed: it never left the vault"
    printing_to(dialog, tmp_path / "card.pdf")
    printed(qtbot, dialog, background)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=WAIT_MS)
    dialog.close()
    flush_deletes()
    assert panel.dialog is None, "a closed dialog is forgotten, not closed again at lock"


def test_the_saved_notice_names_every_file() -> None:
    from types import SimpleNamespace

    from ui.documents.residence_form import saved_notice

    path = Path("/tmp/out/filing.pdf")
    assert saved_notice(SimpleNamespace(kind="referral", working=None, editable=()), path) == \
        "Saved as \u2068filing.pdf\u2069."
    both = saved_notice(SimpleNamespace(kind="residence", working=b"%PDF", editable=()), path)
    assert "filing-working.pdf" in both and "docx" not in both
    every = saved_notice(SimpleNamespace(kind="residence", working=b"%PDF",
                                         editable=(("letter", b""),)), path)
    assert "filing-letter.docx" in every and "filing-statement.docx" in every
    hers = saved_notice(SimpleNamespace(kind="referral", working=b"%PDF", editable=()), path)
    assert "her own copy as \u2068filing-own-copy.pdf\u2069" in hers


def test_an_archival_copy_is_asked_for_in_the_dialog(qtbot, scenario: Scenario,  # noqa: F811
                                                     background: Background, keep) -> None:
    dialog = keep(DocumentDialog(scenario.org.coordinator, background, scenario.case_id))
    assert not dialog.archival.isHidden() and not dialog.archival.isChecked()
    qtbot.mouseClick(dialog.archival, Qt.MouseButton.LeftButton)
    made(qtbot, dialog, background)  # encrypted as well (the default): refused, said so
    assert dialog.document is None
    assert "cannot be encrypted" in plain(dialog.message.text())
    qtbot.mouseClick(dialog.encrypt, Qt.MouseButton.LeftButton)
    made(qtbot, dialog, background)
    assert dialog.document is not None and dialog.document.archival
    assert dialog.document.passphrase is None
    dialog.choose("appointment_card")
    assert dialog.archival.isHidden() or not dialog.form.isRowVisible(dialog.archival)
