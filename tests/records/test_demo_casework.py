"""The demo's legal casework: for every residence template meant to be filed, a case a legal
volunteer can produce a packet for from the command line, from the matter she names, with
nothing missing; the packet's statement is drafted from the case's timeline."""

from __future__ import annotations

import datetime as dt
import subprocess
import unicodedata
from pathlib import Path

import pytest

from shelter_app.demo_casework import PLANS
from shelter_app.documents import templates
from shelter_app.documents.packet_model import Words
from shelter_app.services.registry import build_services
from shelter_app.vault.vault import Vault
from tests.conftest import FAST_KDF
from tests.records.test_cli import PASS, run
from tests.records.test_tasks_cli import lines

# template → words its filed packet prints (letter, checklist, footers), per the review
LAW = {
    "us-t-visa": ("Essex Junction, VT 05479-0001", "8 CFR 214.205"),
    "uk-nrm-vts": ("without making an application", "s. 63"),
    "it-art18": ("presupposto del rilascio",),
    "ca-trp-vtip": ("two steps of the assessment", "s. 25(1)"),
    "coe-eu-reflection-residence": ("Article 14(5)", "Art. 13(3)", "Art. 6(4)"),
}


def pages_of(path: Path) -> list[str]:
    """Each page's text, pdftotext's, with ligatures as letters and spaces made single."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    return [" ".join(unicodedata.normalize("NFKC", page).split())
            for page in text.split("\f") if page.strip()]


def test_every_template_passes_preflight_for_a_demo_case(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "demo"
    code, out, err = run(monkeypatch, capsys, "--vault", str(folder), "--passphrase-stdin",
                         "demo", "--survivors", "24")
    assert (code, err) == (0, ""), out
    assert "legal_matters_ready 5" in out
    with Vault.open(folder, kdf=FAST_KDF) as vault:
        services = build_services(vault.unlock("legal", PASS)[0])
        try:
            prepared = {}
            for case_id in services.search.list_ids():
                for matter in services.legal.list(case_id):
                    if matter.template_id:
                        prepared[matter.template_id] = (services.cases.get(case_id).code,
                                                        matter.id)
        finally:
            services.lock()
    assert sorted(prepared) == sorted(PLANS)

    def admin(*argv: str) -> tuple[int, str, str]:
        return run(monkeypatch, capsys, "--vault", str(folder), "--as", "legal",
                   "--passphrase-stdin", *argv)

    for template, (case_code, matter_id) in sorted(prepared.items()):
        code, out, err = admin("matters", "--case", case_code)
        assert code == 0 and [matter_id, template] in [[r[0], r[-1]] for r in lines(out)]
        code, out, err = admin("packet", "residence", "--case", case_code, "--template",
                               template, "--matter", matter_id, "--preflight")
        assert (code, err) == (0, ""), (template, out)
        assert out.splitlines()[0].startswith("Legal matter: ")
        assert out.splitlines()[0].endswith(f"({matter_id})")
        assert out.splitlines()[-1] == "Nothing is missing."
        # another template's matter is never taken for this one
        other = next(m for t, (_c, m) in prepared.items() if t != template)
        code, out, err = admin("packet", "residence", "--case", case_code, "--template",
                               template, "--matter", other, "--preflight")
        assert code == 1

    # every filed packet, read back: what the templates' legal review asked for is printed
    (tmp_path / "out").mkdir()
    today = dt.date.today()
    for template, said in LAW.items():
        case_code, matter_id = prepared[template]
        target = tmp_path / "out" / f"{template}.pdf"
        code, out, err = admin("packet", "residence", "--case", case_code, "--template",
                               template, "--matter", matter_id, "--out", str(target))
        assert (code, err) == (0, ""), (template, out)
        pages = pages_of(target)
        letter = pages[0]
        formats = templates.load(template).formats
        assert Words("en", formats).date(today) in letter or template == "it-art18"
        for words in said:
            assert words in " ".join(pages), (template, words)
        assert "___" not in " ".join(pages)
        working = pages_of(target.with_name(f"{template}-working.pdf"))
        assert f"checked against these on {Words('en', formats).date(dt.date(2026, 12, 6))}" \
            in " ".join(working) or template == "it-art18"
        if template == "us-t-visa":  # the § 1367 marking on every page, not "do not copy"
            assert all("8 U.S.C. § 1367 prohibits disclosing it" in p for p in pages)
            assert not any("Do not copy" in p for p in pages)
        if template == "it-art18":  # to the Questura the matter names, in every footer
            assert all("Questura di Latina, Ufficio Immigrazione" in p for p in pages)
            assert Words("it", formats).date(today) in letter

    case_code, matter_id = prepared["uk-nrm-vts"]
    target = tmp_path / "out" / "uk.pdf"
    code, out, err = admin("packet", "residence", "--case", case_code, "--template",
                           "uk-nrm-vts", "--matter", matter_id, "--out", str(target))
    assert (code, err) == (0, ""), out
    working = target.with_name("uk-working.pdf")
    assert f"Working papers, not for filing: {working}, " in out

    def read(path: Path) -> str:
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                              capture_output=True, text=True).stdout
        return " ".join(unicodedata.normalize("NFKC", text).split())  # ligatures as letters

    bundle, flat = read(target), read(working)
    assert "DRAFT" not in bundle and "Personal statement: draft" not in bundle
    assert "Personal statement" in flat and "Working papers, not for filing" in flat
    # the statement is the timeline's: approximate dates said so, the escape in its part
    assert "An acquaintance offered well-paid work abroad" in flat
    assert "How I got away, and what happened since" in flat
    assert "Left during a night shift" in flat and "about " in flat
    assert "Demo legal volunteer (fictional)" in flat  # the matter's representative
    # the charge against her: the letter goes to the prosecutor her consent covers
    code, out, err = admin("measures", "--case", case_code)
    [[record_id, measure, status, act_by]] = lines(out)
    assert (measure, status, act_by != "-") == ("charge", "open", True)
    code, out, err = admin("partners")
    town = PLANS["uk-nrm-vts"][2]
    prosecutor = next(r[0] for r in lines(out)
                      if r[1].startswith(f"Public prosecutor's office, {town}"))
    letter = tmp_path / "out" / "letter.pdf"
    code, out, err = admin("packet", "non-punishment", "--case", case_code, "--record",
                           record_id, "--to", prosecutor, "--out", str(letter))
    assert (code, err) == (0, ""), err
