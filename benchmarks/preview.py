"""Figures of the documents dialog, for ``benchmarks/documents.py`` (which prepares the case).

- Preview: from the click on Preview to the first page painted in the view (the worker
  produces the packet, the view loads it, its renderer thread draws page 1, the viewport
  paints it).  Baseline: a bare ``QPdfView`` loading the one-page plain document from memory,
  to its first page painted.
- GUI-thread stalls: the longest gap between ticks of a 5 ms timer on the GUI thread while
  previewing (the referral packet, then the residence packet with 20 exhibit pages) and while
  printing the residence packet to a PDF printer at 300 dpi.  Baselines: the same packet made
  on the worker with nothing shown (the worker holds Python's global lock in C calls: fonts,
  images, compression), and the timer while the event loop is idle.  The time spent loading
  the document into the view on the GUI thread is shown apart.

Runs on the offscreen platform unless another is set.  Asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QObject, Qt, QTimer
from PySide6.QtPdf import QPdfDocument, QPdfPageRenderer
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from shelter_app.services.registry import Services


class Ticks:
    """A 5 ms timer on the GUI thread; ``longest()`` is the worst gap seen, in seconds."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(5)
        self.timer.timeout.connect(lambda: self.times.append(time.perf_counter()))

    def __enter__(self) -> Ticks:
        self.times = [time.perf_counter()]
        self.timer.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.timer.stop()
        self.times.append(time.perf_counter())

    def longest(self) -> float:
        return max(b - a for a, b in zip(self.times, self.times[1:], strict=False))


class FirstPaint(QObject):
    """Notes when *view* paints after its renderer delivered a page: the page is on screen."""

    def __init__(self, view: QPdfView) -> None:
        super().__init__()
        self.rendered: float | None = None
        self.painted: float | None = None
        renderer = view.findChild(QPdfPageRenderer)
        assert renderer is not None
        renderer.pageRendered.connect(self._rendered)
        view.viewport().installEventFilter(self)

    def _rendered(self, *_args: Any) -> None:
        if self.rendered is None:
            self.rendered = time.perf_counter()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.Paint and self.rendered is not None
                and self.painted is None):
            self.painted = time.perf_counter()
        return False


def until(app: QApplication, done: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError
        app.processEvents()


def settle(app: QApplication, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()


def bare_view(app: QApplication, pdf: bytes) -> float:
    """Seconds from loading *pdf* into a new QPdfView to its first page painted."""
    view = QPdfView()
    view.resize(600, 700)
    view.show()
    until(app, lambda: view.windowHandle() is not None and view.windowHandle().isExposed())
    settle(app, 0.1)
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    first = FirstPaint(view)
    started = time.perf_counter()
    document.load(buffer)
    view.setDocument(document)
    until(app, lambda: first.painted is not None)
    took = (first.painted or started) - started
    view.close()
    view.deleteLater()
    document.deleteLater()
    return took


def dialog_figures(s: Services, case_id: str, plain: bytes, *, repeat: int = 3
                   ) -> list[tuple[str, str, str, str]]:
    """The rows printed by benchmarks/documents.py: (figure, measured, target, baseline)."""
    from ui.background import Background
    from ui.documents import DocumentDialog

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    background = Background()
    rows: list[tuple[str, str, str, str]] = []
    base_times = [bare_view(app, plain) for _i in range(repeat)]
    with Ticks() as idle:
        settle(app, 1.0)

    dialog = DocumentDialog(s, background, case_id)
    dialog.resize(1100, 760)
    dialog.show()
    until(app, lambda: dialog.windowHandle() is not None and dialog.windowHandle().isExposed())
    settle(app, 0.2)
    loads: list[float] = []
    show_pdf = dialog.preview.show_pdf

    def timed_show(pdf: bytes, passphrase: str | None = None) -> bool:
        started = time.perf_counter()
        try:
            return show_pdf(pdf, passphrase)
        finally:
            loads.append(time.perf_counter() - started)

    dialog.preview.show_pdf = timed_show  # type: ignore[method-assign]

    def preview() -> tuple[float, float]:
        first = FirstPaint(dialog.preview.view)
        with Ticks() as ticks:
            started = time.perf_counter()
            QTest.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
            until(app, lambda: first.painted is not None)
            shown = (first.painted or started) - started
            settle(app, 0.3)  # the other pages laid out and rendered
        return shown, ticks.longest()

    def made_alone() -> float:
        """The same packet made on the worker with nothing shown: the stall it causes alone
        (Python's global lock, two cores shared)."""
        request = dialog._request()
        with Ticks() as ticks:
            background.run(request, lambda _r: None, lambda _e: None, context=dialog)
            until(app, lambda: not background.busy)
        return ticks.longest()

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:.0f} ms"

    def report(label: str, target: str, runs: list[tuple[float, float]],
               alone: list[float]) -> None:
        rows.append((f"Preview, {label}: click to first page", ms([t for t, _g in runs]),
                     target, f"bare QPdfView, one-page document {ms(base_times)}"))
        rows.append((f"longest GUI stall, {label} preview", ms([g for _t, g in runs]),
                     "≤ 50 ms", f"the same packet made with no preview {ms(alone)}; idle "
                     f"{idle.longest() * 1000:.0f} ms; worst of {repeat} "
                     f"{max(g for _t, g in runs) * 1000:.0f} ms"))
        rows.append(("  of which: loading it into the view (GUI thread)", ms(loads[-repeat:]),
                     "", ""))

    referral = [preview() for _i in range(repeat)]
    report("referral packet", "≤ 500 ms", referral, [made_alone() for _i in range(repeat)])

    dialog.kind.select("residence")
    dialog.template.select("us-t-visa")
    dialog.draft.setChecked(True)
    until(app, lambda: not background.busy)
    residence = [preview() for _i in range(repeat)]
    pages = dialog.document.pages if dialog.document else 0
    alone = [made_alone() for _i in range(repeat)]
    residence_document = dialog.document
    report(f"residence packet ({pages} pages)", "", residence, alone)

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "printed.pdf"

        def to_file() -> QPrinter:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(out))
            return printer

        dialog.printer_names = lambda: ["benchmark"]
        dialog.new_printer = to_file
        dialog.ask_printer = lambda printer, parent: True
        assert dialog.document is residence_document
        with Ticks() as ticks:
            started = time.perf_counter()
            QTest.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
            until(app, lambda: dialog._print_run is None and not background.busy)
            took = time.perf_counter() - started
        rows.append((f"Print, residence packet ({pages} pages, 300 dpi)",
                     f"{took * 1000:.0f} ms", "", f"{out.stat().st_size // 1024} KB sent"))
        rows.append(("longest GUI stall while printing", f"{ticks.longest() * 1000:.0f} ms",
                     "≤ 50 ms", f"idle {idle.longest() * 1000:.0f} ms"))
    dialog.close()
    dialog.deleteLater()
    background.wait()
    settle(app, 0.1)
    return rows
