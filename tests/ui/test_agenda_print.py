"""Printing the day's list: through the (injected) print dialog to a PDF, read back."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter

from tests.ui.org_pages import Org, org_fixture  # noqa: F401 - the org fixture
from ui.agenda.page import AgendaPage

DAY = dt.date.today() + dt.timedelta(days=3)


def at(hour: int) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour))


def pdf_text(path: Path) -> str:
    """The PDF's text as a reader sees it (Qt's PDFs space words with tabs, use ligatures)."""
    raw = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return unicodedata.normalize("NFKC", raw).replace("\t", " ")


def pdf_printer(path: Path):
    def make() -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        return printer
    return make


def test_day_list_has_codes_and_details_but_no_names(qtbot, org: Org, tmp_path: Path):
    ana = org.new_case("Anastasia Printname")
    ben = org.new_case("Benedikt Printname")
    appts = org.caseworker.appointments
    appts.schedule(ana.id, "court_hearing", at(9), at(10), location="County court", room="3",
                   interpreter="Ms Tran", interpreter_language="vi")
    appts.schedule(ben.id, "medical", at(14), at(15), room="Clinic")
    gone = appts.schedule(ben.id, "other", at(16), at(17))
    appts.set_status(gone.id, "cancelled")
    appts.schedule(ana.id, "medical", at(9) + dt.timedelta(days=1),
                   at(10) + dt.timedelta(days=1))
    out = tmp_path / "day.pdf"
    asked: list[QPrinter] = []

    def ask(printer: QPrinter, parent: object) -> bool:
        asked.append(printer)
        assert parent is page  # the dialog belongs to the main window, not a new window
        return True

    page = AgendaPage(org.caseworker, today=DAY, printer_factory=pdf_printer(out),
                      ask_printer=ask)
    qtbot.addWidget(page)
    assert page.print_day()
    assert len(asked) == 1
    text = pdf_text(out)
    for expected in (ana.code, ben.code, "Court hearing", "Medical", "County court, room 3",
                     "Ms Tran (Vietnamese)", "Confidential"):
        assert expected in text, expected
    assert "Printname" not in text and "Anastasia" not in text and "Benedikt" not in text
    assert "Other" not in text, "cancelled appointments are left off"
    assert text.index(ana.code) < text.index(ben.code), "in time order"
    assert page.empty.text() == "Printed 2 appointments."
    assert org.audit("data.print")[-1]["details"] == {"format": "day_list", "count": 2}


def test_cancelling_the_print_dialog_prints_and_records_nothing(qtbot, org: Org,
                                                                 tmp_path: Path):
    case = org.new_case()
    org.caseworker.appointments.schedule(case.id, "medical", at(9), at(10))
    out = tmp_path / "never.pdf"
    page = AgendaPage(org.caseworker, today=DAY, printer_factory=pdf_printer(out),
                      ask_printer=lambda printer, parent: False)
    qtbot.addWidget(page)
    assert not page.print_day()
    assert not out.exists()
    assert org.audit("data.print") == []


def test_an_empty_day_prints_a_clear_empty_list(qtbot, org: Org, tmp_path: Path):
    out = tmp_path / "empty.pdf"
    page = AgendaPage(org.legal, today=DAY, printer_factory=pdf_printer(out),
                      ask_printer=lambda printer, parent: True)
    qtbot.addWidget(page)
    assert page.print_day()
    text = pdf_text(out)
    assert "No appointments on this day." in text
