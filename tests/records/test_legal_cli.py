"""shelter-admin matters and evidence: a case's legal matters with their open deadlines,
and a matter's evidence checklist, for scripted use; refused to roles and cases the
account may not read, with a clear message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shelter_app.domain.records import CaseInput, SurvivorInput
from shelter_app.services.registry import build_services
from shelter_app.vault.vault import Vault
from tests.conftest import FAST_KDF
from tests.records.test_cli import PASS, run
from tests.records.test_tasks_cli import lines

TODAY = dt.date.today()
FILING = TODAY + dt.timedelta(days=20)
EXPIRY = TODAY + dt.timedelta(days=90)


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           capsys: pytest.CaptureFixture[str]) -> tuple[Path, dict[str, str]]:
    """A demo vault with no demo cases; one case shared with the legal volunteer, with two
    matters, and one case not shared."""
    folder = tmp_path / "demo"
    code, _out, err = run(monkeypatch, capsys, "--vault", str(folder), "--passphrase-stdin",
                          "demo", "--survivors", "0")
    assert (code, err) == (0, "")
    with Vault.open(folder, kdf=FAST_KDF) as vault:
        services = build_services(vault.unlock("coordinator", PASS)[0])
        try:
            legal_id = services.tasks.person_id("legal")
            case = services.cases.create(SurvivorInput(legal_name="Lina Lawful"), CaseInput())
            other = services.cases.create(SurvivorInput(legal_name="Omar Other"), CaseInput())
            services.cases.share(case.id, legal_id)
            permit = services.legal.open(case.id, "residence_permit", jurisdiction="IT",
                                         dates={"filing_due": FILING, "permit_expiry": EXPIRY})
            closed = services.legal.open(case.id, "asylum", status="closed",
                                         dates={"filing_due": FILING})
            statement = services.legal.add_evidence(permit.id, "Statement of the applicant")
            report = services.legal.add_evidence(permit.id, "Medical report", required=False)
            passport = services.attachments.add(case.id, "passport.pdf", b"%PDF-1.4 passport",
                                                label="Passport")
            services.legal.link_evidence(statement.id, passport.id)
        finally:
            services.lock()
    return folder, {"code": case.code, "other": other.code, "permit": permit.id,
                    "closed": closed.id, "statement": statement.id, "report": report.id}


def _admin(monkeypatch, capsys, folder: Path, user: str, *argv: str) -> tuple[int, str, str]:
    return run(monkeypatch, capsys, "--vault", str(folder), "--as", user, "--passphrase-stdin",
               *argv)


def test_a_legal_volunteer_lists_a_shared_cases_matters_and_checklist(
        office, monkeypatch, capsys) -> None:
    folder, known = office
    code, out, err = _admin(monkeypatch, capsys, folder, "legal", "matters", "--case",
                            known["code"].lower())  # typed as people type it
    assert (code, err) == (0, "")
    assert lines(out) == [
        [known["permit"], "residence_permit", "IT", "preparing",
         f"filing_due={FILING.isoformat()},permit_expiry={EXPIRY.isoformat()}", "-"],
        [known["closed"], "asylum", "-", "closed", "-", "-"],  # closed: no deadline left
    ]
    assert "Lina" not in out
    code, out, err = _admin(monkeypatch, capsys, folder, "legal", "evidence", "--matter",
                            known["permit"])
    assert (code, err) == (0, "")
    assert lines(out) == [
        [known["statement"], "required", "obtained", "1", "Statement of the applicant"],
        [known["report"], "optional", "needed", "0", "Medical report"],
    ]
    code, out, err = _admin(monkeypatch, capsys, folder, "legal", "evidence", "--matter",
                            known["permit"], "--documents")
    assert (code, err) == (0, "")
    [statement, report] = lines(out)
    assert statement[4] != "-" and len(statement[4]) == 36 and statement[5].startswith("Stat")
    assert report[4:] == ["-", "Medical report"]


def test_what_the_account_may_not_read_is_refused_clearly(office, monkeypatch, capsys) -> None:
    folder, known = office
    code, out, err = _admin(monkeypatch, capsys, folder, "legal", "matters", "--case",
                            known["other"])  # not shared with her
    assert code == 1 and out == "" and "Omar" not in err
    assert err.strip()
    code, out, err = _admin(monkeypatch, capsys, folder, "admin", "matters", "--case",
                            known["code"])
    assert code == 1 and out == "" and "roles do not allow" in err
    code, out, err = _admin(monkeypatch, capsys, folder, "legal", "evidence", "--matter",
                            "no-such-id")
    assert code == 1 and out == "" and "No such legal matter" in err
    code, out, err = _admin(monkeypatch, capsys, folder, "legal", "matters", "--case",
                            "NOPE-0000")
    assert code == 1 and out == ""
    assert err.strip() and "Traceback" not in err
