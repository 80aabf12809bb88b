"""Making a document from a case: choose what, for whom, in which language, which sections,
encrypted or not; see it; then save it or print it.

Everything the document holds is decided by the core (``services.documents``): the dialog
only gathers the choices, runs the production off the GUI thread and shows the result.  A
refusal (no consent, a missing item, a role that may not) is shown as the core words it.

What is saved or printed is what was seen: every change of a choice — the document, the
recipient, the template, the language, a section, the watermark, encryption, draft, and the
lists refilled while their signals are blocked — drops the preview, its passphrase and any
message, and disables Save and Print.  A production that comes back after a change is
dropped too.  A preview is only audited as such; Save and Print are what record a document
as having left the vault (``produced`` is emitted then, and the Documents tab refreshes).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import language_name
from shelter_app.services.documents import Produced
from shelter_app.services.packet_data import DOCUMENT_LANGUAGES
from shelter_app.services.registry import Services

from .. import printing
from ..background import Background
from ..file_dialogs import Kind, save_file
from ..widgets import NOTICE_STYLE, SUCCESS_STYLE, MessageLabel, named
from . import choices as pick
from .choices import KINDS, Choices, VerticalScroll, contained
from .preview import PdfPreview
from .printing import PrintOutcome, PrintRun
from .referral_form import ReferralForm
from .residence_form import ResidenceForm, saved_notice


class DocumentDialog(QDialog):
    """``DocumentDialog(services, background, case_id, parent)``; ``produced`` is emitted
    with each document saved or printed (the Documents panel refreshes on it)."""

    produced = Signal(object)

    def __init__(self, services: Services, background: Background, case_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._s = services
        self._background = background
        self._case_id = case_id
        self.document: Produced | None = None
        self._generation = 0  # counts changes of choice: a late result of an older one is dropped
        self._print_run: PrintRun | None = None
        self._focus: QWidget | None = None  # where the focus was before a busy spell
        # The printing seams (tests pass a printer that writes a PDF they read back):
        self.printer_names: Callable[[], list[str]] = printing.printer_names
        self.new_printer: Callable[[], QPrinter] = lambda: printing.new_printer(_("Document"))
        self.ask_printer: printing.AskPrinter = lambda printer, parent: printing.ask_printer(
            printer, parent, _("Print the document"))
        self.setObjectName("document_dialog")
        self.setWindowTitle(_("New document"))
        self.resize(980, 720)

        self.kind = Choices(_("Document"))
        for code, label in KINDS.offered(services, case_id):
            self.kind.add(_(label), code)
        self.recipient = Choices(_("Recipient"))
        self.record = Choices(_("Non-punishment record"))
        self.residence = ResidenceForm(services, background, case_id,
                                       lambda: self.recipient.value(), self)
        self.template, self.matter = self.residence.template, self.residence.matter
        self.language = Choices(_("Language"))
        self.language.add(_("The reader's language"), None)
        for code in DOCUMENT_LANGUAGES:
            native = language_name(code, language=code) or code
            self.language.add(f"{native} ({code})", code)
        self.referral = ReferralForm(services, case_id, self)
        self.sections, section_box = self.referral.sections, self.referral.sections_box
        self.encrypt = named(QCheckBox(_("Encrypt with a passphrase (AES-256)")),
                             _("Encrypt with a passphrase (AES-256)"))
        self.encrypt.setChecked(True)
        self.draft = named(QCheckBox(_("Draft: produce even with items missing, marked DRAFT")),
                           _("Draft"))
        self.archival = named(QCheckBox(_("Archival copy (PDF/A-2b, not encrypted)")),
                              _("Archival copy"))
        self.watermark = named(QLineEdit(), _("Watermark"))
        self.watermark.setPlaceholderText(_("optional, e.g. COPY"))
        self.missing = self.residence.missing

        self.form = QFormLayout()
        self.form.addRow(_("&Document:"), self.kind)
        self.form.addRow(_("&Template:"), self.template)
        self.form.addRow(_("Legal &matter:"), self.matter)
        self.form.addRow(_("Rec&ord:"), self.record)
        self.form.addRow(_("&Recipient:"), self.recipient)
        self.form.addRow(_("&Language:"), self.language)
        self.form.addRow(_("Sections:"), section_box)
        self.form.addRow("", self.referral.own_copy)
        self.form.addRow(_("&Watermark:"), self.watermark)
        self.form.addRow("", self.encrypt)
        self.form.addRow("", self.draft)
        self.form.addRow("", self.archival)
        self.form.addRow("", self.residence.editable)
        self.form.addRow(_("Still missing:"), self.missing)
        self.form.addRow(_("Translations:"), self.residence.translations)
        self.residence.translations.shown.connect(lambda on: self.form.setRowVisible(
            self.residence.translations, on and self.kind.value() == "residence"))
        self._section_row = section_box

        self.message = MessageLabel()  # refusals and errors
        self.notice = MessageLabel(SUCCESS_STYLE)  # "Saved as …", "Sent … to the printer"
        self.passphrase = named(QLineEdit(), _("Passphrase of the document"))
        self.passphrase.setReadOnly(True)
        self.passphrase.hide()
        self.passphrase_note = MessageLabel(NOTICE_STYLE)
        self.preview = PdfPreview()
        self.working = self.residence.working
        self.working.toggled.connect(self._show_document)
        self.preview_button = named(QPushButton(_("&Preview")), _("Preview"))
        self.save_button = named(QPushButton(_("&Save…")), _("Save"))
        self.print_button = named(QPushButton(_("Pr&int…")), _("Print"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        named(buttons.button(QDialogButtonBox.StandardButton.Close), _("Close"))
        row = QHBoxLayout()
        for button in (self.preview_button, self.save_button, self.print_button):
            row.addWidget(button)
        row.addWidget(self.working)
        row.addStretch(1)
        row.addWidget(buttons)

        self.choices = QWidget()  # the form scrolls when the missing items are many
        left = QVBoxLayout(self.choices)
        left.setContentsMargins(0, 0, 0, 0)
        left.addLayout(self.form)
        left.addWidget(self.message)
        left.addWidget(self.notice)
        left.addWidget(self.passphrase_note)
        left.addWidget(self.passphrase)
        left.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(VerticalScroll(self.choices), 2)
        body.addWidget(self.preview, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(row)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.record.currentIndexChanged.connect(self._invalidate)
        self.recipient.currentIndexChanged.connect(self._recipient_changed)
        self.residence.changed.connect(self._invalidate)
        self.referral.changed.connect(self._invalidate)
        self.language.currentIndexChanged.connect(self._invalidate)
        for box in (self.encrypt, self.draft, self.archival):
            box.toggled.connect(self._invalidate)
        self.watermark.textChanged.connect(self._invalidate)
        self.preview_button.clicked.connect(self.make)
        self.save_button.clicked.connect(self.save)
        self.print_button.clicked.connect(self.print_)
        self._kind_changed()

    # -- choices ------------------------------------------------------------------------
    def _kind_changed(self) -> None:
        self._invalidate()
        kind = self.kind.value()
        for combo in (self.recipient, self.record):  # refilled below; handled once, after
            combo.blockSignals(True)
        try:
            empty = pick.fill_targets(self._s, self._case_id, kind, self.recipient, self.record)
            if kind == "residence":
                empty = self.residence.fill()
        except ShelterError as exc:
            empty = str(exc)
        finally:
            for combo in (self.recipient, self.record):
                combo.blockSignals(False)
        for widget, shown in ((self.template, kind == "residence"),
                              (self.matter, kind == "residence"),
                              (self.record, kind == "non_punishment"),
                              (self._section_row, kind == "referral"),
                              (self.referral.own_copy, kind == "referral"),
                              (self.missing, kind == "residence"),
                              (self.draft, kind == "residence"),
                              (self.archival, kind in ("referral", "residence")),
                              (self.residence.editable, kind == "residence"),
                              (self.residence.translations, kind == "residence"
                               and self.residence.translations.count() > 0)):
            self.form.setRowVisible(widget, shown)
        shown = (self.referral.shown_label() if kind == "referral"
                 else self.residence.shown_label())
        self.working.setText(shown)
        self.working.setAccessibleName(shown.replace("&", ""))
        # a residence packet is written in the language of its template's texts
        self.language.setEnabled(kind != "residence")
        if kind == "residence":
            self.language.setCurrentIndex(0)
        self._recipient_changed()
        self.message.show_message(empty)

    def choose(self, kind: str, record_id: str | None = None) -> None:
        """Choose the document *kind* (and the non-punishment record *record_id*)."""
        self.kind.select(kind)
        if record_id is not None:
            self.record.select(record_id)
            if self.record.value() != record_id:  # gone meanwhile: never another one
                self.record.setCurrentIndex(-1)
                self.message.show_message(_("Choose the record the letter is about first."))

    def _recipient_changed(self) -> None:
        self._invalidate()
        kind = self.kind.value()
        if kind == "residence":
            self.residence.check()
        if kind == "referral" and self.recipient.value() is not None:
            self.message.show_message(self.referral.fill(self.recipient.value()))

    def _invalidate(self, *_args: Any) -> None:
        """A choice changed: what the preview shows is no longer what would be made."""
        self._generation += 1
        self.document = None
        self.preview.clear()
        self.passphrase.clear()
        self.passphrase.hide()
        self.passphrase_note.clear_message()
        self.message.clear_message()
        self.notice.clear_message()
        self.save_button.setEnabled(False)
        self.print_button.setEnabled(False)
        self.working.setVisible(False)

    # -- making -------------------------------------------------------------------------
    def _request(self) -> Callable[[], Produced]:
        docs, case = self._s.documents, self._case_id
        kind, target = self.kind.value(), self.recipient.value()
        options: dict[str, Any] = {"language": self.language.value(),
                                   "encrypt": self.encrypt.isChecked(),
                                   **({"archival": True} if self.archival.isChecked()
                                      and kind in ("referral", "residence") else {}),
                                   "watermark": self.watermark.text().strip() or None}
        if kind == "referral":
            chosen = self.referral.request()
            return lambda: docs.referral_packet(case, target, **chosen, **options)
        if kind == "residence":
            chosen, draft = self.residence.request(), self.draft.isChecked()
            return lambda: docs.residence_packet(case, recipient_id=target, draft=draft,
                                                 **chosen, **options)
        if kind == "non_punishment":
            record = self.record.value()
            return lambda: docs.non_punishment_letter(record, target, **options)
        if kind == "own_copy":
            return lambda: docs.own_copy(case, **options)
        return lambda: docs.appointment_card(target, **options)

    def make(self) -> None:
        if self.kind.value() != "residence" and self.recipient.value() is None:
            self.message.show_message(_("Choose the recipient first."))
            return
        if self.kind.value() == "residence" and self.template.value() is None:
            self.message.show_message(self.residence.none_fits)
            return
        if self.kind.value() == "non_punishment" and self.record.value() is None:
            self.message.show_message(_("Choose the record the letter is about first."))
            return
        self._invalidate()
        generation = self._generation
        self._busy(True)
        self._background.run(contained(self._request()),
                             lambda outcome: self._made(generation, outcome), self._crashed,
                             context=self)

    def _made(self, generation: int, outcome: tuple[bool, Any]) -> None:
        self._busy(False)
        if generation != self._generation:
            return  # a choice changed while it was being made: not what is asked for now
        ok, produced = outcome
        if not ok:
            self.message.show_message(str(produced))
            if self.kind.value() == "residence":
                self.residence.check()
            return
        self.document = produced
        self.working.setVisible(produced.working is not None)
        self._show_document()
        if produced.passphrase:
            self.passphrase.setText(produced.passphrase)
            self.passphrase.show()
            self.passphrase_note.show_message(_(
                "This passphrase opens the document. It is shown only now and is not kept: "
                "give it to the recipient another way (by phone), never with the file."))
        self.save_button.setEnabled(True)
        self.print_button.setEnabled(True)

    def _show_document(self) -> None:
        """The bundle, or its working papers: their pages before encryption, quick to open
        (Save and Print take the encrypted files)."""
        produced = self.document
        if produced is None:
            return
        working = self.working.isChecked() and produced.working_preview is not None
        pdf = produced.working_preview if working else produced.preview_pdf
        if pdf is None or not self.preview.show_pdf(pdf, produced.passphrase):
            self.message.show_message(_("The document was made but cannot be shown."))

    def _crashed(self, exc: BaseException) -> None:  # only a BaseException gets this far
        self._busy(False)
        raise exc

    def _busy(self, busy: bool) -> None:
        """While a document is made or saved no choice can change; the focus comes back to
        where it was (disabling the focused button moved it on, to Print or to Close)."""
        if busy:
            self._focus = self.focusWidget()
        self.preview_button.setEnabled(not busy)
        self.choices.setEnabled(not busy)
        if not busy and self._focus is not None and self._focus.isEnabled():
            self._focus.setFocus()

    # -- saving and printing ------------------------------------------------------------
    def ask_save_path(self, suggested: str) -> str:
        return save_file(self, Kind.DOCUMENT, _("Save document"), suggested,
                         _("PDF documents (*.pdf)"), confirm_overwrite=False)

    def save(self) -> None:
        """Ask where, then write the file and record it, off the GUI thread (it is synced to
        disk and the vault commits)."""
        document = self.document
        if document is None:
            return
        path = self.ask_save_path(document.file_name)
        if not path or self.document is not document:
            return  # cancelled, or the choices changed (a lock) while asking
        self.message.clear_message()
        self.notice.clear_message()
        docs = self._s.documents
        self._busy(True)
        self.save_button.setEnabled(False)
        self._background.run(contained(lambda: docs.save(document, Path(path))),
                             lambda outcome: self._saved(document, outcome), self._crashed,
                             context=self)

    def _saved(self, document: Produced, outcome: tuple[bool, Any]) -> None:
        self._busy(False)
        self.save_button.setEnabled(self.document is not None)
        ok, value = outcome
        if not ok:
            self.message.show_message(str(value))
            return
        self.notice.show_message(saved_notice(document, value))
        self.produced.emit(document)

    def print_(self) -> None:
        """Print through the system print dialog to a real printer, with progress."""
        document = self.document
        if document is None or self._print_run is not None:
            return
        self.message.clear_message()
        self.notice.clear_message()
        if not self.printer_names():
            self.message.show_message(printing.no_printer_message() + " " + _(
                "To keep a copy, use Save: it writes the document only where you choose."))
            return
        printer = self.new_printer()
        if not self.ask_printer(printer, self) or self.document is not document:
            return
        docs, shown = self._s.documents, self.working.isChecked() and document.working
        run = PrintRun(self._background, shown or document.pdf, document.passphrase, printer,
                       self, release=lambda: docs.record_printed(document, second=bool(shown)))
        run.finished.connect(lambda outcome: self._printed(document, outcome))
        self._print_run = run

    def _printed(self, document: Produced, outcome: PrintOutcome) -> None:
        self._print_run = None
        if not outcome.refusal:
            self.produced.emit(document)  # recorded as printed: the Documents tab lists it
        text, problem = outcome.describe()
        (self.message if problem else self.notice).show_message(text)

    def done(self, result: int) -> None:
        """Closing stops a print job and forgets the document and its passphrase."""
        if self._print_run is not None:
            self._print_run.cancel()
        self._invalidate()
        super().done(result)
