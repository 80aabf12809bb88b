"""Printing a day's appointment list through the system print dialog (``ui/printing.py``:
a real printer only, never a file).

The list is built from ``AppointmentService.day_sheet`` (which records the printing) as a
``QTextDocument``: time, case CODE, type, place, interpreter.  Paper lists lie on desks and
get lost, so a survivor's name never appears on them, and each page says it is
confidential.  The printer is passed in, so tests print to a PDF file and read it back.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

from PySide6.QtGui import QTextDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMessageBox, QWidget

from shelter_app.domain import vocab
from shelter_app.i18n import _, is_rtl
from shelter_app.i18n.formatting import format_datetime
from shelter_app.services.appointments import SheetLine

from .. import printing
from .model import day_text, interpreter_text, place_text, time_text

# (printer, parent) → True to print; the default shows the system print dialog.
AskPrinter = Callable[[QPrinter, QWidget], bool]


def system_print_dialog(printer: QPrinter, parent: QWidget) -> bool:
    """The system print dialog, a real printer only; with none set up, say so."""
    title = _("Print the day's appointments")
    if not printing.printer_names():
        QMessageBox.information(parent, title, printing.no_printer_message())
        return False
    return printing.ask_printer(printer, parent, title)


def new_printer() -> QPrinter:
    return printing.new_printer(_("Appointments"))  # print queues show this: nothing personal


def day_list_html(lines: list[SheetLine], day: dt.date) -> str:
    e = html.escape
    direction = "rtl" if is_rtl() else "ltr"
    headers = (_("Time"), _("Case"), _("Type"), _("Place"), _("Interpreter"))
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    rows = []
    for line in lines:
        cells = (_("{start}–{end}").format(start=time_text(line.starts_at),
                                           end=time_text(line.ends_at)),
                 line.case_code, vocab.APPOINTMENT_TYPE.label(line.appointment_type),
                 place_text(line.location, line.room),
                 interpreter_text(line.interpreter, line.interpreter_language))
        rows.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
    if not rows:
        rows.append(f"<tr><td colspan='5'>{e(_('No appointments on this day.'))}</td></tr>")
    title = _("Appointments on {date}").format(date=day_text(day, width="wide"))
    note = _("Confidential: for staff only. Case codes only, never names. Shred after use.")
    printed = _("Printed {when}").format(when=format_datetime(dt.datetime.now().astimezone()))
    return (f"<html dir='{direction}'><body dir='{direction}'>"
            f"<h2>{e(title)}</h2><p><i>{e(note)}</i></p>"
            "<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"<p><small>{e(printed)}</small></p></body></html>")


def day_list_document(lines: list[SheetLine], day: dt.date) -> QTextDocument:
    document = QTextDocument()
    document.setHtml(day_list_html(lines, day))
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, _("Appointments"))
    return document


def print_day_list(lines: list[SheetLine], day: dt.date, printer: QPrinter) -> None:
    document = day_list_document(lines, day)
    document.print_(printer)
