"""The Documents tab: referral and residence-status packets made from this case.

It hosts the documents panel (``ui/documents/panel.py``): the list of what was produced
(who, when, for whom, which sections) and "New document…", which opens the dialog that
chooses the document, previews it from memory, and saves or prints it.  Everything it
shows goes through the documents service, so consent and permissions are checked there.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from shelter_app.i18n import _
from shelter_app.services.registry import Services

from ...background import Background
from ...widgets import paragraph


class DocumentsTab(QWidget):
    def __init__(self, services: Services, background: Background, case_id: str,
                 parent: QWidget | None = None, *,
                 opener: Callable[[str, str], object] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documents_tab")
        self.explanation = paragraph(_(
            "Referral packets for partners and residence-status application packets, each "
            "produced only when the survivor's consent covers the recipient and every section "
            "included."))
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeading)
        # imported here: the documents code brings reportlab and pypdf, which only this tab
        # needs, so the main window opens without them
        from ...documents.panel import DocumentsPanel

        self.panel = DocumentsPanel(services, background, case_id, self, opener=opener)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addWidget(self.panel, 1)

    def forget(self) -> None:
        """Drop the list and close an open document dialog (the session is ending)."""
        dialog = self.panel.dialog
        if dialog is not None:
            dialog.close()
            self.panel.dialog = None
        self.panel.records = []
        self.panel.table.setRowCount(0)
