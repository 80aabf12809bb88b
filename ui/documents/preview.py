"""Showing a produced document before it is saved or printed.

The PDF never touches the disk to be shown: ``QPdfDocument`` reads it from a ``QBuffer`` in
memory (an encrypted document with its passphrase).

One ``QPdfDocument`` lives as long as the preview and is the only document the view ever
holds: a new document is loaded into it, and forgetting one closes it and drops the bytes.
(Deleting the document while the view still held it, to replace it with a new one, crashed
the application on the second preview.)
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QVBoxLayout, QWidget

from shelter_app.i18n import _


class PdfPreview(QWidget):
    """A scrollable view of a PDF held in memory."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = QPdfDocument(self)
        self._buffer: QBuffer | None = None
        self.view = QPdfView(self)
        self.view.setObjectName("document_preview")
        self.view.setAccessibleName(_("Preview of the document"))
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self._document)  # once: the view never holds another one
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        # a page stays readable however long the labels beside it (the dialog grows instead)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 34)

    @property
    def document(self) -> QPdfDocument | None:
        """The document shown, or None when nothing is."""
        if self._document.status() == QPdfDocument.Status.Ready:
            return self._document
        return None

    def show_pdf(self, pdf: bytes, passphrase: str | None = None) -> bool:
        """Load *pdf* from memory; True when it opened (with *passphrase*, if encrypted)."""
        self.clear()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(pdf))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._buffer = buffer
        self._document.setPassword(passphrase or "")
        self._document.load(buffer)
        self.view.pageNavigator().jump(0, QPointF(0, 0))  # a new document opens at its start
        return self._document.status() == QPdfDocument.Status.Ready

    def clear(self) -> None:
        """Forget the document shown: the parsed document, its passphrase and the bytes."""
        self._document.close()
        self._document.setPassword("")
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.setData(QByteArray())  # drop the bytes, not just the handle
            self._buffer.deleteLater()
            self._buffer = None

    @property
    def pages(self) -> int:
        document = self.document
        return int(document.pageCount()) if document is not None else 0
