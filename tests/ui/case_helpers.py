"""Helpers for the case screens' tests: a staffed vault, sessions, and a canary name.

The canary is a name that appears nowhere else; after a lock no widget text may hold it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QAbstractListModel, QModelIndex
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QWidget,
)

from shelter_app.domain.records import CaseInput, CaseRecord, SurvivorInput
from shelter_app.services.registry import Services, build_services
from shelter_app.vault.vault import Vault
from tests.conftest import ADMIN_PASS, FAST_KDF, ORG, from_template, reachable, signed_in

STAFF_PASS = "plain orchard lantern 42"
CANARY = "Zenobia Quillfeather"
STAFF = (("coordinator", ["coordinator"], "Cora Coordinator"),
         ("caseworker", ["caseworker"], "Casey Worker"),
         ("legal", ["legal"], "Lee Legal"))


def staffed_vault(folder: Path, *, fresh: bool = False) -> dict[str, str]:
    """A vault with admin, coordinator, caseworker and legal accounts; returns their ids.
    Copied from one made once per test process unless *fresh*: a vault with its own id and
    keys, for a test that needs two vaults apart."""
    if fresh:
        return _make_staffed(folder)
    return dict(from_template("staffed", folder, _make_staffed))


def _make_staffed(folder: Path) -> dict[str, str]:
    vault, opened, _key = Vault.create(folder, organisation=ORG, admin_username="admin",
                                       admin_passphrase=ADMIN_PASS,
                                       admin_display_name="Ana Admin", kdf=FAST_KDF)
    admin = build_services(opened)
    ids = {"admin": opened.user_id}
    try:
        for name, roles, display in STAFF:
            ids[name] = admin.accounts.add(name, roles, STAFF_PASS, display_name=display,
                                           temporary=False).id
        reachable(admin)
    finally:
        admin.lock()
        vault.close()
    return ids


def session(folder: Path, username: str) -> AbstractContextManager[Services]:
    """A whole session of one of ``staffed_vault``'s accounts."""
    return signed_in(folder, username, ADMIN_PASS if username == "admin" else STAFF_PASS)


def new_case(services: Services, ids: dict[str, str], legal_name: str = CANARY, *,
             share: bool = True, **survivor: object) -> CaseRecord:
    """A case made by the coordinator, assigned to the caseworker and shared with legal."""
    record = services.cases.create(SurvivorInput(legal_name=legal_name, **survivor),
                                   CaseInput(assigned_to=ids["caseworker"]))
    if share:
        services.cases.share(record.id, ids["legal"])
    return record


_KEPT: list[QWidget] = []
W = TypeVar("W", bound=QWidget)


def keep(widget: W) -> W:
    """Hold *widget* until ``drop_widgets`` (qtbot.addWidget holds only a weak reference, so
    a page would be destroyed by Python's garbage collector in the middle of Qt's work)."""
    _KEPT.append(widget)
    return widget


def drop_widgets() -> None:
    """Close and delete the widgets kept, the way Qt would (before their session locks)."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from shiboken6 import isValid

    while _KEPT:
        widget = _KEPT.pop()
        if isValid(widget):
            widget.close()
            widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


def texts(widget: QWidget) -> list[str]:
    """Every piece of text a widget and its children show or announce."""
    out: list[str] = []
    for w in [widget, *widget.findChildren(QWidget)]:
        out += [w.windowTitle(), w.accessibleName(), w.accessibleDescription(), w.toolTip()]
        if isinstance(w, QLabel | QLineEdit | QAbstractButton):
            out.append(w.text())
        if isinstance(w, QPlainTextEdit):
            out.append(w.toPlainText())
        if isinstance(w, QComboBox):
            out += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QTabWidget):
            out += [w.tabText(i) for i in range(w.count())]
        if isinstance(w, QAbstractItemView) and w.model() is not None and not (
                isinstance(w.parentWidget(), QWidget)
                and isinstance(w.parentWidget().parentWidget(), QComboBox)):
            # (a combo box's drop-down list: its items are read from the box above)
            model, root = w.model(), QModelIndex()
            columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(root)
            for r in range(min(model.rowCount(root), 500)):
                out += [str(model.index(r, c).data() or "") for c in range(columns)]
    return out


def all_texts() -> str:
    return "\n".join(t for w in QApplication.topLevelWidgets() for t in texts(w))


def _popup(widget: QWidget) -> bool:
    """A drop-down list of a combo box or completer: Qt names it after its owner."""
    parent = widget.parentWidget()
    return (parent is not None and isinstance(parent.parentWidget(), QComboBox)) or \
        (widget.isWindow() and isinstance(widget, QAbstractItemView))


def unnamed_controls(window: QWidget) -> list[str]:
    """Focusable controls without an accessible name (drop-down popups excepted)."""
    from PySide6.QtCore import Qt

    return [f"{type(w).__name__} {w.objectName() or getattr(w, 'text', lambda: '')()}"
            for w in window.findChildren(QWidget)
            if isinstance(w, QAbstractButton | QLineEdit | QAbstractItemView | QComboBox
                          | QPlainTextEdit)
            and w.focusPolicy() != Qt.FocusPolicy.NoFocus
            and not w.objectName().startswith("qt_") and not _popup(w)
            and not (isinstance(w, QLineEdit) and isinstance(w.parentWidget(), QComboBox))
            and not (isinstance(w, QAbstractButton) and type(w.parentWidget()).__name__
                     in ("QTabBar", "QCalendarWidget"))
            and not w.accessibleName()]


class Office:
    """One vault held open, with a signed-in session per account (as on separate desks)."""

    def __init__(self, folder: Path) -> None:
        from ui.background import Background

        self.ids = staffed_vault(folder)
        self.vault = Vault.open(folder, kdf=FAST_KDF)
        self.sessions: dict[str, Services] = {}
        self.background = Background()

    def __getattr__(self, name: str) -> Services:
        if name not in self.ids:
            raise AttributeError(name)
        if name not in self.sessions:
            opened, _report = self.vault.unlock(name, ADMIN_PASS if name == "admin"
                                                else STAFF_PASS)
            self.sessions[name] = build_services(opened)
        return self.sessions[name]

    def close(self) -> None:
        self.background.wait()
        drop_widgets()
        for services in self.sessions.values():
            services.lock()
        self.vault.close()
