"""The one way the application asks for a file or a folder: every ``QFileDialog`` of ``ui/``
goes through ``save_file``, ``open_file`` or ``choose_folder``.

Where a dialog opens: the folder last chosen for the same kind of file (``Kind``) during this
session, otherwise the user's documents folder, otherwise the home folder.

Where that memory lives, and why: **in this process's memory only, forgotten at every lock
and sign-out** (``forget``, called by the controller).  A folder can be named after a survivor
("Ana L - T visa"); written anywhere on disk outside the vault, it says who the shelter works
with to whoever reads that disk.  Qt's ``QSettings`` is a plain text file (or the registry), so
the memory is never put there; and a later session, perhaps another person's, starts again
from the documents folder rather than from someone else's case folder.

Qt's own file dialog writes its navigation history and the last folder it showed to
``QSettings`` ("QtProject") when it is deleted, and native dialogs add what was opened and
saved to the desktop's recent-files lists, which no application can clean.  So the dialogs
here are Qt's own (never native), and before one is deleted — closed normally, or by a lock
while it is open — its history is emptied and it is pointed back at the documents folder:
what Qt writes names no case folder.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import shiboken6
from PySide6.QtCore import QStandardPaths, QUrl
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget


class Kind(StrEnum):
    """Kinds of file, each with its own remembered folder."""

    DOCUMENT = "document"  # packets and cards saved from the documents dialog
    RECOVERY_SHEET = "recovery_sheet"
    ATTACHMENT_ADD = "attachment_add"  # scans and photos added to a case
    ATTACHMENT_COPY = "attachment_copy"  # a copy of an attachment saved out of the vault
    LOGO = "logo"
    VAULT_COPY = "vault_copy"  # the drive a copy of the whole vault goes to
    STATISTICS = "statistics"  # monitoring reports and anonymised tables


_remembered: dict[Kind, Path] = {}
_open: list[QFileDialog] = []


def documents_folder() -> Path:
    """The user's documents folder, or the home folder when there is none."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return Path(documents)
    return Path.home()


def start_folder(kind: Kind) -> Path:
    """Where a dialog for *kind* opens: the folder last chosen for it, if it still exists."""
    last = _remembered.get(kind)
    return last if last is not None and last.is_dir() else documents_folder()


def forget() -> None:
    """Forget every remembered folder and close any file dialog still open (a lock)."""
    _remembered.clear()
    for dialog in list(_open):
        if shiboken6.isValid(dialog):
            _scrub(dialog)
            dialog.reject()


def save_file(parent: QWidget, kind: Kind, title: str, name: str, filters: str = "", *,
              confirm_overwrite: bool = True) -> str:
    """Ask where to save a new file suggested as *name*; "" when cancelled."""
    dialog = _dialog(parent, kind, title, filters)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setOption(QFileDialog.Option.DontConfirmOverwrite, not confirm_overwrite)
    dialog.selectFile(name)
    chosen = _run(dialog, kind)
    return chosen[0] if chosen else ""


def open_file(parent: QWidget, kind: Kind, title: str, filters: str = "") -> str:
    """Ask for an existing file; "" when cancelled."""
    dialog = _dialog(parent, kind, title, filters)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    chosen = _run(dialog, kind)
    return chosen[0] if chosen else ""


def choose_folder(parent: QWidget, kind: Kind, title: str) -> str:
    """Ask for an existing folder; "" when cancelled."""
    dialog = _dialog(parent, kind, title, "")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    chosen = _run(dialog, kind, folders=True)
    return chosen[0] if chosen else ""


def _dialog(parent: QWidget, kind: Kind, title: str, filters: str) -> QFileDialog:
    dialog = QFileDialog(parent, title)
    dialog.setObjectName(f"file_dialog_{kind}")
    dialog.setAccessibleName(title)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    if filters:
        dialog.setNameFilter(filters)
    dialog.setDirectory(str(start_folder(kind)))
    return dialog


def _run(dialog: QFileDialog, kind: Kind, *, folders: bool = False) -> list[str]:
    _open.append(dialog)
    try:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        if dialog in _open:
            _open.remove(dialog)
    if not shiboken6.isValid(dialog):
        return []  # deleted while open: the session ended
    chosen = [str(x) for x in dialog.selectedFiles()] if accepted else []
    _scrub(dialog)
    dialog.deleteLater()
    if chosen:
        path = Path(chosen[0])
        _remembered[kind] = path if folders else path.parent
    return chosen


def _scrub(dialog: QFileDialog) -> None:
    """What Qt writes to its settings when *dialog* is deleted: no case folder."""
    neutral = documents_folder()
    dialog.setHistory([])
    places = [QUrl("file:"), QUrl.fromLocalFile(str(Path.home()))]  # Qt's own: the computer, home
    if neutral != Path.home():
        places.append(QUrl.fromLocalFile(str(neutral)))
    dialog.setSidebarUrls(places)  # a folder dragged there would be written down too
    dialog.setDirectory(str(neutral))
