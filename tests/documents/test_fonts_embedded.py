"""Every font a document names is embedded (pdffonts, poppler's own report): a canvas
that starts in reportlab's default Helvetica would name it on every page unembedded, and a
reader without it substitutes another."""

from __future__ import annotations

import subprocess
from pathlib import Path

from shelter_app.documents.recovery_sheet import build_recovery_sheet
from tests.documents.conftest import Scenario
from tests.documents.test_residence import (  # noqa: F401
    Residence,
    _attach,
    photo,
    residence,
)


def _fonts(pdf: bytes, tmp_path: Path, name: str) -> list[tuple[str, str]]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                         text=True).stdout.splitlines()[2:]
    rows = [line.split() for line in out if line.strip()]
    # name, then type words, then encoding, emb, sub, uni, object id, generation
    return [(row[0], row[-5]) for row in rows]


def test_every_document_embeds_every_font_it_names(residence: Residence,  # noqa: F811
                                                   scenario: Scenario, tmp_path: Path) -> None:
    s = residence.scenario
    # an attached PDF keeps the fonts it came with (the fixture's, reportlab's Helvetica,
    # unembedded): this packet's only exhibit is a photo, so every font is the packet's own
    matter = s.org.coordinator.legal.open(s.case_id, "t_visa", jurisdiction="United States",
                                          authority_ref="EAC-26-001-77777")
    item = _attach(s, matter.id, "Passport (copy)", "passport.jpg", photo())
    packet = s.org.legal.documents.residence_packet(s.case_id, "us-t-visa", draft=True,
                                                    matter_id=matter.id,
                                                    translations={item: "es"})
    referral = s.org.coordinator.documents.referral_packet(s.case_id, s.partner_id)
    assert packet.working is not None
    documents = {"bundle": packet.pdf, "working": packet.working, "referral": referral.pdf,
                 "recovery": build_recovery_sheet(organisation="Casa (fictional)",
                                                  vault_id="v", recovery_key="K" * 32)}
    for name, pdf in documents.items():
        fonts = _fonts(pdf, tmp_path, name)
        assert fonts, name
        assert all(embedded == "yes" for _font, embedded in fonts), (name, fonts)
        assert not any(font == "Helvetica" for font, _e in fonts), name
