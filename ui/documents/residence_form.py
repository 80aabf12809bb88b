"""The residence packet's own choices in the documents dialog: the template (only those a
legal matter of the case fits, by type and jurisdiction), the matter it is built from, and
the pre-flight list of what is still missing.

A template with one matter that fits takes it; with several, the one the core would take
unasked (the only one prepared with the template) is chosen, else none until the volunteer
chooses, and the pre-flight says why.  Every change asks the core again, off the GUI
thread; only the answer to the latest question is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QCheckBox

from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.services.document_files import editable_path, working_path
from shelter_app.services.registry import Services
from shelter_app.services.residence_data import describe

from ..background import Background
from ..widgets import named
from .choices import Choices, MissingList, contained
from .translations import TranslationsList


def saved_notice(document: Any, path: Path) -> str:
    """What the dialog says once a document is saved: where, and where the files that go
    beside a residence packet went."""
    if document.working is None:
        return fill(_("Saved as {name}."), name=path.name)
    if document.kind == "referral":
        return fill(_("Saved as {name}, and her own copy as {copy}."), name=path.name,
                    copy=working_path(path, "referral").name)
    if document.editable:
        return fill(_("Saved as {name}, its working papers as {working} and editable copies as "
                      "{letter} and {statement}."), name=path.name,
                    working=working_path(path).name,
                    letter=editable_path(path, "letter").name,
                    statement=editable_path(path, "statement").name)
    return fill(_("Saved as {name}, and its working papers as {working}."), name=path.name,
                working=working_path(path).name)


class ResidenceForm(QObject):
    """``template``, ``matter`` and ``missing`` are the dialog's rows, ``working`` the
    switch between the bundle and its working papers in the preview; ``changed`` is
    emitted when a choice changes (the dialog drops what it showed)."""

    changed = Signal()

    def __init__(self, services: Services, background: Background, case_id: str,
                 recipient: Callable[[], str | None], parent: QObject) -> None:
        super().__init__(parent)
        self._s = services
        self._background = background
        self._case_id = case_id
        self._recipient = recipient
        self._asked = 0  # pre-flight checks asked for
        self._matters: dict[str, list[Any]] = {}
        self._exhibits: tuple[tuple[str, str, str], ...] = ()  # as the table shows them
        self.template = Choices(_("Template"))
        self.matter = Choices(_("Legal matter"))
        self.matter.setPlaceholderText(_("Choose the legal matter"))
        self.missing = MissingList()
        # beside the preview: the packet is two files, and either can be looked at
        self.working = QCheckBox(self.shown_label())  # its name follows the kind (dialog)
        self.working.hide()
        self.editable = named(QCheckBox(_("Also the letter and the statement as editable Word "
                                          "&files (not encrypted)")),
                              _("Editable Word files"))
        self.editable.toggled.connect(lambda _on: self.changed.emit())
        self.translations = TranslationsList()
        self.translations.changed.connect(self._matter_changed)
        self.template.currentIndexChanged.connect(self._template_changed)
        self.matter.currentIndexChanged.connect(self._matter_changed)

    @staticmethod
    def shown_label() -> str:
        """The preview's switch to the working papers."""
        return _("Show the wor&king papers (not for filing)")

    def fill(self) -> str:
        """List the templates the case's matters fit; what to tell the user when none do
        ("" when some do)."""
        self.template.blockSignals(True)
        try:
            self.template.clear()
            self._matters.clear()
            for template, matters in self._s.documents.residence_offers(self._case_id):
                self.template.add(template.name, template.id)
                self._matters[template.id] = matters
        finally:
            self.template.blockSignals(False)
        self._fill_matters()
        if self.template.count():
            return ""
        self.missing.show_items([])
        return self.none_fits

    @property
    def none_fits(self) -> str:
        return _("No residence template fits this case's legal matters. In the Legal matters "
                 "tab, open the matter, and record its jurisdiction or choose its template.")

    def _fill_matters(self) -> None:
        self.matter.blockSignals(True)
        try:
            self.matter.clear()
            matters = self._matters.get(self.template.value() or "", [])
            for matter in matters:
                self.matter.add(describe(matter), matter.id)
            self.matter.setCurrentIndex(0 if len(matters) == 1 else -1)
        finally:
            self.matter.blockSignals(False)

    def _template_changed(self) -> None:
        self._fill_matters()
        self.changed.emit()
        self.check()

    def _matter_changed(self) -> None:
        self.changed.emit()
        self.check()

    def request(self) -> dict[str, Any]:
        """The template and matter chosen, as the core's arguments."""
        return {"template_id": self.template.value(), "matter_id": self.matter.value(),
                "editable": self.editable.isChecked(),
                **({"translations": chosen} if (chosen := self.translations.chosen()) else {})}

    def check(self) -> None:
        """Run the pre-flight check for the choices as they now are."""
        template = self.template.value()
        if template is None:
            return
        matter, recipient = self.matter.value(), self._recipient()
        translated = self.translations.chosen()
        self._asked += 1
        asked = self._asked
        self.missing.show_items([_("Checking…")])
        self._background.run(
            contained(lambda: (self._s.documents.residence_check(
                self._case_id, template, matter_id=matter, recipient_id=recipient,
                translations=translated), self._attachments())),
            lambda outcome: self._checked(asked, outcome), self._crashed, context=self)

    def _checked(self, asked: int, outcome: tuple[bool, Any]) -> None:
        if asked != self._asked:
            return  # a newer check is on its way
        ok, answer = outcome
        if not ok:
            self.missing.show_items([str(answer)])
            return
        value, attachments = answer
        if value.matter is not None and self.matter.value() is None:
            self.matter.blockSignals(True)  # the one the core takes unasked: shown as chosen
            self.matter.select(value.matter.id)
            self.matter.blockSignals(False)
        self.missing.show_items(list(value.missing) or [_("Nothing is missing.")])
        if value.exhibits != self._exhibits:  # rebuilt only when the exhibits change
            self._exhibits = value.exhibits
            self.translations.show_exhibits(value.exhibits, attachments)

    def _attachments(self) -> list[tuple[str, str]]:
        """The case's attachments a translation can be chosen from (read with the check,
        off the GUI thread)."""
        try:
            return [(a.id, a.label or a.file_name)
                    for a in self._s.attachments.list(self._case_id)]
        except ShelterError:
            return []

    @staticmethod
    def _crashed(exc: BaseException) -> None:  # only a BaseException gets this far
        raise exc
