"""A translated exhibit is named by its evidence item, never by a letter that moves: it is
followed by its translation and by the translator's certificate naming both; a document
"translated" from the packet's own language is refused, and so, outside a draft, is one
whose translation is not there."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.pagesizes import LETTER

from shelter_app.errors import ValidationError
from shelter_app.services.documents import PreflightFailed
from tests.documents.conftest import read_pdf
from tests.documents.test_residence import Residence, pdf_pages, residence  # noqa: F401


def test_the_translation_follows_its_exhibit_then_the_certificate(
        residence: Residence, tmp_path: Path) -> None:  # noqa: F811
    s = residence.scenario
    c = s.org.coordinator
    docs = s.org.legal.documents
    police = residence.items["police"]
    translation = c.attachments.add(s.case_id, "police-en.pdf",
                                    pdf_pages(2, LETTER, "English translation"),
                                    label="Police report, English translation")
    c.legal.link_evidence(police, translation.id)  # kept with the item it translates
    check = docs.residence_check(s.case_id, "us-t-visa",
                                 translations={police: f"es:{translation.id}"})
    assert not check.missing, check.missing
    # the translation is no exhibit of its own
    assert [label for _letter, label, _id in check.exhibits].count(
        "Police report and cooperation letter") == 1
    [(letter, _label, _id)] = [x for x in check.exhibits if x[2] == police]
    produced = docs.residence_packet(s.case_id, "us-t-visa",
                                     translations={police: f"es:{translation.id}"})
    read = read_pdf(produced.pdf, tmp_path)
    pages = read.poppler_pages
    cover = next(i for i, p in enumerate(pages) if f"Exhibit {letter}" in p
                 and "Police report" in p and "Exhibit index" not in p)
    body = [i for i, p in enumerate(pages) if "Police original page" in p]
    translated = [i for i, p in enumerate(pages) if "English translation original page" in p]
    certificate = next(i for i, p in enumerate(pages) if "Translator's certificate" in p)
    assert body == list(range(cover + 1, cover + 10))
    assert translated == [cover + 10, cover + 11], "the translation right after the exhibit"
    assert certificate == cover + 12, "then the certificate"
    said = " ".join(pages[certificate].split())
    assert "Police report and cooperation letter" in said
    assert "Police report, English translation" in said and "Spanish" in said


def test_what_is_refused(residence: Residence) -> None:  # noqa: F811
    s = residence.scenario
    docs = s.org.legal.documents
    police = residence.items["police"]
    with pytest.raises(ValidationError, match="not by an exhibit letter"):
        docs.residence_check(s.case_id, "us-t-visa", translations={"E": "es"})
    # from the packet's own language: no certificate wanted
    missing = docs.residence_preflight(s.case_id, "us-t-visa",
                                       translations={police: "en:whatever"})
    assert any("translated from the packet's own language" in m for m in missing), missing
    # not in the matter's evidence
    missing = docs.residence_preflight(s.case_id, "us-t-visa",
                                       translations={"0" * 8 + "-nope": "es"})
    assert any("not in this matter's evidence" in m for m in missing), missing
    # the translation not there: refused, but a draft shows where it goes
    missing = docs.residence_preflight(s.case_id, "us-t-visa", translations={police: "es"})
    assert any("The translation of Police report" in m for m in missing), missing
    with pytest.raises(PreflightFailed):
        docs.residence_packet(s.case_id, "us-t-visa", translations={police: "es"})
    draft = docs.residence_packet(s.case_id, "us-t-visa", translations={police: "es"},
                                  draft=True)
    assert draft.pages > 0
    # a translation that is not this case's document
    missing = docs.residence_preflight(s.case_id, "us-t-visa",
                                       translations={police: "es:no-such-attachment"})
    assert any("is not a document of this case" in m for m in missing), missing
