"""The letter claims only what the evidence supports, and the elements checklist says per
element what is enclosed, what is still missing and what does not apply, with the reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import LETTER

from shelter_app.documents import templates
from shelter_app.documents.residence import ResidencePacket
from shelter_app.documents.residence_parts import paragraphs
from shelter_app.errors import ValidationError
from shelter_app.services.documents import DocumentService
from shelter_app.services.residence_data import is_minor
from tests.documents.conftest import read_pdf
from tests.documents.test_residence import (  # noqa: F401
    Residence,
    _attach,
    pdf_pages,
    residence,
)

EVERY = "The enclosed evidence addresses each requirement of 8 CFR 214.202"
SOME = "The enclosed evidence addresses the following requirements of 8 CFR 214.202"


def _letter_and_checklist(produced: object, tmp_path: Path) -> tuple[str, str]:
    read = read_pdf(produced.pdf, tmp_path)  # type: ignore[attr-defined]
    letter = " ".join(read.poppler_pages[0].split())
    checklist = " ".join(next(p for p in read.poppler_pages if "Elements checklist" in p)
                         .split())
    return letter, checklist


def test_a_partial_file_claims_only_what_is_enclosed(residence: Residence,  # noqa: F811
                                                     tmp_path: Path) -> None:
    s = residence.scenario
    c = s.org.coordinator
    # a second T visa matter, its file begun: the form and the statement only
    matter = c.legal.open(s.case_id, "t_visa", jurisdiction="United States",
                          authority_ref="EAC-26-001-60000").id
    for label in ("Form I-914, signed", "Personal statement of the applicant"):
        _attach(s, matter, label, "doc.pdf", pdf_pages(1, LETTER, label[:8]))
    c.legal.add_evidence(matter, "Identity document (passport)")
    waived = c.legal.add_evidence(matter, "Evidence of cooperation with law enforcement")
    c.legal.set_evidence_state(waived.id, "not_applicable",
                               reason="unable to cooperate because of trauma (psychologist)")
    produced = c.documents.residence_packet(s.case_id, "us-t-visa", matter_id=matter,
                                            draft=True)
    letter, checklist = _letter_and_checklist(produced, tmp_path)
    assert EVERY not in letter and SOME in letter
    assert ("Evidence on Compliance with any reasonable request for assistance, or its "
            "exemption or exception; Admissibility, or a waiver of inadmissibility (Form "
            "I-192) is not yet enclosed") in letter
    assert "exempt or excepted from the requirement" in letter
    assert "unable to cooperate because of trauma (psychologist)" in letter
    assert "Form I-192 (INA" not in letter, "no waiver asked for without the form"
    # (the table's narrow column wraps the words: each line of it is read alone)
    assert "Still missing: Identity" in checklist and "Enclosed: Exhibit" in checklist
    assert "Not applicable: Evidence of" in checklist and "(psychologist))." in checklist
    assert "None enclosed" not in checklist


def test_a_complete_file_claims_every_requirement(residence: Residence,  # noqa: F811
                                                  tmp_path: Path) -> None:
    s = residence.scenario
    c = s.org.coordinator
    for label in ("Evidence of extreme hardship", "Form I-192, Application for Advance "
                  "Permission to Enter as a Nonimmigrant"):
        _attach(s, residence.matter_id, label, "more.pdf", pdf_pages(1, LETTER, label[:10]))
    produced = c.documents.residence_packet(s.case_id, "us-t-visa")
    letter, checklist = _letter_and_checklist(produced, tmp_path)
    assert EVERY in letter and SOME not in letter
    assert "waiver of inadmissibility on the enclosed Form I-192" in letter
    assert "Still missing" not in checklist and "Enclosed: Exhibit" in checklist


def test_a_minor_applicants_paragraph(residence: Residence,  # noqa: F811
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    s = residence.scenario
    made: list[ResidencePacket] = []
    real = DocumentService.produce_pdf

    def keep(self: DocumentService, **kwargs: object) -> object:
        made.append(kwargs["model"])  # type: ignore[arg-type]
        return real(self, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(DocumentService, "produce_pdf", keep)
    s.org.coordinator.documents.residence_packet(s.case_id, "us-t-visa", draft=True)
    [packet] = made
    assert not packet.minor  # an adult in the scenario
    said = " ".join(paragraphs(replace(packet, minor=True)))
    assert "(INA § 101(a)(15)(T)(i)(III)(cc))" in said
    assert "(cc)" not in " ".join(paragraphs(packet))
    on = dt.date(2026, 5, 1)
    assert is_minor("2010-05-02", None, on) and not is_minor("2008-05-01", None, on)
    assert is_minor(None, 17, on) and not is_minor(None, 18, on) and not is_minor(None, None, on)


def test_a_paragraph_must_say_when_and_have_a_place(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    text = templates.resource("templates", "blank.toml").read_text("utf-8")
    bad = text.replace('when = "all_elements"', 'when = "always"').replace(
        'id = "blank"', 'id = "xx-bad"')
    (tmp_path / "bad.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(ValidationError, match="a paragraph's 'when' must be one of"):
        templates.parse(tmp_path / "bad.toml")
    unplaced = text.replace("{paragraphs}", "").replace('id = "blank"', 'id = "xx-bad"')
    (tmp_path / "unplaced.toml").write_text(unplaced, encoding="utf-8")
    with pytest.raises(ValidationError, match="must say where its paragraphs go"):
        templates.parse(tmp_path / "unplaced.toml")
