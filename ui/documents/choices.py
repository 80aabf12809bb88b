"""Small pieces the documents dialog and panel share: the kinds of document, a drop-down list
whose values stay on the Python side, the list of what a residence packet still misses, and
the wrapper that brings a worker's outcome back as plain values."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QScrollArea, QSizePolicy, QWidget

from shelter_app.domain import vocab
from shelter_app.domain.roles import Action
from shelter_app.errors import ShelterError
from shelter_app.i18n import N_, _
from shelter_app.i18n.formatting import fill, format_datetime
from shelter_app.services.registry import Services

from ..widgets import named


class Kinds(tuple[tuple[str, str], ...]):
    """The kinds of document, (code, label to translate), and those a user may make."""

    def offered(self, services: Services, case_id: str) -> list[tuple[str, str]]:
        """A referral packet needs the right to manage the case's referrals (a legal
        volunteer has not), a non-punishment letter the right to read the case's legal
        matters, her own copy the right to read its health and legal records too: none is
        offered where making it could only be refused."""
        scope = services.cases.access.scope(case_id)
        needs = {"referral": (Action.MANAGE_REFERRALS,), "non_punishment": (Action.READ_LEGAL,),
                 "own_copy": (Action.READ_HEALTH, Action.READ_LEGAL)}
        return [(code, label) for code, label in self if code not in needs
                or (scope is not None and all(services.ctx.allowed(a, scope)
                                              for a in needs[code]))]


KINDS = Kinds((("referral", N_("Referral packet")),
               ("residence", N_("Residence-status packet")),
               ("appointment_card", N_("Appointment card")),
               ("non_punishment", N_("Non-punishment letter")),
               ("own_copy", N_("Her own copy of her records"))))


def fill_targets(services: Services, case_id: str, kind: str, recipient: Choices,
                 record: Choices) -> str:
    """Fill the recipients (and, for a non-punishment letter, the records) *kind* can be
    made for; what to tell the user when there is none ("" when there are)."""
    recipient.clear()
    record.clear()
    if kind == "own_copy":
        recipient.add(_("The person herself"), "self")
        return ""
    if kind == "referral":
        open_ones = {r.partner_id for r in services.referrals.list(case_id)
                     if r.status in ("draft", "sent", "accepted")}
        for partner in services.partners.list(include_inactive=True):
            if partner.id in open_ones:  # an inactive one is listed; producing says why not
                recipient.add(partner.label, partner.id)
        return "" if recipient.count() else _(
            "There is no open referral in this case. Record the referral first.")
    if kind in ("residence", "non_punishment"):
        partners = services.partners.list()
        if kind == "residence":
            recipient.add(_("The authority named in the template"), None)
        else:  # those her consent covers for the letter first, then the others
            consented = {p.id for p in partners if {"identity", "legal"} <= set(
                services.documents.consented_sections(case_id, p.id))}
            partners.sort(key=lambda p: p.id not in consented)
        for partner in partners:
            recipient.add(partner.name, partner.id)
        if kind == "residence":
            return ""
        for r in services.non_punishment.list(case_id):
            record.add(f"{vocab.NP_MEASURE.label(r.measure)}: {r.offence}", r.id)
        if not record.count():
            return _("There is no measure against her in this case. Record it in the "
                     "Non-punishment tab first.")
        return "" if recipient.count() else _(
            "The partner directory is empty. Add the authority the letter is for first.")
    for a in services.appointments.list_for_case(case_id):
        if a.status in ("scheduled", "confirmed"):
            recipient.add(format_datetime(a.starts_at), a.id)
    return "" if recipient.count() else _("There is no upcoming appointment in this case.")


class Choices(QComboBox):
    """A drop-down list whose values stay on the Python side: Qt holds only the labels.
    (A Python string kept as an item's data and read back on a worker thread corrupted
    memory with PySide 6.12.)"""

    def __init__(self, name: str) -> None:
        super().__init__()
        named(self, name)
        self.view().setAccessibleName(name)  # the drop-down list speaks too
        # a long template name must not squeeze the preview; the open list shows it whole
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(24)
        self.currentTextChanged.connect(self.setToolTip)  # the whole name, when it is cut
        self._values: list[Any] = []

    def add(self, label: str, value: Any) -> None:
        self._values.append(value)
        self.addItem(label)

    def clear(self) -> None:
        self._values = []
        super().clear()

    def value(self) -> Any:
        index = self.currentIndex()
        return self._values[index] if 0 <= index < len(self._values) else None

    def select(self, value: Any) -> None:
        if value in self._values:
            self.setCurrentIndex(self._values.index(value))


class MissingList(QLabel):
    """What a residence packet still misses, one item a line, wrapped and never clipped: the
    label grows with its lines (the dialog's form scrolls when they are many).  A line about
    the evidence checklist is a link (mouse, or Tab and Enter): ``opened`` says what to open
    in the case (``evidence`` and the item's id, or ``checklist`` and the matter's id)."""

    opened = Signal(str, str)

    def __init__(self) -> None:
        super().__init__()
        named(self, _("Missing items"))
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        flags = Qt.TextInteractionFlag
        self.setTextInteractionFlags(flags.TextSelectableByMouse | flags.LinksAccessibleByMouse
                                     | flags.LinksAccessibleByKeyboard)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.linkActivated.connect(self._activated)
        self.items: list[str] = []

    def show_items(self, items: list[str]) -> None:
        self.items = [str(item) for item in items]
        lines = []
        for item in items:
            text = html.escape(str(item))
            field, ref = getattr(item, "field", ""), getattr(item, "ref", "")
            if ref and field in ("evidence", "checklist"):
                text = f'<a href="{field}:{html.escape(ref)}">{text}</a>'
            lines.append(f"• {text}")
        self.setText("<br>".join(lines))
        self.setAccessibleDescription("\n".join(self.items))
        linked = any(getattr(item, "ref", "") for item in items)
        self.setToolTip(_("Open a line to complete it in the case's Legal matters tab (this "
                          "window closes; make the document again when it is done).")
                        if linked else "")

    def _activated(self, link: str) -> None:
        field, _sep, ref = link.partition(":")
        self.opened.emit(field, ref)


class VerticalScroll(QScrollArea):
    """A frameless area that scrolls up and down, never sideways: it is never narrower than
    its content needs (a plain scroll area would clip the content's fields on the right)."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # set by setWidget
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # rows shown or hidden: the width it needs may have changed
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:
        inner = self.widget().minimumSizeHint()
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(inner.width() + bar, min(inner.height(), 200))


def contained(fn: Callable[[], Any]) -> Callable[[], tuple[bool, Any]]:
    """*fn* made to return (True, result) or (False, message): only plain values cross back
    to the GUI thread, never an exception whose traceback holds the worker's frames (and,
    through them, Qt objects the worker thread has already deleted)."""
    def run() -> tuple[bool, Any]:
        try:
            return True, fn()
        except ShelterError as exc:
            return False, str(exc)
        except Exception as exc:
            return False, fill(_("Unexpected error ({kind}). Please report it."),
                kind=type(exc).__name__)
    return run
