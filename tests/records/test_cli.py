"""shelter-admin demo, export, import and partners, run in-process as a person would."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path

import pytest

from shelter_app.cli.main import main
from shelter_app.demo import PARTNERS
from shelter_app.demo_casework import AUTHORITIES, PLANS
from shelter_app.documents import templates
from shelter_app.services.registry import build_services
from shelter_app.vault.vault import Vault
from tests.bidi import plain
from tests.conftest import FAST_KDF

PASS = "plain orchard lantern 42"


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str,
        stdin: str = PASS + "\n") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv), kdf=FAST_KDF)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
         capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "demo"
    code, out, err = run(monkeypatch, capsys, "--vault", str(folder), "--passphrase-stdin",
                         "demo", "--survivors", "6")
    assert (code, err) == (0, "")
    assert "cases 6" in out
    return folder


def cases_in(folder: Path, user: str = "coordinator", passphrase: str = PASS) -> list[str]:
    with Vault.open(folder, kdf=FAST_KDF) as vault:
        opened, _report = vault.unlock(user, passphrase)
        services = build_services(opened)
        try:
            return [s.code for s in services.search.summaries(services.search.list_ids(
                sort="code"))]
        finally:
            services.lock()


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"), newline="")))


def test_demo_vault_with_one_passphrase_for_every_account(demo: Path) -> None:
    codes = cases_in(demo)
    assert len(codes) == 6 and all(c.startswith("DEMO-") for c in codes)
    with Vault.open(demo, kdf=FAST_KDF) as vault:
        for user in ("admin", "coordinator", "caseworker", "legal"):
            opened, report = vault.unlock(user, PASS)
            services = build_services(opened)
            assert not report.must_change_passphrase
            assert {r.value for r in services.session.roles} == {user}
            if user != "admin":
                # fictional partners, and the authorities the residence templates name,
                # whose entries say they are demo entries with no real contact
                authorities = {t.authority for t in templates.available()} | set(
                    AUTHORITIES.values())
                for partner in services.partners.list():
                    assert ("fictional" in partner.name or "ficti" in partner.name
                            or (partner.name in authorities
                                and "demo" in partner.address.casefold())), partner.name
            services.lock()
    assert cases_in(demo, "caseworker") == codes  # the demo's one caseworker holds them all


def test_demo_prints_generated_passphrases_that_work(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "demo"
    code, out, _err = run(monkeypatch, capsys, "--vault", str(folder), "demo", "--survivors",
                          "2", stdin="")
    assert code == 0
    shown = dict(re.findall(r"^  (admin|coordinator|caseworker|legal): (\S+)$", out, re.M))
    assert set(shown) == {"admin", "coordinator", "caseworker", "legal"}
    assert len(set(shown.values())) == 4
    assert re.search(r"Recovery key: [0-9A-Z-]{20,}", out)
    assert len(cases_in(folder, "coordinator", shown["coordinator"])) == 2


def test_demo_refuses_an_existing_vault(demo: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    before = (demo / "cases.db").read_bytes()
    code, out, err = run(monkeypatch, capsys, "--vault", str(demo), "--passphrase-stdin",
                         "demo", "--survivors", "3")
    assert code == 1 and out == ""
    assert "A vault already exists" in err
    assert (demo / "cases.db").read_bytes() == before
    assert len(cases_in(demo)) == 6


def test_partners_lists_id_and_name(demo: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(monkeypatch, capsys, "--vault", str(demo), "--passphrase-stdin",
                          "--as", "caseworker", "partners")
    assert code == 0
    lines = [line.split("\t") for line in out.splitlines()]
    # the demo's partners, and the authority of each residence template it prepared and
    # the prosecutor's office of each prepared case (for the non-punishment letter)
    assert len(lines) == len(PARTNERS) + 2 * len(PLANS) and all(len(p) == 2 for p in lines)
    assert all(re.fullmatch(r"[0-9a-f-]{36}", pid) for pid, _name in lines)
    assert "Casa Segura (ficticia)" in {name for _pid, name in lines}
    code, _out, err = run(monkeypatch, capsys, "--vault", str(demo), "--passphrase-stdin",
                          "--as", "admin", "partners")
    assert code == 1 and "roles do not allow" in err
    with Vault.open(demo, kdf=FAST_KDF) as vault:
        opened, _report = vault.unlock("coordinator", PASS)
        services = build_services(opened)
        try:
            services.partners.set_active(lines[0][0], False)
        finally:
            services.lock()
    code, out, _err = run(monkeypatch, capsys, "--vault", str(demo), "--passphrase-stdin",
                          "--as", "caseworker", "partners")
    marked = [line.split("\t") for line in out.splitlines()]
    assert marked[0] == [*lines[0], "inactive"] and marked[1:] == lines[1:]


def test_export_writes_only_what_the_user_may_see(demo: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    results = {}
    for user in ("coordinator", "caseworker", "legal"):
        out_file = tmp_path / f"{user}.csv"
        code, out, err = run(monkeypatch, capsys, "--vault", str(demo), "--passphrase-stdin",
                             "--as", user, "export", "cases", "--out", str(out_file))
        assert (code, err) == (0, "")
        results[user] = csv_rows(out_file)
        assert f"Exported {len(results[user])} cases" in out
    assert len(results["coordinator"]) == len(results["caseworker"]) == 6
    # The demo shares the cases with a legal matter with its legal volunteer: only those.
    codes = {row["case_code"] for row in results["coordinator"]}
    assert results["legal"] and {row["case_code"] for row in results["legal"]} < codes
    code, _out, err = run(monkeypatch, capsys, "--vault", str(demo), "--passphrase-stdin",
                          "--as", "admin", "export", "cases", "--out", str(tmp_path / "a.csv"))
    assert code == 1 and "roles do not allow" in err and not (tmp_path / "a.csv").exists()
    code, _out, err = run(monkeypatch, capsys, "--vault", str(demo), "--passphrase-stdin",
                          "--as", "coordinator", "export", "cases", "--out",
                          str(tmp_path / "legal.csv"))
    assert code == 1 and "already exists" in err


def test_export_then_import_into_a_fresh_vault_round_trips(
        demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    first = tmp_path / "first.csv"
    base = ["--passphrase-stdin", "--as", "coordinator"]
    assert run(monkeypatch, capsys, "--vault", str(demo), *base, "export", "cases", "--out",
               str(first))[0] == 0
    empty = tmp_path / "empty"
    assert run(monkeypatch, capsys, "--vault", str(empty), "--passphrase-stdin", "demo",
               "--survivors", "0")[0] == 0
    code, out, err = run(monkeypatch, capsys, "--vault", str(empty), *base, "import",
                         str(first))
    assert (code, err) == (0, "") and "Imported 6 cases." in out
    second = tmp_path / "second.csv"
    assert run(monkeypatch, capsys, "--vault", str(empty), *base, "export", "cases", "--out",
               str(second))[0] == 0
    assert second.read_bytes() == first.read_bytes()
    # importing the same file again would duplicate every case code: nothing is imported
    code, out, err = run(monkeypatch, capsys, "--vault", str(empty), *base, "import",
                         str(first))
    assert code == 1
    assert out.count("already in use") == 6 and "Nothing was imported" in err
    assert len(cases_in(empty)) == 6


BAD_CSV = ("legal_name,birth_date,citizenship,case_code\r\n"
           "Good Person,1990-01-01,NG,SH-2025-0001\r\n"
           "Bad Date,2026-02-30,NG,\r\n"
           "Bad Country,,XX,\r\n"
           "Twice,,,SH-2025-0001\r\n"
           "Another Good,,VN,\r\n")


@pytest.fixture
def empty_vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "empty"
    assert run(monkeypatch, capsys, "--vault", str(folder), "--passphrase-stdin", "demo",
               "--survivors", "0")[0] == 0
    return folder


def test_import_dry_run_default_and_skip_invalid(empty_vault: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(BAD_CSV, encoding="utf-8")
    base = ["--vault", str(empty_vault), "--passphrase-stdin", "--as", "coordinator",
            "import", str(source)]
    code, out, err = run(monkeypatch, capsys, *base, "--dry-run")
    assert code == 1
    assert plain(out).splitlines() == [
        "Row 3, birth_date: '2026-02-30' is not a date. Use the form YYYY-MM-DD, for example "
        "2026-03-31.",
        "Row 4, citizenship: 'XX' is not an ISO 3166 country code (two letters, such as NG "
        "or VN).",
        "Row 5, case_code: The case code SH-2025-0001 is also on row 2."]
    assert "Dry run: 2 of 5 rows would be imported; 3 rejected. Nothing was saved." in err
    assert cases_in(empty_vault) == []
    code, out, err = run(monkeypatch, capsys, *base)
    assert code == 1 and len(out.splitlines()) == 3
    assert "Nothing was imported: 3 of 5 rows have problems" in err
    assert "--skip-invalid" in err
    assert cases_in(empty_vault) == []
    code, out, err = run(monkeypatch, capsys, *base, "--skip-invalid")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "Imported 2 cases."
    assert len(cases_in(empty_vault)) == 2


def test_import_legacy_encoding_and_xlsx_and_mapping(empty_vault: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    base = ["--vault", str(empty_vault), "--passphrase-stdin", "--as", "coordinator",
            "import"]
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes("legal_name,citizenship\r\nMaría García,HN\r\n".encode("cp1252"))
    code, _out, err = run(monkeypatch, capsys, *base, str(legacy))
    assert code == 1 and "not UTF-8" in err and "--encoding cp1252" in err
    assert cases_in(empty_vault) == []
    code, out, _err = run(monkeypatch, capsys, *base, str(legacy), "--encoding", "cp1252")
    assert code == 0 and "Imported 1 cases." in out

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Nationality", "Sex"])
    sheet.append(["Олена Шевченко", "Ukraine", "F"])
    book.save(tmp_path / "theirs.xlsx")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"columns": {"Name": "legal_name", "Nationality":
                                               "citizenship", "Sex": "gender"},
                                   "values": {"citizenship": {"Ukraine": "UA"},
                                              "gender": {"F": "woman"}}}))
    code, out, err = run(monkeypatch, capsys, *base, str(tmp_path / "theirs.xlsx"),
                         "--mapping", str(mapping))
    assert (code, err) == (0, "") and "Imported 1 cases." in out
    assert len(cases_in(empty_vault)) == 2


def test_import_and_export_need_an_account(empty_vault: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "ok.csv"
    source.write_text("legal_name\r\nSomeone\r\n")
    code, _out, err = run(monkeypatch, capsys, "--vault", str(empty_vault),
                          "--passphrase-stdin", "--as", "caseworker", "import", str(source))
    assert code == 1 and "roles do not allow" in err
    monkeypatch.delenv("SHELTER_USER", raising=False)
    code, _out, err = run(monkeypatch, capsys, "--vault", str(empty_vault),
                          "--passphrase-stdin", "import", str(source))
    assert code == 2 and "--as USER" in err
    assert cases_in(empty_vault) == []


def test_retention_review_purge_and_erase_from_the_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "demo"
    assert run(monkeypatch, capsys, "--vault", str(folder), "--passphrase-stdin", "demo",
               "--survivors", "60")[0] == 0
    with Vault.open(folder, kdf=FAST_KDF) as vault:
        opened, _report = vault.unlock("admin", PASS)
        admin = build_services(opened)
        admin.settings.set("retention_closed_years", 1)
        admin.lock()
    coordinator = ("--vault", str(folder), "--as", "coordinator", "--passphrase-stdin")
    code, out, err = run(monkeypatch, capsys, *coordinator, "retention", "review")
    assert code == 0, err
    assert "closed cases 1 year after closing" in plain(out)
    found = re.search(r"--list ([0-9A-F]{4}-[0-9A-F]{4})", out)
    assert found is not None, out
    listed = re.findall(r"^(DEMO-\d{4}-\d{6})\t", out, re.M)
    held = re.findall(r"^(DEMO-\d{4}-\d{6})\t.*kept: ", out, re.M)
    assert listed and all(code in cases_in(folder) for code in listed)
    code, _out, err = run(monkeypatch, capsys, *coordinator, "retention", "purge", "--list",
                          "0000-0000")
    assert code == 1 and "changed since it was reviewed" in err
    code, out, err = run(monkeypatch, capsys, *coordinator, "retention", "purge", "--list",
                         found.group(1))
    assert code == 0, err
    assert "Removed" in out and "Clearing the freed space" in err
    remaining = cases_in(folder)
    assert [c for c in listed if c in remaining] == held
    victim = remaining[0]
    code, _out, err = run(monkeypatch, capsys, "--vault", str(folder), "--as", "caseworker",
                          "--passphrase-stdin", "erase", "--case", victim, "--reason",
                          "survivor_request")
    assert code == 1 and victim in cases_in(folder)
    code, out, err = run(monkeypatch, capsys, *coordinator, "erase", "--case", victim,
                         "--reason", "survivor_request")
    assert code == 0, err
    assert "1 case" in plain(out) and victim not in cases_in(folder)
