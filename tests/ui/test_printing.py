"""The one way the application prints (ui/printing.py): the system print dialog offers no file
output, accepting it without a real printer prints nothing, and the agenda's day list goes
through the same rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox, QWidget

from tests.ui.org_pages import Org, org_fixture  # noqa: F401 - the org fixture
from ui import printing
from ui.agenda.page import AgendaPage


def when_modal(qtbot, act) -> None:
    """Run *act(dialog)* on the modal dialog that is about to open (exec blocks)."""
    tries = iter(range(250))  # five seconds, then fail rather than wait for ever

    def later() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            if next(tries, None) is None:
                raise AssertionError("no dialog opened")
            QTimer.singleShot(20, later)
            return
        act(dialog)
    QTimer.singleShot(20, later)


def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty home and working folder: where an unwanted file would land."""
    folder = tmp_path / "desk"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("HOME", str(folder))
    return folder


def printer_choices(dialog: QPrintDialog) -> list[str]:
    combo = dialog.findChild(QComboBox, "printers")
    return [combo.itemText(i) for i in range(combo.count())] if combo else []


def test_the_print_dialog_offers_no_file_output(qtbot, tmp_path: Path) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    printer = printing.new_printer("Document")
    default = QPrinter()  # (kept: the dialog does not own it)
    plain = QPrintDialog(default, parent)  # Qt's own default, for comparison
    plain.show()
    assert any("File" in choice for choice in printer_choices(plain)), "Qt offers a file"
    plain.reject()
    dialog = printing.print_dialog(printer, parent, "Print the document")
    assert not dialog.testOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile)
    dialog.show()
    assert not any("File" in choice or "PDF" in choice for choice in printer_choices(dialog))
    dialog.reject()


@pytest.mark.parametrize("answer", ["accept", "reject"])
def test_only_a_real_printer_is_accepted(qtbot, tmp_path: Path, monkeypatch,
                                         answer: str) -> None:
    home = desk(tmp_path, monkeypatch)
    parent = QWidget()
    qtbot.addWidget(parent)
    printer = printing.new_printer("Document")
    when_modal(qtbot, lambda dialog: getattr(dialog, answer)())
    # on a computer without a printer, accepting the dialog still prints nothing
    chosen = printing.ask_printer(printer, parent, "Print the document")
    assert chosen is printing.prints_on_paper(printer)
    if not printing.printer_names():
        assert chosen is False
    assert list(home.iterdir()) == []
    file_printer = QPrinter()
    file_printer.setOutputFileName(str(tmp_path / "copy.pdf"))
    assert not printing.prints_on_paper(file_printer)


def test_the_day_list_says_when_there_is_no_printer(qtbot, org: Org,
                                                    tmp_path: Path, monkeypatch) -> None:
    home = desk(tmp_path, monkeypatch)
    monkeypatch.setattr(printing, "printer_names", lambda: [])
    page = AgendaPage(org.caseworker, today=dt.date.today())
    qtbot.addWidget(page)
    seen: list[str] = []

    def read_and_close(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.accept()

    when_modal(qtbot, read_and_close)
    assert not page.print_day()
    assert seen == ["No printer is set up on this computer, so nothing was printed."]
    assert list(home.iterdir()) == []
    assert org.audit("data.print") == []


def test_the_day_list_asks_the_same_dialog(qtbot, org: Org, tmp_path: Path,
                                           monkeypatch) -> None:
    home = desk(tmp_path, monkeypatch)
    monkeypatch.setattr(printing, "printer_names", lambda: ["Office printer"])
    page = AgendaPage(org.caseworker, today=dt.date.today())
    qtbot.addWidget(page)
    offered: list[list[str]] = []

    def look_and_accept(dialog: QWidget) -> None:
        assert isinstance(dialog, QPrintDialog)
        assert not dialog.testOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile)
        offered.append(printer_choices(dialog))
        dialog.accept()

    when_modal(qtbot, look_and_accept)
    assert page.print_day() is False, "accepted, but no real printer was chosen"
    assert offered and not any("File" in c for c in offered[0])
    assert list(home.iterdir()) == [], "nothing written"
    assert org.audit("data.print") == []
