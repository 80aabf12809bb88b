"""Pickers for coded values shown by name: countries, languages, vocabularies, documents.

Countries and languages are stored as ISO codes and shown by their CLDR names in the
interface language (``shelter_app.i18n.formatting``), sorted with the locale's collation.
Every picker is usable from the keyboard: type to find, Enter to add, Delete to remove.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from babel import Locale
from PySide6.QtCore import QCollator, QEvent, QLocale, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain import vocab
from shelter_app.i18n import _, current_language
from shelter_app.i18n.formatting import countries, language_name

from ..widgets import MessageLabel, named


def collator() -> QCollator:
    """The interface language's collation ("Åland" next to "Albania", not after "Zambia"),
    also when the system locale is plain C."""
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        locale = QLocale(current_language().replace("en_XA", "en"))
    result = QCollator(locale)
    result.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    result.setNumericMode(True)
    return result


def collated(options: dict[str, str]) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name with the interface language's collation."""
    order = collator()
    return sorted(options.items(), key=lambda item: order.sortKey(item[1]))


@cache
def _country_options(language: str) -> tuple[tuple[str, str], ...]:
    return tuple(collated(countries()))


@cache
def _language_options(language: str) -> tuple[tuple[str, str], ...]:
    codes = [c for c in Locale.parse("en").languages
             if isinstance(c, str) and c.isalpha() and 2 <= len(c) <= 3]
    return tuple(collated({c: language_name(c) or c for c in codes}))


def country_options() -> tuple[tuple[str, str], ...]:
    return _country_options(current_language())


def language_options() -> tuple[tuple[str, str], ...]:
    return _language_options(current_language())


def list_height(widget: QListWidget, rows: int) -> int:
    row = widget.sizeHintForRow(0) if widget.count() else widget.fontMetrics().height() + 6
    return row * rows + 2 * widget.frameWidth() + 4


class CodeCombo(QComboBox):
    """One code chosen by typing part of its name; blank allowed.  ``value()`` is the code."""

    changed = Signal()

    def __init__(self, options: tuple[tuple[str, str], ...] | list[tuple[str, str]],
                 name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItem("", "")
        for code, label in options:
            self.addItem(label, code)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.lineEdit().setPlaceholderText(_("Type to find…"))
        named(self, name)
        self.currentIndexChanged.connect(self.changed)

    def value(self) -> str:
        index = self.findText(self.currentText().strip(), Qt.MatchFlag.MatchFixedString)
        return str(self.itemData(index) or "") if index >= 0 else ""

    def set_value(self, code: Any) -> None:
        index = self.findData(code or "")
        self.setCurrentIndex(max(index, 0))


class _EnterAdds(QObject):
    """Enter in a picker's text adds the entry instead of pressing the dialog's default
    button; on an empty text it passes through (so Enter still means "Next")."""

    def __init__(self, picker: CodeListPicker) -> None:
        super().__init__(picker)
        self._picker = picker

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and \
                event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                self._picker.combo.currentText().strip():
            self._picker.add_current()
            return True
        return False


class CodeListPicker(QWidget):
    """Several codes (citizenship, languages): a find-as-you-type box, Add, and the list."""

    changed = Signal()

    def __init__(self, options: tuple[tuple[str, str], ...], name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names = dict(options)
        self.combo = CodeCombo(options, _("Find {what}").format(what=name))
        self.combo.lineEdit().installEventFilter(_EnterAdds(self))
        self.add_button = QPushButton(_("Add"))
        named(self.add_button, _("Add to {what}").format(what=name))
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_current)
        self.chosen = QListWidget()
        named(self.chosen, name, _("Press Delete to remove the selected entry."))
        self.chosen.setMaximumHeight(list_height(self.chosen, 2))
        self.remove_button = QPushButton(_("Remove"))
        named(self.remove_button, _("Remove from {what}").format(what=name))
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove_selected)
        self.chosen.installEventFilter(self)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.combo, 0, 0)
        grid.addWidget(self.add_button, 0, 1)
        grid.addWidget(self.chosen, 1, 0)
        grid.addWidget(self.remove_button, 1, 1, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(0, 1)
        self.setFocusProxy(self.combo)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.chosen and event.type() == QEvent.Type.KeyPress and \
                isinstance(event, QKeyEvent) and event.key() in (Qt.Key.Key_Delete,
                                                                 Qt.Key.Key_Backspace):
            self.remove_selected()
            return True
        return super().eventFilter(watched, event)

    def add_current(self) -> None:
        code = self.combo.value()
        if code and code not in self.value():
            item = QListWidgetItem(self._names.get(code, code))
            item.setData(Qt.ItemDataRole.UserRole, code)
            self.chosen.addItem(item)
            self.changed.emit()
        self.combo.set_value("")

    def remove_selected(self) -> None:
        row = self.chosen.currentRow()
        if row >= 0 and self.chosen.isEnabled():
            self.chosen.takeItem(row)
            self.changed.emit()

    def value(self) -> list[str]:
        return [str(self.chosen.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.chosen.count())]

    def set_value(self, codes: Any) -> None:
        self.chosen.clear()
        for code in codes or []:
            item = QListWidgetItem(self._names.get(code, code))
            item.setData(Qt.ItemDataRole.UserRole, code)
            self.chosen.addItem(item)

    def set_read_only(self, read_only: bool) -> None:
        for widget in (self.combo, self.add_button, self.remove_button):
            widget.setVisible(not read_only)


class MultiChoice(QListWidget):
    """Several terms of a vocabulary, each a check box (Space toggles)."""

    changed = Signal()

    def __init__(self, vocabulary: vocab.Vocabulary, name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for code, label in vocabulary.choices():
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
                          | Qt.ItemFlag.ItemIsSelectable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.addItem(item)
        named(self, name, _("Press Space to tick or untick the selected entry."))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setMaximumHeight(list_height(self, min(self.count(), 6)))
        self.itemChanged.connect(lambda _item: self.changed.emit())

    def value(self) -> list[str]:
        return [str(self.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def set_value(self, codes: Any) -> None:
        chosen = set(codes or [])
        for i in range(self.count()):
            item = self.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole)
                               in chosen else Qt.CheckState.Unchecked)


class DocumentsEditor(QWidget):
    """Identity documents: type, status and (when withheld) by whom; a list of entries.
    Type and status start on "Choose…": Add refuses until both were chosen."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = QComboBox()
        self.kind.addItem(_("Choose the document…"), "")
        for code, label in vocab.DOCUMENT_TYPE.choices():
            self.kind.addItem(label, code)
        named(self.kind, _("Document type"))
        self.status = QComboBox()
        self.status.addItem(_("Choose its status…"), "")
        for code, label in vocab.DOCUMENT_STATUS.choices():
            self.status.addItem(label, code)
        named(self.status, _("Document status"))
        self.problem = MessageLabel()
        self.withheld_by = QLineEdit()
        self.withheld_by.setPlaceholderText(_("Withheld by (for example: employer)"))
        named(self.withheld_by, _("Withheld by"))
        self.status.currentIndexChanged.connect(self._status_changed)
        self.add_button = QPushButton(_("Add document"))
        named(self.add_button, _("Add document"))
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self._add)
        self.entries = QListWidget()
        named(self.entries, _("Identity documents"),
              _("Press Delete to remove the selected document."))
        self.entries.setMaximumHeight(list_height(self.entries, 3))
        self.entries.installEventFilter(self)
        self.remove_button = QPushButton(_("Remove"))
        named(self.remove_button, _("Remove document"))
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self._remove)
        self._editors = (self.kind, self.status, self.withheld_by, self.add_button,
                         self.remove_button)
        row = QHBoxLayout()
        row.addWidget(self.kind, 1)
        row.addWidget(self.status, 1)
        row.addWidget(self.withheld_by, 1)
        row.addWidget(self.add_button)
        lower = QHBoxLayout()
        lower.addWidget(self.entries, 1)
        lower.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addLayout(lower)
        self.setFocusProxy(self.kind)
        self._status_changed()

    def _status_changed(self) -> None:
        self.withheld_by.setEnabled(self.status.currentData() == "withheld")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.entries and event.type() == QEvent.Type.KeyPress and \
                isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Delete:
            self._remove()
            return True
        return super().eventFilter(watched, event)

    @staticmethod
    def describe(doc: dict[str, str]) -> str:
        text = (f"{vocab.DOCUMENT_TYPE.label(doc['type'])} — "
                f"{vocab.DOCUMENT_STATUS.label(doc['status'])}")
        return f"{text} ({doc['withheld_by']})" if doc.get("withheld_by") else text

    def _append(self, doc: dict[str, str]) -> None:
        item = QListWidgetItem(self.describe(doc))
        item.setData(Qt.ItemDataRole.UserRole, doc)
        self.entries.addItem(item)

    def _add(self) -> None:
        for combo in (self.kind, self.status):
            if not combo.currentData():
                self.problem.show_message(_("Choose the kind of document and its status, "
                                            "then press Add document."))
                combo.setFocus()
                return
        self.problem.clear_message()
        status = str(self.status.currentData())
        self._append({"type": str(self.kind.currentData()), "status": status,
                      "withheld_by": self.withheld_by.text().strip() if status == "withheld"
                      else ""})
        self.withheld_by.clear()
        self.kind.setCurrentIndex(0)
        self.status.setCurrentIndex(0)
        self.changed.emit()

    def _remove(self) -> None:
        row = self.entries.currentRow()
        if row >= 0 and self.remove_button.isVisible():
            self.entries.takeItem(row)
            self.changed.emit()

    def value(self) -> list[dict[str, str]]:
        return [dict(self.entries.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.entries.count())]

    def set_value(self, docs: Any) -> None:
        self.entries.clear()
        for doc in docs or []:
            self._append({"type": doc.get("type", "other"), "status": doc.get("status", "held"),
                          "withheld_by": doc.get("withheld_by", "")})

    def set_read_only(self, read_only: bool) -> None:
        for widget in self._editors:
            widget.setVisible(not read_only)
