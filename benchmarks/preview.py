"""Figures of the documents dialog, for ``benchmarks/documents.py`` (which prepares the case).

- Preview: from the click on Preview to the first page painted in the view (the worker
  produces the packet, the view loads it, its renderer thread draws page 1, the viewport
  paints it).  Baseline: a bare ``QPdfView`` loading the one-page plain document from memory,
  to its first page painted.
- GUI-thread stalls: the longest gap between ticks of a 5 ms timer on the GUI thread while
  previewing (the referral packet, then the residence packet with 20 exhibit pages) and while
  printing the residence packet to a PDF printer at 300 dpi.  Baselines: the same packet made
  with nothing shown, and the timer while the event loop is idle.  The time spent loading
  the document into the view on the GUI thread, and the longest garbage collection in this
  process meanwhile, are shown apart.

Each figure is measured twice in the same run, side by side (``benchmarks/documents.py``
chooses): as the application now works (the documents made in the document builder process,
the preview showing their pages before encryption) and as it worked before (made on the
worker thread, which shares Python's global lock with the window; the preview opening the
encrypted file).  Each preview is made *repeat* times (median and worst); the first preview after
the dialog opens, which for the builder process includes its start, is shown apart (its
stall is counted with the others).

Runs on the offscreen platform unless another is set.  Asserts nothing.
"""

from __future__ import annotations

import gc
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
    """A 5 ms timer on the GUI thread; ``longest()`` is the worst gap seen, in seconds, and
    ``collection`` the longest garbage collection in this process meanwhile (any thread)."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.collection = 0.0
        self._collecting = 0.0
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(5)
        self.timer.timeout.connect(lambda: self.times.append(time.perf_counter()))

    def _gc(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._collecting = time.perf_counter()
        else:
            self.collection = max(self.collection, time.perf_counter() - self._collecting)

    def __enter__(self) -> Ticks:
        self.times = [time.perf_counter()]
        self.collection = 0.0
        gc.callbacks.append(self._gc)
        self.timer.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.timer.stop()
        gc.callbacks.remove(self._gc)
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


Row = tuple[str, list[str], str]  # (figure, one value per configuration, target)


def ms(values: list[float]) -> str:
    """Median and worst of *values* (seconds), in milliseconds."""
    if len(values) == 1:
        return f"{values[0] * 1000:.0f} ms"
    return f"{statistics.median(values) * 1000:.0f} ms (worst {max(values) * 1000:.0f})"


class Measured:
    """The figures of one configuration of the documents service, in the dialog."""

    def __init__(self, app: QApplication, background: Any, s: Services, case_id: str,
                 repeat: int) -> None:
        from ui.documents import DocumentDialog

        self.app, self.background, self.repeat = app, background, repeat
        self.figures: dict[str, list[float]] = {}
        self.loads: list[float] = []
        dialog = DocumentDialog(s, background, case_id)
        dialog.resize(1100, 760)
        dialog.show()
        until(app, lambda: dialog.windowHandle() is not None
              and dialog.windowHandle().isExposed())
        settle(app, 0.2)
        self.dialog = dialog
        show_pdf = dialog.preview.show_pdf

        def timed_show(pdf: bytes, passphrase: str | None = None) -> bool:
            started = time.perf_counter()
            try:
                return show_pdf(pdf, passphrase)
            finally:
                self.loads.append(time.perf_counter() - started)

        dialog.preview.show_pdf = timed_show  # type: ignore[method-assign]

    def preview(self) -> tuple[float, float, float]:
        """(click to first page, longest stall, longest collection), in seconds."""
        first = FirstPaint(self.dialog.preview.view)
        with Ticks() as ticks:
            started = time.perf_counter()
            QTest.mouseClick(self.dialog.preview_button, Qt.MouseButton.LeftButton)
            until(self.app, lambda: first.painted is not None)
            shown = (first.painted or started) - started
            settle(self.app, 0.3)  # the other pages laid out and rendered
        return shown, ticks.longest(), ticks.collection

    def made_alone(self) -> float:
        """The same packet made with nothing shown: the stall the making causes alone."""
        request = self.dialog._request()
        with Ticks() as ticks:
            self.background.run(request, lambda _r: None, lambda _e: None, context=self.dialog)
            until(self.app, lambda: not self.background.busy)
        return ticks.longest()

    def packet(self, key: str, *, first: bool = False) -> None:
        """Preview the packet chosen in the dialog *repeat* times (and once before, when
        *first*), then make it *repeat* times with no preview."""
        opening = [self.preview()] if first else []
        if opening:
            self.figures[f"{key} first"] = [opening[0][0]]
            self.loads.clear()
        runs = [self.preview() for _i in range(self.repeat)]
        self.figures[f"{key} shown"] = [r[0] for r in runs]
        self.figures[f"{key} stall"] = [r[1] for r in opening + runs]  # the first one too
        self.figures[f"{key} gc"] = [r[2] for r in opening + runs]
        self.figures[f"{key} load"] = self.loads[-self.repeat:]
        self.figures[f"{key} alone"] = [self.made_alone() for _i in range(self.repeat)]

    def run(self) -> None:
        self.packet("referral", first=True)
        self.dialog.kind.select("residence")
        self.dialog.template.select("us-t-visa")
        self.dialog.draft.setChecked(True)
        until(self.app, lambda: not self.background.busy)
        self.packet("residence")
        self.pages = self.dialog.document.pages if self.dialog.document else 0


Setup = Callable[[], object]


def dialog_figures(sessions: list[tuple[str, Services, Setup]], case_id: str, plain: bytes,
                   *, repeat: int = 3) -> tuple[list[str], list[Row], list[str]]:
    """What benchmarks/documents.py prints: the configurations' names, the rows (one value per
    configuration) and the notes (baselines, printing).  Each configuration is (name, the
    session's services, a set-up run just before it is measured); printing is measured with
    the first."""
    from ui.background import Background

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    background = Background()
    base_times = [bare_view(app, plain) for _i in range(repeat)]
    with Ticks() as idle:
        settle(app, 1.0)
    measured: list[Measured] = []
    printed: list[str] = []
    for _label, s, setup in sessions:
        setup()
        m = Measured(app, background, s, case_id, repeat)
        m.run()
        measured.append(m)
        if not printed:
            printed = print_figures(app, background, m, m.pages, idle.longest())

    def row(name: str, key: str, target: str = "") -> Row:
        return (name, [ms(m.figures[key]) for m in measured], target)

    pages = measured[0].pages
    rows = [
        row("Preview, referral packet: click to first page", "referral shown", "≤ 500 ms"),
        row("  the first after the dialog opens", "referral first", "≤ 500 ms"),
        row("longest GUI stall, referral preview", "referral stall", "≤ 50 ms"),
        row("  the same packet made with no preview", "referral alone"),
        row("  loading it into the view (GUI thread)", "referral load"),
        row("  longest garbage collection meanwhile", "referral gc"),
        row(f"Preview, residence packet ({pages} pages): click to first page",
            "residence shown"),
        row("longest GUI stall, residence preview", "residence stall", "≤ 50 ms"),
        row("  the same packet made with no preview", "residence alone"),
        row("  loading it into the view (GUI thread)", "residence load"),
        row("  longest garbage collection meanwhile", "residence gc"),
    ]
    notes = [f"baselines: idle GUI thread, longest gap {idle.longest() * 1000:.0f} ms; a bare "
             f"QPdfView showing a one-page document from memory, {ms(base_times)} to its "
             "first page", *printed]
    for m in measured:
        m.dialog.close()
        m.dialog.deleteLater()
    background.wait()
    settle(app, 0.1)
    return [label for label, _s, _setup in sessions], rows, notes


def print_figures(app: QApplication, background: Any, m: Measured, pages: int,
                  idle: float) -> list[str]:
    """Print the residence packet shown in *m*'s dialog to a PDF printer at 300 dpi."""
    dialog = m.dialog
    residence_document = dialog.document
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
        return [f"Print, residence packet ({pages} pages, 300 dpi): {took * 1000:.0f} ms, "
                f"{out.stat().st_size // 1024} KB sent; longest GUI stall while printing "
                f"{ticks.longest() * 1000:.0f} ms (target ≤ 50 ms; idle {idle * 1000:.0f} ms)"]
