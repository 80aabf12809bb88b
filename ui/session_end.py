"""What ending a session does to the screen and the clipboard, apart from the controller.

``discard`` hides a window and its dialogs at once and deletes them when control returns to
Qt; ``clear_clipboard`` empties the clipboard (and the X11 selection) so nothing copied from
a record outlives the session; ``close_quietly`` locks the services, logging rather than
raising a failure to audit, because forgetting the key must never be stopped by it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import QWidget

from shelter_app.domain.audit import Event
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill

if TYPE_CHECKING:
    from shelter_app.services.registry import Services

log = logging.getLogger(__name__)


def unexpected(exc: BaseException) -> str:
    return fill(_("Something unexpected went wrong ({kind}). Nothing was changed. If it happens "
             "again, tell whoever looks after this computer."), kind=type(exc).__name__)


def discard(window: QWidget) -> None:
    """Hide *window* and its dialogs now; delete them once control returns to Qt."""
    for child in window.findChildren(QWidget):
        if child.isWindow() and child.isVisible():
            child.hide()
    window.hide()
    window.deleteLater()


def clear_clipboard() -> None:
    clipboard = QGuiApplication.clipboard()
    clipboard.clear(QClipboard.Mode.Clipboard)
    if clipboard.supportsSelection():
        clipboard.clear(QClipboard.Mode.Selection)


def close_quietly(services: Services, event: Event) -> None:
    """``Services.lock`` always forgets the key; a failure to audit must not stop it."""
    try:
        services.lock(event)
    except Exception:
        log.exception("recording the end of the session failed; the vault is closed")
