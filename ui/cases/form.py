"""Form fields bound by name to the core's records, with their messages beside them.

A ``Field`` is a widget with a name (the same name the core's ``ValidationError.field``
uses), a label, a way to read and write its value as plain data, and a message label
under it.  A ``Form`` is a set of fields: it loads and reads values, shows a validation
error next to the field it names, tells whether anything changed, and makes every field
read-only at once (the case profile is read-only until Edit).  A read-only text field
also looks it: its background takes the palette's window colour instead of the base
colour, so it reads as text on the page rather than a box to type in (no fixed colours,
so dark and high-contrast themes keep working); lists and drop-downs are disabled.

Forms never guess.  A drop-down about the person starts on "(not asked)" (shown as "(not
recorded)" once read-only) and a blank is saved as unknown; a choice that must be made on
purpose starts on "Choose… (required)" and the core refuses it left blank.  Dates are
typed or picked in ``ui/dates.py``'s field, which reads the language's own forms; a date
it cannot read stops the save beside its field (``Form.check_fields``) instead of being
taken as empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from shelter_app.domain import vocab
from shelter_app.errors import ValidationError
from shelter_app.i18n import _

from ..dates import DateField
from ..widgets import MessageLabel, named
from .pickers import CodeCombo, CodeListPicker, DocumentsEditor, MultiChoice


def plain(label: str) -> str:
    """A label without its mnemonic marker and trailing colon (for accessible names)."""
    return label.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(":").strip()


@dataclass
class Field:
    name: str
    label: str  # as shown, with its mnemonic ("&Legal name:")
    widget: QWidget  # what the layout holds
    focus: QWidget  # what takes the focus when the field has a problem
    get: Callable[[], Any]
    put: Callable[[Any], None]
    lock: Callable[[bool], None]
    changed: Any  # a bound signal
    message: MessageLabel
    in_label: bool = False  # a check box carries its own label
    check: Callable[[], str] | None = None  # what stops a save before the core sees it


def _message() -> MessageLabel:
    return MessageLabel()


def show_read_only(widget: QLineEdit | QPlainTextEdit | QAbstractSpinBox, read_only: bool
                   ) -> None:
    """Make *widget* read-only, and look it, with the palette's own colours."""
    widget.setReadOnly(read_only)
    if read_only:
        palette = QPalette(widget.palette())
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.Base,
                             palette.color(group, QPalette.ColorRole.Window))
        widget.setPalette(palette)
    else:
        widget.setPalette(QPalette())  # nothing of its own: the inherited palette again


def line(name: str, label: str, *, max_length: int = 200, placeholder: str = "") -> Field:
    edit = QLineEdit()
    edit.setMaxLength(max_length)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    named(edit, plain(label))
    return Field(name, label, edit, edit, edit.text, lambda v: edit.setText(str(v or "")),
                 lambda ro: show_read_only(edit, ro), edit.textChanged, _message())


def date(name: str, label: str, *, required: bool = False) -> Field:
    """A date typed as people write it or picked from a calendar; its value is ISO text
    ("" when empty and optional).  What cannot be read is never taken as empty."""
    field = DateField(plain(label))

    def lock(read_only: bool) -> None:
        show_read_only(field.edit, read_only)
        field.set_read_only(read_only)

    return Field(name, label, field, field.edit, field.form_value, field.set_value, lock,
                 field.changed, _message(),
                 check=lambda: field.problem(required=required))


def aliases(name: str, label: str) -> Field:
    edit = QLineEdit()
    edit.setPlaceholderText(_("Separate names with commas"))
    named(edit, plain(label), _("Other names, separated with commas"))

    def get() -> list[str]:
        text = edit.text().replace("،", ",").replace(";", ",")
        return [part.strip() for part in text.split(",") if part.strip()]

    return Field(name, label, edit, edit, get, lambda v: edit.setText(", ".join(v or [])),
                 lambda ro: show_read_only(edit, ro), edit.textChanged, _message())


def note(name: str, label: str, *, rows: int = 4) -> Field:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * rows + 12)
    named(edit, plain(label))
    return Field(name, label, edit, edit, edit.toPlainText,
                 lambda v: edit.setPlainText(str(v or "")), lambda ro: show_read_only(edit, ro),
                 edit.textChanged, _message())


def choice(name: str, label: str, vocabulary: vocab.Vocabulary, *, required: bool = False
           ) -> Field:
    """A term of *vocabulary*: "(not asked)" first (saved as unknown), or "Choose…" first
    when the choice is *required*."""
    return options(name, label, vocabulary.choices(), required=required)


def day(name: str, label: str) -> Field:
    """A required date (today until changed), typed or picked from a calendar."""
    field = date(name, label, required=True)
    put = field.put
    field.put = lambda value: put(value or dt.date.today())
    field.put(None)
    return field


def options(name: str, label: str, items: list[tuple[str, str]], *,
            required: bool | None = None) -> Field:
    """One of *items* (code, label) in a drop-down list.  With *required* the list starts
    on "Choose… (required)"; with ``required=False`` on "(not asked)", which reads
    "(not recorded)" once the form is read-only; with neither, *items* stand as given
    (each a real choice, or a blank of their own such as "(none)")."""
    combo = QComboBox()
    blank: tuple[str, str] | None = None
    if required is not None:
        blank = (_("Choose… (required)"),) * 2 if required else \
            (_("(not asked)"), _("(not recorded)"))
    if blank is not None:
        combo.addItem(blank[0], "")
    for code, text in items:
        combo.addItem(text, code)
    named(combo, plain(label), _("Required") if required else "")

    def put(value: Any) -> None:
        combo.setCurrentIndex(max(combo.findData(value or ""), 0))

    def lock(read_only: bool) -> None:
        combo.setEnabled(not read_only)
        if blank is not None:
            combo.setItemText(0, blank[1] if read_only else blank[0])

    return Field(name, label, combo, combo, lambda: str(combo.currentData() or ""), put,
                 lock, combo.currentIndexChanged, _message())


def flag(name: str, label: str) -> Field:
    box = QCheckBox(label)
    named(box, plain(label))
    return Field(name, label, box, box, box.isChecked, lambda v: box.setChecked(bool(v)),
                 lambda ro: box.setEnabled(not ro), box.toggled, _message(), in_label=True)


def multi(name: str, label: str, vocabulary: vocab.Vocabulary) -> Field:
    box = MultiChoice(vocabulary, plain(label))
    return Field(name, label, box, box, box.value, box.set_value,
                 lambda ro: box.setEnabled(not ro), box.changed, _message())


def codes(name: str, label: str, options: tuple[tuple[str, str], ...]) -> Field:
    picker = CodeListPicker(options, plain(label))
    return Field(name, label, picker, picker.combo, picker.value, picker.set_value,
                 picker.set_read_only, picker.changed, _message())


def code(name: str, label: str, options: tuple[tuple[str, str], ...]) -> Field:
    combo = CodeCombo(options, plain(label))
    return Field(name, label, combo, combo, combo.value, combo.set_value,
                 lambda ro: combo.setEnabled(not ro), combo.changed, _message())


def documents(name: str, label: str) -> Field:
    editor = DocumentsEditor()
    return Field(name, label, editor, editor.kind, editor.value, editor.set_value,
                 editor.set_read_only, editor.changed, _message())


class Form(QObject):
    """Named fields: values in and out, messages beside them, changes noticed."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.fields: dict[str, Field] = {}
        self._loading = False
        self._loaded: dict[str, Any] = {}

    def add(self, layout: QFormLayout, field: Field) -> Field:
        """Put *field* in *layout*: its label (the buddy for the mnemonic), then its message."""
        self.fields[field.name] = field
        # A field that no longer fits beside the widest label (a long translation, a
        # narrow window) goes under its label instead of being cut.
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        if field.in_label:
            layout.addRow("", field.widget)
        else:
            label = QLabel(field.label)
            label.setBuddy(field.focus)
            label.setWordWrap(True)
            layout.addRow(label, field.widget)
        layout.addRow("", field.message)
        field.message.setAccessibleName(_("Problem with {field}").format(field=plain(field.label)))
        field.changed.connect(lambda *_a, f=field: self._edited(f))
        return field

    def _edited(self, field: Field) -> None:
        if not self._loading:
            field.message.clear_message()
            self.changed.emit()

    def __getitem__(self, name: str) -> Field:
        return self.fields[name]

    def __contains__(self, name: object) -> bool:
        return name in self.fields

    # -- values --------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        return {name: field.get() for name, field in self.fields.items()}

    def load(self, values: dict[str, Any]) -> None:
        """Show *values* as the saved state (what ``changes`` compares against)."""
        self.put(values)
        self._loaded = self.values()

    def put(self, values: dict[str, Any]) -> None:
        """Set fields without making them the saved state (restoring kept edits)."""
        self._loading = True
        try:
            for name, value in values.items():
                if name in self.fields:
                    self.fields[name].put(value)
        finally:
            self._loading = False
        self.clear_errors()

    def changes(self) -> dict[str, dict[str, Any]]:
        """Each field that differs from what was loaded: ``{"from": old, "to": new}``."""
        now = self.values()
        return {name: {"from": self._loaded.get(name), "to": value}
                for name, value in now.items() if value != self._loaded.get(name)}

    def loaded(self) -> dict[str, Any]:
        return dict(self._loaded)

    def forget(self) -> None:
        """Empty every field and the remembered values (the session ended)."""
        self._loading = True
        try:
            for field in self.fields.values():
                field.put(None)
                field.message.clear_message()
        finally:
            self._loading = False
        self._loaded = {}

    # -- state ---------------------------------------------------------------------
    def set_read_only(self, read_only: bool, names: Iterable[str] | None = None) -> None:
        for name in names if names is not None else self.fields:
            self.fields[name].lock(read_only)

    def clear_errors(self) -> None:
        for field in self.fields.values():
            field.message.clear_message()

    def problems(self, names: Iterable[str] | None = None) -> dict[str, str]:
        """The fields among *names* (default: all) that cannot be saved as they are, each
        with the reason."""
        found = {}
        for name in names if names is not None else self.fields:
            check = self.fields[name].check
            if check is not None and (problem := check()):
                found[name] = problem
        return found

    def check_fields(self, names: Iterable[str] | None = None) -> bool:
        """Show, beside each field, what stops it being saved before the core is asked
        (a date that cannot be read); False, with the focus on the first, if any does."""
        first: QWidget | None = None
        for name, problem in self.problems(names).items():
            field = self.fields[name]
            field.message.show_message(problem)
            said_beside = getattr(field.widget, "quiet", None)
            if said_beside is not None:
                said_beside()  # the same words under the field, not twice
            first = first or getattr(field.widget, "problem_widget", lambda f=field: f.focus)()
        if first is not None:
            first.setFocus()
        return first is None

    def show_error(self, exc: ValidationError, *, prefix: str = "") -> bool:
        """Show *exc* beside the field it names (``prefix`` + field); False if none here."""
        field = self.fields.get(prefix + (exc.field or ""))
        if field is None:
            return False
        field.message.show_message(exc.message)
        field.focus.setFocus()
        return True
