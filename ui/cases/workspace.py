"""One open case: its tabs, each present only when the user's roles allow that section.

| tab | shown when the user may, on this case |
|---|---|
| Profile | read the case (always, or it would not open) |
| Consent | read the case (recording needs ``case.consent``) |
| Services | record services (legal volunteers: never) |
| Referrals, Appointments | manage referrals; manage appointments |
| Timeline, Family | read the case (recording needs ``case.timeline``, ``case.family``) |
| Legal matters | read legal matters |
| Proceedings, Compensation, Non-punishment | read legal matters |
| Documents, Attachments | produce packets; manage documents |
| History | read the case (each sees the changes to the sections they may read) |
| Tasks | manage the case's tasks |

Tabs other than Profile are built the first time they are shown, so opening a case reads
only what is looked at.  The workspace's title (the tab in the case area) is the case code.

The header shows the status and risk, who the case is assigned to and whom it is shared
with, and "Change status…", "Assign…", "Share with legal volunteer…" and "Erase records…"
(``erased``: ui/retention/erase_dialog.py), each only when the roles allow it.  After a
change the header, the profile and the case list are refreshed (``changed``) and a line
under the header says what changed and how to change it back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain import names, vocab
from shelter_app.domain.history import isolate, join
from shelter_app.domain.records import CaseRecord
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.services.registry import Services

from ..agenda.common import select_row
from ..background import Background
from ..retention.erase_dialog import erase_button
from ..widgets import MessageLabel, heading, named
from .case_actions import (
    HEADER_ACTIONS,
    CaseActionDialog,
    confirmation,
    next_deadline,
    site_name,
)
from .tabs.appointments import AppointmentsTab
from .tabs.attachments import AttachmentsTab
from .tabs.base import DONE_STYLE, ListTab
from .tabs.claims import ClaimsTab
from .tabs.consent import ConsentTab
from .tabs.documents import DocumentsTab
from .tabs.family import FamilyTab
from .tabs.history import HistoryTab
from .tabs.legal import LegalTab, open_missing
from .tabs.non_punishment import NonPunishmentTab
from .tabs.proceedings import ProceedingsTab
from .tabs.profile import ProfileTab
from .tabs.referrals import ReferralsTab
from .tabs.services import ServicesTab
from .tabs.tasks import TasksTab
from .tabs.timeline import TimelineTab

TabMaker = Callable[["CaseWorkspace"], QWidget]


def _tab(cls: Callable[..., ListTab], *, legal: bool = False) -> TabMaker:
    """The maker of a list tab of the case (a *legal* one keeps the header's deadline)."""
    def make(w: CaseWorkspace) -> QWidget:
        tab = cls(w.services, w.background, w.case_id, w.scope)
        tab.changed = w.show_deadline if legal else None
        if isinstance(tab, NonPunishmentTab):
            tab.letter = w.open_letter
        if isinstance(tab, ProceedingsTab):
            tab.book = w.book_hearing
        return tab
    return make


# key, label, the action that shows it, maker
TABS: list[tuple[str, Callable[[], str], Action | None, TabMaker]] = [
    ("consent", lambda: _("Co&nsent"), Action.READ_CASE, _tab(ConsentTab)),
    ("services", lambda: _("Ser&vices"), Action.RECORD_SERVICE, _tab(ServicesTab)),
    ("referrals", lambda: _("Re&ferrals"), Action.MANAGE_REFERRALS, _tab(ReferralsTab)),
    ("appointments", lambda: _("Appoint&ments"), Action.MANAGE_APPOINTMENTS,
     _tab(AppointmentsTab)),
    ("timeline", lambda: _("Tim&eline"), Action.READ_CASE, _tab(TimelineTab)),
    ("family", lambda: _("Fa&mily"), Action.READ_CASE, _tab(FamilyTab)),
    ("legal", lambda: _("Le&gal matters"), Action.READ_LEGAL, _tab(LegalTab, legal=True)),
    ("proceedings", lambda: _("Pr&oceedings"), Action.READ_LEGAL,
     _tab(ProceedingsTab, legal=True)),
    ("claims", lambda: _("Compen&sation"), Action.READ_LEGAL, _tab(ClaimsTab, legal=True)),
    ("non_punishment", lambda: _("Non-&punishment"), Action.READ_LEGAL,
     _tab(NonPunishmentTab, legal=True)),
    ("documents", lambda: _("Doc&uments"), Action.PRODUCE_PACKET,
     lambda w: DocumentsTab(w.services, w.background, w.case_id, opener=w.open_missing)),
    ("attachments", lambda: _("Attac&hments"), Action.MANAGE_DOCUMENTS,
     lambda w: AttachmentsTab(w.services, w.background, w.case_id, w.scope, code=w.code,
                              name_tokens=w.name_tokens)),
    ("history", lambda: _("Histor&y"), Action.READ_CASE, _tab(HistoryTab)),
    ("tasks", lambda: _("Tas&ks"), Action.MANAGE_TASKS, _tab(TasksTab)),
]


class CaseWorkspace(QWidget):
    saved = Signal(str)  # case id, after the profile was saved
    changed = Signal(str)  # case id, after its status, assignment or sharing changed
    erased = Signal(str, str)  # case id and what was removed, once its records are gone

    def __init__(self, services: Services, background: Background, record: CaseRecord,
                 scope: Scope, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("case_workspace")
        self.services = services
        self.background = background
        self.case_id = record.id
        self.code = record.code
        self.scope = scope
        ctx = services.ctx
        self.title = heading(record.code, scale=1.2)
        named(self.title, fill(_("Case {code}"), code=record.code))
        self.state = QLabel()
        named(self.state, _("Case status"))
        self.team = QLabel()
        self.team.setWordWrap(True)
        named(self.team, _("Who works on this case"))
        self.deadline = QLabel()
        self.deadline.setWordWrap(True)
        named(self.deadline, _("Next legal deadline"))
        self.deadline.setVisible(ctx.allowed(Action.READ_LEGAL, scope))
        self.error = MessageLabel()
        self.notice = MessageLabel(DONE_STYLE)
        self.notice.setAccessibleName(_("Done"))
        self.erase_button = erase_button(self)  # coordinators (ui/retention/erase_dialog.py)
        self.status_button, self.assign_button, self.site_button, self.share_button = (
            self._action_button(*each) for each in HEADER_ACTIONS)
        if not services.sites.all():  # the organisation has none to choose from
            self.site_button.setVisible(False)
        self.dialog: CaseActionDialog | None = None
        self._team: tuple[str | None, list[str]] = (None, [])
        self._site: str | None = None  # the name of the case's site, as shown
        self.profile = ProfileTab(services, record, scope)
        self.profile.saved.connect(self._saved)
        self.tabs = QTabWidget()
        named(self.tabs, fill(_("Sections of case {code}"), code=record.code))
        self.tabs.addTab(self.profile, _("&Profile"))
        self.keys = ["profile"]
        self._makers: dict[str, TabMaker] = {}
        for key, label, action, maker in TABS:
            if action is None or ctx.allowed(action, scope):
                placeholder = QWidget()
                placeholder.setObjectName(f"pending_{key}")
                self.tabs.addTab(placeholder, label())
                self.keys.append(key)
                self._makers[key] = maker
        self.built: dict[str, QWidget] = {"profile": self.profile}
        self.tabs.currentChanged.connect(self._tab_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        header = QHBoxLayout()
        lines = QVBoxLayout()
        lines.addWidget(self.state)
        lines.addWidget(self.team)
        lines.addWidget(self.deadline)
        header.addLayout(lines, 1)
        for each in (self.status_button, self.assign_button, self.site_button, self.share_button,
                     self.erase_button):
            header.addWidget(each)
        layout.addLayout(header)
        layout.addWidget(self.notice)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)
        self._show_state(record)
        self.profile.restore_draft()

    def _action_button(self, text: str, name: str, tip: str,
                       dialog: type[CaseActionDialog], shown: Action) -> QPushButton:
        """A header button opening *dialog*, shown when *shown* is allowed on the case."""
        button = QPushButton(_(text))
        named(button, _(name), _(tip))
        button.setVisible(self.services.ctx.allowed(shown, self.scope))
        button.clicked.connect(lambda: self.open_action(dialog))
        return button

    def _show_state(self, record: CaseRecord) -> None:
        status = vocab.CASE_STATUS.label(record.case["status"])
        risk = record.case.get("risk_level")
        parts = [_("Status: {status}").format(status=status)]
        if risk:
            parts.append(_("Risk: {risk}").format(risk=vocab.RISK_LEVEL.label(risk)))
        if record.case.get("is_draft"):
            parts.append(_("Intake not finished (draft)"))
        self.state.setText(" · ".join(parts))
        self._show_team()
        self.show_deadline()

    def show_deadline(self) -> None:
        """The soonest open deadline of the case's legal matters, in the header."""
        if not self.deadline.isHidden():
            text, overdue = next_deadline(self.services, self.case_id)
            self.deadline.setText(text)
            self.deadline.setStyleSheet(DONE_STYLE if overdue else "")  # bold

    def _show_team(self) -> None:
        """Who the case is assigned to and whom it is shared with, by name."""
        try:
            assigned, shared = self.services.cases.team(self.case_id)
        except ShelterError:
            self.team.clear()
            return
        self._team = (assigned, shared)
        parts = [fill(_("Assigned to {name}"), name=isolate(assigned)) if assigned
                 else _("Not assigned to anyone")]
        parts.append(fill(_("Shared with {names}"), names=join([isolate(n) for n in shared]))
                     if shared else _("Not shared with a legal volunteer"))
        self._site = site_name(self.services, self.case_id)
        if self._site is not None:
            parts.append(fill(_("Handled at {site}"), site=isolate(self._site)))
        self.team.setText(" · ".join(parts))
        self.team.setAccessibleDescription(self.team.text())

    def open_action(self, kind: type[CaseActionDialog]) -> CaseActionDialog | None:
        """Open the status, assignment or sharing dialog (None, reason shown, if refused)."""
        record = self.profile.record
        if record is None:
            return None
        self.error.clear_message()
        self.notice.clear_message()
        try:
            dialog = kind(self.services, record, self)
        except ShelterError as exc:
            self.error.show_message(exc.message)
            return None
        dialog.accepted.connect(self._action_done)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _action_done(self) -> None:
        before = self._team
        status = self.profile.record.case["status"] if self.profile.record else ""
        try:
            record = self.services.cases.get(self.case_id)
        except ShelterError as exc:  # e.g. no longer allowed to read it
            self.error.show_message(exc.message)
            self.changed.emit(self.case_id)
            return
        if self.profile.editing:  # the edit keeps its fields; status is not one of them
            self.profile.record = record
        else:
            self.profile.load(record)
        site = self._site
        self._show_state(record)
        self.notice.show_message(confirmation(self.code, self.profile.record, status,
                                              before, self._team, (site, self._site)))
        self.changed.emit(self.case_id)

    def _saved(self, record: CaseRecord) -> None:
        self._show_state(record)
        self.saved.emit(record.id)

    def _tab_changed(self, index: int) -> None:
        if 0 <= index < len(self.keys):
            self.tab(self.keys[index])

    def tab(self, key: str) -> QWidget:
        """The tab *key*, built now if it was not yet (KeyError when it is absent)."""
        if key in self.built:
            return self.built[key]
        index = self.keys.index(key)
        try:
            widget = self._makers[key](self)
        except ShelterError as exc:
            self.error.show_message(exc.message)
            widget = QWidget()
        mark_clean = getattr(widget, "mark_clean", None)
        if callable(mark_clean):
            mark_clean()
        if isinstance(widget, ListTab):
            widget.restore_draft()
        self.built[key] = widget
        current = self.tabs.currentIndex()
        label = self.tabs.tabText(index)
        old = self.tabs.widget(index)
        focus = self.window().focusWidget()
        had_focus = focus is not None and (focus is old or old.isAncestorOf(focus))
        self.tabs.blockSignals(True)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, widget, label)
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(False)
        if had_focus:  # the tab just clicked: Qt would hand the focus on, to Quick exit
            self.tabs.setFocus(Qt.FocusReason.OtherFocusReason)
        old.deleteLater()
        return widget

    def open_missing(self, field: str, ref: str) -> None:
        """A line of a packet's "Still missing" list, opened (``tabs.legal.open_missing``)."""
        if "legal" in self.keys:
            open_missing(self, field, ref)

    def open_letter(self, record_id: str) -> None:
        """The Documents tab's window, with the non-punishment letter about *record_id*."""
        tab = self.show_tab("documents") if "documents" in self.keys else None
        if isinstance(tab, DocumentsTab):
            tab.panel.open_dialog().choose("non_punishment", record_id)

    def book_hearing(self, day: dt.date) -> None:
        """The Appointments tab, its form set for a court hearing on *day*."""
        tab = self.show_tab("appointments") if "appointments" in self.keys else None
        if isinstance(tab, AppointmentsTab):
            tab.prefill_hearing(day)

    def start_control(self) -> QWidget:
        """Where the keyboard starts in this case (``MainWindow.focus_content``): its tab
        bar, from which the arrow keys change the tab and Tab goes into it."""
        return self.tabs

    def show_tab(self, key: str, record_id: str | None = None) -> QWidget:
        """Show the tab *key*, with the record *record_id* selected in its list if given."""
        widget = self.tab(key)
        self.tabs.setCurrentIndex(self.keys.index(key))
        if record_id is not None and isinstance(widget, ListTab) and record_id in widget.ids:
            select_row(widget.table, widget.ids.index(record_id))  # selectRow fails in RTL
            widget.table.setFocus()
        return widget

    def name_tokens(self) -> set[str]:
        record = self.profile.record
        if record is None:
            return set()
        s = record.survivor
        texts = [s.get("legal_name", ""), s.get("preferred_name", ""), *s.get("aliases", [])]
        return {names.latin(t) for text in texts for t in names.tokens(text)}

    # -- unsaved work and the end of the session ---------------------------------------
    # The profile's edits, and anything typed in a record tab's add form and not recorded;
    # at auto-lock and quick exit both are kept as drafts in the vault, nowhere else.
    def _forms(self) -> list[ListTab]:
        return [w for w in self.built.values() if isinstance(w, ListTab)]

    def has_unsaved(self) -> bool:
        return self.profile.has_unsaved() or any(t.has_unsaved() for t in self._forms())

    def save(self) -> bool:
        if not self.profile.save():
            self.tabs.setCurrentIndex(0)
            return False
        for tab in self._forms():
            if not tab.save_form():
                self.tabs.setCurrentWidget(tab)
                return False
        return True

    def discard(self) -> None:
        self.profile.cancel()
        for tab in self._forms():
            tab.discard_form()

    def keep_draft(self) -> None:
        """Keep the profile's edits and every half-typed add form as drafts in the vault."""
        self.profile.keep_draft()
        for tab in self._forms():
            tab.keep_draft()

    def forget(self) -> None:
        """Drop every record this workspace shows (the session is ending)."""
        for widget in self.built.values():
            forget = getattr(widget, "forget", None)
            if callable(forget):
                forget()
        if self.dialog is not None:
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
        self.title.clear()
        self.state.clear()
        self.team.clear()
        self.notice.clear_message()
        self.error.clear_message()
