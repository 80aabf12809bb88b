"""The window after signing in: who is signed in, lock, quick exit, and (for admins) accounts.

Its title is the organisation's neutral ``window_title`` setting, never a person's name:
titles show in task bars, window switchers and screen-sharing previews.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain.roles import ROLE_LABELS, Role
from shelter_app.i18n import _, ngettext
from shelter_app.services.registry import Services

from .background import Background
from .change_passphrase import ChangePassphraseDialog
from .shortcuts import LOCK_KEYS
from .widgets import NOTICE_STYLE, heading, named, paragraph, quick_exit_button


def failed_attempts_text(n: int) -> str:
    return ngettext(
        "{n} failed sign-in attempt on your account since your last sign-in. If it was not "
        "you, tell an administrator.",
        "{n} failed sign-in attempts on your account since your last sign-in. If they were "
        "not you, tell an administrator.", n).format(n=n)


class MainWindow(QMainWindow):
    lock_requested = Signal()
    quick_exit_requested = Signal()

    def __init__(self, services: Services, background: Background, *,
                 failed_attempts: int = 0) -> None:
        super().__init__()
        self._services = services
        self._background = background
        self.setObjectName("main_window")
        self.setWindowTitle(str(services.settings.get("window_title")))
        session = services.session

        self.lock_action = QAction(_("&Lock"), self)
        self.lock_action.setShortcut(LOCK_KEYS)
        self.lock_action.setToolTip(_("Lock the vault now (Ctrl+L)"))
        self.lock_action.triggered.connect(self.lock_requested)
        self.password_action = QAction(_("Change &passphrase…"), self)
        self.password_action.setToolTip(_("Choose a new passphrase for your account"))
        self.password_action.triggered.connect(self.change_passphrase)
        self.quick_exit = quick_exit_button()
        self.quick_exit.clicked.connect(self.quick_exit_requested)

        toolbar = QToolBar(_("Session"))
        toolbar.setObjectName("session_toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addAction(self.lock_action)
        toolbar.addAction(self.password_action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addWidget(self.quick_exit)
        named(toolbar, _("Session"))
        for action in (self.lock_action, self.password_action):
            button = toolbar.widgetForAction(action)
            named(button, action.text().replace("&", ""), action.toolTip())
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)

        who = session.display_name or session.username
        self.greeting = heading(_("Signed in as {name} ({roles})").format(
            name=who, roles=", ".join(session.role_labels)), scale=1.25)
        self.organisation = paragraph(_("Organisation: {name}").format(
            name=services.settings.get("organisation")))
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(NOTICE_STYLE)
        named(self.banner, _("Failed sign-in attempts"))
        self.banner.setVisible(failed_attempts > 0)
        if failed_attempts:
            self.banner.setText(failed_attempts_text(failed_attempts))
            self.banner.setAccessibleDescription(self.banner.text())

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.greeting)
        layout.addWidget(self.organisation)
        layout.addWidget(self.banner)
        self.accounts: QTableWidget | None = None
        if session.has(Role.ADMIN):
            layout.addWidget(heading(_("Accounts"), scale=1.1))
            self.accounts = self._accounts_table()
            layout.addWidget(self.accounts, 1)
        else:
            layout.addStretch(1)
        self.setCentralWidget(body)
        em = self.fontMetrics().horizontalAdvance("M")
        width = max(self.sizeHint().width(), em * 56)
        if self.accounts is not None:  # wide enough for the whole table, within the screen
            width = max(width, self.accounts.horizontalHeader().length() + em * 4)
        screen = self.screen().availableGeometry()
        self.resize(min(width, int(screen.width() * 0.9)),
                    min(max(self.sizeHint().height(), em * 30), int(screen.height() * 0.9)))

    def _accounts_table(self) -> QTableWidget:
        accounts = self._services.accounts.list()
        headers = [_("User name"), _("Display name"), _("Roles"), _("Status")]
        table = QTableWidget(len(accounts), len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        named(table, _("Accounts"), _("Staff accounts of this vault (read only)"))
        for row, account in enumerate(accounts):
            if account.status != "active":
                status = _("Disabled")
            elif account.must_change_passphrase:
                status = _("Active, must choose a passphrase")
            else:
                status = _("Active")
            roles = ", ".join(_(ROLE_LABELS[r]) for r in sorted(account.roles))
            for column, text in enumerate((account.username, account.display_name, roles,
                                           status)):
                table.setItem(row, column, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        return table

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
