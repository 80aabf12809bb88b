"""Application-wide event filters (the wheel guard, text direction), each installed once."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QObject

F = TypeVar("F", bound=QObject)


def install_once(kind: type[F], app: QCoreApplication | None = None) -> F:
    """The *kind* filter on *app* (default: the running application), made and installed on
    the first call; later calls return the same one."""
    app = app or QCoreApplication.instance()
    assert app is not None
    found = app.findChild(kind)
    if found is not None:
        return found
    made = kind(app)
    app.installEventFilter(made)
    return made
