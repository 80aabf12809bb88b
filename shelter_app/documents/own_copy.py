"""The survivor's own copy of her records: everything the organisation holds about her, in
her language, addressed to her, with what was shared with whom under which consent.

The model holds plain values only, already worded in the document's language by the
service that gathered them (``services/own_copy.py``): parts with labelled fields, tables or
a line saying nothing is recorded.  Nothing here reads the vault.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from shelter_app.documents import blocks as b
from shelter_app.documents.layout import DocumentSpec, render, rich, styles
from shelter_app.documents.packet_model import Words
from shelter_app.i18n import N_

WIDTH = 170 * mm


@dataclass(frozen=True)
class Part:
    """One part of the copy: labelled fields, a table (its header first), or both; *empty*
    says what to write when it holds nothing."""

    title: str
    fields: tuple[tuple[str, str], ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    note: str = ""
    empty: str = ""


@dataclass(frozen=True)
class OwnCopy:
    packet_id: str
    language: str
    organisation: str
    organisation_contact: str
    case_code: str
    made_on: dt.date
    parts: tuple[Part, ...]
    watermark: str | None = None


RECIPIENT = N_("the person the records are about")


def recipient(language: str) -> str:
    """Who the copy is for, as every page's footer names its recipient."""
    from shelter_app.i18n import translator

    return translator(language)(RECIPIENT)


def build_own_copy(copy: OwnCopy) -> bytes:
    w = Words(copy.language)
    _ = w._
    st = styles(copy.language)
    story: list[Flowable] = [
        b.p(copy.organisation, st.heading),
        b.p(_("Your records"), st.title),
        rich(_("This is a copy of everything {organisation} holds about you in case "
               "{code}, as it stood on {day}."), st.body, organisation=copy.organisation,
             code=copy.case_code, day=w.date(copy.made_on)),
        b.p(_("You may ask us to correct anything that is wrong or missing, to stop sharing "
              "it, or to erase it. Keep this copy somewhere safe: it holds what happened to "
              "you and where you can be reached."), st.body),
    ]
    if copy.organisation_contact:
        story.append(rich(_("How to reach us: {contact}"), st.body,
                          contact=copy.organisation_contact))
    for part in copy.parts:
        story.append(b.heading(part.title, st))
        if part.note:
            story.append(b.p(part.note, st.small))
        if part.fields:
            story.append(b.fields(part.fields, st, width=WIDTH))
        if part.rows:
            count = len(part.header)
            story.append(b.grid(part.header, part.rows, st, widths=[WIDTH / count] * count,
                                small=True))
        if not part.fields and not part.rows:
            story.append(b.p(part.empty or _("Nothing is recorded."), st.body))
    spec = DocumentSpec(recipient=recipient(copy.language), packet_id=copy.packet_id,
                        language=copy.language, watermark=copy.watermark)
    return render(spec, story)
