"""The intake's last step: whether the survivor may be counted in anonymised statistics,
and the consent to share, which can be recorded now or later in the case."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QFormLayout, QVBoxLayout, QWidget

from shelter_app.i18n import _

from ..widgets import heading, named, paragraph
from .tabs.consent import ConsentForm, reporting_field


def consent_page(dialog: Any) -> QWidget:
    """The page, with the dialog's ``record_consent`` box and ``consent_form``; both
    answers go into ``dialog.consent``."""
    body = QWidget()
    column = QVBoxLayout(body)
    column.addWidget(heading(_("Consent"), scale=1.2))
    column.addWidget(paragraph(_(
        "Nothing about the survivor leaves the vault without consent that covers the "
        "recipient and every section shared. Record it now if it was given; it can also "
        "be recorded later in the case.")))
    row = QWidget()  # recorded with the case, whatever is done about sharing
    dialog.consent.add(QFormLayout(row), reporting_field())
    column.addWidget(row)
    dialog.record_consent = QCheckBox(_("R&ecord the survivor's consent now"))
    named(dialog.record_consent, _("Record the survivor's consent now"))
    column.addWidget(dialog.record_consent)
    dialog.consent_form = ConsentForm(dialog._services, dialog.consent)
    dialog.consent_form.setEnabled(False)
    dialog.record_consent.toggled.connect(dialog.consent_form.setEnabled)
    column.addWidget(dialog.consent_form)
    column.addStretch(1)
    return body
