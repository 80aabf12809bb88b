"""shelter-admin packet referral / packet residence / templates, run as a person would."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pypdf
import pytest

from shelter_app.cli.main import main
from tests.bidi import plain
from tests.conftest import FAST_KDF
from tests.documents.conftest import NAME, Scenario, read_pdf
from tests.documents.test_residence import Residence, residence  # noqa: F401
from tests.records.conftest import STAFF_PASS


def close(s: Scenario) -> Path:
    """Sign everyone out so that the command can open the vault, as on one desk."""
    for one in s.org.opened:
        one.close()
    s.org.vault.close()
    return s.org.folder


def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], folder: Path,
        *argv: str, user: str = "coordinator") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(STAFF_PASS + "\n"))
    code = main(["--vault", str(folder), "--as", user, "--passphrase-stdin", *argv],
                kdf=FAST_KDF)
    out, err = capsys.readouterr()
    return code, out, err


def test_referral_packet_from_the_command_line(scenario: Scenario, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    folder = close(scenario)
    out = tmp_path / "referral-for-partner.pdf"
    code, stdout, err = cli(monkeypatch, capsys, folder, "packet", "referral", "--case",
                            scenario.code, "--to", "centro esperanza", "--out", str(out),
                            "--encrypt", "--language", "fr")
    assert (code, err) == (0, ""), err
    passphrase = re.search(r"^\s+([2-9A-Z]{5}(?:-[2-9A-Z]{5}){4})$", stdout, re.M)
    assert passphrase and stdout.count(passphrase.group(1)) == 1
    assert "Sections shared: identity, contact, situation" in stdout
    read = read_pdf(out.read_bytes(), tmp_path, password=passphrase.group(1))
    assert "Formulaire d'orientation" in read.text
    assert pypdf.PdfReader(out).is_encrypted
    # the same file again is refused before anything is produced
    code, stdout, err = cli(monkeypatch, capsys, folder, "packet", "referral", "--case",
                            scenario.code, "--to", "Centro Esperanza", "--out", str(out))
    assert code == 1 and "already exists" in err and err.count("\n") == 1
    # her own copy, when she wants one: a file of its own beside it, encrypted likewise
    out = tmp_path / "referral-2.pdf"
    code, stdout, err = cli(monkeypatch, capsys, folder, "packet", "referral", "--case",
                            scenario.code, "--to", "Centro Esperanza", "--out", str(out),
                            "--own-copy", "--encrypt")
    assert (code, err) == (0, ""), err
    own = tmp_path / "referral-2-own-copy.pdf"
    assert re.search(rf"^The person's own copy: {re.escape(str(own))}, \d+ pages\.$", stdout,
                     re.M), stdout
    passphrase = re.search(r"^\s+([2-9A-Z]{5}(?:-[2-9A-Z]{5}){4})$", stdout, re.M)
    assert passphrase is not None and pypdf.PdfReader(own).is_encrypted
    read = read_pdf(own.read_bytes(), tmp_path, password=passphrase.group(1))
    assert scenario.code in read.text and "Centro Esperanza" in read.text
    assert NAME not in read.text
    # an existing copy's name is refused before anything is made
    own.rename(tmp_path / "referral-3-own-copy.pdf")
    code, stdout, err = cli(monkeypatch, capsys, folder, "packet", "referral", "--case",
                            scenario.code, "--to", "Centro Esperanza", "--out",
                            str(tmp_path / "referral-3.pdf"), "--own-copy")
    assert code == 1 and "referral-3-own-copy.pdf\u2069 already exists" in err
    assert not (tmp_path / "referral-3.pdf").exists()


@pytest.mark.parametrize(("argv", "message"), [
    (["--sections", "identity,health"], "does not cover: Health"),
    (["--to", "Nobody Partners"], "No partner with that id or name"),
    (["--out", "Lucero-referral.pdf"], "neutral file name"),
    # word by word, whatever joins the words, and the folder too
    (["--out", "Lucero_referral.pdf"], "neutral file name"),
    (["--out", "forLucero.pdf"], "neutral file name"),
    (["--out", "lucero2.pdf"], "neutral file name"),
    (["--out", "Lucero files/referral.pdf"], "neutral file name"),
    (["--out", "referral\u202efdp.pdf"], "invisible or change the direction"),
    (["--language", "de"], "Documents can be written in: en, es, fr, it, ar"),
])
def test_refusals_are_one_line(scenario: Scenario, tmp_path: Path, argv: list[str],
                               message: str, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    folder = close(scenario)
    base = {"--to": "Centro Esperanza", "--out": "referral.pdf"}
    pairs = dict(zip(argv[::2], argv[1::2], strict=True))
    args = {**base, **pairs}
    args["--out"] = str(tmp_path / args["--out"])
    code, _stdout, err = cli(monkeypatch, capsys, folder, "packet", "referral", "--case",
                             scenario.code, *[x for kv in args.items() for x in kv])
    assert code == 1 and message in plain(err) and err.count("\n") == 1, err
    assert not list(tmp_path.glob("*.pdf"))


def test_residence_packet_preflight_and_templates(residence: Residence, tmp_path: Path,  # noqa: F811
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    s = residence.scenario
    s.org.coordinator.legal.add_evidence(residence.matter_id, "Hardship evidence (doctor)")
    folder = close(s)
    code, stdout, _err = cli(monkeypatch, capsys, folder, "templates", user="legal")
    assert code == 0 and re.search(r"^us-t-visa\t2026\.2\tUnited States", stdout, re.M)
    assert {line.split("\t")[0] for line in stdout.splitlines()} >= {
        "us-t-visa", "coe-eu-reflection-residence", "uk-nrm-vts", "it-art18", "ca-trp-vtip",
        "blank"}
    code, stdout, err = cli(monkeypatch, capsys, folder, "packet", "residence", "--case",
                            s.code, "--template", "us-t-visa", "--preflight", user="legal")
    assert code == 1 and "1 items missing" in err
    lines = stdout.splitlines()
    assert lines[0] == (f"Legal matter: T visa, United States, EAC-26-001-50001, Preparing"
                        f" ({residence.matter_id})")
    assert lines[-1] == "No document attached: Hardship evidence (doctor)"
    assert all(re.fullmatch(r"Exhibit [A-Z]: .+ \(item [0-9a-f-]{36}\)", line)
               for line in lines[1:-1])
    out = tmp_path / "residence.pdf"
    code, stdout, err = cli(monkeypatch, capsys, folder, "packet", "residence", "--case",
                            s.code, "--template", "us-t-visa", "--out", str(out), user="legal")
    assert code == 1 and "Hardship evidence" in err and not out.exists()
    code, stdout, err = cli(monkeypatch, capsys, folder, "packet", "residence", "--case",
                            s.code, "--template", "us-t-visa", "--out", str(out), "--draft",
                            "--translated", f"{residence.items['police']}:es", "--bates-prefix",
                            "LOPEZ-", user="legal")
    assert (code, err) == (0, ""), err
    read = read_pdf(out.read_bytes(), tmp_path)
    assert f"LOPEZ-{read.pages:06d}" in read.poppler_pages[-1]


def test_packet_needs_a_kind(scenario: Scenario, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = cli(monkeypatch, capsys, close(scenario), "packet")
    assert code == 2 and "referral, residence, non-punishment or own-copy" in err


def test_a_missing_recipient_gets_the_command_lines_own_hint(
        residence: Residence, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    s = residence.scenario
    folder = close(s)
    code, stdout, _err = cli(monkeypatch, capsys, folder, "packet", "residence", "--case",
                             s.code, "--template", "uk-nrm-vts", "--preflight", user="legal")
    assert code == 1
    recipient = [line for line in stdout.splitlines() if "partner directory" in line]
    assert recipient and "--to" not in recipient[0], "the core speaks to any user"
    assert stdout.splitlines()[-1].startswith("Name the recipient with --to PARTNER")
    out = tmp_path / "nrm.pdf"
    code, _stdout, err = cli(monkeypatch, capsys, folder, "packet", "residence", "--case",
                             s.code, "--template", "uk-nrm-vts", "--draft", "--out", str(out),
                             user="legal")
    assert code == 1 and "--to PARTNER" in err and err.count("\n") == 1 and not out.exists()
