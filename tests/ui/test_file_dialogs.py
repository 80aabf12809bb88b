"""Every file dialog goes through ui/file_dialogs.py: it opens in the documents folder,
remembers the last folder per kind of file for the session only, and leaves no case folder in
Qt's plain-text settings."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication, QFileDialog, QLineEdit, QWidget

from tests.bidi import plain
from tests.documents.conftest import org, scenario  # noqa: F401 - fixtures
from tests.ui.conftest import flush_deletes
from tests.ui.test_documents import background, keep  # noqa: F401 - fixtures
from ui import file_dialogs
from ui.file_dialogs import Kind

UI = Path(__file__).resolve().parents[2] / "ui"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A home folder with a documents folder, and Qt's settings written under tmp_path."""
    folder = tmp_path / "home"
    (folder / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / ".config"))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    settings = tmp_path / "settings"
    scope = (QSettings.Format.NativeFormat, QSettings.Scope.UserScope)
    before = Path(QSettings(*scope, "probe").fileName()).parent
    QSettings.setPath(*scope, str(settings))
    file_dialogs.forget()
    yield folder
    file_dialogs.forget()
    QSettings.setPath(*scope, str(before))


def answer(qtbot, *steps: Callable[[QFileDialog], None]) -> list[str]:
    """Play *steps* on the file dialog about to open (exec blocks); returns the folders the
    dialog showed when it opened."""
    opened: list[str] = []
    tries = iter(range(250))  # five seconds, then fail rather than wait for ever

    def later() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            if next(tries, None) is None:
                raise AssertionError(f"no file dialog opened; modal: {dialog!r}")
            QTimer.singleShot(20, later)
            return
        opened.append(dialog.directory().absolutePath())
        for step in steps:
            step(dialog)
        QTimer.singleShot(5000, lambda: give_up(dialog))

    def give_up(dialog: QFileDialog) -> None:
        """A dialog the steps did not close fails the test instead of waiting for ever."""
        if shiboken6.isValid(dialog) and dialog.isVisible():
            opened.append("still open after the steps")
            dialog.reject()
    QTimer.singleShot(20, later)
    return opened


def typed(text: str) -> Callable[[QFileDialog], None]:
    """Type *text* into the file name field and confirm, as a person would with Enter (a
    folder's path opens that folder; a file name accepts).  (``accept`` rather than the key:
    the field's completer may pop up over it and take the Enter.)"""
    def step(dialog: QFileDialog) -> None:
        field = dialog.findChild(QLineEdit, "fileNameEdit")
        field.clear()
        field.insert(text)
        # Only the typed text chosen: on a busy machine the folder listing arrives late and
        # may leave the folder's own entry selected, which accept() would take instead.
        for view in dialog.findChildren(QAbstractItemView):
            view.clearSelection()
        dialog.accept()
    return step


def cancel(dialog: QFileDialog) -> None:
    dialog.reject()


def test_every_file_dialog_goes_through_the_one_module() -> None:
    users = [p.relative_to(UI).as_posix() for p in UI.rglob("*.py")
             if re.search(r"\bQFileDialog\b", p.read_text(encoding="utf-8"))]
    assert users == ["file_dialogs.py"]


def test_opens_in_documents_then_remembers_per_kind_for_the_session(qtbot, home: Path) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    case_folder = home / "Documents" / "Lucero family"
    case_folder.mkdir()
    opened = answer(qtbot, typed(str(case_folder)), typed("referral-PK-0000AAAA.pdf"))
    chosen = file_dialogs.save_file(parent, Kind.DOCUMENT, "Save document",
                                    "referral-PK-0000AAAA.pdf", "PDF documents (*.pdf)",
                                    confirm_overwrite=False)
    assert opened == [str(home / "Documents")]
    assert chosen == str(case_folder / "referral-PK-0000AAAA.pdf")
    assert not Path(chosen).exists(), "the dialog only asks; the caller writes"
    flush_deletes()

    opened = answer(qtbot, cancel)
    assert file_dialogs.save_file(parent, Kind.DOCUMENT, "Save document", "x.pdf") == ""
    assert opened == [str(case_folder)], "the same kind: the folder used last"
    opened = answer(qtbot, cancel)
    assert file_dialogs.open_file(parent, Kind.ATTACHMENT_ADD, "Add a file") == ""
    assert opened == [str(home / "Documents")], "another kind: its own folder"
    flush_deletes()

    settings = QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, "QtProject")
    written = " ".join(str(settings.value(key)) for key in settings.allKeys())
    assert "Lucero" not in written, written
    assert not list(home.rglob("*.conf")) or "Lucero" not in " ".join(
        p.read_text(errors="replace") for p in home.rglob("*.conf"))

    file_dialogs.forget()  # a lock: the next session starts from the documents folder
    opened = answer(qtbot, cancel)
    file_dialogs.save_file(parent, Kind.DOCUMENT, "Save document", "x.pdf")
    assert opened == [str(home / "Documents")]


def test_without_a_documents_folder_it_opens_at_home(qtbot, home: Path) -> None:
    (home / "Documents").rmdir()
    parent = QWidget()
    qtbot.addWidget(parent)
    opened = answer(qtbot, cancel)
    assert file_dialogs.choose_folder(parent, Kind.VAULT_COPY, "Copy the vault") == ""
    assert opened == [str(home)]


def test_a_lock_closes_an_open_dialog_and_leaves_no_folder(qtbot, home: Path) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    case_folder = home / "Documents" / "Lucero family"
    case_folder.mkdir()

    def lock(dialog: QFileDialog) -> None:
        file_dialogs.forget()  # what the controller does when the session ends

    opened = answer(qtbot, typed(str(case_folder)), lock)
    assert file_dialogs.open_file(parent, Kind.ATTACHMENT_ADD, "Add a file") == ""
    assert opened == [str(home / "Documents")]
    flush_deletes()
    settings = QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, "QtProject")
    written = " ".join(str(settings.value(key)) for key in settings.allKeys())
    assert "Lucero" not in written, written


def test_the_documents_dialog_saves_through_it(
        qtbot,
        home: Path,
        scenario,  # noqa: F811
        background,  # noqa: F811
        keep,  # noqa: F811
) -> None:
    from tests.ui.test_documents import made
    from ui.documents import DocumentDialog

    dialog = keep(DocumentDialog(scenario.org.coordinator, background, scenario.case_id))
    dialog.show()
    made(qtbot, dialog, background)
    name = dialog.document.file_name
    suggested: list[str] = []

    def look(file_dialog: QFileDialog) -> None:
        suggested.append(file_dialog.findChild(QLineEdit, "fileNameEdit").text())

    opened = answer(qtbot, look, typed(name))
    with qtbot.waitSignal(background.idle, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert opened == [str(home / "Documents")] and suggested == [name]
    assert (home / "Documents" / name).read_bytes() == dialog.document.pdf
    assert plain(dialog.notice.text()) == f"Saved as {name}."
