"""The Attachments tab: scans, PDFs and photos kept encrypted inside the vault.

- Adding reads the chosen file off the GUI thread and hands the bytes to the service,
  which reads the type from the content (never from the name) and refuses anything that
  is not a PDF or an image.
- Viewing decrypts into memory only (an image, or a PDF through QtPdf from a buffer):
  nothing is written to disk, no other program sees it.  The viewer's title is the case
  code, never the file's name (names often contain the person's name).
- Saving a copy proposes ``attachment-<short id>.<ext>``, refuses a name that contains
  the survivor's name (file names end up in recent-files lists and backups), never
  overwrites a file, and creates it readable by its owner only.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain import names
from shelter_app.domain.roles import Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.services.registry import Services

from ...background import Background
from ...file_dialogs import Kind, open_file, save_file
from ...widgets import named
from .base import ListTab, day_text

EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg",
              "image/tiff": "tif", "image/gif": "gif", "image/webp": "webp",
              "image/heic": "heic"}


def copy_name(attachment_id: str, media_type: str) -> str:
    return f"attachment-{attachment_id[:8]}.{EXTENSIONS.get(media_type, 'bin')}"


def mentions(file_name: str, name_tokens: set[str]) -> bool:
    """Whether *file_name* contains one of the survivor's names (folded, 3+ letters)."""
    folded = names.latin(Path(file_name).stem)
    return any(len(t) >= 3 and t in folded for t in name_tokens)


def write_new(path: Path, data: bytes) -> None:
    """Create *path* (never replacing a file) readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


class AttachmentViewer(QDialog):
    """An image or a PDF shown from memory; forgets it when closed."""

    def __init__(self, title: str, media_type: str, data: bytes, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("attachment_viewer")
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._buffer: QBuffer | None = None
        layout = QVBoxLayout(self)
        self.view: QWidget
        if media_type == "application/pdf":
            from PySide6.QtPdf import QPdfDocument
            from PySide6.QtPdfWidgets import QPdfView

            self._buffer = QBuffer(self)
            self._buffer.setData(QByteArray(data))
            self._buffer.open(QBuffer.OpenModeFlag.ReadOnly)
            self._document = QPdfDocument(self)
            self._document.load(self._buffer)
            view = QPdfView(self)
            view.setDocument(self._document)
            view.setPageMode(QPdfView.PageMode.MultiPage)
            self.view = view
        else:
            label = QLabel()
            pixmap = QPixmap()
            if pixmap.loadFromData(data):
                label.setPixmap(pixmap)
            else:
                label.setText(_("This image cannot be shown here. Save a copy to open it."))
            scroll = QScrollArea()
            scroll.setWidget(label)
            self.view = scroll
        named(self.view, _("Attachment"))
        close = QPushButton(_("Close"))
        named(close, _("Close"))
        close.clicked.connect(self.close)
        layout.addWidget(self.view, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        em = self.fontMetrics().horizontalAdvance("M")
        self.resize(em * 50, em * 40)


class AttachmentsTab(ListTab):
    def __init__(self, services: Services, background: Background, case_id: str,
                 scope: Scope, *, code: str, name_tokens: Callable[[], set[str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(services, background, case_id,
                         [_("Label"), _("File name"), _("Type"), _("Size"), _("Added")],
                         _("Attachments"), parent)
        self.code = code
        self._name_tokens = name_tokens
        self._media: dict[str, str] = {}
        # Tests replace these two to avoid native dialogs: () -> path or "".
        self.choose_file: Callable[[], str] = self._ask_open
        self.choose_target: Callable[[str], str] = self._ask_save
        self.label = QLineEdit()
        self.label.setPlaceholderText(_("Label for the next file (optional)"))
        named(self.label, _("Label"))
        self.add_button = QPushButton(_("&Add a file…"))
        named(self.add_button, _("Add a file"), _("A scan, a PDF or a photo"))
        self.add_button.clicked.connect(self.add)
        self.view_button = QPushButton(_("&View"))
        named(self.view_button, _("View the selected attachment"))
        self.view_button.clicked.connect(self.view)
        self.save_button = QPushButton(_("Save a &copy…"))
        named(self.save_button, _("Save a copy of the selected attachment"))
        self.save_button.clicked.connect(self.save_copy)
        if self.services.ctx.vault.read_only:  # refused there: it could not be recorded
            for button in (self.save_button, self.add_button):
                button.setEnabled(False)
                button.setToolTip(_("Not on a vault whose disk cannot be written to"))
        row = QHBoxLayout()
        row.addWidget(self.label, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.view_button)
        row.addWidget(self.save_button)
        self.layout_.insertLayout(1, row)
        self.table.activated.connect(lambda _i: self.view())
        self.refresh()

    def refresh(self) -> None:
        rows = []
        self._media = {}
        for a in self.services.attachments.list(self.case_id):
            self._media[a.id] = a.media_type
            size = _("{n} KB").format(n=max(1, round(a.size / 1024)))
            rows.append((a.id, [a.label, a.file_name, EXTENSIONS.get(a.media_type, "").upper(),
                                size, day_text(a.created_at)]))
        self.fill(rows)

    # -- adding --------------------------------------------------------------------
    def _ask_open(self) -> str:
        return open_file(
            self, Kind.ATTACHMENT_ADD, _("Add a file"),
            _("PDF documents and images (*.pdf *.png *.jpg *.jpeg *.tif *.tiff *.gif *.webp "
              "*.heic);;All files (*)"))

    def add(self) -> None:
        chosen = self.choose_file()
        if not chosen or self.services.ctx.vault.closed:
            return  # cancelled, or the vault locked while the dialog was open
        path, label = Path(chosen), self.label.text()
        attachments, case_id = self.services.attachments, self.case_id
        self.message.clear_message()
        try:
            if path.stat().st_size > attachments.limit_bytes:
                self.message.show_message(_("The file is {size} MB; the limit is {limit} MB.")
                                          .format(size=f"{path.stat().st_size / 1048576:.1f}",
                                                  limit=attachments.limit_bytes // 1048576))
                return
        except OSError as exc:
            self.message.show_message(fill(_("The file cannot be read: {reason}"),
                reason=exc.strerror or type(exc).__name__))
            return
        self.add_button.setEnabled(False)

        def done(_result: object) -> None:
            self.add_button.setEnabled(True)
            self.label.clear()
            self.done.show_message(_("The file was added."))
            self.refresh()

        def failed(exc: BaseException) -> None:
            self.add_button.setEnabled(True)
            if isinstance(exc, OSError):
                self.message.show_message(fill(_("The file cannot be read: {reason}"),
                    reason=exc.strerror or type(exc).__name__))
            elif isinstance(exc, ShelterError):
                self.message.show_message(exc.message)
            else:
                raise exc

        self.background.run(lambda: attachments.add(case_id, path.name, path.read_bytes(),
                                                    label=label), done, failed, context=self)

    # -- looking and saving ------------------------------------------------------------
    def _selected(self) -> str | None:
        attachment_id = self.selected_id()
        if attachment_id is None:
            self.message.show_message(_("Choose an attachment in the list first."))
        return attachment_id

    def view(self) -> AttachmentViewer | None:
        attachment_id = self._selected()
        if attachment_id is None:
            return None
        try:
            info, data = self.services.attachments.content(attachment_id)
        except ShelterError as exc:
            self.message.show_message(exc.message)
            return None
        viewer = AttachmentViewer(fill(_("{code} · attachment {id}"),
            code=self.code, id=attachment_id[:8]), info.media_type, data, self)
        viewer.show()
        return viewer

    def _ask_save(self, suggested: str) -> str:
        return save_file(self, Kind.ATTACHMENT_COPY, _("Save a copy"), suggested,
                         confirm_overwrite=False)

    def save_copy(self) -> Path | None:
        attachment_id = self._selected()
        if attachment_id is None:
            return None
        suggested = copy_name(attachment_id, self._media.get(attachment_id, ""))
        chosen = self.choose_target(suggested)
        if not chosen or self.services.ctx.vault.closed:
            return None
        target = Path(chosen)
        if mentions(target.name, self._name_tokens()):
            self.message.show_message(fill(_(
                "That file name contains the survivor's name. File names show in recent-file "
                "lists and backups; use a neutral name such as {name}."), name=suggested))
            return None
        try:
            _info, data = self.services.attachments.content(attachment_id, leaving=True)
            write_new(target, data)
        except FileExistsError:
            self.message.show_message(fill(_("{path} already exists; nothing was replaced. Choose "
                                        "another name."), path=target))
            return None
        except OSError as exc:
            self.message.show_message(fill(_("The copy could not be written: {reason}"),
                reason=exc.strerror or type(exc).__name__))
            return None
        except ShelterError as exc:
            self.message.show_message(exc.message)
            return None
        self.done.show_message(fill(_("A copy was saved as {path}."), path=target))
        return target

    def forget(self) -> None:
        super().forget()
        self._media = {}
        self.label.clear()
