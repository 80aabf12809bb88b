"""Printing a produced document: pages rendered off the GUI thread, with progress, cancellable.

``PrintRun`` is started once a real printer was chosen (``ui/printing.py``).  A worker thread
opens its own copy of the document from memory (so the preview can change or close meanwhile),
renders each page to an image at up to 300 dots per inch and paints it on the printer, scaled
to the printable area.  A window-modal progress dialog counts the pages; Cancel stops before
the next page.  Qt hands the job to the system when painting ends and cannot take back pages
already painted, so a job stopped half-way prints those pages: the outcome says how many.

(Rendering at the printer's own resolution, 1200 dpi, took about 30 s on the GUI thread and
half a gigabyte per page.)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QProgressDialog, QWidget

from shelter_app.i18n import _

from ..background import Background

MAX_DPI = 300  # sharp on paper; each page image stays under 40 MB


@dataclass
class PrintProgress:
    """Shared between the worker (writes ``total`` and ``done``) and the GUI thread (reads
    them, sets ``cancel``): plain values only, no Qt object crosses threads."""

    total: int = 0
    done: int = 0
    cancel: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class PrintOutcome:
    sent: int  # pages painted and handed to the printer
    total: int
    cancelled: bool
    started: bool = True  # False: the document could not be read or the printer not begun

    @property
    def complete(self) -> bool:
        return self.started and not self.cancelled and self.sent == self.total > 0


def print_pages(pdf: bytes, passphrase: str | None, printer: QPrinter,
                progress: PrintProgress) -> PrintOutcome:
    """Paint every page of *pdf* on *printer*; runs on a worker thread.  The painter begins
    only when the first page is ready, so a job cancelled before that sends nothing."""
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    painter = QPainter()
    try:
        document.setPassword(passphrase or "")
        document.load(buffer)
        if document.status() != QPdfDocument.Status.Ready:
            return PrintOutcome(0, 0, False, started=False)
        progress.total = total = document.pageCount()
        dpi = min(printer.resolution(), MAX_DPI)
        for index in range(total):
            if progress.cancel.is_set():
                return PrintOutcome(index, total, True)
            points = document.pagePointSize(index)
            size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
            image = document.render(index, size)
            if index == 0:
                if not painter.begin(printer):
                    return PrintOutcome(0, total, False, started=False)
            elif not printer.newPage():
                return PrintOutcome(index, total, False)
            area = painter.viewport()
            scaled = size.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(area.x() + (area.width() - scaled.width()) // 2,
                                    area.y() + (area.height() - scaled.height()) // 2,
                                    scaled.width(), scaled.height()), image)
            progress.done = index + 1
        return PrintOutcome(total, total, False)
    finally:
        if painter.isActive():
            painter.end()
        document.close()
        buffer.close()
        buffer.setData(QByteArray())


class PrintRun(QObject):
    """One print job of the documents dialog: the worker, the progress dialog, the outcome.

    ``finished(PrintOutcome)`` is emitted on the GUI thread; ``cancel()`` may be called at any
    time (closing the documents dialog, locking)."""

    finished = Signal(object)

    def __init__(self, background: Background, pdf: bytes, passphrase: str | None,
                 printer: QPrinter, parent: QWidget) -> None:
        super().__init__(parent)
        self.progress = PrintProgress()
        self._printer = printer  # kept alive until the worker is done with it
        self.dialog = QProgressDialog(_("Preparing the pages for the printer…"), _("Cancel"),
                                      0, 0, parent)
        self.dialog.setObjectName("print_progress")
        self.dialog.setWindowTitle(_("Printing"))
        self.dialog.setAccessibleName(_("Printing"))
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.cancel)
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self.dialog.show()
        progress = self.progress
        background.run(lambda: print_pages(pdf, passphrase, printer, progress),
                       self._done, self._failed, context=self)

    def cancel(self) -> None:
        self.progress.cancel.set()
        self.dialog.setLabelText(_("Stopping after this page…"))

    def _tick(self) -> None:
        total, done = self.progress.total, self.progress.done
        if total and not self.progress.cancel.is_set():
            self.dialog.setMaximum(total)
            self.dialog.setValue(done)
            self.dialog.setLabelText(_("Sending page {n} of {total} to the printer…").format(
                n=min(done + 1, total), total=total))

    def _close(self) -> None:
        self._timer.stop()
        self.dialog.hide()
        self.dialog.deleteLater()
        self.deleteLater()

    def _done(self, outcome: PrintOutcome) -> None:
        self._close()
        self.finished.emit(outcome)

    def _failed(self, exc: BaseException) -> None:
        self._close()
        raise exc
