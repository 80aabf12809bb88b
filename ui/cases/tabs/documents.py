"""The Documents tab: generated documents (referral and residence-status packets).

Packets are made by the documents work (another part of the application); until it lands
this tab says what will appear here, so the tab and its place in the workspace are fixed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from shelter_app.i18n import _

from ...widgets import paragraph


class DocumentsTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documents_tab")
        self.explanation = paragraph(_(
            "Documents made for this case will be listed here: referral packets for partners "
            "and residence-status application packets, each produced only when the "
            "survivor's consent covers the recipient. There are none yet."))
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeading)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addStretch(1)

    def forget(self) -> None:
        """Nothing of the case is held here."""
