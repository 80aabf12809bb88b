"""The intake of a new survivor, in five steps, with the duplicate check before creating.

Steps: identity and languages → contact and safe contact → situation and exploitation →
risk and immediate needs → consent.  "Next" checks what was typed with the core's own
rules (``clean_survivor``, ``clean_case``); a refusal is shown beside its field and the
step stays.  Leaving the first step (and creating, if the names changed since) runs the
duplicate check: possible existing records are shown, with their reasons, *before*
anything is created; the person opens one or continues.

"Create case" creates the survivor and case in one service call, then records the consent
if the last step was filled in.  If the consent is refused the case stays created, the
dialog says so, and the consent can be corrected and recorded again or later in the case.
"Save as draft" creates the case marked as a draft (``CaseInput.is_draft``).

Keyboard: Enter is Next (Create on the last step), Escape cancels, every field and button
has a mnemonic, and the tab order follows the page.  At auto-lock and quick exit what was
typed is kept as an intake draft inside the vault and offered again next time.
"""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain.records import clean_case, clean_survivor
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import ShelterError, ValidationError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill, format_datetime
from shelter_app.services.registry import Services

from ..background import Background
from ..widgets import NOTICE_STYLE, BusyBar, MessageLabel, heading, named, paragraph
from . import form as f
from .duplicates import DuplicatesPanel
from .intake_consent import consent_page
from .record_fields import (
    SECTION_TITLES,
    build_section,
    case_input,
    section_fields,
    site_field,
    survivor_input,
)
from .tabs.consent import ConsentForm

SECTIONS = ("identity", "contact", "situation", "risk")
DRAFT_KIND = "intake"
IDENTITY_KEYS = ("legal_name", "preferred_name", "aliases", "birth_date", "citizenship")


class IntakeDialog(QDialog):
    created = Signal(str)  # case id
    open_requested = Signal(str)  # a possible duplicate the user chose to open
    record_consent: QCheckBox  # the last step's (intake_consent.py)
    consent_form: ConsentForm

    def __init__(self, services: Services, background: Background,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("intake")
        self.setWindowTitle(_("New case"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._services = services
        self._background = background
        self._checked: tuple[Any, ...] | None = None  # identity the duplicate check saw
        self._pending_finish: bool | None = None  # is_draft, while a check runs to finish
        self.case: Any = None  # the CaseRecord once created
        self._kept: dict[str, Any] = {}  # what keep_draft last kept
        self.form = f.Form(self)
        self.consent = f.Form(self)
        ctx = services.ctx
        health = any(ctx.allowed(Action.EDIT_HEALTH, s) for s in (Scope.ASSIGNED, Scope.OTHER))

        self.step = paragraph("")
        named(self.step, _("Step"))
        self.notice = MessageLabel(NOTICE_STYLE)
        self.notice.setAccessibleName(_("Notice"))
        self.error = MessageLabel()
        self.busy = BusyBar(_("Checking for existing records…"))
        self.pages = QStackedWidget()
        self.page_of: dict[str, int] = {}
        self.duplicates = DuplicatesPanel(self._open_match, self._continue_after_check)
        for number, section in enumerate(SECTIONS):
            body = QWidget()
            column = QVBoxLayout(body)
            column.addWidget(heading(SECTION_TITLES[section](), scale=1.2))
            if section == "identity":  # above the form: seen without scrolling
                column.addWidget(self.duplicates)
            layout = QFormLayout()
            layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            column.addLayout(layout)
            for field in build_section(self.form, layout, section, health=health):
                self.page_of[field.name] = number
            if section == "risk" and (site := site_field(services.sites.all(retired=False))):
                self.page_of["site"] = number
                self.form.add(layout, site)
            column.addStretch(1)
            self.pages.addWidget(self._scrolled(body))
        self.pages.addWidget(self._scrolled(consent_page(self)))

        self.cancel_button = QPushButton(_("Cancel"))
        named(self.cancel_button, _("Cancel"), _("Close without creating the case (Escape)"))
        self.cancel_button.clicked.connect(self.reject)
        self.back_button = QPushButton(_("&Back"))
        named(self.back_button, _("Back"))
        self.back_button.clicked.connect(self.back)
        self.draft_button = QPushButton(_("Save as &draft"))
        named(self.draft_button, _("Save as draft"),
              _("Create the case now, marked as a draft, and finish the intake later"))
        self.draft_button.clicked.connect(lambda: self.finish(is_draft=True))
        self.next_button = QPushButton(_("&Next"))
        named(self.next_button, _("Next"))
        self.next_button.clicked.connect(self.next)
        self.create_button = QPushButton(_("&Create case"))
        named(self.create_button, _("Create case"))
        self.create_button.clicked.connect(lambda: self.finish(is_draft=False))
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        for button in (self.back_button, self.draft_button, self.next_button,
                       self.create_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.step)
        layout.addWidget(self.notice)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addLayout(buttons)
        self.form.changed.connect(self.error.clear_message)
        em = self.fontMetrics().horizontalAdvance("M")
        self.setMinimumWidth(em * 40)
        screen = self.screen().availableGeometry()
        self.resize(min(em * 60, int(screen.width() * 0.9)),
                    min(em * 46, int(screen.height() * 0.9)))
        self.form.load({})
        self.consent.load({})
        self.show_step(0)
        self._restore_draft()

    @staticmethod
    def _scrolled(body: QWidget) -> QScrollArea:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        return scroll

    # -- moving between steps ----------------------------------------------------------
    @property
    def current(self) -> int:
        return self.pages.currentIndex()

    def show_step(self, number: int) -> None:
        self.pages.setCurrentIndex(number)
        last = number == self.pages.count() - 1
        titles = [SECTION_TITLES[s]() for s in SECTIONS] + [_("Consent")]
        self.step.setText(_("Step {n} of {total}: {title}").format(
            n=number + 1, total=self.pages.count(), title=titles[number]))
        self.back_button.setEnabled(number > 0)
        self.next_button.setVisible(not last)
        self.create_button.setVisible(last)
        (self.create_button if last else self.next_button).setDefault(True)
        first = [n for n, p in self.page_of.items() if p == number]
        if first:
            self.form[first[0]].focus.setFocus()
        elif last:
            self.record_consent.setFocus()

    def back(self) -> None:
        if self.current > 0:
            self.show_step(self.current - 1)

    def next(self) -> None:
        if self.busy.isVisibleTo(self) or not self.check(upto=self.current):
            return
        if self.current == 0 and self._identity() != self._checked:
            self._check_duplicates(then=lambda: self.show_step(1))
            return
        self.show_step(min(self.current + 1, self.pages.count() - 1))

    def check(self, upto: int) -> bool:
        """Check the fields of steps up to *upto* with the core's rules; show the first
        problem beside its field (on its step).  Later steps are checked when reached."""
        values = self.form.values()
        self.error.clear_message()
        for page in range(upto + 1):  # a date that cannot be read stops here, beside it
            if self.form.problems(names := [n for n, p in self.page_of.items() if p == page]):
                self.show_step(page)
                return self.form.check_fields(names)
        for clean, make in ((clean_survivor, survivor_input), (clean_case, case_input)):
            try:
                clean(make(values))  # type: ignore[operator]
            except ValidationError as exc:
                page = self.page_of.get(exc.field or "", 0)
                if page <= upto:
                    self.show_step(page)
                    if not self.form.show_error(exc):
                        self.error.show_message(exc.message)
                    return False
        return True

    # -- the duplicate check ------------------------------------------------------------
    def _identity(self) -> tuple[Any, ...]:
        values = self.form.values()
        return tuple(str(values.get(k)) for k in IDENTITY_KEYS)

    def _check_duplicates(self, then: Any) -> None:
        identity, survivor = self._identity(), survivor_input(self.form.values())
        search = self._services.search
        self.busy.show()
        self._then = then

        def done(result: tuple[list[Any], int]) -> None:
            found, elsewhere = result
            self.busy.hide()
            self._checked = identity
            fresh, more_elsewhere = self.duplicates.unanswered(found, elsewhere)  # not asked
            if fresh or more_elsewhere:
                again = self.current != 0 or self.duplicates.answered()
                self.show_step(0)
                self.duplicates.show_matches(fresh, more_elsewhere, again=again)
            else:
                self.duplicates.clear()
                then()

        def failed(exc: BaseException) -> None:
            self.busy.hide()
            if not isinstance(exc, ShelterError):
                raise exc
            self.error.show_message(exc.message)

        self._background.run(
            lambda: (search.duplicates(survivor), search.duplicates_elsewhere(survivor)),
            done, failed, context=self)

    def _continue_after_check(self) -> None:
        self.duplicates.clear()
        self._then()

    def _open_match(self, case_id: str) -> None:
        self._discard_draft()
        self.open_requested.emit(case_id)
        self.done(QDialog.DialogCode.Rejected)

    # -- creating ------------------------------------------------------------------
    def finish(self, *, is_draft: bool) -> None:
        if self.case is not None:  # created already; only the consent is left
            self._record_consent()
            return
        if self.busy.isVisibleTo(self) or not self.check(upto=len(SECTIONS)):
            return
        if self._identity() != self._checked:
            self._check_duplicates(then=lambda: self.finish(is_draft=is_draft))
            return
        values = self.form.values()
        try:
            self.case = self._services.cases.create(survivor_input(values),
                                                    case_input(values, is_draft=is_draft),
                                                    site_id=values.get("site") or None)
        except ValidationError as exc:
            page = self.page_of.get(exc.field or "")
            if page is not None:
                self.show_step(page)
            if not self.form.show_error(exc):
                self.error.show_message(exc.message)
            return
        except ShelterError as exc:
            self.error.show_message(exc.message)
            return
        self._discard_draft()
        self._record_consent()

    def _record_consent(self) -> None:
        case = self.case
        answer = self.consent.values().get("reporting_consent", "not_asked")
        try:  # once: pressing Record consent again does not record it again
            if self._services.consent.reporting(case.id).answer != answer:
                self._services.consent.set_reporting(case.id, answer)
        except ShelterError as exc:
            self.error.show_message(exc.message)
            return
        if self.record_consent.isChecked():
            self.consent.clear_errors()
            try:
                self._services.consent.record(case.id, **self.consent_form.arguments())
            except ShelterError as exc:
                self.show_step(len(SECTIONS))
                if not (isinstance(exc, ValidationError) and self.consent.show_error(exc)):
                    self.error.show_message(exc.message)
                self.notice.show_message(fill(_(
                    "Case {code} was created. The consent was not recorded: correct it and "
                    "press Record consent, or close this window and record it later in the "
                    "case's Consent tab."), code=case.code))
                self.create_button.setText(_("&Record consent"))
                named(self.create_button, _("Record consent"))
                self.cancel_button.setText(_("Close"))
                named(self.cancel_button, _("Close"))
                self.back_button.setEnabled(False)
                self.draft_button.setEnabled(False)
                return
        self.created.emit(case.id)
        self.done(QDialog.DialogCode.Accepted)

    # -- cancelling, drafts, the end of the session -----------------------------------------
    def changes(self) -> dict[str, Any]:
        return {**self.form.changes(),
                **{f"consent:{k}": v for k, v in self.consent.changes().items()}}

    def reject(self) -> None:
        if self.case is not None:  # created; closing leaves the consent for later
            self.created.emit(self.case.id)
            super().reject()
            return
        if not self.changes():
            self._discard_draft()
            super().reject()
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.windowTitle(),
                          _("Discard this intake? What was typed is not kept."),
                          QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                          self)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        named(box, box.text())
        self.confirm_box = box

        def answered(button: Any) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Discard:
                self._discard_draft()
                QDialog.reject(self)

        box.buttonClicked.connect(answered)
        box.open()

    def keep_draft(self) -> None:
        """Keep what was typed inside the vault (at any lock: an intake cannot be saved
        half-way, and locking must not throw it away)."""
        changes = self.changes()
        if changes and self.case is None and changes != self._kept:
            self._services.drafts.save(DRAFT_KIND, changes)
            self._kept = changes

    def _discard_draft(self) -> None:
        with contextlib.suppress(ShelterError):  # nothing kept, or no longer allowed
            self._services.drafts.discard(DRAFT_KIND)

    def _restore_draft(self) -> None:
        draft = self._services.drafts.get(DRAFT_KIND)
        if draft is None or not draft.changes:
            return
        mine = {k: c.get("to") for k, c in draft.changes.items() if ":" not in k}
        consent = {k.split(":", 1)[1]: c.get("to") for k, c in draft.changes.items()
                   if k.startswith("consent:")}
        self.form.put(mine)
        self.consent.put(consent)
        self.record_consent.setChecked(bool(consent))
        self.notice.show_message(_(
            "The intake you were typing on {when} was kept when the vault locked, and is "
            "shown again.").format(when=format_datetime(draft.updated_at)))

    def done(self, result: int) -> None:
        """Closing, whichever way: nothing typed stays in the hidden dialog."""
        super().done(result)
        self.forget()
        self.deleteLater()

    def forget(self) -> None:
        """Empty every field (the session is ending)."""
        self.form.forget()
        self.consent.forget()
        self.duplicates.forget()
        self.notice.clear_message()
        self.error.clear_message()
        self.case = None

    def section_of(self, name: str) -> int:
        return self.page_of.get(name, -1)

    def fields_of(self, section: str) -> list[str]:
        return section_fields(section)
