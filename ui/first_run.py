"""First run: name the organisation, make the first administrator, show the recovery key.

Three pages in one window.  The window checks what was typed with the core's own rules
(``validate_username``, ``validate_passphrase``) and shows each reason next to its field;
the controller creates the vault off the GUI thread (``create_requested``) and reports with
``show_recovery_key`` or ``show_create_error``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain.accounts import validate_passphrase, validate_username
from shelter_app.errors import ShelterError, ValidationError
from shelter_app.i18n import _

from .background import Background
from .recovery_page import RecoveryKeyPage
from .widgets import (
    NOTICE_STYLE,
    BusyBar,
    MessageLabel,
    fit_window,
    heading,
    named,
    paragraph,
    quick_exit_button,
)

MAX_ORGANISATION = 200
MAX_DISPLAY_NAME = 100


def _line(name: str, *, password: bool = False, max_length: int = 0) -> QLineEdit:
    field = QLineEdit()
    named(field, name)
    if password:
        field.setEchoMode(QLineEdit.EchoMode.Password)
    if max_length:
        field.setMaxLength(max_length)
    return field


class FirstRunWindow(QWidget):
    """Emits ``create_requested(organisation, user name, display name, passphrase)``."""

    create_requested = Signal(str, str, str, str)
    finished = Signal()
    quick_exit_requested = Signal()

    def __init__(self, title: str, background: Background, *, notice: str = "") -> None:
        super().__init__()
        self.setWindowTitle(title)
        self.setObjectName("first_run")
        self.pages = QStackedWidget()
        self.pages.addWidget(self._organisation_page())
        self.pages.addWidget(self._admin_page())
        self.recovery = RecoveryKeyPage(background)
        self.recovery.finished.connect(self.finished)
        self.pages.addWidget(self.recovery)

        self.quick_exit = quick_exit_button(self)
        self.quick_exit.clicked.connect(self.quick_exit_requested)
        top = QHBoxLayout()
        self.step = paragraph("")
        self.step.setAccessibleName(_("Step"))
        top.addWidget(self.step, 1)
        top.addWidget(self.quick_exit, 0, Qt.AlignmentFlag.AlignTop)

        # What the person should know first, e.g. that their language's catalogue is missing
        self.notice = MessageLabel(NOTICE_STYLE)
        self.notice.setAccessibleName(_("Notice"))
        self.notice.show_message(notice)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(self.pages, 1)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 40)
        self._show_page(0)
        self.resize(self.sizeHint().expandedTo(self.minimumSize()))

    # -- page 1: the organisation -----------------------------------------------------
    def _organisation_page(self) -> QWidget:
        page = QWidget()
        self.organisation = _line(_("Organisation name"), max_length=MAX_ORGANISATION)
        self.organisation_msg = MessageLabel()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(_("&Organisation name:"), self.organisation)
        form.addRow("", self.organisation_msg)
        self.next_button = QPushButton(_("Next"))
        named(self.next_button, _("Next"))
        self.next_button.clicked.connect(self._organisation_done)
        self.organisation.returnPressed.connect(self._organisation_done)
        self.organisation.textEdited.connect(lambda _t: self.organisation_msg.clear_message())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading(_("Set up a new vault")))
        layout.addWidget(paragraph(_(
            "There is no vault on this computer yet. A vault keeps your organisation's case "
            "records encrypted. Start with the organisation's name; it is printed on the "
            "recovery sheet and is visible only after signing in.")))
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def _organisation_done(self) -> None:
        name = self.organisation.text().strip()
        if not name:
            self.organisation_msg.show_message(_("Enter the organisation's name."))
            self.organisation.setFocus()
            return
        self._show_page(1)

    # -- page 2: the first administrator -----------------------------------------------
    def _admin_page(self) -> QWidget:
        page = QWidget()
        self.username = _line(_("User name"), max_length=64)
        self.display_name = _line(_("Display name (optional)"), max_length=MAX_DISPLAY_NAME)
        self.passphrase = _line(_("Passphrase"), password=True)
        self.repeat = _line(_("Repeat the passphrase"), password=True)
        self.username_msg, self.passphrase_msg, self.repeat_msg = (MessageLabel(),
                                                                   MessageLabel(),
                                                                   MessageLabel())
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(_("&User name:"), self.username)
        form.addRow("", self.username_msg)
        form.addRow(_("&Display name:"), self.display_name)
        form.addRow(_("&Passphrase:"), self.passphrase)
        form.addRow("", paragraph(_("At least 12 characters. A few unrelated words are easy "
                                    "to remember and hard to guess.")))
        form.addRow("", self.passphrase_msg)
        form.addRow(_("&Repeat:"), self.repeat)
        form.addRow("", self.repeat_msg)
        for field, label in ((self.username, self.username_msg),
                             (self.passphrase, self.passphrase_msg),
                             (self.repeat, self.repeat_msg)):
            field.textEdited.connect(lambda _t, label=label: label.clear_message())
        # Enter moves on to the next empty field, or creates the vault once all are
        # filled in (also after a refused user name was corrected).
        for field in (self.username, self.display_name, self.passphrase, self.repeat):
            field.returnPressed.connect(self._admin_enter)

        self.create_error = MessageLabel()
        self.create_busy = BusyBar(_("Creating the vault…"))
        self.back_button = QPushButton(_("Back"))
        named(self.back_button, _("Back"))
        self.back_button.clicked.connect(lambda: self._show_page(0))
        self.create_button = QPushButton(_("Create vault"))
        named(self.create_button, _("Create vault"))
        self.create_button.clicked.connect(self._admin_done)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading(_("The first administrator")))
        layout.addWidget(paragraph(_(
            "The administrator looks after this computer: accounts, settings and backups. "
            "An administrator sees no survivor records unless given another role too.")))
        layout.addLayout(form)
        layout.addWidget(self.create_error)
        layout.addWidget(self.create_busy)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setTabOrder(self.username, self.display_name)
        self.setTabOrder(self.display_name, self.passphrase)
        self.setTabOrder(self.passphrase, self.repeat)
        self.setTabOrder(self.repeat, self.create_button)
        self.setTabOrder(self.create_button, self.back_button)
        return page

    def _admin_done(self) -> None:
        if not self.create_button.isEnabled():
            return
        for label in (self.username_msg, self.passphrase_msg, self.repeat_msg,
                      self.create_error):
            label.clear_message()
        try:
            username = validate_username(self.username.text())
        except ValidationError as exc:
            self._field_error(self.username, self.username_msg, exc.message)
            return
        passphrase = self.passphrase.text()
        try:
            validate_passphrase(passphrase, username=username)
        except ShelterError as exc:
            self._field_error(self.passphrase, self.passphrase_msg, exc.message)
            return
        if passphrase != self.repeat.text():
            self._field_error(self.repeat, self.repeat_msg,
                              _("The two passphrases are not the same."))
            return
        self.set_busy(True)
        self.create_requested.emit(self.organisation.text().strip(), username,
                                   self.display_name.text().strip(), passphrase)

    def _admin_enter(self) -> None:
        required = (self.username, self.passphrase, self.repeat)
        empty = next((f for f in required if not f.text()), None)
        if empty is not None and not empty.hasFocus():
            empty.setFocus()
        else:
            self._admin_done()

    def _field_error(self, field: QLineEdit, label: MessageLabel, message: str) -> None:
        label.show_message(message)
        field.selectAll()
        field.setFocus()

    # -- what the controller reports ------------------------------------------------
    def set_busy(self, busy: bool) -> None:
        """While the vault is made the fields are read-only, not disabled: a disabled
        field or button would hand the keyboard focus on, as far as Quick exit."""
        self.create_busy.setVisible(busy)
        if busy and self.focusWidget() in (self.create_button, self.back_button):
            self.repeat.setFocus()
        for field in (self.username, self.display_name, self.passphrase, self.repeat):
            field.setReadOnly(busy)
        for button in (self.create_button, self.back_button):
            button.setEnabled(not busy)

    def show_create_error(self, exc: ShelterError) -> None:
        self.set_busy(False)
        field = getattr(exc, "field", None)
        if field == "organisation":
            self._show_page(0)
            self.organisation_msg.show_message(exc.message)
        elif field == "username":
            self._field_error(self.username, self.username_msg, exc.message)
        else:
            self.create_error.show_message(exc.message)

    def show_recovery_key(self, recovery_key: str, *, organisation: str, vault_id: str) -> None:
        self.set_busy(False)
        for field in (self.passphrase, self.repeat):
            field.clear()
        self.recovery.show_key(recovery_key, organisation=organisation, vault_id=vault_id)
        self._show_page(2)

    def _show_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self.step.setText(_("Step {n} of {total}").format(n=index + 1, total=3))
        focus = (self.organisation, self.username, self.recovery.save_button)[index]
        focus.setFocus()
        fit_window(self)
