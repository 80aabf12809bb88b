"""One document to make, as plain values, and the function that makes it.

A ``Job`` holds the packet model the documents service gathered (a referral packet, a
residence-status packet, an appointment card, a non-punishment letter or the survivor's own
copy of her records: dataclasses of
plain values, limited to what may be shared) and, when the document is to be encrypted,
its passphrase.  ``build`` lays it out, counts its pages and encrypts it, all in memory, and
keeps the unencrypted bytes beside the encrypted ones for a preview.

The same function runs in the process that asks (the command line, the tests) and in the
document builder process of the desktop application (``services/document_builder.py``), which
receives the job through a pipe: nothing here reads the vault or writes a file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from pypdf import PdfReader

from shelter_app.documents import encryption
from shelter_app.documents.appointment_card import AppointmentCard, build_appointment_card
from shelter_app.documents.archival import to_pdfa
from shelter_app.documents.layout import DocumentSpec, new_packet_id, paragraphs, render, styles
from shelter_app.documents.non_punishment import (
    NonPunishmentLetter,
    build_non_punishment_letter,
)
from shelter_app.documents.own_copy import OwnCopy, build_own_copy
from shelter_app.documents.packet_model import ReferralPacket
from shelter_app.documents.referral import build_referral, build_survivor_copy
from shelter_app.documents.residence import ResidencePacket, build_residence
from shelter_app.documents.residence_docx import letter_docx, statement_docx

Model = ReferralPacket | ResidencePacket | AppointmentCard | NonPunishmentLetter | OwnCopy


@dataclass(frozen=True)
class Job:
    """What to make: the packet model, and the passphrase that will open it (None: plain)."""

    model: Model
    passphrase: str | None = field(default=None, repr=False)
    archival: bool = False  # PDF/A-2b (documents/archival.py); never with a passphrase


@dataclass(frozen=True)
class Built:
    """A document made in memory: *pdf* is encrypted when its job had a passphrase, and
    *plain* is then the same document before encryption (for a preview in memory; None when
    not encrypted)."""

    pdf: bytes = field(repr=False)
    pages: int
    plain: bytes | None = field(default=None, repr=False)
    # a second document (encrypted likewise): a residence packet's working papers, a
    # referral's copy for the person
    working: bytes | None = field(default=None, repr=False)
    working_pages: int = 0
    working_plain: bytes | None = field(default=None, repr=False)
    # editable copies of a residence packet's letter and statement: (name, .docx bytes)
    editable: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)


def build(job: Job) -> Built:
    """Lay out *job*'s document (and its second one, if it has one), count their pages,
    make them archival copies (PDF/A-2b) when asked, and encrypt them when the job has a
    passphrase."""
    model = job.model
    second: bytes | None = None
    second_pages = 0
    editable: tuple[tuple[str, bytes], ...] = ()
    if isinstance(model, ResidencePacket):
        result = build_residence(model)
        pdf, pages = result.pdf, result.pages
        second, second_pages = result.working, result.working_pages
        if model.editable and not job.passphrase:
            editable = (("letter", letter_docx(model)), ("statement", statement_docx(model)))
    else:
        if isinstance(model, ReferralPacket):
            pdf = build_referral(model)
            if model.survivor_copy:
                second = build_survivor_copy(model)
                second_pages = len(PdfReader(io.BytesIO(second)).pages)
        elif isinstance(model, AppointmentCard):
            pdf = build_appointment_card(model)
        elif isinstance(model, NonPunishmentLetter):
            pdf = build_non_punishment_letter(model)
        elif isinstance(model, OwnCopy):
            pdf = build_own_copy(model)
        else:
            raise TypeError(f"no document is made from {type(model).__name__}")
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
    if job.archival:
        pdf = to_pdfa(pdf)
        second = to_pdfa(second) if second is not None else None
    if job.passphrase:
        return Built(encryption.encrypt(pdf, job.passphrase), pages, plain=pdf,
                     working=encryption.encrypt(second, job.passphrase)
                     if second is not None else None,
                     working_pages=second_pages, working_plain=second)
    return Built(pdf, pages, working=second, working_pages=second_pages, editable=editable)


def warm_up() -> None:
    """Load the fonts and the layout once, so that the first real document is not slower."""
    render(DocumentSpec("-", new_packet_id()), paragraphs(["-"], styles().body))
