"""The Cases section: the case list in the first tab, each open case in a tab of its own.

Case tabs are titled with the case code, never a name (the tab bar is on screen whenever
the window is, including in screen sharing).  Closing a case with unsaved edits asks Save /
Discard / Cancel.  The section answers the main window's questions at the end of a session
(``has_unsaved``, ``save_all``, ``keep_drafts``, ``end_session``: see ``ui/pages.py``).
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMessageBox, QTabWidget, QWidget

from shelter_app.domain.roles import Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.services.registry import Services

from ..background import Background
from ..widgets import named
from .carried import CarriedEdits
from .intake import IntakeDialog
from .list_page import CaseListPage
from .tabs.base import ListTab
from .workspace import CaseWorkspace


class CasesSection(QTabWidget):
    case_opened = Signal(str)

    def __init__(self, services: Services, background: Background,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cases_section")
        self._services = services
        self._background = background
        self.setTabsClosable(True)
        self.setMovable(False)
        self.setDocumentMode(True)
        named(self, _("Cases"), _("The case list and the cases you have open"))
        self.list_page = CaseListPage(services, background)
        self.addTab(self.list_page, _("Case list"))
        for side in (self.tabBar().ButtonPosition.LeftSide, self.tabBar().ButtonPosition.RightSide):
            self.tabBar().setTabButton(0, side, None)  # the list cannot be closed
        self.list_page.open_requested.connect(self.open_case)
        self.list_page.new_case_requested.connect(self.new_case)
        self.tabCloseRequested.connect(self.close_case_at)
        self.intake: IntakeDialog | None = None
        self.closing_box: QMessageBox | None = None

    # -- opening and closing ---------------------------------------------------------
    def workspaces(self) -> list[CaseWorkspace]:
        return [w for i in range(self.count())
                if isinstance(w := self.widget(i), CaseWorkspace)]

    def workspace(self, case_id: str) -> CaseWorkspace | None:
        return next((w for w in self.workspaces() if w.case_id == case_id), None)

    def open_case(self, case_id: str, tab: str | None = None,
                  record_id: str | None = None) -> CaseWorkspace | None:
        """Show the case (opening it if needed), at its tab *tab* with *record_id* selected
        when given and allowed; None, with the reason shown, if refused."""
        found = self.workspace(case_id)
        if found is not None:
            self.setCurrentWidget(found)
            self._show_tab(found, tab, record_id)
            return found
        services = self._services
        try:
            record = services.cases.get(case_id)
            scope = services.cases.access.scope(case_id) or Scope.OTHER
        except ShelterError as exc:
            self.setCurrentIndex(0)
            self.list_page.error.show_message(exc.message)
            return None
        workspace = CaseWorkspace(services, self._background, record, scope)
        workspace.saved.connect(lambda _id: self.list_page.model.refresh_rows())
        workspace.changed.connect(lambda _id: self._case_changed())
        workspace.erased.connect(self._erased)
        index = self.addTab(workspace, record.code)
        self.setTabToolTip(index, fill(_("Case {code}"), code=record.code))
        self.setCurrentIndex(index)
        workspace.profile.setFocus()
        self._show_tab(workspace, tab, record_id)
        self.case_opened.emit(case_id)
        return workspace

    @staticmethod
    def _show_tab(workspace: CaseWorkspace, tab: str | None, record_id: str | None) -> None:
        if tab is not None and tab in workspace.keys:
            widget = workspace.show_tab(tab, record_id)
            getattr(widget, "table", widget).setFocus()

    def _case_changed(self) -> None:
        """A case's status, assignment or sharing changed: list the cases again."""
        self.list_page.model.refresh_rows()
        self.list_page.reload()

    def _erased(self, case_id: str, summary: str) -> None:
        """A case's records were erased from its workspace: close it, unsaved edits and
        all (they belong to records that no longer exist), and list the cases again."""
        workspace = self.workspace(case_id)
        if workspace is not None:
            self._remove(workspace)
        self.setCurrentIndex(0)
        self._case_changed()
        self.list_page.notice.show_message(summary)

    def forget_removed(self) -> None:
        """Records were purged or erased elsewhere (the Retention section): close the
        workspaces of cases that are gone and list the cases again."""
        access = self._services.cases.access
        for workspace in self.workspaces():
            if access.scope(workspace.case_id) is None:  # no such case any more
                self._remove(workspace)
        self._case_changed()

    def close_case_at(self, index: int) -> None:
        workspace = self.widget(index)
        if not isinstance(workspace, CaseWorkspace):
            return
        if not workspace.has_unsaved():
            self._remove(workspace)
            return
        self.setCurrentIndex(index)
        box = QMessageBox(QMessageBox.Icon.Warning, self.window().windowTitle(),
                          fill(_("Save the changes to {code} before closing it?"),
                              code=workspace.code),
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        named(box, box.text())

        def answered(button: object) -> None:
            self.closing_box = None
            choice = box.standardButton(button)  # type: ignore[arg-type]
            if choice == QMessageBox.StandardButton.Save and workspace.save():
                self._remove(workspace)
            elif choice == QMessageBox.StandardButton.Discard:
                workspace.discard()
                self._remove(workspace)

        box.buttonClicked.connect(answered)
        self.closing_box = box
        box.open()

    def _remove(self, workspace: CaseWorkspace) -> None:
        focus = self.window().focusWidget()
        had_focus = focus is not None and workspace.isAncestorOf(focus)
        index = self.indexOf(workspace)
        if index > 0:
            self.removeTab(index)
        if had_focus:  # Qt would hand the focus on, as far as Quick exit
            shown = self.currentWidget()
            start = getattr(shown, "start_control", None)
            (start() if callable(start) else self).setFocus(Qt.FocusReason.OtherFocusReason)
        workspace.forget()
        workspace.deleteLater()

    # -- a new case --------------------------------------------------------------------
    def new_case(self) -> IntakeDialog:
        if self.intake is not None:
            self.intake.raise_()
            return self.intake
        dialog = IntakeDialog(self._services, self._background, parent=self)
        dialog.created.connect(self._created)
        dialog.open_requested.connect(self.open_case)
        dialog.finished.connect(lambda _r: setattr(self, "intake", None))
        self.intake = dialog
        dialog.open()
        return dialog

    def _created(self, case_id: str) -> None:
        self.list_page.reload()
        self.open_case(case_id)

    # -- the main window's questions (ui/pages.py) ---------------------------------------
    def has_unsaved(self) -> bool:
        return any(w.has_unsaved() for w in self.workspaces())

    def unsaved_titles(self) -> list[str]:
        return [w.code for w in self.workspaces() if w.has_unsaved()]

    def forms_unsaved(self) -> bool:
        """Something typed in a tab's add form, or a row being changed, not yet recorded
        (a language switch asks about these; a profile's edits it carries)."""
        return any(isinstance(tab, ListTab) and tab.has_unsaved()
                   for w in self.workspaces() for tab in w.built.values())

    def save_all(self) -> bool:
        ok = True
        for workspace in self.workspaces():
            if workspace.has_unsaved() and not workspace.save():
                self.setCurrentWidget(workspace)
                ok = False
        return ok

    def discard_all(self) -> None:
        for workspace in self.workspaces():
            if workspace.has_unsaved():
                workspace.discard()

    def keep_drafts(self) -> None:
        for workspace in self.workspaces():
            with contextlib.suppress(ShelterError):  # no longer allowed: nothing to keep
                workspace.keep_draft()
        if self.intake is not None:
            self.intake.keep_draft()

    # -- carried to a window built again (a language switch) -----------------------------
    def carry(self, drafts: CarriedEdits) -> dict[str, object]:
        """Where this section is (the cases open, each at its tab, the one in front, what
        the list was searched for), with each profile's unsaved edits kept in *drafts*."""
        for workspace in self.workspaces():
            workspace.profile.keep_draft(drafts)
        current = self.currentWidget()
        return {"cases": [(w.case_id, w.keys[max(0, w.tabs.currentIndex())])
                          for w in self.workspaces()],
                "editing": [w.case_id for w in self.workspaces() if w.profile.editing],
                "front": current.case_id if isinstance(current, CaseWorkspace) else None,
                "search": self.list_page.search.text()}

    def return_to(self, where: dict[str, object], drafts: CarriedEdits) -> None:
        """Open again what ``carry`` noted (each opening recorded in the audit chain, as any
        opening of a case is), with the edits it kept."""
        self.list_page.search.setText(str(where.get("search") or ""))
        for case_id, tab in where.get("cases") or []:  # type: ignore[attr-defined]
            workspace = self.open_case(case_id, tab)
            if workspace is not None:
                restored = workspace.profile.restore_draft(drafts)
                if not restored and case_id in (where.get("editing") or []):  # type: ignore[operator]
                    workspace.profile.edit()  # in edit mode, nothing changed yet
                self._show_tab(workspace, tab, None)
        front = self.workspace(str(where.get("front"))) if where.get("front") else None
        self.setCurrentWidget(front or self.list_page)

    def end_session(self) -> None:
        """Drop every case id, row, field and text (the session is ending)."""
        if self.closing_box is not None:
            self.closing_box.hide()
            self.closing_box = None
        if self.intake is not None:
            with contextlib.suppress(ShelterError):  # kept at every lock, asked or not
                self.intake.keep_draft()
            self.intake.forget()
            self.intake.hide()
        for workspace in self.workspaces():
            workspace.forget()
            self.removeTab(self.indexOf(workspace))
            workspace.deleteLater()
        self.list_page.forget()
