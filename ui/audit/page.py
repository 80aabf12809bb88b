"""The Audit log page: who did what and when, across the whole vault, with filters.

For coordinators and administrators (``Action.VIEW_AUDIT``).  The table pages through the
chain as it is scrolled (``AuditLogModel``); the filters (period, person, kind of event,
outcome) start again from the newest event.  Cases are named by their code, accounts by
their shown name; the chain holds no survivor data to show.  Opening the page is recorded
in the chain (``AuditLogService.open``).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain import validate as v
from shelter_app.domain.roles import Action
from shelter_app.errors import ShelterError, ValidationError
from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import format_date, format_datetime, isolated
from shelter_app.services.audit_log import OUTCOME_LABELS, AuditQuery
from shelter_app.services.registry import Services

from ..agenda.common import button, date_range, flow, tab_order, table
from ..background import Background
from ..cases import form as f
from ..widgets import MessageLabel, heading, named, paragraph
from .model import AuditLogModel

# (key, label, days back from today; None: no limit, -1: the dates typed)
PERIODS = [("any", lambda: _("Any time"), None), ("today", lambda: _("Today"), 0),
           ("week", lambda: _("Last 7 days"), 6), ("month", lambda: _("Last 30 days"), 29),
           ("year", lambda: _("Last 12 months"), 364),
           ("dates", lambda: _("Between dates…"), -1)]


def may_see_audit(services: Services) -> bool:
    return services.ctx.allowed(Action.VIEW_AUDIT)


def _combo(name: str, items: list[tuple[str, str]]) -> QComboBox:
    combo = QComboBox()
    for key, label in items:
        combo.addItem(label, key)
    named(combo, name)
    named(combo.view(), name)
    return combo


def _labelled(text: str, widget: QWidget) -> QWidget:
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    label = QLabel(text)
    label.setBuddy(widget)
    row.addWidget(label)
    row.addWidget(widget)
    return holder


class AuditLogPage(QWidget):
    def __init__(self, services: Services, background: Background | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audit_page")
        self._services = services
        self._ready = False  # filters apply once the opening was recorded
        self.error = MessageLabel()
        self.model = AuditLogModel(services, self)
        self.view = table(self.model, _("Audit log"),
                          _("Every event recorded in the vault, newest first"))
        self.view.setWordWrap(False)
        self.period = _combo(_("Period"), [(k, label()) for k, label, _d in PERIODS])
        self.since = f.date("since", _("&From:"))
        self.until = f.date("until", _("&To:"))
        self.person = _combo(_("Person"), [("", _("Anyone"))])
        self.kind = _combo(_("Kind of event"),
                           [("", _("Any kind")), *services.audit_log.kinds()])
        self.outcome = _combo(_("Outcome"), [("", _("Any outcome"))] + [
            (str(o), _(label)) for o, label in OUTCOME_LABELS.items()])
        self.show_button = button(_("&Show events"), _("Show the events that match the "
                                                        "filters, newest first"), self.apply)
        self.status = paragraph("")
        named(self.status, _("How far back the log was searched"))
        self.further_button = button(_("Look further &back"),
                                     _("Search older events for ones that match"),
                                     self.further)
        self.further_button.hide()
        self.fingerprint_button = button(_("Fin&gerprint…"), _(
            "A short code for the audit log as it stands now, to write down or file; the "
            "vault check tells later whether the log still matches it"), self.fingerprint)

        self.dates = date_range((self.since, self.until), self.apply)
        filters = flow(_labelled(_("&Period:"), self.period), self.dates,
                       _labelled(_("Pe&rson:"), self.person),
                       _labelled(_("&Kind:"), self.kind),
                       _labelled(_("O&utcome:"), self.outcome), self.show_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Audit log")))
        layout.addWidget(paragraph(_(
            "Every event the vault has recorded, newest first: who did what, when, and to "
            "which case (by its code). It never holds what was written. Opening this page "
            "is itself recorded.")))
        layout.addWidget(filters)
        layout.addWidget(self.error)
        layout.addWidget(self.view, 1)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.further_button)
        status_row.addWidget(self.fingerprint_button)
        layout.addLayout(status_row)
        tab_order(self.period, self.since.focus, self.until.focus, self.person, self.kind,
                  self.outcome, self.show_button, self.view, self.further_button,
                  self.fingerprint_button)
        self.fingerprint_box: QMessageBox | None = None

        self.model.searched.connect(self._show_status)
        self.model.failed.connect(self.error.show_message)
        for combo in (self.person, self.kind, self.outcome):
            combo.currentIndexChanged.connect(lambda _i: self.apply())
        self.period.currentIndexChanged.connect(self._period_changed)
        self._period_changed()
        try:
            services.audit_log.open()
            for user_id, name in services.audit_log.people():
                self.person.addItem(name, user_id)
        except ShelterError as exc:
            self.error.show_message(exc.message)
            return
        self._ready = True
        self.apply()

    # -- fingerprint -------------------------------------------------------------------
    def fingerprint(self) -> None:
        """Issue a fingerprint and show it in a box the person can read it off or copy."""
        try:
            made = self._services.vault_admin.fingerprint()
        except ShelterError as exc:
            self.error.show_message(exc.message)
            return
        self.error.clear_message()
        box = QMessageBox(QMessageBox.Icon.Information, _("Audit fingerprint"), "", parent=self)
        box.setObjectName("fingerprint_box")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(isolated(made.text))
        box.setInformativeText(_(
            "Write this fingerprint down with today's date ({date}), or file it with the "
            "organisation's records. An administrator can type it into the vault check "
            "(Administration, Vault tab) at any later time: if audit events up to "
            "#{seq} are changed, deleted, or replaced with an older copy of the database, it "
            "no longer matches.").format(date=format_date(made.issued_at.date()),
                                         seq=made.seq))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                    | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        code = box.findChild(QLabel, "qt_msgbox_label")
        if code is not None:  # the code itself large and in fixed width, easy to copy out
            font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
            font.setPointSizeF(box.font().pointSizeF() * 1.4)
            code.setFont(font)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        self.fingerprint_box = box
        box.finished.connect(lambda _r: setattr(self, "fingerprint_box", None))
        box.open()
        self.apply()  # the issue is an event of its own

    # -- filters -----------------------------------------------------------------------
    def _period_changed(self) -> None:
        typed = self.period.currentData() == "dates"
        self.dates.setVisible(typed)
        if not typed:
            self.apply()
        else:
            self.since.focus.setFocus()

    def query(self) -> AuditQuery:
        """The filters as a query (ValidationError when a typed date is not one)."""
        key = self.period.currentData()
        days = next(d for k, _label, d in PERIODS if k == key)
        today = dt.date.today()
        since = until = None
        if days == -1:
            since = v.date(self.since.get(), "since")
            until = v.date(self.until.get(), "until")
            v.order(since, until, "until", _("The end of the period is before its start."))
        elif days is not None:
            since, until = today - dt.timedelta(days=days), today
        return AuditQuery(since=since, until=until,
                          actor_id=self.person.currentData() or None,
                          kind=self.kind.currentData() or None,
                          outcome=self.outcome.currentData() or None)

    def apply(self) -> None:
        if not self._ready:
            return
        self.error.clear_message()
        for field in (self.since, self.until):
            field.message.clear_message()
        try:
            query = self.query()
        except ValidationError as exc:
            field = self.since if exc.field == "since" else self.until
            field.message.show_message(exc.message)
            field.focus.setFocus()
            return
        self.model.reset(query)

    def further(self) -> None:
        self.model.fetchMore(self.model.index(-1, -1))
        if self.model.rowCount():
            self.view.setFocus()

    def _show_status(self) -> None:
        shown = self.model.rowCount()
        more = self.model.canFetchMore()
        reached = self.model.searched_to
        if not more:
            text = ngettext("{n} event.", "{n} events, oldest last.", shown).format(n=shown) \
                if shown else _("No events match these filters.")
        elif reached is not None and shown == 0:
            text = _("No matching events since {date} yet.").format(
                date=format_datetime(reached))
        else:
            text = ngettext("{n} event so far; scroll down for older ones.",
                            "{n} events so far; scroll down for older ones.",
                            shown).format(n=shown)
            if reached is not None:
                text += " " + _("Searched back to {date}.").format(date=format_date(
                    reached.astimezone().date()))
        self.status.setText(text)
        self.status.setAccessibleDescription(text)
        self.further_button.setVisible(more)

    # -- the end of the session ----------------------------------------------------------
    def end_session(self) -> None:
        self._ready = False  # emptying the filters must not load the log again
        self.model.clear()
        self.person.clear()
        self.status.clear()
        self.error.clear_message()

