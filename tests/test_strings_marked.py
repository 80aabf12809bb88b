"""Every string a user can see is marked for translation: a static check of ui/ and shelter_app/.

The check reads the source with :mod:`ast` and looks where text reaches the user — the
arguments of Qt's text setters and constructors, of the project's own helpers that show
text, and the message of a :class:`ShelterError` raised with a literal — for a string
literal or f-string that is not wrapped in ``_()``, ``ngettext()`` or ``N_()``.

What may stay untranslated is decided by rules, not by listing strings: text with no letter
in it (punctuation, numbers, a format such as ``"{a} · {b}"``), file patterns (``*.pdf``),
a code or example without spaces that contains a digit (``SH-2026-0001``, ``F4``) and key
sequences (``Ctrl+L``).  The few real exceptions are in :data:`ALLOWED`, each with its reason.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ui", "shelter_app")
MARKERS = frozenset({"_", "ngettext", "N_"})

# Where text reaches the user: callable name -> positions of the arguments that are shown
# ("*" every positional argument; -1 the last one) and keyword arguments that are shown.
ALL = "*"
Positions = tuple[int, ...] | str
QT_METHODS: dict[str, Positions] = {
    **dict.fromkeys((
        "setText", "setWindowTitle", "setToolTip", "setPlaceholderText", "setAccessibleName",
        "setAccessibleDescription", "setStatusTip", "setWhatsThis", "setInformativeText",
        "setDetailedText", "setTitle", "setSubTitle", "setLabelText", "setCancelButtonText",
        "setOkButtonText", "setSpecialValueText", "setPrefix", "setSuffix", "addItem",
        "addItems", "setHorizontalHeaderLabels", "setVerticalHeaderLabels", "setHeaderLabels",
        "setHeaderLabel", "addAction", "addMenu", "addSection", "addRow", "showMessage",
        "addButton",
    ), (0,)),
    **dict.fromkeys(("insertItem", "insertItems", "setItemText", "setTabText", "setTabToolTip",
                     "setItemToolTip", "insertRow", "setButtonText"), (1,)),
    **dict.fromkeys(("addTab", "insertTab"), (-1,)),
}
STATIC_DIALOGS: dict[str, dict[str, Positions]] = {
    "QMessageBox": dict.fromkeys(("information", "warning", "critical", "question", "about"),
                                 (1, 2)),
    "QInputDialog": dict.fromkeys(("getText", "getMultiLineText", "getItem", "getInt",
                                   "getDouble"), (1, 2)),
    "QFileDialog": dict.fromkeys(("getOpenFileName", "getOpenFileNames", "getSaveFileName",
                                  "getExistingDirectory", "getOpenFileUrl", "getSaveFileUrl"),
                                 (1,)),
}
CONSTRUCTORS: dict[str, Positions] = {
    **dict.fromkeys(("QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox",
                     "QAction", "QMenu", "QCommandLinkButton", "QMessageBox", "QProgressDialog",
                     "QListWidgetItem", "QTableWidgetItem", "QStandardItem"), ALL),
}
# The project's own helpers that put their text on screen (ui/widgets.py, ui/agenda/common.py,
# ui/cases/form.py, ui/file_dialogs.py, ui/printing.py…).
HELPERS: dict[str, Positions] = {
    "button": (0, 1), "heading": (0,), "paragraph": (0,), "named": (1, 2), "table": (1, 2),
    "show_message": (0,), "show_error": (0,), "BusyBar": (0,), "group": (0,),
    "count_label": (0,), "print_dialog": (2,), "ask_printer": (2,), "save_file": (2,),
    "open_file": (2,), "choose_folder": (2,),
}
# The form fields of ui/cases/form.py (name, label, …), called as ``f.line(...)``: their names
# are too common to match anywhere else (``v.date(text, "birth_date")`` names a field).
FORM_FIELDS: dict[str, Positions] = dict.fromkeys(
    ("line", "date", "aliases", "note", "choice", "day", "options", "flag", "multi", "codes",
     "code", "documents"), (1,))
FORM_MODULES = frozenset({"f", "form"})
SHOWN_KEYWORDS = frozenset({"text", "title", "caption", "label", "message", "description",
                            "placeholder", "toolTip", "tooltip", "labelText"})
# Exceptions whose message the user reads: ShelterError and its subclasses, and ExhibitError,
# whose message says in the preflight why an attachment cannot go into a packet.
ERROR_BASES = frozenset({"ShelterError", "ExhibitError"})

# Files that are not the interface: they type invented data into the forms, as a person would.
NOT_INTERFACE: dict[str, str] = {
    "ui/screenshots.py": "renders the screens for docs/, typing fictional data into the forms",
    "ui/screenshots_pages.py": "the same, for the other sections' pages",
}
# Real exceptions, as (file, text): reason.  Keep it short; prefer a rule above.
ALLOWED: dict[tuple[str, str], str] = {
    ("ui/recovery_dialog.py", "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX"):
        "the shape of a recovery key, in Latin letters in every language",
}

_PLACEHOLDERS = re.compile(r"\{[^{}]*\}|%\(\w+\)[sdif]|%[sdif]|<[^<>]*>|&\w+;")
_FILE_PATTERN = re.compile(r"\(?\*?\.[\w*]+\)?|\*")
_KEY_SEQUENCE = re.compile(r"(?:(?:Ctrl|Alt|Shift|Meta)\+)+\w+")


def needs_translation(text: str) -> bool:
    """True when *text* carries words a reader of another language would need translated."""
    words = _PLACEHOLDERS.sub(" ", text)
    if not re.search(r"[^\W\d_]", words):
        return False  # punctuation, numbers, whitespace, a format of placeholders
    tokens = words.split()
    if all(_FILE_PATTERN.fullmatch(t) for t in tokens):
        return False  # file patterns: "*.pdf *.png"
    # a code or example ("SH-2026-0001", "F4") or a key sequence ("Ctrl+L") stays as written
    return not (len(tokens) == 1
                and (re.search(r"\d", tokens[0]) or _KEY_SEQUENCE.fullmatch(tokens[0])))


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def unmarked(node: ast.expr) -> Iterator[tuple[int, str]]:
    """The literal text in expression *node* that reaches the screen without a marker."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str) and needs_translation(node.value):
            yield node.lineno, node.value
    elif isinstance(node, ast.JoinedStr):
        literal = "".join(v.value for v in node.values
                          if isinstance(v, ast.Constant) and isinstance(v.value, str))
        if needs_translation(literal):
            yield node.lineno, ast.unparse(node)
        for value in node.values:  # f"{'text' if x else ''}" hides literals too
            if isinstance(value, ast.FormattedValue):
                yield from unmarked(value.value)
    elif isinstance(node, ast.Call):
        name = _name(node.func)
        if name in MARKERS:
            return
        if isinstance(node.func, ast.Attribute) and name in ("format", "join", "strip",
                                                               "replace", "upper", "lower"):
            yield from unmarked(node.func.value)  # "Hello {x}".format(...), ", ".join(...)
            if name in ("format", "join"):
                for arg in node.args:
                    yield from unmarked(arg)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        yield from unmarked(node.left)
        if isinstance(node.op, ast.Add):
            yield from unmarked(node.right)
    elif isinstance(node, ast.IfExp):
        yield from unmarked(node.body)
        yield from unmarked(node.orelse)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from unmarked(value)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for element in node.elts:
            yield from unmarked(element)


def _positions(call: ast.Call, positions: Positions) -> Iterator[ast.expr]:
    args = [a for a in call.args if not isinstance(a, ast.Starred)]
    if positions == ALL:
        yield from args
    else:
        for index in positions:
            if -len(args) <= index < len(args):
                yield args[index]
    for keyword in call.keywords:
        if keyword.arg in SHOWN_KEYWORDS:
            yield keyword.value


def _shown(call: ast.Call) -> Iterator[ast.expr]:
    """The arguments of *call* that are shown to the user, if it is a place that shows text."""
    func = call.func
    name = _name(func)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
            and func.value.id in STATIC_DIALOGS:
        positions = STATIC_DIALOGS[func.value.id].get(name)
        if positions is not None:
            yield from _positions(call, positions)
            return
    if name in CONSTRUCTORS:
        yield from _positions(call, CONSTRUCTORS[name])
    elif name in HELPERS:
        yield from _positions(call, HELPERS[name])
    elif name in FORM_FIELDS and (isinstance(func, ast.Name) or (
            isinstance(func.value, ast.Name) and func.value.id in FORM_MODULES)):
        yield from _positions(call, FORM_FIELDS[name])
    elif isinstance(func, ast.Attribute) and name in QT_METHODS:
        yield from _positions(call, QT_METHODS[name])


def error_classes(trees: Iterable[ast.Module]) -> set[str]:
    """The classes of ERROR_BASES and every class derived from them, in any of *trees*."""
    bases = {node.name: {_name(b) for b in node.bases}
             for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    found = set(ERROR_BASES)
    while True:
        more = {cls for cls, parents in bases.items() if parents & found} - found
        if not more:
            return found
        found |= more


def check(sources: dict[str, str]) -> list[Finding]:
    """Unmarked user-visible strings in *sources* (path → Python source)."""
    trees = {path: ast.parse(text, filename=path) for path, text in sources.items()}
    errors = error_classes(trees.values())
    findings = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            shown: Iterable[ast.expr] = ()
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) \
                    and _name(node.exc.func) in errors:
                shown = _positions(node.exc, (0,))
            elif isinstance(node, ast.Call):
                shown = _shown(node)
            for expr in shown:
                for line, text in unmarked(expr):
                    if (path, text) not in ALLOWED:
                        findings.append(Finding(path, line, text))
    return sorted(set(findings), key=lambda f: (f.path, f.line, f.text))


def project_sources() -> dict[str, str]:
    paths = [p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))]
    return {path: p.read_text(encoding="utf-8") for p in paths
            if (path := p.relative_to(ROOT).as_posix()) not in NOT_INTERFACE}


# -- the project ---------------------------------------------------------------------------


def test_every_user_visible_string_is_marked_for_translation() -> None:
    findings = check(project_sources())
    assert not findings, (
        "wrap these in _() (or N_() for a module-level constant, translated where shown):\n"
        + "\n".join(map(str, findings)))


def test_the_allow_list_names_only_strings_still_in_the_source() -> None:
    sources = project_sources()
    for path, reason in NOT_INTERFACE.items():
        assert reason and (ROOT / path).is_file(), path
    for (path, text), reason in ALLOWED.items():
        assert reason, f"{path}: {text!r} needs a reason"
        assert path in sources and text in sources[path], f"{path}: {text!r} is gone"


# -- the check itself ----------------------------------------------------------------------

SAMPLE_ERRORS = """
class ShelterError(Exception):
    pass

class ValidationError(ShelterError):
    pass
"""

SAMPLE_UI = """
from PySide6.QtWidgets import QLabel, QMessageBox
from shelter_app.errors import ValidationError
from shelter_app.i18n import _, ngettext

def build(parent, n, name):
    QLabel("Hello")
    QLabel(_("Marked"), parent)
    box = QLabel(parent)
    box.setObjectName("sign-in-label")
    box.setStyleSheet("color: red")
    box.setText("")
    box.setText(f"{n} · {name}")
    box.setToolTip(f"{n} cases waiting")
    box.setText(ngettext("{n} case", "{n} cases", n).format(n=n))
    box.setPlaceholderText("SH-2026-0001")
    QMessageBox.warning(parent, _("Title"), "Not saved")
    if n < 0:
        raise ValidationError("Bad")
    raise ValidationError(_("Fine"))
"""


def test_the_check_reports_unmarked_text_and_passes_marked_text() -> None:
    findings = check({"errors.py": SAMPLE_ERRORS, "ui/sample.py": SAMPLE_UI})
    reported = {(f.path, f.text) for f in findings}
    assert reported == {("ui/sample.py", "Hello"), ("ui/sample.py", "f'{n} cases waiting'"),
                        ("ui/sample.py", "Not saved"), ("ui/sample.py", "Bad")}
    assert [f.line for f in findings] == [7, 14, 17, 19]
    assert str(findings[0]) == "ui/sample.py:7: 'Hello'"


def test_the_rules_for_text_that_stays_as_written() -> None:
    for text in ("", "  ", ":", "—", "42", "{a} · {b}", "%(count)d", "*.pdf *.png", "(*.csv)",
                 "SH-2026-0001", "F4", "Ctrl+Shift+Q", "<b>{name}</b>"):
        assert not needs_translation(text), text
    for text in ("Hello", "OK", "{n} cases", "Save as PDF", "<b>Warning</b>", "Ctrl+L to lock"):
        assert needs_translation(text), text
