"""The one way the application prints: the system print dialog, to a real printer only.

Qt's print dialog offers "Print to File (PDF)", and a ``QPrinter`` made on a computer without
a printer is already set to write a PDF file: printing a packet there wrote an unencrypted
copy of the survivor's file into the home folder.  So here:

- ``printer_names()`` says whether there is a printer at all; with none, the caller says so
  and points to Save (which writes the encrypted, consent-checked file), and no dialog opens;
- ``print_dialog`` is the system dialog without the file output;
- ``ask_printer`` runs it and accepts only a printer that prints (native format, no output
  file), whatever the dialog or a platform plugin let through.

Tests pass their own printer (a PDF file they read back) to the code that paints; what they
cannot pass is a way around this module's checks.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QDialog, QWidget

from shelter_app.i18n import _

# (printer, parent) → True when a real printer was chosen; the default is ``ask_printer``.
AskPrinter = Callable[[QPrinter, QWidget], bool]


def no_printer_message() -> str:
    return _("No printer is set up on this computer, so nothing was printed.")


def printer_names() -> list[str]:
    """The printers the system offers (empty: none is set up)."""
    return [str(name) for name in QPrinterInfo.availablePrinterNames()]


def new_printer(document_name: str) -> QPrinter:
    """A printer for the system's default printer; print queues show *document_name*, which
    must say nothing about anyone."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(document_name)
    printer.setCreator("")
    return printer


def prints_on_paper(printer: QPrinter) -> bool:
    """True when *printer* sends pages to a printer rather than writing a file."""
    return (printer.outputFormat() == QPrinter.OutputFormat.NativeFormat
            and not printer.outputFileName())


def print_dialog(printer: QPrinter, parent: QWidget, title: str) -> QPrintDialog:
    """The system print dialog for *printer*, without "Print to file".  (The option must be
    set before the dialog is first shown: Qt builds the printer list then.)"""
    dialog = QPrintDialog(printer, parent)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, False)
    dialog.setWindowTitle(title)
    dialog.setAccessibleName(title)
    return dialog


def ask_printer(printer: QPrinter, parent: QWidget, title: str) -> bool:
    """Ask with the system print dialog; True only when a real printer was chosen."""
    dialog = print_dialog(printer, parent, title)
    try:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()
    return accepted and prints_on_paper(printer)
