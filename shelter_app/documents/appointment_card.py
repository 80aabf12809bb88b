"""The appointment card: a small card (A6) in the survivor's language saying when and where
to come and whom to ask for.  Deliberately discreet: no name, and no word that says what the
appointment is about, in case someone else finds it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from shelter_app.documents import blocks as b
from shelter_app.documents.layout import PAGE_SIZES, DocumentSpec, render, rich, styles
from shelter_app.documents.packet_model import Words
from shelter_app.i18n.formatting import format_date, format_time

CARD_MARGIN = 9 * mm
CARD_WIDTH = PAGE_SIZES["a6"][0] - 2 * CARD_MARGIN


@dataclass(frozen=True)
class AppointmentCard:
    packet_id: str
    language: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str
    room: str
    ask_for: str
    interpreter_language: str | None
    organisation: str
    organisation_contact: str
    case_code: str
    watermark: str | None = None


def recipient(language: str) -> str:
    return Words(language)._("the holder of this card")


def build_appointment_card(card: AppointmentCard) -> bytes:
    w = Words(card.language)
    _ = w._
    st = styles(card.language, scale=0.85)
    spec = DocumentSpec(recipient=recipient(card.language), packet_id=card.packet_id,
                        language=card.language, watermark=card.watermark,
                        pagesize=PAGE_SIZES["a6"], margin=CARD_MARGIN)
    when = format_date(card.starts_at.astimezone().date(), length="full", language=card.language)
    start = format_time(card.starts_at, language=card.language)
    hours = f"{start} – {format_time(card.ends_at, language=card.language)}"
    rows: list[tuple[str, object]] = [(_("Date"), when), (_("Time"), hours)]
    place = w.join((card.location, card.room))
    if place:
        rows.append((_("Place"), place))
    if card.ask_for:
        rows.append((_("Ask for"), card.ask_for))
    if card.interpreter_language:
        rows.append((_("Interpreter"), w.languages([card.interpreter_language])))
    rows.append((_("Reference"), card.case_code))
    story: list[Flowable] = [
        b.p(_("Appointment"), st.title),
        b.fields(rows, st, width=CARD_WIDTH, label_share=0.3),
        b.gap(3),
        b.p(_("Please come a few minutes early and bring this card."), st.body),
    ]
    if card.organisation_contact:
        story.append(rich(_("If you cannot come, please tell us: {contact}"), st.body,
                          contact=card.organisation_contact))
    return render(spec, story)
