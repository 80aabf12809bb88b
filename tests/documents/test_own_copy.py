"""The survivor's own copy of her records: everything held about her, in her language,
encrypted unless asked otherwise, what left the vault about her and under which consent,
recorded like every document; made only by those who may read all of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shelter_app.errors import NotFound, PermissionDenied, ValidationError
from tests.bidi import plain
from tests.documents.conftest import NAME, Scenario, has_phrase, read_pdf


def test_her_copy_holds_everything_in_her_language(scenario: Scenario, tmp_path: Path):
    org = scenario.org
    c = org.coordinator
    c.care.record(scenario.case_id, "medical", provided_on="2024-10-02",
                  outcome="Blood tests normal.")
    c.family.add(scenario.case_id, "Rosa Lucero", "child", at_risk=True)
    produced = c.documents.own_copy(scenario.case_id)
    assert produced.passphrase, "encrypted unless asked otherwise"
    assert produced.language == "ar" and produced.kind == "own_copy"
    read = read_pdf(produced.pdf, tmp_path, produced.passphrase)
    text = read.text
    for phrase in (NAME, "Lucerito", "San Pedro Sula",
                   "Worked 16 hours a day", "Centro Esperanza", "Rosa Lucero",
                   "Blood tests normal", "Say you are calling from the dentist",
                   "+34 600 000 111", scenario.code, produced.packet_id):
        assert has_phrase(text, phrase), phrase
    assert has_phrase(text, "سجلاتك") or "سجلات" in text  # the title, in Arabic
    english = c.documents.own_copy(scenario.case_id, language="en", encrypt=False)
    assert english.passphrase is None
    text = read_pdf(english.pdf, tmp_path).text
    for phrase in ("Your records", "What you agreed we may share", "Referral for",
                   "Services you received", "Your family", "Centro Esperanza"):
        assert has_phrase(text, phrase), phrase
    assert not org.audit("data.export")  # made and looked at: nothing left the vault yet
    assert org.audit("document.previewed")


def test_what_left_the_vault_is_listed_with_its_consent(scenario: Scenario, tmp_path: Path):
    c = scenario.org.coordinator
    packet = c.documents.referral_packet(scenario.case_id, scenario.partner_id,
                                         sections=["identity"], preview=False)
    c.documents.save(packet, tmp_path / "referral-1.pdf")
    first = c.documents.own_copy(scenario.case_id, language="en", encrypt=False)
    c.documents.save(first, tmp_path / "copy-1.pdf")
    assert (tmp_path / "copy-1.pdf").read_bytes() == first.pdf
    export = scenario.org.audit("data.export")[-1]
    assert export["details"]["format"] == "own_copy.pdf"
    second = c.documents.own_copy(scenario.case_id, language="en", encrypt=False)
    text = read_pdf(second.pdf, tmp_path).text
    assert has_phrase(text, packet.packet_id) and has_phrase(text, first.packet_id)
    assert has_phrase(text, "Centro Esperanza")
    assert "consent of" in plain(text)
    kinds = [d.kind for d in c.documents.history(scenario.case_id)]
    assert kinds.count("own_copy") == 1 and "referral" in kinds


def test_only_those_who_may_read_all_of_it_make_it(scenario: Scenario, tmp_path: Path):
    org = scenario.org
    assert org.caseworker.documents.own_copy(scenario.case_id, encrypt=False).pdf
    with pytest.raises(PermissionDenied, match="caseworker or a coordinator"):
        org.legal.documents.own_copy(scenario.case_id)  # shared with her, but no health
    for who in (org.other_caseworker, org.admin):
        with pytest.raises((PermissionDenied, NotFound)):
            who.documents.own_copy(scenario.case_id)
    assert org.audit("access.denied")


def test_a_file_name_that_names_her_is_refused(scenario: Scenario, tmp_path: Path):
    c = scenario.org.coordinator
    produced = c.documents.own_copy(scenario.case_id)
    with pytest.raises(ValidationError, match="neutral file name"):
        c.documents.save(produced, tmp_path / "Lucero_records.pdf")
    assert not list(tmp_path.glob("*.pdf"))
    assert produced.file_name.startswith("copy-PK-")


def test_her_copy_from_the_command_line(scenario: Scenario, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    from tests.documents.test_cli import cli, close

    folder = close(scenario)
    out = tmp_path / "copy-for-her.pdf"
    code, stdout, err = cli(monkeypatch, capsys, folder, "packet", "own-copy", "--case",
                            scenario.code, "--out", str(out), "--language", "es")
    assert (code, err) == (0, ""), err
    passphrase = re.search(r"^\s+([2-9A-Z]{5}(?:-[2-9A-Z]{5}){4})$", stdout, re.M)
    assert passphrase, "encrypted by default"
    assert "Sections shared" not in stdout
    assert has_phrase(read_pdf(out.read_bytes(), tmp_path, passphrase.group(1)).text, NAME)
    code, _stdout, err = cli(monkeypatch, capsys, folder, "packet", "own-copy", "--case",
                             scenario.code, "--out", str(tmp_path / "b.pdf"), "--plain",
                             user="legal")
    assert code == 1 and "caseworker or a coordinator" in err
    code, _stdout, err = cli(monkeypatch, capsys, folder, "packet", "own-copy", "--case",
                             scenario.code, "--out", str(tmp_path / "Lucero.pdf"), "--plain")
    assert code == 1 and "neutral file name" in err
    assert not (tmp_path / "Lucero.pdf").exists() and not (tmp_path / "b.pdf").exists()
