"""The documents dialog as the application runs it: documents made in the document builder
process, shown from their pages before encryption, saved encrypted; the process ends with the
session (lock and quick exit)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument

from shelter_app.services.registry import Services, build_services
from tests.conftest import ADMIN_PASS
from tests.documents.conftest import Scenario, org, scenario  # noqa: F401
from tests.records.conftest import STAFF_PASS
from tests.ui.test_documents import background, keep, made, saved  # noqa: F401
from ui.background import Background
from ui.documents import DocumentDialog

from .conftest import sign_in


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def apart(scenario: Scenario) -> Iterator[Services]:  # noqa: F811
    opened, _report = scenario.org.vault.unlock("coordinator", STAFF_PASS)
    services = build_services(opened, document_process=True)
    try:
        yield services
    finally:
        services.lock()


def test_preview_save_with_the_builder_process(qtbot, apart: Services,
                                               scenario: Scenario,  # noqa: F811
                                               background: Background,  # noqa: F811
                                               keep, tmp_path: Path,  # noqa: F811
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = keep(DocumentDialog(apart, background, scenario.case_id))
    builder = apart.document_builder
    assert builder is not None and builder.pid not in (None, os.getpid())
    for _round in range(2):
        made(qtbot, dialog, background)
        document = dialog.document
        assert document is not None and document.passphrase and document.plain is not None
        shown = dialog.preview.document
        assert shown is not None and shown.status() == QPdfDocument.Status.Ready
        assert dialog.preview.pages == document.pages == 5  # her own copy only when asked
        assert dialog.passphrase.text() == document.passphrase
    target = tmp_path / document.file_name
    monkeypatch.setattr(dialog, "ask_save_path", lambda suggested: str(target))
    saved(qtbot, dialog, background)
    written = target.read_bytes()
    assert written == document.pdf != document.plain, "the encrypted file, never the preview's"
    reader = pypdf.PdfReader(io.BytesIO(written))
    assert reader.is_encrypted and reader.decrypt(document.passphrase)
    assert len(reader.pages) == document.pages

    dialog.kind.select("residence")  # refused before anything is sent to the builder
    dialog.message.clear_message()
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not background.busy and dialog.message.text() != "",
                    timeout=20_000)
    assert "No residence template fits" in dialog.message.text() and dialog.document is None
    assert dialog.preview.pages == 0 and not dialog.save_button.isEnabled()


def test_lock_and_quick_exit_end_the_builder_process(qtbot, make_controller,
                                                     existing_vault: Path) -> None:
    controller = make_controller()
    sign_in(qtbot, controller, "admin", ADMIN_PASS)
    services = controller.services
    assert services is not None and services.document_builder is None, "not before it is needed"
    services.documents.templates()  # what the documents dialog asks first
    builder = services.document_builder
    assert builder is not None
    pid = builder.pid
    assert pid is not None and alive(pid)
    controller.lock()
    assert not alive(pid)

    sign_in(qtbot, controller, "admin", ADMIN_PASS)
    services = controller.services
    assert services is not None
    services.documents.templates()
    assert services.document_builder is not None
    pid = services.document_builder.pid
    assert pid is not None and alive(pid)
    qtbot.keyClick(controller.window, Qt.Key.Key_Q,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert controller.state == "closed" and not alive(pid)
