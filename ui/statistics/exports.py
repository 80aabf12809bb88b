"""The Statistics page's outputs: the monitoring report (PDF), the anonymised CTDC-style
table and the HTCDS table for a partner, each saved where the coordinator chooses.

Each is made off the GUI thread (``Background``) and written as a new file (never over an
existing one); what was written is said under the buttons.  The report and the tables are
recorded in the audit log by the services (how many, the threshold or k, never a figure).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill, language_name
from shelter_app.services.packet_data import DOCUMENT_LANGUAGES
from shelter_app.services.registry import Services

from ..agenda.common import button, flow
from ..background import Background
from ..documents.choices import Choices
from ..file_dialogs import Kind, save_file
from ..widgets import BusyBar, MessageLabel, named


class Outputs(QWidget):
    """Buttons that save the period's report and the anonymised tables."""

    def __init__(self, services: Services, background: Background,
                 period: Callable[[], tuple[dt.date, dt.date] | None],
                 site: Callable[[], Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._background = background
        self._period = period  # the page's chosen period, or None when it cannot be read
        self._site = site  # the page's chosen site (an id), or None for every site
        self.language = Choices(_("Report language"))
        self.language.add(_("The organisation's default"), None)
        for code in DOCUMENT_LANGUAGES:
            self.language.add(f"{language_name(code, language=code) or code} ({code})", code)
        language_label = QLabel(_("Report &language:"))
        language_label.setBuddy(self.language)
        self.report_button = button(_("Save &monitoring report…"), _(
            "The figures of the period with their method, as a PDF for funders and "
            "authorities"), self.save_report)
        self.ctdc_button = button(_("Export &anonymised table…"), _(
            "One row per survivor who agreed to be counted, k-anonymous, in the CTDC's "
            "columns, with a report of what was suppressed"), self.export_ctdc)
        self.partner = Choices(_("Partner"))
        partner_label = QLabel(_("For pa&rtner:"))
        partner_label.setBuddy(self.partner)
        self.htcds_button = button(_("Export &HTCDS table…"), _(
            "The cases whose consent covers this partner for identity and situation, in the "
            "columns of the Human Trafficking Case Data Standard, with a data dictionary"),
            self.export_htcds)
        self.encrypt = named(QCheckBox(_("Encrypt with a passphrase (AES-256)")),
                             _("Encrypt with a passphrase (AES-256)"))
        self.encrypt.setChecked(True)  # documents leave encrypted unless asked otherwise
        self.passphrase = named(QLineEdit(), _("Passphrase of the document"))
        self.passphrase.setReadOnly(True)
        self.passphrase.hide()
        self.busy = BusyBar(_("Saving…"))
        self.done = MessageLabel("font-weight: 600;")
        self.error = MessageLabel()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(flow(language_label, self.language, self.encrypt,
                              self.report_button, self.ctdc_button, partner_label,
                              self.partner, self.htcds_button))
        column.addWidget(self.busy)
        column.addWidget(self.done)
        column.addWidget(self.passphrase)
        column.addWidget(self.error)
        self.fill_partners()

    def fill_partners(self) -> None:
        self.partner.clear()
        try:
            for partner in self._services.partners.list():
                self.partner.add(partner.name, partner.id)
        except ShelterError:
            pass
        self.htcds_button.setEnabled(self.partner.count() > 0)

    # -- saving ------------------------------------------------------------------------
    def _ask(self, title: str, name: str, filters: str) -> Path | None:
        chosen = save_file(self, Kind.STATISTICS, title, name, filters,
                           confirm_overwrite=False)
        return Path(chosen) if chosen else None

    def forget(self) -> None:
        """Drop what the last save said, its passphrase first."""
        self.passphrase.clear()
        self.passphrase.hide()
        self.done.clear_message()
        self.error.clear_message()

    def _run(self, work: Callable[[], Any], done: Callable[[Any], str]) -> None:
        self.forget()
        self._buttons(False)
        self.busy.show()

        def finished(result: Any) -> None:
            self._settle()
            self.done.show_message(done(result))

        self._background.run(work, finished, self._failed, context=self)

    def _buttons(self, enabled: bool) -> None:
        for widget in (self.report_button, self.ctdc_button):
            widget.setEnabled(enabled)
        self.htcds_button.setEnabled(enabled and self.partner.count() > 0)

    def _settle(self) -> None:
        self.busy.hide()
        self._buttons(True)

    def _failed(self, exc: BaseException) -> None:
        self._settle()
        if not isinstance(exc, ShelterError):
            raise exc
        self.error.show_message(exc.message)

    def save_report(self) -> None:
        period = self._period()
        if period is None:
            return
        start, end = period
        path = self._ask(_("Save monitoring report"),
                         f"monitoring-report-{start.isoformat()}-{end.isoformat()}.pdf",
                         _("PDF documents (*.pdf)"))
        if path is None:
            return
        from shelter_app.documents.encryption import new_passphrase

        language = self.language.value()
        statistics = self._services.statistics
        passphrase = new_passphrase() if self.encrypt.isChecked() else None
        site = self._site() or None

        def work() -> Path:
            from shelter_app.exchange.tables import require_new
            from shelter_app.vault.fileio import write_new_file

            require_new(path)  # before the counting, not after it
            made = statistics.monitoring_report(start, end, language=language,
                                                passphrase=passphrase, site=site)
            write_new_file(path, made.pdf)
            return path

        def saved(where: Path) -> str:
            if passphrase:
                self.passphrase.setText(passphrase)
                self.passphrase.show()
                return " ".join((fill(_("The monitoring report was saved as {name}."),
                                      name=where.name), _(
                    "This passphrase opens the document. It is shown only now and is not kept: "
                    "give it to the recipient another way (by phone), never with the file.")))
            return fill(_("The monitoring report was saved as {name}."), name=where.name)

        self._run(work, saved)

    def export_ctdc(self) -> None:
        path = self._ask(_("Export anonymised table"),
                         f"anonymised-table-{dt.date.today().isoformat()}.csv",
                         _("CSV tables (*.csv)"))
        if path is None:
            return
        from shelter_app.services.anonymised_export import AnonymisedExport

        exporter = AnonymisedExport(self._services.ctx)
        k = self._services.statistics.threshold()  # the organisation's smallest group
        self._run(lambda: exporter.write(path, k), lambda made: fill(_(
            "{rows} rows were saved in {name}, and what was suppressed in {report}."),
            rows=made.report.rows_out, name=path.name, report=path.stem + "-report.txt"))

    def export_htcds(self) -> None:
        partner_id = self.partner.value()
        if not partner_id:
            return
        path = self._ask(_("Export HTCDS table"), f"htcds-{dt.date.today().isoformat()}.csv",
                         _("CSV tables (*.csv)"))
        if path is None:
            return
        from shelter_app.services.htcds_export import HtcdsExporter

        exporter = HtcdsExporter(self._services.ctx, self._services.consent)
        self._run(lambda: exporter.write(path, partner_id), lambda done: fill(_(
            "{n} cases were saved in {name} with the data dictionary beside it; {m} were "
            "left out: no active consent covers this partner for identity and situation."),
            n=done.written, name=path.name, m=done.without_consent))
