"""About Shelter App: its name, its version, the interface language and how far that
language's translation can be trusted.

Whether a translation was machine-drafted is read from its compiled catalogue's header
(``shelter_app.i18n.is_machine_drafted``), so a catalogue marked reviewed stops showing the
notice without any change here.  Reached from the main window's toolbar and the sign-in
screen, and with F1 in both.
"""

from __future__ import annotations

from importlib import metadata

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

import shelter_app
from shelter_app.i18n import _, current_language, is_machine_drafted
from shelter_app.i18n.formatting import language_name

from .widgets import NOTICE_STYLE, heading, named, paragraph

DISTRIBUTION = "shelter-app"


def version() -> str:
    """The installed version, from the package metadata (the source's when not installed)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return shelter_app.__version__


def interface_language() -> str:
    """The interface language by its own name ("español", "العربية"), or its code."""
    code = current_language()
    name = language_name(code, language=code) or language_name(code.split("_")[0],
                                                                   language=code)
    return name or code


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about")
        self.setWindowTitle(_("About Shelter App"))
        named(self, _("About Shelter App"))
        self.name = heading(_("Shelter App"))
        self.version = paragraph(_("Version {version}").format(version=version()))
        self.language = paragraph(_("Interface language: {language}").format(
            language=interface_language()))
        self.draft = paragraph(_("This translation was machine-drafted; review by a native "
                                 "speaker is welcome."))
        self.draft.setStyleSheet(NOTICE_STYLE)
        self.draft.setVisible(is_machine_drafted())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        named(close, _("Close"))
        layout = QVBoxLayout(self)
        for widget in (self.name, self.version, self.language, self.draft):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 30)
        close.setFocus()

    def texts(self) -> list[str]:
        """What the dialog says, in reading order (the notice only when shown)."""
        return [w.text() for w in (self.name, self.version, self.language, self.draft)
                if not w.isHidden()]


def show_about(parent: QWidget) -> AboutDialog:
    """Open the About dialog over *parent* (window-modal, deleted when closed)."""
    dialog = AboutDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.open()
    return dialog
