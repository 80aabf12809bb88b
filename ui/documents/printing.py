"""Printing a produced document: pages rendered off the GUI thread, with progress, cancellable.

``PrintRun`` is started once a real printer was chosen (``ui/printing.py``).  A worker thread
opens its own copy of the document from memory (so the preview can change or close meanwhile),
renders each page at up to 300 dots per inch, band by band so that the window never waits for
Python's global lock, and paints it on the printer, scaled to the printable area.  A
window-modal progress dialog counts the pages; Cancel stops before the next page.  Qt hands
the job to the system when painting ends and cannot take back pages already painted, so a job
stopped half-way prints those pages: the outcome says how many.

(Rendering at the printer's own resolution, 1200 dpi, took about 30 s on the GUI thread and
half a gigabyte per page.)
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QProgressDialog, QWidget

from shelter_app.errors import ShelterError
from shelter_app.i18n import _, ngettext

from ..background import Background

MAX_DPI = 300  # sharp on paper; each page image stays under 40 MB
BAND_PIXELS = 500_000  # a band of a page at 300 dpi: about 200 pixels high


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
    refusal: str = ""  # the core's refusal to release the document: nothing was printed

    @property
    def complete(self) -> bool:
        return self.started and not self.cancelled and self.sent == self.total > 0

    def describe(self) -> tuple[str, bool]:
        """What to tell the person, and whether it is a problem (shown as an error)."""
        if self.refusal:
            return self.refusal, True
        if not self.started:
            return _("The printer could not be started. Nothing was printed."), True
        if self.complete:
            return ngettext("Sent {n} page to the printer.", "Sent {n} pages to the printer.",
                            self.sent).format(n=self.sent), False
        if self.sent == 0:
            return _("Printing cancelled: nothing was sent to the printer."), False
        return _("Printing stopped after {sent} of {total} pages; those pages were sent to the "
                 "printer.").format(sent=self.sent, total=self.total), True


def print_pages(pdf: bytes, passphrase: str | None, printer: QPrinter,
                progress: PrintProgress, release: Callable[[], object] = lambda: None
                ) -> PrintOutcome:
    """Paint every page of *pdf* on *printer*; runs on a worker thread.  *release* comes
    first (the consent checked again and the print recorded); its refusal stops the job.
    Nothing reaches the printer until the first page is painted, so a job cancelled before
    that sends nothing."""
    try:
        release()
    except ShelterError as exc:
        return PrintOutcome(0, 0, False, started=False, refusal=str(exc))
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
            if index == 0:
                if not painter.begin(printer):
                    return PrintOutcome(0, total, False, started=False)
            elif not printer.newPage():
                return PrintOutcome(index, total, False)
            paint_page(document, index, dpi, painter)
            progress.done = index + 1
        return PrintOutcome(total, total, False)
    finally:
        if painter.isActive():
            painter.end()
        document.close()
        buffer.close()
        buffer.setData(QByteArray())


def paint_page(document: QPdfDocument, index: int, dpi: int, painter: QPainter) -> None:
    """Page *index* at *dpi*, scaled and centred in the printable area, in horizontal bands:
    PySide holds Python's global lock during each Qt call, so a whole page in one call (about
    0.2 s to encode) froze the window's own Python code for as long; a band takes a few ms."""
    points = document.pagePointSize(index)
    size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
    area = painter.viewport()
    scaled = size.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
    left = area.x() + (area.width() - scaled.width()) // 2
    top = area.y() + (area.height() - scaled.height()) // 2
    bands = max(1, math.ceil(size.width() * size.height() / BAND_PIXELS))
    options = QPdfDocumentRenderOptions()
    options.setScaledSize(size)
    for band in range(bands):
        y0, y1 = (round(size.height() * n / bands) for n in (band, band + 1))
        options.setScaledClipRect(QRect(0, y0, size.width(), y1 - y0))
        image = QImage(size.width(), y1 - y0, QImage.Format.Format_RGB32)
        image.fill(Qt.GlobalColor.white)  # paper: no transparency for the printer to mask
        with_page = QPainter(image)
        with_page.drawImage(0, 0, document.render(index, image.size(), options))
        with_page.end()
        t0, t1 = (top + round(scaled.height() * y / size.height()) for y in (y0, y1))
        painter.drawImage(QRect(left, t0, scaled.width(), t1 - t0), image)


class PrintRun(QObject):
    """One print job of the documents dialog: the worker, the progress dialog, the outcome.

    ``finished(PrintOutcome)`` is emitted on the GUI thread; ``cancel()`` may be called at any
    time (closing the documents dialog, locking)."""

    finished = Signal(object)

    def __init__(self, background: Background, pdf: bytes, passphrase: str | None,
                 printer: QPrinter, parent: QWidget, *,
                 release: Callable[[], object] = lambda: None) -> None:
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
        background.run(lambda: print_pages(pdf, passphrase, printer, progress, release),
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
