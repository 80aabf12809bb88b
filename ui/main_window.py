"""The window after signing in: the sections a user may see, lock, quick exit.

A navigation list on the start side and a stack of pages, built from ``ui/pages.py``:
sections the user's roles do not allow are absent.  The toolbar keeps the session's
keys: lock (Ctrl+L), change passphrase, About Shelter App (F1), and the red quick exit.

Its title is the organisation's neutral ``window_title`` setting, never a person's name
and never a case: titles show in task bars, window switchers and screen-sharing previews.

The controller ends the session; before it deletes this window it calls ``end_session``,
which makes every page drop the records it holds, so nothing of the session lingers in a
hidden widget waiting for deletion.  A manual lock with unsaved edits first goes through
``ask_before_lock`` (Save / Discard / Cancel); auto-lock and quick exit never ask and call
``keep_drafts`` instead.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTabBar,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from shelter_app.errors import ShelterError
from shelter_app.i18n import _, current_language, ngettext
from shelter_app.i18n.formatting import fill, isolated
from shelter_app.services.registry import Services
from shelter_app.vault.backup import BackupCancelled
from shelter_app.vault.vault import read_only_text

from .about import AboutDialog, show_about
from .background import Background
from .change_passphrase import ChangePassphraseDialog
from .day.nav_counts import NavCounts
from .language import language_menu, own_name
from .pages import PAGES, PageSpec
from .shortcuts import LOCK_KEYS
from .widgets import heading, named, notice, paragraph, quick_exit_button


def first_control(page: QWidget) -> QWidget | None:
    """The control of *page* that the keyboard starts on: the one its ``start_control()``
    names if it has that method (the case list's search), else the first widget of its
    tab order that takes the focus (tab bars and containers left out: the page's own
    controls come first).  A tab widget's current page is asked in its place."""
    while isinstance(page, QTabWidget) and page.currentWidget() is not None:
        page = page.currentWidget()
    named = getattr(page, "start_control", None)
    chosen = named() if callable(named) else None
    if isinstance(chosen, QWidget) and chosen.isVisibleTo(page) and chosen.isEnabled():
        return chosen
    widget = page.nextInFocusChain()
    while widget is not page and widget is not None:
        if page.isAncestorOf(widget) and widget.isVisibleTo(page) and widget.isEnabled() \
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus \
                and not isinstance(widget, QTabBar | QTabWidget | QScrollArea):
            return widget
        widget = widget.nextInFocusChain()
    return None


def failed_attempts_text(n: int) -> str:
    return ngettext(
        "{n} failed sign-in attempt on your account since your last sign-in. If it was not "
        "you, tell an administrator.",
        "{n} failed sign-in attempts on your account since your last sign-in. If they were "
        "not you, tell an administrator.", n).format(n=n)


class MainWindow(QMainWindow):
    lock_requested = Signal()
    restore_requested = Signal(str, object)  # passphrase, backup file: Administration → Vault
    quick_exit_requested = Signal()
    language_chosen = Signal(str)  # a language code, from the Language menu

    def __init__(self, services: Services, background: Background, *,
                 failed_attempts: int = 0, pages: list[PageSpec] | None = None,
                 integrity_warning: str | None = None) -> None:
        super().__init__()
        self._services = services
        self._background = background
        self.setObjectName("main_window")
        self.setWindowTitle(str(services.settings.get("window_title")))
        self.unsaved_box: QMessageBox | None = None
        self.unsaved_about = "lock"  # what the open box asks before: "lock" or "language"
        self._build_toolbar()

        session = services.session
        who = session.display_name or session.username
        self.greeting = heading(fill(_("Signed in as {name} ({roles})"),
            name=who, roles=", ".join(session.role_labels)), scale=1.1)
        self.organisation = paragraph(fill(_("Organisation: {name}"),
            name=services.settings.get("organisation")))
        self.organisation.setWordWrap(False)
        self.banner = notice("failed_attempts_banner", failed_attempts_text(failed_attempts)
                             if failed_attempts else None)
        self.banner.setAccessibleName(_("Failed sign-in attempts"))

        # The key file's audit anchor was not in the chain at sign-in (OpenVault.sign_in_check).
        self.integrity_banner = notice("integrity_banner", integrity_warning)
        # An account whose roles allow survivor records it has no key to yet: said once
        # here, instead of leaving each empty note and task to puzzle over.
        self.keys_banner = notice("keys_banner", _(
            "Your account has not received the keys to survivor records yet. A "
            "coordinator's next sign-in gives them; until then their notes and tasks show "
            "empty here and cannot be written from this account.")
            if services.accounts.current().keys == "waiting" else None)
        self.backup_problem = notice("backup_problem", None)
        # A vault on a disk that cannot be written opens for reading only (Vault.read_only).
        self.read_only_banner = notice("read_only_banner", read_only_text()
                                       if services.ctx.vault.read_only else None)

        self.specs = [spec for spec in (PAGES if pages is None else pages)
                      if spec.visible(services)]
        self.pages: dict[str, QWidget] = {}
        self.nav = QListWidget()
        named(self.nav, _("Sections"), _("Choose a section; Ctrl+1, Ctrl+2… go there directly."))
        self.stack = QStackedWidget()
        self.nothing = paragraph(_(
            "There is nothing here for your roles yet. Ask a coordinator or an administrator "
            "if you need access to something."))
        self.nothing.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.nothing)
        for number, spec in enumerate(self.specs, start=1):
            item = QListWidgetItem(spec.label())
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.nav.addItem(item)
            if number <= 10:  # Ctrl+1 … Ctrl+9, then Ctrl+0 for the tenth
                go = QAction(spec.label(), self)
                go.setShortcut(QKeySequence(f"Ctrl+{number % 10}"))
                go.triggered.connect(lambda _c=False, key=spec.key: self.go_to(key))
                self.addAction(go)
        em = self.fontMetrics().horizontalAdvance("M")
        widest = max([self.nav.fontMetrics().horizontalAdvance(s.label()) for s in self.specs]
                     + [em * 6])
        self.nav.setFixedWidth(widest + em * 3)
        self.nav.setVisible(bool(self.specs))
        self.nav.currentRowChanged.connect(self._row_changed)
        # "My day (4)", "Deadlines (2)": kept up to date; tells the pages what changed
        self.counts = NavCounts(services, background, self.nav, self.specs, self)
        self.counts.changed.connect(lambda: self._call("data_changed"))

        header = QHBoxLayout()
        header.addWidget(self.greeting, 1)
        header.addWidget(self.organisation, 0, Qt.AlignmentFlag.AlignVCenter)
        body_row = QHBoxLayout()
        body_row.addWidget(self.nav)
        body_row.addWidget(self.stack, 1)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(header)
        layout.addWidget(self.read_only_banner)
        layout.addWidget(self.banner)
        layout.addWidget(self.integrity_banner)
        layout.addWidget(self.keys_banner)
        layout.addWidget(self.backup_problem)
        layout.addLayout(body_row, 1)
        self.setCentralWidget(body)
        if self.specs:
            self.nav.setCurrentRow(0)
        screen = self.screen().availableGeometry()
        self.resize(min(em * 96, int(screen.width() * 0.95)),
                    min(em * 54, int(screen.height() * 0.9)))
        self.focus_content()

    def _build_toolbar(self) -> None:
        self.lock_action = QAction(_("&Lock"), self)
        self.lock_action.setShortcut(LOCK_KEYS)
        self.lock_action.setToolTip(_("Lock the vault now (Ctrl+L)"))
        self.lock_action.triggered.connect(self.lock_requested)
        self.password_action = QAction(_("Change &passphrase…"), self)
        self.password_action.setToolTip(_("Choose a new passphrase for your account"))
        self.password_action.triggered.connect(self.change_passphrase)
        self.about_action = QAction(_("&About Shelter App…"), self)
        self.about_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.about_action.setToolTip(_("The version and the interface language (F1)"))
        self.about_action.triggered.connect(self.show_about)
        # "Language: Español", and the languages each in its own words (ui/language.py)
        self.language_action = QAction(fill(_("Lan&guage: {language}"),
                                            language=own_name(current_language())), self)
        self.language_action.setToolTip(_("The language of the screens on this computer"))
        self.language_action.setMenu(language_menu(self, self.language_chosen.emit))
        self.quick_exit = quick_exit_button()
        self.quick_exit.clicked.connect(self.quick_exit_requested)
        toolbar = QToolBar(_("Session"))
        toolbar.setObjectName("session_toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addAction(self.lock_action)
        toolbar.addAction(self.password_action)
        toolbar.addAction(self.about_action)
        toolbar.addAction(self.language_action)
        language = toolbar.widgetForAction(self.language_action)
        if isinstance(language, QToolButton):
            language.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addWidget(self.quick_exit)
        named(toolbar, _("Session"))
        for action in (self.lock_action, self.password_action, self.about_action,
                       self.language_action):
            button = toolbar.widgetForAction(action)
            named(button, action.text().replace("&", ""), action.toolTip())
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)

    # -- sections ------------------------------------------------------------------
    def section_keys(self) -> list[str]:
        return [spec.key for spec in self.specs]

    def page(self, key: str) -> QWidget:
        """The page of section *key*, built the first time it is asked for."""
        if key not in self.pages:
            spec = next(s for s in self.specs if s.key == key)
            widget = spec.factory(self._services, self._background, self.stack)
            self.pages[key] = widget
            self.stack.addWidget(widget)
            opener = getattr(widget, "open_case", None)
            if key != "cases" and hasattr(opener, "connect"):
                opener.connect(self.open_case)  # Appointments, Deadlines, Referrals
            removed = getattr(widget, "records_removed", None)  # Retention
            if removed is not None:
                removed.connect(lambda: self._call("forget_removed"))
            restore = getattr(widget, "restore_requested", None)  # Administration
            if restore is not None:
                restore.connect(self.restore_requested)
        return self.pages[key]

    def open_case(self, case_id: str, tab: str | None = None,
                  record_id: str | None = None) -> QWidget | None:
        """Show the case in the Cases section (asked by a row in another section), at the
        workspace tab *tab* (``ui/cases/workspace.py`` TABS) with *record_id* selected."""
        if "cases" not in self.section_keys():
            return None
        cases = self.show_page("cases")
        workspace: QWidget | None = cases.open_case(  # type: ignore[attr-defined]
            case_id, tab, record_id)
        return workspace

    def show_page(self, key: str) -> QWidget:
        row = self.section_keys().index(key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)  # builds and shows it through _row_changed
        return self.page(key)

    def go_to(self, key: str) -> QWidget:
        """Show section *key* and put the focus in it (Ctrl+1, Ctrl+2…): the control
        that had it is now hidden, and Qt would hand it to whatever comes next."""
        page = self.show_page(key)
        self.focus_content()
        return page

    def current_key(self) -> str | None:
        row = self.nav.currentRow()
        return self.specs[row].key if 0 <= row < len(self.specs) else None

    def _row_changed(self, row: int) -> None:
        if 0 <= row < len(self.specs):
            widget = self.page(self.specs[row].key)
            self.stack.setCurrentWidget(widget)

    def focus_content(self) -> None:
        """Put the keyboard focus on the current page's first control (the search of the
        case list, a table…), never on Quick exit, where a stray Space would close the
        program: Qt would otherwise give it to the first button of the toolbar."""
        page = self.stack.currentWidget()
        target = first_control(page) if page is not self.nothing else None
        (target or self.nav).setFocus(Qt.FocusReason.OtherFocusReason)

    def _call(self, method: str) -> list[object]:
        return [getattr(page, method)() for page in list(self.pages.values())
                if callable(getattr(page, method, None))]

    # -- unsaved work and the end of the session ---------------------------------------
    def has_unsaved(self) -> bool:
        return any(self._call("has_unsaved"))

    def unsaved_titles(self) -> list[str]:
        return [t for titles in self._call("unsaved_titles") for t in titles]  # type: ignore[attr-defined]

    def ask_before_lock(self, proceed: Callable[[], None], question: str = "",
                        refused: str = "") -> QMessageBox:
        """Ask "Save / Discard / Cancel" (without blocking); call *proceed* to lock (or do
        what *question* asks about; *refused* says why it was not done)."""
        question = question or _("Save your changes before locking?")
        self.unsaved_about = "lock"
        box = QMessageBox(QMessageBox.Icon.Warning, self.windowTitle(), question,
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.setInformativeText(fill(_("Unsaved changes in: {cases}"),
                                    cases=", ".join(map(isolated, self.unsaved_titles()))))
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        named(box, question)

        def answered(button: object) -> None:
            choice = box.standardButton(button)  # type: ignore[arg-type]
            self.unsaved_box = None
            if choice == QMessageBox.StandardButton.Save:
                if all(self._call("save_all")):
                    proceed()
                else:
                    self.statusBar().showMessage(refused or _(
                        "Not locked: some changes could not be saved. The reason is shown in "
                        "the case."), 15_000)
            elif choice == QMessageBox.StandardButton.Discard:
                self._call("discard_all")
                proceed()

        box.buttonClicked.connect(answered)
        self.unsaved_box = box
        box.open()
        return box

    def keep_drafts(self) -> None:
        self._call("keep_drafts")

    def drop_language_question(self) -> bool:
        """Close the box asking before a language switch (a lock takes over); True if it
        was that box."""
        box = self.unsaved_box
        if box is None or self.unsaved_about != "language":
            return False
        self.unsaved_box = None
        box.hide()
        box.deleteLater()
        return True

    def backup_if_due(self) -> None:
        """The automatic backup, in the background; a lock stops it.  None is made of a
        read-only vault: there is nowhere to put it, and nothing changes to need one."""
        if self._services.ctx.vault.read_only:
            return

        def failed(exc: BaseException) -> None:
            if isinstance(exc, BackupCancelled):
                return
            if not isinstance(exc, ShelterError):
                raise exc
            self.backup_problem.show_message(_(
                "The automatic backup could not be made: {reason} Your records are safe in "
                "the vault. Tell your administrator.").format(reason=exc.message))

        self._background.run(self._services.vault_admin.backup_if_due, lambda _path: None,
                             failed, context=self)

    # -- built again in another language (ui/language_switch.py) -------------------------
    def language_button(self) -> QWidget:
        return self.findChild(QToolBar, "session_toolbar").widgetForAction(  # type: ignore[union-attr]
            self.language_action)

    def end_session(self) -> None:
        """Make every page drop what it holds; the window is deleted right after."""
        if self.unsaved_box is not None:
            self.unsaved_box.hide()
            self.unsaved_box = None
        self.counts.stop()
        self._call("end_session")
        self.greeting.clear()
        self.organisation.clear()

    def change_passphrase(self) -> ChangePassphraseDialog:
        session = self._services.session
        dialog = ChangePassphraseDialog(self._services.accounts.change_own_passphrase,
                                        session.username, self._background,
                                        title=self.windowTitle(), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(lambda: self.statusBar().showMessage(
            _("Your passphrase was changed."), 10_000))
        dialog.open()
        return dialog

    def show_about(self) -> AboutDialog:
        return show_about(self)
