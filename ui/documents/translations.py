"""Which exhibits of a residence packet are translations, in the documents dialog: for each
evidence item the pre-flight check placed (its exhibit letters and label), the language its
documents were translated from and the attachment holding the translation, one under the
other so that the narrow form never scrolls sideways.  What is chosen goes to the core as
``translations`` (``{item id: "LANG[:ATTACHMENT]"}``), the same as the command line's
``--translated``; the pre-flight check says what it refuses (a translation from the
packet's own language, an attachment of another case)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill

from ..agenda.common import name_combo_parts
from ..cases.pickers import CodeCombo, language_options
from ..widgets import named
from .choices import Choices


@dataclass
class TranslationRow:
    item: str  # the evidence item's id
    exhibit: QLabel
    language: CodeCombo
    translation: Choices


class TranslationsList(QWidget):
    """``changed`` is emitted when a language or a translation is chosen; ``shown`` says
    whether there are exhibits to show (the dialog hides the row without any)."""

    changed = Signal()
    shown = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        named(self, _("Translated exhibits"))
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setColumnStretch(0, 1)
        self._grid.setColumnStretch(1, 1)
        self.rows: list[TranslationRow] = []

    def count(self) -> int:
        return len(self.rows)

    def show_exhibits(self, exhibits: tuple[tuple[str, str, str], ...],
                      attachments: list[tuple[str, str]]) -> None:
        """A row for each evidence item of *exhibits* ((letter, label, item id), in order),
        keeping what was chosen for an item still there; *attachments* are the case's
        (id, name) a translation can be chosen from."""
        kept = {r.item: (r.language.value(), r.translation.value()) for r in self.rows}
        letters: dict[str, list[str]] = {}
        labels: dict[str, str] = {}
        for letter, label, item in exhibits:
            letters.setdefault(item, []).append(letter)
            labels[item] = label
        for row in self.rows:
            for widget in (row.exhibit, row.language, row.translation):
                self._grid.removeWidget(widget)
                widget.deleteLater()
        self.rows = []
        for n, item in enumerate(letters):
            exhibit = QLabel(fill(_("Exhibit {letters}: {label}"),
                                  letters=", ".join(letters[item]), label=labels[item]))
            exhibit.setWordWrap(True)
            which = ", ".join(letters[item])  # each row's fields say which exhibit
            language = CodeCombo(language_options(), f"{_('Translated from')} ({which})")
            name_combo_parts(language, f"{_('Translated from')} ({which})")
            language.lineEdit().setPlaceholderText(_("Not translated"))
            translation = Choices(f"{_('Translation')} ({which})")
            translation.add(_("Not attached yet"), None)
            for attachment_id, name in attachments:
                translation.add(name, attachment_id)
            code, attached = kept.get(item, ("", None))
            language.set_value(code)
            translation.select(attached)
            language.changed.connect(self.changed)
            translation.currentIndexChanged.connect(lambda _i: self.changed.emit())
            self._grid.addWidget(exhibit, 2 * n, 0, 1, 2)
            self._grid.addWidget(language, 2 * n + 1, 0)
            self._grid.addWidget(translation, 2 * n + 1, 1)
            self.rows.append(TranslationRow(item, exhibit, language, translation))
        self.shown.emit(bool(self.rows))

    def chosen(self) -> dict[str, str]:
        """``{item id: "LANG"}`` or ``"LANG:ATTACHMENT"`` for each row with a language."""
        out: dict[str, str] = {}
        for row in self.rows:
            code = row.language.value()
            if code:
                attached = row.translation.value()
                out[row.item] = f"{code}:{attached}" if attached else code
        return out
