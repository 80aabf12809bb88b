"""Regression tests of the documents dialog, driven through its real buttons and lists: the
preview that crashed when shown again, the preview kept after a change of document, printing
(no file output, cancel, no printer), and the residence pre-flight."""

from __future__ import annotations

from pathlib import Path

import pypdf
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from reportlab.lib.pagesizes import LETTER

from tests.documents.conftest import Scenario, org, read_pdf, scenario  # noqa: F401 - fixtures
from tests.documents.test_residence import Residence, pdf_pages, residence  # noqa: F401
from tests.ui.test_documents import (  # noqa: F401 - background and keep are fixtures
    WAIT_MS,
    background,
    keep,
    made,
    printed,
    printing_to,
    saved,
)
from ui.background import Background
from ui.documents import DocumentDialog


def scroll(widget: QWidget, delta: int) -> None:
    """A real wheel turn over *widget* (down when *delta* is negative)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, delta), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_three_previews_with_prints_between(
        qtbot,
        scenario: Scenario,  # noqa: F811
        background: Background,  # noqa: F811
        keep,  # noqa: F811
        tmp_path: Path,
) -> None:
    """Preview, Preview again, Print, Preview, Print: the second preview used to kill the
    process (the view kept a document that had been deleted), and so did Preview after Print."""
    dialog = keep(DocumentDialog(scenario.org.coordinator, background, scenario.case_id))
    dialog.show()
    qtbot.waitExposed(dialog)
    packets = []
    viewport = dialog.preview.view.viewport()
    for n in range(3):
        made(qtbot, dialog, background)
        qtbot.wait(100)  # let the view lay out and render the pages it shows
        # the person clicks into the preview and scrolls it, so it holds the focus
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=viewport.rect().center())
        scroll(viewport, -240)
        qtbot.wait(50)
        document = dialog.document
        assert document is not None and dialog.preview.pages == document.pages
        assert dialog.preview.view.document() is dialog.preview.document
        packets.append(document.packet_id)
        if n:  # print after the second and the third preview
            out = tmp_path / f"printed-{n}.pdf"
            printing_to(dialog, out)
            printed(qtbot, dialog, background)
            assert len(pypdf.PdfReader(out).pages) == document.pages
            qtbot.wait(100)
    assert len(set(packets)) == 3, "each preview is a new document"
    assert [e["details"]["format"] for e in scenario.org.audit("data.print")] == [
        "referral.print"] * 2
    assert len(scenario.org.audit("document.previewed")) == 3


def test_every_change_of_choice_drops_the_preview(
        qtbot,
        scenario: Scenario,  # noqa: F811
        background: Background,  # noqa: F811
        keep,  # noqa: F811
        tmp_path: Path,
) -> None:
    dialog = keep(DocumentDialog(scenario.org.coordinator, background, scenario.case_id))
    dialog.show()
    qtbot.waitExposed(dialog)

    def shown() -> None:
        made(qtbot, dialog, background)
        assert dialog.document is not None and dialog.save_button.isEnabled()

    def dropped(what: str) -> None:
        assert dialog.document is None, what
        assert dialog.preview.pages == 0 and dialog.preview.document is None, what
        assert dialog.passphrase.isHidden() and not dialog.passphrase.text(), what
        assert dialog.notice.isHidden() and dialog.passphrase_note.isHidden(), what
        assert not dialog.save_button.isEnabled() and not dialog.print_button.isEnabled(), what

    shown()
    out = tmp_path / "out"
    out.mkdir()
    target = out / dialog.document.file_name
    dialog.ask_save_path = lambda suggested: str(target)
    saved(qtbot, dialog, background)
    assert dialog.notice.text().startswith("Saved as")
    # the document type, by keyboard: the recipients are refilled with signals blocked
    dialog.kind.setFocus()
    qtbot.keyClick(dialog.kind, Qt.Key.Key_Down)
    assert dialog.kind.value() == "residence"
    dropped("document type")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # disabled: nothing
    assert [p.name for p in out.iterdir()] == [target.name]
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT_MS)  # the pre-flight check
    qtbot.keyClick(dialog.kind, Qt.Key.Key_Up)
    assert dialog.kind.value() == "referral"

    for what, change in (
            ("language", lambda: qtbot.keyClick(dialog.language, Qt.Key.Key_Down)),
            ("section", lambda: qtbot.mouseClick(dialog.sections["contact"],
                                                 Qt.MouseButton.LeftButton)),
            ("watermark", lambda: qtbot.keyClicks(dialog.watermark, "COPY")),
            ("encryption", lambda: qtbot.mouseClick(dialog.encrypt,
                                                    Qt.MouseButton.LeftButton))):
        shown()
        change()
        dropped(what)
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    assert not dialog.choices.isEnabled(), "no choice can change while a document is made"
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT_MS)
    assert dialog.choices.isEnabled()


def test_with_no_printer_print_says_so_and_writes_nothing(
        qtbot,
        scenario: Scenario,  # noqa: F811
        background: Background,  # noqa: F811
        keep,  # noqa: F811
        tmp_path: Path,
        monkeypatch,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(home)
    dialog = keep(DocumentDialog(scenario.org.coordinator, background, scenario.case_id))
    asked: list[QPrinter] = []
    dialog.printer_names = lambda: []
    dialog.ask_printer = lambda printer, parent: asked.append(printer) is None
    made(qtbot, dialog, background)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert "No printer is set up on this computer" in dialog.message.text()
    assert "Save" in dialog.message.text()
    assert asked == [] and dialog._print_run is None, "no dialog, no job"
    assert list(home.iterdir()) == []
    assert scenario.org.audit("data.print") == []
    assert dialog.save_button.isEnabled(), "the document is still there to be saved"


def test_cancel_stops_the_print_job(
        qtbot,
        scenario: Scenario,  # noqa: F811
        background: Background,  # noqa: F811
        keep,  # noqa: F811
        tmp_path: Path,
) -> None:
    dialog = keep(DocumentDialog(scenario.org.coordinator, background, scenario.case_id))
    dialog.show()
    made(qtbot, dialog, background)
    total = dialog.document.pages
    out = tmp_path / "printed.pdf"
    printing_to(dialog, out, mode=QPrinter.PrinterMode.HighResolution)  # 300 dpi pages: slow
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    run = dialog._print_run
    assert run is not None and run.dialog.isVisible(), "progress is shown"
    assert run.dialog.isModal() or run.dialog.windowModality() == Qt.WindowModality.WindowModal
    cancel = next(b for b in run.dialog.findChildren(QPushButton) if b.text() == "Cancel")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        pass
    qtbot.waitUntil(lambda: dialog._print_run is None, timeout=WAIT_MS)
    sent = len(pypdf.PdfReader(out).pages) if out.exists() else 0
    assert sent < total, "the job stopped"
    if sent:
        assert f"stopped after {sent} of {total} pages" in dialog.message.text()
    else:
        assert dialog.notice.text() == "Printing cancelled: nothing was sent to the printer."
    assert dialog.document is not None, "the preview stays"


def test_residence_preflight_follows_template_and_recipient(
        qtbot,
        scenario: Scenario,  # noqa: F811
        background: Background,  # noqa: F811
        keep,  # noqa: F811
) -> None:
    c = scenario.org.coordinator
    authority = c.partners.add("U.S. Citizenship and Immigration Services (USCIS)",
                               "government")
    c.legal.open(scenario.case_id, "t_visa", jurisdiction="United States")
    c.legal.open(scenario.case_id, "nrm")
    dialog = keep(DocumentDialog(scenario.org.legal, background, scenario.case_id))
    dialog.resize(760, 560)
    dialog.show()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        dialog.kind.select("residence")
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        dialog.template.select("us-t-visa")
    items = dialog.missing.items
    assert not any("--" in item for item in items), items
    consent = [i for i in items if "consent" in i.lower()]
    assert consent, items  # the authority is found, but nobody's consent covers it
    assert dialog.recipient.value() is None  # the authority named in the template
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        dialog.recipient.select(scenario.partner_id)  # the recipient changes: checked again
    again = dialog.missing.items
    assert again != items and not any("USCIS" in i for i in again), again
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        dialog.recipient.select(None)
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        dialog.template.select("uk-nrm-vts")
    nrm = dialog.missing.items
    recipient = [i for i in nrm if "partner directory" in i]
    assert recipient and recipient[0].startswith("Choose the recipient"), nrm
    assert not any("--to" in i for i in nrm)
    assert authority.id
    # the list is shown whole: wrapped, as tall as its lines need (the form scrolls)
    qtbot.wait(50)
    missing = dialog.missing
    assert missing.wordWrap() and missing.isVisible()
    assert missing.height() >= missing.heightForWidth(missing.width()) - 1
    assert missing.width() <= dialog.choices.width()


def test_a_translated_exhibit_is_chosen_in_the_dialog(
        qtbot, residence: Residence, background: Background, keep,  # noqa: F811
        tmp_path: Path) -> None:
    """The exhibits pre-flight placed are listed; choosing the language an item's documents
    were translated from, and the attachment holding the translation, checks it again and
    makes the packet with the translation after its exhibit and the certificate."""
    s = residence.scenario
    c = s.org.coordinator
    police = residence.items["police"]
    translation = c.attachments.add(s.case_id, "police-en.pdf",
                                    pdf_pages(2, LETTER, "English translation"),
                                    label="Police report, English translation")
    c.legal.link_evidence(police, translation.id)
    dialog = keep(DocumentDialog(s.org.legal, background, s.case_id))
    dialog.show()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        dialog.kind.select("residence")
    table = dialog.residence.translations
    qtbot.waitUntil(lambda: table.count() > 0, timeout=WAIT_MS)
    assert table.isVisible() and dialog.form.isRowVisible(table)
    [row] = [r for r in table.rows if r.item == police]
    assert "Police report" in row.exhibit.text()
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        row.language.set_value("es")
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        row.translation.select(translation.id)
    assert table.chosen() == {police: f"es:{translation.id}"}
    # the translation is no exhibit of its own now: the rows were made again, the choice kept
    [row] = [r for r in table.rows if r.item == police]
    assert (row.language.value(), row.translation.value()) == ("es", translation.id)
    assert dialog.residence.request()["translations"] == {police: f"es:{translation.id}"}
    # the narrow form never scrolls sideways: each row fits its width
    qtbot.wait(50)
    assert table.width() <= dialog.choices.width()
    assert row.translation.geometry().right() <= table.width()
    dialog.encrypt.setChecked(False)
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.document is not None, timeout=WAIT_MS)
    pages = read_pdf(dialog.document.pdf, tmp_path).poppler_pages
    certificate = next(p for p in pages if "Translator's certificate" in p)
    assert "Spanish" in certificate and "Police report, English translation" in " ".join(
        certificate.split())
