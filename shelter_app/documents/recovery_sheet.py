"""The recovery sheet: the vault's recovery key on paper, with what to do with it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from shelter_app.documents.blocks import table_style
from shelter_app.documents.layout import DocumentSpec, new_packet_id, para, render, styles, text
from shelter_app.i18n import current_language, translator
from shelter_app.i18n.formatting import format_date
from shelter_app.vault.fileio import write_new_file


def build_recovery_sheet(*, organisation: str, vault_id: str, recovery_key: str,
                         language: str | None = None, made_on: dt.date | None = None) -> bytes:
    """The sheet, in *language* (default: the interface language)."""
    language = language or current_language()
    st = styles(language)
    _ = translator(language)
    made_on = made_on or dt.date.today()
    spec = DocumentSpec(recipient=_("the vault's administrators"), packet_id=new_packet_id(),
                        language=language, watermark=_("RECOVERY KEY"))
    key_box = Table([[para(recovery_key, st.mono)]], colWidths=[170 * mm])
    key_box.setStyle(table_style([
        ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#F3F3F3")),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
    ]))
    facts = [
        (_("Organisation"), organisation),
        (_("Vault id"), vault_id),
        (_("Made on"), format_date(made_on, length="long", language=language)),
    ]
    story: list[Flowable] = [
        para(text(_("Shelter App recovery key")), st.title),
        *[para(f"<b>{text(label)}:</b> {text(value)}", st.body) for label, value in facts],
        Spacer(1, 4 * mm),
        key_box,
        Spacer(1, 4 * mm),
        para(text(_("What this key does")), st.heading),
        para(text(_(
            "This key opens every record in the vault named above. It exists so that the "
            "records are not lost when an administrator's passphrase is forgotten: it sets a "
            "new passphrase for an administrator's account. Anyone else who has forgotten a "
            "passphrase asks an administrator for a temporary one.")), st.body),
        para(text(_("How to use it")), st.heading),
        *[para(text(line), st.body) for line in (
            _("1. On the sign-in screen of Shelter App, choose \u201cForgot passphrase?\u201d."),
            _("2. Type this key, the administrator's user name, and a new passphrase twice, "
              "then choose \u201cSet new passphrase\u201d."),
            _("3. Sign in with the new passphrase."),
            _("Without the application's window, on the command line: shelter-admin recover "
              "USER, then type this key and the new passphrase when asked."),
        )],
        para(text(_("Keep it safe")), st.heading),
        para(text(_(
            "Store this sheet in a locked place away from the computer, such as a safe. Do not "
            "photograph it, scan it, email it or keep it in the same bag as the computer. "
            "Delete the PDF file once the sheet is printed.")), st.body),
        para(text(_("If it is lost or seen by someone else")), st.heading),
        para(text(_(
            "An administrator makes a new key at once with: shelter-admin recovery-sheet "
            "--out FILE.pdf. The old key stops working as soon as the new one is made.")),
            st.body),
    ]
    return render(spec, story)


def save_recovery_sheet(path: Path, **kwargs: str) -> None:
    """Write the sheet to a new file (never overwriting one)."""
    write_new_file(path, build_recovery_sheet(**kwargs))  # type: ignore[arg-type]
