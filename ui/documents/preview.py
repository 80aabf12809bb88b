"""Showing a produced document before it is saved or printed, and printing it.

The PDF never touches the disk to be shown: ``QPdfDocument`` reads it from a ``QBuffer`` in
memory (an encrypted document with its passphrase).  Printing renders each page to an image
at the printer's resolution and paints it, so what prints is what the preview showed.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QVBoxLayout, QWidget

from shelter_app.i18n import _


class PdfPreview(QWidget):
    """A scrollable view of a PDF held in memory."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document: QPdfDocument | None = None  # made for each document shown
        self._buffer: QBuffer | None = None
        self.view = QPdfView(self)
        self.view.setObjectName("document_preview")
        self.view.setAccessibleName(_("Preview of the document"))
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def show_pdf(self, pdf: bytes, passphrase: str | None = None) -> bool:
        """Load *pdf* from memory; True when it opened (with *passphrase*, if encrypted)."""
        self.clear()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(pdf))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._buffer = buffer
        document = QPdfDocument(self)
        document.setPassword(passphrase or "")
        document.load(buffer)
        self.document = document
        self.view.setDocument(document)
        return document.status() == QPdfDocument.Status.Ready

    def clear(self) -> None:
        """Forget the document shown: the view, the parsed document and the bytes."""
        if self.document is not None:
            self.document.close()
            self.document.deleteLater()
            self.document = None
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.setData(QByteArray())  # drop the bytes, not just the handle
            self._buffer.deleteLater()
            self._buffer = None

    @property
    def pages(self) -> int:
        return int(self.document.pageCount()) if self.document is not None else 0


def print_pdf(document: QPdfDocument, printer: QPrinter) -> int:
    """Print every page of *document* on *printer*, each scaled to fit the printable area;
    returns the number of pages sent."""
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    sent = 0
    try:
        dpi = printer.resolution()
        for index in range(document.pageCount()):
            if index:
                printer.newPage()
            points = document.pagePointSize(index)
            size = QSize(int(points.width() * dpi / 72), int(points.height() * dpi / 72))
            image = document.render(index, size)
            area = painter.viewport()
            scaled = size.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(area.x() + (area.width() - scaled.width()) // 2,
                           area.y() + (area.height() - scaled.height()) // 2,
                           scaled.width(), scaled.height())
            painter.drawImage(target, image)
            sent += 1
    finally:
        painter.end()
    return sent
