"""shelter-admin tasks, and the tasks, shares and awaited referrals the demo data holds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shelter_app.domain.records import CaseInput, SurvivorInput
from shelter_app.services.registry import build_services
from shelter_app.vault.vault import Vault
from tests.conftest import FAST_KDF
from tests.records.test_cli import PASS, run

TODAY = dt.date.today()


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           capsys: pytest.CaptureFixture[str]) -> tuple[Path, dict[str, str]]:
    """A demo vault with no demo cases, and one case with three known tasks."""
    folder = tmp_path / "demo"
    code, _out, err = run(monkeypatch, capsys, "--vault", str(folder), "--passphrase-stdin",
                          "demo", "--survivors", "0")
    assert (code, err) == (0, "")
    with Vault.open(folder, kdf=FAST_KDF) as vault:
        services = build_services(vault.unlock("coordinator", PASS)[0])
        try:
            ids = {a: services.tasks.person_id(a) for a in ("coordinator", "caseworker")}
            case = services.cases.create(SurvivorInput(legal_name="Tilda Tasker"),
                                         CaseInput(assigned_to=ids["caseworker"]))
            late = services.tasks.create(case.id, "Call about the bruises",
                                         assigned_to=ids["caseworker"],
                                         due_on=TODAY - dt.timedelta(days=2))
            services.tasks.create(case.id, "Renew the bus pass", assigned_to=ids["caseworker"])
            services.tasks.create(case.id, "Sign the plan", assigned_to=ids["coordinator"],
                                  due_on=TODAY + dt.timedelta(days=3))
        finally:
            services.lock()
    return folder, {"code": case.code, "late": late.id}


def lines(out: str) -> list[list[str]]:
    return [line.split("\t") for line in out.splitlines()]


def test_a_caseworker_lists_her_open_tasks_by_case_code(office, monkeypatch, capsys) -> None:
    folder, known = office
    code, out, err = run(monkeypatch, capsys, "--vault", str(folder), "--as", "caseworker",
                         "--passphrase-stdin", "tasks")
    assert (code, err) == (0, "")
    assert lines(out) == [
        [known["code"], (TODAY - dt.timedelta(days=2)).isoformat(), "Demo caseworker",
         "overdue", known["late"]],
        [known["code"], "-", "Demo caseworker", "", lines(out)[1][4]],
    ]
    assert "bruises" not in out, "the text only when asked for"
    code, out, _err = run(monkeypatch, capsys, "--vault", str(folder), "--as", "caseworker",
                          "--passphrase-stdin", "tasks", "--overdue", "--show-text")
    assert code == 0 and lines(out) == [
        [known["code"], (TODAY - dt.timedelta(days=2)).isoformat(), "Demo caseworker",
         "overdue", known["late"], "Call about the bruises"]]


def test_a_coordinator_lists_someone_s_or_everyone_s(office, monkeypatch, capsys) -> None:
    folder, known = office
    base = ["--vault", str(folder), "--as", "coordinator", "--passphrase-stdin", "tasks"]
    code, out, _err = run(monkeypatch, capsys, *base, "--user", "caseworker")
    assert code == 0 and len(lines(out)) == 2 and lines(out)[0][4] == known["late"]
    code, out, _err = run(monkeypatch, capsys, *base)
    assert code == 0 and [r[2] for r in lines(out)] == ["Demo coordinator"]
    code, out, _err = run(monkeypatch, capsys, *base, "--all")
    assert code == 0 and len(lines(out)) == 3
    code, _out, err = run(monkeypatch, capsys, *base, "--user", "nobody")
    assert code == 1 and "no account with that user name" in err


def test_an_administrator_alone_lists_no_task(office, monkeypatch, capsys) -> None:
    folder, _known = office
    code, out, err = run(monkeypatch, capsys, "--vault", str(folder), "--as", "admin",
                         "--passphrase-stdin", "tasks", "--all")
    assert code == 1 and out == "" and "roles do not allow" in err


def test_the_demo_has_tasks_shares_and_referrals_awaiting_an_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "demo"
    code, out, _err = run(monkeypatch, capsys, "--vault", str(folder), "--passphrase-stdin",
                          "demo", "--survivors", "60")
    assert code == 0 and "tasks " in out
    with Vault.open(folder, kdf=FAST_KDF) as vault:
        for who in ("caseworker", "legal", "coordinator"):
            services = build_services(vault.unlock(who, PASS)[0])
            try:
                day = services.day.my_day(TODAY, everyone=True)
                totals = {g.key: g.total for g in day.groups}
                assert totals["tasks"] > 0, who
                if who != "legal":
                    assert totals["referrals"] > 0, who
                if who == "coordinator":  # rows written in bulk still check out
                    assert services.vault_admin.verify().ok
            finally:
                services.lock()
