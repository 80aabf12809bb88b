"""Shared by the page tests (agenda, deadlines, referrals, partners, administration).

The ``org`` fixture is the organisation of the core tests (``tests/records/conftest.py``):
one real vault with fast key derivation, one signed-in session per role.  A test module
makes it available with ``from tests.ui.org_pages import org_fixture``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QComboBox, QLineEdit, QWidget

from tests.records.conftest import Org, days, organisation

__all__ = ["Org", "clipped", "days", "org_fixture", "texts", "unnamed"]


@pytest.fixture(name="org")
def org_fixture(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def texts(model: object) -> list[list[str]]:
    """Every cell of a table model, as shown."""
    from PySide6.QtCore import QAbstractItemModel

    assert isinstance(model, QAbstractItemModel)
    return [[str(model.index(r, c).data() or "") for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def unnamed(root: QWidget) -> list[str]:
    """Focusable controls without an accessible name (a screen reader would say nothing),
    hidden ones too: drop-down lists and buttons shown later are read out as well."""
    from PySide6.QtCore import Qt

    return [f"{type(w).__name__} {w.objectName()}" for w in root.findChildren(QWidget)
            if isinstance(w, QAbstractButton | QLineEdit | QAbstractItemView | QComboBox)
            and w.focusPolicy() != Qt.FocusPolicy.NoFocus
            and not w.objectName().startswith("qt_") and not w.accessibleName()]


def clipped(root: QWidget) -> list[str]:
    """Visible buttons narrower than their text needs, or reaching outside *root*."""
    out = []
    frame = root.rect()
    for w in root.findChildren(QAbstractButton):
        if not w.isVisibleTo(root) or w.objectName().startswith("qt_"):
            continue
        top_left = w.mapTo(root, w.rect().topLeft())
        bottom_right = w.mapTo(root, w.rect().bottomRight())
        if w.width() < w.sizeHint().width() or not (
                frame.contains(top_left) and frame.contains(bottom_right)):
            out.append(w.text())
    return out
